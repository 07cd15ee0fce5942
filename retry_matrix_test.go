package bestedm

import (
	"bytes"
	"errors"
	"io"
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
