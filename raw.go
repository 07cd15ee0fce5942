package bestedm

import (
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/url"
	"reflect"
	"strings"
	"unicode"

	"github.com/bestedm/bestedm-go/internal/xmlbind"
)

// Any call: the escape hatch. A parameter, a reply element or a whole call
// the typed API does not model is reached with a Request, sent by
// Client.Do or streamed by Records, through the same plumbing as every
// typed method: credentials, retry policy, rate limiter, timeouts, reply
// size cap, charset decoding, redaction and error types.

// Request is one call to the API, for Client.Do and Records. Script is the
// only required field:
//
//	req := &bestedm.Request{Script: "task.php", Action: "list-task", Params: url.Values{"id": {"7"}}, Idempotent: true}
//
// A Request is read, never modified, and may be sent many times.
type Request struct {
	// Script is the PHP script under the base URL, such as "task.php". It
	// must be a single path segment: no "/", "..", "?" or "#".
	Script string
	// Action is the do= value ("list-task"); empty for scripts without one
	// (statistic.php, stask.php, the exports).
	Action string
	// Params go in the query string, as the service expects for reads and
	// most writes. They must not hold do, username or password: the client
	// sets those.
	Params url.Values
	// Form, when non-nil, is sent as a form-encoded POST body (free text,
	// secrets, batches). Without it the call is a GET.
	Form url.Values
	// Idempotent marks the call as safe to send more than once: a read, or
	// a write that has the same effect however often it arrives. Only then
	// does the SDK send it again after a failure that may have reached the
	// server (a reset stream, a dropped connection, a 5xx).
	//
	// The zero value is the safe one: a Request is something the SDK does
	// not know, so it is sent as a write — once, never replayed by the SDK
	// or by net/http, retried only when the connection could not be made at
	// all, and a redirect in answer to it is an error, never followed.
	Idempotent bool
	// Write is kept for programs written against v1.0, which set it for
	// writes: every Request is now a write unless Idempotent is set, so
	// Write changes nothing. Setting both is a contradiction, refused by
	// validation.
	//
	// Deprecated: leave it false; set Idempotent for a call that may be
	// repeated.
	Write bool
	// Secrets are values sent in the call that must never appear in an
	// error or a log record, even if the server echoes them (a mailbox
	// password). The account's credentials are always redacted.
	Secrets []string
}

// validate rejects a request that cannot be meant, before anything is sent.
func (r *Request) validate() error {
	if r == nil {
		return &ValidationError{Arg: "req", Reason: "is nil"}
	}
	s := r.Script
	switch {
	case strings.TrimSpace(s) == "":
		return &ValidationError{Arg: "Request.Script", Reason: "is empty"}
	case strings.ContainsAny(s, `/\?#%`) || strings.Contains(s, ".."):
		// A script resolves against the base URL: a path, a query or an
		// escape in it would call something other than one API script.
		return &ValidationError{Arg: "Request.Script", Reason: fmt.Sprintf("%q is not a single script name (no /, \\, .., ?, # or %%)", s)}
	case strings.IndexFunc(s, func(c rune) bool { return unicode.IsSpace(c) || unicode.IsControl(c) }) >= 0:
		return &ValidationError{Arg: "Request.Script", Reason: fmt.Sprintf("%q contains spaces or control characters", s)}
	case strings.IndexFunc(r.Action, unicode.IsControl) >= 0:
		return &ValidationError{Arg: "Request.Action", Reason: "contains control characters"}
	}
	if r.Write && r.Idempotent {
		return &ValidationError{Arg: "Request", Reason: "Write and Idempotent are both set: a write that may be repeated is Idempotent alone"}
	}
	for _, vals := range []url.Values{r.Params, r.Form} {
		for _, name := range []string{"username", "password", "do"} {
			if _, ok := vals[name]; ok {
				return &ValidationError{Field: name, Reason: "is set by the client (use Action for do)"}
			}
		}
	}
	return nil
}

// internal turns r into the plumbing's request. The values are copied, so
// a caller changing its url.Values after the call changes nothing sent.
func (r *Request) internal() *request {
	q := cloneValues(r.Params)
	var ir *request
	if r.Form == nil {
		ir = get(r.Script, r.Action, q)
	} else {
		ir = postForm(r.Script, r.Action, q, cloneValues(r.Form))
	}
	ir.write = !r.Idempotent
	ir.secrets = r.Secrets
	return ir
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}

// Do sends req and decodes the reply into v, which is one of:
//
//   - a pointer to a struct: the reply's root element is bound by the
//     struct's `xml:"name"` tags (`xml:"wrapper>name"` for a list
//     wrapped in one element; deeper levels are nested structs), as the
//     typed API binds its own: text is trimmed, times
//     ("2012-03-02 12:00:00", "0000-00-00 00:00:00" for none) are read in
//     the client's Location, empty numbers are 0, unknown elements are
//     ignored. An `XMLName xml.Name` field with a tag names the root the
//     reply must have; without one any root is accepted.
//   - *Result, or nil: the reply must be a <result> with status "success".
//   - an io.Writer: the body is copied as sent (a text or JSON export, or
//     XML to read some other way); it is not capped by WithMaxReplySize.
//
// Whatever v is, a <result> whose status is not "success" is returned as
// *APIError, and the other failures as for the typed methods
// (*ValidationError before sending, *HTTPError, *RequestError,
// *DecodeError).
func (c *Client) Do(ctx context.Context, req *Request, v any) error {
	if err := req.validate(); err != nil {
		return err
	}
	w, isWriter := v.(io.Writer)
	if !isWriter && v != nil {
		rv := reflect.ValueOf(v)
		if rv.Kind() != reflect.Pointer || rv.IsNil() || rv.Elem().Kind() != reflect.Struct {
			return &ValidationError{Arg: "v", Reason: fmt.Sprintf("must be a non-nil pointer to a struct, *Result, an io.Writer or nil; got %T", v)}
		}
	}
	if ctx == nil {
		return &ValidationError{Arg: "ctx", Reason: "is nil"}
	}
	r := req.internal()
	if isWriter {
		return c.doCopy(ctx, r, w)
	}
	if res, ok := v.(*Result); ok || v == nil {
		got, err := c.exec(ctx, r)
		if err == nil && res != nil {
			*res = *got
		}
		return err
	}
	return c.doBind(ctx, r, v)
}

// doBind binds the reply's root element into v, a pointer to a struct.
func (c *Client) doBind(ctx context.Context, r *request, v any) error {
	return c.call(ctx, r, func(rp *reply) error { return rp.bind(v) })
}

// bind reads a whole reply into v, a pointer to a struct whose XMLName
// field, if tagged, names the root the reply must have.
func (rp *reply) bind(v any) error {
	if err := rp.xml(whole); err != nil {
		return err
	}
	want, nameField := rootName(v)
	var start xml.StartElement
	var err error
	if want != "" && want != "result" {
		// root turns an error <result> into *APIError and any other
		// unexpected root into *DecodeError.
		if start, err = rp.root(want); err != nil {
			return err
		}
	} else {
		if start, err = xmlbind.Root(rp.dec); err != nil {
			return rp.fail("XML", err)
		}
		if start.Name.Local == "result" {
			return rp.bindResult(start, v, nameField)
		}
		if want != "" {
			return rp.fail("<"+want+">", fmt.Errorf("got root element <%s>", start.Name.Local))
		}
	}
	if err := rp.c.binder.Element(rp.dec, start, v, rp.wholeBudget()); err != nil {
		return rp.fail("<"+start.Name.Local+">", err)
	}
	setXMLName(nameField, start.Name)
	return nil
}

// bindResult reads a <result> root: an error status is *APIError whatever
// v is; a success is bound into v, so a caller's struct can pick up
// elements the SDK's Result does not carry. Its tokens are kept and read
// twice, within the decoded-size budget: a <result> is small, but a
// hostile one need not be.
func (rp *reply) bindResult(start xml.StartElement, v any, nameField reflect.Value) error {
	budget := rp.wholeBudget()
	toks := []xml.Token{start.Copy()}
	for depth := 1; depth > 0; {
		tok, err := rp.dec.Token()
		if err != nil {
			return rp.fail("<result>", err)
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			err = budget.Spend(tokenCost + int64(len(t.Name.Local)+len(t.Name.Space)))
		case xml.EndElement:
			depth--
			err = budget.Spend(tokenCost)
		case xml.CharData:
			err = budget.Spend(tokenCost + int64(len(t)))
		default:
			err = budget.Spend(tokenCost)
		}
		if err != nil {
			return rp.fail("<result>", err)
		}
		toks = append(toks, xml.CopyToken(tok))
	}
	replay := func() (*xml.Decoder, xml.StartElement) {
		d := xml.NewTokenDecoder(&tokenList{toks: toks})
		_, _ = d.Token() // the start element, so its end tag matches
		return d, start
	}
	d, st := replay()
	saved := rp.dec
	rp.dec = d
	res, err := rp.statusResult(st)
	rp.dec = saved
	if err != nil {
		return err
	}
	if res.Status != statusSuccess {
		return rp.apiError(res)
	}
	d, st = replay()
	if err := rp.c.binder.Element(d, st, v, rp.wholeBudget()); err != nil {
		return rp.fail("<result>", err)
	}
	setXMLName(nameField, st.Name)
	return nil
}

// tokenCost is what one kept token costs beyond its text: the interface
// value, the slice element and the copy's header.
const tokenCost = 64

// tokenList replays recorded tokens as an xml.TokenReader.
type tokenList struct{ toks []xml.Token }

func (l *tokenList) Token() (xml.Token, error) {
	if len(l.toks) == 0 {
		return nil, io.EOF
	}
	t := l.toks[0]
	l.toks = l.toks[1:]
	return t, nil
}

var xmlNameType = reflect.TypeOf(xml.Name{})

// rootName returns the root element v's struct names in its tagged XMLName
// field, as encoding/xml reads it, and that field (settable) if any.
func rootName(v any) (string, reflect.Value) {
	sv := reflect.ValueOf(v).Elem()
	sf, ok := sv.Type().FieldByName("XMLName")
	if !ok || sf.Type != xmlNameType || len(sf.Index) != 1 {
		return "", reflect.Value{}
	}
	name, _, _ := strings.Cut(sf.Tag.Get("xml"), ",")
	if i := strings.LastIndexByte(name, ' '); i >= 0 {
		name = name[i+1:] // "namespace local"
	}
	return name, sv.Field(sf.Index[0])
}

func setXMLName(f reflect.Value, name xml.Name) {
	if f.IsValid() && f.CanSet() {
		f.Set(reflect.ValueOf(name))
	}
}

// doCopy streams the body to w as sent. An XML error <result> where the
// caller may expect text (an export refused with param_error) is still
// an *APIError, not bytes written to w.
func (c *Client) doCopy(ctx context.Context, r *request, w io.Writer) error {
	return c.call(ctx, r, func(rp *reply) error { return rp.copyTo(w) })
}

func (rp *reply) copyTo(w io.Writer) error {
	c, resp := rp.c, rp.resp
	rp.abandon = true // read to the end, or failed: nothing left worth draining
	head := make([]byte, 512)
	n, rerr := io.ReadFull(resp.Body, head)
	head = head[:n]
	if rerr != nil && rerr != io.EOF && !errors.Is(rerr, io.ErrUnexpectedEOF) {
		return &RequestError{Call: c.callName(resp.Request), Attempts: 1, Err: c.redactExchangeErr(resp.Request, rerr)}
	}
	if apiErr := c.resultError(resp, head); apiErr != nil {
		return apiErr
	}
	if _, err := w.Write(head); err != nil {
		return err
	}
	if _, err := io.Copy(w, resp.Body); err != nil {
		return &RequestError{Call: c.callName(resp.Request), Attempts: 1, Err: c.redactExchangeErr(resp.Request, err)}
	}
	return nil
}

// Records sends req and yields each <child> element of the reply's <root>
// as a T bound by its `xml` tags (see Client.Do), one record at a time: a
// reply of any size is held one record at a time and is not capped by
// WithMaxReplySize. An error ends the sequence; breaking the loop closes
// the connection.
//
//	req := &bestedm.Request{Script: "task.php", Action: "task-list", Idempotent: true}
//	for t, err := range bestedm.Records[MyTask](ctx, client, req, "task_list", "task") { … }
func Records[T any](ctx context.Context, c *Client, req *Request, root, child string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		if err := req.validate(); err != nil {
			yield(zero, err)
			return
		}
		if root == "" || child == "" {
			yield(zero, &ValidationError{Arg: "root, child", Reason: "element names are empty"})
			return
		}
		if reflect.TypeFor[T]().Kind() != reflect.Struct {
			yield(zero, &ValidationError{Arg: "T", Reason: fmt.Sprintf("must be a struct, not %s", reflect.TypeFor[T]())})
			return
		}
		if ctx == nil {
			yield(zero, &ValidationError{Arg: "ctx", Reason: "is nil"})
			return
		}
		records[T](ctx, c, req.internal(), root, child)(yield)
	}
}
