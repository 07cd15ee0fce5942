package bestedm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// fakeClock records the waits asked of it and returns at once, so no retry
// test sleeps for real; onSleep runs at the start of each wait.
type fakeClock struct {
	mu      sync.Mutex
	now     time.Time
	sleeps  []time.Duration
	onSleep func()
}

var clockStart = time.Date(2024, 5, 6, 7, 8, 9, 0, time.UTC)

func (f *fakeClock) Now() time.Time {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.now.IsZero() {
		f.now = clockStart
	}
	return f.now
}

func (f *fakeClock) Sleep(ctx context.Context, d time.Duration) error {
	f.mu.Lock()
	f.sleeps = append(f.sleeps, d)
	hook := f.onSleep
	f.mu.Unlock()
	if hook != nil {
		hook()
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	f.mu.Lock()
	if f.now.IsZero() {
		f.now = clockStart
	}
	f.now = f.now.Add(d)
	f.mu.Unlock()
	return nil
}

func (f *fakeClock) waits() []time.Duration {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]time.Duration(nil), f.sleeps...)
}

// retryClient is a test client with retries on and a fake clock.
func retryClient(t *testing.T, p RetryPolicy, opts ...Option) (*Client, *http.ServeMux, *fakeClock) {
	t.Helper()
	c, mux := setup(t, append([]Option{WithRetry(p)}, opts...)...)
	clk := &fakeClock{}
	c.clock = clk
	return c, mux, clk
}

// flaky answers the first n requests with fail, then with body; it counts
// every request.
func flaky(t *testing.T, mux *http.ServeMux, n int32, fail func(w http.ResponseWriter, r *http.Request), body []byte) *atomic.Int32 {
	t.Helper()
	var count atomic.Int32
	mux.HandleFunc(apiPath, func(w http.ResponseWriter, r *http.Request) {
		if count.Add(1) <= n {
			fail(w, r)
			return
		}
		_, _ = w.Write(body)
	})
	return &count
}

func status(code int, header ...string) func(w http.ResponseWriter, r *http.Request) {
	return func(w http.ResponseWriter, r *http.Request) {
		for i := 0; i+1 < len(header); i += 2 {
			w.Header().Set(header[i], header[i+1])
		}
		http.Error(w, http.StatusText(code), code)
	}
}

// hangUp closes the connection without an answer.
func hangUp(w http.ResponseWriter, r *http.Request) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

func TestRetryReads(t *testing.T) {
	tests := []struct {
		name string
		fail func(w http.ResponseWriter, r *http.Request)
	}{
		{"503", status(503)},
		{"502", status(502)},
		{"504", status(504)},
		{"429", status(429)},
		{"connection closed", hangUp},
	}
	for _, tt := range tests {
		t.Run(tt.name+" then success", func(t *testing.T) {
			c, mux, clk := retryClient(t, RetryPolicy{MaxRetries: 2})
			count := flaky(t, mux, 2, tt.fail, fixture(t, "account-customer-info.xml"))
			got, err := c.Account.CustomerInfo(bg)
			require.NoError(t, err)
			assert.Equal(t, int64(1024), got.ID)
			assert.Equal(t, int32(3), count.Load())
			assert.Len(t, clk.waits(), 2)
		})
		t.Run(tt.name+" every time", func(t *testing.T) {
			c, mux, clk := retryClient(t, RetryPolicy{MaxRetries: 3})
			count := flaky(t, mux, 100, tt.fail, nil)
			_, err := c.Account.CustomerInfo(bg)
			require.Error(t, err)
			assert.Equal(t, int32(4), count.Load(), "the first attempt and 3 retries")
			assert.Len(t, clk.waits(), 3)
			assert.Contains(t, err.Error(), "(after 4 attempts)")
			var he *HTTPError
			var re *RequestError
			switch {
			case errors.As(err, &he):
				assert.Equal(t, 4, he.Attempts)
			case errors.As(err, &re):
				assert.Equal(t, 4, re.Attempts)
			default:
				t.Fatalf("unexpected error type %T", err)
			}
		})
	}
}

func TestNoRetryOnOtherStatuses(t *testing.T) {
	for _, code := range []int{400, 401, 403, 404, 500, 501} {
		c, mux, clk := retryClient(t, RetryPolicy{MaxRetries: 3})
		count := flaky(t, mux, 100, status(code), nil)
		_, err := c.Account.CustomerInfo(bg)
		var he *HTTPError
		require.ErrorAs(t, err, &he, code)
		assert.Equal(t, int32(1), count.Load(), code)
		assert.Equal(t, 1, he.Attempts)
		assert.Empty(t, clk.waits())
	}
}

// Decoding failures and API errors come from a server that answered: they
// are not retried either.
func TestNoRetryOnAnsweredReplies(t *testing.T) {
	for name, body := range map[string][]byte{
		"api error": result("auth_error", "x"),
		"html":      []byte("<html></html>"),
	} {
		c, mux, _ := retryClient(t, RetryPolicy{MaxRetries: 3})
		count := flaky(t, mux, 0, nil, body)
		_, err := c.Account.CustomerInfo(bg)
		require.Error(t, err, name)
		assert.Equal(t, int32(1), count.Load(), name)
	}
}

func TestRetryOffByDefaultInSetupAndWithZeroPolicy(t *testing.T) {
	c, mux, _ := retryClient(t, RetryPolicy{})
	count := flaky(t, mux, 100, status(503), nil)
	_, err := c.Account.CustomerInfo(bg)
	require.Error(t, err)
	assert.Equal(t, int32(1), count.Load())
}

func writeRequest() *request {
	return &request{method: http.MethodPost, script: "mloperate.php", action: "maillist-add",
		form: q("subject", "春季客户", "status", "enabled"), write: true}
}

// Writes are not retried once they may have reached the server: the API has
// no idempotency key, and a duplicated task sends mail twice.
func TestWritesNotRetriedWhenSent(t *testing.T) {
	for name, fail := range map[string]func(http.ResponseWriter, *http.Request){
		"503":               status(503),
		"429":               status(429, "Retry-After", "1"),
		"connection closed": hangUp,
	} {
		t.Run(name, func(t *testing.T) {
			c, mux, clk := retryClient(t, RetryPolicy{MaxRetries: 3})
			count := flaky(t, mux, 100, fail, nil)
			_, err := c.exec(bg, writeRequest())
			require.Error(t, err)
			assert.Equal(t, int32(1), count.Load())
			assert.Empty(t, clk.waits())
			assert.NotContains(t, err.Error(), "attempts")
		})
	}
}

// A write whose dial failed never reached the server, so it is retried.
func TestWriteRetriedAfterDialError(t *testing.T) {
	hc, dialer := flakyClient(2)
	c, mux, clk := retryClient(t, RetryPolicy{MaxRetries: 3}, WithHTTPClient(hc))
	var bodies []string
	mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		_, _ = w.Write(result("success", "12"))
	})
	res, err := c.execReply(bg, writeRequest(), idElementOrData)
	require.NoError(t, err)
	assert.Equal(t, int64(12), res.ID)
	assert.Equal(t, int32(3), dialer.dials.Load())
	assert.Equal(t, []string{q("subject", "春季客户", "status", "enabled").Encode()}, bodies)
	assert.Len(t, clk.waits(), 2)

	// Dial errors to the end: the final error reports every attempt.
	hc, dialer = flakyClient(100)
	c, _, _ = retryClient(t, RetryPolicy{MaxRetries: 2}, WithHTTPClient(hc))
	_, err = c.exec(bg, writeRequest())
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 3, re.Attempts)
	assert.Equal(t, int32(3), dialer.dials.Load())
	assert.Contains(t, err.Error(), "(after 3 attempts)")
	assert.True(t, isDialError(err))
}

// A form body is sent identically on every attempt.
func TestRetrySendsSameBody(t *testing.T) {
	c, mux, _ := retryClient(t, RetryPolicy{MaxRetries: 2})
	var bodies []string
	var count int
	mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		bodies = append(bodies, string(b))
		assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
		assert.Equal(t, "do=ml-addr-list", r.URL.RawQuery)
		if count++; count < 3 {
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write(result("success", "ok"))
	})
	form := q("keyword", "张 三&李四", "list_id", "7")
	r := &request{method: http.MethodPost, script: "mloperate.php", action: "ml-addr-list", form: form}
	_, err := c.exec(bg, r)
	require.NoError(t, err)
	want := form.Encode()
	assert.Equal(t, []string{want, want, want}, bodies)
}

func TestRetryAfterHonoured(t *testing.T) {
	c, mux, clk := retryClient(t, RetryPolicy{MaxRetries: 2, MaxRetryAfter: time.Minute})
	count := flaky(t, mux, 2, status(503, "Retry-After", "3"), fixture(t, "account-customer-info.xml"))
	_, err := c.Account.CustomerInfo(bg)
	require.NoError(t, err)
	assert.Equal(t, int32(3), count.Load())
	assert.Equal(t, []time.Duration{3 * time.Second, 3 * time.Second}, clk.waits())
}

func TestRetryAfterHTTPDate(t *testing.T) {
	c, mux, clk := retryClient(t, RetryPolicy{MaxRetries: 1})
	at := clockStart.Add(20 * time.Second).Format(http.TimeFormat)
	flaky(t, mux, 1, status(429, "Retry-After", at), fixture(t, "account-customer-info.xml"))
	_, err := c.Account.CustomerInfo(bg)
	require.NoError(t, err)
	assert.Equal(t, []time.Duration{20 * time.Second}, clk.waits())
}

// A Retry-After longer than MaxRetryAfter ends the retries at once.
func TestRetryAfterCapped(t *testing.T) {
	c, mux, clk := retryClient(t, RetryPolicy{MaxRetries: 3, MaxRetryAfter: time.Minute})
	count := flaky(t, mux, 100, status(429, "Retry-After", "120"), nil)
	_, err := c.Account.CustomerInfo(bg)
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.ErrorIs(t, err, ErrRateLimited)
	assert.Equal(t, 120*time.Second, he.RetryAfter)
	assert.Equal(t, int32(1), count.Load())
	assert.Empty(t, clk.waits())
}

// Backoff is capped exponential with full jitter.
func TestBackoffBounds(t *testing.T) {
	p := RetryPolicy{MaxRetries: 6, MinBackoff: 100 * time.Millisecond, MaxBackoff: 500 * time.Millisecond}
	c, mux, clk := retryClient(t, p)
	flaky(t, mux, 100, status(503), nil)
	_, err := c.Account.CustomerInfo(bg)
	require.Error(t, err)
	waits := clk.waits()
	require.Len(t, waits, 6)
	ceilings := []time.Duration{100, 200, 400, 500, 500, 500}
	for i, w := range waits {
		assert.GreaterOrEqual(t, w, time.Duration(0))
		assert.LessOrEqual(t, w, ceilings[i]*time.Millisecond, "wait %d", i+1)
	}
	for n := 1; n <= 80; n++ { // a large n must not overflow the shift
		d := c.backoff(n)
		assert.True(t, d >= 0 && d <= p.MaxBackoff, "backoff(%d) = %s", n, d)
	}
}

// Cancelling the context ends the wait between attempts at once, with the
// real clock and an hour-long backoff.
func TestCancelStopsRetryWait(t *testing.T) {
	t.Parallel()
	c, mux := setup(t, WithRetry(RetryPolicy{MaxRetries: 3, MinBackoff: time.Hour, MaxBackoff: time.Hour}))
	ctx, cancel := contextWith(t)
	var count atomic.Int32
	mux.HandleFunc(apiPath, func(w http.ResponseWriter, r *http.Request) {
		count.Add(1)
		time.AfterFunc(20*time.Millisecond, cancel)
		http.Error(w, "busy", http.StatusServiceUnavailable)
	})
	start := time.Now()
	_, err := c.Account.CustomerInfo(ctx)
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.ErrorIs(t, err, context.Canceled)
	assert.Equal(t, int32(1), count.Load())
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, re.Attempts)
}

func TestRealClockSleep(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	start := time.Now()
	assert.ErrorIs(t, realClock{}.Sleep(ctx, time.Hour), context.Canceled)
	assert.ErrorIs(t, realClock{}.Sleep(ctx, 0), context.Canceled)
	assert.NoError(t, realClock{}.Sleep(bg, 0))
	assert.NoError(t, realClock{}.Sleep(bg, time.Millisecond))
	assert.Less(t, time.Since(start), time.Second)
	assert.WithinDuration(t, time.Now(), realClock{}.Now(), time.Second)
}

// A rate limiter is asked before every attempt; its error ends the call.
func TestRateLimiter(t *testing.T) {
	lim := &countingLimiter{}
	c, mux, _ := retryClient(t, RetryPolicy{MaxRetries: 2}, WithRateLimiter(lim))
	flaky(t, mux, 1, status(503), fixture(t, "account-customer-info.xml"))
	_, err := c.Account.CustomerInfo(bg)
	require.NoError(t, err)
	assert.Equal(t, int32(2), lim.calls.Load())

	lim = &countingLimiter{err: errors.New("rate: Wait(n=1) would exceed context deadline")}
	c, mux, _ = retryClient(t, RetryPolicy{}, WithRateLimiter(lim))
	failHandler(t, mux)
	_, err = c.Account.CustomerInfo(bg)
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.ErrorIs(t, err, lim.err)
}

type countingLimiter struct {
	calls atomic.Int32
	err   error
}

func (l *countingLimiter) Wait(ctx context.Context) error {
	l.calls.Add(1)
	return l.err
}

// Streaming reads are retried like any read before their first record.
func TestRetryRecords(t *testing.T) {
	c, mux, _ := retryClient(t, RetryPolicy{MaxRetries: 2})
	count := flaky(t, mux, 1, status(502), []byte("<maillist><item><id>1</id></item><item><id>2</id></item></maillist>"))
	type item struct {
		ID int `xml:"id"`
	}
	var ids []int
	for it, err := range records[item](bg, c, get("mloperate.php", "maillist-list", nil), "maillist", "item") {
		require.NoError(t, err)
		ids = append(ids, it.ID)
	}
	assert.Equal(t, []int{1, 2}, ids)
	assert.Equal(t, int32(2), count.Load())
}

// retryRecords returns the "bestedm retry" debug records as
// "decision: reason" lines, and checks that none holds a secret.
func retryRecords(t *testing.T, h *recordHandler) []string {
	t.Helper()
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []string
	for _, r := range h.records {
		if r.Message != "bestedm retry" {
			continue
		}
		assert.Equal(t, slog.LevelDebug, r.Level)
		var decision, reason string
		r.Attrs(func(a slog.Attr) bool {
			s := a.Value.String()
			assert.NotContains(t, s, testPassword)
			assert.NotContains(t, s, testHash)
			switch a.Key {
			case "decision":
				decision = s
			case "reason":
				reason = s
			}
			return true
		})
		out = append(out, decision+": "+reason)
	}
	return out
}

// Each retry, and each decision not to retry, is logged at debug level
// with its reason.
func TestRetryDecisionsLogged(t *testing.T) {
	for _, tc := range []struct {
		name  string
		fail  func(http.ResponseWriter, *http.Request)
		n     int32
		write bool
		want  []string
	}{
		{"read retried on 503, then answered", status(503), 1, false, []string{"retry: HTTP 503"}},
		{"read retried until the policy's end", status(502), 100, false, []string{
			"retry: HTTP 502", "retry: HTTP 502", "give up: no retries left"}},
		{"read on a dropped connection", hangUp, 1, false, []string{"retry: connection error"}},
		{"Retry-After over the cap", status(503, "Retry-After", "3600"), 100, false, []string{"give up: Retry-After 1h0m0s is over RetryPolicy.MaxRetryAfter"}},
		{"HTTP 500 is final", status(500), 100, false, []string{"give up: HTTP 500 is not retried"}},
		{"an error <result> is final", func(w http.ResponseWriter, r *http.Request) {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write(result("auth_error", "no"))
		}, 100, false,
			[]string{"give up: the server answered with an error <result>"}},
		{"a write that may have arrived", hangUp, 100, true, []string{"give up: a write that may have reached the server is never sent again"}},
		{"a write answered 503", status(503), 100, true, []string{"give up: a write that may have reached the server is never sent again"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h := &recordHandler{}
			c, mux, _ := retryClient(t, RetryPolicy{MaxRetries: 2}, WithLogger(slog.New(h)))
			flaky(t, mux, tc.n, tc.fail, fixture(t, "account-customer-info.xml"))
			if tc.write {
				_, _ = c.exec(bg, writeRequest())
			} else {
				_, _ = c.Account.CustomerInfo(bg)
			}
			got := retryRecords(t, h)
			require.Len(t, got, len(tc.want), "%q", got)
			for i := range got {
				assert.True(t, strings.HasPrefix(got[i], tc.want[i]), "record %d: %q, want %q…", i, got[i], tc.want[i])
			}
		})
	}
	// A cancelled context is a reason too.
	h := &recordHandler{}
	c, mux, _ := retryClient(t, RetryPolicy{MaxRetries: 2}, WithLogger(slog.New(h)))
	ctx, cancel := context.WithCancel(bg)
	flaky(t, mux, 100, func(w http.ResponseWriter, r *http.Request) { cancel(); status(503)(w, r) }, nil)
	_, _ = c.Account.CustomerInfo(ctx)
	got := retryRecords(t, h)
	require.Len(t, got, 1)
	assert.True(t, strings.HasPrefix(got[0], "give up: the context is done"), got[0])
}

// The retry matrix: every failure kind, for a read and for a write, with
// the exact number of attempts and the count in the final error. Reads are
// retried on connection errors, timeouts, 429, 502, 503 and 504; writes only
// when the request never left (a dial error); nothing is retried on 500.
func TestRetryMatrix(t *testing.T) {
	const maxRetries = 2
	kinds := []struct {
		name          string
		fail          http.HandlerFunc // nil: every dial fails
		readRetried   bool
		writeRetried  bool
		wantTransport bool // a *RequestError rather than an *HTTPError
	}{
		{"dial error", nil, true, true, true},
		{"connection closed", hangUp, true, false, true},
		{"timeout", silent, true, false, true},
		{"429", status(429), true, false, false},
		{"502", status(502), true, false, false},
		{"503", status(503), true, false, false},
		{"504", status(504), true, false, false},
		{"500", status(500), false, false, false},
	}
	calls := []struct {
		name  string
		write bool
		call  func(c *Client) error
	}{
		{"read", false, func(c *Client) error { _, err := c.Account.CustomerInfo(bg); return err }},
		{"write", true, func(c *Client) error { _, err := c.Maillist.Delete(bg, 101); return err }},
	}
	for _, k := range kinds {
		for _, call := range calls {
			t.Run(k.name+"/"+call.name, func(t *testing.T) {
				opts := []Option{WithTimeout(250 * time.Millisecond)}
				var dialer *flakyDialer
				if k.fail == nil {
					var hc *http.Client
					hc, dialer = flakyClient(100)
					opts = append(opts, WithHTTPClient(hc))
				}
				c, mux, clk := retryClient(t, RetryPolicy{MaxRetries: maxRetries}, opts...)
				var served atomic.Int32
				mux.HandleFunc(apiPath, func(w http.ResponseWriter, r *http.Request) {
					served.Add(1)
					k.fail(w, r)
				})
				err := call.call(c)
				require.Error(t, err)

				retried := k.readRetried
				if call.write {
					retried = k.writeRetried
				}
				want := 1
				if retried {
					want = 1 + maxRetries
				}
				attempts := int(served.Load())
				if dialer != nil {
					attempts = int(dialer.dials.Load())
					assert.Zero(t, served.Load(), "no request reached the server")
				}
				assert.Equal(t, want, attempts, "attempts")
				assert.Len(t, clk.waits(), want-1, "waits between attempts")

				var he *HTTPError
				var re *RequestError
				if k.wantTransport {
					require.ErrorAs(t, err, &re)
					assert.Equal(t, want, re.Attempts)
				} else {
					require.ErrorAs(t, err, &he)
					assert.Equal(t, want, he.Attempts)
				}
				if want > 1 {
					assert.Contains(t, err.Error(), "(after 3 attempts)")
				} else {
					assert.NotContains(t, err.Error(), "attempts")
				}
				if k.name == "timeout" {
					assert.ErrorIs(t, err, errTimeout)
				}
			})
		}
	}
}

// A read that fails once (timeout, dial error) and then succeeds returns
// the value after exactly two attempts.
func TestRetryReadRecovers(t *testing.T) {
	t.Run("timeout", func(t *testing.T) {
		c, mux, clk := retryClient(t, RetryPolicy{MaxRetries: 3}, WithTimeout(40*time.Millisecond))
		count := flaky(t, mux, 1, silent, fixture(t, "account-customer-info.xml"))
		got, err := c.Account.CustomerInfo(bg)
		require.NoError(t, err)
		assert.Equal(t, int64(1024), got.ID)
		assert.Equal(t, int32(2), count.Load())
		assert.Len(t, clk.waits(), 1)
	})
	t.Run("dial error", func(t *testing.T) {
		hc, dialer := flakyClient(1)
		c, mux, clk := retryClient(t, RetryPolicy{MaxRetries: 3}, WithHTTPClient(hc))
		count := flaky(t, mux, 0, nil, fixture(t, "account-customer-info.xml"))
		got, err := c.Account.CustomerInfo(bg)
		require.NoError(t, err)
		assert.Equal(t, int64(1024), got.ID)
		assert.Equal(t, int32(1), count.Load())
		assert.Equal(t, int32(2), dialer.dials.Load())
		assert.Len(t, clk.waits(), 1)
	})
}

// A Retry-After given as an HTTP date further away than MaxRetryAfter ends
// the retries, as a number of seconds does; one in the past falls back to
// the backoff.
func TestRetryAfterHTTPDateCappedAndPast(t *testing.T) {
	c, mux, clk := retryClient(t, RetryPolicy{MaxRetries: 3, MaxRetryAfter: time.Minute})
	far := clockStart.Add(2 * time.Hour).Format(http.TimeFormat)
	count := flaky(t, mux, 100, status(503, "Retry-After", far), nil)
	_, err := c.Account.CustomerInfo(bg)
	var he *HTTPError
	require.ErrorAs(t, err, &he)
	assert.Equal(t, 2*time.Hour, he.RetryAfter)
	assert.Equal(t, int32(1), count.Load())
	assert.Empty(t, clk.waits())

	p := RetryPolicy{MaxRetries: 1, MinBackoff: 100 * time.Millisecond, MaxBackoff: 100 * time.Millisecond, MaxRetryAfter: time.Minute}
	c, mux, clk = retryClient(t, p)
	past := clockStart.Add(-time.Hour).Format(http.TimeFormat)
	count = flaky(t, mux, 1, status(429, "Retry-After", past), fixture(t, "account-customer-info.xml"))
	_, err = c.Account.CustomerInfo(bg)
	require.NoError(t, err)
	assert.Equal(t, int32(2), count.Load())
	waits := clk.waits()
	require.Len(t, waits, 1)
	assert.LessOrEqual(t, waits[0], 100*time.Millisecond, "the backoff, not a negative or huge wait")
}

// bodyRecorder is a transport that reads each request's whole body and
// fails the first n attempts with a dial error, as if the connection had
// never been made; later attempts go to next.
type bodyRecorder struct {
	n    int
	next http.RoundTripper

	mu      sync.Mutex
	bodies  []string
	lengths []int64
}

func (b *bodyRecorder) RoundTrip(req *http.Request) (*http.Response, error) {
	body, err := io.ReadAll(req.Body)
	_ = req.Body.Close()
	if err != nil {
		return nil, err
	}
	b.mu.Lock()
	b.bodies = append(b.bodies, string(body))
	b.lengths = append(b.lengths, req.ContentLength)
	attempt := len(b.bodies)
	b.mu.Unlock()
	if attempt <= b.n {
		return nil, &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}
	}
	req2 := req.Clone(req.Context())
	req2.Body = io.NopCloser(bytes.NewReader(body))
	return b.next.RoundTrip(req2)
}

// A retried upload sends the same bytes, length included, on every
// attempt: a seekable attachment is rewound to where it stood.
func TestRetryUploadSameBodyEveryAttempt(t *testing.T) {
	rec := &bodyRecorder{n: 2, next: http.DefaultTransport}
	c, mux, clk := retryClient(t, RetryPolicy{MaxRetries: 3}, WithHTTPClient(&http.Client{Transport: rec}))
	var served atomic.Int32
	mux.HandleFunc(apiPath+"template.php", func(w http.ResponseWriter, r *http.Request) {
		served.Add(1)
		parts := readMultipart(t, r)
		if assert.Len(t, parts, 4) {
			assert.Equal(t, part{Field: "file", FileName: "brochure.pdf", Content: "%PDF-1.4 brochure"}, parts[3])
		}
		_, _ = w.Write(result("success", "17"))
	})
	att := bytes.NewReader([]byte("SKIP%PDF-1.4 brochure"))
	_, err := att.Seek(4, io.SeekStart)
	require.NoError(t, err)
	res, err := c.Template.Create(bg, &TemplateParams{Name: "春季促销", Subjects: []string{"Hello"}, Content: "<p>hi</p>",
		Attachments: []File{{Name: "brochure.pdf", Content: att}}})
	require.NoError(t, err)
	assert.Equal(t, int64(17), res.ID)
	assert.Equal(t, int32(1), served.Load())
	assert.Len(t, clk.waits(), 2)
	require.Len(t, rec.bodies, 3)
	assert.Contains(t, rec.bodies[0], "%PDF-1.4 brochure")
	assert.NotContains(t, rec.bodies[0], "SKIP")
	for i := 1; i < 3; i++ {
		assert.Equal(t, rec.bodies[0], rec.bodies[i], "attempt %d sends the same body", i+1)
		assert.Equal(t, rec.lengths[0], rec.lengths[i], "attempt %d sends the same length", i+1)
	}
	assert.Equal(t, int64(len(rec.bodies[0])), rec.lengths[0])
}

// A streamed attachment that cannot be rewound is sent once: even a dial
// error, which would make a seekable upload retried, is final.
func TestRetryUploadNotSeekableSentOnce(t *testing.T) {
	rec := &bodyRecorder{n: 1, next: http.DefaultTransport}
	c, mux, clk := retryClient(t, RetryPolicy{MaxRetries: 3}, WithHTTPClient(&http.Client{Transport: rec}))
	failHandler(t, mux)
	_, err := c.Template.AddAttachments(bg, 17, File{Name: "a.txt", Content: io.MultiReader(strings.NewReader("stream"))})
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, re.Attempts)
	assert.Len(t, rec.bodies, 1)
	assert.Empty(t, clk.waits())
}

// A POST form write (maillist-add) that never reached the server is retried
// with the same body; once sent, it is not.
func TestRetryFormWriteSameBody(t *testing.T) {
	rec := &bodyRecorder{n: 2, next: http.DefaultTransport}
	c, mux, _ := retryClient(t, RetryPolicy{MaxRetries: 3}, WithHTTPClient(&http.Client{Transport: rec}))
	handle(t, mux, "mloperate.php", []byte("<result><status>success</status><id>12</id><data>ok</data></result>"), nil)
	_, err := c.Maillist.Create(bg, &MaillistParams{Name: "春季客户 & VIP", Status: MaillistEnabled})
	require.NoError(t, err)
	require.Len(t, rec.bodies, 3)
	want := q("subject", "春季客户 & VIP", "status", "enabled").Encode()
	assert.Equal(t, []string{want, want, want}, rec.bodies)
}
