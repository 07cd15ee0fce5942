package htmlreport

import (
	"encoding/xml"
	"io"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/golang/freetype/truetype"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/image/font"
)

// externalRef matches anything a browser would fetch: a src or href
// attribute, a CSS url(), an @import, a script.
var externalRef = regexp.MustCompile(`(?i)\s(src|href)\s*=|url\(|@import|<script|<link|<iframe|<object|<embed`)

func TestPagesFetchNothingAndEscapeText(t *testing.T) {
	hostile := `https://example.com/?a=1&b=<script>alert(1)</script>`
	task := &Task{TaskID: 7, Ident: "20261201-1-ABC", Title: `双十二 "促销" <b>`, Recipients: 100, Sent: 90, Delivered: 80, Failed: 10,
		Failures: []Bar{{Label: "地址不存在 not exist", Value: 10}}, Opened: 40, Clicked: 10, Tracking: true,
		Times: []string{"12-01 10:00", "12-01 11:00"}, Opens: []float64{30, 10}, Clicks: []float64{5, 5},
		Links:    []Bar{{Label: hostile, Value: 10}},
		Browsers: []Bar{{Label: "QQ浏览器", Value: 40}}, OSes: []Bar{{Label: "Android", Value: 40}},
		Devices: []Bar{{Label: "手机 mobile", Value: 40}}, Generated: time.Date(2026, 12, 1, 12, 0, 0, 0, time.UTC)}
	var b strings.Builder
	require.NoError(t, WriteTask(&b, task))
	page := b.String()
	cmp := &Compare{Since: "2026-11-01", Tasks: []string{"11-02 #1", "11-09 #2"}, OpenRates: []float64{20, 30}, ClickRates: []float64{2, 3},
		Days: []string{"2026-11-02"}, Kinds: []Series{{Name: "not_exist", Values: []float64{4}}}}
	var b2 strings.Builder
	require.NoError(t, WriteCompare(&b2, cmp))

	for name, p := range map[string]string{"task": page, "compare": b2.String()} {
		assert.Empty(t, externalRef.FindAllString(p, -1), "%s page: nothing to fetch", name)
		assert.Contains(t, p, `<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">`, name)
		assert.Contains(t, p, `<meta charset="utf-8">`, name)
	}
	assert.NotContains(t, page, "<script>alert")
	assert.Contains(t, page, "&lt;script&gt;")
	assert.Contains(t, page, "双十二 &#34;促销&#34; &lt;b&gt;")
	for _, chart := range []string{"funnel", "timeline", "links", "failures", "browsers", "os", "devices"} {
		assert.Contains(t, page, `data-chart="`+chart+`"`)
	}
	assert.Contains(t, page, "QQ浏览器")
}

// TestChartsAreDeterministicAndWellFormed: the same report gives the same
// bytes, and every chart is an SVG an XML parser reads, its text escaped.
func TestChartsAreDeterministicAndWellFormed(t *testing.T) {
	task := &Task{TaskID: 7, Title: "双十二促销 <script>alert(1)</script>", Recipients: 100, Sent: 90, Delivered: 80, Failed: 10,
		Failures: []Bar{{Label: "地址不存在 not exist", Value: 6}, {Label: "用户拒收 user reject", Value: 4}},
		Opened:   40, Clicked: 10, Tracking: true,
		Times: []string{"12-01 10:00", "12-01 11:00", "12-01 12:00"}, Opens: []float64{30, 8, 2}, Clicks: []float64{5, 4, 1},
		Links:    []Bar{{Label: `https://example.com/?q=<script>alert("x")</script>&a=1`, Value: 10, Note: "12 total"}},
		Browsers: []Bar{{Label: "QQ浏览器", Value: 40, Note: "100.0%"}}, OSes: []Bar{{Label: "Android", Value: 40}},
		Devices: []Bar{{Label: "手机 mobile", Value: 40}}}
	cmp := &Compare{Since: "2026-11-01", Tasks: []string{"11-02 #1", "11-09 #2"}, OpenRates: []float64{20, 30}, ClickRates: []float64{2, 3},
		Days: []string{"2026-11-02", "2026-11-03"}, Kinds: []Series{{Name: "<b>not_exist</b>", Values: []float64{4, 1}}, {Name: "over_quota", Values: []float64{0, 2}}}}
	pages := func() (string, string) {
		var a, b strings.Builder
		require.NoError(t, WriteTask(&a, task))
		require.NoError(t, WriteCompare(&b, cmp))
		return a.String(), b.String()
	}
	task1, cmp1 := pages()
	task2, cmp2 := pages()
	assert.Equal(t, task1, task2, "the task page, twice")
	assert.Equal(t, cmp1, cmp2, "the compare page, twice")

	svgs := regexp.MustCompile(`(?s)<svg .*?</svg>`)
	for name, page := range map[string]string{"task": task1, "compare": cmp1} {
		all := svgs.FindAllString(page, -1)
		assert.Len(t, all, map[string]int{"task": 7, "compare": 2}[name], name)
		for _, svg := range all {
			d := xml.NewDecoder(strings.NewReader(svg))
			for {
				_, err := d.Token()
				if err == io.EOF {
					break
				}
				if !assert.NoError(t, err, "%s: %s", name, svg) {
					break
				}
			}
			assert.NotContains(t, svg, "<script")
			assert.NotContains(t, svg, "<b>")
		}
	}
	assert.Contains(t, task1, ">地址不存在 not exist</text>")
	assert.Contains(t, task1, ">QQ浏览器</text>")
	assert.Contains(t, task1, ">40 (50.00% of delivered)</text>", "the opened bar's value and note")
	assert.Contains(t, task1, "&lt;script&gt;alert(&#34;x&#34;)")
	assert.Contains(t, cmp1, ">&lt;b&gt;not_exist&lt;/b&gt;</text>")
}

// TestMeasureFontIsWideForChinese: the library places labels by the
// width the measuring font gives; a Chinese character must measure at
// least one em, and Latin text at least what common sans-serif fonts take.
func TestMeasureFontIsWideForChinese(t *testing.T) {
	face := truetype.NewFace(measureFont(), &truetype.Options{Size: 12, DPI: 72})
	width := func(s string) float64 { return float64(font.MeasureString(face, s)) / 64 }
	assert.GreaterOrEqual(t, width("地址不存在"), 5*12.0)
	assert.GreaterOrEqual(t, width("用户拒收 user reject"), 4*12+width(" user reject"))
	// DejaVu Sans, the widest usual sans-serif font, sets them in 58.9
	// and 269.2 pixels at 12px.
	assert.GreaterOrEqual(t, width("recipients"), 58.9)
	assert.GreaterOrEqual(t, width("https://www.example.com/coupon?id=spring"), 269.2)
}

func TestClipCutsBetweenCharacters(t *testing.T) {
	assert.Equal(t, "双十二促…", clip("双十二促销活动", 5))
	assert.Equal(t, "短", clip("短", 5))
}

func TestTimelineUsesDaysPastThreeDays(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	h := map[time.Time][2]float64{
		time.Date(2026, 12, 1, 10, 0, 0, 0, loc): {2, 1},
		time.Date(2026, 12, 5, 9, 0, 0, 0, loc):  {1, 0},
	}
	labels, opens, clicks := timeline(h)
	assert.Equal(t, []string{"2026-12-01", "2026-12-02", "2026-12-03", "2026-12-04", "2026-12-05"}, labels)
	assert.Equal(t, []float64{2, 0, 0, 0, 1}, opens)
	assert.Equal(t, []float64{1, 0, 0, 0, 0}, clicks)
	labels, _, _ = timeline(map[time.Time][2]float64{time.Date(2026, 12, 1, 10, 0, 0, 0, loc): {1, 0}, time.Date(2026, 12, 1, 12, 0, 0, 0, loc): {1, 0}})
	assert.Equal(t, []string{"12-01 10:00", "12-01 11:00", "12-01 12:00"}, labels)
}
