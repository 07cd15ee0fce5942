package bestedm

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"syscall"
	"unicode/utf8"

	"github.com/bestedm/bestedm-go/internal/xmlbind"
)

// Redaction. A secret (the account password, its MD5 in any letter case,
// the Basic token, a mailbox password a call sends) must not leave the
// package in any error, any error it wraps, or any log record, in any
// encoding a server may echo it in: as is, XML/HTML-escaped (named,
// decimal or hex character references), percent-encoded (either case, "+"
// for space), quoted-printable, Go- or JSON-quoted, or several of these in
// turn.
//
// Text is matched after decoding: every text is decoded up to three
// times, each byte of a decoded form remembering the span of the original
// it came from, and a secret found in any form removes its span.
//
// Two kinds of text are told apart. Text the SDK composed itself from
// what the caller gave it (the call's URL, fixed messages) says nothing of
// a secret once its password parameters are removed, so it is only
// searched for secrets long enough to be searched for. Text that came from
// the server or a lower layer (bodies, statuses, messages, values, header
// values, URLs of redirects, messages of unknown errors) is untrusted.
//
// A secret shorter than minSearchLen characters cannot be searched for
// and replaced where it occurs: it would match ordinary words, and the
// pattern of what was replaced would spell it out. An untrusted text in
// which such a secret occurs, in any encoding, is replaced whole.

// minSearchLen is the length, in characters, from which a secret is
// replaced where it occurs rather than withholding the whole text.
const minSearchLen = 8

const redacted = "REDACTED"

// secretForm is one secret as searched for.
type secretForm struct {
	text  string // lower-cased when fold
	fold  bool   // hex: any letter case is the same secret
	short bool   // shorter than minSearchLen
}

func newSecretForm(s string, fold bool) secretForm {
	if fold {
		s = asciiLower(s)
	}
	return secretForm{text: s, fold: fold, short: utf8.RuneCountInString(s) < minSearchLen}
}

// credentialForms are the forms of the client's credentials.
func (c *credentials) forms() []secretForm {
	var out []secretForm
	if h := c.hash.reveal(); h != "" {
		out = append(out, newSecretForm(h, true))
	}
	if p := c.password.reveal(); p != "" {
		out = append(out, newSecretForm(p, false))
		// Padding is not part of the secret: an echo without it is the
		// same token.
		token := basicToken(c.username, p)
		out = append(out, newSecretForm(token, false))
		if t := strings.TrimRight(token, "="); t != token {
			out = append(out, newSecretForm(t, false))
		}
	}
	return out
}

// redactor removes a set of secrets from text and errors.
type redactor struct {
	forms []secretForm
	// own are the call's own URL as sent (raw, which may hold the call's
	// secrets) and as shown in errors (with them redacted): the SDK's text.
	own []ownURL
}

// redactorFor returns the redactor for errors of req (nil: the client's
// credentials only), with extra secrets of the call.
func (c *Client) redactorFor(req *http.Request, extra []string) *redactor {
	r := &redactor{}
	if c != nil && c.creds != nil {
		r.forms = append(r.forms, c.creds.sealedForms()...)
	}
	if req != nil {
		orig := originalRequest(req)
		ctxSecrets := requestSecrets(orig)
		extra = append(append([]string(nil), extra...), ctxSecrets...)
		shown := c.redactURLWith(orig.URL, ctxSecrets)
		r.own = append(r.own, ownURL{raw: orig.URL.String(), shown: shown}, ownURL{raw: shown, shown: shown})
	}
	for _, s := range extra {
		if s != "" {
			r.forms = append(r.forms, newSecretForm(s, false))
		}
	}
	return r
}

// originalRequest returns the request req was redirected from, if any:
// the call as the SDK made it, not a URL the server chose.
func originalRequest(req *http.Request) *http.Request {
	for req.Response != nil && req.Response.Request != nil {
		req = req.Response.Request
	}
	return req
}

// trusted redacts text the SDK composed: secrets long enough to search for
// are replaced where they occur.
func (r *redactor) trusted(s string) string { return r.redact(s, false, false) }

// untrusted redacts text from the server or a lower layer.
func (r *redactor) untrusted(s string) string { return r.redact(s, true, false) }

// untrustedCut is untrusted for text cut at a size limit: a tail that may
// be the start of a secret is dropped as well.
func (r *redactor) untrustedCut(s string) string { return r.redact(s, true, true) }

func (r *redactor) redact(s string, untrusted, cut bool) string {
	if r == nil || len(r.forms) == 0 || s == "" {
		return s
	}
	if untrusted {
		// The call's own URL inside a lower layer's message (a wrapper
		// naming the call) is the SDK's text, not the server's.
		for _, own := range r.own {
			if i := strings.Index(s, own.raw); own.raw != "" && i >= 0 {
				return r.redact(s[:i], true, false) + r.trusted(own.shown) + r.redact(s[i+len(own.raw):], true, cut)
			}
		}
	}
	if cut {
		s = trimPartialEscape(s)
	}
	var spans [][2]int
	for _, l := range decodedForms(s) {
		var lower string
		for _, f := range r.forms {
			if f.short && !untrusted {
				continue
			}
			hay := l.s
			if f.fold {
				if lower == "" {
					lower = asciiLower(l.s)
				}
				hay = lower
			}
			if f.text == "" {
				continue
			}
			for i := 0; ; {
				j := strings.Index(hay[i:], f.text)
				if j < 0 {
					break
				}
				if f.short {
					return redacted
				}
				start := i + j
				spans = append(spans, [2]int{int(l.from[start]), int(l.to[start+len(f.text)-1])})
				i = start + 1
			}
			if cut {
				for k := min(len(f.text)-1, len(hay)); k >= 1; k-- {
					if strings.HasSuffix(hay, f.text[:k]) {
						if f.short {
							return redacted
						}
						spans = append(spans, [2]int{int(l.from[len(hay)-k]), len(s)})
						break
					}
				}
			}
		}
	}
	if len(spans) == 0 {
		return s
	}
	return replaceSpans(s, spans)
}

// replaceSpans replaces each maximal union of spans with REDACTED.
func replaceSpans(s string, spans [][2]int) string {
	cover := make([]bool, len(s)+1)
	for _, sp := range spans {
		for i := sp[0]; i < sp[1] && i < len(s); i++ {
			cover[i] = true
		}
	}
	var sb strings.Builder
	for i := 0; i < len(s); {
		if !cover[i] {
			sb.WriteByte(s[i])
			i++
			continue
		}
		sb.WriteString(redacted)
		for i < len(s) && cover[i] {
			i++
		}
	}
	return sb.String()
}

// trimPartialEscape drops an escape sequence cut off at the end of s, so
// that what it began can be matched as a secret's start.
func trimPartialEscape(s string) string {
	tail := s[max(0, len(s)-12):]
	if i := strings.LastIndexAny(tail, "&%=\\"); i >= 0 {
		rest := tail[i:]
		complete := false
		switch rest[0] {
		case '&':
			complete = strings.Contains(rest, ";")
		case '%', '=':
			complete = len(rest) >= 3
		case '\\':
			complete = len(rest) >= 10
		}
		if !complete {
			return s[:len(s)-len(rest)]
		}
	}
	return s
}

// decoded is one decoding of a text: byte i of s came from the original's
// bytes from[i] to to[i] (exclusive).
type decoded struct {
	s        string
	from, to []int32
}

// decodedForms returns s and its decodings: up to three rounds, each with
// "+" read as a space and not.
func decodedForms(s string) []decoded {
	first := decoded{s: s, from: make([]int32, len(s)), to: make([]int32, len(s))}
	for i := range s {
		first.from[i], first.to[i] = int32(i), int32(i+1)
	}
	out := []decoded{first}
	seen := map[string]bool{s: true}
	frontier := out
	for round := 0; round < 3 && len(frontier) > 0; round++ {
		var next []decoded
		for _, d := range frontier {
			for _, plus := range []bool{true, false} {
				n, changed := decodeOnce(d, plus)
				if changed && !seen[n.s] {
					seen[n.s] = true
					next = append(next, n)
				}
			}
		}
		out = append(out, next...)
		frontier = next
	}
	return out
}

// decodeOnce undoes one layer of character references, percent-encoding,
// quoted-printable and backslash escapes.
func decodeOnce(d decoded, plus bool) (decoded, bool) {
	s := d.s
	if !strings.ContainsAny(s, "&%\\+=") {
		return d, false
	}
	var out []byte
	var from, to []int32
	changed := false
	for i := 0; i < len(s); {
		b, n := decodeAt(s, i, plus)
		if n == 0 {
			out = append(out, s[i])
			from, to = append(from, d.from[i]), append(to, d.to[i])
			i++
			continue
		}
		changed = true
		for range b {
			from, to = append(from, d.from[i]), append(to, d.to[i+n-1])
		}
		out = append(out, b...)
		i += n
	}
	return decoded{s: string(out), from: from, to: to}, changed
}

// decodeAt decodes the escape at s[i], returning its bytes and length, or
// a length of 0 when there is none.
func decodeAt(s string, i int, plus bool) ([]byte, int) {
	switch s[i] {
	case '+':
		if plus {
			return []byte{' '}, 1
		}
	case '%':
		if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			return []byte{byte(v)}, 3
		}
		if i+5 < len(s) && (s[i+1] == 'u' || s[i+1] == 'U') && allHex(s[i+2:i+6]) {
			return runeBytes(s[i+2:i+6], 16), 6
		}
	case '&':
		return decodeEntity(s, i)
	case '=':
		// Quoted-printable, as PHP's quoted_printable_encode writes it.
		if i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			v, _ := strconv.ParseUint(s[i+1:i+3], 16, 8)
			return []byte{byte(v)}, 3
		}
	case '\\':
		if i+1 >= len(s) {
			return nil, 0
		}
		switch c := s[i+1]; c {
		case '"', '\\', '\'', '/', '`':
			return []byte{c}, 2
		case 'n':
			return []byte{'\n'}, 2
		case 'r':
			return []byte{'\r'}, 2
		case 't':
			return []byte{'\t'}, 2
		case 'a':
			return []byte{'\a'}, 2
		case 'b':
			return []byte{'\b'}, 2
		case 'f':
			return []byte{'\f'}, 2
		case 'v':
			return []byte{'\v'}, 2
		case 'x':
			if i+3 < len(s) && allHex(s[i+2:i+4]) {
				v, _ := strconv.ParseUint(s[i+2:i+4], 16, 8)
				return []byte{byte(v)}, 4
			}
		case 'u':
			if i+5 < len(s) && allHex(s[i+2:i+6]) {
				return runeBytes(s[i+2:i+6], 16), 6
			}
		case 'U':
			if i+9 < len(s) && allHex(s[i+2:i+10]) {
				return runeBytes(s[i+2:i+10], 16), 10
			}
		default:
			if i+3 < len(s) && isOctal(c) && isOctal(s[i+2]) && isOctal(s[i+3]) {
				v, err := strconv.ParseUint(s[i+1:i+4], 8, 8)
				if err == nil {
					return []byte{byte(v)}, 4
				}
			}
		}
	}
	return nil, 0
}

// decodeEntity decodes an XML or HTML character reference at s[i] ('&'),
// leniently: a missing ";" and any letter case are accepted.
func decodeEntity(s string, i int) ([]byte, int) {
	j := i + 1
	if j < len(s) && s[j] == '#' {
		j++
		base := 10
		if j < len(s) && (s[j] == 'x' || s[j] == 'X') {
			base = 16
			j++
		}
		k := j
		for k < len(s) && k-j < 8 && (isHex(s[k]) && base == 16 || s[k] >= '0' && s[k] <= '9') {
			k++
		}
		if k == j {
			return nil, 0
		}
		b := runeBytes(s[j:k], base)
		if b == nil {
			return nil, 0
		}
		if k < len(s) && s[k] == ';' {
			k++
		}
		return b, k - i
	}
	for _, e := range [...]struct {
		name string
		b    byte
	}{{"amp", '&'}, {"lt", '<'}, {"gt", '>'}, {"quot", '"'}, {"apos", '\''}} {
		if len(s) >= j+len(e.name) && strings.EqualFold(s[j:j+len(e.name)], e.name) {
			k := j + len(e.name)
			if k < len(s) && s[k] == ';' {
				k++
			}
			return []byte{e.b}, k - i
		}
	}
	return nil, 0
}

// runeBytes is the UTF-8 of the code point written in digits, nil if it
// is none; a code point below 256 written in hex may also stand for a
// byte, but UTF-8 is what a server escaping text means.
func runeBytes(digits string, base int) []byte {
	v, err := strconv.ParseUint(digits, base, 32)
	if err != nil || v > utf8.MaxRune {
		return nil
	}
	return utf8.AppendRune(nil, rune(v))
}

func isHex(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F'
}

func allHex(s string) bool {
	for i := 0; i < len(s); i++ {
		if !isHex(s[i]) {
			return false
		}
	}
	return true
}

func isOctal(c byte) bool { return c >= '0' && c <= '7' }

// asciiLower lower-cases ASCII letters only, keeping byte offsets.
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// clean reports whether untrusted text s holds no secret.
func (r *redactor) clean(s string) bool { return r.untrusted(s) == s }

// url redacts a URL found in an error: the call's own as trusted text,
// any other (a redirect's) as untrusted, after removing its credentials
// and password parameters.
func (r *redactor) url(c *Client, raw string) string {
	for _, own := range r.own {
		if raw == own.raw {
			return r.trusted(own.shown)
		}
	}
	if u, err := url.Parse(raw); err == nil {
		raw = c.redactURL(u)
	}
	return r.untrusted(raw)
}

// trustedSentinels are errors whose text is fixed: they are kept as they
// are, and a redacted unknown error still matches those it matched.
var trustedSentinels = []error{
	io.EOF, io.ErrUnexpectedEOF, io.ErrClosedPipe, context.Canceled, context.DeadlineExceeded,
	os.ErrDeadlineExceeded, net.ErrClosed, http.ErrBodyReadAfterClose, errTimeout, errNoData,
	ErrReplyTooLarge, ErrUnexpectedReply, ErrAPI, ErrValidation, ErrNotFound, ErrUnauthorized,
	ErrRateLimited, strconv.ErrSyntax, strconv.ErrRange, xmlbind.ErrSlowStart,
}

func isTrustedSentinel(err error) bool {
	for _, s := range trustedSentinels {
		if err == s {
			return true
		}
	}
	return false
}

// err returns err with every error in its chain redacted: the SDK's error
// types and the standard library's that carry text from the server are
// copied with their fields redacted; any other error whose text (as %v,
// %+v or %#v) holds a secret is replaced by one with the redacted text,
// the redacted causes, and the same answers to errors.Is for the standard
// sentinels. No error in the result holds an unredacted value.
func (r *redactor) err(c *Client, err error) error {
	return r.scrub(c, err, 0)
}

func (r *redactor) scrub(c *Client, err error, depth int) error {
	if err == nil {
		return nil
	}
	if depth > 64 {
		return &redactedError{msg: redacted}
	}
	depth++
	switch e := err.(type) {
	case *ValidationError:
		cp := *e
		cp.Reason = r.trusted(e.Reason)
		return &cp
	case *APIError:
		cp := *e
		cp.Status, cp.Message, cp.Call = Status(r.untrusted(string(e.Status))), r.untrusted(e.Message), r.trusted(e.Call)
		return &cp
	case *HTTPError:
		cp := *e
		cp.ContentType, cp.Snippet, cp.Call = r.untrusted(e.ContentType), r.untrusted(e.Snippet), r.trusted(e.Call)
		return &cp
	case *DecodeError:
		cp := *e
		cp.Call, cp.Expected = r.trusted(e.Call), r.trusted(e.Expected)
		cp.ContentType, cp.Snippet = r.untrusted(e.ContentType), r.untrusted(e.Snippet)
		cp.Err = r.scrub(c, e.Err, depth)
		return &cp
	case *RequestError:
		cp := *e
		cp.Call = r.trusted(e.Call)
		cp.Err = r.scrub(c, e.Err, depth)
		return &cp
	case *url.Error:
		cp := *e
		cp.URL = r.url(c, e.URL)
		cp.Err = r.scrub(c, e.Err, depth)
		return &cp
	case *strconv.NumError:
		cp := *e
		cp.Num = r.untrusted(e.Num)
		cp.Err = r.scrub(c, e.Err, depth)
		return &cp
	case *xml.SyntaxError:
		cp := *e
		cp.Msg = r.untrusted(e.Msg)
		return &cp
	case *xmlbind.FieldError:
		cp := *e
		if len(e.Value) >= 64 {
			cp.Value = r.untrustedCut(e.Value)
		} else {
			cp.Value = r.untrusted(e.Value)
		}
		cp.Err = r.scrub(c, e.Err, depth)
		return &cp
	case *net.OpError:
		cp := *e
		cp.Err = r.scrub(c, e.Err, depth)
		return &cp
	case *os.SyscallError:
		cp := *e
		cp.Err = r.scrub(c, e.Err, depth)
		return &cp
	case syscall.Errno:
		return e
	}
	if isTrustedSentinel(err) {
		return err
	}
	var kids []error
	switch u := err.(type) {
	case interface{ Unwrap() error }:
		if k := u.Unwrap(); k != nil {
			kids = []error{k}
		}
	case interface{ Unwrap() []error }:
		kids = u.Unwrap()
	}
	same := true
	clean := make([]error, len(kids))
	for i, k := range kids {
		clean[i] = r.scrub(c, k, depth)
		if clean[i] != k {
			same = false
		}
	}
	msg := err.Error()
	_, ownSingle := err.(*redactedError)
	_, ownJoin := err.(*redactedJoin)
	if same && !ownSingle && !ownJoin && r.clean(msg) && r.clean(fmt.Sprintf("%+v", err)) && r.clean(fmt.Sprintf("%#v", err)) {
		return err
	}
	// The message: a wrapper's text is usually its own words around its
	// cause's text; the cause's part is replaced by the redacted cause's
	// text, the rest redacted as untrusted.
	text := r.untrusted(msg)
	if len(kids) == 1 {
		if inner := kids[0].Error(); inner != "" {
			if i := strings.Index(msg, inner); i >= 0 {
				text = r.untrusted(msg[:i]) + clean[0].Error() + r.untrusted(msg[i+len(inner):])
			}
		}
	}
	// Pieces clean apart may join into a secret.
	text = r.untrusted(text)
	var matches []error
	for _, s := range trustedSentinels {
		if errors.Is(err, s) {
			matches = append(matches, s)
		}
	}
	var timeout bool
	if t, ok := err.(interface{ Timeout() bool }); ok {
		timeout = t.Timeout()
	}
	if len(kids) > 1 {
		return &redactedJoin{redactedError: redactedError{msg: text, matches: matches, timeout: timeout}, errs: clean}
	}
	re := &redactedError{msg: text, matches: matches, timeout: timeout}
	if len(kids) == 1 {
		re.err = clean[0]
	}
	return re
}

// redactedError stands for an error whose text held a secret: its
// redacted text, its redacted cause, and the standard sentinels the
// original matched.
type redactedError struct {
	msg     string
	err     error
	matches []error
	timeout bool
}

func (e *redactedError) Error() string    { return e.msg }
func (e *redactedError) GoString() string { return strconv.Quote(e.msg) }
func (e *redactedError) Unwrap() error    { return e.err }

// Timeout reports whether the original error was a timeout.
func (e *redactedError) Timeout() bool { return e.timeout }

// Is reports whether the original error matched target, one of the
// standard sentinels.
func (e *redactedError) Is(target error) bool {
	for _, m := range e.matches {
		if m == target {
			return true
		}
	}
	return false
}

// redactedJoin is redactedError for an error with several causes.
type redactedJoin struct {
	redactedError
	errs []error
}

func (e *redactedJoin) Unwrap() []error { return e.errs }

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

// ownURL is a call's URL as sent and as shown.
type ownURL struct{ raw, shown string }

// redactURL hides secret query parameters and any userinfo.
func (c *Client) redactURL(u *url.URL) string { return c.redactURLWith(u, nil) }

// redactURLWith is redactURL that also hides every query parameter whose
// value holds one of a call's secrets (Request.Secrets), whatever its
// length: the parameter is known, so it is replaced whole rather than
// searched for in text.
func (c *Client) redactURLWith(u *url.URL, secrets []string) string {
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
	for name, vals := range q {
		for i, v := range vals {
			for _, sec := range secrets {
				if sec != "" && strings.Contains(v, sec) {
					vals[i], changed = "REDACTED", true
					break
				}
			}
		}
		q[name] = vals
	}
	if changed {
		cp.RawQuery = q.Encode()
	}
	return c.creds.redact(cp.String())
}

// secretsKey is the context key under which attempt stores a request's own
// secrets, so that every error built from its reply can find them.
type secretsKey struct{}

// requestSecrets returns the secrets attempt stored in req's context.
func requestSecrets(req *http.Request) []string {
	s, _ := req.Context().Value(secretsKey{}).([]string)
	return s
}

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

// redactExchangeErr redacts an error of the exchange of req (sending it,
// or reading its reply's body): the URL inside a *url.Error without the
// credentials or the call's secrets, then every error in the chain.
func (c *Client) redactExchangeErr(req *http.Request, err error) error {
	return c.redactErr(req, redactURLError(err, c, requestSecrets(originalRequest(req))))
}

// redactURLError rewrites the URL inside a *url.Error (what http.Client
// returns): it is the request's URL, query-mode credentials included.
func redactURLError(err error, c *Client, secrets []string) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		cp := *ue
		if u, perr := url.Parse(ue.URL); perr == nil {
			cp.URL = c.redactURLWith(u, secrets)
		} else {
			cp.URL = c.creds.redact(ue.URL)
		}
		return &cp
	}
	return err
}
