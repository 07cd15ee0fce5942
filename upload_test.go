package bestedm

import (
	"bytes"
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// flakyDialer fails the first n dials with a dial error, as an unreachable
// host does, and then connects normally.
type flakyDialer struct {
	failures int32
	dials    atomic.Int32
}

func (d *flakyDialer) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	if d.dials.Add(1) <= d.failures {
		return nil, &net.OpError{Op: "dial", Net: network, Err: errors.New("connection refused")}
	}
	var nd net.Dialer
	return nd.DialContext(ctx, network, addr)
}

// flakyClient is an HTTP client whose first n dials fail.
func flakyClient(n int32) (*http.Client, *flakyDialer) {
	d := &flakyDialer{failures: n}
	return &http.Client{Transport: &http.Transport{DialContext: d.DialContext}}, d
}

func uploadRequest(t *testing.T, files ...File) *request {
	t.Helper()
	u, err := newUpload("file", files, formField{"name", "春季促销"}, formField{"subject", "Hello"})
	require.NoError(t, err)
	return &request{method: http.MethodPost, script: "template.php", action: "add-tpl", upload: u, write: true}
}

func TestUploadMultipartBody(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "template.php", result("success", "17"), func(r *http.Request) {
		testRequest(t, r, http.MethodPost, q("do", "add-tpl"))
		assert.Equal(t, []part{
			{Field: "name", Content: "春季促销"},
			{Field: "subject", Content: "Hello"},
			{Field: "file", FileName: "a.pdf", Content: "%PDF-1.4 a"},
			{Field: "file", FileName: "b.txt", Content: "plain b"},
		}, readMultipart(t, r))
	})
	// Non-seekable readers stream as well.
	res, err := c.execReply(bg, uploadRequest(t,
		File{Name: "a.pdf", Content: strings.NewReader("%PDF-1.4 a")},
		File{Name: "b.txt", Content: io.MultiReader(strings.NewReader("plain b"))},
	), idElementOrData)
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "17", ID: 17}, res)
}

func TestUploadValidation(t *testing.T) {
	tests := []struct {
		name string
		file File
	}{
		{"no content", File{Name: "a.pdf"}},
		{"no name", File{Name: "  ", Content: strings.NewReader("x")}},
		{"quote in name", File{Name: `a".pdf`, Content: strings.NewReader("x")}},
		{"line break in name", File{Name: "a\r\n.pdf", Content: strings.NewReader("x")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := newUpload("file[]", []File{{Name: "ok.txt", Content: strings.NewReader("x")}, tt.file})
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assert.Equal(t, "file[]", ve.Field)
			assert.Contains(t, ve.Reason, "file")
		})
	}
}

func TestUploadRewindable(t *testing.T) {
	seek := func() File { return File{Name: "a.txt", Content: bytes.NewReader([]byte("abc"))} }
	stream := File{Name: "b.txt", Content: io.MultiReader(strings.NewReader("b"))}

	u, err := newUpload("file", []File{seek(), seek()})
	require.NoError(t, err)
	assert.True(t, u.rewindable(), "all files seekable")

	u, err = newUpload("file", []File{seek(), stream})
	require.NoError(t, err)
	assert.False(t, u.rewindable(), "one file is a plain reader")

	u, err = newUpload("file", nil, formField{"a", "b"})
	require.NoError(t, err)
	assert.True(t, u.rewindable(), "fields only")
}

// A write with a seekable file is retried when the dial failed (nothing
// reached the server), and the replayed body is the same, starting where
// the caller's reader stood rather than at its start.
func TestUploadRetriedAfterDialErrorWithSameBody(t *testing.T) {
	t.Parallel()
	hc, dialer := flakyClient(2)
	c, mux := setup(t, WithHTTPClient(hc), WithRetry(RetryPolicy{MaxRetries: 3}))
	c.clock = &fakeClock{}
	var bodies []string
	mux.HandleFunc(apiPath+"template.php", func(w http.ResponseWriter, r *http.Request) {
		parts := readMultipart(t, r)
		if assert.Len(t, parts, 3) {
			bodies = append(bodies, parts[2].Content)
		}
		_, _ = w.Write(result("success", "ok"))
	})
	content := bytes.NewReader([]byte("SKIP|attachment bytes"))
	_, err := content.Seek(5, io.SeekStart)
	require.NoError(t, err)

	_, err = c.exec(bg, uploadRequest(t, File{Name: "a.txt", Content: content}))
	require.NoError(t, err)
	assert.Equal(t, int32(3), dialer.dials.Load(), "two failed dials, then one that worked")
	assert.Equal(t, []string{"attachment bytes"}, bodies)
}

// A plain reader cannot be replayed: a dial error is then final.
func TestUploadNotRetriedWhenNotSeekable(t *testing.T) {
	t.Parallel()
	hc, dialer := flakyClient(1)
	c, mux := setup(t, WithHTTPClient(hc), WithRetry(RetryPolicy{MaxRetries: 3}))
	c.clock = &fakeClock{}
	failHandler(t, mux)
	_, err := c.exec(bg, uploadRequest(t, File{Name: "a.txt", Content: io.MultiReader(strings.NewReader("x"))}))
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, 1, re.Attempts)
	assert.Equal(t, int32(1), dialer.dials.Load())
}

// Files whose length is known are sent with a Content-Length: PHP behind
// FastCGI drops chunked request bodies. Others are streamed chunked.
func TestUploadContentLength(t *testing.T) {
	t.Parallel()
	tmp, err := os.CreateTemp(t.TempDir(), "attachment")
	require.NoError(t, err)
	_, err = tmp.WriteString("0123456789 file bytes")
	require.NoError(t, err)
	_, err = tmp.Seek(3, io.SeekStart)
	require.NoError(t, err)

	tests := []struct {
		name    string
		files   []File
		chunked bool
	}{
		{"strings.Reader", []File{{Name: "a.txt", Content: strings.NewReader("hello 世界")}}, false},
		{"bytes.Buffer and os.File", []File{{Name: "a.txt", Content: bytes.NewBufferString("buf")}, {Name: "b.bin", Content: tmp}}, false},
		{"no files", nil, false},
		{"plain reader", []File{{Name: "a.txt", Content: strings.NewReader("x")}, {Name: "b.txt", Content: io.MultiReader(strings.NewReader("y"))}}, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			mux.HandleFunc(apiPath+"template.php", func(w http.ResponseWriter, r *http.Request) {
				body, err := io.ReadAll(r.Body)
				assert.NoError(t, err)
				if tt.chunked {
					assert.Equal(t, []string{"chunked"}, r.TransferEncoding)
				} else {
					assert.Empty(t, r.TransferEncoding)
					assert.Equal(t, int64(len(body)), r.ContentLength)
				}
				_, _ = w.Write(result("success", "1"))
			})
			_, err := c.exec(bg, uploadRequest(t, tt.files...))
			require.NoError(t, err)
		})
	}
	rest, err := io.ReadAll(tmp)
	require.NoError(t, err)
	assert.Empty(t, rest, "the file was read to its end, from where it stood")
}
