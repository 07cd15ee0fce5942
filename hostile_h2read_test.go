package bestedm

// Reads against a server that takes every request and then claims it was
// not processed (RST_STREAM, GOAWAY) or hangs up: each attempt the SDK
// makes reaches the server once, and the SDK's own policy (three attempts
// by default) decides the rest. Run with the client as users get it.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/net/http2"
	"golang.org/x/net/http2/hpack"
)

// readCalls are reads of the SDK: a plain call, a paged iterator and a
// streamed list, each failing on its first request.
func readCalls() []sdkCall {
	return []sdkCall{
		{"Account.CustomerInfo", func(ctx context.Context, c *Client) error {
			_, err := c.Account.CustomerInfo(ctx)
			return err
		}},
		{"Maillist.ListAddresses", func(ctx context.Context, c *Client) error {
			id := int64(1)
			return firstErr(c.Maillist.ListAddresses(ctx, &AddressListOptions{ListID: &id}))
		}},
		{"Track.Opens", func(ctx context.Context, c *Client) error {
			return firstErr(c.Track.Opens(ctx, TaskByID(362)))
		}},
		// The escape hatch, marked safe to repeat: a POST read with a form
		// (ml-addr-list takes its filters in a body) is sent once per
		// attempt like a GET; before, net/http replayed it thousands of
		// times over HTTP/2.
		{"Do/Idempotent/GET", func(ctx context.Context, c *Client) error {
			var v struct {
				Name string `xml:"name"`
			}
			return c.Do(ctx, &Request{Script: "account.php", Action: "customer-info", Idempotent: true}, &v)
		}},
		{"Do/Idempotent/POST", func(ctx context.Context, c *Client) error {
			var v struct {
				Email []string `xml:"addr>email"`
			}
			return c.Do(ctx, &Request{Script: "mloperate.php", Action: "ml-addr-list", Form: url.Values{"list_id": {"1"}}, Idempotent: true}, &v)
		}},
		{"Do/Idempotent/Writer/POST", func(ctx context.Context, c *Client) error {
			return c.Do(ctx, &Request{Script: "failexportall.php", Form: url.Values{"date": {"2024-05-20"}}, Idempotent: true}, io.Discard)
		}},
		{"Records/Idempotent/POST", func(ctx context.Context, c *Client) error {
			type addr struct {
				Email string `xml:"email"`
			}
			return firstErr(Records[addr](ctx, c, &Request{Script: "mloperate.php", Action: "ml-addr-list", Form: url.Values{"list_id": {"1"}}, Idempotent: true}, "data", "addr"))
		}},
	}
}

// attemptsOf returns the attempts a failed call reports.
func attemptsOf(t *testing.T, err error, name string) int {
	t.Helper()
	var re *RequestError
	if !assert.ErrorAs(t, err, &re, name) {
		return 0
	}
	return re.Attempts
}

// runRead calls rc with a deadline (a client that loops fails the test
// instead of hanging it) and checks that the server saw exactly as many
// requests as the SDK made attempts: the default policy's three.
func runRead(t *testing.T, c *Client, clk *fakeClock, arrivals *atomic.Int32, rc sdkCall) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	start := time.Now()
	err := rc.call(ctx, c)
	attempts := 1 + DefaultRetryPolicy().MaxRetries
	got := attemptsOf(t, err, rc.name)
	t.Logf("%s: %d arrivals, %d attempts, %s", rc.name, arrivals.Load(), got, time.Since(start).Round(time.Millisecond))
	assert.Equal(t, int32(attempts), arrivals.Load(), "%s: arrivals", rc.name)
	assert.Equal(t, attempts, got, "%s: attempts in the error", rc.name)
	assert.Len(t, clk.waits(), attempts-1, "%s: the SDK's backoff between attempts", rc.name)
	assert.NoError(t, ctx.Err(), "%s: ended by the SDK, not by the deadline", rc.name)
	assert.Less(t, time.Since(start), 2*time.Second, "%s: no retry loop inside net/http", rc.name)
}

// A read whose every HTTP/2 stream is reset (PROTOCOL_ERROR,
// REFUSED_STREAM), cut off by GOAWAY, or whose connection is closed, is
// sent once per attempt: net/http's HTTP/2 code would otherwise resend it
// by itself, hundreds of times a second, until the deadline.
func TestHostileReadArrivesOncePerAttemptHTTP2(t *testing.T) {
	for _, mode := range []h2Mode{h2ProtocolError, h2RefusedStream, h2GoAway, h2Close} {
		t.Run(mode.String(), func(t *testing.T) {
			srv := startFramerServer(t, mode)
			c := hostileClient(t, srv.URL, srv.roots)
			for _, rc := range readCalls() {
				clk := &fakeClock{}
				c.clock = clk
				srv.arrivals.Store(0)
				runRead(t, c, clk, &srv.arrivals, rc)
			}
		})
	}
}

// keepAliveH1Server is an HTTP/1.1 server on a bare listener: while healthy
// it answers every request with reply and keeps the connection open; once
// hostile, it reads a request whole, counts it, and hangs up.
type keepAliveH1Server struct {
	URL      string
	hostile  atomic.Bool
	arrivals atomic.Int32
}

func startKeepAliveH1(t *testing.T, reply []byte) *keepAliveH1Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	s := &keepAliveH1Server{URL: "http://" + ln.Addr().String()}
	head := "HTTP/1.1 200 OK\r\nContent-Type: text/xml; charset=utf-8\r\nContent-Length: " + strconv.Itoa(len(reply)) + "\r\n\r\n"
	serveConns(t, ln, func(conn net.Conn) {
		br := bufio.NewReader(conn)
		for {
			req, err := http.ReadRequest(br)
			if err != nil {
				return
			}
			if _, err := io.Copy(io.Discard, req.Body); err != nil {
				return
			}
			if s.hostile.Load() {
				s.arrivals.Add(1)
				return
			}
			if _, err := io.WriteString(conn, head+string(reply)); err != nil {
				return
			}
		}
	})
	return s
}

// Over HTTP/1.1, a read whose connection the server closes after reading
// it is sent once per attempt, also when that connection was kept alive
// from an earlier call (net/http would otherwise resend it at once on a
// new connection, outside the SDK's count and backoff).
func TestHostileReadArrivesOncePerAttemptHTTP1(t *testing.T) {
	for _, warm := range []bool{false, true} {
		name := "fresh connection"
		if warm {
			name = "kept-alive connection"
		}
		t.Run(name, func(t *testing.T) {
			srv := startKeepAliveH1(t, fixture(t, "account-customer-info.xml"))
			c := hostileClient(t, srv.URL, nil)
			tr := c.http.Transport.(*http.Transport)
			for _, rc := range readCalls() {
				tr.CloseIdleConnections()
				if warm {
					srv.hostile.Store(false)
					_, err := c.Account.CustomerInfo(bg)
					require.NoError(t, err, "warm-up")
				}
				srv.hostile.Store(true)
				clk := &fakeClock{}
				c.clock = clk
				srv.arrivals.Store(0)
				runRead(t, c, clk, &srv.arrivals, rc)
			}
		})
	}
}

// A read that meets a dead kept-alive connection still succeeds when the
// server recovers: the SDK's retry takes the place of net/http's.
func TestHostileReadRecoversFromDeadKeptAliveConnection(t *testing.T) {
	srv := startKeepAliveH1(t, fixture(t, "account-customer-info.xml"))
	c := hostileClient(t, srv.URL, nil)
	clk := &fakeClock{}
	c.clock = clk
	_, err := c.Account.CustomerInfo(bg)
	require.NoError(t, err, "warm-up")
	srv.hostile.Store(true)
	clk.onSleep = func() { srv.hostile.Store(false) }
	got, err := c.Account.CustomerInfo(bg)
	require.NoError(t, err)
	assert.Equal(t, int64(1024), got.ID)
	assert.Equal(t, int32(1), srv.arrivals.Load(), "the request the server dropped")
	assert.Len(t, clk.waits(), 1, "one retry, by the SDK")
}

// The empty body that keeps net/http from resending a request is not on
// the HTTP/1.1 wire: a read, and a write sent with GET, carry neither
// Content-Length nor Transfer-Encoding, so the server sees no body.
func TestHostileBodylessGetOnHTTP1Wire(t *testing.T) {
	type seen struct {
		method, te, cl string
		length         int64
		body           int
	}
	got := make(chan seen, 4)
	info := fixture(t, "account-customer-info.xml")
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		got <- seen{r.Method, strings.Join(r.TransferEncoding, ","), r.Header.Get("Content-Length"), r.ContentLength, len(b)}
		w.Header().Set("Content-Type", "text/xml")
		if r.URL.Query().Get("do") == "customer-info" {
			_, _ = w.Write(info)
			return
		}
		_, _ = w.Write(result("success", "1"))
	}))
	t.Cleanup(srv.Close)
	c := hostileClient(t, srv.URL, nil)
	_, err := c.Account.CustomerInfo(bg)
	require.NoError(t, err)
	_, err = c.Maillist.DeleteAddress(bg, 1)
	require.NoError(t, err)
	for _, name := range []string{"read", "write sent with GET"} {
		s := <-got
		assert.Equal(t, seen{method: http.MethodGet}, s, name)
	}
}

// startRedirectFramer starts a raw HTTP/2 server over TLS that answers a
// request for any path but /moved with a 302 to /moved, and resets every
// stream for /moved with PROTOCOL_ERROR. It counts the requests for /moved
// it read whole.
func startRedirectFramer(t *testing.T) (url string, roots *x509.CertPool, moved *atomic.Int32) {
	t.Helper()
	cert := httptest.NewUnstartedServer(http.NotFoundHandler())
	cert.StartTLS()
	cfg := cert.TLS.Clone()
	roots = tlsRoots(cert)
	cert.Close()
	cfg.NextProtos = []string{http2.NextProtoTLS}
	tcp, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	ln := tls.NewListener(tcp, cfg)
	moved = new(atomic.Int32)
	serveConns(t, ln, func(conn net.Conn) {
		serveRedirects(conn, moved)
	})
	return "https://" + tcp.Addr().String(), roots, moved
}

func serveRedirects(conn net.Conn, moved *atomic.Int32) {
	preface := make([]byte, len(http2.ClientPreface))
	if _, err := io.ReadFull(conn, preface); err != nil || string(preface) != http2.ClientPreface {
		return
	}
	fr := http2.NewFramer(conn, conn)
	fr.ReadMetaHeaders = hpack.NewDecoder(4096, nil)
	var hbuf bytes.Buffer
	enc := hpack.NewEncoder(&hbuf)
	if fr.WriteSettings() != nil {
		return
	}
	paths := map[uint32]string{}
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
			paths[id] = f.PseudoValue("path")
		case *http2.DataFrame:
			id, ended = f.StreamID, f.StreamEnded()
		}
		if !ended {
			continue
		}
		if strings.HasPrefix(paths[id], "/moved") {
			moved.Add(1)
			_ = fr.WriteRSTStream(id, http2.ErrCodeProtocol)
			continue
		}
		hbuf.Reset()
		_ = enc.WriteField(hpack.HeaderField{Name: ":status", Value: "302"})
		_ = enc.WriteField(hpack.HeaderField{Name: "location", Value: "/moved" + apiPath})
		_ = enc.WriteField(hpack.HeaderField{Name: "content-length", Value: "0"})
		_ = fr.WriteHeaders(http2.HeadersFrameParam{StreamID: id, BlockFragment: hbuf.Bytes(), EndStream: true, EndHeaders: true})
	}
}

// A read redirected to a URL whose streams are reset reaches that URL once
// per attempt: the hop net/http builds for a redirect gets the same
// non-replayable body as the first request.
func TestHostileRedirectedReadArrivesOncePerAttempt(t *testing.T) {
	url, roots, moved := startRedirectFramer(t)
	c := hostileClient(t, url, roots)
	for _, rc := range readCalls() {
		clk := &fakeClock{}
		c.clock = clk
		moved.Store(0)
		if strings.Contains(rc.name, "POST") {
			// A read with a body is not redirected: following would drop
			// its form (or send it again). The redirect is the answer, an
			// error, and nothing reaches the other URL.
			err := callOnce(c, rc)
			assert.ErrorIs(t, err, ErrUnexpectedReply, rc.name)
			assert.ErrorContains(t, err, "redirect", rc.name)
			assert.Zero(t, moved.Load(), "%s: arrivals at the redirect's target", rc.name)
			continue
		}
		runRead(t, c, clk, moved, rc)
	}
}

// Reads follow same-host redirects of every kind, 307 and 308 included
// (their empty body is not replayable, so net/http alone would stop there).
func TestHostileReadFollowsRedirects(t *testing.T) {
	reply := fixture(t, "account-customer-info.xml")
	for _, status := range []int{301, 302, 303, 307, 308} {
		t.Run(strconv.Itoa(status), func(t *testing.T) {
			var arrivals atomic.Int32
			srv := startH2(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrivals.Add(1)
				if !strings.HasPrefix(r.URL.Path, "/moved") {
					http.Redirect(w, r, "/moved"+r.URL.Path+"?"+r.URL.RawQuery, status)
					return
				}
				w.Header().Set("Content-Type", "text/xml")
				_, _ = w.Write(reply)
			}))
			c := hostileClient(t, srv.URL, tlsRoots(srv))
			got, err := c.Account.CustomerInfo(bg)
			require.NoError(t, err)
			assert.Equal(t, int64(1024), got.ID)
			assert.Equal(t, int32(2), arrivals.Load())
		})
	}
}

// A loop of 307s (or 308s) in answer to a read ends after 10 redirects, as
// a loop of 302s does, and is final; a 307 to another host is refused.
func TestHostileReadTemporaryRedirectLimits(t *testing.T) {
	for _, status := range []int{307, 308} {
		t.Run(strconv.Itoa(status)+" loop", func(t *testing.T) {
			var arrivals atomic.Int32
			srv := startH2(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrivals.Add(1)
				http.Redirect(w, r, r.URL.String(), status)
			}))
			c := hostileClient(t, srv.URL, tlsRoots(srv))
			_, err := c.Account.CustomerInfo(bg)
			var re *RequestError
			require.ErrorAs(t, err, &re)
			assert.Contains(t, err.Error(), "stopped after 10 redirects")
			assert.Equal(t, 1, re.Attempts)
			assert.Equal(t, int32(10), arrivals.Load(), "the first request and 9 redirects, once")
		})
	}
	t.Run("307 elsewhere", func(t *testing.T) {
		var strayed atomic.Int32
		other := startH2(t, http.HandlerFunc(func(http.ResponseWriter, *http.Request) { strayed.Add(1) }))
		srv := startH2(t, http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Redirect(w, r, other.URL+r.URL.Path+"?"+r.URL.RawQuery, http.StatusTemporaryRedirect)
		}))
		c := hostileClient(t, srv.URL, tlsRoots(srv))
		_, err := c.Account.CustomerInfo(bg)
		var re *RequestError
		require.ErrorAs(t, err, &re)
		assert.Equal(t, 1, re.Attempts)
		assert.Contains(t, err.Error(), "redirect")
		assert.NotContains(t, err.Error(), testPassword)
		assert.Zero(t, strayed.Load(), "nothing sent to the other host")
	})
}
