package bestedm

// Tests that play a hostile server (and a careless caller) against the
// client as users get it: the default retry policy, the default transport
// (HTTP/2 over TLS), no test-only shortcuts.

import (
	"bufio"
	"context"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// sdkCall is one method of the SDK, named, called with valid arguments:
// a write (writeCalls) or a read (readCalls).
type sdkCall struct {
	name string
	call func(ctx context.Context, c *Client) error
}

// writeCalls lists every method whose request is built with getWrite,
// postForm or postUpload; Subscribe and Unsubscribe appear twice because one
// address goes by GET and several by a form POST.
func writeCalls() []sdkCall {
	when := time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC)
	res := func(_ *Result, err error) error { return err }
	file := func() File { return File{Name: "a.txt", Content: strings.NewReader("a@example.com\n")} }
	return []sdkCall{
		{"Task.Create", func(ctx context.Context, c *Client) error {
			return res(c.Task.Create(ctx, &TaskParams{TemplateIDs: []int64{16}, SendAccount: "a@example.com", MaillistID: 5, Time: when}))
		}},
		{"Task.Update", func(ctx context.Context, c *Client) error {
			return res(c.Task.Update(ctx, 1, &TaskUpdateParams{SendStatus: SendHeld}))
		}},
		{"Task.Delete", func(ctx context.Context, c *Client) error { return res(c.Task.Delete(ctx, 1)) }},
		{"Template.Create", func(ctx context.Context, c *Client) error {
			return res(c.Template.Create(ctx, &TemplateParams{Name: "n", Subjects: []string{"s"}, Content: "c", Attachments: []File{file()}}))
		}},
		{"Template.Update", func(ctx context.Context, c *Client) error {
			return res(c.Template.Update(ctx, 67, &TemplateUpdateParams{Name: "n"}))
		}},
		{"Template.Delete", func(ctx context.Context, c *Client) error { return res(c.Template.Delete(ctx, 67)) }},
		{"Template.AddAttachments", func(ctx context.Context, c *Client) error { return res(c.Template.AddAttachments(ctx, 67, file())) }},
		{"Template.DeleteAttachment", func(ctx context.Context, c *Client) error { return res(c.Template.DeleteAttachment(ctx, 67, 2)) }},
		{"Template.DeleteAttachments", func(ctx context.Context, c *Client) error { return res(c.Template.DeleteAttachments(ctx, 67)) }},
		{"Maillist.Create", func(ctx context.Context, c *Client) error {
			return res(c.Maillist.Create(ctx, &MaillistParams{Name: "News", Status: MaillistEnabled}))
		}},
		{"Maillist.Update", func(ctx context.Context, c *Client) error {
			return res(c.Maillist.Update(ctx, 101, &MaillistParams{Status: MaillistDisabled}))
		}},
		{"Maillist.Delete", func(ctx context.Context, c *Client) error { return res(c.Maillist.Delete(ctx, 101)) }},
		{"Maillist.AddAddress", func(ctx context.Context, c *Client) error {
			return res(c.Maillist.AddAddress(ctx, 1, Address{Email: "a@example.com"}))
		}},
		{"Maillist.AddAddresses", func(ctx context.Context, c *Client) error {
			_, err := c.Maillist.AddAddresses(ctx, 1, slices.Values([]Address{{Email: "a@example.com"}, {Email: "b@example.com"}}), nil)
			return err
		}},
		{"Maillist.ImportFile", func(ctx context.Context, c *Client) error { return res(c.Maillist.ImportFile(ctx, 1, file())) }},
		{"Maillist.UpdateAddress", func(ctx context.Context, c *Client) error {
			return res(c.Maillist.UpdateAddress(ctx, 1, Address{Name: "x"}))
		}},
		{"Maillist.DeleteAddress", func(ctx context.Context, c *Client) error { return res(c.Maillist.DeleteAddress(ctx, 1)) }},
		{"Maillist.Empty", func(ctx context.Context, c *Client) error { return res(c.Maillist.Empty(ctx, 1)) }},
		{"Maillist.Subscribe/one", func(ctx context.Context, c *Client) error {
			return res(c.Maillist.Subscribe(ctx, 1, Subscriber{Email: "a@example.com"}))
		}},
		{"Maillist.Subscribe/many", func(ctx context.Context, c *Client) error {
			return res(c.Maillist.Subscribe(ctx, 1, Subscriber{Email: "a@example.com"}, Subscriber{Email: "b@example.com"}))
		}},
		{"Maillist.Unsubscribe/one", func(ctx context.Context, c *Client) error {
			return res(c.Maillist.Unsubscribe(ctx, 1, "a@example.com"))
		}},
		{"Maillist.Unsubscribe/many", func(ctx context.Context, c *Client) error {
			return res(c.Maillist.Unsubscribe(ctx, 1, "a@example.com", "b@example.com"))
		}},
		{"Domain.Add", func(ctx context.Context, c *Client) error { return res(c.Domain.Add(ctx, 1, "example.com")) }},
		{"Domain.Delete", func(ctx context.Context, c *Client) error { return res(c.Domain.Delete(ctx, 1, "example.com")) }},
		{"Domain.AddMailbox", func(ctx context.Context, c *Client) error {
			return res(c.Domain.AddMailbox(ctx, "sales@example.com", "pw-123456"))
		}},
		{"Domain.UpdateMailbox", func(ctx context.Context, c *Client) error {
			return res(c.Domain.UpdateMailbox(ctx, "sales@example.com", "pw-123456"))
		}},
		{"Domain.DeleteMailbox", func(ctx context.Context, c *Client) error {
			return res(c.Domain.DeleteMailbox(ctx, "sales@example.com"))
		}},
		{"Domain.ForCustomer.Add", func(ctx context.Context, c *Client) error {
			return res(c.Domain.ForCustomer(7).Add(ctx, 7, "example.com"))
		}},
		// The escape hatch's zero value is a write: a call the SDK does not
		// know is sent once, whatever its method and however its reply is
		// read.
		{"Do/zero/POST", func(ctx context.Context, c *Client) error {
			return c.Do(ctx, &Request{Script: "mloperate.php", Action: "ml-addr-list", Form: url.Values{"list_id": {"1"}}}, nil)
		}},
		{"Do/zero/GET", func(ctx context.Context, c *Client) error {
			return c.Do(ctx, &Request{Script: "mloperate.php", Action: "maillist-del", Params: url.Values{"id": {"38"}}}, new(Result))
		}},
		{"Do/zero/struct", func(ctx context.Context, c *Client) error {
			var v struct {
				Status string `xml:"status"`
			}
			return c.Do(ctx, &Request{Script: "mloperate.php", Action: "ml-addr-list", Form: url.Values{"list_id": {"1"}}}, &v)
		}},
		{"Do/zero/Writer", func(ctx context.Context, c *Client) error {
			return c.Do(ctx, &Request{Script: "mloperate.php", Action: "ml-addr-list", Form: url.Values{"list_id": {"1"}}}, io.Discard)
		}},
		{"Do/Write(deprecated)", func(ctx context.Context, c *Client) error {
			return c.Do(ctx, &Request{Script: "task.php", Action: "add-task", Write: true}, nil)
		}},
		{"Records/zero", func(ctx context.Context, c *Client) error {
			type row struct {
				ID string `xml:"id"`
			}
			err := firstErr(Records[row](ctx, c, &Request{Script: "mloperate.php", Action: "ml-addr-list", Form: url.Values{"list_id": {"1"}}}, "data", "addr"))
			if de := (*DecodeError)(nil); errors.As(err, &de) {
				return nil // the write's success <result> is not the list asked for; what counts here is how often it arrived
			}
			return err
		}},
	}
}

// hostileClient is a client as users get it (default retry policy, the
// default transport with HTTP/2 on) that trusts roots, when given.
func hostileClient(t *testing.T, base string, roots *x509.CertPool, opts ...Option) *Client {
	t.Helper()
	tr := defaultTransport()
	if roots != nil {
		tr.TLSClientConfig = &tls.Config{RootCAs: roots}
	}
	require.True(t, tr.ForceAttemptHTTP2, "the default transport attempts HTTP/2")
	t.Cleanup(tr.CloseIdleConnections)
	opts = append([]Option{WithBaseURL(base + apiPath), WithHTTPClient(&http.Client{Transport: tr})}, opts...)
	c, err := NewClient(testUser, testPassword, opts...)
	require.NoError(t, err)
	require.Equal(t, DefaultRetryPolicy(), c.retry)
	return c
}

// tlsRoots returns a pool holding the certificate of srv.
func tlsRoots(srv *httptest.Server) *x509.CertPool {
	roots := x509.NewCertPool()
	roots.AddCert(srv.Certificate())
	return roots
}

// startH2 starts a TLS httptest server with HTTP/2 enabled.
func startH2(t *testing.T, h http.Handler) *httptest.Server {
	t.Helper()
	srv := httptest.NewUnstartedServer(h)
	srv.EnableHTTP2 = true
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv
}

// writeResult is a successful write reply.
func writeResult(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	// With an <id>, so that the creating calls, which need one, succeed.
	_, _ = io.WriteString(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<result><status>success</status><id>1</id><data>ok</data></result>\r\n")
}

// callOnce runs one call with a deadline, so a client that loops fails the
// test instead of hanging it.
func callOnce(c *Client, wc sdkCall) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return wc.call(ctx, c)
}

// httptestVariants are the ways an httptest handler answers a write whose
// body it has read whole: redirects go to a same-host path that answers
// success, so a followed redirect would report the write as done.
var httptestVariants = []struct {
	name     string
	redirect int // status, 0 for none
	abort    bool
	wantErr  string
}{
	{"answers", 0, false, ""},
	{"aborts", 0, true, "EOF|stream error|INTERNAL_ERROR"},
	{"301", http.StatusMovedPermanently, false, "redirect"},
	{"302", http.StatusFound, false, "redirect"},
	{"303", http.StatusSeeOther, false, "redirect"},
	{"307", http.StatusTemporaryRedirect, false, "redirect"},
	{"308", http.StatusPermanentRedirect, false, "redirect"},
}

// Every write reaches an httptest server once, over HTTP/1.1 and over
// HTTP/2, whether the server answers, aborts or redirects it; a redirect is
// an error, never followed and never reported as the write's success.
func TestHostileWriteArrivesOnceHTTPTest(t *testing.T) {
	for _, proto := range []string{"HTTP/1.1", "HTTP/2.0"} {
		for _, v := range httptestVariants {
			t.Run(proto+"/"+v.name, func(t *testing.T) {
				var arrivals atomic.Int32
				var protos sync.Map
				h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.Copy(io.Discard, r.Body)
					arrivals.Add(1)
					protos.Store(r.Proto, true)
					switch {
					case strings.Contains(r.URL.Path, "/moved/"):
						writeResult(w)
					case v.redirect != 0:
						http.Redirect(w, r, apiPath+"moved/"+path.Base(r.URL.Path)+"?"+r.URL.RawQuery, v.redirect)
					case v.abort:
						panic(http.ErrAbortHandler)
					default:
						writeResult(w)
					}
				})
				var c *Client
				if proto == "HTTP/2.0" {
					srv := startH2(t, h)
					c = hostileClient(t, srv.URL, tlsRoots(srv))
				} else {
					srv := httptest.NewServer(h)
					t.Cleanup(srv.Close)
					c = hostileClient(t, srv.URL, nil)
				}
				for _, wc := range writeCalls() {
					arrivals.Store(0)
					err := callOnce(c, wc)
					assert.Equal(t, int32(1), arrivals.Load(), "%s: write arrivals", wc.name)
					if v.wantErr == "" {
						assert.NoError(t, err, wc.name)
						continue
					}
					if !assert.Error(t, err, wc.name) {
						continue
					}
					assert.Regexp(t, v.wantErr, err.Error(), wc.name)
					if v.redirect != 0 {
						assert.ErrorIs(t, err, ErrUnexpectedReply, wc.name)
						assert.Contains(t, err.Error(), http.StatusText(v.redirect), wc.name)
					}
				}
				_, ok := protos.Load(proto)
				assert.True(t, ok, "the server saw %s", proto)
			})
		}
	}
}

// h2Mode is how the framer server answers a stream whose request it has
// read whole.
type h2Mode int

const (
	h2RefusedStream h2Mode = iota // RST_STREAM REFUSED_STREAM: "not processed"
	h2ProtocolError               // RST_STREAM PROTOCOL_ERROR
	h2GoAway                      // GOAWAY with last stream 0: "not processed"
	h2Close                       // closes the connection
)

func (m h2Mode) String() string {
	return [...]string{"RST_STREAM REFUSED_STREAM", "RST_STREAM PROTOCOL_ERROR", "GOAWAY", "close"}[m]
}

// framerServer is a raw HTTP/2 server over TLS (ALPN "h2") that counts the
// requests it read whole and then answers each as its mode says, whatever
// the request: it lies that the request was not processed.
type framerServer struct {
	URL      string
	roots    *x509.CertPool
	mode     h2Mode
	arrivals atomic.Int32
	ln       net.Listener
	wg       sync.WaitGroup
	mu       sync.Mutex
	conns    map[net.Conn]bool
}

func startFramerServer(t *testing.T, mode h2Mode) *framerServer {
	t.Helper()
	// Borrow httptest's certificate for 127.0.0.1.
	cert := httptest.NewUnstartedServer(http.NotFoundHandler())
	cert.StartTLS()
	cfg := cert.TLS.Clone()
	roots := tlsRoots(cert)
	cert.Close()
	cfg.NextProtos = []string{http2.NextProtoTLS}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &framerServer{URL: "https://" + ln.Addr().String(), roots: roots, mode: mode, ln: tls.NewListener(ln, cfg), conns: map[net.Conn]bool{}}
	s.wg.Add(1)
	go s.accept()
	t.Cleanup(s.close)
	return s
}

func (s *framerServer) accept() {
	defer s.wg.Done()
	for {
		conn, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[conn] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer conn.Close()
			s.serve(conn)
		}()
	}
}

func (s *framerServer) close() {
	_ = s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		_ = c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

func (s *framerServer) serve(conn net.Conn) {
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(conn, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	fr := http2.NewFramer(conn, conn)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	if fr.WriteSettings() != nil {
		return
	}
	for {
		f, err := fr.ReadFrame()
		if err != nil {
			return
		}
		var id uint32
		var ended bool
		switch f := f.(type) {
		case *http2.SettingsFrame:
			if !f.IsAck() {
				_ = fr.WriteSettingsAck()
			}
		case *http2.PingFrame:
			if !f.IsAck() {
				_ = fr.WritePing(true, f.Data)
			}
		case *http2.MetaHeadersFrame:
			id, ended = f.StreamID, f.StreamEnded()
		case *http2.DataFrame:
			if n := f.Length; n > 0 {
				_ = fr.WriteWindowUpdate(0, n)
				_ = fr.WriteWindowUpdate(f.StreamID, n)
			}
			id, ended = f.StreamID, f.StreamEnded()
		}
		if !ended {
			continue
		}
		s.arrivals.Add(1)
		switch s.mode {
		case h2RefusedStream:
			_ = fr.WriteRSTStream(id, http2.ErrCodeRefusedStream)
		case h2ProtocolError:
			_ = fr.WriteRSTStream(id, http2.ErrCodeProtocol)
		case h2GoAway:
			_ = fr.WriteGoAway(0, http2.ErrCodeNo, nil)
		case h2Close:
			return
		}
	}
}

// A server that reads a whole write and then claims, by RST_STREAM or
// GOAWAY, that it did not process it (or just hangs up) receives it once:
// neither the HTTP/2 transport nor the SDK sends it again. The server
// counts a request only after the HTTP/2 preface and frames, so an arrival
// also proves that the default transport negotiated h2.
func TestHostileWriteArrivesOnceHTTP2Framer(t *testing.T) {
	for _, mode := range []h2Mode{h2RefusedStream, h2ProtocolError, h2GoAway, h2Close} {
		t.Run(mode.String(), func(t *testing.T) {
			srv := startFramerServer(t, mode)
			c := hostileClient(t, srv.URL, srv.roots)
			for _, wc := range writeCalls() {
				srv.arrivals.Store(0)
				start := time.Now()
				err := callOnce(c, wc)
				assert.Equal(t, int32(1), srv.arrivals.Load(), "%s: write arrivals", wc.name)
				var re *RequestError
				assert.ErrorAs(t, err, &re, wc.name)
				assert.Less(t, time.Since(start), 2*time.Second, "%s: no retry backoff", wc.name)
			}
		})
	}
}

// rawH1Server is an HTTP/1.1 server on a bare listener that reads each
// request whole, counts it, and then either hangs up or sends a reply cut
// short.
func rawH1Server(t *testing.T, truncate bool) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	var arrivals atomic.Int32
	serveConns(t, ln, func(conn net.Conn) {
		br := bufio.NewReader(conn)
		{ // one request per connection: the reply ends it
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			if _, err := io.Copy(io.Discard, req.Body); err != nil {
				return
			}
			arrivals.Add(1)
			if !truncate {
				return
			}
			_, _ = io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\nContent-Length: 100\r\n\r\n<result><status>succ")
			return
		}
	})
	return "http://" + ln.Addr().String(), &arrivals
}

// Over HTTP/1.1, a server that reads a write and hangs up, or cuts its
// reply short, receives it once, on a fresh or a kept-alive connection.
func TestHostileWriteArrivesOnceRawHTTP1(t *testing.T) {
	for _, truncate := range []bool{false, true} {
		name := "hangs up"
		if truncate {
			name = "cut reply"
		}
		t.Run(name, func(t *testing.T) {
			base, arrivals := rawH1Server(t, truncate)
			c := hostileClient(t, base, nil)
			for _, wc := range writeCalls() {
				arrivals.Store(0)
				err := callOnce(c, wc)
				assert.Equal(t, int32(1), arrivals.Load(), "%s: write arrivals", wc.name)
				assert.Error(t, err, wc.name)
			}
		})
	}
}

// A redirect loop is followed to net/http's limit once and then is final:
// the whole loop is not run again by the retry policy.
func TestHostileRedirectLoopIsFinal(t *testing.T) {
	var arrivals atomic.Int32
	srv := startH2(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrivals.Add(1)
		http.Redirect(w, r, r.URL.String(), http.StatusFound)
	}))
	c := hostileClient(t, srv.URL, tlsRoots(srv))
	start := time.Now()
	_, err := c.Account.CustomerInfo(bg)
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.Contains(t, err.Error(), "stopped after 10 redirects")
	assert.Equal(t, 1, re.Attempts)
	assert.Equal(t, int32(10), arrivals.Load(), "the first request and 9 redirects, once")
	assert.Less(t, time.Since(start), 400*time.Millisecond, "no backoff")
}

// Reads stay retryable: a 503 then a success is two arrivals and a result.
func TestHostileReadsStillRetried(t *testing.T) {
	var arrivals atomic.Int32
	reply := fixture(t, "account-customer-info.xml")
	srv := startH2(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if arrivals.Add(1) == 1 {
			w.Header().Set("Retry-After", "0")
			w.WriteHeader(http.StatusServiceUnavailable)
			return
		}
		w.Header().Set("Content-Type", "text/xml")
		_, _ = w.Write(reply)
	}))
	c := hostileClient(t, srv.URL, tlsRoots(srv))
	c.clock = &fakeClock{}
	got, err := c.Account.CustomerInfo(bg)
	require.NoError(t, err)
	assert.Equal(t, int64(1024), got.ID)
	assert.Equal(t, int32(2), arrivals.Load())
}

// The error paths, run with the default retry policy: an *APIError (from a
// 2xx or a 4xx reply) is final and returned as itself, and no other answer
// that is not transient is tried again. One arrival each.
func TestHostileErrorRepliesAreFinal(t *testing.T) {
	tests := []struct {
		name     string
		status   int
		ct, body string
		apiErr   Status // the *APIError status expected; "" for another type
		httpErr  bool   // an *HTTPError expected
		unauth   bool   // matches ErrUnauthorized
	}{
		{"401 with error result", 401, "text/xml", string(result("auth_error", "bad credentials")), "auth_error", false, true},
		{"403 with error result", 403, "text/xml", string(result("auth_error", "bad credentials")), "auth_error", false, true},
		{"400 with error result", 400, "text/xml", string(result("param_error", "bad id")), "param_error", false, false},
		{"404 with error result", 404, "text/xml", string(result("not_found", "")), "not_found", false, false},
		{"200 with error result", 200, "text/xml", string(result("delete_error", "failed")), "delete_error", false, false},
		{"401 text", 401, "text/plain", "Unauthorized", "", true, true},
		{"403 html", 403, "text/html", "<h1>Forbidden</h1>", "", true, true},
		{"404 html", 404, "text/html", "<h1>404</h1>", "", true, false},
		{"500 html", 500, "text/html", "<html>Internal Server Error</html>", "", true, false},
		{"200 wrong root", 200, "text/xml", "<maillist><id>1</id></maillist>", "", false, false},
		{"200 empty", 200, "text/xml", "", "", false, false},
		{"200 html", 200, "text/html", "<html><body>login</body></html>", "", false, false},
	}
	calls := []struct {
		name, script string
		call         func(c *Client) error
	}{
		{"read", "account.php", func(c *Client) error { _, err := c.Account.CustomerInfo(bg); return err }},
		{"write", "mloperate.php", func(c *Client) error { _, err := c.Maillist.Delete(bg, 101); return err }},
	}
	for _, tt := range tests {
		for _, call := range calls {
			t.Run(tt.name+"/"+call.name, func(t *testing.T) {
				var arrivals atomic.Int32
				srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
					arrivals.Add(1)
					w.Header().Set("Content-Type", tt.ct)
					w.WriteHeader(tt.status)
					_, _ = io.WriteString(w, tt.body)
				}))
				t.Cleanup(srv.Close)
				c := hostileClient(t, srv.URL, nil)
				start := time.Now()
				err := call.call(c)
				require.Error(t, err)
				assert.Equal(t, int32(1), arrivals.Load(), "arrivals")
				assert.Less(t, time.Since(start), 400*time.Millisecond, "no backoff")
				assert.Equal(t, 1, strings.Count(err.Error(), call.script), "the call is named once: %v", err)
				assert.Equal(t, tt.unauth, errors.Is(err, ErrUnauthorized), "ErrUnauthorized: %v", err)
				var re *RequestError
				assert.False(t, errors.As(err, &re), "not a *RequestError: %v", err)
				switch {
				case tt.apiErr == "not_found" && call.name == "write":
					// A delete of an item that does not exist: the
					// not-found contract wraps the *APIError.
					nf, ok := err.(*NotFoundError)
					require.True(t, ok, "returned as *NotFoundError, got %T: %v", err, err)
					ae, ok := nf.Err.(*APIError)
					require.True(t, ok, "wrapping the *APIError, got %T", nf.Err)
					assert.Equal(t, tt.status, ae.HTTPStatus)
					assert.ErrorIs(t, err, ErrNotFound)
				case tt.apiErr != "":
					ae, ok := err.(*APIError)
					require.True(t, ok, "returned as *APIError itself, got %T: %v", err, err)
					assert.Equal(t, tt.apiErr, ae.Status)
					assert.Equal(t, tt.status, ae.HTTPStatus)
					assert.ErrorIs(t, err, ErrAPI)
				case tt.httpErr:
					he, ok := err.(*HTTPError)
					require.True(t, ok, "returned as *HTTPError, got %T: %v", err, err)
					assert.Equal(t, tt.status, he.StatusCode)
					assert.Equal(t, 1, he.Attempts)
				case tt.body == "" && call.name == "write":
					// An empty reply to a delete: the item does not exist.
					var nf *NotFoundError
					assert.ErrorAs(t, err, &nf)
				default:
					var de *DecodeError
					assert.ErrorAs(t, err, &de)
				}
			})
		}
	}
}

// A Retry-After too large for a time.Duration is clamped, not multiplied
// into a negative or tiny wait: the demand exceeds MaxRetryAfter and the
// read is not retried.
func TestHostileRetryAfterHuge(t *testing.T) {
	for _, v := range []string{"9223372036", "9223372037", "9223372036854775807", "99999999999999999999", "18446744073709551616"} {
		t.Run(v, func(t *testing.T) {
			var arrivals atomic.Int32
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrivals.Add(1)
				w.Header().Set("Retry-After", v)
				w.WriteHeader(http.StatusTooManyRequests)
			}))
			t.Cleanup(srv.Close)
			c := hostileClient(t, srv.URL, nil)
			clk := &fakeClock{}
			c.clock = clk
			_, err := c.Account.CustomerInfo(bg)
			var he *HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, int32(1), arrivals.Load(), "arrivals")
			assert.Empty(t, clk.waits(), "no wait")
			assert.GreaterOrEqual(t, he.RetryAfter, DefaultRetryPolicy().MaxRetryAfter)
			assert.ErrorIs(t, err, ErrRateLimited)
		})
	}
}

func TestHostileParseRetryAfterClamps(t *testing.T) {
	const longest = time.Duration(1<<63 - 1)
	for _, tc := range []struct {
		in   string
		want time.Duration
	}{
		{"0", 0},
		{"7", 7 * time.Second},
		{"-1", 0},
		{"9223372036", 9223372036 * time.Second},
		{"9223372037", longest},
		{"9223372036854775807", longest},
		{"99999999999999999999", longest},
		{"18446744073709551616", longest},
	} {
		assert.Equal(t, tc.want, parseRetryAfter(tc.in, time.Now()), tc.in)
	}
}

// noPanic runs f, turning a panic into a test failure.
func noPanic(t *testing.T, f func() error) (err error) {
	t.Helper()
	defer func() {
		if p := recover(); p != nil {
			t.Errorf("panic: %v", p)
			err = nil
		}
	}()
	return f()
}

// What a careless caller hands the SDK is rejected with a *ValidationError
// before anything is sent, and never panics.
func TestHostileCarelessCaller(t *testing.T) {
	var arrivals atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrivals.Add(1)
		writeResult(w)
	}))
	t.Cleanup(srv.Close)
	c := hostileClient(t, srv.URL, nil)
	zero := &Client{}
	named := func(name string) File { return File{Name: name, Content: strings.NewReader("a@example.com")} }
	res := func(_ *Result, err error) error { return err }
	params := &TaskParams{TemplateIDs: []int64{16}, SendAccount: "a@example.com", MaillistID: 5, Time: time.Now()}
	buf := make([]byte, 8)
	tests := []struct {
		name  string
		field string
		call  func() error
	}{
		{"typed-nil *strings.Reader", "file", func() error {
			return res(c.Maillist.ImportFile(bg, 1, File{Name: "a.txt", Content: (*strings.Reader)(nil)}))
		}},
		{"typed-nil *bufio.Reader", "file", func() error {
			return res(c.Template.AddAttachments(bg, 1, File{Name: "a.txt", Content: (*bufio.Reader)(nil)}))
		}},
		{"typed-nil in attachments", "file", func() error {
			return res(c.Template.Create(bg, &TemplateParams{Name: "n", Subjects: []string{"s"}, Content: "c",
				Attachments: []File{{Name: "a.pdf", Content: (*strings.Reader)(nil)}}}))
		}},
		{"file name with backslash", "file", func() error { return res(c.Maillist.ImportFile(bg, 1, named(`C:\list.txt`))) }},
		{"file name with NUL", "file", func() error { return res(c.Maillist.ImportFile(bg, 1, named("list\x00.txt"))) }},
		{"file name with tab", "file", func() error { return res(c.Template.AddAttachments(bg, 1, named("a\tb.pdf"))) }},
		{"file name with ESC", "file", func() error { return res(c.Template.AddAttachments(bg, 1, named("a\x1b[2Jb.pdf"))) }},
		{"file name with DEL", "file", func() error { return res(c.Template.AddAttachments(bg, 1, named("a\x7f.pdf"))) }},
		{"file name with CR", "file", func() error { return res(c.Template.AddAttachments(bg, 1, named("a\r.pdf"))) }},
		{"file name not UTF-8", "file", func() error { return res(c.Template.AddAttachments(bg, 1, named("a\xff.pdf"))) }},
		{"zero Client read", "Client", func() error { _, err := zero.Account.CustomerInfo(bg); return err }},
		{"zero Client write", "Client", func() error { return res(zero.Task.Create(bg, params)) }},
		{"zero Client delete", "Client", func() error { return res(zero.Maillist.Delete(bg, 1)) }},
		{"zero Client list", "Client", func() error { _, err := zero.Template.List(bg); return err }},
		{"zero Client stream", "Client", func() error {
			for _, err := range zero.Track.Opens(bg, TaskByID(1)) {
				return err
			}
			return nil
		}},
		{"zero Client export", "Client", func() error {
			_, err := zero.Statistic.ExportFailed(bg, &FailureExportOptions{Date: time.Now(), Type: FailureAll})
			return err
		}},
		{"zero Client domain", "Client", func() error { return res(zero.Domain.Add(bg, 1, "example.com")) }},
		{"zero Client for customer", "Client", func() error { _, err := zero.Domain.ForCustomer(1).List(bg); return err }},
		{"nil service", "Client", func() error { return res((*TaskService)(nil).Delete(bg, 1)) }},
		{"nil service date", "Client", func() error { _, err := (*TaskService)(nil).Find(bg, &TaskFindOptions{Date: time.Now()}); return err }},
		{"new service", "Client", func() error { return res(new(MaillistService).Empty(bg, 1)) }},
		{"nil domain service", "Client", func() error { return res((*DomainService)(nil).DeleteMailbox(bg, "a@example.com")) }},
		{"new domain service", "Client", func() error { _, err := new(DomainService).List(bg); return err }},
		{"nil *Export Read", "Export", func() error { _, err := (*Export[string])(nil).Read(buf); return err }},
		{"nil *Export Close", "Export", func() error { return (*Export[string])(nil).Close() }},
		{"nil *Export Rows", "Export", func() error { return firstErr((*Export[string])(nil).Rows()) }},
		{"zero Export Read", "Export", func() error { _, err := (&Export[string]{}).Read(buf); return err }},
		{"zero Export Close", "Export", func() error { return (&Export[[]string]{}).Close() }},
		{"zero Export Rows", "Export", func() error { return firstErr((&Export[Subscriber]{}).Rows()) }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			arrivals.Store(0)
			err := noPanic(t, tt.call)
			wantValidation(t, err, tt.field)
			assert.Equal(t, int32(0), arrivals.Load(), "arrivals")
		})
	}
}

// The zero Client's own methods do not panic either.
func TestHostileZeroClientMethods(t *testing.T) {
	zero := &Client{}
	assert.NotPanics(t, func() { _ = zero.String() })
	assert.NotPanics(t, func() { _ = zero.GoString() })
	assert.NotPanics(t, func() { assert.Nil(t, zero.BaseURL()) })
	assert.NotPanics(t, func() { _ = zero.Location() })
	assert.NotPanics(t, func() { assert.Equal(t, "", (*Export[string])(nil).ContentType()) })
}

// Options that would put a bad header on the wire, or credentials that
// Basic auth cannot carry, fail NewClient: nothing is ever sent.
func TestHostileNewClientRejects(t *testing.T) {
	var arrivals atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { arrivals.Add(1) }))
	t.Cleanup(srv.Close)
	base := WithBaseURL(srv.URL + apiPath)
	tests := []struct {
		name, user, field string
		opts              []Option
	}{
		{"user agent CRLF", testUser, "WithUserAgent", []Option{WithUserAgent("app/1\r\nX-Injected: 1")}},
		{"user agent LF", testUser, "WithUserAgent", []Option{WithUserAgent("app/1\nX")}},
		{"user agent CR", testUser, "WithUserAgent", []Option{WithUserAgent("app/1\r")}},
		{"user agent NUL", testUser, "WithUserAgent", []Option{WithUserAgent("app\x00/1")}},
		{"user agent tab", testUser, "WithUserAgent", []Option{WithUserAgent("app\t/1")}},
		{"user agent DEL", testUser, "WithUserAgent", []Option{WithUserAgent("app\x7f/1")}},
		{"user agent not UTF-8", testUser, "WithUserAgent", []Option{WithUserAgent("app\xff/1")}},
		{"basic username with colon", "demo:x", "username", nil},
		{"explicit basic username with colon", "demo:x", "username", []Option{WithAuthMode(AuthBasic)}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, err := NewClient(tt.user, testPassword, append([]Option{base}, tt.opts...)...)
			wantValidation(t, err, tt.field)
			assert.Nil(t, c)
			assert.Equal(t, int32(0), arrivals.Load(), "arrivals")
		})
	}

	// A colon is fine where the username travels in the query string, and
	// an ordinary User-Agent is kept.
	_, err := NewClient("demo:x", testPassword, base, WithAuthMode(AuthQuery))
	assert.NoError(t, err)
	_, err = NewClient("demo:x", HashPassword(testPassword), base, WithPasswordHash())
	assert.NoError(t, err)
	c, err := NewClient(testUser, testPassword, base, WithUserAgent("app/1.0 (linux; +https://example.com) 客户端"))
	require.NoError(t, err)
	assert.Equal(t, "app/1.0 (linux; +https://example.com) 客户端", c.userAgent)
}

// A write redirected to another host, with the query-mode credentials in
// the Location, is not followed either, and the error shows no secret.
func TestHostileWriteRedirectElsewhere(t *testing.T) {
	var stolen atomic.Int32
	other := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { stolen.Add(1) }))
	t.Cleanup(other.Close)
	var arrivals atomic.Int32
	srv := startH2(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		arrivals.Add(1)
		http.Redirect(w, r, other.URL+"/steal?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
	}))
	c := hostileClient(t, srv.URL, tlsRoots(srv), WithAuthMode(AuthQuery))
	for _, wc := range writeCalls() {
		arrivals.Store(0)
		err := callOnce(c, wc)
		assert.Equal(t, int32(1), arrivals.Load(), "%s: write arrivals", wc.name)
		if assert.Error(t, err, wc.name) {
			assert.ErrorIs(t, err, ErrUnexpectedReply, wc.name)
			assert.Contains(t, err.Error(), other.URL+"/steal", wc.name)
			assertNoSecret(t, err.Error(), wc.name)
		}
	}
	assert.Equal(t, int32(0), stolen.Load(), "the other host was never reached")
}

// An error from the caller's own CheckRedirect is final too.
func TestHostileRedirectPolicyErrorIsFinal(t *testing.T) {
	var arrivals atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		arrivals.Add(1)
		http.Redirect(w, r, apiPath+"elsewhere.php", http.StatusFound)
	}))
	t.Cleanup(srv.Close)
	errNoRedirects := errors.New("no redirects, please")
	hc := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return errNoRedirects }}
	c, err := NewClient(testUser, testPassword, WithBaseURL(srv.URL+apiPath), WithHTTPClient(hc))
	require.NoError(t, err)
	start := time.Now()
	_, err = c.Account.CustomerInfo(bg)
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.ErrorIs(t, err, errNoRedirects)
	assert.Equal(t, 1, re.Attempts)
	assert.Equal(t, int32(1), arrivals.Load())
	assert.Less(t, time.Since(start), 400*time.Millisecond, "no backoff")
}

// writeCalls covers every exported service method that builds a request
// with getWrite, postForm or postUpload, directly or through the package's
// own helpers: a new write method cannot miss the tests above.
func TestHostileWriteCallsCoverEveryWrite(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	require.NoError(t, err)
	calls := map[string][]string{} // function or method name -> names it calls
	var methods []*ast.FuncDecl
	for _, f := range pkgs["bestedm"].Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || fd.Body == nil {
				continue
			}
			if fd.Recv != nil && recvName(fd) == "Request" {
				// The escape hatch's Request builds a POST whose Write flag
				// the caller sets; names are matched without types, so its
				// methods (validate, internal) would make every same-named
				// method look like a write.
				continue
			}
			ast.Inspect(fd.Body, func(n ast.Node) bool {
				if ce, ok := n.(*ast.CallExpr); ok {
					switch fn := ce.Fun.(type) {
					case *ast.Ident:
						calls[fd.Name.Name] = append(calls[fd.Name.Name], fn.Name)
					case *ast.SelectorExpr:
						calls[fd.Name.Name] = append(calls[fd.Name.Name], fn.Sel.Name)
					}
				}
				return true
			})
			if fd.Recv != nil && fd.Name.IsExported() {
				methods = append(methods, fd)
			}
		}
	}
	writes := map[string]bool{"getWrite": true, "postForm": true, "postUpload": true}
	for changed := true; changed; {
		changed = false
		for fn, callees := range calls {
			for _, callee := range callees {
				if writes[callee] && !writes[fn] {
					writes[fn], changed = true, true
				}
			}
		}
	}
	covered := map[string]bool{}
	for _, wc := range writeCalls() {
		covered[strings.Split(wc.name, "/")[0]] = true
	}
	found := 0
	for _, fd := range methods {
		star, ok := fd.Recv.List[0].Type.(*ast.StarExpr)
		if !ok {
			continue
		}
		recv, ok := star.X.(*ast.Ident)
		if !ok || !strings.HasSuffix(recv.Name, "Service") || !writes[fd.Name.Name] {
			continue
		}
		found++
		name := strings.TrimSuffix(recv.Name, "Service") + "." + fd.Name.Name
		assert.True(t, covered[name], "write method %s is missing from writeCalls", name)
	}
	assert.GreaterOrEqual(t, found, 24, "write methods found in the source")
}

// recvName is the name of fd's receiver type, without the pointer.
func recvName(fd *ast.FuncDecl) string {
	t := fd.Recv.List[0].Type
	if star, ok := t.(*ast.StarExpr); ok {
		t = star.X
	}
	if id, ok := t.(*ast.Ident); ok {
		return id.Name
	}
	return ""
}

// serveConns accepts on ln until the test ends, serving each connection
// with serve in its own goroutine; cleanup closes the listener and every
// open connection and waits for the goroutines, so goleak stays clean.
func serveConns(t *testing.T, ln net.Listener, serve func(net.Conn)) {
	t.Helper()
	var wg sync.WaitGroup
	var mu sync.Mutex
	conns := map[net.Conn]bool{}
	wg.Add(1)
	go func() {
		defer wg.Done()
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns[conn] = true
			mu.Unlock()
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer conn.Close()
				serve(conn)
			}()
		}
	}()
	t.Cleanup(func() {
		_ = ln.Close()
		mu.Lock()
		for c := range conns {
			_ = c.Close()
		}
		mu.Unlock()
		wg.Wait()
	})
}
