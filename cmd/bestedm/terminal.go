package main

import (
	"io"
	"sync"
)

// clearLine returns the cursor to the start of the line and erases it
// (CR, then ANSI "erase in line").
const clearLine = "\r\x1b[K"

// terminal keeps a progress line on stderr (a bar redrawn in place with
// CR, no newline) from sharing a line with what goes to stdout: when both
// are the same screen, the progress line is erased before any stdout write,
// and the bar draws itself again below on its next update.
type terminal struct {
	mu      sync.Mutex
	stderr  io.Writer
	pending bool // stderr's last write left a line without its newline
}

// onTerminal returns e with stdout and stderr going through one terminal
// when stderr is one; otherwise e as it is.
func (e *env) onTerminal() *env {
	if !e.stderrIsTTY {
		return e
	}
	t := &terminal{stderr: e.stderr}
	c := *e
	c.stdout = &termStdout{t: t, w: e.stdout}
	c.stderr = &termStderr{t: t}
	return &c
}

type termStdout struct {
	t *terminal
	w io.Writer
}

// Write erases a pending progress line, then writes p.
func (w *termStdout) Write(p []byte) (int, error) {
	w.t.mu.Lock()
	defer w.t.mu.Unlock()
	if w.t.pending {
		if _, err := io.WriteString(w.t.stderr, clearLine); err != nil {
			return 0, err
		}
		w.t.pending = false
	}
	return w.w.Write(p)
}

type termStderr struct{ t *terminal }

// Sync passes on to standard output when it is a file.
func (w *termStdout) Sync() error {
	if s, ok := w.w.(interface{ Sync() error }); ok {
		return s.Sync()
	}
	return nil
}

// Write writes p to stderr and notes whether it left a line open. A
// message (not a redraw, which starts with CR) erases an open line first.
func (w *termStderr) Write(p []byte) (int, error) {
	w.t.mu.Lock()
	defer w.t.mu.Unlock()
	if w.t.pending && len(p) > 0 && p[0] != '\r' {
		if _, err := io.WriteString(w.t.stderr, clearLine); err != nil {
			return 0, err
		}
		w.t.pending = false
	}
	n, err := w.t.stderr.Write(p)
	if n > 0 {
		w.t.pending = p[n-1] != '\n'
	}
	return n, err
}
