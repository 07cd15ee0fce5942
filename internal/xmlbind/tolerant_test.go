package xmlbind

import (
	"bufio"
	"bytes"
	"encoding/xml"
	"io"
	"strings"
	"testing"
	"testing/iotest"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Tolerant passes clean text through unchanged and replaces what XML
// cannot carry with U+FFFD, however the reads cut the text.
func TestTolerant(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"<a>张三 ok\t\r\n</a>", "<a>张三 ok\t\r\n</a>"},
		{"<a>a\x07b</a>", "<a>a\uFFFDb</a>"},
		{"<a>\x1b[1mBOLD\x00</a>", "<a>\uFFFD[1mBOLD\uFFFD</a>"},
		{"<a>caf\xe9</a>", "<a>caf\uFFFD</a>"},
		{"<a>\xe5\xbc</a>", "<a>\uFFFD\uFFFD</a>"},
		{"<a>\xef\xbf\xbe</a>", "<a>\uFFFD</a>"}, // U+FFFE
		{"张", "张"},
		{"\xe5", "\uFFFD"},
		{strings.Repeat("张三abc", 20) + "\x07" + strings.Repeat("李", 30), strings.Repeat("张三abc", 20) + "\uFFFD" + strings.Repeat("李", 30)},
	} {
		for name, wrap := range map[string]func(io.Reader) io.Reader{
			"whole": func(r io.Reader) io.Reader { return r },
			"byte":  iotest.OneByteReader,
			"half":  iotest.HalfReader,
			// A *bufio.Reader is read in place (Peek), in buffers of 16
			// bytes: runes cut at every offset.
			"bufio": func(r io.Reader) io.Reader { return bufio.NewReaderSize(iotest.OneByteReader(r), 16) },
		} {
			got, err := io.ReadAll(Tolerant(wrap(strings.NewReader(tc.in))))
			require.NoError(t, err)
			assert.Equal(t, tc.want, string(got), "%s: %q", name, tc.in)
			var b bytes.Buffer
			var tr io.ByteReader = Tolerant(wrap(strings.NewReader(tc.in)))
			for {
				c, err := tr.ReadByte()
				if err != nil {
					break
				}
				b.WriteByte(c)
			}
			assert.Equal(t, tc.want, b.String(), "ReadByte, %s: %q", name, tc.in)
		}
	}
}

// A reply with a BEL, an ESC and a Latin-1 byte in stored values decodes
// through Tolerant; without it encoding/xml stops at the first.
func TestTolerantDecodes(t *testing.T) {
	doc := "<data><addr><email>a@example.com</email><name>a\x07b</name></addr><addr><email>b@example.com</email><name>caf\xe9 \x1b[1m</name></addr></data>"
	type addr struct {
		Email string `xml:"email"`
		Name  string `xml:"name"`
	}
	var got []addr
	err := (&Binder{}).Records(Tolerant(strings.NewReader(doc)), false, List{Root: "data", Child: "addr"}, func() any { return new(addr) }, func(rec any) bool {
		got = append(got, *rec.(*addr))
		return true
	})
	require.NoError(t, err)
	assert.Equal(t, []addr{{"a@example.com", "a\uFFFDb"}, {"b@example.com", "caf\uFFFD \uFFFD[1m"}}, got)

	d := xml.NewDecoder(strings.NewReader(doc))
	for {
		if _, err = d.Token(); err != nil {
			break
		}
	}
	assert.ErrorContains(t, err, "illegal character", "encoding/xml alone")
}
