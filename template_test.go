package bestedm

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

const (
	tplHTML = `<html><body><h1>新年快乐</h1><p>全场 8 折，<a href="http://www.comingchina.com/sale">立即选购</a></p></body></html>`
	tplPDF  = "%PDF-1.4\n%âãÏÓ\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
)

func TestTemplateCreate(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "template.php", fixture(t, "template-add-tpl.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodPost, q("do", "add-tpl"))
		assert.Equal(t, []part{
			{Field: "name", Content: "新年促销 A"},
			{Field: "subject", Content: "新年快乐：全场 8 折|您的新年礼券已到账"},
			{Field: "content", Content: tplHTML},
			{Field: "text_content", Content: "新年快乐，全场 8 折。"},
			{Field: "encoding", Content: "base64"},
			{Field: "file", FileName: "2013 产品目录.pdf", Content: tplPDF},
		}, readMultipart(t, r))
	})
	p := &TemplateParams{
		Name: "新年促销 A", Subjects: []string{"新年快乐：全场 8 折", "您的新年礼券已到账"},
		Content: tplHTML, TextContent: "新年快乐，全场 8 折。", Encoding: EncodingBase64,
		Attachments: []File{{Name: "2013 产品目录.pdf", Content: strings.NewReader(tplPDF)}},
	}
	before := *p
	before.Subjects = slices.Clone(p.Subjects)
	before.Attachments = slices.Clone(p.Attachments)
	res, err := c.Template.Create(bg, p)
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "68", ID: 68}, res)
	assert.Equal(t, before, *p, "the caller's params are not modified")
}

func TestTemplateCreateSeveralFiles(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "template.php", fixture(t, "template-add-tpl.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodPost, q("do", "add-tpl"))
		assert.Equal(t, []part{
			{Field: "name", Content: "会员回访"},
			{Field: "subject", Content: "感谢您一年来的支持"},
			{Field: "content", Content: "<p>尊敬的会员：感谢您的支持。</p>"},
			{Field: "encoding", Content: "quoted-printable"},
			{Field: "file[]", FileName: "catalogue.pdf", Content: tplPDF},
			{Field: "file[]", FileName: "price-list.csv", Content: "sku,price\r\nA-1,99\r\n"},
		}, readMultipart(t, r))
	})
	res, err := c.Template.Create(bg, &TemplateParams{
		Name: "会员回访", Subjects: []string{"感谢您一年来的支持"}, Content: "<p>尊敬的会员：感谢您的支持。</p>",
		Encoding: EncodingQuotedPrintable,
		Attachments: []File{
			{Name: "catalogue.pdf", Content: strings.NewReader(tplPDF)},
			{Name: "price-list.csv", Content: io.MultiReader(strings.NewReader("sku,price\r\n"), strings.NewReader("A-1,99\r\n"))},
		},
	})
	require.NoError(t, err)
	assert.Equal(t, int64(68), res.ID)
}

func TestTemplateCreateNoFiles(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "template.php", fixture(t, "template-add-tpl.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodPost, q("do", "add-tpl"))
		assert.Equal(t, []part{
			{Field: "name", Content: "春节问候"},
			{Field: "subject", Content: "福洽科技恭祝您春节快乐"},
			{Field: "content", Content: "<p>祝您春节快乐！</p>"},
		}, readMultipart(t, r))
	})
	_, err := c.Template.Create(bg, &TemplateParams{Name: "春节问候", Subjects: []string{"福洽科技恭祝您春节快乐"}, Content: "<p>祝您春节快乐！</p>"})
	require.NoError(t, err)
}

// tplStreamed is an attachment that proves it is streamed: its second half
// is only written once the server has received the first, which a client
// that read the file whole before sending would never allow.
type tplStreamed struct {
	first, rest string
	seen        chan struct{} // closed by the server on the first half
}

func newTplStreamed() (*tplStreamed, File) {
	s := &tplStreamed{first: "%PDF-1.4 first half\n", rest: "second half\n%%EOF", seen: make(chan struct{})}
	pr, pw := io.Pipe() // an io.Reader that is neither a buffer nor a seeker
	go func() {
		_, _ = io.WriteString(pw, s.first)
		select {
		case <-s.seen:
			_, _ = io.WriteString(pw, s.rest)
			_ = pw.Close()
		case <-time.After(10 * time.Second):
			pw.CloseWithError(errors.New("the server never got the first half: the attachment was buffered, not streamed"))
		}
	}()
	return s, File{Name: "streamed.pdf", Content: pr}
}

// check reads the request's file part half by half, releasing the second.
func (s *tplStreamed) check(t *testing.T, r *http.Request, field string) {
	_, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !assert.NoError(t, err) {
		return
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return
		}
		if !assert.NoError(t, err) || p.FormName() != field {
			continue
		}
		assert.Equal(t, "streamed.pdf", p.FileName())
		head := make([]byte, len(s.first))
		_, err = io.ReadFull(p, head)
		assert.NoError(t, err)
		assert.Equal(t, s.first, string(head))
		close(s.seen)
		rest, err := io.ReadAll(p)
		assert.NoError(t, err)
		assert.Equal(t, s.rest, string(rest))
	}
}

func TestTemplateCreateStreamsAttachment(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	s, file := newTplStreamed()
	handle(t, mux, "template.php", fixture(t, "template-add-tpl.xml"), func(r *http.Request) {
		s.check(t, r, "file")
	})
	_, err := c.Template.Create(bg, &TemplateParams{Name: "n", Subjects: []string{"s"}, Content: "c", Attachments: []File{file}})
	require.NoError(t, err)
}

func TestTemplateAddAttachmentsStreams(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	s, file := newTplStreamed()
	handle(t, mux, "template.php", result("success", "上传附件成功"), func(r *http.Request) {
		s.check(t, r, "file")
	})
	_, err := c.Template.AddAttachments(bg, 67, file)
	require.NoError(t, err)
}

func TestTemplateCreateValidation(t *testing.T) {
	t.Parallel()
	valid := func() *TemplateParams {
		return &TemplateParams{Name: "会员回访", Subjects: []string{"感谢您的支持"}, Content: "<p>谢谢</p>"}
	}
	for _, tc := range []struct {
		name  string
		edit  func(p *TemplateParams)
		field string
	}{
		{"no name", func(p *TemplateParams) { p.Name = "" }, "name"},
		{"blank name", func(p *TemplateParams) { p.Name = " \t" }, "name"},
		{"no subject", func(p *TemplateParams) { p.Subjects = nil }, "subject"},
		{"empty subject", func(p *TemplateParams) { p.Subjects = []string{"a", " "} }, "subject"},
		{"subject with separator", func(p *TemplateParams) { p.Subjects = []string{"春节 | 快乐"} }, "subject"},
		{"no content", func(p *TemplateParams) { p.Content = "" }, "content"},
		{"unknown encoding", func(p *TemplateParams) { p.Encoding = "7bit" }, "encoding"},
		{"file without content", func(p *TemplateParams) { p.Attachments = []File{{Name: "a.pdf"}} }, "file"},
		{"file without name", func(p *TemplateParams) {
			p.Attachments = []File{{Name: "a.pdf", Content: strings.NewReader("x")}, {Content: strings.NewReader("y")}}
		}, "file[]"},
		{"file name with quote", func(p *TemplateParams) {
			p.Attachments = []File{{Name: `a".pdf`, Content: strings.NewReader("x")}}
		}, "file"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			failHandler(t, mux)
			p := valid()
			tc.edit(p)
			_, err := c.Template.Create(bg, p)
			wantValidation(t, err, tc.field)
		})
	}
	t.Run("nil params", func(t *testing.T) {
		c, mux := setup(t)
		failHandler(t, mux)
		_, err := c.Template.Create(bg, nil)
		wantValidation(t, err, "name")
	})
}

// tplListFixture is the decoded testdata/template-list-tpl.xml.
var tplListFixture = []Template{
	{
		ID: 53, UserID: 1024, Name: "新年促销 A",
		Subjects: []Subject{{ID: 301, Name: "新年快乐：全场 8 折"}, {ID: 302, Name: "您的新年礼券已到账"}},
		Content:  tplHTML, ContentType: "html",
		Attachments: []Attachment{{ID: 77, Name: "2013 产品目录.pdf"}, {ID: 78, Name: "price-list.xls"}},
		Created:     taskTime(2012, 12, 28, 15, 20, 33), Updated: taskTime(2013, 1, 4, 9, 12, 5),
	},
	{
		ID: 55, UserID: 1024, Name: "会员回访",
		Subjects: []Subject{{ID: 305, Name: "感谢您一年来的支持"}},
		Content:  "<p>尊敬的会员：感谢您的支持。</p>", ContentType: "html",
		Created: taskTime(2013, 1, 5, 11, 2, 0),
	},
}

func TestTemplateList(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "template.php", fixture(t, "template-list-tpl.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "list-tpl"))
	})
	got, err := c.Template.List(bg)
	require.NoError(t, err)
	assert.Equal(t, tplListFixture, got)
}

func TestTemplateListEmpty(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "template.php", []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<template_list>\r\n</template_list>\r\n"), nil)
	got, err := c.Template.List(bg)
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)
}

func TestTemplateGet(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "template.php", fixture(t, "template-list-tpl-id.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "list-tpl", "tpl_id", "67"))
	})
	got, err := c.Template.Get(bg, 67)
	require.NoError(t, err)
	assert.Equal(t, &Template{
		ID: 67, UserID: 1024, Name: "春节问候",
		Subjects:    []Subject{{ID: 311, Name: "福洽科技恭祝您春节快乐"}},
		Content:     "<p>祝您春节快乐！</p>",
		ContentType: "html",
		Attachments: []Attachment{{ID: 81, Name: "贺卡.jpg"}},
		Created:     taskTime(2013, 2, 1, 8, 0, 0),
	}, got)
}

func TestTemplateGetNotFound(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "template.php", []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<template_list>\r\n</template_list>\r\n"), nil)
	got, err := c.Template.Get(bg, 404)
	assert.Nil(t, got)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Contains(t, err.Error(), "template 404")
}

// A server that ignored tpl_id would list every template: Get must pick
// the one asked for or report not found.
func TestTemplateGetMatchesID(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "template.php", fixture(t, "template-list-tpl.xml"), nil)
	got, err := c.Template.Get(bg, 55)
	require.NoError(t, err)
	assert.Equal(t, &tplListFixture[1], got)
	_, err = c.Template.Get(bg, 67)
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestTemplateDelete(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "template.php", result("success", "删除模板成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "del-tpl", "tpl_id", "67"))
	})
	res, err := c.Template.Delete(bg, 67)
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "删除模板成功"}, res)
}

func TestTemplateUpdate(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "template.php", result("success", "修改模板成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodPost, q("do", "edit-tpl", "tpl_id", "67"))
		testForm(t, r, q("name", "春节问候 & 祝福", "subject", "春节快乐|新春大吉", "content", tplHTML,
			"text_content", "春节快乐", "encoding", "quoted-printable"))
	})
	p := &TemplateUpdateParams{Name: "春节问候 & 祝福", Subjects: []string{"春节快乐", "新春大吉"}, Content: tplHTML,
		TextContent: "春节快乐", Encoding: EncodingQuotedPrintable}
	before := *p
	before.Subjects = slices.Clone(p.Subjects)
	res, err := c.Template.Update(bg, 67, p)
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "修改模板成功"}, res)
	assert.Equal(t, before, *p, "the caller's params are not modified")
}

func TestTemplateUpdateOneField(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		p    TemplateUpdateParams
		form []string
	}{
		{"name", TemplateUpdateParams{Name: "春节问候"}, []string{"name", "春节问候"}},
		{"subject", TemplateUpdateParams{Subjects: []string{"新春大吉"}}, []string{"subject", "新春大吉"}},
		{"content", TemplateUpdateParams{Content: "<p>新</p>", Encoding: EncodingBase64},
			[]string{"content", "<p>新</p>", "encoding", "base64"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "template.php", result("success", "修改模板成功"), func(r *http.Request) {
				testRequest(t, r, http.MethodPost, q("do", "edit-tpl", "tpl_id", "67"))
				testForm(t, r, q(tc.form...))
			})
			_, err := c.Template.Update(bg, 67, &tc.p)
			require.NoError(t, err)
		})
	}
}

func TestTemplateAddAttachments(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		files []File
		want  [][]part // the parts of each request, in order
	}{
		{"one", []File{{Name: "贺卡.jpg", Content: strings.NewReader("\xff\xd8\xff\xe0JFIF")}},
			[][]part{{{Field: "file", FileName: "贺卡.jpg", Content: "\xff\xd8\xff\xe0JFIF"}}}},
		// One request a file, each under "file": what the document (one
		// file) and a production client (docs/wire-format.md#attachment-field)
		// both send.
		{"several", []File{{Name: "a.pdf", Content: strings.NewReader(tplPDF)}, {Name: "b.txt", Content: strings.NewReader("说明")}},
			[][]part{{{Field: "file", FileName: "a.pdf", Content: tplPDF}}, {{Field: "file", FileName: "b.txt", Content: "说明"}}}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			var got [][]part
			handle(t, mux, "template.php", result("success", "上传附件成功"), func(r *http.Request) {
				testRequest(t, r, http.MethodPost, q("do", "tpl-attachment-add", "tpl_id", "67"))
				got = append(got, readMultipart(t, r))
			})
			res, err := c.Template.AddAttachments(bg, 67, tc.files...)
			require.NoError(t, err)
			assert.Equal(t, &Result{Message: "上传附件成功"}, res)
			assert.Equal(t, tc.want, got)
		})
	}
}

func TestTemplateAddAttachmentsPartly(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	n := 0
	mux.HandleFunc(apiPath+"template.php", func(w http.ResponseWriter, r *http.Request) {
		_ = readMultipart(t, r)
		if n++; n == 2 {
			_, _ = w.Write(result("upload_error", "附件上传失败"))
			return
		}
		_, _ = w.Write(result("success", "上传附件成功"))
	})
	files := []File{{Name: "a.pdf", Content: strings.NewReader("a")}, {Name: "b.pdf", Content: strings.NewReader("b")},
		{Name: "c.pdf", Content: strings.NewReader("c")}}
	res, err := c.Template.AddAttachments(bg, 67, files...)
	assert.Nil(t, res)
	wantAPIError(t, err, "upload_error")
	assert.Contains(t, err.Error(), `"b.pdf"`)
	assert.Contains(t, err.Error(), "1 of 3 files attached")
	assert.Equal(t, 2, n, "the files after a failure are not sent")

	// A bad file is refused before any is sent.
	_, err = c.Template.AddAttachments(bg, 67, File{Name: "a.pdf", Content: strings.NewReader("a")}, File{Name: "b.pdf"})
	wantValidation(t, err, "file")
	assert.Equal(t, 2, n)
}

func TestTemplateDeleteAttachment(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		call func(c *Client) (*Result, error)
		want string
	}{
		{"one", func(c *Client) (*Result, error) { return c.Template.DeleteAttachment(bg, 67, 81) }, "81"},
		{"all", func(c *Client) (*Result, error) { return c.Template.DeleteAttachments(bg, 67) }, "all"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "template.php", result("success", "删除附件成功"), func(r *http.Request) {
				testRequest(t, r, http.MethodGet, q("do", "tpl-attachment-del", "tpl_id", "67", "attachment_id", tc.want))
			})
			res, err := tc.call(c)
			require.NoError(t, err)
			assert.Equal(t, &Result{Message: "删除附件成功"}, res)
		})
	}
}

func TestTemplateValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		call  func(c *Client) error
		field string
	}{
		{"Get zero id", func(c *Client) error { _, err := c.Template.Get(bg, 0); return err }, "tpl_id"},
		{"Delete zero id", func(c *Client) error { _, err := c.Template.Delete(bg, 0); return err }, "tpl_id"},
		{"Delete negative id", func(c *Client) error { _, err := c.Template.Delete(bg, -67); return err }, "tpl_id"},
		{"Update zero id", func(c *Client) error {
			_, err := c.Template.Update(bg, 0, &TemplateUpdateParams{Name: "n"})
			return err
		}, "tpl_id"},
		{"Update nil params", func(c *Client) error { _, err := c.Template.Update(bg, 67, nil); return err }, "TemplateUpdateParams"},
		{"Update text only", func(c *Client) error {
			_, err := c.Template.Update(bg, 67, &TemplateUpdateParams{TextContent: "t", Encoding: EncodingBase64})
			return err
		}, "TemplateUpdateParams"},
		{"Update blank name", func(c *Client) error {
			_, err := c.Template.Update(bg, 67, &TemplateUpdateParams{Name: "  "})
			return err
		}, "name"},
		{"Update blank content", func(c *Client) error {
			_, err := c.Template.Update(bg, 67, &TemplateUpdateParams{Name: "n", Content: "\r\n"})
			return err
		}, "content"},
		{"Update subject with separator", func(c *Client) error {
			_, err := c.Template.Update(bg, 67, &TemplateUpdateParams{Subjects: []string{"a|b"}})
			return err
		}, "subject"},
		{"Update empty subject", func(c *Client) error {
			_, err := c.Template.Update(bg, 67, &TemplateUpdateParams{Subjects: []string{""}})
			return err
		}, "subject"},
		{"Update unknown encoding", func(c *Client) error {
			_, err := c.Template.Update(bg, 67, &TemplateUpdateParams{Name: "n", Encoding: "8bit"})
			return err
		}, "encoding"},
		{"AddAttachments zero id", func(c *Client) error {
			_, err := c.Template.AddAttachments(bg, 0, File{Name: "a", Content: strings.NewReader("x")})
			return err
		}, "tpl_id"},
		{"AddAttachments no file", func(c *Client) error { _, err := c.Template.AddAttachments(bg, 67); return err }, "file"},
		{"AddAttachments nil content", func(c *Client) error {
			_, err := c.Template.AddAttachments(bg, 67, File{Name: "a.pdf"})
			return err
		}, "file"},
		{"AddAttachments blank name", func(c *Client) error {
			_, err := c.Template.AddAttachments(bg, 67, File{Name: "a.pdf", Content: strings.NewReader("x")}, File{Name: " ", Content: strings.NewReader("y")})
			return err
		}, "file"}, // one request a file, each under "file"
		{"DeleteAttachment zero template", func(c *Client) error { _, err := c.Template.DeleteAttachment(bg, 0, 81); return err }, "tpl_id"},
		{"DeleteAttachment zero attachment", func(c *Client) error { _, err := c.Template.DeleteAttachment(bg, 67, 0); return err }, "attachment_id"},
		{"DeleteAttachment negative attachment", func(c *Client) error { _, err := c.Template.DeleteAttachment(bg, 67, -1); return err }, "attachment_id"},
		{"DeleteAttachments zero template", func(c *Client) error { _, err := c.Template.DeleteAttachments(bg, 0); return err }, "tpl_id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			failHandler(t, mux)
			wantValidation(t, tc.call(c), tc.field)
		})
	}
}

func TestTemplateAPIErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		call func(c *Client) error
	}{
		{"Create", func(c *Client) error {
			_, err := c.Template.Create(bg, &TemplateParams{Name: "n", Subjects: []string{"s"}, Content: "c",
				Attachments: []File{{Name: "a.pdf", Content: strings.NewReader(tplPDF)}}})
			return err
		}},
		{"List", func(c *Client) error { _, err := c.Template.List(bg); return err }},
		{"Get", func(c *Client) error { _, err := c.Template.Get(bg, 67); return err }},
		{"Delete", func(c *Client) error { _, err := c.Template.Delete(bg, 67); return err }},
		{"Update", func(c *Client) error {
			_, err := c.Template.Update(bg, 67, &TemplateUpdateParams{Name: "n"})
			return err
		}},
		{"AddAttachments", func(c *Client) error {
			_, err := c.Template.AddAttachments(bg, 67, File{Name: "a.pdf", Content: strings.NewReader(tplPDF)})
			return err
		}},
		{"DeleteAttachment", func(c *Client) error { _, err := c.Template.DeleteAttachment(bg, 67, 81); return err }},
		{"DeleteAttachments", func(c *Client) error { _, err := c.Template.DeleteAttachments(bg, 67); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "template.php", result("template_error", "模板不存在"), func(r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body) // read an upload whole, as a server would
			})
			err := tc.call(c)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, Status("template_error"), apiErr.Status)
			assert.Equal(t, "模板不存在", apiErr.Message)
			assert.ErrorIs(t, err, ErrAPI)
		})
	}
}
