package bestedm

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/google/go-querystring/query"

	"github.com/bestedm/bestedm-go/internal/xmlbind"
)

// Version is the SDK's version, sent in the default User-Agent.
const Version = "0.1.0"

// DefaultBaseURL is the documented API root. The older ".../mm-ms/api/"
// path, the .net hosts (some over HTTPS) and on-premise installations work
// too: see WithBaseURL.
const DefaultBaseURL = "http://www.bestedm.org/mm-ms/apinew/"

const (
	defaultTimeout      = 30 * time.Second
	defaultMaxReplySize = 64 << 20 // for replies decoded whole, not streams
	snippetSize         = 256
)

// Client talks to one bestedm account. Configure it once with options; it
// is then safe for concurrent use by many goroutines.
type Client struct {
	baseURL   *url.URL
	http      *http.Client
	userAgent string
	creds     *credentials
	logger    *slog.Logger
	loc       *time.Location
	timeout   time.Duration
	maxReply  int64
	maxRecord int64
	retry     RetryPolicy
	limiter   RateLimiter
	binder    *xmlbind.Binder
	clock     clock

	// Services, one per section of the API document.
	Account   *AccountService   // §1 account information
	Statistic *StatisticService // §2 sending statistics
	Task      *TaskService      // §2.1, §5.1, §6 sending tasks
	Track     *TrackService     // §3 open and click tracking
	Maillist  *MaillistService  // §4 contact lists and addresses
	Template  *TemplateService  // §5 templates and attachments
	Domain    *DomainService    // §7 sender domains and mailboxes
}

// service is the shared plumbing every section's service type is made of.
type service struct{ client *Client }

// Option configures a Client in NewClient.
type Option func(*Client) error

// NewClient returns a client for the account username. password is the plain
// account password, unless WithPasswordHash says it is already the MD5 hash.
func NewClient(username, password string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(username) == "" {
		return nil, &ValidationError{Field: "username", Reason: "is empty"}
	}
	if password == "" {
		return nil, &ValidationError{Field: "password", Reason: "is empty"}
	}
	base, _ := url.Parse(DefaultBaseURL)
	c := &Client{
		baseURL:   base,
		userAgent: "bestedm-go/" + Version,
		creds:     &credentials{username: username, password: newSecret(password), mode: AuthBasic},
		logger:    slog.New(discardHandler{}),
		loc:       time.FixedZone("UTC+8", 8*60*60),
		timeout:   defaultTimeout,
		maxReply:  defaultMaxReplySize,
		maxRecord: defaultMaxRecordSize,
		retry:     DefaultRetryPolicy(),
		clock:     realClock{},
	}
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(c); err != nil {
			return nil, err
		}
	}
	if c.creds.mode == AuthBasic && strings.Contains(username, ":") {
		// RFC 7617: the first colon of the Basic credentials ends the
		// user-id, so the server would read another user and password.
		return nil, &ValidationError{Field: "username", Reason: "contains a colon, which Basic auth cannot carry (RFC 7617); use WithAuthMode(AuthQuery)"}
	}
	if c.creds.hash.reveal() == "" {
		c.creds.hash = newSecret(HashPassword(c.creds.password.reveal()))
	}
	c.creds.seal()
	if c.http == nil {
		c.http = &http.Client{Transport: defaultTransport()}
	}
	c.http = guardRedirects(c.http, c.baseURL)
	c.binder = &xmlbind.Binder{Location: c.loc, Limits: xmlbind.Limits{Record: c.maxRecord}}
	s := &service{client: c}
	c.Account = (*AccountService)(s)
	c.Statistic = (*StatisticService)(s)
	c.Task = (*TaskService)(s)
	c.Track = (*TrackService)(s)
	c.Maillist = (*MaillistService)(s)
	c.Template = (*TemplateService)(s)
	c.Domain = &DomainService{client: c}
	return c, nil
}

// String keeps credentials out of fmt output.
func (c *Client) String() string {
	if !c.usable() {
		return "bestedm.Client{not set up}"
	}
	return fmt.Sprintf("bestedm.Client{base: %s, user: %s, auth: %s}", c.baseURL, c.creds.username, c.creds.mode)
}

// GoString keeps credentials out of %#v.
func (c *Client) GoString() string { return c.String() }

// BaseURL returns a copy of the API root the client calls, nil for a
// Client not made by NewClient.
func (c *Client) BaseURL() *url.URL {
	if !c.usable() {
		return nil
	}
	u := *c.baseURL
	return &u
}

// Location returns the time zone server times are read and written in.
func (c *Client) Location() *time.Location { return orUnusable(c).loc }

// WithBaseURL sets the API root, such as "https://api.bestedm.net/mm-ms/apinew/"
// or an on-premise installation's; a missing trailing slash is added.
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil {
			return &ValidationError{Field: "base URL", Reason: err.Error()}
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &ValidationError{Field: "base URL", Reason: fmt.Sprintf("%q is not an http(s) URL with a host", raw)}
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return &ValidationError{Field: "base URL", Reason: "must not carry credentials, a query or a fragment"}
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		c.baseURL = u
		return nil
	}
}

// WithHTTPClient sets the HTTP client used for requests. The client is
// copied, not modified: redirects to another host are refused on the copy.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return &ValidationError{Field: "http client", Reason: "is nil"}
		}
		c.http = hc
		return nil
	}
}

// WithTimeout sets the longest silence allowed: to connect and answer,
// between two reads of a reply body (so a long export that keeps arriving
// is not cut off), and between two pieces of an upload's body taken by the
// connection (so a large file that keeps sending is not cut off, while one
// whose reader or network stalls is). The default is 30 s; it must be
// positive.
func WithTimeout(d time.Duration) Option {
	return func(c *Client) error {
		if d <= 0 {
			return &ValidationError{Field: "timeout", Reason: "must be positive"}
		}
		c.timeout = d
		return nil
	}
}

// WithUserAgent sets the User-Agent header (default "bestedm-go/<Version>").
// Text with control characters (CR, LF, NUL, tab, …) or invalid UTF-8 is a
// *ValidationError: it cannot be sent as a header.
func WithUserAgent(ua string) Option {
	return func(c *Client) error {
		if err := checkHeaderText("user agent", ua); err != nil {
			return err
		}
		c.userAgent = ua
		return nil
	}
}

// WithLogger logs one debug record per HTTP attempt (method, URL with
// credentials redacted, status, duration). The default logs nothing.
func WithLogger(l *slog.Logger) Option {
	return func(c *Client) error {
		if l != nil {
			c.logger = l
		}
		return nil
	}
}

// WithLocation sets the time zone of the server's wall-clock times, used to
// read times in replies and to write dates and times in requests. The
// default is UTC+8 (China), as a fixed zone so no tzdata is needed.
func WithLocation(loc *time.Location) Option {
	return func(c *Client) error {
		if loc == nil {
			return &ValidationError{Field: "location", Reason: "is nil"}
		}
		c.loc = loc
		return nil
	}
}

// WithAuthMode chooses how credentials are sent: AuthBasic (default) or
// AuthQuery.
func WithAuthMode(m AuthMode) Option {
	return func(c *Client) error {
		if m != AuthBasic && m != AuthQuery {
			return &ValidationError{Field: "auth mode", Reason: "unknown mode"}
		}
		if m == AuthBasic && c.creds.password.reveal() == "" {
			return &ValidationError{Field: "auth mode", Reason: "basic auth needs the plain password, not its hash"}
		}
		c.creds.mode = m
		return nil
	}
}

// WithPasswordHash says that the password given to NewClient is already the
// 32-digit hex MD5 of the account password. It selects AuthQuery, the only
// mode that can work without the plain password.
func WithPasswordHash() Option {
	return func(c *Client) error {
		h := strings.ToLower(strings.TrimSpace(c.creds.password.reveal()))
		if c.creds.hash.reveal() != "" {
			h = c.creds.hash.reveal()
		}
		if !isMD5Hex(h) {
			return &ValidationError{Field: "password", Reason: "is not a 32-digit hex MD5 hash"}
		}
		c.creds.hash, c.creds.password, c.creds.mode = newSecret(h), secret{}, AuthQuery
		return nil
	}
}

// WithMaxReplySize caps how many bytes of a reply are read when it is
// decoded whole (default 64 MiB); iterators and exports stream and are not
// capped. A larger reply fails with an error matching ErrReplyTooLarge.
func WithMaxReplySize(n int64) Option {
	return func(c *Client) error {
		if n <= 0 {
			return &ValidationError{Field: "max reply size", Reason: "must be positive"}
		}
		c.maxReply = n
		return nil
	}
}

// RateLimiter paces requests; *golang.org/x/time/rate.Limiter satisfies it.
type RateLimiter interface {
	Wait(ctx context.Context) error
}

// WithRateLimiter makes every HTTP attempt wait for l first.
func WithRateLimiter(l RateLimiter) Option {
	return func(c *Client) error { c.limiter = l; return nil }
}

// defaultTransport keeps enough idle connections for a busy client: the
// standard transport keeps two per host, which makes 64 goroutines dial.
func defaultTransport() *http.Transport {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	return t
}

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
			// (301, 302, 303): attempt makes the redirect an error.
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

// writeKey marks the context of a write's HTTP request, for guardRedirects.
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
	return fmt.Sprintf("write answered with a redirect (HTTP %d %s) to %s: not followed, a write is sent only once (it may or may not have taken effect)",
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

// discardHandler is slog.DiscardHandler, which needs Go 1.24.
type discardHandler struct{}

func (discardHandler) Enabled(context.Context, slog.Level) bool  { return false }
func (discardHandler) Handle(context.Context, slog.Record) error { return nil }
func (d discardHandler) WithAttrs([]slog.Attr) slog.Handler      { return d }
func (d discardHandler) WithGroup(string) slog.Handler           { return d }

// request describes one API call.
type request struct {
	method string     // GET or POST
	script string     // e.g. "mloperate.php"
	action string     // the do= value; empty for scripts that take none
	query  url.Values // parameters in the query string
	form   url.Values // parameters in a form-encoded POST body
	upload *upload    // a multipart POST body
	write  bool       // changes state: retried only if it never reached the server
	// secrets are values sent in the body that must stay out of errors and
	// logs even if the server echoes them, such as a mailbox password.
	secrets []string
}

func get(script, action string, q url.Values) *request {
	return &request{method: http.MethodGet, script: script, action: action, query: q}
}

// getWrite is a GET that changes state: the field notes show most writes
// sent as GET; write keeps them from being retried or replayed unsafely.
func getWrite(script, action string, q url.Values) *request {
	return &request{method: http.MethodGet, script: script, action: action, query: q, write: true}
}

// postForm is a write with a form-encoded POST body: for free text and
// secrets, which must not go in a URL.
func postForm(script, action string, q, form url.Values) *request {
	return &request{method: http.MethodPost, script: script, action: action, query: q, form: form, write: true}
}

// postUpload is a write with a multipart/form-data body (files).
func postUpload(script, action string, q url.Values, up *upload) *request {
	return &request{method: http.MethodPost, script: script, action: action, query: q, upload: up, write: true}
}

// idQuery is a query holding one id parameter.
func idQuery(name string, id int64) url.Values {
	return url.Values{name: {itoa(id)}}
}

// encodeParams turns a parameter struct (url: tags, go-querystring) into
// values. Instants (a time field whose layout has a time of day) are first
// moved to the client's zone on a copy, so the caller's struct is never
// modified; calendar days (layout "2006-01-02") are sent as written.
func (c *Client) encodeParams(params any) (url.Values, error) {
	if params == nil {
		return url.Values{}, nil
	}
	rv := reflect.ValueOf(params)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return url.Values{}, nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Struct {
		cp := reflect.New(rv.Type()).Elem()
		cp.Set(rv)
		for i := 0; i < cp.NumField(); i++ {
			if f := cp.Field(i); f.Type() == reflect.TypeOf(time.Time{}) && f.CanSet() &&
				isInstantLayout(rv.Type().Field(i).Tag.Get("layout")) {
				if t := f.Interface().(time.Time); !t.IsZero() {
					f.Set(reflect.ValueOf(t.In(c.loc)))
				}
			}
		}
		params = cp.Interface()
	}
	v, err := query.Values(params)
	if err != nil {
		return nil, fmt.Errorf("bestedm: encoding parameters: %w", err)
	}
	return v, nil
}

// callName is the method and redacted URL of a request, for errors and
// logs: the request as the SDK made it, not a redirect the server chose.
func (c *Client) callName(req *http.Request) string {
	req = originalRequest(req)
	return req.Method + " " + c.redactURL(req.URL)
}

// newHTTPRequest builds one attempt of r. Bodies are rebuilt on every call,
// so a retried request sends identical bytes.
func (c *Client) newHTTPRequest(ctx context.Context, r *request) (*http.Request, error) {
	u := c.baseURL.ResolveReference(&url.URL{Path: r.script})
	q := url.Values{}
	for k, v := range r.query {
		q[k] = v
	}
	if r.action != "" {
		q.Set("do", r.action)
	}
	var body io.Reader
	var contentType string
	switch {
	case r.upload != nil:
		pr, ct, err := r.upload.open()
		if err != nil {
			return nil, err
		}
		body, contentType = pr, ct
	case r.form != nil:
		b := []byte(r.form.Encode())
		body, contentType = bytes.NewReader(b), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("bestedm: building request: %w", err)
	}
	if r.write {
		// A write's body must not be replayable by net/http itself. With
		// GetBody (which NewRequest sets for a bytes.Reader) the HTTP/2
		// transport re-sends a request whose stream the server reset or
		// cut off by GOAWAY even after the server has read it whole, on
		// the same or a new connection, for as long as the server keeps
		// doing so; and a 307/308 redirect would re-send it. Retries are
		// the SDK's decision alone (shouldRetry). The price is that
		// HTTP/1.1's transparent retry of a request whose connection was
		// found dead before a byte was written is lost for POST writes.
		req.GetBody = nil
	}
	if body == nil {
		// Only the SDK's retry policy may send a request again, read or
		// write. net/http sends a GET again by itself when a kept-alive
		// connection closes before the reply starts, and its HTTP/2 code
		// re-sends a request with no body after a reset stream or a GOAWAY,
		// with no limit, for as long as the server keeps answering so: a
		// read meets the SDK's count and backoff only after its deadline,
		// and a write sent with GET (add-task, ml-addr-del, …) that has
		// reached the server may be created twice. An empty body that
		// cannot be replayed (no GetBody) opts the request out of both.
		// Over HTTP/2 it costs an empty DATA frame. Over HTTP/1.1 the
		// "identity" transfer encoding sends it as nothing at all (no
		// Content-Length, no chunking: a request without either has no
		// body) and spares the transport its probe of a body of unknown
		// length, a goroutine and a timer per request.
		req.Body = noReplayBody{}
		req.TransferEncoding = identityEncoding
	}
	if r.upload != nil && r.upload.length >= 0 {
		// Known length: sent with Content-Length, not chunked (see
		// upload.contentLength).
		req.ContentLength = r.upload.length
	}
	req.URL.RawQuery = c.creds.apply(req, q)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/xml, text/xml, text/plain, */*")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	return req, nil
}

// noReplayBody is the empty body of every request sent without one (all
// reads, and writes sent with GET): see newHTTPRequest.
type noReplayBody struct{}

func (noReplayBody) Read([]byte) (int, error) { return 0, io.EOF }
func (noReplayBody) Close() error             { return nil }

// WriteTo lets io.Copy skip the copy buffer.
func (noReplayBody) WriteTo(io.Writer) (int64, error) { return 0, nil }

// identityEncoding is the TransferEncoding of a request whose body is
// noReplayBody; shared, never modified.
var identityEncoding = []string{"identity"}

// do sends r, retrying as the policy allows, and returns a 2xx response
// whose body the caller must close. A non-2xx status becomes *HTTPError.
func (c *Client) do(ctx context.Context, r *request) (*http.Response, error) {
	if !c.usable() {
		return nil, errNoClient()
	}
	if ctx == nil {
		return nil, &ValidationError{Field: "ctx", Reason: "is nil"}
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
	if r.write {
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
	if err == nil && !r.write {
		resp, err = c.followRead(resp)
	}
	if err != nil {
		stop()
		if timedOut.Load() && ctx.Err() == nil {
			err = fmt.Errorf("no answer within %s: %w", c.timeout, errTimeout)
		}
		call := c.callName(req)
		if c.logger.Enabled(ctx, slog.LevelDebug) {
			c.log(ctx, call, n, 0, time.Since(start), c.redactErr(req, redactURLError(err, c)))
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
	if r.write && isRedirect(resp.StatusCode) {
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
	red.own = []string{strings.TrimPrefix(call, r.method+" ")}
	return &RequestError{Call: call, Attempts: attempts, Err: red.err(c, redactURLError(err, c))}
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
