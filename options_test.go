package bestedm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// clientSummary is what a resolved Client is made of, for comparing two.
func clientSummary(c *Client) string {
	return fmt.Sprintf("base=%s mode=%s hash=%v plain=%v ua=%s loc=%s timeout=%s reply=%d record=%d retry=%+v",
		c.baseURL, c.creds.mode, c.creds.hash.reveal() != "", c.creds.password.reveal() != "",
		c.userAgent, c.loc, c.timeout, c.maxReply, c.maxRecord, c.retry)
}

// family is an option's name without its argument.
func family(name string) string {
	f, _, _ := strings.Cut(name, "(")
	return f
}

// Options are collected first and resolved once: any two of them give the
// same client, or the same error, in either order.
func TestOptionsOrderIndependent(t *testing.T) {
	all := map[string]Option{
		"WithAuthMode(AuthBasic)": WithAuthMode(AuthBasic),
		"WithAuthMode(AuthQuery)": WithAuthMode(AuthQuery),
		"WithPasswordHash":        WithPasswordHash(),
		"WithBaseURL":             WithBaseURL("https://example.com/api/"),
		"WithTimeout":             WithTimeout(3 * time.Second),
		"WithUserAgent":           WithUserAgent("t/1"),
		"WithLocation":            WithLocation(time.UTC),
		"WithMaxReplySize":        WithMaxReplySize(1 << 20),
		"WithMaxRecordSize":       WithMaxRecordSize(1 << 10),
		"WithRetry":               WithRetry(RetryPolicy{MaxRetries: 1}),
		"WithLogger":              WithLogger(slog.Default()),
		"WithHTTPClient":          WithHTTPClient(&http.Client{}),
	}
	for _, password := range []string{testPassword, testHash} {
		for an, a := range all {
			for bn, b := range all {
				if an >= bn || family(an) == family(bn) {
					continue // an option given twice takes the last value
				}
				c1, err1 := NewClient(testUser, password, a, b)
				c2, err2 := NewClient(testUser, password, b, a)
				name := fmt.Sprintf("%s + %s, password %.4s…", an, bn, password)
				if err1 != nil || err2 != nil {
					require.Error(t, err1, name)
					require.Error(t, err2, name)
					assert.Equal(t, err1.Error(), err2.Error(), name)
					continue
				}
				assert.Equal(t, clientSummary(c1), clientSummary(c2), name)
			}
		}
	}
}

// A hash can only be sent in query mode: asking for Basic with it is an
// error in either order, naming WithAuthMode.
func TestBasicWithHashRejectedInBothOrders(t *testing.T) {
	for _, opts := range [][]Option{
		{WithAuthMode(AuthBasic), WithPasswordHash()},
		{WithPasswordHash(), WithAuthMode(AuthBasic)},
	} {
		c, err := NewClient(testUser, testHash, opts...)
		assert.Nil(t, c)
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assertValidationName(t, ve, "WithAuthMode")
		assert.NotContains(t, err.Error(), testHash)
	}
	c, err := NewClient(testUser, testHash, WithAuthMode(AuthQuery), WithPasswordHash())
	require.NoError(t, err)
	assert.Equal(t, AuthQuery, c.creds.mode)
}

// WithMaxRecordSize names itself in Arg, as every option does.
func TestWithMaxRecordSizeArg(t *testing.T) {
	for _, n := range []int64{0, -1} {
		_, err := NewClient(testUser, testPassword, WithMaxRecordSize(n))
		var ve *ValidationError
		require.ErrorAs(t, err, &ve)
		assertValidationName(t, ve, "WithMaxRecordSize")
	}
}

// WithMaxRecordSize bounds list records that arrive whole in the decoder's
// first read: 1 KiB refuses a 3 KiB record, of a page, an iterator and a
// stream alike.
func TestMaxRecordSizeStopsSmallRecords(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithMaxRecordSize(1<<10))
	big := strings.Repeat("x", 3<<10)
	handle(t, mux, mlScript, []byte("<data><total_num>1</total_num><addr><id>1</id><address>a@example.com</address><var1>"+big+"</var1></addr></data>"), nil)
	handle(t, mux, "track.php", []byte("<data><click><click_id>1</click_id><email>"+big+"</email></click></data>"), nil)
	handle(t, mux, "task.php", []byte("<task_list><task><id>1</id><sender_name>"+big+"</sender_name></task></task_list>"), nil)
	wantLimit := func(t *testing.T, err error) {
		t.Helper()
		require.ErrorIs(t, err, ErrReplyTooLarge)
		var le *LimitError
		require.ErrorAs(t, err, &le)
		assert.Equal(t, int64(1<<10), le.Max)
		assert.Equal(t, "WithMaxRecordSize", le.Option)
	}
	_, err := c.Maillist.ListAddressesPage(bg, &AddressListOptions{Page: 1})
	wantLimit(t, err)
	n, err := drain(c.Maillist.ListAddresses(bg, nil))
	assert.Zero(t, n)
	wantLimit(t, err)
	n, err = drain(c.Track.Clicks(bg, TaskByID(1), 0))
	assert.Zero(t, n)
	wantLimit(t, err)
	n, err = drain(c.Task.List(bg, nil))
	assert.Zero(t, n)
	wantLimit(t, err)

	// A reply under the limit still decodes.
	c2, mux2 := setup(t, WithMaxRecordSize(8<<10))
	handle(t, mux2, "task.php", []byte("<task_list><task><id>1</id><sender_name>"+big+"</sender_name></task></task_list>"), nil)
	n, err = drain(c2.Task.List(bg, nil))
	require.NoError(t, err)
	assert.Equal(t, 1, n)
}

// recordHandler keeps the records logged through it.
type recordHandler struct {
	mu      sync.Mutex
	records []slog.Record
}

func (h *recordHandler) Enabled(context.Context, slog.Level) bool { return true }
func (h *recordHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.records = append(h.records, r)
	return nil
}
func (h *recordHandler) WithAttrs([]slog.Attr) slog.Handler { return h }
func (h *recordHandler) WithGroup(string) slog.Handler      { return h }

// at returns the messages logged at level, with their attributes.
func (h *recordHandler) at(level slog.Level) []string {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		if r.Level != level {
			continue
		}
		s := r.Message
		r.Attrs(func(a slog.Attr) bool { s += " " + a.String(); return true })
		out = append(out, s)
	}
	return out
}

// The default root is HTTPS; credentials over plain HTTP to a host that is
// not this machine are logged once, at warn level, when the client is made.
func TestPlainHTTPWarning(t *testing.T) {
	def, err := NewClient(testUser, testPassword)
	require.NoError(t, err)
	assert.Equal(t, "https", def.BaseURL().Scheme, "DefaultBaseURL is HTTPS")
	assert.Equal(t, "https://api.bestedm.net/mm-ms/apinew/", DefaultBaseURL)
	assert.Equal(t, "http://www.bestedm.org/mm-ms/apinew/", DocumentBaseURL, "the document's root is one constant away")

	for _, tc := range []struct {
		base string
		warn bool
	}{
		{DefaultBaseURL, false},
		{DocumentBaseURL, true},
		{"http://www.bestedm.net/mm-ms/apinew/", true},
		{"http://127.0.0.1:8080/mm-ms/apinew/", false},
		{"http://[::1]:8080/mm-ms/apinew/", false},
		{"http://localhost:8080/", false},
		{"http://fake.localhost/", false},
		{"http://10.0.0.7/mm-ms/apinew/", true},
	} {
		for _, mode := range []Option{WithAuthMode(AuthBasic), WithAuthMode(AuthQuery)} {
			h := &recordHandler{}
			c, err := NewClient(testUser, testPassword, WithBaseURL(tc.base), mode, WithLogger(slog.New(h)))
			require.NoError(t, err)
			warns := h.at(slog.LevelWarn)
			if !tc.warn {
				assert.Empty(t, warns, tc.base)
				continue
			}
			require.Len(t, warns, 1, tc.base)
			assert.Contains(t, warns[0], "plain HTTP")
			assert.Contains(t, warns[0], c.BaseURL().Host)
			assert.NotContains(t, warns[0], testPassword)
			assert.NotContains(t, warns[0], testHash)
		}
	}
	// Once per client, not per call.
	h := &recordHandler{}
	c, err := NewClient(testUser, testPassword, WithBaseURL(DocumentBaseURL), WithLogger(slog.New(h)),
		WithHTTPClient(&http.Client{Transport: errTransport{errors.New("offline")}}), WithRetry(RetryPolicy{}))
	require.NoError(t, err)
	for range 3 {
		_, _ = c.Account.CustomerInfo(bg)
	}
	assert.Len(t, h.at(slog.LevelWarn), 1)
}

// NewClientFromEnv reads the account and the root from the environment,
// and explicit options still apply on top.
func TestNewClientFromEnv(t *testing.T) {
	body := fixture(t, "account-customer-info.xml")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, ok := r.BasicAuth()
		if !ok || user != "envuser" || pass != "env-pass" || r.URL.Path != "/root/account.php" {
			w.WriteHeader(http.StatusForbidden)
			return
		}
		_, _ = w.Write(body)
	}))
	defer srv.Close()
	t.Setenv("BESTEDM_USERNAME", "envuser")
	t.Setenv("BESTEDM_PASSWORD", "env-pass")
	t.Setenv("BESTEDM_BASE_URL", srv.URL+"/root")
	c, err := NewClientFromEnv(WithRetry(RetryPolicy{}))
	require.NoError(t, err)
	assert.Equal(t, srv.URL+"/root/", c.BaseURL().String())
	_, err = c.Account.CustomerInfo(bg)
	require.NoError(t, err)

	// An explicit WithBaseURL wins over the environment's.
	c, err = NewClientFromEnv(WithBaseURL("https://example.com/x/"))
	require.NoError(t, err)
	assert.Equal(t, "https://example.com/x/", c.BaseURL().String())

	// Without BESTEDM_BASE_URL, DefaultBaseURL.
	t.Setenv("BESTEDM_BASE_URL", "")
	c, err = NewClientFromEnv()
	require.NoError(t, err)
	assert.Equal(t, DefaultBaseURL, c.BaseURL().String())

	// A bad root names the variable.
	t.Setenv("BESTEDM_BASE_URL", "ftp://example.com/")
	_, err = NewClientFromEnv()
	wantValidation(t, err, "BESTEDM_BASE_URL")
	t.Setenv("BESTEDM_BASE_URL", "")

	// A missing variable is named, and nothing is guessed.
	for _, v := range []string{"BESTEDM_USERNAME", "BESTEDM_PASSWORD"} {
		t.Run(v, func(t *testing.T) {
			t.Setenv(v, "")
			c, err := NewClientFromEnv()
			assert.Nil(t, c)
			wantValidation(t, err, v)
			assert.Contains(t, err.Error(), "is not set")
			assert.NotContains(t, err.Error(), "env-pass")
		})
	}
}

// TestDocumentedDefaults pins the defaults README's option table promises
// to literal values, so that changing a constant fails here and the README
// is revisited; comparing with the constants themselves would prove
// nothing.
func TestDocumentedDefaults(t *testing.T) {
	c, err := NewClient(testUser, testPassword)
	require.NoError(t, err)

	assert.Equal(t, RetryPolicy{
		MaxRetries:    2,
		MinBackoff:    500 * time.Millisecond,
		MaxBackoff:    10 * time.Second,
		MaxRetryAfter: 60 * time.Second,
	}, c.retry, "retries: 2, backoff 0.5–10 s, Retry-After capped at 60 s")
	assert.Equal(t, 30*time.Second, c.timeout, "timeout")
	assert.Equal(t, int64(64*1024*1024), c.maxReply, "reply cap 64 MiB")
	assert.Equal(t, int64(4*1024*1024), c.maxRecord, "record cap 4 MiB")
	assert.Equal(t, "https://api.bestedm.net/mm-ms/apinew/", c.BaseURL().String(), "base URL: HTTPS, as production clients use it")
	assert.Equal(t, "bestedm-go/"+Version, c.userAgent, "User-Agent")
	assert.Equal(t, AuthBasic, c.creds.mode, "auth mode")
	assert.Nil(t, c.limiter, "no rate limiter")

	_, offset := time.Date(2012, 3, 2, 0, 0, 0, 0, c.Location()).Zone()
	assert.Equal(t, 8*60*60, offset, "UTC+8")
	_, summer := time.Date(2012, 7, 2, 0, 0, 0, 0, c.Location()).Zone()
	assert.Equal(t, 8*60*60, summer, "a fixed zone: no daylight saving")

	tr, ok := c.http.Transport.(*http.Transport)
	require.True(t, ok, "the default HTTP client has the SDK's tuned transport, got %T", c.http.Transport)
	assert.Equal(t, 128, tr.MaxIdleConnsPerHost, "128 idle connections per host")
	assert.Equal(t, 256, tr.MaxIdleConns)

	// Zero durations in WithRetry take the documented defaults.
	c, err = NewClient(testUser, testPassword, WithRetry(RetryPolicy{MaxRetries: 5}))
	require.NoError(t, err)
	assert.Equal(t, RetryPolicy{MaxRetries: 5, MinBackoff: 500 * time.Millisecond, MaxBackoff: 10 * time.Second, MaxRetryAfter: 60 * time.Second}, c.retry)
}

// TestDefaultUserAgentOnTheWire checks the header a server sees, not only
// the field.
func TestDefaultUserAgentOnTheWire(t *testing.T) {
	got := make(chan string, 1)
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		select {
		case got <- r.UserAgent():
		default:
		}
		_, _ = w.Write(result("success", "1"))
	}))
	t.Cleanup(srv.Close)
	c, err := NewClient(testUser, testPassword, WithBaseURL(srv.URL+apiPath))
	require.NoError(t, err)
	_, _ = c.Account.CustomerInfo(bg) // the reply does not matter, the request does
	select {
	case ua := <-got:
		assert.Regexp(t, `^bestedm-go/\d+\.\d+\.\d+$`, ua)
		assert.Equal(t, "bestedm-go/"+Version, ua)
	default:
		t.Fatal("no request arrived")
	}
}
