package main

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

// tableFlushRows is how many table rows are aligned together: a stream of
// any length is printed in constant memory, aligned in blocks.
const tableFlushRows = 500

// printer writes records as an aligned table, JSON (one object a line) or
// CSV. Each record comes with the value JSON shows and the cells the table
// and CSV show.
type printer struct {
	format string
	tw     *alignWriter
	cw     *csv.Writer
	enc    *json.Encoder
	rows   int
}

func newPrinter(w io.Writer, format string, headers ...string) *printer {
	p := &printer{format: format}
	switch format {
	case "json":
		p.enc = json.NewEncoder(w)
		p.enc.SetEscapeHTML(false)
	case "csv":
		p.cw = csv.NewWriter(w)
		_ = p.cw.Write(headers)
	default:
		p.tw = &alignWriter{w: w}
		p.tw.add(headers)
	}
	return p
}

// table starts a printer on the command's standard output.
func (a *app) table(headers ...string) *printer {
	return newPrinter(a.stdout, a.output, headers...)
}

// printRow prints one record: v as JSON, or cells. A function with a type
// parameter rather than a method taking any: v is boxed only when JSON is
// written, where `any` would copy every record of a stream to the heap
// (a tenth of `track opens -O csv`'s CPU time for a million opens).
func printRow[T any](p *printer, v T, cells ...string) error {
	switch {
	case p.enc != nil:
		return p.enc.Encode(v)
	case p.cw != nil:
		return p.cw.Write(cells)
	}
	p.tw.add(cells)
	p.rows++
	if p.rows%tableFlushRows == 0 {
		return p.tw.Flush()
	}
	return nil
}

// flush ends the output, reporting a write error (a closed pipe, a full disk).
func (p *printer) flush() error {
	switch {
	case p.cw != nil:
		p.cw.Flush()
		return p.cw.Error()
	case p.tw != nil:
		return p.tw.Flush()
	}
	return nil
}

// record prints one object: as FIELD/VALUE lines in a table, one CSV row
// under a header of the field names, or v as JSON.
func (a *app) record(v any, fields [][2]string) error {
	switch a.output {
	case "json":
		enc := json.NewEncoder(a.stdout)
		enc.SetEscapeHTML(false)
		return enc.Encode(v)
	case "csv":
		cw := csv.NewWriter(a.stdout)
		h, r := make([]string, len(fields)), make([]string, len(fields))
		for i, f := range fields {
			h[i], r[i] = f[0], f[1]
		}
		_ = cw.Write(h)
		_ = cw.Write(r)
		cw.Flush()
		return cw.Error()
	}
	tw := &alignWriter{w: a.stdout}
	for _, f := range fields {
		tw.add([]string{f[0] + ":", f[1]})
	}
	return tw.Flush()
}

// quoteSample quotes bad input for an error message: escaped (a control
// character or a stray byte shows as \x07, never as itself) and cut to a
// short sample, so a binary file's bytes are not echoed to the terminal.
func quoteSample(s string) string {
	const max = 32
	if len(s) <= max {
		return strconv.Quote(s)
	}
	cut := max
	for cut > max-utf8.UTFMax && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return strconv.Quote(s[:cut]) + fmt.Sprintf("… (%d bytes)", len(s))
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func ftoa(f float64) string { return strconv.FormatFloat(f, 'f', -1, 64) }

// tstr shows a server time to the minute, "-" when unset. It is written by
// hand: time.Format's general layout engine is a tenth of a streamed export's
// cost.
func tstr(t time.Time) string {
	if t.IsZero() {
		return "-"
	}
	y, mo, d := t.Date()
	h, mi, _ := t.Clock()
	if y < 0 || y > 9999 {
		return t.Format("2006-01-02 15:04")
	}
	b := [16]byte{
		byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + mo/10), byte('0' + mo%10), '-', byte('0' + d/10), byte('0' + d%10), ' ',
		byte('0' + h/10), byte('0' + h%10), ':', byte('0' + mi/10), byte('0' + mi%10),
	}
	return string(b[:])
}

// ids joins ids with commas.
func ids(v []int64) string {
	s := make([]string, len(v))
	for i, id := range v {
		s[i] = itoa(id)
	}
	return strings.Join(s, ",")
}

// alignWriter aligns columns by their width on screen, so Chinese text
// (two columns a character) lines up; tabwriter counts characters.
type alignWriter struct {
	w      io.Writer
	rows   [][]string
	widths []int // kept across flushes: a stream's later blocks line up under the header
}

var cellCleaner = strings.NewReplacer("\t", " ", "\n", " ", "\r", " ")

func (t *alignWriter) add(cells []string) {
	row := make([]string, len(cells))
	for i, c := range cells {
		// A tab or line break in a value would break the layout.
		row[i] = cellCleaner.Replace(c)
	}
	t.rows = append(t.rows, row)
}

// Flush prints the rows held, aligned, and forgets them.
func (t *alignWriter) Flush() error {
	widths := t.widths
	for _, r := range t.rows {
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			widths[i] = max(widths[i], uniseg.StringWidth(c))
		}
	}
	var b strings.Builder
	for _, r := range t.rows {
		b.Reset()
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				b.WriteString(strings.Repeat(" ", widths[i]-uniseg.StringWidth(c)+2))
			}
		}
		b.WriteByte('\n')
		if _, err := io.WriteString(t.w, b.String()); err != nil {
			return err
		}
	}
	t.rows, t.widths = t.rows[:0], widths
	return nil
}
