package xmlbind

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"reflect"
	"strings"
	"unicode/utf8"
)

// This file is a purpose-built reader for the API's list replies:
//
//	<?xml version="1.0" encoding="UTF-8"?>
//	<data><total_num>2</total_num><addr><id>1</id><address>…</address>…</addr>…</data>
//
// encoding/xml builds a token (with copied names and text) for every
// element, which caps decoding near 30 MB/s; list replies of tracking
// details reach hundreds of megabytes. The fast path handles only the
// shapes these replies use — elements without attributes, text, CDATA and
// whitespace — and hands anything else (attributes, entities, comments,
// processing instructions, nested elements, malformed or truncated input)
// to encoding/xml from the start of the record it was reading, so every
// input decodes exactly as Records' encoding/xml path would decode it.

// ErrSlowStart is returned (wrapped in *SlowStartError) when the fast path
// cannot even begin; the caller decodes Replay with encoding/xml instead.
var ErrSlowStart = errors.New("xmlbind: document needs the general decoder")

// SlowStartError carries the bytes already consumed, so that nothing of
// the body is lost when the general decoder takes over from the start.
type SlowStartError struct {
	Replay io.Reader // the whole document again
}

// Error says the general decoder is needed.
func (e *SlowStartError) Error() string { return ErrSlowStart.Error() }

// Unwrap returns ErrSlowStart.
func (e *SlowStartError) Unwrap() error { return ErrSlowStart }

// List describes a list reply: the root element, the repeated child bound
// into each record, and a callback for other leaf children (such as
// <total_num>); a nil Leaf skips them.
type List struct {
	Root, Child string
	Leaf        func(name, text string) error
}

const (
	fastBufSize   = 64 << 10
	maxFastRecord = 1 << 20 // a longer record is read by encoding/xml
)

type step int

const (
	stepOK   step = iota // consumed one construct
	stepMore             // the buffer ends inside the construct
	stepSlow             // the construct is outside the fast path
	stepDone             // the root's end tag was read
)

// fastReader holds a window of the body; records are parsed in place.
type fastReader struct {
	r        io.Reader
	buf      []byte
	pos, end int
	eof      bool
	readErr  error
	scratch  []byte
	started  bool // past the root start tag: the window may slide
	// maxPending is the longest record the fast path buffers; a longer one
	// goes to encoding/xml, whose guard reports it if it breaks a limit.
	maxPending int
	// lines counts the line ends slid out of the window, so an error of
	// the general decoder, which starts where the fast path stopped, gives
	// the line encoding/xml alone would give.
	lines int
}

var newline = []byte{'\n'}

// consumedLines is the number of line ends before f.pos.
func (f *fastReader) consumedLines() int {
	return f.lines + bytes.Count(f.buf[:f.pos], newline)
}

// fill reads more input. It asks for at least as many new bytes as are
// already waiting (and 4 KiB at the least), so that a record arriving in
// small reads is re-parsed a logarithmic, not linear, number of times.
func (f *fastReader) fill() bool {
	if f.eof || f.readErr != nil {
		return false
	}
	if f.started && f.pos > 0 {
		f.lines += bytes.Count(f.buf[:f.pos], newline)
		n := copy(f.buf, f.buf[f.pos:f.end])
		f.pos, f.end = 0, n
	}
	pending := f.end - f.pos
	if f.started && pending >= f.maxPending {
		return false
	}
	want := max(4096, pending)
	if len(f.buf)-f.end < want {
		nb := make([]byte, max(2*len(f.buf), f.end+want))
		copy(nb, f.buf[:f.end])
		f.buf = nb
	}
	n, err := io.ReadAtLeast(f.r, f.buf[f.end:], want)
	f.end += n
	switch {
	case err == io.EOF || err == io.ErrUnexpectedEOF:
		f.eof = true
	case err != nil:
		f.readErr = err
	}
	return n > 0
}

// rest is the unread input: the window and then the reader.
func (f *fastReader) rest() io.Reader {
	tail := append([]byte(nil), f.buf[f.pos:f.end]...)
	if f.readErr != nil {
		return io.MultiReader(bytes.NewReader(tail), errReader{f.readErr})
	}
	if f.eof {
		return bytes.NewReader(tail)
	}
	return io.MultiReader(bytes.NewReader(tail), f.r)
}

type errReader struct{ err error }

func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// Records decodes list l from r: for each <Child> it binds a new record
// (newRecord returns a pointer to a zero record) and passes it to emit,
// which returns false to stop early; other leaf children go to l.Leaf.
//
// alreadyUTF8 says the body was transcoded before (so a non-UTF-8
// encoding named in the prolog is stale). Errors are those the encoding/xml
// path would return; a *SlowStartError means the caller must decode the
// document with encoding/xml from its start.
func (b *Binder) Records(r io.Reader, alreadyUTF8 bool, l List, newRecord func() any, emit func(rec any) bool) error {
	f := &fastReader{r: r, buf: make([]byte, fastBufSize), maxPending: int(min(maxFastRecord, b.Limits.record()))}
	if !f.header(l.Root, alreadyUTF8) {
		return &SlowStartError{Replay: f.rest()}
	}
	f.started = true
	var p *plan
	for {
		st, rec, n := b.fastStep(f, l, newRecord, &p)
		switch st {
		case stepOK:
			f.pos += n
			if rec != nil && !emit(rec) {
				return nil
			}
			continue
		case stepDone:
			return nil
		case stepMore:
			if f.fill() {
				continue
			}
		}
		// stepSlow, or no more input: encoding/xml reads the rest, as the
		// children of a synthetic root start tag, and reports any error.
		return b.slowRest(f.rest(), f.consumedLines(), l, newRecord, emit)
	}
}

// header consumes the prolog and the root start tag. It reports false when
// the document does not start in the plain form the fast path knows.
func (f *fastReader) header(root string, alreadyUTF8 bool) bool {
	for f.end-f.pos < 256 && f.fill() {
	}
	b := f.buf[f.pos:f.end]
	i := 0
	if bytes.HasPrefix(b, []byte("<?xml ")) {
		j := bytes.Index(b, []byte("?>"))
		if j < 0 {
			return false
		}
		decl := string(b[6:j])
		if v, ok := pseudoAttr(decl, "version"); !ok || v != "1.0" {
			return false
		}
		if enc, ok := pseudoAttr(decl, "encoding"); ok && !alreadyUTF8 && !strings.EqualFold(enc, "utf-8") {
			return false
		}
		i = j + 2
	}
	for i < len(b) && isSpace(b[i]) {
		i++
	}
	want := "<" + root + ">"
	if !bytes.HasPrefix(b[i:], []byte(want)) {
		return false
	}
	f.pos += i + len(want)
	return true
}

// pseudoAttr reads name="value" from an XML declaration; anything odd
// (single quotes are fine) reports !ok so the general decoder judges it.
func pseudoAttr(decl, name string) (string, bool) {
	i := strings.Index(decl, name+"=")
	if i < 0 {
		return "", false
	}
	rest := decl[i+len(name)+1:]
	if len(rest) < 2 || (rest[0] != '"' && rest[0] != '\'') {
		return "", false
	}
	j := strings.IndexByte(rest[1:], rest[0])
	if j < 0 {
		return "", false
	}
	return rest[1 : 1+j], true
}

func isSpace(c byte) bool { return c == ' ' || c == '\n' || c == '\r' || c == '\t' }

// fastStep parses whitespace and then one child of the root at f.pos.
func (b *Binder) fastStep(f *fastReader, l List, newRecord func() any, pp **plan) (step, any, int) {
	buf := f.buf[f.pos:f.end]
	i := 0
	for i < len(buf) && isSpace(buf[i]) {
		i++
	}
	if i == len(buf) {
		return stepMore, nil, 0
	}
	if buf[i] != '<' {
		return stepSlow, nil, 0
	}
	name, closing, n, st := openTag(buf[i:])
	if st != stepOK {
		return st, nil, 0
	}
	if closing {
		if string(name) == l.Root {
			return stepDone, nil, 0
		}
		return stepSlow, nil, 0
	}
	i += n
	if string(name) != l.Child {
		text, n, st := f.leafText(buf[i:], name)
		if st != stepOK {
			return st, nil, 0
		}
		if int64(n) > b.Limits.text() {
			return stepSlow, nil, 0 // as for a record, below
		}
		if l.Leaf != nil {
			if err := l.Leaf(string(name), text); err != nil {
				return stepSlow, nil, 0 // the general path reports it
			}
		}
		return stepOK, nil, i + n
	}
	rec := newRecord()
	rv := reflect.ValueOf(rec).Elem()
	if *pp == nil {
		*pp = planFor(rv.Type())
	}
	n, st = b.fastRecord(f, buf[i:], l.Child, *pp, rv)
	if st != stepOK {
		return st, nil, 0
	}
	if int64(i+n) > b.Limits.record() {
		// The window held the whole record, so maxPending never came into
		// play: the guarded general decoder reads it and reports the limit.
		return stepSlow, nil, 0
	}
	return stepOK, rec, i + n
}

// openTag reads "<name>" or "</name>" at the start of b.
func openTag(b []byte) (name []byte, closing bool, n int, st step) {
	i := 1
	if i < len(b) && b[i] == '/' {
		closing = true
		i++
	}
	start := i
	for i < len(b) && isNameByte(b[i]) {
		i++
	}
	if i == len(b) {
		return nil, false, 0, stepMore
	}
	if i == start || b[i] != '>' || !isNameStart(b[start]) {
		return nil, false, 0, stepSlow
	}
	return b[start:i], closing, i + 1, stepOK
}

func isNameStart(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
}

func isNameByte(c byte) bool {
	return isNameStart(c) || (c >= '0' && c <= '9') || c == '-' || c == '.'
}

// fastRecord parses the leaves of one record up to its end tag.
func (b *Binder) fastRecord(f *fastReader, buf []byte, child string, p *plan, rv reflect.Value) (int, step) {
	i := 0
	for {
		for i < len(buf) && isSpace(buf[i]) {
			i++
		}
		if i == len(buf) {
			return 0, stepMore
		}
		if buf[i] != '<' {
			return 0, stepSlow
		}
		name, closing, n, st := openTag(buf[i:])
		if st != stepOK {
			return 0, st
		}
		i += n
		if closing {
			if string(name) == child {
				return i, stepOK
			}
			return 0, stepSlow
		}
		fld, known := p.byName[string(name)]
		if !known {
			if _, wrapper := p.byWrapper[string(name)]; wrapper {
				return 0, stepSlow
			}
		}
		text, n, st := f.leafText(buf[i:], name)
		if st != stepOK {
			return 0, st
		}
		i += n
		if !known {
			continue
		}
		fv := rv.FieldByIndex(fld.index)
		if fv.Kind() == reflect.Slice && fv.Type().Elem().Kind() != reflect.Uint8 {
			elem := reflect.New(fv.Type().Elem()).Elem()
			if !b.fastScalar(text, elem) {
				return 0, stepSlow
			}
			fv.Set(reflect.Append(fv, elem))
			continue
		}
		if !b.fastScalar(text, fv) {
			return 0, stepSlow
		}
	}
}

// fastScalar converts a leaf's text; a nested struct or a value that does
// not convert is left to the general path, which reports the error.
func (b *Binder) fastScalar(text string, fv reflect.Value) bool {
	if fv.Kind() == reflect.Struct && fv.Type() != timeType {
		return false
	}
	return b.Scalar(text, fv) == nil
}

// leafText reads the content of a leaf element whose start tag was just
// read, through its end tag, and returns the text trimmed, with line ends
// normalised as encoding/xml does (\r\n and \r become \n). Characters
// encoding/xml would reject, and entities, send the record to it.
func (f *fastReader) leafText(b []byte, name []byte) (string, int, step) {
	var single []byte // the only text run, while there is one
	runs := 0
	add := func(run []byte) {
		if runs == 1 {
			f.scratch = appendNormalized(f.scratch[:0], single)
		}
		if runs == 0 {
			single = run
		} else {
			f.scratch = appendNormalized(f.scratch, run)
		}
		runs++
	}
	i := 0
	for {
		start := i
		for i < len(b) && b[i] != '<' {
			c := b[i]
			switch {
			case c >= 0x80:
				r, size := utf8.DecodeRune(b[i:])
				if r == utf8.RuneError && size == 1 {
					if !utf8.FullRune(b[i:]) {
						return "", 0, stepMore
					}
					return "", 0, stepSlow
				}
				if !xmlChar(r) {
					return "", 0, stepSlow
				}
				i += size
				continue
			case c == '&' || (c < 0x20 && c != '\t' && c != '\n' && c != '\r'):
				return "", 0, stepSlow
			case c == ']':
				// "]]>" is an error in plain text; a lone ']' is not.
				if i+2 >= len(b) {
					return "", 0, stepMore
				}
				if b[i+1] == ']' && b[i+2] == '>' {
					return "", 0, stepSlow
				}
			}
			i++
		}
		if i == len(b) {
			return "", 0, stepMore
		}
		if i > start {
			add(b[start:i])
		}
		rest := b[i:]
		if len(rest) >= 2 && rest[1] == '/' {
			if len(rest) < len(name)+3 {
				return "", 0, stepMore
			}
			if string(rest[2:2+len(name)]) != string(name) || rest[2+len(name)] != '>' {
				return "", 0, stepSlow
			}
			return f.finishText(single, runs), i + len(name) + 3, stepOK
		}
		const cdataOpen = "<![CDATA["
		if len(rest) < len(cdataOpen) {
			if strings.HasPrefix(cdataOpen, string(rest)) {
				return "", 0, stepMore
			}
			return "", 0, stepSlow
		}
		if string(rest[:len(cdataOpen)]) != cdataOpen {
			return "", 0, stepSlow // a nested element, comment or PI
		}
		body := rest[len(cdataOpen):]
		j := bytes.Index(body, []byte("]]>"))
		if j < 0 {
			return "", 0, stepMore
		}
		if !validChars(body[:j]) {
			return "", 0, stepSlow
		}
		add(body[:j])
		i += len(cdataOpen) + j + 3
	}
}

// xmlChar reports whether XML 1.0 can carry r (encoding/xml's range).
func xmlChar(r rune) bool {
	return r == 0x09 || r == 0x0A || r == 0x0D || r >= 0x20 && r <= 0xD7FF || r >= 0xE000 && r <= 0xFFFD || r >= 0x10000 && r <= 0x10FFFF
}

func (f *fastReader) finishText(single []byte, runs int) string {
	switch runs {
	case 0:
		return ""
	case 1:
		if bytes.IndexByte(single, '\r') < 0 {
			return string(bytes.TrimSpace(single))
		}
		f.scratch = appendNormalized(f.scratch[:0], single)
	}
	return string(bytes.TrimSpace(f.scratch))
}

// appendNormalized appends run with \r\n and lone \r rewritten to \n.
func appendNormalized(dst, run []byte) []byte {
	for {
		k := bytes.IndexByte(run, '\r')
		if k < 0 {
			return append(dst, run...)
		}
		dst = append(dst, run[:k]...)
		dst = append(dst, '\n')
		run = run[k+1:]
		if len(run) > 0 && run[0] == '\n' {
			run = run[1:]
		}
	}
}

// validChars reports whether b is valid UTF-8 made of XML characters.
func validChars(b []byte) bool {
	for len(b) > 0 {
		c := b[0]
		if c < 0x80 {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				return false
			}
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		if (r == utf8.RuneError && size == 1) || !xmlChar(r) {
			return false
		}
		b = b[size:]
	}
	return true
}

// slowRest decodes the remaining children with encoding/xml, after a
// synthetic root start tag that stands for the one already consumed. lines
// is the number of line ends consumed before rest: a syntax error's line
// counts them, as it would had encoding/xml read the whole body.
func (b *Binder) slowRest(rest io.Reader, lines int, l List, newRecord func() any, emit func(any) bool) error {
	d := b.NewDecoder(io.MultiReader(strings.NewReader("<"+l.Root+">"), rest), nil)
	start, err := Root(d)
	if err == nil {
		err = b.slowChildren(d, start, l, newRecord, emit)
	}
	var se *xml.SyntaxError
	if errors.As(err, &se) {
		se.Line += lines
	}
	return err
}

var errStop = errors.New("stop")

// SlowRecords is Records on encoding/xml alone: the reference the fast
// path must match, and the path for documents it cannot start. d must be
// positioned just after the root start tag.
func (b *Binder) SlowRecords(d *xml.Decoder, root xml.StartElement, l List, newRecord func() any, emit func(any) bool) error {
	return b.slowChildren(d, root, l, newRecord, emit)
}

func (b *Binder) slowChildren(d *xml.Decoder, root xml.StartElement, l List, newRecord func() any, emit func(any) bool) error {
	err := Children(d, func(el xml.StartElement) error {
		if el.Name.Local != l.Child {
			if l.Leaf == nil {
				return d.Skip()
			}
			text, err := Text(d)
			if err != nil {
				return err
			}
			return l.Leaf(el.Name.Local, text)
		}
		rec := newRecord()
		if err := b.Element(d, el, rec, nil); err != nil {
			return err
		}
		if !emit(rec) {
			return errStop
		}
		return nil
	})
	if errors.Is(err, errStop) {
		return nil
	}
	return err
}
