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
type Option func(*Client) error

// WithBaseURL sets the API root, such as "https://api.bestedm.net/mm-ms/apinew/"
// or an on-premise installation's; a missing trailing slash is added.
func WithBaseURL(raw string) Option {
	return func(c *Client) error {
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
		c.baseURL = u
		return nil
	}
}

// WithHTTPClient sets the HTTP client used for requests. The client is
// copied, not modified: redirects to another host are refused on the copy.
func WithHTTPClient(hc *http.Client) Option {
	return func(c *Client) error {
		if hc == nil {
			return &ValidationError{Arg: "WithHTTPClient", Reason: "is nil"}
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
			return &ValidationError{Arg: "WithTimeout", Reason: "must be positive"}
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
		if err := checkHeaderText("WithUserAgent", ua); err != nil {
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
// read times in replies and to write instants (a task's send time) in
// requests; calendar days (date parameters, a birthday) are sent as written,
// not converted. The default is UTC+8 (China), as a fixed zone so no tzdata
// is needed.
func WithLocation(loc *time.Location) Option {
	return func(c *Client) error {
		if loc == nil {
			return &ValidationError{Arg: "WithLocation", Reason: "is nil"}
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
			return &ValidationError{Arg: "WithAuthMode", Reason: "unknown mode"}
		}
		if m == AuthBasic && c.creds.password.reveal() == "" {
			return &ValidationError{Arg: "WithAuthMode", Reason: "basic auth needs the plain password, not its hash"}
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
			return &ValidationError{Arg: "WithMaxReplySize", Reason: "must be positive"}
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
