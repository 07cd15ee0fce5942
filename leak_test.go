package bestedm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// TestMain fails the package's tests if any goroutine outlives them: a
// reply body, an upload pipe or a watchdog left behind by some call.
func TestMain(m *testing.M) {
	goleak.VerifyTestMain(m)
}

// leakServer is a test server for the leak tests: its handler's end is
// signalled on done, and finish closes everything the test started before
// checking that no goroutine is left over from the test.
type leakServer struct {
	srv    *httptest.Server
	client *Client
	done   chan struct{}
}

func newLeakServer(t *testing.T, handler http.HandlerFunc, opts ...Option) *leakServer {
	t.Helper()
	ls := &leakServer{done: make(chan struct{}, 1)}
	ls.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() { ls.done <- struct{}{} }()
		handler(w, r)
	}))
	t.Cleanup(ls.srv.Close)
	c, err := NewClient(testUser, testPassword, append([]Option{WithBaseURL(ls.srv.URL + apiPath), WithRetry(RetryPolicy{})}, opts...)...)
	require.NoError(t, err)
	ls.client = c
	return ls
}

// handlerReturned waits for the handler to end, which it does only once
// the client has hung up (its writes fail) or it answered.
func (ls *leakServer) handlerReturned(t *testing.T) {
	t.Helper()
	select {
	case <-ls.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the handler is still running: the client kept the connection open")
	}
}

// finish closes the server and the client's idle connections, then checks
// that every goroutine the test started has ended.
func (ls *leakServer) finish(t *testing.T, before goleak.Option) {
	t.Helper()
	ls.srv.Close()
	ls.client.http.CloseIdleConnections()
	goleak.VerifyNone(t, before)
}

// streamOpens writes n open-detail records, flushing as it goes; it stops
// when a write fails (the client went away) and reports how many it wrote.
func streamOpens(n int, written *atomic.Int64) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		if _, err := io.WriteString(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<data>\r\n"); err != nil {
			return
		}
		for i := 1; i <= n; i++ {
			rec := fmt.Sprintf("<user><email_id>%d</email_id><email><![CDATA[user%d@example.com]]></email>"+
				"<browser>Chrome</browser><os>Windows 7</os><ip_first>10.0.0.1</ip_first><ip_last></ip_last>"+
				"<open_total>1</open_total><click_total>0</click_total><open_first>2012-03-02 10:05:17</open_first>"+
				"<open_last>0000-00-00 00:00:00</open_last><click_first></click_first><click_last></click_last></user>\r\n", i, i)
			if _, err := io.WriteString(w, rec); err != nil {
				return
			}
			written.Add(1)
			if i%100 == 0 {
				w.(http.Flusher).Flush()
			}
		}
		_, _ = io.WriteString(w, "</data>\r\n")
	}
}

// An iterator the caller stops after one record of many releases the
// connection: nothing keeps reading, the server's writes fail, and no
// goroutine is left.
func TestLeakIteratorAbandoned(t *testing.T) {
	before := goleak.IgnoreCurrent()
	const n = 50000 // ~15 MB: far more than the socket buffers hold
	var written atomic.Int64
	ls := newLeakServer(t, streamOpens(n, &written))
	got := 0
	for o, err := range ls.client.Track.Opens(bg, TaskByID(362)) {
		require.NoError(t, err)
		assert.Equal(t, int64(1), o.EmailID)
		got++
		break
	}
	assert.Equal(t, 1, got)
	ls.handlerReturned(t)
	assert.Less(t, written.Load(), int64(n), "the server could not send the whole reply")
	ls.finish(t, before)
}

// Cancelling the context while records stream ends the loop with the
// context's error, and releases the connection.
func TestLeakContextCancelledMidStream(t *testing.T) {
	before := goleak.IgnoreCurrent()
	const n = 50000
	var written atomic.Int64
	ls := newLeakServer(t, streamOpens(n, &written))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var got int
	var last error
	for o, err := range ls.client.Track.Opens(ctx, TaskByID(362)) {
		if err != nil {
			last = err
			assert.Zero(t, o)
			continue // the iterator must end by itself after an error
		}
		got++
		if got == 10 {
			cancel()
		}
	}
	require.Error(t, last)
	assert.ErrorIs(t, last, context.Canceled)
	var re *RequestError
	assert.ErrorAs(t, last, &re)
	assert.Less(t, got, n, "the loop stopped early")
	ls.handlerReturned(t)
	ls.finish(t, before)
}

// endlessReader is a non-seekable attachment of size bytes, produced as it
// is read; it counts what was read.
type endlessReader struct {
	size int64
	read atomic.Int64
}

func (r *endlessReader) Read(p []byte) (int, error) {
	done := r.read.Load()
	if done >= r.size {
		return 0, io.EOF
	}
	n := int(min(int64(len(p)), r.size-done))
	for i := range p[:n] {
		p[i] = 'x'
	}
	r.read.Add(int64(n))
	return n, nil
}

// An upload the server refuses before reading it stops streaming: the
// pipe's writer goroutine ends, the attachment is not read to its end, and
// the call fails (it is a write: not retried).
func TestLeakUploadRejectedEarly(t *testing.T) {
	before := goleak.IgnoreCurrent()
	var requests atomic.Int32
	ls := newLeakServer(t, func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		http.Error(w, "upload too large", http.StatusBadRequest)
	}, WithRetry(RetryPolicy{MaxRetries: 3}))
	ls.client.clock = &fakeClock{}
	att := &endlessReader{size: 1 << 30}
	_, err := ls.client.Template.Create(bg, &TemplateParams{
		Name: "春季促销", Subjects: []string{"Hello"}, Content: "<p>hi</p>",
		Attachments: []File{{Name: "huge.bin", Content: att}},
	})
	require.Error(t, err)
	var he *HTTPError
	var re *RequestError
	switch {
	case errors.As(err, &he):
		assert.Equal(t, http.StatusBadRequest, he.StatusCode)
	case errors.As(err, &re):
		// The transport may see its write fail before it reads the answer.
		assert.Equal(t, 1, re.Attempts)
	default:
		t.Fatalf("unexpected error %T: %v", err, err)
	}
	assert.Equal(t, int32(1), requests.Load(), "a write is not retried")
	ls.handlerReturned(t)
	ls.finish(t, before)
	assert.Less(t, att.read.Load(), att.size/2, "the attachment was not streamed to its end")
	assert.False(t, strings.Contains(err.Error(), testPassword))
}
