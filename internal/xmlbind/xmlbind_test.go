package xmlbind

import (
	"encoding/xml"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var china = time.FixedZone("UTC+8", 8*60*60)

func TestParseTime(t *testing.T) {
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2012-7-4 16:08", time.Date(2012, 7, 4, 16, 8, 0, 0, china)},
		{"2012-07-04 16:08", time.Date(2012, 7, 4, 16, 8, 0, 0, china)},
		{"2012-07-04 16:08:09", time.Date(2012, 7, 4, 16, 8, 9, 0, china)},
		{"2012-7-4 6:08:09", time.Date(2012, 7, 4, 6, 8, 9, 0, china)},
		{"2012-07-04", time.Date(2012, 7, 4, 0, 0, 0, 0, china)},
		{"2012-7-4", time.Date(2012, 7, 4, 0, 0, 0, 0, china)},
		{"2012/07/04 16:08:09", time.Date(2012, 7, 4, 16, 8, 9, 0, china)},
		{"2012/7/4 16:08", time.Date(2012, 7, 4, 16, 8, 0, 0, china)},
		{"2012/7/4", time.Date(2012, 7, 4, 0, 0, 0, 0, china)},
		{"2012-07-04 16:08:09.5", time.Date(2012, 7, 4, 16, 8, 9, 5e8, china)},
		{"", time.Time{}},
		{"0000-00-00", time.Time{}},
		{"0000-00-00 00:00:00", time.Time{}},
		{"0000-00-00 00:00", time.Time{}},
		{"0000/00/00 00:00:00", time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			got, err := ParseTime(tt.in, china)
			require.NoError(t, err)
			assert.True(t, tt.want.Equal(got), "got %v, want %v", got, tt.want)
			if !tt.want.IsZero() {
				assert.Equal(t, china, got.Location(), "read in the given zone")
			} else {
				assert.True(t, got.IsZero())
			}
		})
	}
}

func TestParseTimeErrors(t *testing.T) {
	for _, in := range []string{"yesterday", "2012-13-01", "2012-02-30 10:00", "04/07/2012", "2012-07-04T16:08:09Z", "16:08", "2012-07-04 25:00"} {
		_, err := ParseTime(in, china)
		assert.Error(t, err, in)
	}
}

func TestParseTimeNilLocationIsUTC(t *testing.T) {
	got, err := ParseTime("2012-07-04 16:08:09", nil)
	require.NoError(t, err)
	assert.Equal(t, time.Date(2012, 7, 4, 16, 8, 9, 0, time.UTC), got)
}

type level string

func TestScalar(t *testing.T) {
	b := &Binder{Location: china}
	tests := []struct {
		name string
		text string
		ptr  any // pointer to a zero value of the target kind
		want any
	}{
		{"string", "深圳 福洽", new(string), "深圳 福洽"},
		{"named string", "enabled", new(level), level("enabled")},
		{"int", "42", new(int), 42},
		{"int negative", "-3", new(int), -3},
		{"int empty", "", new(int), 0},
		{"int whole float", "12.0", new(int), 12},
		{"int64 large", "9007199254740993", new(int64), int64(9007199254740993)},
		{"int8 edge", "127", new(int8), int8(127)},
		{"float", "3.25", new(float64), 3.25},
		{"float percent", "12.5%", new(float64), 12.5},
		{"float percent spaced", "12.5 %", new(float64), 12.5},
		{"float empty", "", new(float64), 0.0},
		{"float just percent", "%", new(float64), 0.0},
		{"float32", "0.5", new(float32), float32(0.5)},
		{"bool 1", "1", new(bool), true},
		{"bool true", "TRUE", new(bool), true},
		{"bool yes", "yes", new(bool), true},
		{"bool 0", "0", new(bool), false},
		{"bool empty", "", new(bool), false},
		{"time", "2012-03-02 12:00:00", new(time.Time), time.Date(2012, 3, 2, 12, 0, 0, 0, china)},
		{"time zero", "0000-00-00 00:00:00", new(time.Time), time.Time{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fv := reflect.ValueOf(tt.ptr).Elem()
			require.NoError(t, b.Scalar(tt.text, fv))
			assert.Equal(t, tt.want, fv.Interface())
		})
	}
}

func TestScalarErrors(t *testing.T) {
	b := &Binder{Location: china}
	tests := []struct {
		name string
		text string
		ptr  any
	}{
		{"int text", "abc", new(int)},
		{"int fraction", "12.5", new(int)},
		{"int8 overflow", "300", new(int8)},
		{"int8 overflow via float", "300.0", new(int8)},
		{"int16 overflow", "40000", new(int16)},
		{"int huge float", "1e30", new(int64)},
		{"float text", "n/a", new(float64)},
		{"bool text", "maybe", new(bool)},
		{"time text", "soon", new(time.Time)},
		{"unsupported kind", "1", new(uint)},
		{"unsupported pointer", "1", new(*int)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			fv := reflect.ValueOf(tt.ptr).Elem()
			before := fv.Interface()
			assert.Error(t, b.Scalar(tt.text, fv))
			assert.Equal(t, before, fv.Interface(), "field untouched on error")
		})
	}
}

type link struct {
	ID    int64  `xml:"link_id"`
	URL   string `xml:"link"`
	Count int    `xml:"click_total"`
}

type subject struct {
	ID   int64  `xml:"id"`
	Name string `xml:"name"`
}

type record struct {
	ID       int64     `xml:"id"`
	Name     string    `xml:"name"`
	Ratio    float64   `xml:"open_ratio"`
	First    time.Time `xml:"open_first"`
	Last     time.Time `xml:"open_last"`
	Enabled  bool      `xml:"enabled"`
	Count    int       `xml:"count,omitempty"`
	Links    []link    `xml:"link_statistic>link"`
	Subjects []subject `xml:"subject"`
	Tags     []string  `xml:"tags>tag"`
	Nested   subject   `xml:"owner"`
	Ignored  string    `xml:"-"`
}

// decodeRoot binds the root element of doc into v.
func decodeRoot(t *testing.T, doc string, v any) error {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(doc))
	start, err := Root(d)
	require.NoError(t, err)
	return (&Binder{Location: china}).Element(d, start, v, nil)
}

func TestElement(t *testing.T) {
	doc := "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<track>\r\n" +
		"  <id> 7 </id>\r\n" +
		"  <name><![CDATA[ 春季 <促销> ]]></name>\r\n" +
		"  <open_ratio>33.5%</open_ratio>\r\n" +
		"  <open_first>2012-7-4 16:08</open_first>\r\n" +
		"  <open_last>0000-00-00 00:00:00</open_last>\r\n" +
		"  <enabled>1</enabled>\r\n" +
		"  <count></count>\r\n" +
		"  <unknown><deep>ignored</deep></unknown>\r\n" +
		"  <secret>not bound</secret>\r\n" +
		"  <link_statistic>\r\n" +
		"    <link><link_id>1</link_id><link>http://a.example/?x=1&amp;y=2</link><click_total>5</click_total><extra/></link>\r\n" +
		"    <other>skipped</other>\r\n" +
		"    <link><link_id>2</link_id><link><![CDATA[http://b.example/]]></link></link>\r\n" +
		"  </link_statistic>\r\n" +
		"  <subject><id>10</id><name>A</name></subject>\r\n" +
		"  <subject><id>11</id><name>B</name></subject>\r\n" +
		"  <tags><tag>x</tag><tag> y </tag></tags>\r\n" +
		"  <owner><id>3</id><name>Lin</name></owner>\r\n" +
		"</track>\r\n"
	var got record
	require.NoError(t, decodeRoot(t, doc, &got))
	assert.Equal(t, record{
		ID:      7,
		Name:    "春季 <促销>",
		Ratio:   33.5,
		First:   time.Date(2012, 7, 4, 16, 8, 0, 0, china),
		Enabled: true,
		Links: []link{
			{ID: 1, URL: "http://a.example/?x=1&y=2", Count: 5},
			{ID: 2, URL: "http://b.example/"},
		},
		Subjects: []subject{{ID: 10, Name: "A"}, {ID: 11, Name: "B"}},
		Tags:     []string{"x", "y"},
		Nested:   subject{ID: 3, Name: "Lin"},
	}, got)
}

func TestElementEmptyRoot(t *testing.T) {
	var got record
	require.NoError(t, decodeRoot(t, "<track>\r\n  \r\n</track>", &got))
	assert.Equal(t, record{}, got)
	require.NoError(t, decodeRoot(t, "<track/>", &got))
}

func TestElementFieldError(t *testing.T) {
	var got record
	err := decodeRoot(t, "<track><id>7</id><open_first>someday</open_first></track>", &got)
	var fe *FieldError
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "open_first", fe.Element)
	assert.Equal(t, "someday", fe.Value)
	assert.Contains(t, err.Error(), "<open_first>")

	long := strings.Repeat("9", 100) + "x"
	err = decodeRoot(t, "<track><id>"+long+"</id></track>", &got)
	require.ErrorAs(t, err, &fe)
	assert.Len(t, fe.Value, 64, "value cut for the message")

	err = decodeRoot(t, "<track><link_statistic><link><click_total>many</click_total></link></link_statistic></track>", &got)
	require.ErrorAs(t, err, &fe)
	assert.Equal(t, "click_total", fe.Element, "names the element inside the wrapper")
}

func TestElementNeedsStructPointer(t *testing.T) {
	d := xml.NewDecoder(strings.NewReader("<a/>"))
	start, err := Root(d)
	require.NoError(t, err)
	b := &Binder{}
	var s record
	var n int
	assert.Error(t, b.Element(d, start, s, nil))
	assert.Error(t, b.Element(d, start, &n, nil))
	assert.Error(t, b.Element(d, start, (*record)(nil), nil))
}

func TestText(t *testing.T) {
	tests := []struct{ name, inner, want string }{
		{"plain", "abc", "abc"},
		{"spaces", "  abc \t", "abc"},
		{"crlf", "\r\nabc\r\n", "abc"},
		{"cdata", "<![CDATA[ a&b ]]>", "a&b"},
		{"cdata with crlf around", "\r\n  <![CDATA[x]]>\r\n", "x"},
		{"mixed", "a <![CDATA[b]]> c", "a b c"},
		{"entity", "a&amp;b &lt;c&gt;", "a&b <c>"},
		{"child skipped", "a<b>nested</b>c", "ac"},
		{"empty", "", ""},
		{"internal crlf kept as newline", "line1\r\nline2", "line1\nline2"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := xml.NewDecoder(strings.NewReader("<v>" + tt.inner + "</v>"))
			_, err := Root(d)
			require.NoError(t, err)
			got, err := Text(d)
			require.NoError(t, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

func TestRoot(t *testing.T) {
	d := xml.NewDecoder(strings.NewReader("<?xml version=\"1.0\"?>\r\n<!-- c -->\r\n<result><status>x</status></result>"))
	start, err := Root(d)
	require.NoError(t, err)
	assert.Equal(t, "result", start.Name.Local)

	_, err = Root(xml.NewDecoder(strings.NewReader("")))
	assert.Error(t, err, "empty input")

	_, err = Root(xml.NewDecoder(strings.NewReader("Fatal error: <b>x</b>")))
	assert.EqualError(t, err, "text before the root element")
}

func TestChildren(t *testing.T) {
	d := xml.NewDecoder(strings.NewReader("<list>\r\n<total_num>2</total_num>text<item>a</item><item>b</item></list><after/>"))
	_, err := Root(d)
	require.NoError(t, err)
	var names, texts []string
	require.NoError(t, Children(d, func(el xml.StartElement) error {
		names = append(names, el.Name.Local)
		s, err := Text(d)
		texts = append(texts, s)
		return err
	}))
	assert.Equal(t, []string{"total_num", "item", "item"}, names)
	assert.Equal(t, []string{"2", "a", "b"}, texts)
	next, err := Root(d)
	require.NoError(t, err)
	assert.Equal(t, "after", next.Name.Local, "the end tag of <list> was consumed")

	stop := errors.New("stop")
	d = xml.NewDecoder(strings.NewReader("<list><item>a</item><item>b</item></list>"))
	_, _ = Root(d)
	assert.ErrorIs(t, Children(d, func(xml.StartElement) error { return stop }), stop)

	d = xml.NewDecoder(strings.NewReader("<list><item>a</item>"))
	_, _ = Root(d)
	assert.Error(t, Children(d, func(xml.StartElement) error { return d.Skip() }), "truncated input")
}

// A Budget bounds what a whole-object decode keeps: slice growth by the
// capacity added, strings by their length; nil bounds nothing.
func TestElementBudget(t *testing.T) {
	type link struct {
		URL   string `xml:"url"`
		Count int    `xml:"count"`
	}
	type overview struct {
		Links []link `xml:"links>link"`
	}
	doc := "<o><links>" + strings.Repeat("<link><url>http://example.com/x</url><count>3</count></link>", 10000) + "</links></o>"
	decode := func(bu *Budget) (*overview, error) {
		d := xml.NewDecoder(strings.NewReader(doc))
		start, err := Root(d)
		require.NoError(t, err)
		var v overview
		return &v, (&Binder{}).Element(d, start, &v, bu)
	}
	v, err := decode(nil)
	require.NoError(t, err)
	assert.Len(t, v.Links, 10000)

	bu := NewBudget(1 << 30)
	_, err = decode(bu)
	require.NoError(t, err)
	// 10000 strings of 20 bytes, and the slice's capacity (at least 10000
	// elements of 24 bytes) in elements' size.
	assert.GreaterOrEqual(t, bu.Used(), int64(10000*20+10000*int(reflect.TypeFor[link]().Size())))

	_, err = decode(NewBudget(64 << 10))
	var le *LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "decoded size", le.Limit)
	assert.Equal(t, int64(64<<10), le.Max)
}
