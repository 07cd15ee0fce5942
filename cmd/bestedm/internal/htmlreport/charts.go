package htmlreport

import (
	"encoding/binary"
	"fmt"
	"html"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/go-analyze/charts"
	"github.com/golang/freetype/truetype"
	"golang.org/x/image/font"
	"golang.org/x/image/font/gofont/goregular"
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

// width is every chart's width in CSS pixels.
const width = 640

// fontSize is the charts' text size in points: 12 CSS pixels at the
// library's 92 DPI, the size of the page's small text.
const fontSize = 9.4

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

// measureFont is the font the library measures text with, to place labels
// and size the room for them. The browser draws the text with its own
// fonts (the page's style says which), so the measure only needs to be no
// narrower than they are. The library's own fonts are Latin only and
// measure a Chinese character as their missing glyph, a third of its real
// width: labels ran into the bars. This is Go Regular (golang.org/x/image:
// the same bytes on every machine, so the same data gives the same page)
// made a fifth wider, as wide as DejaVu Sans, the widest usual sans-serif
// font, and its missing glyph, which every Chinese character is measured
// as, a fifth wider than one em: the width of a Chinese character in every
// Chinese font is one em.
var measureFont = sync.OnceValue(func() *truetype.Font {
	f, err := truetype.Parse(widened(goregular.TTF))
	if err != nil {
		panic("htmlreport: Go Regular: " + err.Error())
	}
	return f
})

// widened returns a copy of a TrueType font whose every glyph advances a
// fifth more, and whose glyph 0 (drawn for each character the font lacks)
// advances by a fifth more than one em.
func widened(ttf []byte) []byte {
	out := append([]byte(nil), ttf...)
	be := binary.BigEndian
	table := func(tag string) []byte {
		n := int(be.Uint16(out[4:]))
		for i := 0; i < n; i++ {
			rec := out[12+16*i:]
			if string(rec[:4]) == tag {
				return out[be.Uint32(rec[8:]):][:be.Uint32(rec[12:])]
			}
		}
		panic("htmlreport: font without " + tag)
	}
	em := int(be.Uint16(table("head")[18:]))
	hmtx := table("hmtx")
	for i := range int(be.Uint16(table("hhea")[34:])) {
		adv := int(be.Uint16(hmtx[4*i:]))
		if i == 0 {
			adv = em
		}
		be.PutUint16(hmtx[4*i:], uint16(min(adv*12/10, math.MaxUint16)))
	}
	return out
}

// theme is the library's light theme with the page's palette.
var theme = sync.OnceValue(func() charts.ColorPalette {
	colors := make([]charts.Color, len(palette))
	for i, c := range palette {
		colors[i] = charts.ColorFromHex(c)
	}
	return charts.GetTheme(charts.ThemeLight).WithSeriesColors(colors)
})

func textStyle() charts.FontStyle {
	return charts.FontStyle{Font: measureFont(), FontSize: fontSize}
}

// figure wraps a chart: data-chart names it for tests and styles.
func figure(id, title, svg string) string {
	return `<figure data-chart="` + esc(id) + `"><figcaption>` + esc(title) + "</figcaption>\n" + svg + "</figure>\n"
}

func empty(id, title string) string {
	return figure(id, title, `<p class="empty">无数据 (no data)</p>`)
}

// render runs draw on a painter of width × height and returns its SVG,
// sized in CSS pixels, with a title and an optional description (not
// escaped yet) for screen readers. Every text given to the library must be
// escaped already: it writes text as it gets it.
func render(title, desc string, height int, draw func(p *charts.Painter) error) (string, error) {
	p := charts.NewPainter(charts.PainterOptions{OutputFormat: charts.ChartOutputSVG, Width: width, Height: height,
		Font: measureFont(), Theme: theme()})
	if err := draw(p); err != nil {
		return "", err
	}
	b, err := p.Bytes()
	if err != nil {
		return "", err
	}
	svg, ok := strings.CutPrefix(string(b), `<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink" `)
	if !ok {
		return "", fmt.Errorf("htmlreport: unexpected SVG from the chart library: %.80q", b)
	}
	_, svg, _ = strings.Cut(svg, ">")
	head := fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" role="img" width="%d" height="%d" viewBox="0 0 %d %d"><title>%s</title>`,
		width, height, width, height, esc(title))
	if desc != "" {
		head += "<desc>" + esc(desc) + "</desc>"
	}
	return head + svg + "\n", nil
}

// hbars draws labelled horizontal bars, top to bottom in the order given,
// each with its value (and note) after it.
func hbars(id, title string, bars []Bar) (string, error) {
	if len(bars) == 0 {
		return empty(id, title), nil
	}
	// The library draws the first category at the bottom: the bars go in
	// reversed, so that the first is on top.
	bars = slices.Clone(bars)
	slices.Reverse(bars)
	labels := make([]string, len(bars))
	values := make([]float64, len(bars))
	for i, b := range bars {
		labels[i] = esc(clip(b.Label, 48))
		values[i] = b.Value
	}
	// The description has every bar in full, clipped labels included.
	desc := make([]string, len(bars))
	for i, b := range bars {
		desc[len(bars)-1-i] = b.Label + ": " + barValue(b)
	}
	opt := charts.NewBarChartOptionWithData([][]float64{values})
	opt.Horizontal = true
	opt.Theme = theme()
	// Room on the right for the longest value said after its bar.
	face := truetype.NewFace(measureFont(), &truetype.Options{Size: 12, DPI: 72})
	right := 0
	for _, b := range bars {
		right = max(right, font.MeasureString(face, barValue(b)).Ceil())
	}
	opt.Padding = charts.Box{Top: 8, Right: right + 16, Bottom: 8, Left: 8}
	opt.CategoryAxis = charts.CategoryAxisOption{Labels: labels, LabelFontStyle: textStyle()}
	// Every bar says its value: no value axis.
	opt.ValueAxis = []charts.ValueAxisOption{{Min: charts.Ptr(0.0), Show: charts.Ptr(false)}}
	opt.BarSize = 18
	s := &opt.SeriesList[0]
	s.Label.Show = charts.Ptr(true)
	s.Label.FontStyle = textStyle()
	// The formatter is told the series, not the bar: it is called once
	// per bar, in order.
	next := 0
	s.Label.LabelFormatter = func(_ int, _ string, v float64) (string, *charts.LabelStyle) {
		b := Bar{Value: v}
		if next < len(bars) {
			b.Note = bars[next].Note
		}
		next++
		return esc(barValue(b)), nil
	}
	svg, err := render(title, strings.Join(desc, "\n"), len(bars)*28+24, func(p *charts.Painter) error { return p.BarChart(opt) })
	if err != nil {
		return "", err
	}
	return figure(id, title, svg), nil
}

// split returns the series' values and their names, escaped for the page.
func split(series []Series) (values [][]float64, names []string) {
	values = make([][]float64, len(series))
	names = make([]string, len(series))
	for i, s := range series {
		values[i], names[i] = s.Values, esc(s.Name)
	}
	return values, names
}

// lines draws series over the same labels, with a legend. percent puts %
// on the axis.
func lines(id, title string, labels []string, series []Series, percent bool) (string, error) {
	if len(labels) == 0 {
		return empty(id, title), nil
	}
	values, names := split(series)
	format := fnum
	if percent {
		format = func(v float64) string { return fnum(v) + "%" }
	}
	opt := charts.NewLineChartOptionWithData(values)
	opt.Theme = theme()
	opt.Padding = charts.Box{Top: 12, Right: 24, Bottom: 8, Left: 8}
	opt.XAxis = charts.XAxisOption{Labels: escAll(clipAll(labels, 16)), LabelFontStyle: textStyle(),
		LabelRotation: charts.DegreesToRadians(35)}
	opt.YAxis = []charts.YAxisOption{{Min: charts.Ptr(0.0), LabelFontStyle: textStyle(), ValueFormatter: format,
		PreferNiceIntervals: charts.Ptr(true)}}
	opt.Legend = charts.LegendOption{SeriesNames: names, FontStyle: textStyle(), Offset: charts.OffsetLeft}
	opt.Symbol = charts.SymbolCircle
	opt.LineStrokeWidth = 2
	svg, err := render(title, "", 300, func(p *charts.Painter) error { return p.LineChart(opt) })
	if err != nil {
		return "", err
	}
	return figure(id, title, svg), nil
}

// stacked draws vertical bars over labels, one stack per label, one colour
// per series, with a legend.
func stacked(id, title string, labels []string, series []Series) (string, error) {
	if len(labels) == 0 {
		return empty(id, title), nil
	}
	values, names := split(series)
	opt := charts.NewBarChartOptionWithData(values)
	opt.StackSeries = charts.Ptr(true)
	opt.Theme = theme()
	opt.Padding = charts.Box{Top: 12, Right: 24, Bottom: 8, Left: 8}
	opt.CategoryAxis = charts.CategoryAxisOption{Labels: escAll(clipAll(labels, 16)), LabelFontStyle: textStyle(),
		LabelRotation: charts.DegreesToRadians(35)}
	opt.ValueAxis = []charts.ValueAxisOption{{Min: charts.Ptr(0.0), LabelFontStyle: textStyle(), ValueFormatter: fnum,
		PreferNiceIntervals: charts.Ptr(true)}}
	opt.Legend = charts.LegendOption{SeriesNames: names, FontStyle: textStyle(), Offset: charts.OffsetLeft}
	svg, err := render(title, "", 300, func(p *charts.Painter) error { return p.BarChart(opt) })
	if err != nil {
		return "", err
	}
	return figure(id, title, svg), nil
}

// barValue is what a bar says after it: its value, and its note.
func barValue(b Bar) string {
	if b.Note == "" {
		return fnum(b.Value)
	}
	return fnum(b.Value) + " (" + b.Note + ")"
}

func clipAll(ss []string, n int) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = clip(s, n)
	}
	return out
}

func escAll(ss []string) []string {
	out := make([]string, len(ss))
	for i, s := range ss {
		out[i] = esc(s)
	}
	return out
}
