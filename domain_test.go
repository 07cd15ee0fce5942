package bestedm

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// domainMode is customer mode (client.Domain) or manager mode
// (client.Domain.ForCustomer(1024)), with the parameters the latter adds.
type domainMode struct {
	name  string
	svc   func(c *Client) *DomainService
	extra url.Values
}

var domainModes = []domainMode{
	{"customer", func(c *Client) *DomainService { return c.Domain }, url.Values{}},
	{"manager", func(c *Client) *DomainService { return c.Domain.ForCustomer(1024) }, q("user_type", "manager", "customer_id", "1024")},
}

// with returns base plus the mode's parameters.
func (m domainMode) with(base url.Values) url.Values {
	out := url.Values{}
	for k, v := range base {
		out[k] = v
	}
	for k, v := range m.extra {
		out[k] = v
	}
	return out
}

var wantMailboxes = []Mailbox{
	{CustomerID: 1024, Domain: "fuqia-tech.com", Name: "sales", Address: "sales@fuqia-tech.com"},
	{CustomerID: 1024, Domain: "fuqia-tech.com", Name: "newsletter", Address: "newsletter@fuqia-tech.com"},
	{CustomerID: 1024, Domain: "mail.fuqia-tech.cn", Name: "service", Address: "service@mail.fuqia-tech.cn"},
}

func TestDomainList(t *testing.T) {
	t.Parallel()
	for _, m := range domainModes {
		t.Run(m.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "bs.php", fixture(t, "domain-list.xml"), func(r *http.Request) {
				testRequest(t, r, http.MethodGet, m.with(q("do", "domain-list")))
			})
			got, err := m.svc(c).List(bg)
			require.NoError(t, err)
			assert.Equal(t, []Domain{
				{CustomerID: 0, Name: "edm.bestedm.org"},
				{CustomerID: 1024, Name: "fuqia-tech.com"},
				{CustomerID: 1024, Name: "mail.fuqia-tech.cn"},
			}, got)
			assert.True(t, got[0].IsSystem())
			assert.False(t, got[1].IsSystem())
		})
	}
}

func TestDomainListEmpty(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "bs.php", []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<domain_list>\r\n</domain_list>\r\n"), nil)
	got, err := c.Domain.List(bg)
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)
}

func TestDomainListAPIError(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "bs.php", result("permission_denied", "非管理员账号"), nil)
	_, err := c.Domain.ForCustomer(1024).List(bg)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, StatusPermissionDenied, ae.Status)
	assert.Equal(t, "非管理员账号", ae.Message)
}

// Manager mode with query-string auth: the administrator's username and
// hash first, then the call's parameters.
func TestDomainManagerModeQueryAuth(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithAuthMode(AuthQuery))
	handle(t, mux, "bs.php", fixture(t, "domain-list.xml"), func(r *http.Request) {
		assert.Equal(t, "username=demo&password="+testHash+"&customer_id=1024&do=domain-list&user_type=manager", r.URL.RawQuery)
		assert.Empty(t, r.Header.Get("Authorization"))
	})
	_, err := c.Domain.ForCustomer(1024).List(bg)
	require.NoError(t, err)
}

// ForCustomer returns a copy: the client's own service stays in customer mode.
func TestDomainForCustomerIsACopy(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	acme := c.Domain.ForCustomer(1024)
	other := acme.ForCustomer(2048)
	var queries []string
	handle(t, mux, "bs.php", fixture(t, "domain-list.xml"), func(r *http.Request) {
		queries = append(queries, r.URL.Query().Encode())
	})
	for _, s := range []*DomainService{c.Domain, acme, other} {
		_, err := s.List(bg)
		require.NoError(t, err)
	}
	assert.Equal(t, []string{
		"do=domain-list",
		"customer_id=1024&do=domain-list&user_type=manager",
		"customer_id=2048&do=domain-list&user_type=manager",
	}, queries)
	assert.Same(t, c, acme.client)
}

// A non-positive ForCustomer id fails every call, without a panic and
// without sending anything.
func TestDomainForCustomerInvalid(t *testing.T) {
	t.Parallel()
	for _, id := range []int64{0, -1} {
		c, mux := setup(t)
		failHandler(t, mux)
		s := c.Domain.ForCustomer(id)
		calls := map[string]func() error{
			"List":          func() error { _, err := s.List(bg); return err },
			"Add":           func() error { _, err := s.Add(bg, 1024, "example.com"); return err },
			"Delete":        func() error { _, err := s.Delete(bg, 1024, "example.com"); return err },
			"MailboxesPage": func() error { _, err := s.MailboxesPage(bg, nil); return err },
			"AddMailbox":    func() error { _, err := s.AddMailbox(bg, "a@example.com", "pw123456"); return err },
			"UpdateMailbox": func() error { _, err := s.UpdateMailbox(bg, "a@example.com", "pw123456"); return err },
			"DeleteMailbox": func() error { _, err := s.DeleteMailbox(bg, "a@example.com"); return err },
			"Mailboxes": func() error {
				for _, err := range s.Mailboxes(bg, nil) {
					return err
				}
				return nil
			},
		}
		for name, call := range calls {
			err := call()
			var ve *ValidationError
			require.ErrorAs(t, err, &ve, "%s with id %d", name, id)
			assert.Equal(t, "customer_id", ve.Field, name)
			assert.Contains(t, ve.Reason, fmt.Sprintf("got %d", id), name)
		}
	}
}

func TestDomainAddDelete(t *testing.T) {
	t.Parallel()
	calls := []struct {
		action string
		call   func(s *DomainService, ctx context.Context, id int64, domain string) (*Result, error)
	}{
		{"domain-add", (*DomainService).Add},
		{"domain-del", (*DomainService).Delete},
	}
	for _, call := range calls {
		for _, m := range domainModes {
			t.Run(call.action+"/"+m.name, func(t *testing.T) {
				c, mux := setup(t)
				handle(t, mux, "bs.php", result("success", "操作成功"), func(r *http.Request) {
					testRequest(t, r, http.MethodGet, m.with(q("do", call.action, "customer_id", "1024", "domain", "fuqia-tech.com")))
				})
				got, err := call.call(m.svc(c), bg, 1024, "fuqia-tech.com")
				require.NoError(t, err)
				assert.Equal(t, &Result{Message: "操作成功"}, got)
			})
		}
		t.Run(call.action+"/api error", func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "bs.php", result("domain_exist", "域名已存在"), nil)
			_, err := call.call(c.Domain, bg, 1024, "fuqia-tech.com")
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, Status("domain_exist"), ae.Status)
			assert.ErrorIs(t, err, ErrAPI)
		})
		t.Run(call.action+"/not retried", func(t *testing.T) {
			c, mux := setup(t, WithRetry(RetryPolicy{MaxRetries: 3}))
			c.clock = &fakeClock{}
			var n atomic.Int32
			mux.HandleFunc(apiPath+"bs.php", func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				http.Error(w, "busy", http.StatusServiceUnavailable)
			})
			_, err := call.call(c.Domain, bg, 1024, "fuqia-tech.com")
			assert.ErrorIs(t, err, ErrUnexpectedReply)
			assert.Equal(t, int32(1), n.Load(), "a write is sent once")
		})
	}
}

func TestDomainAddDeleteValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		svc    func(c *Client) *DomainService
		id     int64
		domain string
		field  string
	}{
		{"zero customer", nil, 0, "example.com", "customer_id"},
		{"negative customer", nil, -5, "example.com", "customer_id"},
		{"other customer than ForCustomer", func(c *Client) *DomainService { return c.Domain.ForCustomer(7) }, 8, "example.com", "customer_id"},
		{"empty domain", nil, 1, "", "domain"},
		{"single label", nil, 1, "localhost", "domain"},
		{"space", nil, 1, "example .com", "domain"},
		{"padded", nil, 1, " example.com", "domain"},
		{"empty label", nil, 1, "example..com", "domain"},
		{"trailing dot", nil, 1, "example.com.", "domain"},
		{"leading hyphen", nil, 1, "-example.com", "domain"},
		{"trailing hyphen", nil, 1, "example-.com", "domain"},
		{"underscore", nil, 1, "ex_ample.com", "domain"},
		{"address", nil, 1, "sales@example.com", "domain"},
		{"url", nil, 1, "http://example.com", "domain"},
		{"long label", nil, 1, strings.Repeat("a", 64) + ".com", "domain"},
		{"too long", nil, 1, strings.Repeat("abcdefghi.", 26) + "com", "domain"},
	}
	for _, tt := range tests {
		for _, call := range []func(s *DomainService, ctx context.Context, id int64, domain string) (*Result, error){(*DomainService).Add, (*DomainService).Delete} {
			t.Run(tt.name, func(t *testing.T) {
				c, mux := setup(t)
				failHandler(t, mux)
				s := c.Domain
				if tt.svc != nil {
					s = tt.svc(c)
				}
				_, err := call(s, bg, tt.id, tt.domain)
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assertValidationName(t, ve, tt.field)
			})
		}
	}
}

func TestCheckHostnameAccepts(t *testing.T) {
	for _, d := range []string{"example.com", "mail.fuqia-tech.cn", "a.b", "xn--fiqs8s.cn", "中国.cn", "edm123.example.com", "EXAMPLE.COM"} {
		assert.NoError(t, checkHostname("domain", d), d)
	}
}

func TestDomainMailboxes(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  *MailboxListOptions
		query url.Values
	}{
		{"nil options", nil, q("do", "mailbox-list")},
		{"empty options", &MailboxListOptions{}, q("do", "mailbox-list")},
		{"one domain", &MailboxListOptions{Domain: "fuqia-tech.com"}, q("do", "mailbox-list", "domain", "fuqia-tech.com")},
		{"a page", &MailboxListOptions{Domain: "fuqia-tech.com", Page: 2, Limit: 50}, q("do", "mailbox-list", "domain", "fuqia-tech.com", "page", "2", "limit", "50")},
	}
	for _, m := range domainModes {
		for _, tt := range tests {
			t.Run(m.name+"/"+tt.name, func(t *testing.T) {
				c, mux := setup(t)
				handle(t, mux, "bs.php", fixture(t, "domain-mailbox-list.xml"), func(r *http.Request) {
					testRequest(t, r, http.MethodGet, m.with(tt.query))
				})
				var before MailboxListOptions
				if tt.opts != nil {
					before = *tt.opts
				}
				got, err := m.svc(c).MailboxesPage(bg, tt.opts)
				require.NoError(t, err)
				assert.Equal(t, &Page[Mailbox]{Items: wantMailboxes}, got)
				if tt.opts != nil {
					assert.Equal(t, before, *tt.opts, "options not modified")
				}
			})
		}
	}
}

func TestDomainMailboxesTotalAndEmpty(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "bs.php", []byte("<mailbox_list>\r\n<total_num>42</total_num>\r\n</mailbox_list>"), nil)
	got, err := c.Domain.MailboxesPage(bg, &MailboxListOptions{Page: 9, Limit: 5})
	require.NoError(t, err)
	assert.Equal(t, &Page[Mailbox]{Items: []Mailbox{}, Total: 42, TotalKnown: true}, got)
}

func TestDomainMailboxesValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  *MailboxListOptions
		field string
	}{
		{"negative page", &MailboxListOptions{Page: -1}, "page"},
		{"negative limit", &MailboxListOptions{Page: 1, Limit: -30}, "limit"},
		{"bad domain", &MailboxListOptions{Domain: "not a domain"}, "domain"},
		{"address as domain", &MailboxListOptions{Domain: "a@example.com"}, "domain"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			failHandler(t, mux)
			_, err := c.Domain.MailboxesPage(bg, tt.opts)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assertValidationName(t, ve, tt.field)
			if tt.field == "page" {
				return // Mailboxes ignores Page
			}

			var iterErr error
			n := 0
			for _, err := range c.Domain.Mailboxes(bg, tt.opts) {
				iterErr = err
				n++
			}
			assert.Equal(t, 1, n, "one error, nothing else")
			require.ErrorAs(t, iterErr, &ve)
			assertValidationName(t, ve, tt.field)
		})
	}
}

func TestDomainMailboxesAPIError(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "bs.php", result("domain_not_exist", "域名不存在"), nil)
	_, err := c.Domain.MailboxesPage(bg, &MailboxListOptions{Domain: "nope.example"})
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, Status("domain_not_exist"), ae.Status)
}

// mailboxPager serves all as pages of the requested limit, recording the
// queries it was sent; failPage (if not 0) answers an API error instead.
func mailboxPager(t *testing.T, mux *http.ServeMux, all []Mailbox, failPage int) *[]url.Values {
	t.Helper()
	var seen []url.Values
	mux.HandleFunc(apiPath+"bs.php", func(w http.ResponseWriter, r *http.Request) {
		seen = append(seen, r.URL.Query())
		page, _ := strconv.Atoi(r.URL.Query().Get("page"))
		limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
		if page == failPage {
			_, _ = w.Write(result("system_busy", "系统繁忙"))
			return
		}
		var b strings.Builder
		b.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<mailbox_list>\r\n")
		for i := (page - 1) * limit; i < page*limit && i < len(all); i++ {
			mb := all[i]
			fmt.Fprintf(&b, "<data><customer_id>%d</customer_id><domain><![CDATA[%s]]></domain><name><![CDATA[%s]]></name><mailbox><![CDATA[%s]]></mailbox></data>\r\n",
				mb.CustomerID, mb.Domain, mb.Name, mb.Address)
		}
		b.WriteString("</mailbox_list>\r\n")
		_, _ = w.Write([]byte(b.String()))
	})
	return &seen
}

func manyMailboxes(n int) []Mailbox {
	out := make([]Mailbox, n)
	for i := range out {
		name := fmt.Sprintf("user%02d", i+1)
		out[i] = Mailbox{CustomerID: 1024, Domain: "fuqia-tech.com", Name: name, Address: name + "@fuqia-tech.com"}
	}
	return out
}

func TestDomainMailboxesIter(t *testing.T) {
	t.Parallel()
	for _, m := range domainModes {
		t.Run(m.name, func(t *testing.T) {
			c, mux := setup(t)
			all := manyMailboxes(5)
			seen := mailboxPager(t, mux, all, 0)
			opts := &MailboxListOptions{Domain: "fuqia-tech.com", Page: 1, Limit: 2}
			got, err := collect(t, m.svc(c).Mailboxes(bg, opts))
			require.NoError(t, err)
			assert.Equal(t, all, got)
			assert.Equal(t, []url.Values{
				m.with(q("do", "mailbox-list", "domain", "fuqia-tech.com", "page", "1", "limit", "2")),
				m.with(q("do", "mailbox-list", "domain", "fuqia-tech.com", "page", "2", "limit", "2")),
				m.with(q("do", "mailbox-list", "domain", "fuqia-tech.com", "page", "3", "limit", "2")),
			}, *seen, "page 3 is short: the last")
			assert.Equal(t, &MailboxListOptions{Domain: "fuqia-tech.com", Page: 1, Limit: 2}, opts, "options not modified")
		})
	}
}

// A full last page needs one more request, answered empty.
func TestDomainMailboxesIterDefaultLimitAndExactPages(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	all := manyMailboxes(60)
	seen := mailboxPager(t, mux, all, 0)
	got, err := collect(t, c.Domain.Mailboxes(bg, nil))
	require.NoError(t, err)
	assert.Equal(t, all, got)
	require.Len(t, *seen, 3)
	for i, v := range *seen {
		assert.Equal(t, q("do", "mailbox-list", "page", strconv.Itoa(i+1), "limit", "30"), v)
	}
}

func TestDomainMailboxesIterEarlyBreak(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	seen := mailboxPager(t, mux, manyMailboxes(10), 0)
	var got []Mailbox
	for mb, err := range c.Domain.Mailboxes(bg, &MailboxListOptions{Limit: 3}) {
		require.NoError(t, err)
		got = append(got, mb)
		if len(got) == 4 {
			break
		}
	}
	assert.Len(t, got, 4)
	assert.Len(t, *seen, 2, "no page fetched after the break")
}

func TestDomainMailboxesIterErrorMidStream(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	all := manyMailboxes(10)
	mailboxPager(t, mux, all, 2)
	var got []Mailbox
	var errs []error
	for mb, err := range c.Domain.Mailboxes(bg, &MailboxListOptions{Limit: 3}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		got = append(got, mb)
	}
	assert.Equal(t, all[:3], got)
	require.Len(t, errs, 1, "the error ends the sequence")
	var ae *APIError
	require.ErrorAs(t, errs[0], &ae)
	assert.Equal(t, Status("system_busy"), ae.Status)
}

func TestDomainMailboxesIterCancelled(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mailboxPager(t, mux, manyMailboxes(10), 0)
	ctx, cancel := contextWith(t)
	n := 0
	var last error
	for _, err := range c.Domain.Mailboxes(ctx, &MailboxListOptions{Limit: 3}) {
		n++
		last = err
		cancel()
	}
	assert.ErrorIs(t, last, context.Canceled)
	assert.Equal(t, 2, n, "one mailbox, then the context's error: not the rest of page 1")
}

const mailboxPassword = "Xy9-pässwörd&=?"

func TestDomainMailboxWrites(t *testing.T) {
	t.Parallel()
	calls := []struct {
		action string
		call   func(s *DomainService) (*Result, error)
	}{
		{"mailbox-add", func(s *DomainService) (*Result, error) {
			return s.AddMailbox(bg, "sales@fuqia-tech.com", mailboxPassword)
		}},
		{"mailbox-edit", func(s *DomainService) (*Result, error) {
			return s.UpdateMailbox(bg, "sales@fuqia-tech.com", mailboxPassword)
		}},
	}
	for _, call := range calls {
		for _, m := range domainModes {
			t.Run(call.action+"/"+m.name, func(t *testing.T) {
				c, mux := setup(t)
				handle(t, mux, "bs.php", result("success", "操作成功"), func(r *http.Request) {
					testRequest(t, r, http.MethodPost, m.with(q("do", call.action)))
					testForm(t, r, q("mailbox", "sales@fuqia-tech.com", "pwd", mailboxPassword))
					assert.NotContains(t, r.URL.RawQuery, "pwd")
				})
				got, err := call.call(m.svc(c))
				require.NoError(t, err)
				assert.Equal(t, &Result{Message: "操作成功"}, got)
			})
		}
		// In query mode the credentials ride in the URL, the password
		// of the mailbox still does not.
		t.Run(call.action+"/query auth", func(t *testing.T) {
			c, mux := setup(t, WithAuthMode(AuthQuery))
			handle(t, mux, "bs.php", result("success", "ok"), func(r *http.Request) {
				assert.Equal(t, "username=demo&password="+testHash+"&do="+call.action, r.URL.RawQuery)
				assert.NoError(t, r.ParseForm())
				assert.Equal(t, mailboxPassword, r.PostForm.Get("pwd"))
			})
			_, err := call.call(c.Domain)
			require.NoError(t, err)
		})
		// The server's error may echo the password: it is redacted.
		t.Run(call.action+"/api error", func(t *testing.T) {
			c, mux := setup(t)
			mux.HandleFunc(apiPath+"bs.php", func(w http.ResponseWriter, r *http.Request) {
				assert.NoError(t, r.ParseForm())
				_, _ = w.Write(result("mailbox_exist", "账号已存在 pwd="+r.PostForm.Get("pwd")))
			})
			_, err := call.call(c.Domain)
			var ae *APIError
			require.ErrorAs(t, err, &ae)
			assert.Equal(t, Status("mailbox_exist"), ae.Status)
			assert.Equal(t, "账号已存在 pwd=REDACTED", ae.Message)
			for _, verb := range []string{"%v", "%+v", "%#v"} {
				assert.NotContains(t, fmt.Sprintf(verb, err), mailboxPassword)
			}
		})
		t.Run(call.action+"/http error", func(t *testing.T) {
			c, mux := setup(t)
			mux.HandleFunc(apiPath+"bs.php", func(w http.ResponseWriter, r *http.Request) {
				b := make([]byte, 512)
				n, _ := r.Body.Read(b)
				http.Error(w, "bad request: "+string(b[:n]), http.StatusBadRequest)
			})
			_, err := call.call(c.Domain)
			var he *HTTPError
			require.ErrorAs(t, err, &he)
			assert.NotContains(t, err.Error(), mailboxPassword)
			assert.NotContains(t, err.Error(), url.QueryEscape(mailboxPassword))
		})
	}
}

func TestDomainMailboxWritesValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, mailbox, password, field string
	}{
		{"empty mailbox", "", "pw123456", "mailbox"},
		{"no at sign", "sales", "pw123456", "mailbox"},
		{"no domain", "sales@", "pw123456", "mailbox"},
		{"space", "sa les@example.com", "pw123456", "mailbox"},
		{"two addresses", "a@example.com,b@example.com", "pw123456", "mailbox"},
		{"empty password", "sales@example.com", "", "pwd"},
		{"blank password", "sales@example.com", " \t ", "pwd"},
	}
	type write func(s *DomainService, ctx context.Context, mailbox, password string) (*Result, error)
	for _, call := range []write{(*DomainService).AddMailbox, (*DomainService).UpdateMailbox} {
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				c, mux := setup(t)
				failHandler(t, mux)
				_, err := call(c.Domain, bg, tt.mailbox, tt.password)
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assertValidationName(t, ve, tt.field)
			})
		}
		// Arguments swapped by mistake: the error must not quote the password.
		t.Run("swapped", func(t *testing.T) {
			c, mux := setup(t)
			failHandler(t, mux)
			for _, pw := range []string{"secret pass 1", "sécret\"quote\t"} {
				_, err := call(c.Domain, bg, pw, "sales@example.com")
				var ve *ValidationError
				require.ErrorAs(t, err, &ve)
				assert.Equal(t, "mailbox", ve.Field)
				_, err = call(c.Domain, bg, pw, pw)
				require.ErrorAs(t, err, &ve)
				assert.NotContains(t, err.Error(), pw)
				assert.NotContains(t, err.Error(), strings.Trim(fmt.Sprintf("%q", pw), `"`))
			}
		})
	}
}

func TestDomainDeleteMailbox(t *testing.T) {
	t.Parallel()
	for _, m := range domainModes {
		t.Run(m.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "bs.php", result("success", "删除成功"), func(r *http.Request) {
				testRequest(t, r, http.MethodGet, m.with(q("do", "mailbox-del", "mailbox", "sales@fuqia-tech.com")))
			})
			got, err := m.svc(c).DeleteMailbox(bg, "sales@fuqia-tech.com")
			require.NoError(t, err)
			assert.Equal(t, &Result{Message: "删除成功"}, got)
		})
	}
	t.Run("api error", func(t *testing.T) {
		c, mux := setup(t)
		handle(t, mux, "bs.php", result("mailbox_not_exist", "账号不存在"), nil)
		_, err := c.Domain.DeleteMailbox(bg, "nobody@fuqia-tech.com")
		var ae *APIError
		require.ErrorAs(t, err, &ae)
		assert.Equal(t, Status("mailbox_not_exist"), ae.Status)
	})
	for _, bad := range []string{"", "sales", "@example.com", "a b@example.com"} {
		t.Run("invalid "+bad, func(t *testing.T) {
			c, mux := setup(t)
			failHandler(t, mux)
			_, err := c.Domain.DeleteMailbox(bg, bad)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "mailbox", ve.Field)
		})
	}
}
