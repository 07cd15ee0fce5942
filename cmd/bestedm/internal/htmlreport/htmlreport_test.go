package htmlreport

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
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
