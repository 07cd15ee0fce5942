package bestedmtest

import (
	"bytes"
	"fmt"
	"math"
	"net/http"
	"strconv"
	"time"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

// Match selects requests by script and do= action; an empty field matches
// anything, so Match{} matches every request.
type Match struct {
	Script string // e.g. "mloperate.php"
	Action string // e.g. "ml-addr-list"
}

func (m Match) matches(script, action string) bool {
	return (m.Script == "" || m.Script == script) && (m.Action == "" || m.Action == action)
}

type faultKind int

const (
	faultStatus faultKind = iota + 1
	faultDelay
	faultDrop
	faultDropMidBody
	faultTruncate
	faultMalformed
	faultGBK
	faultBOM
	faultEmpty
)

// Fault is a failure to inject; build one with the functions below.
type Fault struct {
	kind       faultKind
	code       int
	retryAfter time.Duration
	delay      time.Duration
}

// HTTPStatus answers code with a small HTML error page, as a proxy in front
// of the service would. The request is not handled: nothing changes.
func HTTPStatus(code int) Fault { return Fault{kind: faultStatus, code: code} }

// HTTPStatusRetryAfter is HTTPStatus with a Retry-After header of after,
// rounded up to whole seconds.
func HTTPStatusRetryAfter(code int, after time.Duration) Fault {
	return Fault{kind: faultStatus, code: code, retryAfter: after}
}

// Delay waits d before handling the request normally: d of real time, or,
// on a server with WithClock, until the clock has moved d past the
// request's arrival (Clock.Advance releases it; Clock.BlockUntil waits for
// it to arrive). If the client gives up first (its context ends), the
// request is not handled.
func Delay(d time.Duration) Fault { return Fault{kind: faultDelay, delay: d} }

// DropConnection handles the request (a write takes effect), then closes
// the connection without answering: the reply is lost on the way back.
func DropConnection() Fault { return Fault{kind: faultDrop} }

// DropMidBody handles the request, sends the headers with the full
// Content-Length and half of the body, then closes the connection.
func DropMidBody() Fault { return Fault{kind: faultDropMidBody} }

// TruncatedBody handles the request and sends only the first half of the
// reply, with a Content-Length that matches: a complete HTTP exchange whose
// XML (or export) ends early.
func TruncatedBody() Fault { return Fault{kind: faultTruncate} }

// MalformedBody handles the request and prefixes the reply with a PHP
// warning in HTML, the way a PHP service breaks: the body is not
// well-formed XML any more (markup before the prolog, an HTML entity), and
// an export starts with markup.
func MalformedBody() Fault { return Fault{kind: faultMalformed} }

// GBKBody handles the request and re-encodes the reply as GBK, declared in
// the Content-Type header and in the XML prolog.
func GBKBody() Fault { return Fault{kind: faultGBK} }

// BOMBody handles the request and prepends a UTF-8 byte order mark.
func BOMBody() Fault { return Fault{kind: faultBOM} }

// EmptyBody handles the request and answers 200 with an empty body.
func EmptyBody() Fault { return Fault{kind: faultEmpty} }

// String describes the fault, as recorded in RecordedRequest.Fault.
func (f Fault) String() string {
	switch f.kind {
	case faultStatus:
		if f.retryAfter > 0 {
			return fmt.Sprintf("http %d, retry after %s", f.code, f.retryAfter)
		}
		return fmt.Sprintf("http %d", f.code)
	case faultDelay:
		return "delay " + f.delay.String()
	case faultDrop:
		return "drop connection"
	case faultDropMidBody:
		return "drop mid-body"
	case faultTruncate:
		return "truncated body"
	case faultMalformed:
		return "malformed body"
	case faultGBK:
		return "GBK body"
	case faultBOM:
		return "BOM body"
	case faultEmpty:
		return "empty body"
	}
	return "no fault"
}

type faultRule struct {
	match Match
	left  int // < 0: until ClearFaults
	fault Fault
}

// Fail makes the next n requests that match m fail with f; n must be at
// least 1 (FailAlways is the rule without a count). Rules apply in the
// order they were added; one request takes at most one fault. Fail panics
// on n < 1 or a zero Fault: either is a mistake in the test, not a
// failure of the code under test.
func (s *Server) Fail(m Match, n int, f Fault) {
	if n < 1 {
		panic(fmt.Sprintf("bestedmtest: Fail with n = %d; n must be at least 1 (FailAlways fails every matching request)", n))
	}
	s.addFault(m, n, f)
}

// FailAlways makes every request that matches m fail with f until
// ClearFaults. It panics on a zero Fault.
func (s *Server) FailAlways(m Match, f Fault) { s.addFault(m, -1, f) }

func (s *Server) addFault(m Match, n int, f Fault) {
	if f.kind == 0 {
		panic("bestedmtest: a zero Fault; build one with HTTPStatus, Delay, …")
	}
	s.recMu.Lock()
	defer s.recMu.Unlock()
	s.faults = append(s.faults, &faultRule{match: m, left: n, fault: f})
}

// ClearFaults removes every pending fault, those of Fail not yet used up
// and those of FailAlways. Recorded requests (see ClearRequests) and the
// data stay.
func (s *Server) ClearFaults() {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	s.faults = nil
}

// takeFault returns the fault for a request, consuming one use of its rule.
// It is called with recMu held.
func (s *Server) takeFault(script, action string) (Fault, bool) {
	for i, r := range s.faults {
		if !r.match.matches(script, action) {
			continue
		}
		if r.left > 0 {
			r.left--
			if r.left == 0 {
				s.faults = append(s.faults[:i:i], s.faults[i+1:]...)
			}
		}
		return r.fault, true
	}
	return Fault{}, false
}

// statusPage is the reply of an HTTPStatus fault: nginx's error page.
func statusPage(f Fault) reply {
	text := fmt.Sprintf("%d %s", f.code, http.StatusText(f.code))
	body := "<html>\r\n<head><title>" + text + "</title></head>\r\n<body>\r\n<center><h1>" + text +
		"</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"
	h := http.Header{}
	if f.retryAfter > 0 {
		h.Set("Retry-After", strconv.Itoa(int(math.Ceil(f.retryAfter.Seconds()))))
	}
	return reply{code: f.code, contentType: "text/html", header: h, body: []byte(body)}
}

// phpWarning is what PHP prints before the reply when display_errors is on;
// the &nbsp; entity, undefined in XML, makes even a lenient parser stop.
const phpWarning = "<br />\r\n<b>Warning</b>:&nbsp; mysql_fetch_assoc(): supplied argument is not a valid MySQL result resource in " +
	"<b>/data/www/mm-ms/apinew/%s</b> on line <b>%d</b><br />\r\n"

// rewrite applies a body fault to a handled reply.
func rewrite(f Fault, rep reply, script string) reply {
	switch f.kind {
	case faultTruncate:
		rep.body = rep.body[:len(rep.body)/2]
	case faultMalformed:
		prefix := fmt.Sprintf(phpWarning, script, 100+len(rep.body)%400)
		rep.body = append([]byte(prefix), rep.body...)
	case faultBOM:
		rep.body = append([]byte{0xEF, 0xBB, 0xBF}, rep.body...)
	case faultEmpty:
		rep.body = nil
	case faultGBK:
		body := bytes.Replace(rep.body, []byte(`encoding="UTF-8"`), []byte(`encoding="GBK"`), 1)
		enc := encoding.ReplaceUnsupported(simplifiedchinese.GBK.NewEncoder())
		if out, err := enc.Bytes(body); err == nil {
			rep.body = out
		}
		switch rep.contentType {
		case contentText:
			rep.contentType = "text/plain; charset=gbk"
		case contentJSON:
			rep.contentType = "application/json; charset=gbk"
		default:
			rep.contentType = "text/xml; charset=gbk"
		}
	}
	return rep
}
