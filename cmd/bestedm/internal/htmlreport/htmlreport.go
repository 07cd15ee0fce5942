// Package htmlreport writes the reports of `bestedm report --html`: one
// self-contained HTML file whose charts are SVG. The page has no script,
// no style sheet, font or image to fetch, and says so to the browser with
// a Content-Security-Policy of default-src 'none': it looks the same
// opened from a mail attachment, offline, years later.
//
// The charts are drawn by github.com/go-analyze/charts, the maintained
// fork of vicanso/go-charts: pure Go, it renders each chart to SVG when
// the page is written, so the page carries finished drawings rather than a
// script that draws them, and nothing is fetched to view it. JavaScript
// libraries (ECharts, Chart.js) would put hundreds of kilobytes of script
// into every file and a script-run page to test, and the Go wrappers of
// those libraries fetch the script from a CDN by default. SVG text is real
// text: Chinese labels are shaped by the viewer's fonts, and can be
// searched and copied. The library measures text to lay labels out with
// a Latin font; charts.go gives it one that measures Chinese at its width.
package htmlreport

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store"
)

// Task is what the report of one task shows.
type Task struct {
	Title      string
	TaskID     int64
	Ident      string
	Date       string
	Recipients int64
	Sent       int64
	Delivered  int64
	Failed     int64
	Failures   []Bar // by kind
	Opened     int64 // unique
	Clicked    int64 // unique
	Tracking   bool
	// Times are the buckets of Opens and Clicks (hours or days).
	Times          []string
	Opens, Clicks  []float64 // first opens and first clicks per bucket
	Links          []Bar     // most clicked first
	Browsers, OSes []Bar
	Devices        []Bar
	Generated      time.Time
}

// failureBars splits a batch's failed deliveries by kind, Chinese first as
// the console shows them. send_failed counts every delivery failure, so it
// is not a kind of its own: what the named kinds do not cover is "other";
// invalid addresses were dropped before sending.
func failureBars(b *bestedm.BatchStat) []Bar {
	other := b.Failed - b.EmailNotExist - b.OverQuota - b.UserReject - b.SpamContent - b.ConnectError
	all := []Bar{
		{Label: "地址不存在 not exist", Value: float64(b.EmailNotExist)},
		{Label: "邮箱已满 over quota", Value: float64(b.OverQuota)},
		{Label: "用户拒收 user reject", Value: float64(b.UserReject)},
		{Label: "垃圾邮件 spam content", Value: float64(b.SpamContent)},
		{Label: "连接错误 connect error", Value: float64(b.ConnectError)},
		{Label: "其他 other", Value: float64(max(other, 0))},
		{Label: "无效地址 invalid (not sent)", Value: float64(b.Invalid)},
	}
	var out []Bar
	for _, x := range all {
		if x.Value > 0 {
			out = append(out, x)
		}
	}
	return out
}

// TaskFromAPI gathers a task's report: its batch statistics, tracking
// overview and links, and its opens streamed once (never held) for the
// timeline and the browser, OS and device split.
func TaskFromAPI(ctx context.Context, c *bestedm.Client, ref bestedm.TaskRef) (*Task, error) {
	batches, err := c.Statistic.Batches(ctx, &bestedm.BatchListOptions{TaskID: ref.ID, Ident: ref.Ident})
	if err != nil {
		return nil, err
	}
	if len(batches) == 0 {
		return nil, fmt.Errorf("task %s: %w", refString(ref), bestedm.ErrNotFound)
	}
	b := batches[0]
	loc := c.Location()
	r := &Task{
		TaskID: b.TaskID, Ident: b.TaskIdent, Recipients: b.TotalSum, Sent: b.Total, Delivered: b.Success,
		Failed: b.Failed, Failures: failureBars(&b), Generated: time.Now().In(loc),
	}
	if !b.TaskDate.IsZero() {
		r.Date = b.TaskDate.In(loc).Format(time.DateOnly)
	}
	if t, err := c.Task.Get(ctx, b.TaskID); err == nil {
		r.Title = t.TemplateName
	}
	ov, err := c.Track.Overview(ctx, bestedm.TaskByID(b.TaskID))
	if errors.Is(err, bestedm.ErrNotFound) {
		return r, nil // a task without tracking
	}
	if err != nil {
		return nil, err
	}
	r.Tracking, r.Opened, r.Clicked = true, ov.OpenUnique, ov.ClickUnique
	links := slices.Clone(ov.Links)
	slices.SortStableFunc(links, func(a, b bestedm.LinkStat) int { return cmp.Compare(b.ClickUnique, a.ClickUnique) })
	for i, l := range links {
		if i == 10 {
			break
		}
		r.Links = append(r.Links, Bar{Label: l.URL, Value: float64(l.ClickUnique), Note: fmt.Sprintf("%d total", l.ClickTotal)})
	}
	hours := map[time.Time][2]float64{}
	browsers, oses, devices := map[string]float64{}, map[string]float64{}, map[string]float64{}
	for o, err := range c.Track.Opens(ctx, bestedm.TaskByID(b.TaskID)) {
		if err != nil {
			return nil, err
		}
		if !o.OpenFirst.IsZero() {
			h := o.OpenFirst.In(loc).Truncate(time.Hour)
			v := hours[h]
			v[0]++
			hours[h] = v
		}
		if !o.ClickFirst.IsZero() {
			h := o.ClickFirst.In(loc).Truncate(time.Hour)
			v := hours[h]
			v[1]++
			hours[h] = v
		}
		os := strings.TrimSpace(o.OS)
		browsers[orUnknown(o.Browser)]++
		oses[orUnknown(os)]++
		devices[device(os)]++
	}
	r.Times, r.Opens, r.Clicks = timeline(hours)
	total := float64(0)
	for _, v := range browsers {
		total += v
	}
	r.Browsers, r.OSes, r.Devices = shares(browsers, total), shares(oses, total), shares(devices, total)
	return r, nil
}

func refString(ref bestedm.TaskRef) string {
	if ref.Ident != "" {
		return ref.Ident
	}
	return fmt.Sprint(ref.ID)
}

func orUnknown(s string) string {
	if s == "" {
		return "未知 unknown"
	}
	return s
}

// device classes an open by its operating system: the replies carry no
// device, but the OS tells a phone from a computer.
func device(os string) string {
	l := strings.ToLower(os)
	switch {
	case strings.Contains(l, "android"), strings.Contains(l, "ios"), strings.Contains(l, "iphone"), strings.Contains(l, "ipad"), strings.Contains(l, "harmony"):
		return "手机 mobile"
	case strings.Contains(l, "windows"), strings.Contains(l, "mac"), strings.Contains(l, "linux"):
		return "电脑 desktop"
	}
	return "其他 other"
}

// timeline turns hourly counts into a series: hours when the opens span at
// most three days, else days, every bucket between the first and the last.
func timeline(hours map[time.Time][2]float64) ([]string, []float64, []float64) {
	if len(hours) == 0 {
		return nil, nil, nil
	}
	keys := make([]time.Time, 0, len(hours))
	for k := range hours {
		keys = append(keys, k)
	}
	slices.SortFunc(keys, func(a, b time.Time) int { return a.Compare(b) })
	first, last := keys[0], keys[len(keys)-1]
	step, layout := time.Hour, "01-02 15:00"
	if last.Sub(first) > 72*time.Hour {
		step, layout = 24*time.Hour, time.DateOnly
		days := map[time.Time][2]float64{}
		for k, v := range hours {
			d := time.Date(k.Year(), k.Month(), k.Day(), 0, 0, 0, 0, k.Location())
			x := days[d]
			days[d] = [2]float64{x[0] + v[0], x[1] + v[1]}
		}
		hours = days
		first = time.Date(first.Year(), first.Month(), first.Day(), 0, 0, 0, 0, first.Location())
	}
	var labels []string
	var opens, clicks []float64
	for t := first; !t.After(last); t = t.Add(step) {
		v := hours[t]
		labels = append(labels, t.Format(layout))
		opens = append(opens, v[0])
		clicks = append(clicks, v[1])
	}
	return labels, opens, clicks
}

// shares sorts counts, largest first, each with its share of total; more
// than eight become "其他 other".
func shares(m map[string]float64, total float64) []Bar {
	bars := make([]Bar, 0, len(m))
	for k, v := range m {
		bars = append(bars, Bar{Label: k, Value: v})
	}
	slices.SortFunc(bars, func(a, b Bar) int {
		if c := cmp.Compare(b.Value, a.Value); c != 0 {
			return c
		}
		return strings.Compare(a.Label, b.Label)
	})
	if len(bars) > 8 {
		rest := 0.0
		for _, b := range bars[7:] {
			rest += b.Value
		}
		bars = append(bars[:7], Bar{Label: "其他 other", Value: rest})
	}
	for i := range bars {
		if total > 0 {
			bars[i].Note = fmt.Sprintf("%.1f%%", bars[i].Value/total*100)
		}
	}
	return bars
}

// WriteTask writes the report of one task.
func WriteTask(w io.Writer, r *Task) error {
	title := fmt.Sprintf("任务 %d 报告 · Task %d report", r.TaskID, r.TaskID)
	var b strings.Builder
	head(&b, title)
	var sub []string
	for _, x := range []string{r.Ident, r.Date, r.Title} {
		if x != "" {
			sub = append(sub, esc(x))
		}
	}
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p class=\"sub\">%s</p>\n", esc(title), strings.Join(sub, " · "))
	rate := func(n, of int64) string {
		if of == 0 {
			return "–"
		}
		return fmt.Sprintf("%.2f%%", float64(n)/float64(of)*100)
	}
	b.WriteString(`<table class="kpi"><tr>`)
	for _, k := range [][2]string{
		{"收件人 recipients", fnum(float64(r.Recipients))}, {"已发送 sent", fnum(float64(r.Sent))},
		{"送达 delivered", fnum(float64(r.Delivered))}, {"失败 failed", fnum(float64(r.Failed))},
		{"打开率 open rate", rate(r.Opened, r.Sent)}, {"点击率 click rate", rate(r.Clicked, r.Sent)},
	} {
		fmt.Fprintf(&b, "<td><span>%s</span><b>%s</b></td>", esc(k[0]), esc(k[1]))
	}
	b.WriteString("</tr></table>\n")

	funnel := []Bar{
		{Label: "收件人 recipients", Value: float64(r.Recipients)},
		{Label: "已发送 sent", Value: float64(r.Sent)},
	}
	for _, f := range r.Failures {
		funnel = append(funnel, Bar{Label: "失败 failed: " + f.Label, Value: f.Value})
	}
	funnel = append(funnel, Bar{Label: "送达 delivered", Value: float64(r.Delivered)})
	if r.Tracking {
		funnel = append(funnel,
			Bar{Label: "打开 opened", Value: float64(r.Opened), Note: rate(r.Opened, r.Delivered) + " of delivered"},
			Bar{Label: "点击 clicked", Value: float64(r.Clicked), Note: rate(r.Clicked, r.Opened) + " of opened"})
	}
	var err error
	chart := func(svg string, e error) {
		b.WriteString(svg)
		err = cmp.Or(err, e)
	}
	chart(hbars("funnel", "漏斗 Funnel", funnel))
	chart(lines("timeline", "打开与点击 Opens and clicks over time (first open, first click)", r.Times,
		[]Series{{Name: "打开 opens", Values: r.Opens}, {Name: "点击 clicks", Values: r.Clicks}}, false))
	chart(hbars("links", "热门链接 Top links by unique clicks", r.Links))
	chart(hbars("failures", "失败原因 Failures by kind", r.Failures))
	b.WriteString(`<div class="row">`)
	chart(hbars("browsers", "浏览器 Browser", r.Browsers))
	chart(hbars("os", "操作系统 OS", r.OSes))
	chart(hbars("devices", "设备 Device (from the OS)", r.Devices))
	b.WriteString("</div>\n")
	if err != nil {
		return err
	}
	foot(&b, r.Generated)
	_, err = io.WriteString(w, b.String())
	return err
}

// Compare is what the report over the synced database shows.
type Compare struct {
	Since string
	// Tasks are labelled "MM-DD #id", oldest first, with their open and
	// click rates (unique ÷ sent, in %).
	Tasks                 []string
	OpenRates, ClickRates []float64
	// Days and Kinds: failed addresses per day, one series per kind.
	Days      []string
	Kinds     []Series
	Generated time.Time
}

// CompareFromDB reads the open and click rate of every task that started
// on or after since (YYYY-MM-DD) and the failures per day and kind.
func CompareFromDB(ctx context.Context, db *store.DB, since string) (*Compare, error) {
	r := &Compare{Since: since, Generated: time.Now()}
	rows, err := db.Query(ctx, `
SELECT substr(COALESCE(t.time_start, t.send_time), 1, 10) AS day, t.task_id,
       CAST(o.open_unique AS DOUBLE PRECISION) * 100 / o.send_count,
       CAST(o.click_unique AS DOUBLE PRECISION) * 100 / o.send_count
FROM track_overviews o
JOIN tasks t ON t.account = o.account AND t.task_id = o.task_id
WHERE o.send_count > 0 AND COALESCE(t.time_start, t.send_time) >= ?
ORDER BY COALESCE(t.time_start, t.send_time), t.task_id`, since)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var day string
		var id int64
		var open, click float64
		if err := rows.Scan(&day, &id, &open, &click); err != nil {
			return nil, err
		}
		if len(day) == len(time.DateOnly) {
			day = day[5:] // MM-DD: the axis is short of room
		}
		r.Tasks = append(r.Tasks, fmt.Sprintf("%s #%d", day, id))
		r.OpenRates = append(r.OpenRates, round2(open))
		r.ClickRates = append(r.ClickRates, round2(click))
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	rows.Close()

	frows, err := db.Query(ctx, `
SELECT day, kind_name, COUNT(*) FROM failures WHERE day >= ? GROUP BY day, kind_name ORDER BY day, kind_name`, since)
	if err != nil {
		return nil, err
	}
	defer frows.Close()
	counts := map[string]map[string]float64{}
	kinds := map[string]bool{}
	for frows.Next() {
		var day, kind string
		var n int64
		if err := frows.Scan(&day, &kind, &n); err != nil {
			return nil, err
		}
		if counts[day] == nil {
			counts[day] = map[string]float64{}
			r.Days = append(r.Days, day)
		}
		counts[day][kind] = float64(n)
		kinds[kind] = true
	}
	if err := frows.Err(); err != nil {
		return nil, err
	}
	names := make([]string, 0, len(kinds))
	for k := range kinds {
		names = append(names, k)
	}
	slices.Sort(names)
	for _, k := range names {
		s := Series{Name: k, Values: make([]float64, len(r.Days))}
		for i, d := range r.Days {
			s.Values[i] = counts[d][k]
		}
		r.Kinds = append(r.Kinds, s)
	}
	return r, nil
}

func round2(v float64) float64 { return float64(int64(v*100+0.5)) / 100 }

// WriteCompare writes the report comparing campaigns.
func WriteCompare(w io.Writer, r *Compare) error {
	title := "活动对比 · Campaigns since " + r.Since
	var b strings.Builder
	head(&b, title)
	fmt.Fprintf(&b, "<h1>%s</h1>\n<p class=\"sub\">%d 个任务 tasks · %d 天有失败 days with failures</p>\n", esc(title), len(r.Tasks), len(r.Days))
	rates, err := lines("rates", "每个任务的打开率与点击率 Open and click rate per task (%)", r.Tasks,
		[]Series{{Name: "打开率 open rate", Values: r.OpenRates}, {Name: "点击率 click rate", Values: r.ClickRates}}, true)
	if err != nil {
		return err
	}
	fails, err := stacked("failures-per-day", "每天失败 Failures per day, by kind", r.Days, r.Kinds)
	if err != nil {
		return err
	}
	b.WriteString(rates)
	b.WriteString(fails)
	foot(&b, r.Generated)
	_, err = io.WriteString(w, b.String())
	return err
}

// head starts the page: UTF-8, a policy that forbids every fetch, inline
// style only.
func head(b *strings.Builder, title string) {
	b.WriteString(`<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>` + esc(title) + `</title>
<style>
body{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif;margin:24px auto;max-width:1400px;color:#222;background:#fff}
h1{font-size:22px;margin:0 0 4px}
.sub{color:#666;margin:0 0 16px}
figure{display:inline-block;vertical-align:top;margin:0 16px 24px 0;padding:12px;border:1px solid #ddd;border-radius:6px}
figcaption{font-weight:600;margin-bottom:8px}
svg text{font-family:system-ui,-apple-system,"PingFang SC","Microsoft YaHei","Noto Sans CJK SC","WenQuanYi Micro Hei",sans-serif!important}
table.kpi{border-collapse:collapse;margin-bottom:20px}
table.kpi td{border:1px solid #ddd;padding:8px 16px}
table.kpi span{display:block;color:#666;font-size:12px}
table.kpi b{font-size:20px}
.empty{color:#888}
footer{color:#888;font-size:12px;margin-top:16px}
</style>
</head>
<body>
`)
}

func foot(b *strings.Builder, at time.Time) {
	b.WriteString("<footer>bestedm report · " + esc(at.Format(time.DateTime)) + "</footer>\n</body>\n</html>\n")
}
