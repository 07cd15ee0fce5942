package bestedm

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
