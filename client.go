package bestedm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"strings"
	"time"

	"github.com/bestedm/bestedm-go/internal/xmlbind"
)

// Version is the SDK's version, sent in the default User-Agent.
const Version = "1.0.0"

// DefaultBaseURL is the API root a Client calls unless WithBaseURL says
// otherwise: the service's HTTPS root, as production clients use it
// (docs/wire-format.md#hosts). Over HTTPS neither authentication mode
// exposes the password, or its unsalted MD5, on the network.
const DefaultBaseURL = "https://api.bestedm.net/mm-ms/apinew/"

// DocumentBaseURL is the root the API document gives, over plain HTTP:
// WithBaseURL(DocumentBaseURL) calls it. Credentials then travel in clear
// (Basic auth's base64, or query auth's MD5, which is as good as the
// password here), and the client logs a warning once, when it is made.
// The older ".../mm-ms/api/" path and the .net hosts work too.
const DocumentBaseURL = "http://www.bestedm.org/mm-ms/apinew/"

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

// NewClient returns a client for the account username. password is the plain
// account password, unless WithPasswordHash says it is already the MD5 hash.
// The options are resolved together, whatever their order (see Option).
func NewClient(username, password string, opts ...Option) (*Client, error) {
	if strings.TrimSpace(username) == "" {
		return nil, &ValidationError{Field: "username", Reason: "is empty"}
	}
	if password == "" {
		return nil, &ValidationError{Field: "password", Reason: "is empty"}
	}
	o := defaultOptions()
	for _, opt := range opts {
		if opt == nil {
			continue
		}
		if err := opt(&o); err != nil {
			return nil, err
		}
	}
	creds, err := o.resolve(username, password)
	if err != nil {
		return nil, err
	}
	creds.seal()
	c := &Client{
		baseURL:   o.baseURL,
		http:      guardRedirects(o.http, o.baseURL),
		userAgent: o.userAgent,
		creds:     creds,
		logger:    o.logger,
		loc:       o.loc,
		timeout:   o.timeout,
		maxReply:  o.maxReply,
		maxRecord: o.maxRecord,
		retry:     o.retry,
		limiter:   o.limiter,
		binder:    &xmlbind.Binder{Location: o.loc, Limits: xmlbind.Limits{Record: o.maxRecord}},
		clock:     realClock{},
	}
	c.warnPlainHTTP()
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

// Environment variables NewClientFromEnv reads; the CLI reads the same.
const (
	EnvUsername = "BESTEDM_USERNAME" // the account's user name
	EnvPassword = "BESTEDM_PASSWORD" // its password
	EnvBaseURL  = "BESTEDM_BASE_URL" // the API root; DefaultBaseURL when unset or empty
)

// NewClientFromEnv is NewClient for the account named by the environment:
// the user name in BESTEDM_USERNAME, the password in BESTEDM_PASSWORD and,
// when set, the API root in BESTEDM_BASE_URL (as `bestedm fake` prints
// them). opts apply on top, whatever their order: an explicit WithBaseURL
// wins over BESTEDM_BASE_URL. A variable that is unset or empty, or a root
// that WithBaseURL refuses, is a *ValidationError whose Arg names the
// variable.
func NewClientFromEnv(opts ...Option) (*Client, error) {
	user, pass := os.Getenv(EnvUsername), os.Getenv(EnvPassword)
	if strings.TrimSpace(user) == "" {
		return nil, &ValidationError{Arg: EnvUsername, Reason: "is not set"}
	}
	if pass == "" {
		return nil, &ValidationError{Arg: EnvPassword, Reason: "is not set"}
	}
	var all []Option
	if base := os.Getenv(EnvBaseURL); base != "" {
		var o clientOptions
		if err := WithBaseURL(base)(&o); err != nil {
			var ve *ValidationError
			if errors.As(err, &ve) {
				ve.Arg = EnvBaseURL
			}
			return nil, err
		}
		all = append(all, WithBaseURL(base))
	}
	return NewClient(user, pass, append(all, opts...)...)
}

// warnPlainHTTP logs, once for the client, that its credentials will go
// over plain HTTP, unless the host is loopback (a fake or a tunnel on this
// machine).
func (c *Client) warnPlainHTTP() {
	if c.baseURL.Scheme != "http" || isLoopback(c.baseURL.Hostname()) {
		return
	}
	c.logger.LogAttrs(context.Background(), slog.LevelWarn, "bestedm: credentials will be sent over plain HTTP",
		slog.String("host", c.baseURL.Host),
		slog.String("auth", c.creds.mode.String()),
		slog.String("advice", "use an https:// root such as bestedm.DefaultBaseURL"))
}

// isLoopback reports whether host names this machine: "localhost" (and
// its subdomains, RFC 6761) or a loopback IP address.
func isLoopback(host string) bool {
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	ip := net.ParseIP(host)
	return ip != nil && ip.IsLoopback()
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
