package bestedm

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/bestedm/bestedm-go/internal/charset"
	"github.com/bestedm/bestedm-go/internal/xmlbind"
)

// Structured exports. Some export scripts answer JSON or XML rows besides
// the document's text: failexport.php with out_type=json|xml,
// failexportall.php (JSON), and trackexport.php, which a production client
// reads as XML (docs/wire-format.md). The body is sniffed by its first
// byte, and each row is read on its own — a JSON value or an XML record at
// a time, never the whole body — so an export of any size is held one row
// at a time, and a row larger than WithMaxRecordSize is an error.

// wireRow is one structured row as sent: the member (JSON) or child element
// (XML) names and their values as text, in order. A bare JSON string is one
// value with the name "".
type wireRow struct {
	names, values []string
}

// get returns the first non-empty value of any of names: the server spells
// some fields two ways (failexport's error_type is failexportall's type).
func (w wireRow) get(names ...string) string {
	for _, n := range names {
		for i, have := range w.names {
			if have == n && w.values[i] != "" {
				return w.values[i]
			}
		}
	}
	return ""
}

// rowForms says which structured forms a call's rows may arrive in.
type rowForms[T any] struct {
	json bool // a body starting with [ or { is JSON rows
	// xmlRoot reports whether an XML document with this root element holds
	// rows; nil: an XML body is always the server's error reply.
	xmlRoot func(root string) bool
	row     func(w wireRow) (T, error)
}

// pick chooses the decoder for a body starting with head (BOM and leading
// space removed): nil for text, or for XML that is not rows.
func (f *rowForms[T]) pick(head []byte) (func(io.Reader, bool, func(T) bool) error, string) {
	switch {
	case f == nil || len(head) == 0:
	case f.json && (head[0] == '[' || head[0] == '{'):
		return f.jsonRows, "JSON rows"
	case f.xmlRoot != nil && head[0] == '<':
		if root := sniffRoot(head); root != "" && root != "result" && f.xmlRoot(root) {
			return f.xmlRows, "XML rows"
		}
	}
	return nil, ""
}

// notHTML accepts any root but an HTML page's: for exports whose XML shape
// no public source shows.
func notHTML(root string) bool {
	switch strings.ToLower(root) {
	case "html", "head", "body":
		return false
	}
	return true
}

// sniffRoot returns the name of the root element in the start of an XML
// document, skipping the prolog, comments and a DOCTYPE; "" if it is not
// in head.
func sniffRoot(head []byte) string {
	b := head
	for {
		b = bytes.TrimLeft(b, " \t\r\n")
		switch {
		case bytes.HasPrefix(b, []byte("<?")):
			i := bytes.Index(b, []byte("?>"))
			if i < 0 {
				return ""
			}
			b = b[i+2:]
		case bytes.HasPrefix(b, []byte("<!--")):
			i := bytes.Index(b, []byte("-->"))
			if i < 0 {
				return ""
			}
			b = b[i+3:]
		case bytes.HasPrefix(b, []byte("<!")):
			i := bytes.IndexByte(b, '>')
			if i < 0 {
				return ""
			}
			b = b[i+1:]
		case bytes.HasPrefix(b, []byte("<")):
			end := bytes.IndexAny(b[1:], " \t\r\n/>")
			if end <= 0 {
				return ""
			}
			return string(b[1 : 1+end])
		default:
			return ""
		}
	}
}

// rowBudget fails a read once one row has taken more than max bytes of the
// body (WithMaxRecordSize), so a huge value cannot grow memory without
// bound; the caller resets left after each row.
type rowBudget struct {
	r         io.Reader
	left, max int64
	cut       error // the first read error of the body itself, other than io.EOF
}

func (b *rowBudget) Read(p []byte) (int, error) {
	if b.left <= 0 {
		return 0, &LimitError{Limit: "record size", Max: b.max, Option: "WithMaxRecordSize"}
	}
	if int64(len(p)) > b.left {
		p = p[:b.left]
	}
	n, err := b.r.Read(p)
	b.left -= int64(n)
	if err != nil && err != io.EOF && b.cut == nil {
		b.cut = err
	}
	return n, err
}

// structuredRows yields the rows of a JSON or XML export, as Rows does for
// lines: a broken connection is a *RequestError, anything else that stops
// the rows an error naming the row.
func (e *Export[T]) structuredRows(in io.Reader, decoded bool, yield func(T, error) bool) {
	max := e.maxLine
	if max <= 0 {
		max = defaultMaxRecordSize
	}
	budget := &rowBudget{r: in, left: max, max: max}
	n := 0
	stopped := false
	err := e.rows(budget, decoded, func(row T) bool {
		n++
		budget.left = max
		stopped = !yield(row, nil)
		return !stopped
	})
	if err == nil || stopped {
		return
	}
	var zero T
	if budget.cut != nil {
		yield(zero, &RequestError{Call: e.call, Attempts: 1, Err: e.redact(budget.cut)})
		return
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		err = errors.New("body ended early")
	}
	yield(zero, e.redact(fmt.Errorf("bestedm: %s: %s: row %d: %w", e.call, e.form, n+1, err)))
}

// jsonRows reads a JSON export token by token: an array of rows, or an
// object whose values are the rows keyed by index (PHP's json_encode of
// an array whose keys have gaps), or null. A row is an object of scalar members (nested
// values are skipped) or a bare string.
func (f *rowForms[T]) jsonRows(in io.Reader, _ bool, yield func(T) bool) error {
	dec := json.NewDecoder(in)
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return err
	}
	switch tok {
	case nil:
	case json.Delim('['), json.Delim('{'):
		keyed := tok == json.Delim('{')
		for dec.More() {
			if keyed {
				// PHP keys a list with gaps by index; any other key is an
				// object such as an error, not rows.
				key, err := dec.Token()
				if err != nil {
					return err
				}
				if _, err := strconv.ParseUint(key.(string), 10, 64); err != nil {
					return fmt.Errorf("got an object with key %q, not a list of rows", key)
				}
			}
			w, err := jsonRow(dec)
			if err != nil {
				return err
			}
			row, err := f.row(w)
			if err != nil {
				return err
			}
			if !yield(row) {
				return nil
			}
		}
		if _, err := dec.Token(); err != nil {
			return err
		}
	default:
		return fmt.Errorf("got %v, not a list of rows", tok)
	}
	if _, err := dec.Token(); err != io.EOF {
		if err == nil {
			err = errors.New("data after the rows")
		}
		return err
	}
	return nil
}

// jsonRow reads one row value.
func jsonRow(dec *json.Decoder) (wireRow, error) {
	tok, err := dec.Token()
	if err != nil {
		return wireRow{}, err
	}
	if s, ok := tok.(string); ok {
		return wireRow{names: []string{""}, values: []string{strings.TrimSpace(s)}}, nil
	}
	if tok != json.Delim('{') {
		return wireRow{}, fmt.Errorf("got %v, not an object", tok)
	}
	var w wireRow
	for dec.More() {
		key, err := dec.Token()
		if err != nil {
			return w, err
		}
		tok, err := dec.Token()
		if err != nil {
			return w, err
		}
		var v string
		switch t := tok.(type) {
		case json.Delim:
			if err := skipJSON(dec); err != nil {
				return w, err
			}
			continue
		case string:
			v = t
		case json.Number:
			v = t.String()
		case bool:
			v = "0"
			if t {
				v = "1"
			}
		}
		w.names = append(w.names, key.(string))
		w.values = append(w.values, strings.TrimSpace(v))
	}
	_, err = dec.Token() // the closing brace
	return w, err
}

// skipJSON consumes the rest of an array or object whose opening delimiter
// was just read.
func skipJSON(dec *json.Decoder) error {
	for depth := 1; depth > 0; {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch tok {
		case json.Delim('['), json.Delim('{'):
			depth++
		case json.Delim(']'), json.Delim('}'):
			depth--
		}
	}
	return nil
}

// xmlRows reads an XML export: each child of the root that has child
// elements is a row, its children the fields (their text, trimmed); a
// child with text only, such as a count, is not a row.
func (f *rowForms[T]) xmlRows(in io.Reader, decoded bool, yield func(T) bool) error {
	dec := xml.NewDecoder(in)
	dec.CharsetReader = charset.XMLCharsetReader(decoded)
	if _, err := xmlbind.Root(dec); err != nil {
		return err
	}
	for {
		tok, err := dec.Token()
		if err != nil {
			return err
		}
		switch t := tok.(type) {
		case xml.EndElement:
			return nil // the root's end: trailing bytes are not rows
		case xml.StartElement:
			var w wireRow
			err := xmlbind.Children(dec, func(field xml.StartElement) error {
				text, err := xmlbind.Text(dec)
				w.names = append(w.names, field.Name.Local)
				w.values = append(w.values, text)
				return err
			})
			if err != nil {
				return err
			}
			if len(w.names) == 0 {
				continue
			}
			row, err := f.row(w)
			if err != nil {
				return fmt.Errorf("<%s>: %w", t.Name.Local, err)
			}
			if !yield(row) {
				return nil
			}
		}
	}
}
