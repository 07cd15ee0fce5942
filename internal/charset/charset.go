// Package charset turns reply bodies into UTF-8.
//
// The vendor's document shows UTF-8 replies, but it is a Chinese service that
// is also installed on-premise: a body may start with a UTF-8 BOM, or be
// GBK/GB2312/GB18030, declared either in the Content-Type header or in the
// XML prolog. Decoding here keeps every parser downstream UTF-8 only.
package charset

import (
	"bufio"
	"fmt"
	"io"
	"mime"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

var bom = []byte{0xEF, 0xBB, 0xBF}

// FromContentType returns the charset parameter of a Content-Type header,
// lower-cased, or "" when there is none.
func FromContentType(contentType string) string {
	if contentType == "" {
		return ""
	}
	// The common forms ("text/xml", "text/xml; charset=utf-8") without
	// mime.ParseMediaType's map: this runs for every reply. Anything else
	// goes to ParseMediaType, whose answer the fast path must equal
	// (TestFromContentTypeFastPath).
	mediaType, rest, _ := strings.Cut(contentType, ";")
	switch strings.ToLower(strings.TrimSpace(mediaType)) {
	case "text/xml", "application/xml", "text/plain", "text/html", "application/json":
		rest = strings.TrimSpace(rest)
		if rest == "" {
			return ""
		}
		if k, v, ok := strings.Cut(rest, "="); ok && strings.EqualFold(strings.TrimSpace(k), "charset") && isToken(v) {
			return strings.ToLower(v)
		}
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(params["charset"]))
}

// isToken reports whether s is a non-empty run of letters, digits, '-'
// and '_': a charset name that needs no quoting.
func isToken(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return s != ""
}

// IsUTF8 reports whether label names UTF-8 (or US-ASCII, its subset), or is empty.
func IsUTF8(label string) bool {
	switch strings.ToLower(strings.TrimSpace(label)) {
	case "", "utf-8", "utf8", "us-ascii", "ascii":
		return true
	}
	return false
}

// lookup finds an encoding by its WHATWG/IANA label; gb2312 and gbk map to
// GBK and gb18030 to GB18030 in x/text's index.
func lookup(label string) (encoding.Encoding, error) {
	e, err := htmlindex.Get(strings.TrimSpace(label))
	if err != nil {
		return nil, fmt.Errorf("unsupported charset %q", label)
	}
	return e, nil
}

// NewReader returns r decoded to UTF-8: a leading UTF-8 BOM is dropped, and a
// non-UTF-8 label (from the Content-Type header) is decoded. decoded reports
// whether the label was applied, in which case an XML prolog's own encoding
// declaration must then be ignored (see XMLCharsetReader).
func NewReader(r io.Reader, label string) (out io.Reader, decoded bool, err error) {
	return NewBufferedReader(bufio.NewReaderSize(r, 4096), label)
}

// NewBufferedReader is NewReader over a buffer the caller provides (and may
// reuse once it is done with out).
func NewBufferedReader(br *bufio.Reader, label string) (out io.Reader, decoded bool, err error) {
	if head, _ := br.Peek(3); len(head) == 3 && string(head) == string(bom) {
		_, _ = br.Discard(3)
		// A BOM says UTF-8 whatever the header says.
		return br, true, nil
	}
	if IsUTF8(label) {
		return br, false, nil
	}
	e, err := lookup(label)
	if err != nil {
		return nil, false, err
	}
	if e == unicode.UTF8 {
		return br, false, nil
	}
	return transform.NewReader(br, e.NewDecoder()), true, nil
}

// XMLCharsetReader is an encoding/xml CharsetReader. When the body was
// already decoded by NewReader, the prolog's label is stale and the input is
// passed through as it is.
func XMLCharsetReader(alreadyDecoded bool) func(label string, input io.Reader) (io.Reader, error) {
	return func(label string, input io.Reader) (io.Reader, error) {
		if alreadyDecoded || IsUTF8(label) {
			return input, nil
		}
		e, err := lookup(label)
		if err != nil {
			return nil, err
		}
		return transform.NewReader(input, e.NewDecoder()), nil
	}
}
