package bestedm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
)

// send sends r, retrying as the policy allows, and returns a 2xx response
// whose body the caller must close. A non-2xx status becomes *HTTPError.
func (c *Client) send(ctx context.Context, r *request) (*http.Response, error) {
	if !c.usable() {
		return nil, errNoClient()
	}
	if ctx == nil {
		return nil, &ValidationError{Arg: "ctx", Reason: "is nil"}
	}
	for attempt := 1; ; attempt++ {
		resp, call, err := c.attempt(ctx, r, attempt)
		if err == nil {
			return resp, nil
		}
		wait, retry := c.shouldRetry(ctx, r, attempt, err)
		if !retry {
			return nil, c.finalError(r, err, call, attempt)
		}
		if serr := c.clock.Sleep(ctx, wait); serr != nil {
			return nil, c.finalError(r, serr, call, attempt)
		}
		if r.upload != nil {
			if rerr := r.upload.rewind(); rerr != nil {
				return nil, c.finalError(r, err, call, attempt)
			}
		}
	}
}

// attempt sends one try of r. Its context is cancelled when the server is
// silent for longer than the client's timeout, or when the body is closed.
func (c *Client) attempt(ctx context.Context, r *request, n int) (*http.Response, string, error) {
	if c.limiter != nil {
		if err := c.limiter.Wait(ctx); err != nil {
			return nil, r.method + " " + r.script, err
		}
	}
	actx, cancel := context.WithCancel(ctx)
	timedOut := new(atomic.Bool)
	watchdog := time.AfterFunc(c.timeout, func() { timedOut.Store(true); cancel() })
	stop := func() { watchdog.Stop(); cancel() }
	reqCtx := actx
	if len(r.secrets) > 0 {
		reqCtx = context.WithValue(reqCtx, secretsKey{}, r.secrets)
	}
	if r.write || r.method != http.MethodGet {
		// A write, or a read with a body, is never redirected: see
		// guardRedirects.
		reqCtx = context.WithValue(reqCtx, writeKey{}, true)
	}
	req, err := c.newHTTPRequest(reqCtx, r)
	if err != nil {
		stop()
		return nil, r.method + " " + r.script, err
	}
	var sending *uploadBody
	if r.upload != nil {
		sending = watchUpload(req, actx, watchdog, c.timeout)
	}
	start := time.Now()
	resp, err := c.http.Do(req)
	sending.answered()
	if err == nil && !r.write && r.method == http.MethodGet {
		resp, err = c.followRead(resp)
	}
	if err != nil {
		stop()
		if timedOut.Load() && ctx.Err() == nil {
			err = fmt.Errorf("no answer within %s: %w", c.timeout, errTimeout)
		}
		call := c.callName(req)
		if c.logger.Enabled(ctx, slog.LevelDebug) {
			c.log(ctx, call, n, 0, time.Since(start), c.redactExchangeErr(req, err))
		}
		return nil, call, err
	}
	// The call's name (a redacted URL) costs a dozen allocations: build it
	// only for a log record or an error, not on every successful call.
	if c.logger.Enabled(ctx, slog.LevelDebug) {
		c.log(ctx, c.callName(req), n, resp.StatusCode, time.Since(start), nil)
	}
	// From here on the watchdog runs only while a Read waits for the
	// server: time the caller spends between reads (handling one record of
	// a stream, writing an export to disk) is not the server's silence.
	watchdog.Stop()
	resp.Body = &watchedBody{rc: resp.Body, ctx: ctx, watchdog: watchdog, timeout: c.timeout, timedOut: timedOut, stop: stop}
	if (r.write || r.method != http.MethodGet) && isRedirect(resp.StatusCode) {
		drainClose(resp.Body)
		to := "(no Location)"
		if loc, err := resp.Location(); err == nil {
			to = c.redactText(req, c.redactURL(loc))
		}
		return nil, c.callName(req), &writeRedirectError{status: resp.StatusCode, to: to}
	}
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		call := c.callName(req)
		defer resp.Body.Close()
		head, _ := io.ReadAll(io.LimitReader(resp.Body, maxErrorBody))
		if apiErr := c.errorResult(resp, head); apiErr != nil {
			return nil, call, apiErr
		}
		head = head[:min(len(head), snippetSize)]
		return nil, call, &HTTPError{
			StatusCode:  resp.StatusCode,
			ContentType: c.redactText(req, resp.Header.Get("Content-Type")),
			Snippet:     c.snippetFor(req, head),
			RetryAfter:  parseRetryAfter(resp.Header.Get("Retry-After"), c.clock.Now()),
			Call:        call,
			Attempts:    n,
		}
	}
	return resp, "", nil
}

// errTimeout is the cause of a failure because the server stayed silent for
// longer than the client's timeout. It matches context.DeadlineExceeded, so
// that errors.Is(err, context.DeadlineExceeded) finds a timeout whichever
// clock ran out, and it is not mistaken for a cancelled context.
var errTimeout error = timeoutError{}

type timeoutError struct{}

func (timeoutError) Error() string        { return "timeout" }
func (timeoutError) Timeout() bool        { return true } // as net.Error
func (timeoutError) Is(target error) bool { return target == context.DeadlineExceeded }
func (c *Client) log(ctx context.Context, call string, attempt, status int, d time.Duration, err error) {
	if !c.logger.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("call", call),
		slog.Int("attempt", attempt),
		slog.Duration("duration", d),
	}
	if status != 0 {
		attrs = append(attrs, slog.Int("status", status))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error())) // redacted by the caller
	}
	c.logger.LogAttrs(ctx, slog.LevelDebug, "bestedm request", attrs...)
}

// finalError wraps a transport failure in *RequestError, with every URL in
// it redacted; typed API errors pass through as themselves (they already
// name the call), an *HTTPError with the attempt count.
func (c *Client) finalError(r *request, err error, call string, attempts int) error {
	var he *HTTPError
	if errors.As(err, &he) {
		he.Attempts = attempts
		return he
	}
	var ae *APIError
	if errors.As(err, &ae) {
		return ae
	}
	var ve *ValidationError
	if errors.As(err, &ve) {
		return err
	}
	red := c.redactorFor(nil, r.secrets)
	shown := strings.TrimPrefix(call, r.method+" ")
	red.own = []ownURL{{raw: shown, shown: shown}}
	return &RequestError{Call: call, Attempts: attempts, Err: red.err(c, redactURLError(err, c, r.secrets))}
}

// watchedBody arms the idle watchdog for the length of each read and
// releases the attempt's context on Close. A read cut off by the watchdog
// fails with errTimeout, not with the context.Canceled the transport sees;
// one cut off because the caller's context ended fails with that
// context's error, not with whatever the closed connection reported ("use
// of closed network connection"), which read as a malformed reply.
type watchedBody struct {
	rc       io.ReadCloser
	ctx      context.Context // the caller's
	watchdog *time.Timer
	timeout  time.Duration
	timedOut *atomic.Bool
	stop     func()
}

func (b *watchedBody) Read(p []byte) (int, error) {
	b.watchdog.Reset(b.timeout)
	n, err := b.rc.Read(p)
	b.watchdog.Stop()
	if err != nil && err != io.EOF {
		if b.timedOut.Load() {
			err = fmt.Errorf("no data for %s: %w", b.timeout, errTimeout)
		} else if cerr := b.ctx.Err(); cerr != nil {
			err = cerr
		}
	}
	return n, err
}
func (b *watchedBody) Close() error {
	err := b.rc.Close()
	b.stop()
	return err
}

// parseRetryAfter reads a Retry-After header in seconds or as an HTTP date.
func parseRetryAfter(v string, now time.Time) time.Duration {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0
	}
	if secs, err := strconv.ParseInt(v, 10, 64); err == nil || errors.Is(err, strconv.ErrRange) {
		// Clamped before multiplying: 9223372037 s (or an int64 out of
		// range) would overflow into a negative or tiny wait and turn the
		// server's "not for ages" into "at once".
		switch {
		case secs <= 0:
			return 0
		case secs > int64(math.MaxInt64/time.Second):
			return math.MaxInt64
		}
		return time.Duration(secs) * time.Second
	}
	if t, err := http.ParseTime(v); err == nil {
		if d := t.Sub(now); d > 0 {
			return d
		}
	}
	return 0
}

// isDialError reports whether err happened before any byte of the request
// could reach the server, which makes even a write safe to retry.
func isDialError(err error) bool {
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return true
	}
	var dns *net.DNSError
	return errors.As(err, &dns)
}

// defaultTransport keeps enough idle connections for a busy client: the
// standard transport keeps two per host, which makes 64 goroutines dial.
func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	return t
}

// discardHandler is slog.DiscardHandler, which needs Go 1.24.
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }

// guardRedirects returns a copy of hc that refuses redirects to any host
// other than the API's: query-mode credentials ride in the URL, and a
// redirect elsewhere would hand them to a stranger.
func guardRedirects(hc *http.Client, base *url.URL) *http.Client {
	cp := *hc
	next := hc.CheckRedirect
	cp.CheckRedirect = func(req *http.Request, via []*http.Request) error {
		if isWrite, _ := req.Context().Value(writeKey{}).(bool); isWrite {
			// Following would send the write again (307, 308) or turn it
			// into a bodiless GET whose success passes for the write's
			// (301, 302, 303); a POST read would lose its form the same
			// way: attempt makes the redirect an error.
			return http.ErrUseLastResponse
		}
		if !strings.EqualFold(req.URL.Host, base.Host) || (base.Scheme == "https" && req.URL.Scheme != "https") {
			return &redirectError{to: req.URL.Scheme + "://" + req.URL.Host, host: base.Host}
		}
		if next != nil {
			if err := next(req, via); err != nil {
				if err != http.ErrUseLastResponse {
					err = &stoppedRedirectError{err: err}
				}
				return err
			}
		} else if len(via) >= 10 {
			return &stoppedRedirectError{err: errors.New("stopped after 10 redirects")}
		}
		if req.Body == nil {
			// The next hop, built by net/http without a body, must not be
			// re-sent by the transport either: see newHTTPRequest.
			req.Body, req.TransferEncoding = noReplayBody{}, identityEncoding
		}
		return nil
	}
	return &cp
}

// writeKey marks the context of a request that is never redirected (a
// write, or a read with a body), for guardRedirects.
type writeKey struct{}

// stoppedRedirectError is a redirect the client's policy did not follow,
// such as the eleventh of a loop. It is final: the same request would meet
// the same redirects again.
type stoppedRedirectError struct{ err error }

func (e *stoppedRedirectError) Error() string { return e.err.Error() }
func (e *stoppedRedirectError) Unwrap() error { return e.err }

// writeRedirectError is a redirect in answer to a write. It is not
// followed, and the write is not sent again: the server may or may not
// have acted on it. It matches ErrUnexpectedReply.
type writeRedirectError struct {
	status int
	to     string // the Location, credentials redacted
}

func (e *writeRedirectError) Error() string {
	return fmt.Sprintf("write answered with a redirect (HTTP %d %s) to %s: not followed, a write (or a call with a body) is sent only once (it may or may not have taken effect)",
		e.status, http.StatusText(e.status), e.to)
}

// Is matches ErrUnexpectedReply.
func (e *writeRedirectError) Is(target error) bool { return target == ErrUnexpectedReply }

// isRedirect reports whether net/http follows status as a redirect.
func isRedirect(status int) bool {
	switch status {
	case http.StatusMovedPermanently, http.StatusFound, http.StatusSeeOther, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
		return true
	}
	return false
}

// redirectError is a refused redirect. It is final: sending the same request
// again would be redirected the same way (see shouldRetry).
type redirectError struct{ to, host string }

func (e *redirectError) Error() string {
	return fmt.Sprintf("refusing redirect to %s: credentials are only sent to %s", e.to, e.host)
}

// followRead follows a 307 or 308 in answer to a read. net/http leaves
// those to its caller because a read's body (noReplayBody) cannot be
// replayed; the hop is checked by the client's CheckRedirect (guardRedirects:
// same host, the caller's policy, at most 10 redirects in all) exactly as
// net/http checks the redirects it follows itself.
func (c *Client) followRead(resp *http.Response) (*http.Response, error) {
	for resp.StatusCode == http.StatusTemporaryRedirect || resp.StatusCode == http.StatusPermanentRedirect {
		loc, err := resp.Location()
		if err != nil {
			return resp, nil // no usable Location: the 3xx is the answer
		}
		prev := resp.Request
		next, err := http.NewRequestWithContext(prev.Context(), prev.Method, loc.String(), nil)
		if err != nil {
			drainClose(resp.Body)
			return nil, err
		}
		next.Header = prev.Header.Clone()
		next.Response = resp
		if err := c.http.CheckRedirect(next, redirectChain(resp)); err != nil {
			if err == http.ErrUseLastResponse {
				return resp, nil
			}
			drainClose(resp.Body)
			return nil, &url.Error{Op: prev.Method[:1] + strings.ToLower(prev.Method[1:]), URL: next.URL.String(), Err: err}
		}
		drainClose(resp.Body)
		if resp, err = c.http.Do(next); err != nil {
			return nil, err
		}
	}
	return resp, nil
}

// redirectChain returns the requests that led to resp, first to last, as
// net/http passes them to CheckRedirect.
func redirectChain(resp *http.Response) []*http.Request {
	var via []*http.Request
	for r := resp.Request; r != nil; r = r.Response.Request {
		via = append(via, r)
		if r.Response == nil {
			break
		}
	}
	slices.Reverse(via)
	return via
}
