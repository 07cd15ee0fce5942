package bestedm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/textproto"
	"strings"
	"sync"
	"time"
)

// File is a file to upload: an attachment or a list of addresses. Content is
// streamed, never read whole into memory; if it is also an io.Seeker, a
// request that never reached the server can be retried.
type File struct {
	Name    string    // the file name sent to the server, e.g. "brochure.pdf"
	Content io.Reader // the bytes
}

type formField struct{ name, value string }

// upload is a multipart/form-data body, written through a pipe as the
// transport reads it.
type upload struct {
	fields    []formField
	fileField string // "file", or "file[]" when several files go together
	files     []File
	offsets   []int64 // start offsets of seekable files, for rewind
	boundary  string  // fixed, so the body's length can be computed
	length    int64   // of the body opened last; -1 when unknown
}

func newUpload(fileField string, files []File, fields ...formField) (*upload, error) {
	u := &upload{fields: fields, fileField: fileField, files: files, length: -1}
	u.boundary = multipart.NewWriter(io.Discard).Boundary()
	for i, f := range files {
		if isNilReader(f.Content) {
			return nil, &ValidationError{Field: fileField, Reason: fmt.Sprintf("file %d has no content", i+1)}
		}
		if strings.TrimSpace(f.Name) == "" {
			return nil, &ValidationError{Field: fileField, Reason: fmt.Sprintf("file %d has no name", i+1)}
		}
		if err := checkFileName(fileField, i, f.Name); err != nil {
			return nil, err
		}
	}
	// Record where each seekable file starts, so that a retry can replay
	// the body. (rewindable itself needs these offsets, so it cannot be the
	// test here: asking it first left every upload unreplayable.)
	for _, f := range files {
		sk, ok := f.Content.(io.Seeker)
		if !ok {
			u.offsets = nil
			break
		}
		off, err := sk.Seek(0, io.SeekCurrent)
		if err != nil {
			u.offsets = nil
			break
		}
		u.offsets = append(u.offsets, off)
	}
	return u, nil
}

func (u *upload) rewindable() bool {
	for _, f := range u.files {
		if _, ok := f.Content.(io.Seeker); !ok {
			return false
		}
	}
	return len(u.offsets) == len(u.files)
}

// rewind seeks every file back to where it started.
func (u *upload) rewind() error {
	if len(u.offsets) != len(u.files) {
		return errors.New("upload cannot be replayed")
	}
	for i, f := range u.files {
		if _, err := f.Content.(io.Seeker).Seek(u.offsets[i], io.SeekStart); err != nil {
			return err
		}
	}
	return nil
}

// open starts writing the body into a pipe and returns its reading end and
// Content-Type. The writer stops as soon as the reader is closed, so an
// upload the server rejects early does not leave a goroutine behind.
func (u *upload) open() (io.Reader, string, error) {
	u.length = u.contentLength()
	pr, pw := io.Pipe()
	mw := multipart.NewWriter(pw)
	if err := mw.SetBoundary(u.boundary); err != nil {
		return nil, "", err
	}
	go func() {
		pw.CloseWithError(u.write(mw))
	}()
	return pr, mw.FormDataContentType(), nil
}

// contentLength returns the exact length of the body, or -1 when a file's
// length is unknown. Without a length the transport sends the body chunked,
// which PHP behind FastCGI (Apache's mod_proxy_fcgi, among others) does not
// accept: the files would arrive empty. A file's length is known when it is
// an io.Seeker or has a Len method (bytes.Reader, strings.Reader,
// bytes.Buffer); it is measured from where the reader stands.
func (u *upload) contentLength() int64 {
	var total int64
	for _, f := range u.files {
		n, ok := remaining(f.Content)
		if !ok {
			return -1
		}
		total += n
	}
	// The framing: the same body with every file empty.
	var cw countingWriter
	mw := multipart.NewWriter(&cw)
	if mw.SetBoundary(u.boundary) != nil {
		return -1
	}
	empty := &upload{fields: u.fields, fileField: u.fileField, files: make([]File, len(u.files))}
	for i, f := range u.files {
		empty.files[i] = File{Name: f.Name, Content: strings.NewReader("")}
	}
	if empty.write(mw) != nil {
		return -1
	}
	return total + cw.n
}

// remaining returns how many bytes r has left to read, if that is known.
func remaining(r io.Reader) (int64, bool) {
	if l, ok := r.(interface{ Len() int }); ok {
		return int64(l.Len()), true
	}
	s, ok := r.(io.Seeker)
	if !ok {
		return 0, false
	}
	cur, err := s.Seek(0, io.SeekCurrent)
	if err != nil {
		return 0, false
	}
	end, err := s.Seek(0, io.SeekEnd)
	if _, serr := s.Seek(cur, io.SeekStart); err != nil || serr != nil {
		return 0, false
	}
	return end - cur, true
}

type countingWriter struct{ n int64 }

func (w *countingWriter) Write(p []byte) (int, error) { w.n += int64(len(p)); return len(p), nil }

func (u *upload) write(mw *multipart.Writer) error {
	for _, f := range u.fields {
		if err := mw.WriteField(f.name, f.value); err != nil {
			return err
		}
	}
	for _, f := range u.files {
		h := make(textproto.MIMEHeader)
		h.Set("Content-Disposition", fmt.Sprintf(`form-data; name="%s"; filename="%s"`, u.fileField, f.Name))
		h.Set("Content-Type", "application/octet-stream")
		w, err := mw.CreatePart(h)
		if err != nil {
			return err
		}
		if _, err := io.Copy(w, f.Content); err != nil {
			return fmt.Errorf("reading %s: %w", f.Name, err)
		}
	}
	return mw.Close()
}

// uploadBody is the body of an upload request as the transport reads it.
// Each read that brings bytes re-arms the attempt's watchdog until the
// answer arrives, so that the timeout measures silence, not the length of
// an upload that keeps sending. When the attempt's context ends, the pipe
// is closed: the transport, blocked reading it because the caller's reader
// blocks, is released at once, and the call returns. The goroutine copying
// from the caller's reader ends when that Read returns.
type uploadBody struct {
	pr       *io.PipeReader
	ctx      context.Context // the attempt's
	mu       sync.Mutex
	watchdog *time.Timer // nil once the answer arrived
	timeout  time.Duration
}

// watchUpload replaces req's body (the reading end of an upload pipe) with
// an uploadBody watched by watchdog and ended with ctx.
func watchUpload(req *http.Request, ctx context.Context, watchdog *time.Timer, timeout time.Duration) *uploadBody {
	pr, ok := req.Body.(*io.PipeReader)
	if !ok {
		return nil
	}
	b := &uploadBody{pr: pr, ctx: ctx, watchdog: watchdog, timeout: timeout}
	context.AfterFunc(ctx, func() { pr.CloseWithError(context.Cause(ctx)) })
	req.Body = b
	return b
}

func (b *uploadBody) Read(p []byte) (int, error) {
	n, err := b.pr.Read(p)
	if n > 0 {
		b.mu.Lock()
		if b.watchdog != nil {
			b.watchdog.Reset(b.timeout)
		}
		b.mu.Unlock()
	}
	if err != nil && err != io.EOF && b.ctx.Err() != nil {
		// The pipe closed because the attempt ended: say why, so the
		// transport does not report a broken pipe.
		err = context.Cause(b.ctx)
	}
	return n, err
}

func (b *uploadBody) Close() error { return b.pr.Close() }

// answered stops the body's reads from re-arming the watchdog: from then
// on it watches the reply.
func (b *uploadBody) answered() {
	if b == nil {
		return
	}
	b.mu.Lock()
	b.watchdog = nil
	b.mu.Unlock()
}
