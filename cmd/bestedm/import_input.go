package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
)

// input is the file an import reads.
type input struct {
	name string
	r    io.Reader
	file *os.File    // a regular file: it can be scanned, hashed and sought
	info os.FileInfo // what the input is, to refuse writing over it; nil if unknown
	size int64
}

func (in *input) Close() error {
	if c, ok := in.r.(io.Closer); ok {
		return c.Close()
	}
	return nil
}

// openInput opens name: "-" is standard input. A regular file is read as
// it is; anything else (a pipe, a FIFO, a device) through idleReader, so
// that an input that yields nothing for timeout is an error, not a hang,
// and a signal stops the read at once.
func openInput(ctx context.Context, name string, stdin io.Reader, timeout time.Duration) (*input, error) {
	in := &input{name: name}
	if name == "-" {
		in.name = "standard input"
		if f, ok := stdin.(*os.File); ok {
			in.info, _ = f.Stat()
		}
		in.r = newIdleReader(ctx, io.NopCloser(stdin), in.name, timeout)
		return in, nil
	}
	info, err := os.Stat(name)
	if err != nil {
		return nil, err
	}
	in.info = info
	switch {
	case info.IsDir():
		return nil, fmt.Errorf("%s is a directory", name)
	case info.Mode().IsRegular():
		f, err := os.Open(name)
		if err != nil {
			return nil, err
		}
		in.r, in.file, in.size = f, f, info.Size()
		return in, nil
	}
	f, err := openWaiting(ctx, name, timeout)
	if err != nil {
		return nil, err
	}
	in.r = newIdleReader(ctx, f, name, timeout)
	return in, nil
}

// openWaiting opens a FIFO (or device) whose open may block until a
// writer comes, for at most timeout.
func openWaiting(ctx context.Context, name string, timeout time.Duration) (*os.File, error) {
	type opened struct {
		f   *os.File
		err error
	}
	ch := make(chan opened, 1)
	go func() {
		f, err := os.Open(name)
		ch <- opened{f, err}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	var why error
	select {
	case o := <-ch:
		return o.f, o.err
	case <-t.C:
		why = fmt.Errorf("%s: no writer opened it within %v (--timeout)", name, timeout)
	case <-ctx.Done():
		why = context.Cause(ctx)
	}
	// Release the open still waiting: a writer that comes and goes lets it
	// return (at end of file), and its goroutine ends.
	if w, err := os.OpenFile(name, os.O_WRONLY|syscall.O_NONBLOCK, 0); err == nil {
		w.Close()
	}
	select {
	case o := <-ch:
		if o.f != nil {
			o.f.Close()
		}
	case <-time.After(time.Second):
	}
	return nil, why
}

// idleReader reads r in a goroutine of its own, so that a read waits at
// most timeout for data and ends at once when ctx does. The goroutine ends
// at r's end or error, or with ctx.
type idleReader struct {
	ctx     context.Context
	name    string
	timeout time.Duration
	chunks  chan chunk
	left    []byte
	err     error
	stop    context.CancelFunc
	r       io.ReadCloser
}

type chunk struct {
	b   []byte
	err error
}

const idleChunk = 64 << 10

func newIdleReader(ctx context.Context, r io.ReadCloser, name string, timeout time.Duration) *idleReader {
	ctx, stop := context.WithCancel(ctx)
	ir := &idleReader{ctx: ctx, name: name, timeout: timeout, chunks: make(chan chunk, 1), stop: stop, r: r}
	go ir.pump()
	return ir
}

func (ir *idleReader) pump() {
	for {
		b := make([]byte, idleChunk)
		n, err := ir.r.Read(b)
		select {
		case ir.chunks <- chunk{b[:n], err}:
		case <-ir.ctx.Done():
			return
		}
		if err != nil {
			return
		}
	}
}

func (ir *idleReader) Read(p []byte) (int, error) {
	for len(ir.left) == 0 {
		if ir.err != nil {
			return 0, ir.err
		}
		t := time.NewTimer(ir.timeout)
		select {
		case c := <-ir.chunks:
			t.Stop()
			ir.left, ir.err = c.b, c.err
		case <-t.C:
			ir.err = fmt.Errorf("%s yielded nothing for %v (--timeout)", ir.name, ir.timeout)
		case <-ir.ctx.Done():
			t.Stop()
			ir.err = context.Cause(ir.ctx)
		}
	}
	n := copy(p, ir.left)
	ir.left = ir.left[n:]
	return n, nil
}

// Close stops the goroutine (once its read returns) and closes r.
func (ir *idleReader) Close() error {
	ir.stop()
	return ir.r.Close()
}

// refuseInputAsOutput refuses an output path that is the input itself,
// by identity (same device and inode), not by name: a symlink or hard link
// to the input is the input.
func refuseInputAsOutput(in *input, flag, path string) error {
	if path == "" || in.info == nil {
		return nil
	}
	out, err := os.Stat(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	if os.SameFile(in.info, out) {
		return usagef("%s %s is the input file: it would be overwritten", flag, path)
	}
	return nil
}
