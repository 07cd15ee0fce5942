package bestedm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestErrorMessages(t *testing.T) {
	tests := []struct {
		err  error
		want string
	}{
		{&ValidationError{Field: "list_id", Reason: "must be a positive id, got 0"}, "bestedm: invalid list_id: must be a positive id, got 0"},
		{&ValidationError{Arg: "WithTimeout", Reason: "must be positive"}, "bestedm: invalid WithTimeout: must be positive"},
		{&NotFoundError{Call: "GET x", Kind: "task", ID: "7"}, "bestedm: GET x: task 7 not found"},
		{&NotFoundError{Call: "GET x", Kind: "task", ID: "7", Err: &APIError{Status: "not_found", Call: "GET x"}}, "bestedm: GET x: task 7 not found"},
		{&APIError{Status: "add_maillist_error", Message: "分类名称已存在", Call: "GET http://h/mloperate.php?do=maillist-add"},
			"bestedm: GET http://h/mloperate.php?do=maillist-add: add_maillist_error: 分类名称已存在"},
		{&APIError{Status: "error", Call: "GET x"}, "bestedm: GET x: error"},
		{&HTTPError{StatusCode: 503, ContentType: "text/html", Snippet: "busy", Call: "GET x", Attempts: 3},
			`bestedm: GET x: HTTP 503 Service Unavailable (text/html): "busy" (after 3 attempts)`},
		{&HTTPError{StatusCode: 404, Call: "GET x", Attempts: 1}, "bestedm: GET x: HTTP 404 Not Found"},
		{&DecodeError{Call: "GET x", Expected: "<customer>", ContentType: "text/html", Snippet: "<html>", Err: errors.New("got root element <html>")},
			`bestedm: GET x: expected <customer>: got root element <html>; content type text/html; body starts "<html>"`},
		{&DecodeError{Call: "GET x", Expected: "<result>", Err: errors.New("empty body")}, `bestedm: GET x: expected <result>: empty body; body starts ""`},
		{&RequestError{Call: "GET x", Attempts: 3, Err: errors.New("connection refused")}, "bestedm: GET x (after 3 attempts): connection refused"},
		{&RequestError{Call: "GET x", Attempts: 1, Err: errors.New("connection refused")}, "bestedm: GET x: connection refused"},
	}
	for _, tt := range tests {
		assert.Equal(t, tt.want, tt.err.Error())
	}
}

func TestErrorIs(t *testing.T) {
	api := &APIError{Status: "add_maillist_error"}
	assert.ErrorIs(t, api, ErrAPI)
	assert.ErrorIs(t, api, &APIError{Status: "add_maillist_error"})
	assert.NotErrorIs(t, api, &APIError{Status: "other"})
	assert.NotErrorIs(t, api, ErrUnexpectedReply)
	assert.ErrorIs(t, fmt.Errorf("wrapped: %w", api), &APIError{Status: "add_maillist_error"})

	assert.ErrorIs(t, &ValidationError{}, ErrValidation)
	assert.NotErrorIs(t, &ValidationError{}, ErrAPI)

	assert.NotErrorIs(t, api, ErrNotFound)
	nfAPI := &APIError{Status: "not_found"}
	assert.ErrorIs(t, nfAPI, ErrNotFound)
	assert.ErrorIs(t, nfAPI, ErrAPI)
	assert.ErrorIs(t, &NotFoundError{}, ErrNotFound)
	assert.NotErrorIs(t, &NotFoundError{}, ErrAPI, "an empty reply is no *APIError")
	assert.ErrorIs(t, &NotFoundError{Err: nfAPI}, ErrAPI, "unwraps to the server's *APIError")

	for code, sentinels := range map[int][]error{
		401: {ErrUnauthorized, ErrUnexpectedReply},
		403: {ErrUnauthorized, ErrUnexpectedReply},
		429: {ErrRateLimited, ErrUnexpectedReply},
		500: {ErrUnexpectedReply},
	} {
		he := &HTTPError{StatusCode: code}
		for _, s := range []error{ErrUnauthorized, ErrRateLimited, ErrUnexpectedReply} {
			want := false
			for _, w := range sentinels {
				want = want || w == s
			}
			assert.Equal(t, want, errors.Is(he, s), "%d %v", code, s)
		}
	}

	cause := errors.New("cause")
	de := &DecodeError{Err: cause}
	assert.ErrorIs(t, de, ErrUnexpectedReply)
	assert.ErrorIs(t, de, cause)
	assert.ErrorIs(t, &RequestError{Err: context.Canceled}, context.Canceled)
	assert.NotErrorIs(t, &RequestError{Err: context.Canceled}, ErrUnexpectedReply)
}

// serve answers every request under apiPath with status, content type and body.
func serve(t *testing.T, mux *http.ServeMux, status int, contentType string, body []byte, header ...string) {
	t.Helper()
	mux.HandleFunc(apiPath, func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		if contentType != "" {
			w.Header().Set("Content-Type", contentType)
		}
		w.WriteHeader(status)
		_, _ = w.Write(body)
	})
}

func TestHTTPStatusErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name       string
		status     int
		ct         string
		body       string
		header     []string
		sentinel   error
		retryAfter time.Duration
	}{
		{"server error", 500, "text/html; charset=utf-8", "<html><body>Internal Server Error</body></html>", nil, nil, 0},
		{"unauthorized", 401, "text/plain", "Unauthorized", []string{"WWW-Authenticate", `Basic realm="api"`}, ErrUnauthorized, 0},
		{"forbidden", 403, "text/html", "Forbidden", nil, ErrUnauthorized, 0},
		{"rate limited", 429, "text/plain", "slow down", []string{"Retry-After", "7"}, ErrRateLimited, 7 * time.Second},
		{"not found", 404, "text/html", "<h1>404</h1>", nil, nil, 0},
		{"unavailable with date", 503, "", "", []string{"Retry-After", "Wed, 21 Oct 2015 07:28:00 GMT"}, nil, 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			serve(t, mux, tt.status, tt.ct, []byte(tt.body), tt.header...)
			_, err := c.Account.CustomerInfo(bg)
			var he *HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, tt.status, he.StatusCode)
			if tt.ct != "" {
				assert.Equal(t, tt.ct, he.ContentType)
			}
			assert.Equal(t, tt.body, he.Snippet)
			assert.Equal(t, tt.retryAfter, he.RetryAfter)
			assert.Equal(t, 1, he.Attempts)
			assert.Contains(t, he.Call, "GET http://127.0.0.1:")
			assert.Contains(t, he.Call, apiPath+"account.php?do=customer-info")
			assert.ErrorIs(t, err, ErrUnexpectedReply)
			if tt.sentinel != nil {
				assert.ErrorIs(t, err, tt.sentinel)
			}
			assert.NotErrorIs(t, err, ErrAPI)
		})
	}
}

func TestHTTPErrorSnippetIsCut(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	serve(t, mux, 502, "text/html", bytes.Repeat([]byte("错"), 200))
	_, err := c.Account.CustomerInfo(bg)
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.LessOrEqual(t, len(he.Snippet), snippetSize+3)
	assert.True(t, strings.HasPrefix(he.Snippet, "错错"))
	assert.True(t, strings.HasSuffix(he.Snippet, "\uFFFD"), "a rune cut in half is replaced, not kept as bad UTF-8")
}

func TestParseRetryAfter(t *testing.T) {
	now := time.Date(2015, 10, 21, 7, 28, 0, 0, time.UTC)
	tests := map[string]time.Duration{
		"":                              0,
		"0":                             0,
		"12":                            12 * time.Second,
		" 3 ":                           3 * time.Second,
		"-5":                            0,
		"soon":                          0,
		"Wed, 21 Oct 2015 07:28:30 GMT": 30 * time.Second,
		"Wed, 21 Oct 2015 07:27:00 GMT": 0,
	}
	for in, want := range tests {
		assert.Equal(t, want, parseRetryAfter(in, now), in)
	}
}

// Every 2xx reply that is not the expected XML is a *DecodeError that says
// what was expected and what came.
func TestDecodeErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, ct, body, msg string
		expected            string // DecodeError.Expected, when not <customer>
	}{
		{"empty body", "text/xml", "", "empty reply", ""},
		{"whitespace body", "text/xml", " \r\n", "empty reply", ""},
		{"html page", "text/html; charset=utf-8", "<!DOCTYPE html>\r\n<html><head><title>维护中</title></head><body>稍后再试</body></html>", "got root element <html>", ""},
		{"php error text", "text/html", "Fatal error: Call to undefined function mysql_connect()", "text before the root element", ""},
		{"truncated", "text/xml", "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<customer>\r\n<id>1024</id>\r\n<company><![CDATA[深圳", "unexpected EOF", ""},
		{"truncated in prolog", "text/xml", "<?xml version=\"1.0\"", "unexpected EOF", ""},
		{"wrong root", "text/xml", "<?xml version=\"1.0\"?><service><id>1</id></service>", "got root element <service>", ""},
		{"success result instead of data", "text/xml", string(result("success", "ok")), `got a "success" <result> instead`, ""},
		{"result without status", "text/xml", "<result><data>x</data></result>", "no <status>", "<result>"},
		{"bad number", "text/xml", "<customer>\r\n<id>10x24</id>\r\n</customer>", "element <id>: cannot read \"10x24\": not an integer", ""},
		{"unsupported charset", "text/xml; charset=x-klingon", "<customer/>", `unsupported charset "x-klingon"`, "XML"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			serve(t, mux, 200, tt.ct, []byte(tt.body))
			got, err := c.Account.CustomerInfo(bg)
			assert.Nil(t, got)
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			if tt.expected == "" {
				tt.expected = "<customer>"
			}
			assert.Equal(t, tt.expected, de.Expected)
			assert.Equal(t, tt.ct, de.ContentType)
			assert.Equal(t, tt.body[:min(len(tt.body), snippetSize)], de.Snippet)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Contains(t, de.Call, "account.php?do=customer-info")
			assert.ErrorIs(t, err, ErrUnexpectedReply)
			assert.NotErrorIs(t, err, ErrAPI)
		})
	}
}

func TestDecodeErrorBadTimeNamesElement(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	serve(t, mux, 200, "text/xml", []byte("<service>\r\n<id>1</id>\r\n<beginning_date>2012-02-30</beginning_date>\r\n</service>"))
	_, err := c.Account.ServiceInfo(bg)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Equal(t, "<service>", de.Expected)
	assert.Contains(t, err.Error(), `element <beginning_date>: cannot read "2012-02-30": not a time`)
}

// A <result> error where data was expected is the server's error reply.
func TestAPIErrorWhereDataExpected(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	serve(t, mux, 200, "text/xml", result(" auth_error ", "用户名或密码错误"))
	_, err := c.Account.CustomerInfo(bg)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, StatusAuthError, ae.Status)
	assert.Equal(t, "用户名或密码错误", ae.Message)
	assert.Equal(t, 200, ae.HTTPStatus)
	assert.Contains(t, ae.Call, "account.php?do=customer-info")
	assert.ErrorIs(t, err, ErrAPI)
	assert.ErrorIs(t, err, &APIError{Status: "auth_error"})
	assert.NotErrorIs(t, err, ErrUnexpectedReply)
}

// exec: the <result> shapes of write calls.
func TestExecResults(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		body string
		want *Result
	}{
		{"message", string(result("success", "添加成功")), &Result{Message: "添加成功"}},
		{"numeric data is not an id", string(result("success", " 4711 ")), &Result{Message: "4711"}},
		{"id element", "<result><status>success</status><id>99</id><data>添加群发任务成功!</data></result>", &Result{Message: "添加群发任务成功!", ID: 99}},
		{"status padded, no data", "<result>\r\n<status>\r\n success \r\n</status>\r\n</result>", &Result{}},
		{"extra elements", "<result><status>success</status><count>3</count><data>ok</data></result>", &Result{Message: "ok"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			serve(t, mux, 200, "text/xml", []byte(tt.body))
			got, err := c.exec(bg, get("mloperate.php", "ml-addr-del", q("id", "1")))
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestExecErrors(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		status     Status // APIError status expected, or "" for a DecodeError
		msg        string
	}{
		{"api error", string(result("delete_address_error", "删除失败")), "delete_address_error", ""},
		{"api error without data", "<result><status>error</status></result>", "error", ""},
		{"not a result", "<maillist><id>1</id></maillist>", "", "got root element <maillist>"},
		{"no status", "<result><data>x</data></result>", "", "no <status>"},
		{"bad id", "<result><status>success</status><id>x1</id></result>", "", `element <id>: cannot read "x1": not an integer`},
		{"empty", "", "", "empty reply"},
		{"truncated", "<result><status>succ", "", "unexpected EOF"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			serve(t, mux, 200, "text/xml", []byte(tt.body))
			got, err := c.exec(bg, get("mloperate.php", "ml-addr-del", q("id", "1")))
			assert.Nil(t, got)
			if tt.status != "" {
				var ae *APIError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, tt.status, ae.Status)
				return
			}
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Equal(t, "<result>", de.Expected)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestReplyTooLarge(t *testing.T) {
	t.Parallel()
	body := fixture(t, "account-customer-info.xml")
	c, mux := setup(t, WithMaxReplySize(int64(len(body))))
	serve(t, mux, 200, "text/xml", body)
	_, err := c.Account.CustomerInfo(bg)
	require.NoError(t, err, "a reply of exactly the limit is fine")

	limit := int64(len(body) / 2)
	c, mux = setup(t, WithMaxReplySize(limit))
	serve(t, mux, 200, "text/xml", body)
	_, err = c.Account.CustomerInfo(bg)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, ErrReplyTooLarge)
	assert.ErrorIs(t, err, ErrUnexpectedReply)
	assert.Contains(t, err.Error(), fmt.Sprintf("limit %d bytes", limit))

	// exec is capped too.
	c, mux = setup(t, WithMaxReplySize(16))
	serve(t, mux, 200, "text/xml", result("success", strings.Repeat("x", 100)))
	_, err = c.exec(bg, get("mloperate.php", "ml-addr-del", nil))
	assert.ErrorIs(t, err, ErrReplyTooLarge)
}

// silent blocks until the client gives up on the request.
func silent(w http.ResponseWriter, r *http.Request) { <-r.Context().Done() }

func TestTimeoutServerNeverAnswers(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithTimeout(50*time.Millisecond))
	mux.HandleFunc(apiPath, silent)
	start := time.Now()
	_, err := c.Account.CustomerInfo(bg)
	assert.Less(t, time.Since(start), 5*time.Second)
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "no answer within 50ms")
	assert.Equal(t, 1, re.Attempts)
}

// A body that stops arriving half-way is a timeout too, not a cancellation.
func TestTimeoutMidBody(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithTimeout(50*time.Millisecond))
	mux.HandleFunc(apiPath, func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "<?xml version=\"1.0\"?>\r\n<customer>\r\n<id>1</id>\r\n")
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
	_, err := c.Account.CustomerInfo(bg)
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
	assert.NotErrorIs(t, err, context.Canceled)
	assert.Contains(t, err.Error(), "no data for 50ms")
}

// The idle timeout measures the server's silence, not the time the caller
// spends between two records of a stream.
func TestTimeoutNotCountingSlowConsumer(t *testing.T) {
	t.Parallel()
	// Generous against a loaded CI machine: the server must answer within
	// the timeout, while the consumer pauses for more than twice as long.
	c, mux := setup(t, WithTimeout(500*time.Millisecond))
	var body bytes.Buffer
	body.WriteString("<?xml version=\"1.0\"?>\r\n<maillist>\r\n")
	for i := 1; i <= 4000; i++ {
		fmt.Fprintf(&body, "<item><id>%d</id><subject><![CDATA[分类 %d %s]]></subject></item>\r\n", i, i, strings.Repeat("x", 40))
	}
	body.WriteString("</maillist>\r\n")
	serve(t, mux, 200, "text/xml", body.Bytes())
	type item struct {
		ID int `xml:"id"`
	}
	n := 0
	for it, err := range records[item](bg, c, get("mloperate.php", "maillist-list", nil), "maillist", "item") {
		require.NoError(t, err)
		n++
		assert.Equal(t, n, it.ID)
		if n == 1 {
			time.Sleep(1200 * time.Millisecond) // longer than the timeout
		}
	}
	assert.Equal(t, 4000, n)
}

func TestCancelledContext(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithRetry(RetryPolicy{MaxRetries: 3}))
	failHandler(t, mux)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := c.Account.CustomerInfo(ctx)
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, 1, re.Attempts, "a cancelled call is not retried")
}

func TestCancelWhileWaiting(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithTimeout(10*time.Second))
	ctx, cancel := contextWith(t)
	mux.HandleFunc(apiPath, func(w http.ResponseWriter, r *http.Request) {
		cancel()
		<-r.Context().Done()
	})
	start := time.Now()
	_, err := c.Account.CustomerInfo(ctx)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	assert.NotErrorIs(t, err, context.DeadlineExceeded)
}

func TestCallerDeadline(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc(apiPath, silent)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Millisecond)
	defer cancel()
	_, err := c.Account.CustomerInfo(ctx)
	assert.ErrorIs(t, err, context.DeadlineExceeded)
}

// Redirects to another host, or from https to http, are refused (query-mode
// credentials ride in the URL), and not retried; same-host ones are followed.
func TestRedirects(t *testing.T) {
	t.Parallel()
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("the other host was reached: %s", r.URL)
	}))
	t.Cleanup(other.Close)

	for _, mode := range []AuthMode{AuthBasic, AuthQuery} {
		t.Run(mode.String(), func(t *testing.T) {
			c, mux := setup(t, WithAuthMode(mode), WithRetry(RetryPolicy{MaxRetries: 3}))
			clk := &fakeClock{}
			c.clock = clk
			hits := 0
			mux.HandleFunc(apiPath+"account.php", func(w http.ResponseWriter, r *http.Request) {
				hits++
				http.Redirect(w, r, other.URL+"/steal?"+r.URL.RawQuery, http.StatusFound)
			})
			_, err := c.Account.CustomerInfo(bg)
			var re *RequestError
			require.ErrorAs(t, err, &re)
			assert.Contains(t, err.Error(), "refusing redirect to "+other.URL)
			assert.Equal(t, 1, hits, "not retried")
			assert.Empty(t, clk.waits())
			assertNoSecret(t, err.Error())
		})
	}

	t.Run("same host", func(t *testing.T) {
		c, mux := setup(t)
		mux.HandleFunc(apiPath+"old.php", func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, apiPath+"account.php?"+r.URL.RawQuery, http.StatusMovedPermanently)
		})
		customerReply(t, mux, nil)
		got, err := fetchNew[Customer](bg, c, get("old.php", "customer-info", nil), "customer")
		require.NoError(t, err)
		assert.Equal(t, int64(1024), got.ID)
	})

	t.Run("https to http", func(t *testing.T) {
		mux := http.NewServeMux()
		srv := httptest.NewTLSServer(mux)
		t.Cleanup(srv.Close)
		mux.HandleFunc(apiPath, func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, "http://"+r.Host+apiPath+"x.php", http.StatusFound)
		})
		c, err := NewClient(testUser, testPassword, WithBaseURL(srv.URL+apiPath), WithHTTPClient(srv.Client()))
		require.NoError(t, err)
		_, err = c.Account.CustomerInfo(bg)
		assert.ErrorContains(t, err, "refusing redirect to http://")
	})
}

// A 4xx reply whose body is an error <result> keeps its status identifier
// as an *APIError; a 5xx one stays an *HTTPError so that retries see it.
func TestErrorResultInNon2xxReply(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		code    int
		wantAPI bool
	}{{401, true}, {403, true}, {400, true}, {429, false}, {503, false}} {
		t.Run(http.StatusText(tc.code), func(t *testing.T) {
			c, mux := setup(t)
			mux.HandleFunc(apiPath+"account.php", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/xml; charset=utf-8")
				w.WriteHeader(tc.code)
				_, _ = w.Write(result("auth_error", "bad credentials"))
			})
			_, err := c.Account.CustomerInfo(bg)
			var apiErr *APIError
			var httpErr *HTTPError
			if tc.wantAPI {
				require.ErrorAs(t, err, &apiErr)
				assert.Equal(t, StatusAuthError, apiErr.Status)
				assert.Equal(t, "bad credentials", apiErr.Message)
				assert.Equal(t, tc.code, apiErr.HTTPStatus)
				assert.ErrorIs(t, err, ErrUnauthorized, "every auth_error, whatever the HTTP status")
			} else {
				require.ErrorAs(t, err, &httpErr)
				assert.Equal(t, tc.code, httpErr.StatusCode)
				assert.Contains(t, httpErr.Snippet, "auth_error")
			}
		})
	}
}

// Every auth_error reply matches ErrUnauthorized, whatever its HTTP status:
// query auth against the fake, and an httpmock reply, come with HTTP 200.
// (A 5xx reply is an *HTTPError whatever its body: see errorResult.)
func TestAuthErrorMatchesUnauthorized(t *testing.T) {
	t.Parallel()
	for _, status := range []int{200, 400, 401, 403, 404} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			c, mux := setup(t)
			serve(t, mux, status, "text/xml", result("auth_error", "bad password"))
			_, err := c.Account.CustomerInfo(bg)
			require.Error(t, err)
			assert.ErrorIs(t, err, ErrUnauthorized)
			assert.ErrorIs(t, err, ErrAPI)
			assert.ErrorIs(t, err, &APIError{Status: StatusAuthError})
		})
	}
	// Another error status is not an authorization failure, unless the
	// HTTP status says it is.
	c, mux := setup(t)
	serve(t, mux, 200, "text/xml", result("add_maillist_error", "no"))
	_, err := c.Account.CustomerInfo(bg)
	assert.NotErrorIs(t, err, ErrUnauthorized)
}

// errTransport fails every request with err.
type errTransport struct{ err error }

func (e errTransport) RoundTrip(*http.Request) (*http.Response, error) { return nil, e.err }

// Every way a call can run out of time matches ErrTimeout — one check —
// and the standard ones: context.DeadlineExceeded, os.ErrDeadlineExceeded
// and a Timeout() bool method that returns true. A cancel is not a timeout.
func TestErrTimeout(t *testing.T) {
	t.Parallel()
	type timeouter interface{ Timeout() bool }
	isTimeout := func(t *testing.T, err error) {
		t.Helper()
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrTimeout)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		assert.ErrorIs(t, err, os.ErrDeadlineExceeded)
		var to timeouter
		if assert.ErrorAs(t, err, &to) {
			assert.True(t, to.Timeout())
		}
		assert.NotErrorIs(t, err, context.Canceled)
	}
	t.Run("WithTimeout, no answer", func(t *testing.T) {
		c, mux := setup(t, WithTimeout(30*time.Millisecond))
		mux.HandleFunc(apiPath, silent)
		_, err := c.Account.CustomerInfo(bg)
		isTimeout(t, err)
	})
	t.Run("WithTimeout, mid body", func(t *testing.T) {
		c, mux := setup(t, WithTimeout(30*time.Millisecond))
		mux.HandleFunc(apiPath, func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "<?xml version=\"1.0\"?>\r\n<customer>\r\n<id>1</id>\r\n")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		})
		_, err := c.Account.CustomerInfo(bg)
		isTimeout(t, err)
	})
	t.Run("WithTimeout, mid stream", func(t *testing.T) {
		c, mux := setup(t, WithTimeout(30*time.Millisecond))
		mux.HandleFunc(apiPath, func(w http.ResponseWriter, r *http.Request) {
			_, _ = io.WriteString(w, "<?xml version=\"1.0\"?>\r\n<data><click><click_id>1</click_id></click>")
			w.(http.Flusher).Flush()
			<-r.Context().Done()
		})
		var last error
		for _, err := range c.Track.Clicks(bg, TaskByID(1), 0) {
			last = err
		}
		isTimeout(t, last)
	})
	t.Run("the caller's deadline", func(t *testing.T) {
		c, mux := setup(t)
		mux.HandleFunc(apiPath, silent)
		ctx, cancel := context.WithTimeout(bg, 30*time.Millisecond)
		defer cancel()
		_, err := c.Account.CustomerInfo(ctx)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrTimeout)
		assert.ErrorIs(t, err, context.DeadlineExceeded)
		var to timeouter
		if assert.ErrorAs(t, err, &to) {
			assert.True(t, to.Timeout())
		}
	})
	t.Run("net/http's Client.Timeout", func(t *testing.T) {
		c, mux := setup(t, WithHTTPClient(&http.Client{Timeout: 30 * time.Millisecond}))
		mux.HandleFunc(apiPath, silent)
		_, err := c.Account.CustomerInfo(bg)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrTimeout)
		var to timeouter
		if assert.ErrorAs(t, err, &to) {
			assert.True(t, to.Timeout())
		}
	})
	t.Run("os.ErrDeadlineExceeded from a transport", func(t *testing.T) {
		c, _ := setup(t, WithHTTPClient(&http.Client{Transport: errTransport{os.ErrDeadlineExceeded}}))
		_, err := c.Account.CustomerInfo(bg)
		require.Error(t, err)
		assert.ErrorIs(t, err, ErrTimeout)
	})
	t.Run("a cancel is not a timeout", func(t *testing.T) {
		c, mux := setup(t)
		mux.HandleFunc(apiPath, silent)
		ctx, cancel := context.WithCancel(bg)
		time.AfterFunc(30*time.Millisecond, cancel)
		_, err := c.Account.CustomerInfo(ctx)
		require.Error(t, err)
		assert.NotErrorIs(t, err, ErrTimeout)
		var to timeouter
		if errors.As(err, &to) {
			assert.False(t, to.Timeout())
		}
	})
	t.Run("a refused connection is not a timeout", func(t *testing.T) {
		c, _ := setup(t, WithHTTPClient(&http.Client{Transport: errTransport{errors.New("connection refused")}}))
		_, err := c.Account.CustomerInfo(bg)
		require.Error(t, err)
		assert.NotErrorIs(t, err, ErrTimeout)
	})
}

// goArgs are the Go names of bad inputs that are lower case like an API
// parameter but are not one.
var goArgs = map[string]bool{"ctx": true, "v": true, "req": true}

// isGoArg tells the tables' two kinds of name apart: an API parameter is
// lower-case snake case as the document spells it ("list_id"); a Go name
// has an upper-case letter, a dot or a space ("WithTimeout",
// "AddressAddOptions.BatchSize", "root, child"), or is in goArgs.
func isGoArg(name string) bool {
	return goArgs[name] || strings.ContainsAny(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ. ")
}

// assertValidationName asserts that ve names want in the right slot: Field
// for an API parameter, Arg (with Field empty) for a Go argument.
func assertValidationName(t *testing.T, ve *ValidationError, want string) {
	t.Helper()
	if isGoArg(want) {
		assert.Equal(t, want, ve.Arg, "Arg of %v", ve)
		assert.Empty(t, ve.Field, "Field of %v, which is not an API parameter", ve)
		return
	}
	assert.Equal(t, want, ve.Field, "Field of %v", ve)
	assert.Empty(t, ve.Arg, "Arg of %v, which is an API parameter", ve)
}
