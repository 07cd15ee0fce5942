package bestedm

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"reflect"
	"slices"
	"time"

	"github.com/google/go-querystring/query"
)

// request describes one API call.
type request struct {
	method string     // GET or POST
	script string     // e.g. "mloperate.php"
	action string     // the do= value; empty for scripts that take none
	query  url.Values // parameters in the query string
	form   url.Values // parameters in a form-encoded POST body
	upload *upload    // a multipart POST body
	write  bool       // changes state: retried only if it never reached the server
	// secrets are values sent in the body that must stay out of errors and
	// logs even if the server echoes them, such as a mailbox password.
	secrets []string
}

func get(script, action string, q url.Values) *request {
	return &request{method: http.MethodGet, script: script, action: action, query: q}
}

// getWrite is a GET that changes state: production clients send most writes
// as GET (docs/wire-format.md); write keeps them from being retried or
// replayed unsafely.
func getWrite(script, action string, q url.Values) *request {
	return &request{method: http.MethodGet, script: script, action: action, query: q, write: true}
}

// postForm is a write with a form-encoded POST body: for free text and
// secrets, which must not go in a URL.
func postForm(script, action string, q, form url.Values) *request {
	return &request{method: http.MethodPost, script: script, action: action, query: q, form: form, write: true}
}

// postUpload is a write with a multipart/form-data body (files).
func postUpload(script, action string, q url.Values, up *upload) *request {
	return &request{method: http.MethodPost, script: script, action: action, query: q, upload: up, write: true}
}

// idQuery is a query holding one id parameter.
func idQuery(name string, id int64) url.Values {
	return url.Values{name: {itoa(id)}}
}

// encodeParams turns a parameter struct (url: tags, go-querystring) into
// values. Instants (a time field whose layout has a time of day) are first
// moved to the client's zone on a copy, so the caller's struct is never
// modified; calendar days (layout "2006-01-02") are sent as written.
func (c *Client) encodeParams(params any) (url.Values, error) {
	if params == nil {
		return url.Values{}, nil
	}
	rv := reflect.ValueOf(params)
	if rv.Kind() == reflect.Pointer {
		if rv.IsNil() {
			return url.Values{}, nil
		}
		rv = rv.Elem()
	}
	if rv.Kind() == reflect.Struct {
		cp := reflect.New(rv.Type()).Elem()
		cp.Set(rv)
		for i := 0; i < cp.NumField(); i++ {
			if f := cp.Field(i); f.Type() == reflect.TypeOf(time.Time{}) && f.CanSet() &&
				isInstantLayout(rv.Type().Field(i).Tag.Get("layout")) {
				if t := f.Interface().(time.Time); !t.IsZero() {
					f.Set(reflect.ValueOf(t.In(c.loc)))
				}
			}
		}
		params = cp.Interface()
	}
	v, err := query.Values(params)
	if err != nil {
		return nil, fmt.Errorf("bestedm: encoding parameters: %w", err)
	}
	return v, nil
}

// callName is the method and redacted URL of a request, for errors and
// logs: the request as the SDK made it, not a redirect the server chose.
func (c *Client) callName(req *http.Request) string {
	req = originalRequest(req)
	return req.Method + " " + c.redactURLWith(req.URL, requestSecrets(req))
}

// requestURL is r's URL without its query, and the query without the
// credentials: the one place a call's URL is built.
func (c *Client) requestURL(r *request) (*url.URL, url.Values) {
	u := c.baseURL.ResolveReference(&url.URL{Path: r.script})
	q := make(url.Values, len(r.query)+1)
	for k, v := range r.query {
		q[k] = v
	}
	if r.action != "" {
		q.Set("do", r.action)
	}
	return u, q
}

// requestName names r as callName names a request that was sent (method
// and URL, redacted), for errors found after its reply was read.
func (c *Client) requestName(r *request) string {
	u, q := c.requestURL(r)
	u.RawQuery = q.Encode()
	return r.method + " " + c.redactURLWith(u, r.secrets)
}

// newHTTPRequest builds one attempt of r. Bodies are rebuilt on every call,
// so a retried request sends identical bytes.
func (c *Client) newHTTPRequest(ctx context.Context, r *request) (*http.Request, error) {
	u, q := c.requestURL(r)
	var body io.Reader
	var contentType string
	switch {
	case r.upload != nil:
		pr, ct, err := r.upload.open()
		if err != nil {
			return nil, err
		}
		body, contentType = pr, ct
	case r.form != nil:
		body, contentType = bytes.NewReader(formEncode(r.form)), "application/x-www-form-urlencoded"
	}
	req, err := http.NewRequestWithContext(ctx, r.method, u.String(), body)
	if err != nil {
		return nil, fmt.Errorf("bestedm: building request: %w", err)
	}
	// No body is replayable by net/http itself, a read's no more than a
	// write's. With GetBody (which NewRequest sets for a bytes.Reader) the
	// HTTP/2 transport re-sends a request whose stream the server reset or
	// cut off by GOAWAY even after the server has read it whole, on the
	// same or a new connection, for as long as the server keeps doing so
	// (thousands of times in seconds), and a 307/308 redirect would re-send
	// it. Re-sending is the SDK's decision alone (shouldRetry): a read
	// reaches the server at most once per attempt, a write once. The price
	// is HTTP/1.1's transparent retry of a POST whose kept-alive connection
	// was found dead before a byte was written; the SDK's own retry covers
	// a read, and a write is not sent twice on a guess.
	req.GetBody = nil
	if body == nil {
		// Only the SDK's retry policy may send a request again, read or
		// write. net/http sends a GET again by itself when a kept-alive
		// connection closes before the reply starts, and its HTTP/2 code
		// re-sends a request with no body after a reset stream or a GOAWAY,
		// with no limit, for as long as the server keeps answering so: a
		// read meets the SDK's count and backoff only after its deadline,
		// and a write sent with GET (add-task, ml-addr-del, …) that has
		// reached the server may be created twice. An empty body that
		// cannot be replayed (no GetBody) opts the request out of both.
		// Over HTTP/2 it costs an empty DATA frame. Over HTTP/1.1 the
		// "identity" transfer encoding sends it as nothing at all (no
		// Content-Length, no chunking: a request without either has no
		// body) and spares the transport its probe of a body of unknown
		// length, a goroutine and a timer per request.
		req.Body = noReplayBody{}
		req.TransferEncoding = identityEncoding
	}
	if r.upload != nil && r.upload.length >= 0 {
		// Known length: sent with Content-Length, not chunked (see
		// upload.contentLength).
		req.ContentLength = r.upload.length
	}
	req.URL.RawQuery = c.creds.apply(req, q)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	req.Header.Set("Accept", "application/xml, text/xml, text/plain, */*")
	if c.userAgent != "" {
		req.Header.Set("User-Agent", c.userAgent)
	}
	return req, nil
}

// noReplayBody is the empty body of every request sent without one (all
// reads, and writes sent with GET): see newHTTPRequest.
type noReplayBody struct{}

func (noReplayBody) Read([]byte) (int, error) { return 0, io.EOF }
func (noReplayBody) Close() error             { return nil }

// WriteTo lets io.Copy skip the copy buffer.
func (noReplayBody) WriteTo(io.Writer) (int64, error) { return 0, nil }

// identityEncoding is the TransferEncoding of a request whose body is
// noReplayBody; shared, never modified.
var identityEncoding = []string{"identity"}

// formEncode is url.Values.Encode written into one []byte of the exact
// size. A batch of AddAddresses is about 100 KB of form; Encode builds it
// in a growing strings.Builder, which the request then copied again, and
// the copies showed as a sixth of AddAddresses' CPU time.
func formEncode(v url.Values) []byte {
	keys := slices.Sorted(maps.Keys(v))
	n := 0
	for _, k := range keys {
		for _, s := range v[k] {
			n += escapedLen(k) + escapedLen(s) + 2 // "=" and "&"
		}
	}
	b := make([]byte, 0, max(n-1, 0)) // no "&" after the last
	for _, k := range keys {
		for _, s := range v[k] {
			if len(b) > 0 {
				b = append(b, '&')
			}
			b = appendQueryEscaped(b, k)
			b = append(b, '=')
			b = appendQueryEscaped(b, s)
		}
	}
	return b
}

// queryKept says whether url.QueryEscape keeps a byte as it is: ASCII
// letters and digits and "-_.~" (a space becomes "+", the rest %XX). A
// table, because escaping is a loop over every byte of a 100 KB batch.
var queryKept = func() (t [256]bool) {
	for c := range t {
		t[c] = 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_' || c == '.' || c == '~'
	}
	return t
}()

func escapedLen(s string) int {
	n := len(s)
	for i := 0; i < len(s); i++ {
		if c := s[i]; c != ' ' && !queryKept[c] {
			n += 2
		}
	}
	return n
}

// appendQueryEscaped appends url.QueryEscape(s) to b.
func appendQueryEscaped(b []byte, s string) []byte {
	const hex = "0123456789ABCDEF"
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case queryKept[c]:
			b = append(b, c)
		case c == ' ':
			b = append(b, '+')
		default:
			b = append(b, '%', hex[c>>4], hex[c&15])
		}
	}
	return b
}
