package xmlbind

import (
	"encoding/xml"
	"fmt"
	"io"
)

// encoding/xml holds a whole token in memory before returning it: a text
// run, a comment, a start tag with all its attributes, and it keeps one
// entry per open element. A reply shaped to make any of these endless would
// take all the memory there is, so the general decoder never reads the body
// directly: it reads through a guard, which follows the markup byte by byte
// (as encoding/xml itself does) and fails the read, with a *LimitError, as
// soon as a token, a record, the nesting or a tag's attributes outgrow
// Limits.

// Limits bounds what one reply may make the decoder hold. A zero field
// takes the default below.
type Limits struct {
	// Record bounds one child element of the root (a list's record, one
	// field of a single-object reply), in bytes.
	Record int64
	// Text bounds one token outside a record — a text run, CDATA section,
	// comment, processing instruction or directive — and one element's
	// text value, in bytes.
	Text int64
}

// Fixed bounds no valid reply comes near: replies nest four levels deep and
// carry no attributes.
const (
	DefaultRecord = 4 << 20
	MaxDepth      = 64
	MaxTag        = 64 << 10
	MaxAttrs      = 64
)

func (l Limits) record() int64 {
	if l.Record > 0 {
		return l.Record
	}
	return DefaultRecord
}

func (l Limits) text() int64 {
	if l.Text > 0 {
		return l.Text
	}
	return l.record()
}

// LimitError reports the limit a reply broke.
type LimitError struct {
	Limit string // "record size", "text size", "tag size", "attributes", "nesting depth"
	Max   int64  // the limit's value
}

// Error names the limit and its value.
func (e *LimitError) Error() string {
	unit := " bytes"
	switch e.Limit {
	case "attributes":
		unit = " in one tag"
	case "nesting depth":
		unit = " levels"
	}
	return fmt.Sprintf("xmlbind: reply exceeds the %s limit (%d%s)", e.Limit, e.Max, unit)
}

// lexer states, after the byte just scanned.
const (
	gText       = iota // character data
	gLT                // just read '<'
	gStartTag          // in a start tag, outside quotes
	gStartSlash        // in a start tag, just read '/'
	gAttrValue         // in a quoted attribute value
	gEndTag            // in an end tag
	gBang              // just read "<!"
	gBangDash          // just read "<!-"
	gComment           // in "<!--", counting the dashes before '>'
	gCDATAOpen         // reading "<![CDATA["
	gCDATA             // in CDATA, counting the ']' before '>'
	gPI                // in "<?", just read anything but '?'
	gPIQ               // in "<?", just read '?'
	gDirective         // in "<!…>", see directive
)

// guard is an io.Reader that passes its input through unchanged while
// checking it against the limits. It errs only on the side of ending a
// token later than encoding/xml would (never earlier), so a token the
// decoder buffers is always counted whole.
type guard struct {
	r   io.Reader
	lim Limits
	err error

	state    int
	depth    int
	tok      int64 // bytes of the current token
	rec      int64 // bytes of the current record, while depth >= 2
	attrs    int
	quote    byte
	cdataPos int // bytes of "[CDATA[" matched
	run      int // ']' (in CDATA) or '-' (in a comment) just read

	// directive mirrors encoding/xml's reading of "<!DOCTYPE …>": nested
	// '<' '>' outside quotes, and comments, which the decoder keeps reading.
	dirQuote   byte
	dirDepth   int
	dirComment int // 0 outside a comment, 1..3 matching "!--", 4 inside
	dirDashes  int
}

// NewGuard returns r checked against lim for the general decoder.
// When r is an io.ByteReader (a *bufio.Reader), so is the guard: encoding/xml
// then reads it byte by byte instead of wrapping it in a buffer of its own,
// which spares a 4 KiB buffer and a copy of the whole reply per call.
func NewGuard(r io.Reader, lim Limits) io.Reader {
	if br, ok := r.(io.ByteReader); ok {
		tol, _ := r.(*TolerantReader)
		return &byteGuard{guard: guard{r: r, lim: lim}, br: br, tol: tol}
	}
	return &guard{r: r, lim: lim}
}

// byteGuard is a guard over an io.ByteReader.
type byteGuard struct {
	guard
	br  io.ByteReader
	tol *TolerantReader // br, when it is one: its buffered bytes are taken directly
}

// ReadByte returns the next byte, checked like every byte Read returns.
func (g *byteGuard) ReadByte() (byte, error) {
	if g.err != nil {
		return 0, g.err
	}
	var c byte
	if t := g.tol; t != nil && len(t.out) > 0 {
		// Every reply's path: no call through the interface per byte.
		c, t.out = t.out[0], t.out[1:]
	} else {
		var err error
		if c, err = g.br.ReadByte(); err != nil {
			return 0, err
		}
	}
	if lerr := g.scan(c); lerr != nil {
		g.err = lerr
		return 0, lerr
	}
	return c, nil
}

func (g *guard) Read(p []byte) (int, error) {
	if g.err != nil {
		return 0, g.err
	}
	n, err := g.r.Read(p)
	for i := 0; i < n; i++ {
		if lerr := g.scan(p[i]); lerr != nil {
			// The bytes before the one that broke the limit are passed
			// on; the next read fails.
			g.err = lerr
			if i == 0 {
				return 0, lerr
			}
			return i, nil
		}
	}
	return n, err
}

func (g *guard) fail(limit string, max int64) error {
	return &LimitError{Limit: limit, Max: max}
}

// scan moves the lexer over one byte and checks the counts.
func (g *guard) scan(c byte) error {
	g.tok++
	switch g.state {
	case gText:
		// Checked below: the '<' that ends a run is not part of it.
	case gLT, gStartTag, gStartSlash, gAttrValue, gEndTag:
		if g.tok > MaxTag {
			return g.fail("tag size", MaxTag)
		}
	default:
		if g.depth < 2 && g.tok > g.lim.text() {
			return g.fail("text size", g.lim.text())
		}
	}
	if g.depth >= 2 {
		g.rec++
		if g.rec > g.lim.record() {
			return g.fail("record size", g.lim.record())
		}
	}
	switch g.state {
	case gText:
		if c == '<' {
			g.state, g.tok = gLT, 1
			return nil
		}
		if g.depth < 2 && g.tok > g.lim.text() {
			return g.fail("text size", g.lim.text())
		}
		return nil
	case gLT:
		switch c {
		case '/':
			g.state = gEndTag
		case '!':
			g.state = gBang
		case '?':
			g.state = gPI
		default:
			g.state, g.attrs = gStartTag, 0
		}
		return nil
	case gStartTag, gStartSlash:
		slash := g.state == gStartSlash
		g.state = gStartTag
		switch c {
		case '"', '\'':
			g.state, g.quote = gAttrValue, c
		case '=':
			g.attrs++
			if g.attrs > MaxAttrs {
				return g.fail("attributes", MaxAttrs)
			}
		case '/':
			g.state = gStartSlash
		case '>':
			g.state, g.tok = gText, 0
			if !slash {
				return g.open()
			}
			return nil
		}
		return nil
	case gAttrValue:
		if c == g.quote {
			g.state = gStartTag
		}
		return nil
	case gEndTag:
		if c == '>' {
			g.state, g.tok = gText, 0
			if g.depth > 0 {
				g.depth--
			}
		}
		return nil
	case gBang:
		switch c {
		case '-':
			g.state = gBangDash
		case '[':
			g.state, g.cdataPos = gCDATAOpen, 0
		default:
			// encoding/xml keeps this first byte as it is, even '>' or a
			// quote: the directive's rules start with the next one.
			g.state, g.dirQuote, g.dirDepth, g.dirComment = gDirective, 0, 0, 0
		}
		return nil
	case gBangDash:
		// encoding/xml rejects anything but "<!--" here.
		g.state, g.run = gComment, 0
		return nil
	case gComment:
		if c == '>' && g.run >= 2 {
			g.state, g.tok = gText, 0
			return nil
		}
		if c == '-' {
			g.run++
		} else {
			g.run = 0
		}
	case gCDATAOpen:
		g.cdataPos++
		if g.cdataPos == len("CDATA[") {
			g.state, g.run = gCDATA, 0
		}
	case gCDATA:
		if c == '>' && g.run >= 2 {
			g.state, g.tok = gText, 0
			return nil
		}
		if c == ']' {
			g.run++
		} else {
			g.run = 0
		}
	case gPI, gPIQ:
		if g.state == gPIQ && c == '>' {
			g.state, g.tok = gText, 0
			return nil
		}
		g.state = gPI
		if c == '?' {
			g.state = gPIQ
		}
	case gDirective:
		return g.directive(c)
	}
	return nil
}

// open counts a start tag that was not self-closing.
func (g *guard) open() error {
	g.depth++
	if g.depth > MaxDepth {
		return g.fail("nesting depth", MaxDepth)
	}
	if g.depth == 2 {
		g.rec = 0
	}
	return nil
}

// directive follows encoding/xml's rules for the end of "<!…>".
func (g *guard) directive(c byte) error {
	if g.dirComment == 4 {
		// Inside "<!--" in a directive: it ends at "-->".
		if c == '>' && g.dirDashes >= 2 {
			g.dirComment = 0
		} else if c == '-' {
			g.dirDashes++
		} else {
			g.dirDashes = 0
		}
		return nil
	}
	if g.dirComment > 0 {
		if c == "!--"[g.dirComment-1] {
			g.dirComment++
			if g.dirComment == 4 {
				g.dirDepth--
				g.dirDashes = 0
			}
			return nil
		}
		g.dirComment = 0
		// Not a comment: the '<' counts as nesting, and c is read as usual.
	}
	switch {
	case g.dirQuote != 0:
		if c == g.dirQuote {
			g.dirQuote = 0
		}
	case c == '\'' || c == '"':
		g.dirQuote = c
	case c == '>':
		if g.dirDepth == 0 {
			g.state, g.tok = gText, 0
			return nil
		}
		g.dirDepth--
	case c == '<':
		g.dirDepth++
		g.dirComment = 1
	}
	return nil
}

// NewDecoder returns an encoding/xml decoder of r that reads through a
// guard of b.Limits. charsetReader, if not nil, decodes a document whose
// prolog names another encoding; its output is made tolerant (Tolerant)
// and guarded too, as the bytes the decoder then reads are not those the
// outer layers saw.
func (b *Binder) NewDecoder(r io.Reader, charsetReader func(label string, in io.Reader) (io.Reader, error)) *xml.Decoder {
	d := xml.NewDecoder(NewGuard(r, b.Limits))
	if charsetReader != nil {
		d.CharsetReader = func(label string, in io.Reader) (io.Reader, error) {
			out, err := charsetReader(label, in)
			if err != nil || out == in {
				return out, err
			}
			return NewGuard(Tolerant(out), b.Limits), nil
		}
	}
	return d
}
