package bestedm

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
	"golang.org/x/text/encoding/simplifiedchinese"
)

type subscriber struct{ Address, Name string }

func parseTestSubscriber(f []string) (subscriber, error) {
	if len(f) < 2 {
		return subscriber{}, fmt.Errorf("want 2 fields, got %d", len(f))
	}
	return subscriber{Address: f[0], Name: f[1]}, nil
}

func exportRequest() *request {
	return get("mloperate.php", "subscription-export", q("id", "7"))
}

// serveExport answers the export call with body and content type.
func serveExport(t *testing.T, mux *http.ServeMux, contentType string, body []byte) {
	t.Helper()
	mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "subscription-export", "id", "7"))
		w.Header()["Content-Type"] = []string{contentType}
		_, _ = w.Write(body)
	})
}

func collect[T any](t *testing.T, seq func(yield func(T, error) bool)) ([]T, error) {
	t.Helper()
	var out []T
	for v, err := range seq {
		if err != nil {
			return out, err
		}
		out = append(out, v)
	}
	return out, nil
}

var wantSubscribers = []subscriber{
	{"zhang.san@example.com", "张三"},
	{"li.si@example.cn", "李四"},
	{"wang@example.com", ""},
}

func TestExportRows(t *testing.T) {
	t.Parallel()
	utf8Body := "zhang.san@example.com\t张三\r\n\r\n  li.si@example.cn \t 李四 \r\nwang@example.com\t\r\n"
	gbk, err := simplifiedchinese.GBK.NewEncoder().String(utf8Body)
	require.NoError(t, err)
	tests := []struct {
		name, contentType, body string
	}{
		{"utf-8 with CRLF", "text/plain; charset=utf-8", utf8Body},
		{"no final line end", "text/plain", strings.TrimSuffix(utf8Body, "\r\n")},
		{"LF only", "text/plain", strings.ReplaceAll(utf8Body, "\r\n", "\n")},
		{"BOM", "text/plain", "\xEF\xBB\xBF" + utf8Body},
		{"GBK in Content-Type", "text/plain; charset=GBK", gbk},
		{"GB2312 in Content-Type", "application/octet-stream; charset=gb2312", gbk},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			serveExport(t, mux, tt.contentType, []byte(tt.body))
			exp, err := openExport(bg, c, exportRequest(), parseTestSubscriber)
			require.NoError(t, err)
			assert.Equal(t, tt.contentType, exp.ContentType())
			got, err := collect(t, exp.Rows())
			require.NoError(t, err)
			assert.Equal(t, wantSubscribers, got)
			assert.NoError(t, exp.Close(), "closing again is harmless")
		})
	}
}

// Read gives the bytes exactly as sent, whatever their charset.
func TestExportRawRead(t *testing.T) {
	t.Parallel()
	gbk, err := simplifiedchinese.GBK.NewEncoder().String("a@example.com\t张三\r\n")
	require.NoError(t, err)
	gbk = "\xEF\xBB\xBF" + gbk
	c, mux := setup(t)
	serveExport(t, mux, "text/plain; charset=GBK", []byte(gbk))
	exp, err := openExport(bg, c, exportRequest(), parseTestSubscriber)
	require.NoError(t, err)
	defer exp.Close()
	b, err := io.ReadAll(exp)
	require.NoError(t, err)
	assert.Equal(t, gbk, string(b))
}

func TestExportEmpty(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	serveExport(t, mux, "text/plain", []byte("\r\n"))
	exp, err := openExport(bg, c, exportRequest(), parseTestSubscriber)
	require.NoError(t, err)
	got, err := collect(t, exp.Rows())
	require.NoError(t, err)
	assert.Empty(t, got)
}

// The server reports errors as XML where text was expected.
func TestExportXMLReplies(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, body string
		status     Status // an APIError status, or "" for a DecodeError
		msg        string
	}{
		{"api error", string(result("maillist_not_exist", "分类不存在")), "maillist_not_exist", ""},
		{"api error after BOM and spaces", "\xEF\xBB\xBF \r\n" + string(result("auth_error", "")), "auth_error", ""},
		{"html page", "<html><body>502 Bad Gateway</body></html>", "", "got root element <html>"},
		{"success result", string(result("success", "")), "", `got a "success" <result> instead`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			serveExport(t, mux, "text/html", []byte(tt.body))
			exp, err := openExport(bg, c, exportRequest(), parseTestSubscriber)
			assert.Nil(t, exp)
			if tt.status != "" {
				var ae *APIError
				require.ErrorAs(t, err, &ae)
				assert.Equal(t, tt.status, ae.Status)
				return
			}
			var de *DecodeError
			require.ErrorAs(t, err, &de)
			assert.Contains(t, err.Error(), tt.msg)
		})
	}
}

func TestExportHTTPError(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	serve(t, mux, 401, "text/plain", []byte("Unauthorized"))
	_, err := openExport(bg, c, exportRequest(), parseTestSubscriber)
	assert.ErrorIs(t, err, ErrUnauthorized)
}

func TestExportParseErrorNamesLine(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	serveExport(t, mux, "text/plain", []byte("a@example.com\tA\r\n\r\nbroken-line\r\nc@example.com\tC\r\n"))
	exp, err := openExport(bg, c, exportRequest(), parseTestSubscriber)
	require.NoError(t, err)
	got, err := collect(t, exp.Rows())
	assert.Equal(t, []subscriber{{"a@example.com", "A"}}, got)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "line 3: want 2 fields, got 1")
	assert.Contains(t, err.Error(), "mloperate.php?do=subscription-export&id=7")
}

func TestExportLineTooLong(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	serveExport(t, mux, "text/plain", []byte("a@example.com\t"+strings.Repeat("x", defaultMaxRecordSize+10)+"\r\n"))
	exp, err := openExport(bg, c, exportRequest(), parseTestSubscriber)
	require.NoError(t, err)
	_, err = collect(t, exp.Rows())
	var le *LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, LimitError{Limit: "record size", Max: defaultMaxRecordSize, Option: "WithMaxRecordSize"}, *le)
	assert.ErrorIs(t, err, ErrReplyTooLarge)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, err.Error(), "record size limit 4194304 bytes exceeded")
}

// Stopping early closes the body; a later break does not leak the
// connection (Close is idempotent).
func TestExportEarlyBreak(t *testing.T) {
	t.Parallel()
	var body strings.Builder
	for i := 0; i < 5000; i++ {
		body.WriteString("user" + strconv.Itoa(i) + "@example.com\tName\r\n")
	}
	c, mux := setup(t)
	serveExport(t, mux, "text/plain", []byte(body.String()))
	exp, err := openExport(bg, c, exportRequest(), parseTestSubscriber)
	require.NoError(t, err)
	n := 0
	for row, err := range exp.Rows() {
		require.NoError(t, err)
		assert.Equal(t, "user0@example.com", row.Address)
		n++
		break
	}
	assert.Equal(t, 1, n)
	_, err = exp.Read(make([]byte, 10))
	assert.Error(t, err, "the body was closed when the loop ended")
	assert.NoError(t, exp.Close())
}

// A connection that breaks mid-export yields the error after the rows
// that arrived.
func TestExportBrokenMidStream(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Length", "100000")
		_, _ = io.WriteString(w, "a@example.com\tA\r\nb@example.com\tB\r\nc@exa")
		w.(http.Flusher).Flush()
		hangUp(w, r)
	})
	exp, err := openExport(bg, c, exportRequest(), parseTestSubscriber)
	require.NoError(t, err)
	got, err := collect(t, exp.Rows())
	assert.Equal(t, []subscriber{{"a@example.com", "A"}, {"b@example.com", "B"}}, got)
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.True(t, errors.Is(err, io.ErrUnexpectedEOF), "cause: %v", err)
}

func TestSplitFieldsAndReadLine(t *testing.T) {
	assert.Equal(t, []string{"a", "b c", ""}, splitFields(" a \t b c \t "))
	assert.Equal(t, []string{"only"}, splitFields("only"))
}

// An Export dropped without Close (a caller's bug) releases what it holds
// once it is unreachable: its connection (the server sees it close) and
// the goroutines reading it. 50 dropped exports used to keep 50
// connections and 200 goroutines until the server gave up.
func TestExportDroppedWithoutCloseReleased(t *testing.T) {
	before := goleak.IgnoreCurrent()
	const n = 50
	var open, closed atomic.Int32
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		line := strings.Repeat("x", 100) + "@example.com\tname\n"
		for {
			// An endless export: only the client's hanging up ends it.
			if _, err := io.WriteString(w, line); err != nil {
				return
			}
		}
	}))
	srv.Config.ConnState = func(_ net.Conn, s http.ConnState) {
		switch s {
		case http.StateNew:
			open.Add(1)
		case http.StateClosed:
			closed.Add(1)
		}
	}
	srv.Start()
	defer func() {
		srv.CloseClientConnections() // if the test failed: the handlers would write forever
		srv.Close()
	}()
	c, err := NewClient(testUser, testPassword, WithBaseURL(srv.URL+apiPath), WithRetry(RetryPolicy{}))
	require.NoError(t, err)

	func() {
		for range n {
			exp, err := c.Maillist.ExportSubscribers(bg, 1)
			require.NoError(t, err)
			buf := make([]byte, 10)
			_, err = exp.Read(buf)
			require.NoError(t, err)
			// dropped: no Close
		}
	}()
	require.Equal(t, int32(n), open.Load())
	deadline := time.Now().Add(10 * time.Second)
	for closed.Load() < n && time.Now().Before(deadline) {
		runtime.GC()
		time.Sleep(20 * time.Millisecond)
	}
	if !assert.Equal(t, int32(n), closed.Load(), "connections closed once their exports were unreachable") {
		return
	}
	srv.Close()
	c.http.CloseIdleConnections()
	goleak.VerifyNone(t, before)
}
