package bestedm

import (
	"crypto/md5"
	"encoding/hex"
	"errors"
	"net/http"
	"net/url"
	"strings"
)

// AuthMode selects how credentials travel with each request (doc §9).
type AuthMode int

const (
	// AuthBasic sends an HTTP Basic Authorization header with the plain
	// password. It is the default: every public client of this API found in
	// production uses it (docs/wire-format.md#auth-basic), and it keeps credentials out of
	// URLs, so out of proxy and server access logs.
	AuthBasic AuthMode = iota + 1
	// AuthQuery sends username and the lower-case hex MD5 of the password
	// as query parameters, as the body of the document shows.
	AuthQuery
)

// String returns "basic" or "query".
func (m AuthMode) String() string {
	switch m {
	case AuthBasic:
		return "basic"
	case AuthQuery:
		return "query"
	}
	return "unknown"
}

// credentials holds the secrets; its String and GoString methods keep them
// out of %v, %+v and %#v of a Client.
type credentials struct {
	username string
	password secret // plain; empty when only the hash is known
	hash     secret // lower-case hex MD5 of the password
	mode     AuthMode
	// sealed is every secret as searched for, computed once by seal when
	// NewClient is done: redaction runs on every error and log record.
	// A func, so that fmt (even %s of a Client value, whose bad-verb path
	// prints a pointer to a slice as &[…]) shows only an address.
	sealed func() []secretForm
}

// secret holds a credential behind a pointer. fmt prints a pointer nested in
// a struct as an address, whereas a string field is printed as is: %s or %q
// of a Client value (not pointer) prints its fields one by one, and showed
// the password and its hash when they were plain strings.
type secret struct{ p *string }

func newSecret(s string) secret {
	if s == "" {
		return secret{}
	}
	return secret{p: &s}
}

// reveal returns the secret's text, "" when unset.
func (s secret) reveal() string {
	if s.p == nil {
		return ""
	}
	return *s.p
}

func (c *credentials) String() string   { return "credentials{" + c.username + ", REDACTED}" }
func (c *credentials) GoString() string { return c.String() }

// HashPassword returns the lower-case hex MD5 of password, the form the
// query-string mode sends (doc §1.1).
func HashPassword(password string) string {
	sum := md5.Sum([]byte(password))
	return hex.EncodeToString(sum[:])
}

func isMD5Hex(s string) bool {
	if len(s) != 32 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// apply adds the credentials to req; query mode puts them first in the
// query string, before the call's own parameters.
func (c *credentials) apply(req *http.Request, q url.Values) string {
	switch c.mode {
	case AuthQuery:
		var sb strings.Builder
		sb.WriteString("username=")
		sb.WriteString(url.QueryEscape(c.username))
		sb.WriteString("&password=")
		sb.WriteString(c.hash.reveal())
		if enc := q.Encode(); enc != "" {
			sb.WriteByte('&')
			sb.WriteString(enc)
		}
		return sb.String()
	default:
		req.SetBasicAuth(c.username, c.password.reveal())
		return q.Encode()
	}
}

// redact removes every secret long enough to be searched for from s, text
// the SDK composed (see redact.go). It is applied wherever a URL leaves
// the package (errors and log records).
func (c *credentials) redact(s string) string {
	if c == nil {
		return s
	}
	return (&redactor{forms: c.sealedForms()}).trusted(s)
}

// sealedForms lists every secret of the credentials as searched for.
func (c *credentials) sealedForms() []secretForm {
	if c.sealed != nil {
		return c.sealed()
	}
	return c.forms()
}

// seal fixes the list of secrets; the credentials must not change after.
func (c *credentials) seal() {
	list := c.forms()
	c.sealed = func() []secretForm { return list }
}

func basicToken(user, pass string) string {
	r, _ := http.NewRequest(http.MethodGet, "http://x/", nil)
	r.SetBasicAuth(user, pass)
	return strings.TrimPrefix(r.Header.Get("Authorization"), "Basic ")
}

// secretParams are query parameters whose values are hidden in URLs shown in
// errors and logs: the account password (query mode) and a mailbox password
// (§7.5, §7.7; the SDK sends that one in a POST body, but a URL from a
// redirect or a server message may carry it).
var secretParams = []string{"password", "pwd"}

// redactURL hides secret query parameters and any userinfo.
func (c *Client) redactURL(u *url.URL) string {
	cp := *u
	cp.User = nil
	if cp.RawQuery == "" {
		return c.creds.redact(cp.String())
	}
	q := cp.Query()
	changed := false
	for _, name := range secretParams {
		if q.Has(name) {
			q.Set(name, "REDACTED")
			changed = true
		}
	}
	if changed {
		cp.RawQuery = q.Encode()
	}
	return c.creds.redact(cp.String())
}

// secretsKey is the context key under which attempt stores a request's own
// secrets, so that every error built from its reply can find them.
type secretsKey struct{}

// redactText removes the client's credentials, and the secrets of the
// request req belongs to (if any), from s, text from the server.
func (c *Client) redactText(req *http.Request, s string) string {
	return c.redactorFor(req, nil).untrusted(s)
}

// redactErr returns err with every error in its chain redacted of the
// client's credentials and the secrets of req (if any): see redactor.err.
func (c *Client) redactErr(req *http.Request, err error) error {
	return c.redactorFor(req, nil).err(c, err)
}

// redactURLError rewrites the URL inside a *url.Error (what http.Client
// returns), the path by which go-github once leaked tokens.
func redactURLError(err error, c *Client) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		cp := *ue
		if u, perr := url.Parse(ue.URL); perr == nil {
			cp.URL = c.redactURL(u)
		} else {
			cp.URL = c.creds.redact(ue.URL)
		}
		return &cp
	}
	return err
}
