package bestedm

import (
	"context"
	"errors"
	"math/rand/v2"
	"net/http"
	"time"
)

// RetryPolicy says when and how a failed call is tried again.
//
// Reads are retried on connection errors, timeouts and HTTP 429, 502, 503
// and 504. Writes (adding addresses, creating tasks and templates, …) are
// retried only when the request provably never reached the server, because
// the API has no idempotency key and a duplicated task sends mail twice.
type RetryPolicy struct {
	// MaxRetries is how many times a call is retried after the first
	// attempt; 0 switches retries off.
	MaxRetries int
	// MinBackoff and MaxBackoff bound the capped exponential backoff, with
	// full jitter: the n-th wait is random in [0, min(MaxBackoff, MinBackoff·2ⁿ⁻¹)].
	MinBackoff, MaxBackoff time.Duration
	// MaxRetryAfter caps how long a Retry-After header is honoured; a longer
	// demand ends the retries and returns the error.
	MaxRetryAfter time.Duration
}

// DefaultRetryPolicy returns the policy a new Client starts with: two
// retries, backoff from 500 ms up to 10 s, Retry-After honoured up to 60 s.
func DefaultRetryPolicy() RetryPolicy {
	return RetryPolicy{MaxRetries: 2, MinBackoff: 500 * time.Millisecond, MaxBackoff: 10 * time.Second, MaxRetryAfter: 60 * time.Second}
}

// WithRetry sets the retry policy; zero durations take the defaults.
// WithRetry(RetryPolicy{}) switches retries off.
func WithRetry(p RetryPolicy) Option {
	return func(o *clientOptions) error {
		if p.MaxRetries < 0 || p.MinBackoff < 0 || p.MaxBackoff < 0 || p.MaxRetryAfter < 0 {
			return &ValidationError{Arg: "WithRetry", Reason: "values must not be negative"}
		}
		d := DefaultRetryPolicy()
		if p.MinBackoff == 0 {
			p.MinBackoff = d.MinBackoff
		}
		if p.MaxBackoff == 0 {
			p.MaxBackoff = max(d.MaxBackoff, p.MinBackoff)
		}
		if p.MaxRetryAfter == 0 {
			p.MaxRetryAfter = d.MaxRetryAfter
		}
		o.retry = p
		return nil
	}
}

// shouldRetry decides whether attempt n of r, which failed with err, is
// tried again, and after how long.
func (c *Client) shouldRetry(ctx context.Context, r *request, n int, err error) (time.Duration, bool) {
	p := c.retry
	if n > p.MaxRetries || ctx.Err() != nil {
		return 0, false
	}
	if r.upload != nil && !r.upload.rewindable() {
		return 0, false
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return 0, false
	}
	// The server has answered: an error <result> (a wrong password, an
	// unknown id) says the same thing when asked again.
	var ae *APIError
	if errors.As(err, &ae) {
		return 0, false
	}
	// A refused redirect would be refused again, a redirect loop would
	// loop again: retrying only delays. A redirected write is never re-sent.
	var re *redirectError
	var sre *stoppedRedirectError
	var wre *writeRedirectError
	if errors.As(err, &re) || errors.As(err, &sre) || errors.As(err, &wre) {
		return 0, false
	}
	wait := c.backoff(n)
	var he *HTTPError
	if errors.As(err, &he) {
		if r.write {
			return 0, false
		}
		switch he.StatusCode {
		case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		default:
			return 0, false
		}
		if he.RetryAfter > 0 {
			if he.RetryAfter > p.MaxRetryAfter {
				return 0, false
			}
			wait = he.RetryAfter
		}
		return wait, true
	}
	if r.write && !isDialError(err) {
		return 0, false
	}
	return wait, true
}

func (c *Client) backoff(n int) time.Duration {
	p := c.retry
	ceiling := p.MinBackoff << (n - 1)
	if ceiling <= 0 || ceiling > p.MaxBackoff {
		ceiling = p.MaxBackoff
	}
	if ceiling <= 0 {
		return 0
	}
	return rand.N(ceiling + 1)
}

// clock is the time source for retries; tests may replace it.
type clock interface {
	Now() time.Time
	Sleep(ctx context.Context, d time.Duration) error
}

type realClock struct{}

func (realClock) Now() time.Time { return time.Now() }

// Sleep waits for d, ending at once with the context's error when ctx is done.
func (realClock) Sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}
