package bestedm

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Option configures a Client in NewClient.
//
// Options are collected first and resolved once, when every one of them is
// known, so their order does not matter: the same options give the same
// Client, or the same error, in any order. An option given twice takes
// the last value.
type Option func(*clientOptions) error

// clientOptions is what the options ask for. Each option checks only its
// own argument; resolve checks how they combine.
type clientOptions struct {
	baseURL   *url.URL // nil: DefaultBaseURL
	http      *http.Client
	timeout   time.Duration
	userAgent string
	logger    *slog.Logger
	loc       *time.Location
	authMode  AuthMode // 0: not asked for
	hashed    bool     // WithPasswordHash
	maxReply  int64
	maxRecord int64
	retry     RetryPolicy
	limiter   RateLimiter
}

// WithBaseURL sets the API root, such as "https://api.bestedm.net/mm-ms/apinew/"
// (DefaultBaseURL), DocumentBaseURL or an on-premise installation's; a
// missing trailing slash is added.
func WithBaseURL(raw string) Option {
	return func(o *clientOptions) error {
		u, err := url.Parse(strings.TrimSpace(raw))
		if err != nil {
			return &ValidationError{Arg: "WithBaseURL", Reason: err.Error()}
		}
		if (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return &ValidationError{Arg: "WithBaseURL", Reason: fmt.Sprintf("%q is not an http(s) URL with a host", raw)}
		}
		if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
			return &ValidationError{Arg: "WithBaseURL", Reason: "must not carry credentials, a query or a fragment"}
		}
		if !strings.HasSuffix(u.Path, "/") {
			u.Path += "/"
		}
		o.baseURL = u
		return nil
	}
}

// WithHTTPClient sets the HTTP client used for requests. The client is
// copied, not modified: redirects to another host are refused on the copy.
func WithHTTPClient(hc *http.Client) Option {
	return func(o *clientOptions) error {
		if hc == nil {
			return &ValidationError{Arg: "WithHTTPClient", Reason: "is nil"}
		}
		o.http = hc
		return nil
	}
}

// WithTimeout sets the longest silence allowed: to connect and answer,
// between two reads of a reply body (so a long export that keeps arriving
// is not cut off), and between two pieces of an upload's body taken by the
// connection (so a large file that keeps sending is not cut off, while one
// whose reader or network stalls is). The default is 30 s; it must be
// positive. A call cut off by it fails with an error matching ErrTimeout.
func WithTimeout(d time.Duration) Option {
	return func(o *clientOptions) error {
		if d <= 0 {
			return &ValidationError{Arg: "WithTimeout", Reason: "must be positive"}
		}
		o.timeout = d
		return nil
	}
}

// WithUserAgent sets the User-Agent header (default "bestedm-go/<Version>").
// Text with control characters (CR, LF, NUL, tab, …) or invalid UTF-8 is a
// *ValidationError: it cannot be sent as a header.
func WithUserAgent(ua string) Option {
	return func(o *clientOptions) error {
		if err := checkHeaderText("WithUserAgent", ua); err != nil {
			return err
		}
		o.userAgent = ua
		return nil
	}
}

// WithLogger logs one debug record per HTTP attempt (method, URL with
// credentials redacted, status, duration), one debug record per decision
// to retry a call or not (with its reason), and one warning when the
// client is made to send credentials over plain HTTP to a host that is not
// loopback. The default logs nothing; nil keeps the default.
func WithLogger(l *slog.Logger) Option {
	return func(o *clientOptions) error {
		if l != nil {
			o.logger = l
		}
		return nil
	}
}

// WithLocation sets the time zone of the server's wall-clock times, used to
// read times in replies and to write instants (a task's send time) in
// requests; calendar days (date parameters, a birthday) are sent as written,
// not converted. The default is UTC+8 (China), as a fixed zone so no tzdata
// is needed.
func WithLocation(loc *time.Location) Option {
	return func(o *clientOptions) error {
		if loc == nil {
			return &ValidationError{Arg: "WithLocation", Reason: "is nil"}
		}
		o.loc = loc
		return nil
	}
}

// WithAuthMode chooses how credentials are sent: AuthBasic (the default,
// unless WithPasswordHash is given) or AuthQuery. AuthBasic together with
// WithPasswordHash is an error, in either order: Basic auth sends the
// plain password, which a hash cannot give.
func WithAuthMode(m AuthMode) Option {
	return func(o *clientOptions) error {
		if m != AuthBasic && m != AuthQuery {
			return &ValidationError{Arg: "WithAuthMode", Reason: "unknown mode"}
		}
		o.authMode = m
		return nil
	}
}

// WithPasswordHash says that the password given to NewClient is already the
// 32-digit hex MD5 of the account password. It selects AuthQuery, the only
// mode that can work without the plain password.
func WithPasswordHash() Option {
	return func(o *clientOptions) error {
		o.hashed = true
		return nil
	}
}

// WithMaxReplySize caps how many bytes of a reply are read when it is
// decoded whole (default 64 MiB); iterators and exports stream and are not
// capped. A larger reply fails with an error matching ErrReplyTooLarge.
func WithMaxReplySize(n int64) Option {
	return func(o *clientOptions) error {
		if n <= 0 {
			return &ValidationError{Arg: "WithMaxReplySize", Reason: "must be positive"}
		}
		o.maxReply = n
		return nil
	}
}

// RateLimiter paces requests; *golang.org/x/time/rate.Limiter satisfies it.
type RateLimiter interface {
	Wait(ctx context.Context) error
}

// WithRateLimiter makes every HTTP attempt wait for l first.
func WithRateLimiter(l RateLimiter) Option {
	return func(o *clientOptions) error { o.limiter = l; return nil }
}

// defaultOptions are the options of a Client that was given none.
func defaultOptions() clientOptions {
	return clientOptions{
		userAgent: "bestedm-go/" + Version,
		logger:    slog.New(discardHandler{}),
		loc:       time.FixedZone("UTC+8", 8*60*60),
		timeout:   defaultTimeout,
		maxReply:  defaultMaxReplySize,
		maxRecord: defaultMaxRecordSize,
		retry:     DefaultRetryPolicy(),
	}
}

// resolve checks how the options combine, now that all of them are known,
// and returns the credentials they give.
func (o *clientOptions) resolve(username, password string) (*credentials, error) {
	creds := &credentials{username: username, mode: AuthBasic}
	if o.hashed {
		if o.authMode == AuthBasic {
			return nil, &ValidationError{Arg: "WithAuthMode", Reason: "basic auth needs the plain password, and WithPasswordHash gives only its hash: use AuthQuery"}
		}
		h := strings.ToLower(strings.TrimSpace(password))
		if !isMD5Hex(h) {
			return nil, &ValidationError{Field: "password", Reason: "is not a 32-digit hex MD5 hash"}
		}
		creds.hash, creds.mode = newSecret(h), AuthQuery
	} else {
		creds.password, creds.hash = newSecret(password), newSecret(HashPassword(password))
		if o.authMode != 0 {
			creds.mode = o.authMode
		}
	}
	if creds.mode == AuthBasic && strings.Contains(username, ":") {
		// RFC 7617: the first colon of the Basic credentials ends the
		// user-id, so the server would read another user and password.
		return nil, &ValidationError{Field: "username", Reason: "contains a colon, which Basic auth cannot carry (RFC 7617); use WithAuthMode(AuthQuery)"}
	}
	if o.baseURL == nil {
		o.baseURL, _ = url.Parse(DefaultBaseURL)
	}
	if o.http == nil {
		o.http = &http.Client{Transport: defaultTransport()}
	}
	return creds, nil
}
