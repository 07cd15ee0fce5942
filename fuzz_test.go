package bestedm

import (
	"bytes"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go/internal/charset"
	"github.com/bestedm/bestedm-go/internal/xmlbind"
)

// Fuzz targets for every reply decoder, the text-export parsers and the
// batch line encoder. Each drives a public method through a transport that
// answers with the fuzz input, and checks what a caller relies on: no
// panic, an error of a documented kind, and never a nil error without a
// reply that really is the expected document. List and stream decoders are
// also compared with a reference decode on encoding/xml alone, which the
// fast path (internal/xmlbind/fast.go) promises to match exactly.
//
// Plain `go test` runs the seeds (the fixtures of testdata/ and any crasher
// saved under testdata/fuzz/); run one target with
//
//	go test -run '^$' -fuzz '^FuzzOpens$' -fuzztime 60s -parallel 1 .

// fuzzContentTypes are the Content-Type headers a fuzz input is served
// with, chosen by its ct byte: the charset decides how the body is read.
var fuzzContentTypes = []string{
	"text/xml; charset=utf-8",
	"",
	"text/xml",
	"text/xml; charset=GBK",
	"application/xml; charset=gb18030",
	"text/plain; charset=utf-16le",
	"text/xml; charset=x-unknown",
	"text/html; charset=big5",
}

func fuzzContentType(ct uint8) string { return fuzzContentTypes[int(ct)%len(fuzzContentTypes)] }

// cannedReply is a transport that answers every request with the same
// status and body, and keeps the requests' bodies.
type cannedReply struct {
	status int
	ctype  string
	body   []byte

	mu     sync.Mutex
	sent   int
	bodies [][]byte
	reqs   []*http.Request
}

func (cr *cannedReply) RoundTrip(req *http.Request) (*http.Response, error) {
	var body []byte
	if req.Body != nil {
		b, err := io.ReadAll(req.Body)
		_ = req.Body.Close()
		if err != nil {
			return nil, err
		}
		body = b
	}
	cr.mu.Lock()
	cr.sent++
	cr.bodies = append(cr.bodies, body)
	cr.reqs = append(cr.reqs, req)
	cr.mu.Unlock()
	h := http.Header{}
	if cr.ctype != "" {
		h.Set("Content-Type", cr.ctype)
	}
	status := cr.status
	if status == 0 {
		status = http.StatusOK
	}
	return &http.Response{
		StatusCode: status, Status: fmt.Sprintf("%d %s", status, http.StatusText(status)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1,
		Header: h, Body: io.NopCloser(bytes.NewReader(cr.body)), ContentLength: -1, Request: req,
	}, nil
}

func (cr *cannedReply) count() int {
	cr.mu.Lock()
	defer cr.mu.Unlock()
	return cr.sent
}

// cannedClient is a client whose every request is answered by cr.
func cannedClient(t *testing.T, cr *cannedReply) *Client {
	t.Helper()
	c, err := NewClient(testUser, testPassword, WithBaseURL("http://api.test"+apiPath),
		WithHTTPClient(&http.Client{Transport: cr}), WithRetry(RetryPolicy{}))
	require.NoError(t, err)
	return c
}

// fuzzFixture returns testdata/name for a seed.
func fuzzFixture(f *testing.F, name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		f.Fatal(err)
	}
	return b
}

// fuzzSeeds adds each fixture under every content type that reads it as
// written (UTF-8 or unlabelled), plus replies every call must refuse.
func fuzzSeeds(f *testing.F, fixtures ...string) {
	for _, name := range fixtures {
		b := fuzzFixture(f, name)
		f.Add(b, uint8(0))
		f.Add(b, uint8(1))
		// Variants that send the fast list path to encoding/xml at once,
		// so that mutations start next to entities, comments, attributes
		// and bare line feeds.
		f.Add(seedWithoutCDATA(b), uint8(0))
		f.Add(bytes.Replace(b, []byte("?>"), []byte("?><!-- c -->"), 1), uint8(0))
		f.Add(seedWithAttribute(b), uint8(0))
		f.Add(bytes.ReplaceAll(b, []byte("\r\n"), []byte("\n")), uint8(0))
		f.Add(bytes.Replace(b, []byte("<![CDATA["), []byte("<![CDATA[a\r\nb\rc "), 1), uint8(0))
	}
	for _, b := range [][]byte{
		nil,
		[]byte("\r\n\r\n"),
		result("auth_error", "用户名或密码错误"),
		result("success", "ok"),
		[]byte("<html><body>502 Bad Gateway</body></html>"),
		[]byte("Warning: mysql_connect(): Too many connections"),
		[]byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\r\n<data>"),
	} {
		f.Add(b, uint8(0))
	}
	f.Add(fuzzFixture(f, "charset-gbk.xml"), uint8(3))
	f.Add(fuzzFixture(f, "charset-header-gbk.xml"), uint8(3))
	f.Add(fuzzFixture(f, "charset-gb18030.xml"), uint8(4))
}

var cdataRE = regexp.MustCompile(`(?s)<!\[CDATA\[(.*?)\]\]>`)

// seedWithoutCDATA replaces each CDATA section by its escaped text.
func seedWithoutCDATA(b []byte) []byte {
	return cdataRE.ReplaceAllFunc(b, func(m []byte) []byte {
		var buf bytes.Buffer
		_ = xml.EscapeText(&buf, cdataRE.FindSubmatch(m)[1])
		return buf.Bytes()
	})
}

// seedWithAttribute gives the second element (the first inside the root)
// an attribute.
func seedWithAttribute(b []byte) []byte {
	tag := regexp.MustCompile(`<([a-z_]+)>`)
	locs := tag.FindAllSubmatchIndex(b, 2)
	if len(locs) < 2 {
		return b
	}
	end := locs[1][3]
	return slices.Concat(b[:end], []byte(` a="1&amp;2"`), b[end:])
}

// refDoc reads data as the client does (charset from ct, then from the
// prolog) with encoding/xml alone. It returns the root element's name and
// whether the document is well-formed through the root's end tag.
func refDoc(data []byte, ct string) (root string, wellFormed bool) {
	d, err := refDecoder(data, ct)
	if err != nil {
		return "", false
	}
	start, err := xmlbind.Root(d)
	if err != nil {
		return "", false
	}
	return start.Name.Local, d.Skip() == nil
}

func refDecoder(data []byte, ct string) (*xml.Decoder, error) {
	in, decoded, err := charset.NewReader(bytes.NewReader(data), charset.FromContentType(ct))
	if err != nil {
		return nil, err
	}
	d := xml.NewDecoder(in)
	d.CharsetReader = charset.XMLCharsetReader(decoded)
	return d, nil
}

// refRecords decodes a list reply with encoding/xml alone: the records up
// to the first error, <total_num> (read when withTotal, as fetchPage does),
// and that error. A record that sets no field is an error, as in the
// client: it is no record.
func refRecords[T any](data []byte, ct, root, child string, loc *time.Location, withTotal bool) ([]T, int64, error) {
	items := []T{}
	var total int64
	d, err := refDecoder(data, ct)
	if err != nil {
		return items, 0, err
	}
	start, err := xmlbind.Root(d)
	if err != nil {
		return items, 0, err
	}
	if start.Name.Local != root {
		return items, 0, fmt.Errorf("root <%s>", start.Name.Local)
	}
	l := xmlbind.List{Root: root, Child: child}
	if withTotal {
		l.Leaf = func(name, text string) error {
			if name != "total_num" || text == "" {
				return nil
			}
			n, err := strconv.ParseInt(text, 10, 64)
			if err != nil {
				return err
			}
			if n < 0 {
				return errors.New("negative total_num")
			}
			total = n
			return nil
		}
	}
	b := &xmlbind.Binder{Location: loc}
	empty := false
	err = b.SlowRecords(d, start, l, func() any { return new(T) }, func(rec any) bool {
		if reflect.ValueOf(rec).Elem().IsZero() {
			empty = true
			return false
		}
		items = append(items, *rec.(*T))
		return true
	})
	if err == nil && empty {
		err = errors.New("a record with no data")
	}
	return items, total, err
}

// checkReplyError asserts that err is one of the errors a reply can cause:
// a *DecodeError, an *APIError with a failure status, or ErrNotFound.
func checkReplyError(t *testing.T, err error) {
	t.Helper()
	msg := err.Error() // must not panic
	var ae *APIError
	var de *DecodeError
	switch {
	case errors.As(err, &ae):
		assert.NotEmpty(t, ae.Status, msg)
		assert.NotEqual(t, statusSuccess, ae.Status, msg)
	case errors.As(err, &de):
		assert.True(t, utf8.ValidString(de.Snippet), "snippet is valid UTF-8")
		assert.LessOrEqual(t, len(de.Snippet), 4*snippetSize, "the snippet is short")
	case errors.Is(err, ErrNotFound):
	default:
		t.Fatalf("unexpected error type %T: %v", err, err)
	}
}

// fuzzObject fuzzes a call that decodes one <root> element.
func fuzzObject[T any](f *testing.F, root string, call func(c *Client) (*T, error), check func(t *testing.T, v *T)) {
	f.Fuzz(func(t *testing.T, body []byte, ct uint8) {
		ctype := fuzzContentType(ct)
		cr := &cannedReply{ctype: ctype, body: body}
		v, err := call(cannedClient(t, cr))
		if root == "track" && errors.Is(err, ErrNotFound) {
			// Track.Overview looks the task up (list-task) after a not-found,
			// to tell a task without tracking from one that does not exist.
			require.Equal(t, 2, cr.count(), "the overview and the task's lookup")
		} else {
			require.Equal(t, 1, cr.count(), "one request")
		}
		if err != nil {
			checkReplyError(t, err)
			require.Nil(t, v, "no value with an error")
			return
		}
		require.NotNil(t, v, "a nil error comes with a value")
		gotRoot, ok := refDoc(body, ctype)
		require.Equal(t, root, gotRoot, "a nil error only for a <%s> reply", root)
		require.True(t, ok, "a nil error only for a well-formed reply")
		if check != nil {
			check(t, v)
		}
	})
}

// fuzzList fuzzes a call that decodes a list reply <root><child>…; the
// result must be exactly what encoding/xml alone makes of the input.
func fuzzList[T any](f *testing.F, root, child string, call func(c *Client) ([]T, int64, error)) {
	f.Fuzz(func(t *testing.T, body []byte, ct uint8) {
		ctype := fuzzContentType(ct)
		cr := &cannedReply{ctype: ctype, body: body}
		c := cannedClient(t, cr)
		items, total, err := call(c)
		require.Equal(t, 1, cr.count(), "one request")
		wantItems, wantTotal, refErr := refRecords[T](body, ctype, root, child, c.loc, true)
		if err != nil {
			checkReplyError(t, err)
			require.Nil(t, items)
			require.Error(t, refErr, "the client failed (%v) where encoding/xml reads the list", err)
			return
		}
		require.NoError(t, refErr, "a nil error only for a list encoding/xml reads whole")
		require.NotNil(t, items, "an empty list is an empty slice")
		assert.Equal(t, fmt.Sprintf("%#v", wantItems), fmt.Sprintf("%#v", items))
		assert.Equal(t, wantTotal, total)
	})
}

// fuzzStream fuzzes a streaming iterator over <root><child>…: it yields
// what encoding/xml alone decodes, and fails where it fails.
func fuzzStream[T any](f *testing.F, root, child string, call func(c *Client) iter.Seq2[T, error]) {
	f.Fuzz(func(t *testing.T, body []byte, ct uint8) {
		ctype := fuzzContentType(ct)
		cr := &cannedReply{ctype: ctype, body: body}
		c := cannedClient(t, cr)
		items := []T{}
		var err error
		for v, e := range call(c) {
			if e != nil {
				err = e
				var zero T
				require.Equal(t, fmt.Sprintf("%#v", zero), fmt.Sprintf("%#v", v), "an error comes with the zero value")
				break
			}
			items = append(items, v)
		}
		require.Equal(t, 1, cr.count(), "one request")
		wantItems, _, refErr := refRecords[T](body, ctype, root, child, c.loc, false)
		if err != nil {
			checkReplyError(t, err)
			require.Error(t, refErr, "the client failed (%v) where encoding/xml reads the list", err)
		} else {
			require.NoError(t, refErr, "a nil error only for a list encoding/xml reads whole")
		}
		assert.Equal(t, fmt.Sprintf("%#v", wantItems), fmt.Sprintf("%#v", items), "the records before any error")
	})
}

// assertNotZero fails for a value with no field set: a reply that always
// carries data must not decode to a zero value without an error.
func assertNotZero[T any](t *testing.T, v *T) {
	t.Helper()
	assert.False(t, reflect.ValueOf(*v).IsZero(), "a nil error with a zero %T", *v)
}

var fuzzDate = time.Date(2012, 3, 2, 0, 0, 0, 0, china)

func FuzzCustomerInfo(f *testing.F) {
	fuzzSeeds(f, "account-customer-info.xml", "charset-utf8-bom.xml")
	fuzzObject(f, "customer", func(c *Client) (*Customer, error) { return c.Account.CustomerInfo(bg) }, assertNotZero[Customer])
}

func FuzzServiceInfo(f *testing.F) {
	fuzzSeeds(f, "account-service-info.xml")
	fuzzObject(f, "service", func(c *Client) (*ServiceInfo, error) { return c.Account.ServiceInfo(bg) }, assertNotZero[ServiceInfo])
}

func FuzzStatisticOverview(f *testing.F) {
	fuzzSeeds(f, "statistic-overview.xml")
	fuzzObject(f, "statistic", func(c *Client) (*DailyStatistic, error) { return c.Statistic.Overview(bg, fuzzDate) }, nil)
}

func FuzzTrackOverview(f *testing.F) {
	fuzzSeeds(f, "track-overview.xml", "track-overview-nolinks.xml")
	fuzzObject(f, "track", func(c *Client) (*TrackOverview, error) { return c.Track.Overview(bg, TaskByID(362)) },
		func(t *testing.T, o *TrackOverview) {
			assert.NotNil(t, o.Links, "no links is an empty slice")
			cp := *o
			if len(cp.Links) == 0 {
				cp.Links = nil
			}
			assertNotZero(t, &cp)
		})
}

func FuzzMaillistGet(f *testing.F) {
	fuzzSeeds(f, "maillist-detail.xml")
	fuzzObject(f, "maillist", func(c *Client) (*Maillist, error) { return c.Maillist.Get(bg, 101) },
		func(t *testing.T, m *Maillist) { assert.NotZero(t, m.ID, "a list without an id is not found") })
}

func FuzzBatches(f *testing.F) {
	fuzzSeeds(f, "statistic-batches.xml")
	fuzzList(f, "data", "task", func(c *Client) ([]BatchStat, int64, error) {
		l, err := c.Statistic.Batches(bg, &BatchListOptions{Date: fuzzDate})
		return l, 0, err
	})
}

func FuzzDeductions(f *testing.F) {
	fuzzSeeds(f, "statistic-deductions.xml")
	fuzzList(f, "data", "list", func(c *Client) ([]Deduction, int64, error) {
		l, err := c.Statistic.Deductions(bg, fuzzDate)
		return l, 0, err
	})
}

func FuzzLinkStats(f *testing.F) {
	fuzzSeeds(f, "track-link-stat.xml", "track-link-stat-empty.xml")
	fuzzList(f, "data", "link", func(c *Client) ([]LinkStat, int64, error) {
		l, err := c.Track.LinkStats(bg, TaskByID(362), 0)
		return l, 0, err
	})
}

func FuzzMaillistList(f *testing.F) {
	fuzzSeeds(f, "maillist-list.xml")
	fuzzList(f, "maillist", "item", func(c *Client) ([]Maillist, int64, error) {
		l, err := c.Maillist.List(bg)
		return l, 0, err
	})
}

func FuzzListAddresses(f *testing.F) {
	fuzzSeeds(f, "maillist-ml-addr-list.xml")
	fuzzList(f, "data", "addr", func(c *Client) ([]Address, int64, error) {
		p, err := c.Maillist.ListAddressesPage(bg, &AddressListOptions{Page: 1})
		if err != nil {
			return nil, 0, err
		}
		return p.Items, p.Total, nil
	})
}

func FuzzTaskList(f *testing.F) {
	fuzzSeeds(f, "task-task-list.xml", "task-task-list-id.xml", "task-task-list-listes.xml")
	fuzzTasks(f, func(c *Client) ([]Task, int64, error) {
		p, err := c.Task.ListPage(bg, nil)
		if err != nil {
			return nil, 0, err
		}
		return p.Items, p.Total, nil
	})
}

func FuzzTaskFindByDate(f *testing.F) {
	fuzzSeeds(f, "task-list-task.xml", "task-list-task-multi.xml")
	fuzzTasks(f, func(c *Client) ([]Task, int64, error) {
		l, err := c.Task.Find(bg, &TaskFindOptions{Date: fuzzDate})
		return l, 0, err
	})
}

func FuzzTemplateList(f *testing.F) {
	fuzzSeeds(f, "template-list-tpl.xml", "template-list-tpl-id.xml")
	fuzzList(f, "template_list", "template", func(c *Client) ([]Template, int64, error) {
		l, err := c.Template.List(bg)
		return l, 0, err
	})
}

func FuzzDomainList(f *testing.F) {
	fuzzSeeds(f, "domain-list.xml")
	fuzzList(f, "domain_list", "data", func(c *Client) ([]Domain, int64, error) {
		l, err := c.Domain.List(bg)
		return l, 0, err
	})
}

func FuzzDomainMailboxes(f *testing.F) {
	fuzzSeeds(f, "domain-mailbox-list.xml")
	fuzzList(f, "mailbox_list", "data", func(c *Client) ([]Mailbox, int64, error) {
		p, err := c.Domain.MailboxesPage(bg, nil)
		if err != nil {
			return nil, 0, err
		}
		return p.Items, p.Total, nil
	})
}

func FuzzOpens(f *testing.F) {
	fuzzSeeds(f, "track-open-detail.xml")
	fuzzStream(f, "data", "user", func(c *Client) iter.Seq2[OpenDetail, error] { return c.Track.Opens(bg, TaskByID(362)) })
}

func FuzzClicks(f *testing.F) {
	fuzzSeeds(f, "track-click-detail.xml")
	fuzzStream(f, "data", "click", func(c *Client) iter.Seq2[ClickDetail, error] {
		return c.Track.Clicks(bg, TaskByID(362), 0)
	})
}

// FuzzExecResult fuzzes the <result> parser of every write, answered with
// 200 or, when clientErr is set, 400 (an error <result> in a 4xx reply).
func FuzzExecResult(f *testing.F) {
	for _, name := range []string{"task-add-task.xml", "template-add-tpl.xml"} {
		f.Add(fuzzFixture(f, name), uint8(0), false)
	}
	for _, b := range [][]byte{
		result("success", "12"), result(" add_maillist_error ", "分类名称已存在"),
		[]byte("<result><status>success</status><id>x</id></result>"),
		[]byte("<result><data>ok</data></result>"), []byte("<customer/>"), nil,
	} {
		f.Add(b, uint8(0), false)
		f.Add(b, uint8(0), true)
	}
	f.Fuzz(func(t *testing.T, body []byte, ct uint8, clientErr bool) {
		ctype := fuzzContentType(ct)
		cr := &cannedReply{ctype: ctype, body: body}
		if clientErr {
			cr.status = http.StatusBadRequest
		}
		res, err := cannedClient(t, cr).Maillist.Delete(bg, 7)
		require.Equal(t, 1, cr.count(), "one request")
		if err != nil {
			require.Nil(t, res)
			var he *HTTPError
			if clientErr && errors.As(err, &he) {
				assert.Equal(t, http.StatusBadRequest, he.StatusCode)
				return
			}
			checkReplyError(t, err)
			return
		}
		require.False(t, clientErr, "a 400 reply is never a success")
		require.NotNil(t, res)
		gotRoot, ok := refDoc(body, ctype)
		require.Equal(t, "result", gotRoot)
		require.True(t, ok, "a nil error only for a well-formed reply")
	})
}

// looksXML is openExport's test for a reply that is XML, not text.
func looksXML(body []byte) bool {
	head := body[:min(len(body), 512)]
	return bytes.HasPrefix(bytes.TrimLeft(bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF}), " \t\r\n"), []byte("<"))
}

// refLines counts the non-blank lines of a text body, read as the client
// reads it; -1 when its charset is not supported.
func refLines(body []byte, ct string) int {
	in, _, err := charset.NewReader(bytes.NewReader(body), charset.FromContentType(ct))
	if err != nil {
		return -1
	}
	text, err := io.ReadAll(in)
	if err != nil {
		return -1
	}
	n := 0
	for _, line := range strings.Split(string(text), "\n") {
		if strings.TrimSpace(line) != "" {
			n++
		}
	}
	return n
}

// fuzzExport fuzzes a text export: XML replies are errors, and Rows yields
// one plausible row per non-blank line until a line it cannot read.
func fuzzExport[T any](f *testing.F, seeds []string, open func(c *Client) (*Export[T], error), check func(t *testing.T, row T)) {
	for _, name := range seeds {
		f.Add(fuzzFixture(f, name), uint8(0))
		f.Add(fuzzFixture(f, name), uint8(3))
	}
	for _, b := range [][]byte{nil, []byte("\r\n \r\n"), result("export_error", "无数据"), []byte("<html></html>"),
		[]byte("\tx@example.com\r\n"), []byte("x\ty\tz"), []byte("\xef\xbb\xbf<result/>")} {
		f.Add(b, uint8(0))
	}
	f.Fuzz(func(t *testing.T, body []byte, ct uint8) {
		ctype := fuzzContentType(ct)
		cr := &cannedReply{ctype: ctype, body: body}
		e, err := open(cannedClient(t, cr))
		require.Equal(t, 1, cr.count(), "one request")
		if err != nil {
			require.True(t, looksXML(body), "only an XML reply fails to open: %v", err)
			checkReplyError(t, err)
			return
		}
		require.False(t, looksXML(body), "an XML reply is not an export")
		rows := 0
		var rowErr error
		for row, err := range e.Rows() {
			if err != nil {
				rowErr = err
				_ = err.Error()
				break
			}
			var zero T
			require.NotEqual(t, fmt.Sprintf("%#v", zero), fmt.Sprintf("%#v", row), "a row is never the zero value")
			check(t, row)
			rows++
		}
		want := refLines(body, ctype)
		if rowErr == nil {
			assert.Equal(t, want, rows, "one row per non-blank line")
		} else {
			assert.Less(t, rows, max(want, 1), "an error stops before the last line")
		}
	})
}

func assertField(t *testing.T, s, what string) {
	t.Helper()
	assert.Equal(t, strings.TrimSpace(s), s, "%s is trimmed", what)
	assert.NotContains(t, s, "\t", what)
	assert.NotContains(t, s, "\n", what)
}

func FuzzExportSubscribers(f *testing.F) {
	fuzzExport(f, []string{"maillist-subscription-export.txt"},
		func(c *Client) (*Export[Subscriber], error) { return c.Maillist.ExportSubscribers(bg, 101) },
		func(t *testing.T, s Subscriber) {
			assert.NotEmpty(t, s.Email)
			assertField(t, s.Email, "address")
			assertField(t, s.Name, "name")
		})
}

func FuzzExportUnsubscribed(f *testing.F) {
	fuzzExport(f, []string{"maillist-unsubscribe-export.txt"},
		func(c *Client) (*Export[Unsubscription], error) { return c.Maillist.ExportUnsubscribed(bg, 101) },
		func(t *testing.T, u Unsubscription) {
			assert.NotEmpty(t, u.Email)
			assertField(t, u.Email, "address")
			if !u.Time.IsZero() {
				assert.Equal(t, china, u.Time.Location(), "times are in the client's zone")
			}
		})
}

// FuzzExportFailuresText fuzzes the document's text form of failexport.php,
// one address a line (out_type not sent).
func FuzzExportFailuresText(f *testing.F) {
	fuzzExport(f, []string{"statistic-failexport.txt"},
		func(c *Client) (*Export[FailedAddress], error) {
			return c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: fuzzDate, Type: FailureAll, Format: FormatText})
		},
		func(t *testing.T, row FailedAddress) {
			assert.NotEmpty(t, row.Email)
			assertField(t, row.Email, "address")
		})
}

// FuzzAddAddressesLine fuzzes the batch encoder of ml-addr-add: an address
// AddAddresses accepts reaches the server as a line that splits back on ";"
// into its fields; one it refuses is a *ValidationError and nothing is sent.
func FuzzAddAddressesLine(f *testing.F) {
	f.Add("lin.wei@example.com", "林伟", "M", "13800138000", "深圳", int64(504921600), "VIP|2024|||||||||")
	f.Add("chen@example.org", "", "", "", "", int64(0), "")
	f.Add("a@b", "x;y", "F", "", "", int64(0), "")
	f.Add("a@b", "", "X", "", "", int64(0), "")
	f.Add("no-at-sign", "", "", "", "", int64(0), "")
	f.Add("a@b", "", "", "", "", int64(-62135596800), "line\nbreak")
	f.Add("a@b", " padded ", "", "+86 755", "", int64(253402300800), "%41&b=c+d")
	f.Fuzz(func(t *testing.T, email, name, sex, phone, area string, birthday int64, vars string) {
		a := Address{Email: email, Name: name, Sex: Sex(sex), Phone: phone, Area: area}
		if birthday != 0 {
			a.Birthday = time.Unix(birthday, 0).UTC()
		}
		v := strings.SplitN(vars, "|", 10)
		v = append(v, make([]string, 10-len(v))...)
		a.Var1, a.Var2, a.Var3, a.Var4, a.Var5, a.Var6, a.Var7, a.Var8, a.Var9, a.Var10 =
			v[0], v[1], v[2], v[3], v[4], v[5], v[6], v[7], v[8], v[9]
		other := Address{Email: "other@example.com", Name: "其他"}

		cr := &cannedReply{body: result("success", "2")}
		rep, err := cannedClient(t, cr).Maillist.AddAddresses(bg, 7, slices.Values([]Address{a, other}), nil)
		require.NotNil(t, rep)
		if err != nil {
			var ve *ValidationError
			require.ErrorAs(t, err, &ve, "a refused address is a *ValidationError")
			assert.Contains(t, addrFieldNames[:], ve.Field)
			assert.Equal(t, 0, cr.count(), "nothing sent")
			assert.Zero(t, rep.Added)
			return
		}
		require.Equal(t, 1, cr.count(), "one batch")
		assert.Equal(t, 2, rep.Added)
		assert.Equal(t, url.Values{"do": {"ml-addr-add"}, "list_id": {"7"}, "addr_type": {"string"}}, cr.reqs[0].URL.Query())
		form, perr := url.ParseQuery(string(cr.bodies[0]))
		require.NoError(t, perr)
		lines := strings.Split(form.Get("ml_addr"), "\n")
		require.Len(t, lines, 2, "one line per address")
		want := a.fields()
		n := len(want)
		for n > 1 && want[n-1] == "" {
			n--
		}
		assert.Equal(t, want[:n], strings.Split(lines[0], ";"), "the line splits back into the fields")
		assert.Equal(t, "other@example.com;其他", lines[1])
	})
}
