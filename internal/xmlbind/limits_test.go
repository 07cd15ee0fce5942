package xmlbind

import (
	"bytes"
	"encoding/xml"
	"errors"
	"io"
	"strings"
	"testing"
)

// checkGuard decodes doc through a guard of tight limits and fails if
// encoding/xml returned anything the limits forbid: the guard must never
// lose track of where a token ends (ending it early would let the decoder
// buffer without bound).
func checkGuard(t *testing.T, doc []byte) {
	lim := Limits{Record: 64, Text: 16}
	d := xml.NewDecoder(NewGuard(bytes.NewReader(doc), lim))
	d.Strict = true
	depth := 0
	var recStart int64 = -1
	for {
		before := d.InputOffset()
		tok, err := d.Token()
		if err != nil {
			var le *LimitError
			if err != io.EOF && !errors.As(err, &le) {
				var se *xml.SyntaxError
				if !errors.As(err, &se) {
					t.Fatalf("error %T %v", err, err)
				}
			}
			return
		}
		size := d.InputOffset() - before
		switch tk := tok.(type) {
		case xml.StartElement:
			depth++
			if depth > MaxDepth {
				t.Fatalf("depth %d passed the guard", depth)
			}
			if len(tk.Attr) > MaxAttrs {
				t.Fatalf("%d attributes passed the guard", len(tk.Attr))
			}
			if size > MaxTag {
				t.Fatalf("a %d-byte tag passed the guard", size)
			}
			if depth == 2 {
				recStart = before
			}
		case xml.EndElement:
			if depth == 2 && d.InputOffset()-recStart > lim.Record+int64(len(tk.Name.Local))+3 {
				t.Fatalf("a %d-byte record passed the guard", d.InputOffset()-recStart)
			}
			depth--
		case xml.CharData, xml.Comment, xml.ProcInst, xml.Directive:
			if depth < 2 && size > lim.Text {
				t.Fatalf("a %d-byte %T at depth %d passed the guard: %q", size, tok, depth, doc[before:d.InputOffset()])
			}
		}
	}
}

var guardSeeds = []string{
	"<data><rec><id>1</id></rec>   <rec><id>2</id></rec></data>",
	"<data><!-- a > b -- -> --><rec/></data>",
	"<data><![CDATA[ ]] ]]] > ]]]><rec/></data>",
	"<?xml version=\"1.0\"?><!DOCTYPE data [ <!ENTITY a \"<>\"> <!-- > --> ]><data></data>",
	"<data><?pi a > b ?><rec a=\"x>y\" b='\"'>t</rec></data>",
	"<data>" + strings.Repeat(" ", 40) + "</data>",
	"<data><!DOCTYPE x '>' \"<\" <y <!-- c --> > ></data>",
}

func TestGuardSeeds(t *testing.T) {
	for _, s := range guardSeeds {
		checkGuard(t, []byte(s))
	}
}

func FuzzGuard(f *testing.F) {
	for _, s := range guardSeeds {
		f.Add([]byte(s))
	}
	for _, s := range diffSeeds {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, doc []byte) { checkGuard(t, doc) })
}

// Each limit ends the read with a *LimitError that names it.
func TestGuardLimits(t *testing.T) {
	cases := []struct {
		name, doc, limit string
	}{
		{"text between records", "<data>" + strings.Repeat(" ", 100), "text size"},
		{"comment", "<data><!--" + strings.Repeat("x", 100), "text size"},
		{"record", "<data><rec>" + strings.Repeat("<x>1</x>", 100), "record size"},
		{"depth", "<data>" + strings.Repeat("<a>", MaxDepth), "nesting depth"},
		{"attributes", "<data " + strings.Repeat(`a="1" `, 100), "attributes"},
		{"tag", "<data a=\"" + strings.Repeat("x", MaxTag), "tag size"},
	}
	for _, c := range cases {
		d := xml.NewDecoder(NewGuard(strings.NewReader(c.doc), Limits{Record: 256, Text: 32}))
		var err error
		for err == nil {
			_, err = d.Token()
		}
		var le *LimitError
		if !errors.As(err, &le) || le.Limit != c.limit {
			t.Errorf("%s: error %v, want the %s limit", c.name, err, c.limit)
		}
	}
}
