package bestedm

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"

	"github.com/bestedm/bestedm-go/internal/charset"
	"github.com/bestedm/bestedm-go/internal/xmlbind"
)

// The request path is three steps, each written once: build (request.go:
// the URL, the parameters, the body), send (transport.go: the SDK's
// attempts, retries, redirects, timeouts) and read (this file: the charset,
// the size limits, the root element, an error <result> as *APIError, the
// decoded-size budget). Client.call joins them for every call whose reply
// is read before it returns; an export hands the body to its caller
// (openExportForms) after the same send.

// maxErrorBody bounds how much of a non-2xx body is read.
const maxErrorBody = 64 << 10

// errorResult reads a client-error reply (4xx other than 429) whose body is
// an error <result> as the *APIError it is, so its status identifier is not
// lost; server errors and 429 stay *HTTPError, which retries look at.
func (c *Client) errorResult(resp *http.Response, body []byte) error {
	if resp.StatusCode < 400 || resp.StatusCode > 499 || resp.StatusCode == http.StatusTooManyRequests {
		return nil
	}
	return c.resultError(resp, body)
}

// resultError returns the *APIError for a body that starts as an error
// <result>; a head cut before the status decides nothing (nil).
func (c *Client) resultError(resp *http.Response, head []byte) error {
	trimmed := bytes.TrimLeft(bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF}), " \t\r\n")
	if !bytes.HasPrefix(trimmed, []byte("<")) || !bytes.Contains(head, []byte("<result")) {
		return nil
	}
	cp := *resp
	cp.Body = io.NopCloser(bytes.NewReader(head))
	rd := &reply{c: c, resp: &cp}
	if rd.xml(whole) != nil {
		return nil
	}
	start, err := xmlbind.Root(rd.dec)
	if err != nil || start.Name.Local != "result" {
		return nil
	}
	res, err := rd.statusResult(start)
	if err != nil || res.Status == statusSuccess {
		return nil
	}
	return rd.apiError(res)
}

// snippetFor turns the start of a body into safe text for an error
// message, with the client's and req's own secrets redacted. A snippet cut
// at snippetSize bytes may end inside a secret the server echoed: a tail
// that begins one is dropped as well.
func (c *Client) snippetFor(req *http.Request, b []byte) string {
	cut := len(b) >= snippetSize
	if len(b) > snippetSize {
		b = b[:snippetSize]
	}
	s := strings.ToValidUTF8(string(b), "\uFFFD")
	r := c.redactorFor(req, nil)
	if cut {
		return r.untrustedCut(s)
	}
	return r.untrusted(s)
}

// recorder keeps the first bytes read through it, for error snippets, and
// the error that broke the body off, if any.
type recorder struct {
	r    io.Reader
	head []byte
	err  error // the first read error other than io.EOF
	n    int64 // bytes read
}

func (rec *recorder) Read(p []byte) (int, error) {
	n, err := rec.r.Read(p)
	rec.n += int64(n)
	if room := snippetSize - len(rec.head); room > 0 && n > 0 {
		rec.head = append(rec.head, p[:min(n, room)]...)
	}
	if err != nil && err != io.EOF && rec.err == nil {
		rec.err = err
	}
	return n, err
}

// limitedReader fails with ErrReplyTooLarge past n bytes instead of
// silently truncating, which would look like a malformed reply.
type limitedReader struct {
	r io.Reader
	n int64
}

func (l *limitedReader) Read(p []byte) (int, error) {
	if l.n <= 0 {
		var one [1]byte
		if k, _ := l.r.Read(one[:]); k > 0 {
			return 0, ErrReplyTooLarge
		}
		return 0, io.EOF
	}
	if int64(len(p)) > l.n {
		p = p[:l.n]
	}
	n, err := l.r.Read(p)
	l.n -= int64(n)
	return n, err
}

// reply is one response being read: its body (capped for a reply read
// whole, not for a stream), decoded to UTF-8, with its first bytes kept
// for error messages.
type reply struct {
	c    *Client
	resp *http.Response
	rec  *recorder
	dec  *xml.Decoder
	buf  *bufio.Reader           // from bufPool, returned by close
	tol  *xmlbind.TolerantReader // from tolPool, returned by close
	// recorded and head are rec's storage, and budget wholeBudget's,
	// allocated with the reply.
	budget   xmlbind.Budget
	recorded recorder
	head     [snippetSize]byte
	// abandon closes the connection instead of reading what is left of
	// the body: set when a stream's caller stopped early.
	abandon bool
}

// call sends r and reads its reply with read: the one path of every call
// whose reply is read before it returns. The body is closed after read,
// whatever it did.
func (c *Client) call(ctx context.Context, r *request, read func(*reply) error) error {
	resp, err := c.send(ctx, r)
	if err != nil {
		return err
	}
	rp := &reply{c: c, resp: resp}
	defer rp.close()
	return read(rp)
}

// close releases the body: drained a little so the connection goes back to
// the pool, or closed at once when the caller stopped a stream early.
func (rp *reply) close() {
	if rp.abandon {
		rp.resp.Body.Close()
	} else {
		drainClose(rp.resp.Body)
	}
	if rp.buf != nil {
		// Nothing read from it outlives the reply: values decoded from it
		// are copies, and an error keeps its own copy of the first bytes.
		rp.buf.Reset(nil)
		bufPool.Put(rp.buf)
		rp.buf = nil
	}
	if rp.tol != nil {
		rp.tol.Reset(nil)
		tolPool.Put(rp.tol)
		rp.tol = nil
	}
}

// bufPool holds the 4 KiB read buffers of replies read by call: one per
// call was a third of the SDK's own allocation per small call.
var bufPool = sync.Pool{New: func() any { return bufio.NewReaderSize(nil, 4096) }}

// tolPool holds the readers that make a reply tolerant of characters XML
// cannot carry (see xmlbind.Tolerant), with their buffers.
var tolPool = sync.Pool{New: func() any { return xmlbind.Tolerant(nil) }}

// sizing says whether a reply is held whole (and so capped by
// WithMaxReplySize) or streamed one record at a time (bounded per record).
type sizing int

const (
	whole sizing = iota
	streamed
)

// callName names the call in an error; only failures pay for it.
func (rp *reply) callName() string { return rp.c.callName(rp.resp.Request) }

// text returns the body decoded to UTF-8; decoded reports that a charset
// was applied (so the prolog's label is stale).
func (rp *reply) text(sz sizing) (in io.Reader, decoded bool, err error) {
	var body io.Reader = rp.resp.Body
	if sz == whole {
		body = &limitedReader{r: body, n: rp.c.maxReply}
	}
	rp.recorded = recorder{r: body, head: rp.head[:0]}
	rp.rec = &rp.recorded
	if rp.buf == nil {
		rp.buf = bufPool.Get().(*bufio.Reader)
	}
	rp.buf.Reset(rp.rec)
	in, decoded, err = charset.NewBufferedReader(rp.buf, charset.FromContentType(rp.resp.Header.Get("Content-Type")))
	if err != nil {
		return nil, false, rp.fail("XML", err)
	}
	// A value stored with a control character or bytes that are not UTF-8
	// comes back as stored, and XML cannot carry it: without this, one
	// such value makes the whole list or account unreadable. It reads as
	// U+FFFD instead (docs/wire-format.md#illegal-characters).
	// A document whose declaration names another encoding is made
	// tolerant once decoded, by the decoder's CharsetReader (NewDecoder).
	if !decoded {
		if head, _ := rp.buf.Peek(256); xmlbind.DeclaresOtherEncoding(head) {
			return in, decoded, nil
		}
	}
	if rp.tol == nil {
		rp.tol = tolPool.Get().(*xmlbind.TolerantReader)
	}
	rp.tol.Reset(in)
	return rp.tol, decoded, nil
}

// xml opens the body as an XML document for encoding/xml.
func (rp *reply) xml(sz sizing) error {
	in, decoded, err := rp.text(sz)
	if err != nil {
		return err
	}
	rp.dec = rp.c.binder.NewDecoder(in, charset.XMLCharsetReader(decoded))
	return nil
}

// wholeBudget bounds what a reply decoded whole may leave in the values it
// fills: a quarter of the reply size limit (see keep), and never less than
// minBudget, so that a small WithMaxReplySize still reads the small replies
// it lets through.
// Each call starts a new budget in the reply's own storage (no allocation
// per call); the decodes that use one follow each other.
func (rp *reply) wholeBudget() *xmlbind.Budget {
	rp.budget = xmlbind.Budget{Max: max(keepList.of(rp.c.maxReply), minBudget)}
	return &rp.budget
}

// minBudget is the smallest decoded-size budget of a whole reply.
const minBudget = 1 << 20

// emptyRule says what an element that sets no field means.
type emptyRule int

const (
	// emptyIsZero: nothing to report, such as a day without sending.
	emptyIsZero emptyRule = iota
	// emptyIsError: the reply always carries data; an element that sets
	// no field (empty, or only unknown children) fails with errNoData
	// rather than pass for real values.
	emptyIsError
)

// object binds the reply's <root> element into v, a pointer to a struct.
func (rp *reply) object(root string, v any, empty emptyRule) error {
	if err := rp.xml(whole); err != nil {
		return err
	}
	start, err := rp.root(root)
	if err != nil {
		return err
	}
	if err := rp.c.binder.Element(rp.dec, start, v, rp.wholeBudget()); err != nil {
		return rp.fail("<"+root+">", err)
	}
	if empty == emptyIsError && reflect.ValueOf(v).Elem().IsZero() {
		return rp.fail("<"+root+">", errNoData)
	}
	return nil
}

// result reads a <result> reply: a status other than "success" is an
// *APIError; the new id is read where rule says.
func (rp *reply) result(rule idRule) (*Result, error) {
	if err := rp.xml(whole); err != nil {
		return nil, err
	}
	start, err := xmlbind.Root(rp.dec)
	if err != nil {
		return nil, rp.fail("<result>", err)
	}
	if start.Name.Local != "result" {
		return nil, rp.fail("<result>", fmt.Errorf("got root element <%s>", start.Name.Local))
	}
	res, err := rp.statusResult(start)
	if err != nil {
		return nil, err
	}
	if res.Status != statusSuccess {
		return nil, rp.apiError(res)
	}
	if rule == idElementOrData && res.ID == 0 {
		if id, err := strconv.ParseInt(res.Message, 10, 64); err == nil && id > 0 {
			res.ID = id
		}
	}
	if rule != idOptional && res.ID <= 0 {
		return nil, rp.fail("<result> with the new id", errNoID)
	}
	return &res.Result, nil
}

// fail builds the error for a reply that is not what was expected.
func (rd *reply) fail(expected string, err error) error {
	if cut := rd.rec.err; cut != nil && !errors.Is(cut, ErrReplyTooLarge) {
		// The body broke off (the connection dropped, or the server fell
		// silent): the exchange failed, as for an export (see Rows),
		// whatever the decoder made of the cut — often an XML syntax
		// error that hides the cause.
		return &RequestError{Call: rd.callName(), Attempts: 1, Err: rd.c.redactExchangeErr(rd.resp.Request, cut)}
	}
	if le := rd.c.limitError(err); le != nil {
		err = le
	} else if errors.Is(err, io.EOF) {
		// A PHP script that prints nothing still sends its line ends.
		if len(bytes.TrimSpace(rd.rec.head)) == 0 {
			err = errEmptyReply
		} else {
			err = errors.New("body ended early")
		}
	} else if ue := (*url.Error)(nil); errors.As(err, &ue) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return &RequestError{Call: rd.callName(), Attempts: 1, Err: rd.c.redactExchangeErr(rd.resp.Request, err)}
	}
	return &DecodeError{
		Call:        rd.callName(),
		Expected:    expected,
		ContentType: rd.c.redactText(rd.resp.Request, rd.resp.Header.Get("Content-Type")),
		Snippet:     rd.c.snippetFor(rd.resp.Request, rd.rec.head),
		// A value the server sent back (<id>…</id>) may be a secret it echoed.
		Err: rd.c.redactErr(rd.resp.Request, err),
	}
}

// root reads the root element and checks its name. A <result> root where
// another was expected is the server's error reply: it becomes *APIError.
func (rd *reply) root(want string) (xml.StartElement, error) {
	start, err := xmlbind.Root(rd.dec)
	if err != nil {
		return start, rd.fail("<"+want+">", err)
	}
	if start.Name.Local == want {
		return start, nil
	}
	if start.Name.Local == "result" {
		res, err := rd.statusResult(start)
		if err != nil {
			return start, err
		}
		if res.Status == statusSuccess {
			return start, rd.fail("<"+want+">", errors.New(`got a "success" <result> instead`))
		}
		return start, rd.apiError(res)
	}
	return start, rd.fail("<"+want+">", fmt.Errorf("got root element <%s>", start.Name.Local))
}

func (rd *reply) apiError(res *statusResult) error {
	// The message is the server's free text: it may echo what was sent.
	return &APIError{
		Status:     Status(rd.c.redactText(rd.resp.Request, res.Status)),
		Message:    rd.c.redactText(rd.resp.Request, res.Message),
		HTTPStatus: rd.resp.StatusCode,
		Call:       rd.callName(),
	}
}

const statusSuccess = "success"

// Result is the reply of a call that changes something (doc §4.3 and on)
// when it succeeds: a message and, for calls that create, the new id. Any
// other status than "success" is returned as an *APIError instead.
type Result struct {
	Message string // the <data> text, e.g. "添加群发任务成功!"
	// ID is the new id, read only from the reply of a call that answers
	// one: Task.Create (<id>), Template.Create and Maillist.AddAddress
	// (<id>, or a <data> that is only the id), Maillist.Create. Other
	// calls leave it 0, even when <data> is a number.
	ID int64
}

// statusResult is a <result> with its status, before it becomes a Result
// or an *APIError.
type statusResult struct {
	Result
	Status string
}

type wireResult struct {
	Status string `xml:"status"`
	ID     string `xml:"id"`
	Data   string `xml:"data"`
}

// statusResult reads the <result> element whose start tag was just read.
func (rd *reply) statusResult(start xml.StartElement) (*statusResult, error) {
	var w wireResult
	if err := rd.c.binder.Element(rd.dec, start, &w, rd.wholeBudget()); err != nil {
		return nil, rd.fail("<result>", err)
	}
	if w == (wireResult{}) {
		return nil, rd.fail("<result>", errEmptyReply)
	}
	if w.Status == "" {
		return nil, rd.fail("<result>", errors.New("no <status>"))
	}
	res := &statusResult{Result: Result{Message: w.Data}, Status: w.Status}
	if w.ID != "" {
		id, err := strconv.ParseInt(w.ID, 10, 64)
		if err != nil {
			return nil, rd.fail("<result>", &xmlbind.FieldError{Element: "id", Value: w.ID, Err: errors.New("not an integer")})
		}
		res.ID = id
	}
	return res, nil
}

// errEmptyReply is the cause of the *DecodeError for a reply with nothing
// in it: a body of white space, or an empty <result>. On a call naming one
// item it means the item does not exist (see itemErr).
var errEmptyReply = errors.New("empty reply")

// idRule says where the success reply of a call carries the new id.
type idRule int

const (
	// idOptional reads <id> when there is one (the document's element
	// for an id) and otherwise leaves Result.ID 0.
	idOptional idRule = iota
	// idElement needs <id>: add-task (doc §5.1).
	idElement
	// idElementOrData needs <id>, or a <data> that is only the id:
	// add-tpl ("成功返回新建模板的 id 值", doc §5.2) and ml-addr-add with
	// return_id=1 (doc §4.9.1).
	idElementOrData
)

// errNoData is the cause of the *DecodeError for a reply whose element sets
// no field at all, such as <customer></customer>: see emptyIsError.
var errNoData = errors.New("no data in it")

// fetchNew performs r and binds the reply's <root> into a new T. An element
// that sets no field gives a zero T: for replies where that can mean
// "nothing", such as a day without sending.
func fetchNew[T any](ctx context.Context, c *Client, r *request, root string) (*T, error) {
	return fetchObject[T](ctx, c, r, root, emptyIsZero)
}

// fetchData is fetchNew for replies that always carry data: an element
// that sets no field fails with a *DecodeError wrapping errNoData, instead
// of a zero T with a nil error that the caller would take for real values.
func fetchData[T any](ctx context.Context, c *Client, r *request, root string) (*T, error) {
	return fetchObject[T](ctx, c, r, root, emptyIsError)
}

func fetchObject[T any](ctx context.Context, c *Client, r *request, root string, empty emptyRule) (*T, error) {
	v := new(T)
	if err := c.call(ctx, r, func(rp *reply) error { return rp.object(root, v, empty) }); err != nil {
		return nil, err
	}
	return v, nil
}

// exec performs a call that answers <result>; a status other than
// "success" becomes *APIError.
func (c *Client) exec(ctx context.Context, r *request) (*Result, error) {
	return c.execReply(ctx, r, idOptional)
}

// execReply is exec for a call whose success reply carries the new id
// where rule says: a reply without it is a *DecodeError.
func (c *Client) execReply(ctx context.Context, r *request, rule idRule) (*Result, error) {
	var res *Result
	err := c.call(ctx, r, func(rp *reply) (err error) {
		res, err = rp.result(rule)
		return err
	})
	return res, err
}

// errNoID is the cause of the *DecodeError for a success reply without the
// id the call promises.
var errNoID = errors.New("no id came back")
