package bestedm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
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
// tried again, and after how long. Each decision is logged at debug level
// with its reason, as stripe-go's shouldRetry returns one.
func (c *Client) shouldRetry(ctx context.Context, r *request, n int, err error) (time.Duration, bool) {
	wait, reason, retry := c.retryDecision(ctx, r, n, err)
	if c.logger.Enabled(ctx, slog.LevelDebug) {
		c.logRetry(ctx, r, n, retry, reason, wait)
	}
	return wait, retry
}

// retryDecision is shouldRetry without the log record: the wait, the
// reason and the decision.
func (c *Client) retryDecision(ctx context.Context, r *request, n int, err error) (time.Duration, string, bool) {
	p := c.retry
	if ctx.Err() != nil {
		return 0, "the context is done", false
	}
	var reason string
	var cl retryClassifier
	if errors.As(err, &cl) {
		ok, why := cl.retryable(r.write)
		if !ok {
			return 0, why, false
		}
		reason = why
	} else {
		ok, why := transportRetryable(r.write, err)
		if !ok {
			return 0, why, false
		}
		reason = why
	}
	if r.upload != nil && !r.upload.rewindable() {
		return 0, "the upload's reader cannot seek back to send the body again", false
	}
	wait := c.backoff(n)
	var he *HTTPError
	if errors.As(err, &he) && he.RetryAfter > 0 {
		if he.RetryAfter > p.MaxRetryAfter {
			return 0, fmt.Sprintf("Retry-After %s is over RetryPolicy.MaxRetryAfter (%s)", he.RetryAfter, p.MaxRetryAfter), false
		}
		wait = he.RetryAfter
		reason += fmt.Sprintf(", Retry-After %s", he.RetryAfter)
	}
	if n > p.MaxRetries {
		return 0, fmt.Sprintf("no retries left (RetryPolicy.MaxRetries is %d) after %s", p.MaxRetries, reason), false
	}
	return wait, reason, true
}

// logRetry logs one retry decision. The call is named by its method,
// script and action only: no parameter value, so no secret, reaches the
// record.
func (c *Client) logRetry(ctx context.Context, r *request, attempt int, retry bool, reason string, wait time.Duration) {
	call := r.method + " " + r.script
	if r.action != "" {
		call += "?do=" + r.action
	}
	attrs := []slog.Attr{
		slog.String("call", call),
		slog.Int("attempt", attempt),
		slog.String("decision", "give up"),
		slog.String("reason", reason),
	}
	if retry {
		attrs[2] = slog.String("decision", "retry")
		attrs = append(attrs, slog.Duration("wait", wait))
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "bestedm retry", attrs...)
}

// retryClassifier is implemented by the errors that know whether an
// attempt that failed with them may be made again: each error type
// classifies itself, instead of shouldRetry testing for every type.
type retryClassifier interface {
	// retryable reports whether an attempt of a read (write false) or of
	// a write that failed with this error may be made again, and why.
	retryable(write bool) (ok bool, reason string)
}

// A write that may have reached the server is never sent again: the API
// has no idempotency key, and a duplicated task sends mail twice.
const writeSentReason = "a write that may have reached the server is never sent again"

func (e *ValidationError) retryable(bool) (bool, string) {
	return false, "the request is invalid: sending it again changes nothing"
}

// An error <result> (a wrong password, an unknown id) says the same thing
// when asked again.
func (e *APIError) retryable(bool) (bool, string) {
	return false, fmt.Sprintf("the server answered with an error <result> (%s)", e.Status)
}

func (e *HTTPError) retryable(write bool) (bool, string) {
	if write {
		return false, writeSentReason
	}
	switch e.StatusCode {
	case http.StatusTooManyRequests, http.StatusBadGateway, http.StatusServiceUnavailable, http.StatusGatewayTimeout:
		return true, fmt.Sprintf("HTTP %d", e.StatusCode)
	}
	return false, fmt.Sprintf("HTTP %d is not retried", e.StatusCode)
}

// A refused redirect would be refused again, a redirect loop would loop
// again: retrying only delays. A redirected write is never re-sent.
func (e *redirectError) retryable(bool) (bool, string) {
	return false, "a refused redirect would be refused again"
}

func (e *stoppedRedirectError) retryable(bool) (bool, string) {
	return false, "the redirects would be met again"
}

func (e *writeRedirectError) retryable(bool) (bool, string) {
	return false, writeSentReason + " (it was answered with a redirect)"
}

// transportRetryable classifies an error that no SDK type wraps: a
// failure of the HTTP exchange. A read may be sent again; a write only
// when it provably never left (the dial failed).
func transportRetryable(write bool, err error) (bool, string) {
	what := "connection error"
	if isTimeout(err) {
		what = "timeout"
	}
	if isDialError(err) {
		return true, what + " before the request was sent (dial)"
	}
	if write {
		return false, writeSentReason
	}
	return true, what
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
