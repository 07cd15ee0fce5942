package bestedm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaillistList(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", fixture(t, "maillist-list.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "maillist-list"))
	})
	got, err := c.Maillist.List(bg)
	require.NoError(t, err)
	assert.Equal(t, []Maillist{
		{ID: 101, Name: "2024 春季会员", Description: "春季促销 & 老客户", Count: 12850, Status: MaillistEnabled, InputStatus: "finished"},
		{ID: 102, Name: "Newsletter", Status: MaillistDisabled},
	}, got)
}

func TestMaillistListEmpty(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<maillist>\r\n</maillist>\r\n"), nil)
	got, err := c.Maillist.List(bg)
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)
}

func TestMaillistGet(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", fixture(t, "maillist-detail.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "maillist-detail", "id", "101"))
	})
	got, err := c.Maillist.Get(bg, 101)
	require.NoError(t, err)
	assert.Equal(t, &Maillist{ID: 101, Name: "2024 春季会员", Description: "春季促销 & 老客户", Count: 12850, Status: MaillistEnabled}, got)
}

func TestMaillistGetNotFound(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<maillist>\r\n</maillist>\r\n"), nil)
	_, err := c.Maillist.Get(bg, 7)
	require.ErrorIs(t, err, ErrNotFound)
	assert.Contains(t, err.Error(), "maillist 7")
}

func TestMaillistCreate(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var calls []string
	mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
		calls = append(calls, r.Method+" "+r.URL.Query().Get("do"))
		if r.URL.Query().Get("do") == "maillist-list" {
			testRequest(t, r, http.MethodGet, q("do", "maillist-list"))
			_, _ = w.Write([]byte("<maillist><item><id>7</id><subject>春季会员</subject></item><item><id>9</id><subject><![CDATA[春季会员 & VIP]]></subject></item></maillist>"))
			return
		}
		testRequest(t, r, http.MethodPost, q("do", "maillist-add"))
		testForm(t, r, q("subject", "春季会员 & VIP", "status", "enabled", "description", "第一行\n第二行"))
		_, _ = w.Write(result("success", "添加联系人分类成功"))
	})
	p := &MaillistParams{Name: "春季会员 & VIP", Status: MaillistEnabled, Description: "第一行\n第二行"}
	got, err := c.Maillist.Create(bg, p)
	require.NoError(t, err)
	// The document's reply has no id: the list is found by its subject.
	assert.Equal(t, &Result{Message: "添加联系人分类成功", ID: 9}, got)
	assert.Equal(t, []string{"POST maillist-add", "GET maillist-list"}, calls)
}

// A list is enabled unless said otherwise: the status the document
// requires is sent even when the caller leaves it out, and the caller's
// struct is not changed.
func TestMaillistCreateDefaultsToEnabled(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", []byte("<result><status>success</status><id>12</id></result>"), func(r *http.Request) {
		testRequest(t, r, http.MethodPost, q("do", "maillist-add"))
		testForm(t, r, q("subject", "News", "status", "enabled"))
	})
	p := &MaillistParams{Name: "News"}
	got, err := c.Maillist.Create(bg, p)
	require.NoError(t, err)
	assert.Equal(t, int64(12), got.ID)
	assert.Equal(t, MaillistParams{Name: "News"}, *p)
}

func TestMaillistCreateOnlyRequired(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	// A reply with an id is taken as is: no look-up follows.
	handle(t, mux, "mloperate.php", []byte("<result><status>success</status><id>12</id><data></data></result>"), func(r *http.Request) {
		testRequest(t, r, http.MethodPost, q("do", "maillist-add"))
		testForm(t, r, q("subject", "News", "status", "disabled"))
	})
	got, err := c.Maillist.Create(bg, &MaillistParams{Name: "News", Status: MaillistDisabled})
	require.NoError(t, err)
	assert.Equal(t, int64(12), got.ID)
}

func TestMaillistUpdate(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", result("success", "修改联系人分类成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodPost, q("do", "maillist-edit", "id", "101"))
		testForm(t, r, q("status", "disabled"))
	})
	got, err := c.Maillist.Update(bg, 101, &MaillistParams{Status: MaillistDisabled})
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "修改联系人分类成功"}, got)
}

func TestMaillistDelete(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", result("success", "删除联系人分类成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "maillist-del", "id", "101"))
	})
	got, err := c.Maillist.Delete(bg, 101)
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "删除联系人分类成功"}, got)
}

func TestMaillistExportSubscribers(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	body := fixture(t, "maillist-subscription-export.txt")
	handleText(t, mux, "mloperate.php", body, func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "subscription-export", "id", "101"))
	})
	exp, err := c.Maillist.ExportSubscribers(bg, 101)
	require.NoError(t, err)
	assert.Equal(t, "text/plain; charset=utf-8", exp.ContentType())
	var got []Subscriber
	for row, err := range exp.Rows() {
		require.NoError(t, err)
		got = append(got, row)
	}
	assert.Equal(t, []Subscriber{
		{Email: "lin.wei@example.com", Name: "林伟"},
		{Email: "chen@example.org"},
		{Email: "solo@example.net"},
	}, got)

	// Read gives the bytes exactly as sent.
	exp, err = c.Maillist.ExportSubscribers(bg, 101)
	require.NoError(t, err)
	raw, err := io.ReadAll(exp)
	require.NoError(t, err)
	require.NoError(t, exp.Close())
	assert.Equal(t, body, raw)
}

func TestMaillistExportUnsubscribed(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handleText(t, mux, "mloperate.php", fixture(t, "maillist-unsubscribe-export.txt"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "unsubscribe-export", "id", "101"))
	})
	exp, err := c.Maillist.ExportUnsubscribed(bg, 101)
	require.NoError(t, err)
	var got []Unsubscription
	for row, err := range exp.Rows() {
		require.NoError(t, err)
		got = append(got, row)
	}
	assert.Equal(t, []Unsubscription{
		{Time: time.Date(2024, 3, 2, 12, 30, 5, 0, china), Email: "lin.wei@example.com"},
		{Email: "old@example.com"},
		{Time: time.Date(2024, 3, 5, 8, 1, 0, 0, china), Email: "chen@example.org"},
	}, got)
}

func TestMaillistExportUnsubscribedMalformed(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct{ body, want string }{
		"one field":  {"2024-03-02 12:30:05\ta@example.com\r\nb@example.com\r\n", "line 2: want \"time<TAB>address\", got 1 field(s)"},
		"bad time":   {"yesterday\ta@example.com\r\n", "line 1: cannot read time \"yesterday\""},
		"no address": {"2024-03-02 12:30:05\t \r\n", "line 1: want \"time<TAB>address\""},
	} {
		t.Run(name, func(t *testing.T) {
			c, mux := setup(t)
			handleText(t, mux, "mloperate.php", []byte(tc.body), nil)
			exp, err := c.Maillist.ExportUnsubscribed(bg, 3)
			require.NoError(t, err)
			var rowErr error
			n := 0
			for _, err := range exp.Rows() {
				if err != nil {
					rowErr = err
					break
				}
				n++
			}
			require.Error(t, rowErr)
			assert.Contains(t, rowErr.Error(), tc.want)
		})
	}
}

func TestMaillistExportEarlyBreak(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handleText(t, mux, "mloperate.php", fixture(t, "maillist-subscription-export.txt"), nil)
	exp, err := c.Maillist.ExportSubscribers(bg, 101)
	require.NoError(t, err)
	n := 0
	for _, err := range exp.Rows() {
		require.NoError(t, err)
		n++
		break
	}
	assert.Equal(t, 1, n)
	assert.NoError(t, exp.Close(), "Close after Rows is safe")
}

func TestMaillistExportAPIError(t *testing.T) {
	t.Parallel()
	body := append([]byte("\xEF\xBB\xBF"), result("maillist_not_exist", "联系人分类不存在")...)
	for name, call := range map[string]func(c *Client) error{
		"subscribers":  func(c *Client) error { _, err := c.Maillist.ExportSubscribers(bg, 9); return err },
		"unsubscribed": func(c *Client) error { _, err := c.Maillist.ExportUnsubscribed(bg, 9); return err },
	} {
		t.Run(name, func(t *testing.T) {
			c, mux := setup(t)
			handleText(t, mux, "mloperate.php", body, nil)
			err := call(c)
			wantAPIError(t, err, "maillist_not_exist")
			assert.Contains(t, err.Error(), "联系人分类不存在")
		})
	}
}

func TestMaillistSubscribeOne(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", result("success", "订阅成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "ml-sub", "list_id", "101", "address", "lin.wei@example.com", "name", "林伟"))
	})
	got, err := c.Maillist.Subscribe(bg, 101, Subscriber{Email: "lin.wei@example.com", Name: "林伟"})
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "订阅成功"}, got)
}

func TestMaillistSubscribeOneWithoutName(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", result("success", ""), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "ml-sub", "list_id", "101", "address", "a+b@example.com"))
	})
	_, err := c.Maillist.Subscribe(bg, 101, Subscriber{Email: "a+b@example.com"})
	require.NoError(t, err)
}

func TestMaillistSubscribeMany(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", result("success", "订阅成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodPost, q("do", "ml-sub", "list_id", "101"))
		testForm(t, r, q("maillist", "lin.wei@example.com\t林伟\nchen@example.org\tchen\nx&y@example.net\tMr X"))
	})
	got, err := c.Maillist.Subscribe(bg, 101,
		Subscriber{Email: "lin.wei@example.com", Name: "林伟"},
		Subscriber{Email: "chen@example.org"},
		Subscriber{Email: "x&y@example.net", Name: "Mr X"})
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "订阅成功"}, got)
}

func TestMaillistUnsubscribeOne(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", result("success", "退订成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "ml-unsub", "list_id", "101", "address", "lin.wei@example.com"))
	})
	got, err := c.Maillist.Unsubscribe(bg, 101, "lin.wei@example.com")
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "退订成功"}, got)
}

func TestMaillistUnsubscribeMany(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", result("success", "退订成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodPost, q("do", "ml-unsub", "list_id", "101"))
		testForm(t, r, q("address", "lin.wei@example.com\nchen@example.org"))
	})
	_, err := c.Maillist.Unsubscribe(bg, 101, "lin.wei@example.com", "chen@example.org")
	require.NoError(t, err)
}

func TestMaillistValidation(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	failHandler(t, mux)
	ok := &MaillistParams{Name: "News", Status: MaillistEnabled}
	sub := Subscriber{Email: "a@example.com"}
	for _, tc := range []struct {
		name, field string
		call        func() error
	}{
		{"get zero id", "id", func() error { _, err := c.Maillist.Get(bg, 0); return err }},
		{"get negative id", "id", func() error { _, err := c.Maillist.Get(bg, -1); return err }},
		{"create nil", "subject", func() error { _, err := c.Maillist.Create(bg, nil); return err }},
		{"create blank subject", "subject", func() error {
			_, err := c.Maillist.Create(bg, &MaillistParams{Name: " ", Status: MaillistEnabled})
			return err
		}},
		{"create bad status", "status", func() error {
			_, err := c.Maillist.Create(bg, &MaillistParams{Name: "x", Status: "on"})
			return err
		}},
		{"update zero id", "id", func() error { _, err := c.Maillist.Update(bg, 0, ok); return err }},
		{"update nil", "MaillistParams", func() error { _, err := c.Maillist.Update(bg, 1, nil); return err }},
		{"update nothing", "MaillistParams", func() error { _, err := c.Maillist.Update(bg, 1, &MaillistParams{}); return err }},
		{"update blank subject", "subject", func() error { _, err := c.Maillist.Update(bg, 1, &MaillistParams{Name: "\t"}); return err }},
		{"update bad status", "status", func() error {
			_, err := c.Maillist.Update(bg, 1, &MaillistParams{Status: "Enabled"})
			return err
		}},
		{"delete zero id", "id", func() error { _, err := c.Maillist.Delete(bg, 0); return err }},
		{"export subscribers zero id", "id", func() error { _, err := c.Maillist.ExportSubscribers(bg, 0); return err }},
		{"export unsubscribed zero id", "id", func() error { _, err := c.Maillist.ExportUnsubscribed(bg, 0); return err }},
		{"subscribe zero list", "list_id", func() error { _, err := c.Maillist.Subscribe(bg, 0, sub); return err }},
		{"subscribe nobody", "address", func() error { _, err := c.Maillist.Subscribe(bg, 1); return err }},
		{"subscribe bad email", "address", func() error {
			_, err := c.Maillist.Subscribe(bg, 1, Subscriber{Email: "not-an-address"})
			return err
		}},
		{"subscribe email with comma", "address", func() error {
			_, err := c.Maillist.Subscribe(bg, 1, sub, Subscriber{Email: "a,b@example.com"})
			return err
		}},
		{"subscribe name with tab", "name", func() error {
			_, err := c.Maillist.Subscribe(bg, 1, sub, Subscriber{Email: "b@example.com", Name: "B\tC"})
			return err
		}},
		{"subscribe several, a name with comma", "name", func() error {
			_, err := c.Maillist.Subscribe(bg, 1, sub, Subscriber{Email: "b@example.com", Name: "Doe, J"})
			return err
		}},
		{"subscribe name with semicolon", "name", func() error {
			_, err := c.Maillist.Subscribe(bg, 1, sub, Subscriber{Email: "b@example.com", Name: "a;b"})
			return err
		}},
		{"subscribe name with newline", "name", func() error {
			_, err := c.Maillist.Subscribe(bg, 1, sub, Subscriber{Email: "b@example.com", Name: "a\r\nb"})
			return err
		}},
		{"unsubscribe zero list", "list_id", func() error { _, err := c.Maillist.Unsubscribe(bg, 0, "a@example.com"); return err }},
		{"unsubscribe nobody", "address", func() error { _, err := c.Maillist.Unsubscribe(bg, 1); return err }},
		{"unsubscribe bad email", "address", func() error {
			_, err := c.Maillist.Unsubscribe(bg, 1, "a@example.com", "b@example.com\nc@example.com")
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantValidation(t, err, tc.field)
			assert.ErrorIs(t, err, ErrValidation)
		})
	}
}

func TestMaillistAPIErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status Status
		call   func(c *Client) error
	}{
		{"list", StatusAuthError, func(c *Client) error { _, err := c.Maillist.List(bg); return err }},
		{"get", "maillist_not_exist", func(c *Client) error { _, err := c.Maillist.Get(bg, 5); return err }},
		{"create", StatusAddMaillistError, func(c *Client) error {
			_, err := c.Maillist.Create(bg, &MaillistParams{Name: "x", Status: MaillistEnabled})
			return err
		}},
		{"update", StatusUpdateDescribeError, func(c *Client) error {
			_, err := c.Maillist.Update(bg, 5, &MaillistParams{Description: "d"})
			return err
		}},
		{"delete", StatusDeleteMaillistError, func(c *Client) error { _, err := c.Maillist.Delete(bg, 5); return err }},
		{"subscribe one", "sub_error", func(c *Client) error {
			_, err := c.Maillist.Subscribe(bg, 5, Subscriber{Email: "a@example.com"})
			return err
		}},
		{"subscribe many", "sub_error", func(c *Client) error {
			_, err := c.Maillist.Subscribe(bg, 5, Subscriber{Email: "a@example.com"}, Subscriber{Email: "b@example.com"})
			return err
		}},
		{"unsubscribe one", "unsub_error", func(c *Client) error { _, err := c.Maillist.Unsubscribe(bg, 5, "a@example.com"); return err }},
		{"unsubscribe many", "unsub_error", func(c *Client) error {
			_, err := c.Maillist.Unsubscribe(bg, 5, "a@example.com", "b@example.com")
			return err
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "mloperate.php", result(string(tc.status), "出错了"), nil)
			err := tc.call(c)
			wantAPIError(t, err, tc.status)
			assert.ErrorIs(t, err, ErrAPI)
		})
	}
}

// Writes must not be retried on a server error: the API has no
// idempotency key, so a retried add could add twice. Reads are retried.
func TestMaillistWritesNotRetried(t *testing.T) {
	t.Parallel()
	sub := Subscriber{Email: "a@example.com"}
	for _, tc := range []struct {
		name  string
		write bool
		call  func(c *Client) error
	}{
		{"list", false, func(c *Client) error { _, err := c.Maillist.List(bg); return err }},
		{"list addresses", false, func(c *Client) error { _, err := c.Maillist.ListAddressesPage(bg, nil); return err }},
		{"create", true, func(c *Client) error {
			_, err := c.Maillist.Create(bg, &MaillistParams{Name: "x", Status: MaillistEnabled})
			return err
		}},
		{"update", true, func(c *Client) error { _, err := c.Maillist.Update(bg, 1, &MaillistParams{Name: "x"}); return err }},
		{"delete", true, func(c *Client) error { _, err := c.Maillist.Delete(bg, 1); return err }},
		{"subscribe one", true, func(c *Client) error { _, err := c.Maillist.Subscribe(bg, 1, sub); return err }},
		{"subscribe many", true, func(c *Client) error { _, err := c.Maillist.Subscribe(bg, 1, sub, sub); return err }},
		{"unsubscribe one", true, func(c *Client) error { _, err := c.Maillist.Unsubscribe(bg, 1, sub.Email); return err }},
		{"unsubscribe many", true, func(c *Client) error {
			_, err := c.Maillist.Unsubscribe(bg, 1, sub.Email, sub.Email)
			return err
		}},
		{"add address", true, func(c *Client) error { _, err := c.Maillist.AddAddress(bg, 1, Address{Email: sub.Email}); return err }},
		{"add addresses", true, func(c *Client) error {
			_, err := c.Maillist.AddAddresses(bg, 1, func(yield func(Address) bool) { yield(Address{Email: sub.Email}) }, nil)
			return err
		}},
		{"import file", true, func(c *Client) error {
			_, err := c.Maillist.ImportFile(bg, 1, File{Name: "a.txt", Content: bytes.NewReader([]byte("a@example.com"))})
			return err
		}},
		{"update address", true, func(c *Client) error { _, err := c.Maillist.UpdateAddress(bg, 1, Address{Name: "x"}); return err }},
		{"delete address", true, func(c *Client) error { _, err := c.Maillist.DeleteAddress(bg, 1); return err }},
		{"empty", true, func(c *Client) error { _, err := c.Maillist.Empty(bg, 1); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t, WithRetry(RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: time.Millisecond}))
			var n atomic.Int32
			mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				_, _ = io.Copy(io.Discard, r.Body)
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			err := tc.call(c)
			var he *HTTPError
			require.True(t, errors.As(err, &he), "want *HTTPError, got %v", err)
			want := int32(3)
			if tc.write {
				want = 1
			}
			assert.Equal(t, want, n.Load(), "requests")
		})
	}
}

// One subscriber's name travels in its own name parameter, so a comma or
// a semicolon in it is sent as written and kept by the server; with
// several subscribers, which share one batch body, they are refused before
// anything is sent.
func TestSubscribeNameSeparators(t *testing.T) {
	var mu sync.Mutex
	var sent []url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		sent = append(sent, r.Form)
		mu.Unlock()
		_, _ = io.WriteString(w, "<result><status>success</status><data>成功订阅 1 个地址</data></result>")
	}))
	defer srv.Close()
	c, err := NewClient("user", "pw", WithBaseURL(srv.URL+"/mm-ms/apinew/"))
	require.NoError(t, err)
	ctx := context.Background()

	for _, name := range []string{"Li, Lei", "Li; Lei", "李雷, VIP; 2024"} {
		_, err := c.Maillist.Subscribe(ctx, 5, Subscriber{Email: "li.lei@example.com", Name: name})
		require.NoError(t, err, name)
	}
	require.Len(t, sent, 3)
	for i, name := range []string{"Li, Lei", "Li; Lei", "李雷, VIP; 2024"} {
		assert.Equal(t, []string{name}, sent[i]["name"], "sent in its own parameter")
		assert.Equal(t, []string{"li.lei@example.com"}, sent[i]["address"])
		assert.Empty(t, sent[i]["maillist"])
	}

	two := func(name string) []Subscriber {
		return []Subscriber{{Email: "a@example.com", Name: name}, {Email: "b@example.com", Name: "B"}}
	}
	for _, name := range []string{"Li, Lei", "Li; Lei"} {
		_, err := c.Maillist.Subscribe(ctx, 5, two(name)...)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve, name)
		assert.Equal(t, "name", ve.Field)
	}
	for _, name := range []string{"Li\tLei", "Li\nLei"} {
		_, err := c.Maillist.Subscribe(ctx, 5, Subscriber{Email: "a@example.com", Name: name})
		assert.ErrorIs(t, err, ErrValidation, "a tab or line break is refused even alone: %q", name)
	}
	assert.Len(t, sent, 3, "nothing sent for a refused call")

	_, err = c.Maillist.Subscribe(ctx, 5, two("Han Meimei")...)
	require.NoError(t, err)
	require.Len(t, sent, 4)
	assert.Equal(t, []string{"a@example.com\tHan Meimei\nb@example.com\tB"}, sent[3]["maillist"])
}

// When the look-up after an id-less maillist-add fails, the caller still
// learns that the list was created: the Result comes back with the error.
func TestMaillistCreateLookupFails(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name     string
		list     []byte
		wantErr  error
		wantCall int32
	}{
		{"no list has the subject", []byte("<maillist><item><id>7</id><subject>Other</subject></item></maillist>"), ErrNotFound, 2},
		{"list call fails", result("auth_error", "x"), ErrAPI, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			var n atomic.Int32
			mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				if r.URL.Query().Get("do") == "maillist-list" {
					_, _ = w.Write(tc.list)
					return
				}
				_, _ = w.Write(result("success", "添加联系人分类成功"))
			})
			got, err := c.Maillist.Create(bg, &MaillistParams{Name: "News", Status: MaillistEnabled})
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.wantErr), "err %v", err)
			assert.Contains(t, err.Error(), `maillist "News" was created`)
			require.NotNil(t, got)
			assert.Equal(t, &Result{Message: "添加联系人分类成功"}, got)
			assert.Equal(t, tc.wantCall, n.Load())
		})
	}
}

// The document's sample reply spells <brithday>, its parameter list
// birthday: both fill Address.Birthday.
func TestAddressBirthdayBothSpellings(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", []byte("<data><total_num>2</total_num>"+
		"<addr><id>1</id><address>a@example.com</address><brithday>1986-08-15</brithday></addr>"+
		"<addr><id>2</id><address>b@example.com</address><birthday>1988-04-08</birthday></addr></data>"), nil)
	p, err := c.Maillist.ListAddressesPage(bg, nil)
	require.NoError(t, err)
	require.Len(t, p.Items, 2)
	assert.Equal(t, "1986-08-15", p.Items[0].Birthday.Format(time.DateOnly))
	assert.Equal(t, "1988-04-08", p.Items[1].Birthday.Format(time.DateOnly))
}

// A list name production would store but not give back (a control
// character, invalid UTF-8, an endless name) is refused before anything is
// sent: created, it made maillist-list unreadable for the whole account.
func TestMaillistNameRefused(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ name, want string }{
		{"Promo \x1b[1mBOLD", `control character '\x1b'`},
		{"a\x07b", `control character '\a'`},
		{"caf\xe9", "not valid UTF-8"},
		{strings.Repeat("名", MaxListNameBytes/3+1), "longer than"},
	} {
		c, mux := setup(t)
		var n atomic.Int32
		mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) { n.Add(1) })
		_, err := c.Maillist.Create(bg, &MaillistParams{Name: tc.name})
		var ve *ValidationError
		require.True(t, errors.As(err, &ve), "%q: %v", tc.name, err)
		assert.Equal(t, "subject", ve.Field)
		assert.Contains(t, ve.Reason, tc.want)
		_, err = c.Maillist.Update(bg, 7, &MaillistParams{Name: tc.name})
		assert.ErrorIs(t, err, ErrValidation)
		assert.Zero(t, n.Load(), "nothing sent")
	}
	c, _ := setup(t)
	_, err := c.Maillist.Create(bg, &MaillistParams{Name: strings.Repeat("名", MaxListNameBytes/3)})
	assert.NotErrorIs(t, err, ErrValidation, "the longest name passes the check")
}

// AddAddress sends fields as parameters, where ";" is fine, but a control
// character is refused there too.
func TestAddAddressRefusesControlCharacters(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var n atomic.Int32
	mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) { n.Add(1) })
	_, err := c.Maillist.AddAddress(bg, 3, Address{Email: "a@example.com", Name: "a\x01b"})
	var ve *ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	assert.Equal(t, "fullname", ve.Field)
	_, err = c.Maillist.UpdateAddress(bg, 3, Address{Var1: "caf\xe9"})
	assert.ErrorIs(t, err, ErrValidation)
	assert.Zero(t, n.Load())
}
