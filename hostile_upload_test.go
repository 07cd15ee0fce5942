package bestedm

import (
	"context"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"
)

// Uploads against a hostile caller's reader and a slow network. These tests
// use real time on purpose: the deadline is the thing under test.

// stallingReader yields size bytes in chunks of chunk bytes, one chunk
// every interval (0: as fast as asked); after stallAt bytes (< 0: never) it
// blocks in Read until release is closed, and then ends.
type stallingReader struct {
	chunk    int
	interval time.Duration
	stallAt  int64 // bytes after which Read blocks; < 0 never
	size     int64
	release  chan struct{}
	read     atomic.Int64
	blocked  chan struct{} // closed when Read first blocks
	once     sync.Once
}

func newStallingReader(stallAt, size int64, chunk int, interval time.Duration) *stallingReader {
	return &stallingReader{chunk: chunk, interval: interval, stallAt: stallAt, size: size,
		release: make(chan struct{}), blocked: make(chan struct{})}
}

func (r *stallingReader) Read(p []byte) (int, error) {
	done := r.read.Load()
	if r.stallAt >= 0 && done >= r.stallAt {
		r.once.Do(func() { close(r.blocked) })
		<-r.release
		return 0, io.EOF
	}
	if done >= r.size {
		return 0, io.EOF
	}
	if r.interval > 0 {
		time.Sleep(r.interval)
	}
	n := int(min(int64(len(p)), int64(r.chunk), r.size-done))
	if r.stallAt >= 0 {
		n = int(min(int64(n), r.stallAt-done))
	}
	for i := range p[:n] {
		p[i] = 'x'
	}
	r.read.Add(int64(n))
	return n, nil
}

// uploadServer reads every request body to its end, counting the bytes,
// and answers success; bytes is the running count for the current request.
type uploadServer struct {
	srv   *httptest.Server
	bytes atomic.Int64
	reqs  atomic.Int32
}

func newUploadServer(t *testing.T) *uploadServer {
	us := &uploadServer{}
	us.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		us.reqs.Add(1)
		buf := make([]byte, 32<<10)
		for {
			n, err := r.Body.Read(buf)
			us.bytes.Add(int64(n))
			if err != nil {
				break
			}
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write(result("success", "7"))
	}))
	t.Cleanup(us.srv.Close)
	return us
}

// uploadCalls are the three calls that stream a File.
var uploadCalls = []struct {
	name string
	call func(ctx context.Context, c *Client, f File) error
}{
	{"Maillist.ImportFile", func(ctx context.Context, c *Client, f File) error {
		_, err := c.Maillist.ImportFile(ctx, 12, f)
		return err
	}},
	{"Template.Create", func(ctx context.Context, c *Client, f File) error {
		_, err := c.Template.Create(ctx, &TemplateParams{Name: "n", Subjects: []string{"s"}, Content: "<p>c</p>", Attachments: []File{f}})
		return err
	}},
	{"Template.AddAttachments", func(ctx context.Context, c *Client, f File) error {
		_, err := c.Template.AddAttachments(ctx, 7, f)
		return err
	}},
}

// A reader that blocks forever does not hold the call: cancelling the
// context ends it within 100 ms, and once the reader returns, nothing of the
// SDK's is left running.
func TestHostileUploadCancelBlockedReader(t *testing.T) {
	for _, tc := range uploadCalls {
		t.Run(tc.name, func(t *testing.T) {
			before := goleak.IgnoreCurrent()
			us := newUploadServer(t)
			c, err := NewClient(testUser, testPassword, WithBaseURL(us.srv.URL+apiPath))
			require.NoError(t, err)
			rd := newStallingReader(64<<10, 1<<30, 16<<10, 0)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			errc := make(chan error, 1)
			go func() { errc <- tc.call(ctx, c, File{Name: "a.csv", Content: rd}) }()
			<-rd.blocked
			time.Sleep(20 * time.Millisecond) // let the transport wait on the stalled body
			g0 := runtime.NumGoroutine()
			cancel()
			start := time.Now()
			var callErr error
			select {
			case callErr = <-errc:
			case <-time.After(2 * time.Second):
			}
			latency := time.Since(start)
			t.Logf("%s: returned %v after cancel; goroutines %d before cancel, %d after return", tc.name, latency.Round(time.Millisecond), g0, runtime.NumGoroutine())
			close(rd.release)
			if callErr == nil {
				callErr = <-errc // the call ended only once the reader did
			}
			assert.LessOrEqual(t, latency, 100*time.Millisecond, "call latency after cancel")
			require.Error(t, callErr)
			assert.ErrorIs(t, callErr, context.Canceled)
			var re *RequestError
			assert.ErrorAs(t, callErr, &re)
			assert.Equal(t, int32(1), us.reqs.Load(), "a write is sent once")
			us.srv.Close()
			c.http.CloseIdleConnections()
			goleak.VerifyNone(t, before)
		})
	}
}

// WithTimeout ends a call whose reader blocks, within 100 ms of the
// timeout, with an error matching context.DeadlineExceeded.
func TestHostileUploadTimeoutBlockedReader(t *testing.T) {
	const timeout = 300 * time.Millisecond
	for _, tc := range uploadCalls {
		t.Run(tc.name, func(t *testing.T) {
			before := goleak.IgnoreCurrent()
			us := newUploadServer(t)
			c, err := NewClient(testUser, testPassword, WithBaseURL(us.srv.URL+apiPath), WithTimeout(timeout))
			require.NoError(t, err)
			rd := newStallingReader(256<<10, 1<<30, 16<<10, 0)
			errc := make(chan error, 1)
			go func() { errc <- tc.call(bg, c, File{Name: "a.csv", Content: rd}) }()
			<-rd.blocked
			stalled := time.Now()
			var callErr error
			select {
			case callErr = <-errc:
			case <-time.After(2 * time.Second):
			}
			took := time.Since(stalled)
			t.Logf("%s: returned %v after the reader stalled (timeout %v); server got %d bytes", tc.name, took.Round(time.Millisecond), timeout, us.bytes.Load())
			close(rd.release)
			if callErr == nil {
				callErr = <-errc
			}
			assert.LessOrEqual(t, took, timeout+100*time.Millisecond, "the call outlived the timeout")
			require.Error(t, callErr)
			assert.ErrorIs(t, callErr, context.DeadlineExceeded)
			assert.False(t, errors.Is(callErr, context.Canceled), "a timeout is not a cancellation")
			assert.GreaterOrEqual(t, us.bytes.Load(), int64(200<<10), "what the reader gave was sent")
			us.srv.Close()
			c.http.CloseIdleConnections()
			goleak.VerifyNone(t, before)
		})
	}
}

// WithTimeout measures silence, not the length of an upload: one that
// keeps sending for four times the timeout succeeds, and one that then
// stalls fails about one timeout after its last byte.
func TestHostileUploadSteadyVersusStalled(t *testing.T) {
	const (
		timeout  = 300 * time.Millisecond
		chunk    = 32 << 10
		interval = 25 * time.Millisecond // ~1.3 MB/s
		size     = 48 * chunk            // 1.5 MiB, ~1.2 s
	)
	us := newUploadServer(t)
	c, err := NewClient(testUser, testPassword, WithBaseURL(us.srv.URL+apiPath), WithTimeout(timeout))
	require.NoError(t, err)

	steady := newStallingReader(-1, size, chunk, interval)
	start := time.Now()
	_, err = c.Maillist.ImportFile(bg, 12, File{Name: "a.csv", Content: steady})
	took := time.Since(start)
	t.Logf("steady: %d bytes in %v with a %v timeout: err=%v; server got %d bytes", steady.read.Load(), took.Round(time.Millisecond), timeout, err, us.bytes.Load())
	require.NoError(t, err, "a steady upload is not silence")
	assert.Greater(t, took, 3*timeout, "the upload lasted several timeouts")
	assert.Greater(t, us.bytes.Load(), int64(size))

	us.bytes.Store(0)
	stalled := newStallingReader(size/2, size, chunk, interval)
	errc := make(chan error, 1)
	go func() {
		_, err := c.Maillist.ImportFile(bg, 12, File{Name: "a.csv", Content: stalled})
		errc <- err
	}()
	<-stalled.blocked
	stallTime := time.Now()
	var callErr error
	select {
	case callErr = <-errc:
	case <-time.After(2 * time.Second):
	}
	after := time.Since(stallTime)
	close(stalled.release)
	if callErr == nil {
		callErr = <-errc
	}
	t.Logf("stalled: failed %v after the last byte (timeout %v); server got %d bytes: %v", after.Round(time.Millisecond), timeout, us.bytes.Load(), callErr)
	require.Error(t, callErr)
	assert.ErrorIs(t, callErr, context.DeadlineExceeded)
	assert.GreaterOrEqual(t, after, timeout-50*time.Millisecond, "failed before a timeout of silence")
	assert.LessOrEqual(t, after, timeout+100*time.Millisecond)
	assert.GreaterOrEqual(t, us.bytes.Load(), int64(size/2)-chunk, "the bytes before the stall were sent")
}
