package htmlreport

import (
	"fmt"
	"html"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// Bar is one labelled value of a bar chart.
type Bar struct {
	Label string
	Value float64
	// Note is shown after the value (a share, a unit); optional.
	Note string
}

// Series is one named line or stack of a chart over Labels.
type Series struct {
	Name   string
	Values []float64
}

// palette is colour-blind safe (Okabe–Ito).
var palette = []string{"#0072B2", "#E69F00", "#009E73", "#D55E00", "#CC79A7", "#56B4E9", "#F0E442", "#000000"}

func esc(s string) string { return html.EscapeString(s) }

// fnum formats a value without needless decimals.
func fnum(v float64) string {
	if v == math.Trunc(v) && math.Abs(v) < 1e15 {
		return strconv.FormatInt(int64(v), 10)
	}
	return strconv.FormatFloat(v, 'f', 2, 64)
}

// clip shortens a label to n characters (not bytes: Chinese text is cut
// between characters), with an ellipsis.
func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	r := []rune(s)
	return string(r[:n-1]) + "…"
}

// figure wraps a chart: data-chart names it for tests and styles.
func figure(id, title, svg string) string {
	return `<figure data-chart="` + esc(id) + `"><figcaption>` + esc(title) + "</figcaption>\n" + svg + "</figure>\n"
}

// hbars draws labelled horizontal bars, longest value full width.
func hbars(id, title string, bars []Bar) string {
	if len(bars) == 0 {
		return figure(id, title, `<p class="empty">无数据 (no data)</p>`)
	}
	const (
		width  = 640
		labelW = 230
		rowH   = 26
		barMax = width - labelW - 120
	)
	max := 0.0
	for _, b := range bars {
		max = math.Max(max, b.Value)
	}
	h := len(bars)*rowH + 8
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d"><title>%s</title>`,
		width, h, width, h, esc(title))
	for i, b := range bars {
		y := i*rowH + 4
		w := 0.0
		if max > 0 {
			w = b.Value / max * barMax
		}
		label := b.Label
		fmt.Fprintf(&s, `<g class="bar"><text x="%d" y="%d" text-anchor="end" class="label">%s</text>`, labelW-8, y+17, esc(clip(label, 26)))
		fmt.Fprintf(&s, `<rect x="%d" y="%d" width="%.1f" height="%d" fill="%s"><title>%s: %s</title></rect>`,
			labelW, y+3, math.Max(w, 1), rowH-8, palette[i%len(palette)], esc(label), fnum(b.Value))
		value := fnum(b.Value)
		if b.Note != "" {
			value += " (" + b.Note + ")"
		}
		fmt.Fprintf(&s, `<text x="%.1f" y="%d" class="value">%s</text></g>`, float64(labelW)+math.Max(w, 1)+6, y+17, esc(value))
	}
	s.WriteString("</svg>\n")
	return figure(id, title, s.String())
}

// lines draws series over the same labels, with a legend. percent puts %
// on the axis.
func lines(id, title string, labels []string, series []Series, percent bool) string {
	if len(labels) == 0 {
		return figure(id, title, `<p class="empty">无数据 (no data)</p>`)
	}
	const (
		width  = 640
		height = 300
		left   = 72
		right  = 16
		top    = 28
		bottom = 70
	)
	max := 0.0
	for _, se := range series {
		for _, v := range se.Values {
			max = math.Max(max, v)
		}
	}
	max = niceMax(max)
	pw, ph := float64(width-left-right), float64(height-top-bottom)
	x := func(i int) float64 {
		if len(labels) == 1 {
			return left + pw/2
		}
		return left + pw*float64(i)/float64(len(labels)-1)
	}
	y := func(v float64) float64 { return top + ph - v/max*ph }
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d"><title>%s</title>`,
		width, height, width, height, esc(title))
	// Axis and grid: five steps.
	for k := 0; k <= 4; k++ {
		v := max * float64(k) / 4
		yy := y(v)
		tick := fnum(v)
		if percent {
			tick += "%"
		}
		fmt.Fprintf(&s, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="grid"/><text x="%d" y="%.1f" text-anchor="end" class="tick">%s</text>`,
			left, width-right, yy, yy, left-6, yy+4, esc(tick))
	}
	step := (len(labels) + 11) / 12 // at most about 12 labels
	for i, l := range labels {
		if i%step != 0 && i != len(labels)-1 {
			continue
		}
		fmt.Fprintf(&s, `<text x="%.1f" y="%d" text-anchor="end" transform="rotate(-35 %.1f %d)" class="tick">%s</text>`,
			x(i), height-bottom+16, x(i), height-bottom+16, esc(clip(l, 16)))
	}
	for n, se := range series {
		c := palette[n%len(palette)]
		pts := make([]string, len(se.Values))
		for i, v := range se.Values {
			pts[i] = fmt.Sprintf("%.1f,%.1f", x(i), y(v))
		}
		fmt.Fprintf(&s, `<polyline class="series" data-series="%s" fill="none" stroke="%s" stroke-width="2" points="%s"/>`,
			esc(se.Name), c, strings.Join(pts, " "))
		for i, v := range se.Values {
			fmt.Fprintf(&s, `<circle cx="%.1f" cy="%.1f" r="3" fill="%s"><title>%s %s: %s</title></circle>`,
				x(i), y(v), c, esc(se.Name), esc(labels[i]), fnum(v))
		}
		fmt.Fprintf(&s, `<rect x="%d" y="6" width="12" height="12" fill="%s"/><text x="%d" y="16" class="legend">%s</text>`,
			left+n*150, c, left+n*150+16, esc(se.Name))
	}
	s.WriteString("</svg>\n")
	return figure(id, title, s.String())
}

// stacked draws vertical bars over labels, one stack per label, one colour
// per series, with a legend.
func stacked(id, title string, labels []string, series []Series) string {
	if len(labels) == 0 {
		return figure(id, title, `<p class="empty">无数据 (no data)</p>`)
	}
	const (
		width  = 640
		height = 300
		left   = 72
		right  = 16
		top    = 28
		bottom = 70
	)
	max := 0.0
	for i := range labels {
		sum := 0.0
		for _, se := range series {
			sum += se.Values[i]
		}
		max = math.Max(max, sum)
	}
	max = niceMax(max)
	pw, ph := float64(width-left-right), float64(height-top-bottom)
	bw := pw / float64(len(labels))
	var s strings.Builder
	fmt.Fprintf(&s, `<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d"><title>%s</title>`,
		width, height, width, height, esc(title))
	for k := 0; k <= 4; k++ {
		v := max * float64(k) / 4
		yy := top + ph - v/max*ph
		fmt.Fprintf(&s, `<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" class="grid"/><text x="%d" y="%.1f" text-anchor="end" class="tick">%s</text>`,
			left, width-right, yy, yy, left-6, yy+4, fnum(v))
	}
	step := (len(labels) + 11) / 12
	for i, l := range labels {
		x0 := left + bw*float64(i)
		base := top + ph
		for n, se := range series {
			v := se.Values[i]
			if v <= 0 {
				continue
			}
			h := v / max * ph
			base -= h
			fmt.Fprintf(&s, `<rect class="stack" x="%.1f" y="%.1f" width="%.1f" height="%.1f" fill="%s"><title>%s %s: %s</title></rect>`,
				x0+bw*0.15, base, bw*0.7, h, palette[n%len(palette)], esc(l), esc(se.Name), fnum(v))
		}
		if i%step == 0 || i == len(labels)-1 {
			cx := x0 + bw/2
			fmt.Fprintf(&s, `<text x="%.1f" y="%d" text-anchor="end" transform="rotate(-35 %.1f %d)" class="tick">%s</text>`,
				cx, height-bottom+16, cx, height-bottom+16, esc(clip(l, 16)))
		}
	}
	for n, se := range series {
		fmt.Fprintf(&s, `<rect x="%d" y="6" width="12" height="12" fill="%s"/><text x="%d" y="16" class="legend">%s</text>`,
			left+n*110, palette[n%len(palette)], left+n*110+16, esc(se.Name))
	}
	s.WriteString("</svg>\n")
	return figure(id, title, s.String())
}

// niceMax rounds a chart's top up to 1, 2 or 5 times a power of ten.
func niceMax(v float64) float64 {
	if v <= 4 {
		return 4 // whole-number ticks for small counts
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 5, 10} {
		if v <= m*p {
			return m * p
		}
	}
	return 10 * p
}
