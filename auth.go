package bestedm

import (
	"crypto/md5"
	"encoding/hex"
	"net/http"
	"net/url"
	"strings"
)

// AuthMode selects how credentials travel with each request (doc §9).
type AuthMode int

const (
	// AuthBasic sends an HTTP Basic Authorization header with the plain
	// password. It is the default: every public client of this API found in
	// production uses it (docs/wire-format.md), and it keeps credentials out of
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
