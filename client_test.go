package bestedm

import (
	"bytes"
	"context"
	"crypto/md5"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// testHash is the lower-case hex MD5 of testPassword, computed here
// independently of HashPassword.
var testHash = func() string {
	sum := md5.Sum([]byte(testPassword))
	return hex.EncodeToString(sum[:])
}()

var testBasicToken = base64.StdEncoding.EncodeToString([]byte(testUser + ":" + testPassword))

// customerReply answers the customer-info call with the account fixture.
func customerReply(t *testing.T, mux *http.ServeMux, check func(r *http.Request)) {
	t.Helper()
	handle(t, mux, "account.php", fixture(t, "account-customer-info.xml"), check)
}

func TestNewClientDefaults(t *testing.T) {
	c, err := NewClient(testUser, testPassword)
	require.NoError(t, err)
	// The documented option defaults are pinned by value in
	// TestDocumentedDefaults (options_test.go).
	for name, svc := range map[string]any{
		"Account": c.Account, "Statistic": c.Statistic, "Task": c.Task, "Track": c.Track,
		"Maillist": c.Maillist, "Template": c.Template, "Domain": c.Domain,
	} {
		assert.NotNil(t, svc, name)
	}
	assert.Same(t, c, c.Domain.client)

	u := c.BaseURL()
	u.Path = "/changed/"
	assert.Equal(t, DefaultBaseURL, c.BaseURL().String(), "BaseURL returns a copy")
}

func TestDefaultUserAgentSent(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	customerReply(t, mux, func(r *http.Request) {
		assert.Equal(t, "bestedm-go/"+Version, r.Header.Get("User-Agent"))
		assert.Contains(t, r.Header.Get("Accept"), "xml")
	})
	_, err := c.Account.CustomerInfo(bg)
	require.NoError(t, err)
}

func TestWithUserAgent(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithUserAgent("acme-crm/2.1"))
	customerReply(t, mux, func(r *http.Request) {
		assert.Equal(t, "acme-crm/2.1", r.Header.Get("User-Agent"))
	})
	_, err := c.Account.CustomerInfo(bg)
	require.NoError(t, err)
}

func TestWithBaseURL(t *testing.T) {
	tests := map[string]string{
		"http://www.bestedm.org/mm-ms/apinew/":  "http://www.bestedm.org/mm-ms/apinew/",
		"http://www.bestedm.org/mm-ms/apinew":   "http://www.bestedm.org/mm-ms/apinew/",
		"http://www.bestedm.org/mm-ms/api":      "http://www.bestedm.org/mm-ms/api/",
		"https://api.bestedm.net/mm-ms/apinew/": "https://api.bestedm.net/mm-ms/apinew/",
		"https://www.bestedm.net/mm-ms/apinew":  "https://www.bestedm.net/mm-ms/apinew/",
		" http://10.0.0.5:8080/mm-ms/apinew/ ":  "http://10.0.0.5:8080/mm-ms/apinew/",
		"http://edm.example.cn":                 "http://edm.example.cn/",
	}
	for in, want := range tests {
		c, err := NewClient(testUser, testPassword, WithBaseURL(in))
		require.NoError(t, err, in)
		assert.Equal(t, want, c.BaseURL().String(), in)
	}
}

// The old /mm-ms/api/ path, given without its slash, on an HTTPS host.
func TestBaseURLOldPathOverHTTPS(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewTLSServer(mux)
	t.Cleanup(srv.Close)
	var path string
	body := fixture(t, "account-customer-info.xml")
	mux.HandleFunc("/mm-ms/api/account.php", func(w http.ResponseWriter, r *http.Request) {
		path = r.URL.Path
		testRequest(t, r, http.MethodGet, q("do", "customer-info"))
		_, _ = w.Write(body)
	})
	c, err := NewClient(testUser, testPassword, WithBaseURL(srv.URL+"/mm-ms/api"), WithHTTPClient(srv.Client()))
	require.NoError(t, err)
	got, err := c.Account.CustomerInfo(bg)
	require.NoError(t, err)
	assert.Equal(t, "/mm-ms/api/account.php", path)
	assert.Equal(t, int64(1024), got.ID)
}

func TestNewClientRejects(t *testing.T) {
	tests := []struct {
		name     string
		user     string
		password string
		opt      Option
		field    string
	}{
		{"empty username", " ", testPassword, nil, "username"},
		{"empty password", testUser, "", nil, "password"},
		{"ftp base URL", testUser, testPassword, WithBaseURL("ftp://www.bestedm.org/"), "WithBaseURL"},
		{"relative base URL", testUser, testPassword, WithBaseURL("/mm-ms/apinew/"), "WithBaseURL"},
		{"empty base URL", testUser, testPassword, WithBaseURL(""), "WithBaseURL"},
		{"no host", testUser, testPassword, WithBaseURL("http:///mm-ms/"), "WithBaseURL"},
		{"unparsable base URL", testUser, testPassword, WithBaseURL("http://[::1"), "WithBaseURL"},
		{"credentials in base URL", testUser, testPassword, WithBaseURL("http://demo:pw@www.bestedm.org/"), "WithBaseURL"},
		{"query in base URL", testUser, testPassword, WithBaseURL("http://www.bestedm.org/?x=1"), "WithBaseURL"},
		{"fragment in base URL", testUser, testPassword, WithBaseURL("http://www.bestedm.org/#x"), "WithBaseURL"},
		{"nil HTTP client", testUser, testPassword, WithHTTPClient(nil), "WithHTTPClient"},
		{"zero timeout", testUser, testPassword, WithTimeout(0), "WithTimeout"},
		{"negative timeout", testUser, testPassword, WithTimeout(-time.Second), "WithTimeout"},
		{"nil location", testUser, testPassword, WithLocation(nil), "WithLocation"},
		{"unknown auth mode", testUser, testPassword, WithAuthMode(AuthMode(9)), "WithAuthMode"},
		{"zero auth mode", testUser, testPassword, WithAuthMode(0), "WithAuthMode"},
		{"zero max reply", testUser, testPassword, WithMaxReplySize(0), "WithMaxReplySize"},
		{"negative retries", testUser, testPassword, WithRetry(RetryPolicy{MaxRetries: -1}), "WithRetry"},
		{"negative backoff", testUser, testPassword, WithRetry(RetryPolicy{MinBackoff: -1}), "WithRetry"},
		{"plain password as hash", testUser, testPassword, WithPasswordHash(), "password"},
		{"short hash", testUser, testHash[:31], WithPasswordHash(), "password"},
		{"non-hex hash", testUser, strings.Repeat("g", 32), WithPasswordHash(), "password"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.user, tt.password, tt.opt)
			assert.Nil(t, c)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assertValidationName(t, ve, tt.field)
			assert.ErrorIs(t, err, ErrValidation)
			assert.NotContains(t, err.Error(), testPassword)
			if tt.password != "" {
				assert.NotContains(t, err.Error(), tt.password)
			}
		})
	}
}

func TestBasicAfterHashRejected(t *testing.T) {
	_, err := NewClient(testUser, testHash, WithPasswordHash(), WithAuthMode(AuthBasic))
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assertValidationName(t, ve, "WithAuthMode")
}

func TestNilOptionIgnored(t *testing.T) {
	_, err := NewClient(testUser, testPassword, nil)
	assert.NoError(t, err)
}

func TestWithRetryDefaults(t *testing.T) {
	c, err := NewClient(testUser, testPassword, WithRetry(RetryPolicy{MaxRetries: 5, MinBackoff: 20 * time.Second}))
	require.NoError(t, err)
	assert.Equal(t, RetryPolicy{MaxRetries: 5, MinBackoff: 20 * time.Second, MaxBackoff: 20 * time.Second, MaxRetryAfter: 60 * time.Second}, c.retry)
}

// Basic mode (the default): an Authorization header, and no password in
// the URL in any form.
func TestAuthBasicSendsNoPasswordInURL(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	customerReply(t, mux, func(r *http.Request) {
		assert.Equal(t, "do=customer-info", r.URL.RawQuery)
		assert.Equal(t, "Basic "+testBasicToken, r.Header.Get("Authorization"))
	})
	_, err := c.Account.CustomerInfo(bg)
	require.NoError(t, err)
}

// Query mode: username and the lower-case hex MD5 first, as the document's
// URLs show, and no Authorization header.
func TestAuthQuerySendsUsernameAndMD5(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithAuthMode(AuthQuery))
	customerReply(t, mux, func(r *http.Request) {
		assert.Equal(t, "username=demo&password="+testHash+"&do=customer-info", r.URL.RawQuery)
		assert.Empty(t, r.Header.Get("Authorization"))
		assert.Equal(t, strings.ToLower(testHash), r.URL.Query().Get("password"))
	})
	_, err := c.Account.CustomerInfo(bg)
	require.NoError(t, err)
	assert.Equal(t, testHash, HashPassword(testPassword))
	assert.Equal(t, "098f6bcd4621d373cade4e832627b4f6", HashPassword("test"), "HashPassword is plain lower-case MD5 hex")
}

func TestAuthQueryEscapesUsername(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := NewClient("li&lei=x", testPassword, WithBaseURL(srv.URL+apiPath), WithAuthMode(AuthQuery))
	require.NoError(t, err)
	customerReply(t, mux, func(r *http.Request) {
		assert.Equal(t, "li&lei=x", r.URL.Query().Get("username"))
		assert.Equal(t, "customer-info", r.URL.Query().Get("do"))
	})
	_, err = c.Account.CustomerInfo(bg)
	require.NoError(t, err)
}

// WithPasswordHash takes the hash in any case and sends it lower-case in
// query mode.
func TestWithPasswordHash(t *testing.T) {
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := NewClient(testUser, " "+strings.ToUpper(testHash)+" ", WithBaseURL(srv.URL+apiPath), WithPasswordHash())
	require.NoError(t, err)
	assert.Equal(t, AuthQuery, c.creds.mode)
	customerReply(t, mux, func(r *http.Request) {
		assert.Equal(t, "username=demo&password="+testHash+"&do=customer-info", r.URL.RawQuery)
		assert.Empty(t, r.Header.Get("Authorization"))
	})
	_, err = c.Account.CustomerInfo(bg)
	require.NoError(t, err)

	// Applying it twice, or asking for query mode after it, is harmless.
	_, err = NewClient(testUser, testHash, WithPasswordHash(), WithPasswordHash(), WithAuthMode(AuthQuery))
	assert.NoError(t, err)
}

func TestWithLocationReadsTimesInZone(t *testing.T) {
	t.Parallel()
	utc5 := time.FixedZone("UTC+5", 5*3600)
	c, mux := setup(t, WithLocation(utc5))
	handle(t, mux, "account.php", fixture(t, "account-service-info.xml"), nil)
	got, err := c.Account.ServiceInfo(bg)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2012, 3, 2, 0, 0, 0, 0, utc5), got.BeginningDate)
	assert.Same(t, utc5, c.Location())
}

// fmt never shows a secret, whatever the verb, in either auth mode.
func TestClientFormattingHidesSecrets(t *testing.T) {
	basic, err := NewClient(testUser, testPassword)
	require.NoError(t, err)
	query, err := NewClient(testUser, testPassword, WithAuthMode(AuthQuery))
	require.NoError(t, err)
	for _, c := range []*Client{basic, query} {
		for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
			for _, v := range []any{c, *c, c.creds, *c.creds, c.Domain, c.Account} { //nolint:govet // copies on purpose
				out := fmt.Sprintf(verb, v)
				assertNoSecret(t, out, verb)
			}
		}
		assert.Contains(t, c.String(), "user: demo")
	}
}

// assertNoSecret fails if s holds the password, its hash, its Basic token
// or an escaped form of any.
func assertNoSecret(t *testing.T, s string, msgAndArgs ...any) {
	t.Helper()
	// Prefixes too: a snippet cut inside an echoed secret must not keep its start.
	for _, secret := range []string{testPassword, testHash, strings.ToUpper(testHash), testBasicToken, url.QueryEscape(testPassword), testHash[:8], testPassword[:6]} {
		assert.NotContains(t, s, secret, msgAndArgs...)
	}
}

func TestNilContext(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	failHandler(t, mux)
	//lint:ignore SA1012 the nil context is what is tested
	_, err := c.Account.CustomerInfo(nil) //nolint:staticcheck
	var ve *ValidationError
	require.ErrorAs(t, err, &ve)
	assertValidationName(t, ve, "ctx")
}

func TestRequestErrorCallNamesURL(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close() // nothing listens: every dial is refused
	c, err := NewClient(testUser, testPassword, WithBaseURL(srv.URL+apiPath), WithRetry(RetryPolicy{}))
	require.NoError(t, err)
	_, err = c.Account.CustomerInfo(bg)
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, "GET "+srv.URL+apiPath+"account.php?do=customer-info", re.Call)
	assert.Equal(t, 1, re.Attempts)
	assert.False(t, errors.Is(err, ErrUnexpectedReply))
	assert.True(t, isDialError(err))
}

// contextWith returns a context cancelled when the test ends.
func contextWith(t *testing.T) (context.Context, context.CancelFunc) {
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	return ctx, cancel
}

// Replies in GBK, GB2312 and GB18030, declared in the XML prolog or in the
// Content-Type header, and UTF-8 with a BOM, all decode to the same values.
func TestCharsetReplies(t *testing.T) {
	t.Parallel()
	want := Customer{ID: 1024, Username: "demo", Company: "深圳市福洽科技有限公司", Contact: "林先生", Address: "深圳市福田区科技园中路 3 号"}
	tests := []struct {
		file, contentType, addressSuffix string
	}{
		{"charset-gbk.xml", "text/xml", ""},
		{"charset-gbk.xml", "", ""},
		{"charset-gbk.xml", "text/xml; charset=GBK", ""}, // declared twice: decoded once
		{"charset-gb2312.xml", "text/xml", ""},
		{"charset-gb18030.xml", "application/xml", " 𠀀"},
		{"charset-header-gbk.xml", "text/xml; charset=GBK", ""},
		{"charset-header-gbk.xml", "text/xml; charset=gb2312", ""},
		{"charset-utf8-bom.xml", "text/xml", ""},
		{"charset-utf8-bom.xml", "text/xml; charset=GBK", ""}, // the BOM wins
	}
	for _, tt := range tests {
		t.Run(tt.file+" "+tt.contentType, func(t *testing.T) {
			c, mux := setup(t)
			body := fixture(t, tt.file)
			mux.HandleFunc(apiPath+"account.php", func(w http.ResponseWriter, r *http.Request) {
				w.Header()["Content-Type"] = []string{tt.contentType}
				_, _ = w.Write(body)
			})
			got, err := c.Account.CustomerInfo(bg)
			require.NoError(t, err)
			w := want
			w.Address += tt.addressSuffix
			assert.Equal(t, &w, got)
		})
	}
}

func TestCharsetFixturesAreNotUTF8(t *testing.T) {
	for _, f := range []string{"charset-gbk.xml", "charset-gb2312.xml", "charset-gb18030.xml", "charset-header-gbk.xml"} {
		assert.NotContains(t, string(fixture(t, f)), "深圳", f)
	}
	assert.True(t, strings.HasPrefix(string(fixture(t, "charset-utf8-bom.xml")), "\xEF\xBB\xBF<?xml"))
}

// redactionCase is one way for a call to fail.
type redactionCase struct {
	name    string
	opts    []Option
	handler http.HandlerFunc // nil: nothing listens at all
	ctx     func() context.Context
}

// echo writes back everything secret the request carried.
func echo(r *http.Request) string {
	return "query=" + r.URL.RawQuery + " auth=" + r.Header.Get("Authorization") +
		" plain=" + testPassword + " md5=" + testHash + " MD5=" + strings.ToUpper(testHash)
}

func redactionCases(otherHost string) []redactionCase {
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	return []redactionCase{
		{name: "http 500 echoing", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, echo(r), http.StatusInternalServerError)
		}},
		{name: "http 401", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, echo(r), http.StatusUnauthorized)
		}},
		{name: "html page echoing", handler: func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "<html><body>"+echo(r)+"</body></html>")
		}},
		{name: "php text echoing", handler: func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "Warning: "+echo(r))
		}},
		{name: "api error echoing", handler: func(w http.ResponseWriter, r *http.Request) {
			_, _ = w.Write(result("auth_error", echo(r)))
		}},
		{name: "bad value echoing the hash", handler: func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "<customer><id>"+testHash+"</id></customer>")
		}},
		{name: "bad value echoing the password", handler: func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "<customer><id>"+testPassword+"</id></customer>")
		}},
		{name: "truncated", handler: func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "<customer><company>"+echo(r))
		}},
		{name: "secret cut by the snippet", handler: func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "<html>"+strings.Repeat(".", snippetSize-6-10)+testHash+testPassword+"</html>")
		}},
		{name: "too large", opts: []Option{WithMaxReplySize(10)}, handler: func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "<customer><company>"+echo(r)+"</company></customer>")
		}},
		{name: "timeout", opts: []Option{WithTimeout(20 * time.Millisecond)}, handler: silent},
		{name: "connection refused"},
		{name: "redirect elsewhere", handler: func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, otherHost+"/?"+r.URL.RawQuery+"&echo="+url.QueryEscape(echo(r)), http.StatusFound)
		}},
		{name: "retried 503", opts: []Option{WithRetry(RetryPolicy{MaxRetries: 2})}, handler: func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, echo(r), http.StatusServiceUnavailable)
		}},
		{name: "cancelled", ctx: func() context.Context { return cancelled }, handler: func(w http.ResponseWriter, r *http.Request) {}},
	}
}

// Neither the password, nor its MD5, nor the Basic token appears in any
// error or debug log line, for every kind of failure, in both auth modes.
func TestRedactionEveryFailure(t *testing.T) {
	other := httptest.NewServer(http.NotFoundHandler())
	t.Cleanup(other.Close)
	for _, mode := range []AuthMode{AuthBasic, AuthQuery} {
		for _, tc := range redactionCases(other.URL) {
			t.Run(mode.String()+"/"+tc.name, func(t *testing.T) {
				var logs bytes.Buffer
				logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				srv := httptest.NewServer(tc.handler)
				if tc.handler == nil {
					srv.Close()
				} else {
					t.Cleanup(srv.Close)
				}
				opts := append([]Option{WithBaseURL(srv.URL + apiPath), WithRetry(RetryPolicy{}), WithAuthMode(mode), WithLogger(logger)}, tc.opts...)
				c, err := NewClient(testUser, testPassword, opts...)
				require.NoError(t, err)
				c.clock = &fakeClock{}
				ctx := bg
				if tc.ctx != nil {
					ctx = tc.ctx()
				}
				_, err = c.Account.CustomerInfo(ctx)
				require.Error(t, err)
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
					assertNoSecret(t, fmt.Sprintf(verb, err), verb)
				}
				assertNoSecret(t, logs.String(), "logs")
				if tc.ctx == nil {
					assert.Contains(t, logs.String(), "bestedm request", "the attempt was logged")
				}
				if mode == AuthQuery && !strings.Contains(tc.name, "cancelled") && !strings.Contains(tc.name, "refused") {
					assert.Contains(t, err.Error()+logs.String(), "password=REDACTED", "the URL is shown, redacted")
				}
			})
		}
	}
}

// Errors keep their types when their text is redacted.
func TestRedactionKeepsErrorChain(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	serve(t, mux, 200, "text/xml", []byte("<customer><id>"+testPassword+"</id></customer>"))
	_, err := c.Account.CustomerInfo(bg)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, err.Error(), `element <id>: cannot read "REDACTED"`)
	assert.ErrorIs(t, err, ErrUnexpectedReply)
}

// Request secrets (a mailbox password sent in a form body) are redacted
// from whatever the server echoes back, in every error kind.
func TestRedactionRequestSecrets(t *testing.T) {
	t.Parallel()
	const pwd = "Mb0x-Pässword"
	reqFor := func() *request {
		return &request{method: http.MethodPost, script: "bs.php", action: "mailbox-add",
			form: q("mailbox", "sales@example.com", "pwd", pwd), write: true, secrets: []string{pwd}}
	}
	bodies := map[string]func(w http.ResponseWriter, body string){
		"api error": func(w http.ResponseWriter, body string) {
			_, _ = w.Write(result("add_error "+body, "密码 "+body+" 不合法"))
		},
		"http 500": func(w http.ResponseWriter, body string) { http.Error(w, body, 500) },
		"html":     func(w http.ResponseWriter, body string) { _, _ = io.WriteString(w, "<html>"+body+"</html>") },
		"bad id": func(w http.ResponseWriter, body string) {
			_, _ = io.WriteString(w, "<result><status>success</status><id>"+pwd+"</id></result>")
		},
		"cut": func(w http.ResponseWriter, body string) {
			_, _ = io.WriteString(w, "<html>"+strings.Repeat(".", snippetSize-6-5)+pwd+"</html>")
		},
	}
	for name, reply := range bodies {
		t.Run(name, func(t *testing.T) {
			var logs bytes.Buffer
			c, mux := setup(t, WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
			mux.HandleFunc(apiPath+"bs.php", func(w http.ResponseWriter, r *http.Request) {
				assert.NoError(t, r.ParseForm())
				assert.Equal(t, pwd, r.PostForm.Get("pwd"))
				reply(w, "pwd="+r.PostForm.Get("pwd")+"&raw="+url.QueryEscape(pwd))
			})
			_, err := c.exec(bg, reqFor())
			require.Error(t, err)
			for _, verb := range []string{"%v", "%+v", "%#v"} {
				out := fmt.Sprintf(verb, err)
				assert.NotContains(t, out, pwd)
				assert.NotContains(t, out, url.QueryEscape(pwd))
				assert.NotContains(t, out, pwd[:5])
			}
			assert.NotContains(t, logs.String(), pwd)
			assert.NotContains(t, logs.String(), url.QueryEscape(pwd))
		})
	}
}

func TestRedactURL(t *testing.T) {
	c, err := NewClient(testUser, testPassword)
	require.NoError(t, err)
	u, _ := url.Parse("http://demo:pw@h/x.php?username=demo&password=" + testHash + "&do=mailbox-add&pwd=abc123")
	assert.Equal(t, "http://h/x.php?do=mailbox-add&password=REDACTED&pwd=REDACTED&username=demo", c.redactURL(u))
	u, _ = url.Parse("http://h/x.php?do=list")
	assert.Equal(t, "http://h/x.php?do=list", c.redactURL(u))
}

// A short password is not searched for as text (it would redact ordinary
// words), but its Basic token and hash always are.
func TestRedactionShortPassword(t *testing.T) {
	c, err := NewClient(testUser, "abc")
	require.NoError(t, err)
	token := base64.StdEncoding.EncodeToString([]byte(testUser + ":abc"))
	got := c.creds.redact("Basic " + token + " md5 " + HashPassword("abc") + " abcdef")
	assert.Equal(t, "Basic REDACTED md5 REDACTED abcdef", got)
}

// allServicesServer answers every call the concurrency test makes, by
// script and do=, with its fixture, and counts the requests.
func allServicesServer(t *testing.T, mux *http.ServeMux) *atomic.Int64 {
	t.Helper()
	replies := map[string][]byte{}
	for key, name := range map[string]string{
		"account.php customer-info":         "account-customer-info.xml",
		"account.php service-info":          "account-service-info.xml",
		"statistic.php ":                    "statistic-overview.xml",
		"stask.php ":                        "statistic-batches.xml",
		"deduction.php ":                    "statistic-deductions.xml",
		"failexport.php ":                   "statistic-failexport.txt",
		"track.php overview":                "track-overview.xml",
		"track.php open-detail":             "track-open-detail.xml",
		"track.php click-detail":            "track-click-detail.xml",
		"track.php link-stat":               "track-link-stat.xml",
		"trackexport.php ":                  "track-export.txt",
		"mloperate.php maillist-list":       "maillist-list.xml",
		"mloperate.php maillist-detail":     "maillist-detail.xml",
		"mloperate.php ml-addr-list":        "maillist-ml-addr-list.xml",
		"mloperate.php subscription-export": "maillist-subscription-export.txt",
		"task.php task-list":                "task-task-list.xml",
		"task.php list-task":                "task-list-task.xml",
		"task.php add-task":                 "task-add-task.xml",
		"template.php list-tpl":             "template-list-tpl.xml",
		"template.php add-tpl":              "template-add-tpl.xml",
		"bs.php domain-list":                "domain-list.xml",
		"bs.php mailbox-list":               "domain-mailbox-list.xml",
	} {
		replies[key] = fixture(t, name)
	}
	ok := result("success", "1")
	for _, key := range []string{"mloperate.php ml-addr-add", "mloperate.php maillist-del", "bs.php mailbox-add"} {
		replies[key] = ok
	}
	var count atomic.Int64
	mux.HandleFunc(apiPath, func(w http.ResponseWriter, r *http.Request) {
		count.Add(1)
		if user, pass, _ := r.BasicAuth(); user != testUser || pass != testPassword {
			http.Error(w, "bad credentials", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost {
			// Read uploads and forms whole, as PHP does before the script runs.
			if err := r.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		key := strings.TrimPrefix(r.URL.Path, apiPath) + " " + r.URL.Query().Get("do")
		body, found := replies[key]
		if !found {
			http.Error(w, "no reply for "+key, http.StatusNotFound)
			return
		}
		_, _ = w.Write(body)
	})
	return &count
}

// countRows ranges over an export's rows.
func countRows[T any](e *Export[T], err error) error {
	if err != nil {
		return err
	}
	n := 0
	for _, err := range e.Rows() {
		if err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("no rows")
	}
	return nil
}

// countSeq ranges over an iterator and requires at least one record.
func countSeq[T any](seq func(func(T, error) bool)) error {
	n := 0
	for _, err := range seq {
		if err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("no records")
	}
	return nil
}

// One Client is shared by 50 goroutines that each call every service;
// under -race this checks that nothing in a call writes shared state, and
// every call must succeed.
func TestConcurrentCallsEveryService(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	count := allServicesServer(t, mux)
	day := time.Date(2012, 3, 2, 0, 0, 0, 0, china)
	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Account.CustomerInfo", func(ctx context.Context) error { _, err := c.Account.CustomerInfo(ctx); return err }},
		{"Account.ServiceInfo", func(ctx context.Context) error { _, err := c.Account.ServiceInfo(ctx); return err }},
		{"Statistic.Overview", func(ctx context.Context) error { _, err := c.Statistic.Overview(ctx, day); return err }},
		{"Statistic.Batches", func(ctx context.Context) error {
			_, err := c.Statistic.Batches(ctx, &BatchListOptions{Date: day})
			return err
		}},
		{"Statistic.Deductions", func(ctx context.Context) error { _, err := c.Statistic.Deductions(ctx, day); return err }},
		{"Statistic.ExportFailed text", func(ctx context.Context) error {
			return countRows(c.Statistic.ExportFailed(ctx, &FailureExportOptions{Date: day, Type: FailureAll, Format: FormatText}))
		}},
		{"Track.Overview", func(ctx context.Context) error { _, err := c.Track.Overview(ctx, TaskByID(362)); return err }},
		{"Track.Opens", func(ctx context.Context) error { return countSeq(c.Track.Opens(ctx, TaskByID(362))) }},
		{"Track.Clicks", func(ctx context.Context) error { return countSeq(c.Track.Clicks(ctx, TaskByID(362), 0)) }},
		{"Track.LinkStats", func(ctx context.Context) error { _, err := c.Track.LinkStats(ctx, TaskByID(362), 0); return err }},
		{"Track.Export", func(ctx context.Context) error {
			return countRows(c.Track.Export(ctx, &TrackExportOptions{TrackID: 5120}))
		}},
		{"Maillist.List", func(ctx context.Context) error { _, err := c.Maillist.List(ctx); return err }},
		{"Maillist.Get", func(ctx context.Context) error { _, err := c.Maillist.Get(ctx, 101); return err }},
		{"Maillist.ListAddresses", func(ctx context.Context) error {
			_, err := c.Maillist.ListAddressesPage(ctx, &AddressListOptions{ListID: Ptr[int64](101)})
			return err
		}},
		{"Maillist.ExportSubscribers", func(ctx context.Context) error { return countRows(c.Maillist.ExportSubscribers(ctx, 101)) }},
		{"Maillist.AddAddresses", func(ctx context.Context) error {
			_, err := c.Maillist.AddAddresses(ctx, 101, slices.Values([]Address{{Email: "a@example.com"}, {Email: "b@example.com"}}), &AddressAddOptions{BatchSize: 1})
			return err
		}},
		{"Maillist.Delete", func(ctx context.Context) error { _, err := c.Maillist.Delete(ctx, 101); return err }},
		{"Task.List", func(ctx context.Context) error {
			_, err := c.Task.ListPage(ctx, &TaskListOptions{Page: 1, Limit: 30})
			return err
		}},
		{"Task.Find", func(ctx context.Context) error { _, err := c.Task.Find(ctx, &TaskFindOptions{Date: day}); return err }},
		{"Task.Create", func(ctx context.Context) error {
			_, err := c.Task.Create(ctx, &TaskParams{TemplateIDs: []int64{3}, SendAccount: "sales@example.com", MaillistID: 101, Time: day})
			return err
		}},
		{"Template.List", func(ctx context.Context) error { _, err := c.Template.List(ctx); return err }},
		{"Template.Create", func(ctx context.Context) error {
			_, err := c.Template.Create(ctx, &TemplateParams{Name: "n", Subjects: []string{"s"}, Content: "<p>c</p>",
				Attachments: []File{{Name: "a.txt", Content: bytes.NewReader([]byte("attachment"))}}})
			return err
		}},
		{"Domain.List", func(ctx context.Context) error { _, err := c.Domain.List(ctx); return err }},
		{"Domain.ForCustomer.Mailboxes", func(ctx context.Context) error {
			_, err := c.Domain.ForCustomer(1024).MailboxesPage(ctx, &MailboxListOptions{Page: 1})
			return err
		}},
		{"Domain.AddMailbox", func(ctx context.Context) error {
			_, err := c.Domain.AddMailbox(ctx, "sales@example.com", "mailbox-pw")
			return err
		}},
	}
	const goroutines = 50
	var wg sync.WaitGroup
	var ok atomic.Int64
	errs := make(chan error, goroutines*len(calls))
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			// Each goroutine starts at another call, so that every service
			// is in flight at the same time.
			for i := range calls {
				tc := calls[(g+i)%len(calls)]
				if err := tc.call(bg); err != nil {
					errs <- fmt.Errorf("goroutine %d: %s: %w", g, tc.name, err)
					continue
				}
				ok.Add(1)
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	require.Equal(t, int64(goroutines*len(calls)), ok.Load(), "every call succeeded")
	// AddAddresses sends one request per batch of one: two requests.
	assert.Equal(t, int64(goroutines*(len(calls)+1)), count.Load(), "requests")
}
