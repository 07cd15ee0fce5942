package bestedm

import (
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bestedm/bestedm-go/internal/xmlbind"
)

// Version is the SDK's version, sent in the default User-Agent.
const Version = "1.0.0"

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
