package xmlbind

import (
	"bufio"
	"bytes"
	"io"
	"strings"
	"unicode/utf8"
)

// A value the service stored with a control character (BEL, ESC, NUL) or
// with bytes that are not UTF-8 comes back in its replies as it was
// stored, and XML 1.0 cannot carry either: encoding/xml stops the whole
// document at it ("illegal character code U+0007", "invalid UTF-8"). One
// such value would make a whole list, or every list of an account,
// unreadable. Tolerant replaces each such character (each byte of an
// invalid sequence) with U+FFFD before any decoder sees it, so the reply
// reads, and the damaged value shows where it was damaged.

// DeclaresOtherEncoding reports whether head, the start of a document,
// has an XML declaration naming an encoding other than UTF-8 (or
// US-ASCII): such a document is read through the decoder's CharsetReader,
// and made tolerant after it (NewDecoder), not before.
func DeclaresOtherEncoding(head []byte) bool {
	head = bytes.TrimPrefix(head, []byte{0xEF, 0xBB, 0xBF})
	if !bytes.HasPrefix(head, []byte("<?xml")) {
		return false
	}
	j := bytes.Index(head, []byte("?>"))
	if j < 0 {
		j = len(head)
	}
	enc, ok := pseudoAttr(string(head[5:j]), "encoding")
	if !ok {
		return false
	}
	switch strings.ToLower(strings.TrimSpace(enc)) {
	case "utf-8", "utf8", "us-ascii", "ascii":
		return false
	}
	return true
}

// replacement is U+FFFD in UTF-8.
const replacement = "\uFFFD"

// Tolerant returns r with every character XML cannot carry replaced by
// U+FFFD. It is an io.ByteReader too, so that encoding/xml reads it
// without a buffer of its own.
func Tolerant(r io.Reader) *TolerantReader {
	t := &TolerantReader{raw: make([]byte, tolerantChunk+utf8.UTFMax)}
	t.Reset(r)
	return t
}

// Reset makes t read r from its start, keeping its buffers.
func (t *TolerantReader) Reset(r io.Reader) {
	br, _ := r.(*bufio.Reader)
	*t = TolerantReader{r: r, br: br, raw: t.raw, fixed: t.fixed[:0]}
}

const tolerantChunk = 4096

// TolerantReader is the reader Tolerant returns.
type TolerantReader struct {
	r io.Reader
	// br is r when it is a *bufio.Reader: clean text is then served from
	// its buffer (Peek), with no copy, and discarded once served.
	br     *bufio.Reader
	peeked int    // bytes of br's buffer that out was cut from
	raw    []byte // read buffer
	// tail is a rune the last read cut short, at raw[tailAt:tailAt+tail]:
	// moved to the front before the next read.
	tailAt, tail int
	out          []byte // what is served: a slice of raw when it needed no repair
	fixed        []byte // the repaired copy, when it did
	err          error
}

// fill reads the next chunk once out is used up.
func (t *TolerantReader) fill() {
	if t.br != nil {
		t.fillBuffered()
		return
	}
	for len(t.out) == 0 && t.err == nil {
		copy(t.raw, t.raw[t.tailAt:t.tailAt+t.tail])
		n, err := t.r.Read(t.raw[t.tail:])
		n += t.tail
		t.err = err
		end := n
		if err == nil {
			end -= partialRuneTail(t.raw[:n])
		}
		t.tailAt, t.tail = end, n-end
		chunk := t.raw[:end]
		if clean(chunk) {
			t.out = chunk
		} else {
			t.fixed = repair(t.fixed[:0], chunk)
			t.out = t.fixed
		}
	}
}

// fillBuffered is fill over a *bufio.Reader: what is buffered is checked
// where it lies and, when clean, served from there.
func (t *TolerantReader) fillBuffered() {
	for len(t.out) == 0 && t.err == nil {
		_, _ = t.br.Discard(t.peeked)
		t.peeked = 0
		want := max(t.br.Buffered(), 1)
		b, err := t.br.Peek(want)
		if len(b) == want {
			err = nil
		}
		end := len(b)
		if err != nil {
			t.err = err // the text ends here: what is left is served whole
		} else if tail := partialRuneTail(b); tail == len(b) {
			// Only part of a rune is buffered: read on for the rest.
			if b, err = t.br.Peek(len(b) + 1); err == nil {
				continue
			}
			t.err, end = err, len(b) // the text ends inside the rune
		} else {
			end -= tail
		}
		chunk := b[:end]
		t.peeked = end
		if clean(chunk) {
			t.out = chunk
		} else {
			t.fixed = repair(t.fixed[:0], chunk)
			t.out = t.fixed
		}
	}
}

// Read reads the repaired text.
func (t *TolerantReader) Read(p []byte) (int, error) {
	if len(t.out) == 0 {
		t.fill()
		if len(t.out) == 0 {
			return 0, t.err
		}
	}
	n := copy(p, t.out)
	t.out = t.out[n:]
	return n, nil
}

// ReadByte is Read of one byte.
func (t *TolerantReader) ReadByte() (byte, error) {
	if len(t.out) == 0 {
		t.fill()
		if len(t.out) == 0 {
			return 0, t.err
		}
	}
	c := t.out[0]
	t.out = t.out[1:]
	return c, nil
}

// clean reports whether b needs no repair: the usual case, checked in one
// pass that decodes no rune of plain ASCII.
func clean(b []byte) bool {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || !xmlChar(r) {
			return false
		}
		i += n
	}
	return true
}

// repair appends b to dst with every character XML cannot carry, and each
// byte of an invalid sequence, replaced by U+FFFD.
func repair(dst, b []byte) []byte {
	for i := 0; i < len(b); {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				dst = append(dst, replacement...)
			} else {
				dst = append(dst, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || !xmlChar(r) {
			dst = append(dst, replacement...)
		} else {
			dst = append(dst, b[i:i+n]...)
		}
		i += n
	}
	return dst
}

// partialRuneTail returns how many bytes at the end of b start a UTF-8
// sequence that b cuts short (0 to 3).
func partialRuneTail(b []byte) int {
	for k := 1; k <= utf8.UTFMax-1 && k <= len(b); k++ {
		c := b[len(b)-k]
		if c < utf8.RuneSelf {
			return 0
		}
		if utf8.RuneStart(c) {
			// A lead byte: is the sequence it starts complete?
			if utf8.FullRune(b[len(b)-k:]) {
				return 0
			}
			return k
		}
	}
	return 0
}
