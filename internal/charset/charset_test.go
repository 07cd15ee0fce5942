package charset

import (
	"encoding/xml"
	"io"
	"mime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/simplifiedchinese"
)

const sample = "深圳市福洽科技有限公司 — 䶮"

func encode(t *testing.T, e encoding.Encoding, s string) string {
	t.Helper()
	out, err := e.NewEncoder().String(s)
	require.NoError(t, err)
	return out
}

func TestFromContentType(t *testing.T) {
	tests := map[string]string{
		"":                                  "",
		"text/xml":                          "",
		"text/xml; charset=UTF-8":           "utf-8",
		"text/xml;charset=GBK":              "gbk",
		`application/xml; charset="gb2312"`: "gb2312",
		"text/plain; charset= GB18030 ":     "gb18030",
		"text/xml; charset":                 "",
		"not a media type;;=":               "",
	}
	for in, want := range tests {
		assert.Equal(t, want, FromContentType(in), in)
	}
}

func TestIsUTF8(t *testing.T) {
	for _, l := range []string{"", "utf-8", "UTF-8", " utf8 ", "us-ascii", "ASCII"} {
		assert.True(t, IsUTF8(l), l)
	}
	for _, l := range []string{"gbk", "gb2312", "latin1", "utf-16"} {
		assert.False(t, IsUTF8(l), l)
	}
}

func read(t *testing.T, r io.Reader) string {
	t.Helper()
	b, err := io.ReadAll(r)
	require.NoError(t, err)
	return string(b)
}

func TestNewReader(t *testing.T) {
	gb18030 := encode(t, simplifiedchinese.GB18030, sample)
	gbk := encode(t, simplifiedchinese.GBK, "深圳市福洽科技有限公司")
	tests := []struct {
		name, body, label, want string
		decoded                 bool
	}{
		{"utf-8 unlabelled", sample, "", sample, false},
		{"utf-8 labelled", sample, "utf-8", sample, false},
		{"bom dropped", "\xEF\xBB\xBF" + sample, "", sample, true},
		{"bom beats a gbk label", "\xEF\xBB\xBF" + sample, "gbk", sample, true},
		{"gbk", gbk, "gbk", "深圳市福洽科技有限公司", true},
		{"gb2312 is read as gbk", gbk, "GB2312", "深圳市福洽科技有限公司", true},
		{"gb18030", gb18030, "gb18030", sample, true},
		{"short body", "<", "", "<", false},
		{"empty body", "", "gbk", "", true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, decoded, err := NewReader(strings.NewReader(tt.body), tt.label)
			require.NoError(t, err)
			assert.Equal(t, tt.decoded, decoded)
			assert.Equal(t, tt.want, read(t, r))
		})
	}
}

func TestNewReaderUnknownCharset(t *testing.T) {
	_, _, err := NewReader(strings.NewReader("x"), "x-klingon")
	assert.EqualError(t, err, `unsupported charset "x-klingon"`)
}

// XMLCharsetReader plugged into encoding/xml: a GBK prolog is decoded unless
// NewReader already decoded the body.
func TestXMLCharsetReader(t *testing.T) {
	gbkDoc := `<?xml version="1.0" encoding="GBK"?><a>` + encode(t, simplifiedchinese.GBK, "福洽") + `</a>`
	decode := func(doc string, already bool) (string, error) {
		d := xml.NewDecoder(strings.NewReader(doc))
		d.CharsetReader = XMLCharsetReader(already)
		var v string
		err := d.Decode(&v)
		return v, err
	}
	got, err := decode(gbkDoc, false)
	require.NoError(t, err)
	assert.Equal(t, "福洽", got)

	got, err = decode(`<?xml version="1.0" encoding="GBK"?><a>福洽</a>`, true)
	require.NoError(t, err)
	assert.Equal(t, "福洽", got, "already UTF-8: the stale label is ignored")

	_, err = decode(`<?xml version="1.0" encoding="x-klingon"?><a>x</a>`, false)
	assert.ErrorContains(t, err, "x-klingon")
}

// The fast path of FromContentType answers as mime.ParseMediaType does.
func TestFromContentTypeFastPath(t *testing.T) {
	slow := func(ct string) string {
		if ct == "" {
			return ""
		}
		_, params, err := mime.ParseMediaType(ct)
		if err != nil {
			return ""
		}
		return strings.ToLower(strings.TrimSpace(params["charset"]))
	}
	for _, mt := range []string{"text/xml", "TEXT/XML", " application/xml ", "text/plain", "text/html", "application/json", "text xml", "text/xml/x", ""} {
		for _, rest := range []string{"", ";", "; charset=utf-8", ";charset=UTF-8", "; Charset=GBK", "; charset=\"gbk\"", "; charset=gb2312; x=1", "; charset=", "; charset= utf-8",
			"; charset=utf-8 ", "; x=1", "; charset=ut f-8", "; charset=utf-8;", "; charset=utf_8", "; charset=ü"} {
			ct := mt + rest
			if got, want := FromContentType(ct), slow(ct); got != want {
				t.Errorf("FromContentType(%q) = %q, mime.ParseMediaType gives %q", ct, got, want)
			}
		}
	}
}
