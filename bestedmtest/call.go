package bestedmtest

import (
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bestedm/bestedm-go"
)

// call is one request being handled.
type call struct {
	s              *Server
	st             *state
	now            time.Time
	req            *http.Request
	query          url.Values
	form           url.Values // the POST body's fields
	files          []upload
	bodySize       int64 // bytes of the body read
	script, action string
	cust           *customer // the customer the call acts for
	manager        bool      // authenticated as the administrator
}

// abort carries an error reply out of a handler (see stop).
type abort struct{ rep reply }

// stop ends the handler with rep; dispatch recovers it. Handlers validate
// parameter by parameter, and this keeps each check to one line.
func (c *call) stop(rep reply) { panic(abort{rep}) }

// param returns a parameter from the POST body or the query string; the
// body wins, as with PHP's $_REQUEST. username, password and do are only
// read from the query string (§4.9.1).
func (c *call) param(name string) string {
	if vs, ok := c.form[name]; ok && len(vs) > 0 {
		return vs[0]
	}
	return c.query.Get(name)
}

func (c *call) has(name string) bool {
	return c.form.Has(name) || c.query.Has(name)
}

// str is a trimmed parameter.
func (c *call) str(name string) string { return strings.TrimSpace(c.param(name)) }

// requireStr is a trimmed parameter that must not be empty.
func (c *call) requireStr(name string) string {
	v := c.str(name)
	if v == "" {
		c.stop(paramError(name))
	}
	return v
}

// optInt reads an integer parameter: absent or empty gives def, anything
// but an integer is a param_error.
func (c *call) optInt(name string, def int64) int64 {
	v := c.str(name)
	if v == "" {
		return def
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		c.stop(paramError(name))
	}
	return n
}

// requireID reads a required id: missing, empty or not a positive integer
// is a param_error.
func (c *call) requireID(name string) int64 {
	n := c.optInt(name, 0)
	if n <= 0 {
		c.stop(paramError(name))
	}
	return n
}

// oneOf reads an integer parameter that must be one of allowed.
func (c *call) oneOf(name string, def int64, allowed ...int64) int64 {
	n := c.optInt(name, def)
	for _, a := range allowed {
		if n == a {
			return n
		}
	}
	c.stop(paramError(name))
	return 0
}

// date reads a YYYY-MM-DD parameter (one-digit month and day accepted).
func (c *call) date(name string, required bool) (time.Time, bool) {
	v := c.str(name)
	if v == "" {
		if required {
			c.stop(paramError(name))
		}
		return time.Time{}, false
	}
	t, err := parseDate(v)
	if err != nil {
		c.stop(paramError(name))
	}
	return t, true
}

func parseDate(v string) (time.Time, error) {
	return time.ParseInLocation("2006-1-2", v, chinaZone)
}

// taskTime reads a task time, "2012-7-4 16:08" (§6.2), seconds optional.
func (c *call) taskTime(name string) (time.Time, bool) {
	v := c.str(name)
	if v == "" {
		return time.Time{}, false
	}
	for _, layout := range []string{"2006-1-2 15:04", "2006-1-2 15:04:05"} {
		if t, err := time.ParseInLocation(layout, v, chinaZone); err == nil {
			return t, true
		}
	}
	c.stop(paramError(name))
	return time.Time{}, false
}

// paging reads page and limit. A list is paged when page is present (or,
// with limitPages, when limit is); otherwise it is returned whole.
func (c *call) paging(defLimit int64, limitPages bool) (page, limit int64, paged bool) {
	paged = c.str("page") != "" || (limitPages && c.str("limit") != "")
	if !paged {
		return 0, 0, false
	}
	page = c.optInt("page", 1)
	limit = c.optInt("limit", defLimit)
	if page < 1 {
		c.stop(paramError("page"))
	}
	if limit < 1 {
		c.stop(paramError("limit"))
	}
	return page, limit, true
}

// pageBounds returns the [from, to) slice bounds of a page over n items.
func pageBounds(n int, page, limit int64, paged bool) (from, to int) {
	if !paged {
		return 0, n
	}
	start := (page - 1) * limit
	if start >= int64(n) {
		return n, n
	}
	return int(start), int(min(int64(n), start+limit))
}

// validEmail is the fake's server-side check of an address: the SDK's own
// rule (Address.Validate), so that a test against the fake never sees the
// server drop an address the SDK let through, nor the reverse. The real
// service's rule is not documented.
func validEmail(s string) bool {
	return (&bestedm.Address{Email: s}).Validate() == nil
}

// validDomain checks a domain name's shape.
func validDomain(s string) bool {
	return validEmail("x@" + s)
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
