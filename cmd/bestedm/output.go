package main

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/rivo/uniseg"

	"github.com/bestedm/bestedm-go"
)

// The output contract (docs/cli.md#output), the same for every command:
//
//   - table: aligned columns for people, UPPER_CASE headers, times to the
//     minute in the server's zone, "-" for an unset time.
//   - json: one JSON document; a list is an array ([] when empty), a
//     single item an object. Keys are the CSV headers; enums are names
//     (the SDK's String); times are RFC 3339 with the server's offset, or
//     null when unset.
//   - jsonl: the same objects, one a line, for streams too large to hold.
//   - csv: lower_case headers (the JSON keys), one value a cell, times in
//     RFC 3339 at full precision ("" when unset), and cells that a
//     spreadsheet would run as a formula neutralised unless --raw-csv.

// formats are the values of --format.
var formats = []string{"table", "json", "jsonl", "csv"}

// tableFlushRows is how many table rows are aligned together: a stream of
// any length is printed in constant memory, aligned in blocks.
const tableFlushRows = 500

// printer writes records in one of the formats. Each record comes with the
// value JSON shows and the cells the table and CSV show.
type printer struct {
	format string
	w      io.Writer
	tw     *alignWriter
	cw     *csv.Writer
	enc    *json.Encoder
	buf    bytes.Buffer // one JSON value, before it is written
	rows   int
	raw    bool // CSV cells as they are (--raw-csv)
	ended  bool // the JSON array is closed
}

// newPrinter starts a printer of format on w with the columns' headers
// (upper case in a table, lower case in CSV); CSV cells are neutralised
// against formula injection.
func newPrinter(w io.Writer, format string, headers ...string) *printer {
	p := &printer{format: format, w: w}
	switch format {
	case "json", "jsonl":
		p.enc = json.NewEncoder(&p.buf)
		p.enc.SetEscapeHTML(false)
	case "csv":
		p.cw = csv.NewWriter(w)
		h := make([]string, len(headers))
		for i, s := range headers {
			h[i] = strings.ToLower(s)
		}
		_ = p.cw.Write(h)
	default:
		p.tw = &alignWriter{w: w}
		h := make([]string, len(headers))
		for i, s := range headers {
			h[i] = strings.ToUpper(s)
		}
		p.tw.add(h)
	}
	return p
}

// printer starts a printer on w in the format and CSV rule of the command line.
func (a *app) printer(w io.Writer, headers ...string) *printer {
	p := newPrinter(w, a.output, headers...)
	p.raw = a.rawCSV
	return p
}

// table starts a printer on the command's standard output.
func (a *app) table(headers ...string) *printer {
	return a.printer(a.stdout, headers...)
}

// printRow prints one record: v as JSON, or cells. A function with a type
// parameter rather than a method taking any: v is boxed only when JSON is
// written, where `any` would copy every record of a stream to the heap
// (a tenth of `track opens -O csv`'s CPU time for a million opens).
func printRow[T any](p *printer, v T, cells ...string) error {
	switch {
	case p.enc != nil:
		p.buf.Reset()
		if err := p.enc.Encode(v); err != nil {
			return err
		}
		return p.writeJSON()
	case p.cw != nil:
		if !p.raw {
			cells = neutralise(cells)
		}
		return p.cw.Write(cells)
	}
	p.tw.add(cells)
	p.rows++
	if p.rows%tableFlushRows == 0 {
		return p.tw.Flush()
	}
	return nil
}

// writeJSON writes the value in p.buf: a line of its own in jsonl, an
// element of the array in json.
func (p *printer) writeJSON() error {
	b := p.buf.Bytes()
	if p.format == "json" {
		b = bytes.TrimSuffix(b, []byte("\n"))
		sep := ",\n"
		if p.rows == 0 {
			sep = "[\n"
		}
		if _, err := io.WriteString(p.w, sep); err != nil {
			return err
		}
	}
	p.rows++
	_, err := p.w.Write(b)
	return err
}

// flush ends the output, reporting a write error (a closed pipe, a full disk).
func (p *printer) flush() error {
	switch {
	case p.cw != nil:
		p.cw.Flush()
		return p.cw.Error()
	case p.tw != nil:
		return p.tw.Flush()
	case p.format == "json" && !p.ended:
		p.ended = true
		end := "\n]\n"
		if p.rows == 0 {
			end = "[]\n"
		}
		_, err := io.WriteString(p.w, end)
		return err
	}
	return nil
}

// field is one value of a record or a row, under its key (the JSON key
// and CSV header; upper-cased as a table header). Values are strings,
// integers, floats, time.Time (RFC 3339 or null), date (a day), []int64 or
// []string.
type field struct {
	key string
	val any
}

// date is a day without a time: "2006-01-02" in every format, null in JSON
// when unset.
type date time.Time

// keys returns the fields' keys, for the printer's headers.
func keys(fs []field) []string {
	k := make([]string, len(fs))
	for i, f := range fs {
		k[i] = f.key
	}
	return k
}

// printFields prints one row given as fields, in the order of the
// printer's headers.
func printFields(p *printer, fs []field) error {
	if p.enc != nil {
		p.buf.Reset()
		if err := writeObject(&p.buf, fs); err != nil {
			return err
		}
		p.buf.WriteByte('\n')
		return p.writeJSON()
	}
	cells := make([]string, len(fs))
	for i, f := range fs {
		cells[i] = cellOf(f.val, p.cw != nil)
	}
	return printRow(p, struct{}{}, cells...)
}

// record prints one object: FIELD: VALUE lines in a table, a CSV header
// and one row, or a JSON object (a line of its own in jsonl).
func (a *app) record(fs []field) error {
	switch a.output {
	case "json", "jsonl":
		var b bytes.Buffer
		if err := writeObject(&b, fs); err != nil {
			return err
		}
		b.WriteByte('\n')
		_, err := a.stdout.Write(b.Bytes())
		return err
	case "csv":
		p := a.table(keys(fs)...)
		if err := printFields(p, fs); err != nil {
			return err
		}
		return p.flush()
	}
	tw := &alignWriter{w: a.stdout}
	for _, f := range fs {
		tw.add([]string{f.key + ":", cellOf(f.val, false)})
	}
	return tw.Flush()
}

// writeObject writes fs as one JSON object, keys in order.
func writeObject(b *bytes.Buffer, fs []field) error {
	b.WriteByte('{')
	for i, f := range fs {
		if i > 0 {
			b.WriteByte(',')
		}
		k, _ := json.Marshal(f.key)
		b.Write(k)
		b.WriteByte(':')
		if err := writeJSONValue(b, f.val); err != nil {
			return fmt.Errorf("%s: %w", f.key, err)
		}
	}
	b.WriteByte('}')
	return nil
}

func writeJSONValue(b *bytes.Buffer, v any) error {
	switch x := v.(type) {
	case time.Time:
		v = jtime(x)
	case date:
		if time.Time(x).IsZero() {
			b.WriteString("null")
			return nil
		}
		v = time.Time(x).Format("2006-01-02")
	case []int64:
		if x == nil {
			v = []int64{}
		}
	case []string:
		if x == nil {
			v = []string{}
		}
	}
	enc := json.NewEncoder(b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return err
	}
	b.Truncate(b.Len() - 1) // Encode's newline
	return nil
}

// cellOf is a value as a table cell, or a CSV cell when csv is set: the
// two differ only in times (to the minute and "-", or RFC 3339 and "").
func cellOf(v any, csv bool) string {
	switch x := v.(type) {
	case string:
		return x
	case int64:
		return itoa(x)
	case int:
		return strconv.Itoa(x)
	case float64:
		return ftoa(x)
	case bool:
		return strconv.FormatBool(x)
	case time.Time:
		if csv {
			return tcsv(x)
		}
		return tstr(x)
	case date:
		if time.Time(x).IsZero() {
			return ""
		}
		return time.Time(x).Format("2006-01-02")
	case []int64:
		return ids(x)
	case []string:
		return strings.Join(x, " | ")
	case fmt.Stringer:
		return x.String()
	case nil:
		return ""
	}
	return fmt.Sprint(v)
}

// jtime is a time in JSON: RFC 3339 with its offset (the server's zone, as
// the SDK reads it), or null when unset.
type jtime time.Time

// MarshalJSON writes the time, or null for the zero time.
func (t jtime) MarshalJSON() ([]byte, error) {
	if time.Time(t).IsZero() {
		return []byte("null"), nil
	}
	return []byte(`"` + time.Time(t).Format(time.RFC3339Nano) + `"`), nil
}

// tcell is a time as a cell of the printer: to the minute in a table, at
// full precision in CSV.
func (p *printer) tcell(t time.Time) string {
	if p.cw != nil {
		return tcsv(t)
	}
	return tstr(t)
}

// tcsv is a time in CSV: RFC 3339 with its offset, "" when unset. Whole
// seconds of years 0-9999 (every time the server sends) are written by
// hand, as tstr is: time.Format is a tenth of a streamed export's cost.
func tcsv(t time.Time) string {
	if t.IsZero() {
		return ""
	}
	y, mo, d := t.Date()
	if y < 0 || y > 9999 || t.Nanosecond() != 0 {
		return t.Format(time.RFC3339Nano)
	}
	h, mi, sec := t.Clock()
	_, off := t.Zone()
	b := make([]byte, 0, 25)
	b = append(b,
		byte('0'+y/1000), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+mo/10), byte('0'+mo%10), '-', byte('0'+d/10), byte('0'+d%10), 'T',
		byte('0'+h/10), byte('0'+h%10), ':', byte('0'+mi/10), byte('0'+mi%10), ':',
		byte('0'+sec/10), byte('0'+sec%10))
	if off == 0 {
		return string(append(b, 'Z'))
	}
	sign := byte('+')
	if off < 0 {
		sign, off = '-', -off
	}
	oh, om := off/3600, off/60%60
	if oh > 99 || off%60 != 0 {
		return t.Format(time.RFC3339Nano)
	}
	return string(append(b, sign, byte('0'+oh/10), byte('0'+oh%10), ':', byte('0'+om/10), byte('0'+om%10)))
}

// neutralise returns cells with those a spreadsheet would run as a formula
// (beginning with = + - @ tab or CR, OWASP's "CSV injection") prefixed with
// a single quote, so they show as text. A number such as -5 is left alone:
// a spreadsheet reads it as the number it is. The slice is copied only
// when a cell changes.
func neutralise(cells []string) []string {
	out := cells
	for i, c := range cells {
		if !formulaLike(c) {
			continue
		}
		if &out[0] == &cells[0] {
			out = append([]string(nil), cells...)
		}
		out[i] = "'" + c
	}
	return out
}

func formulaLike(c string) bool {
	if c == "" {
		return false
	}
	switch c[0] {
	case '=', '+', '@', '\t', '\r':
		return true
	case '-':
		return c != "-" && !isNumber(c[1:])
	}
	return false
}

// isNumber reports whether s is digits with at most one decimal point,
// without allocating (a stream's every cell is checked).
func isNumber(s string) bool {
	dot := false
	for i := 0; i < len(s); i++ {
		switch {
		case s[i] >= '0' && s[i] <= '9':
		case s[i] == '.' && !dot && i > 0 && i < len(s)-1:
			dot = true
		default:
			return false
		}
	}
	return s != ""
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

// Flush prints the rows held, aligned, and forgets them. A cell's width
// (grapheme clusters, wide characters) is measured once.
func (t *alignWriter) Flush() error {
	widths := t.widths
	cells := make([][]int, len(t.rows))
	for ri, r := range t.rows {
		cells[ri] = make([]int, len(r))
		for i, c := range r {
			if i == len(widths) {
				widths = append(widths, 0)
			}
			cells[ri][i] = uniseg.StringWidth(c)
			widths[i] = max(widths[i], cells[ri][i])
		}
	}
	var b strings.Builder
	for ri, r := range t.rows {
		b.Reset()
		for i, c := range r {
			b.WriteString(c)
			if i < len(r)-1 {
				for range widths[i] - cells[ri][i] + 2 {
					b.WriteByte(' ')
				}
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

// result prints the reply of a write. A write that made something (a
// create) prints its id alone in a table, so `id=$(bestedm lists create X)`
// works; others print the server's message. JSON and CSV hold both.
func (a *app) result(res *bestedm.Result) error {
	if a.output == "table" {
		if res.ID != 0 {
			_, err := fmt.Fprintln(a.stdout, res.ID)
			return err
		}
		_, err := fmt.Fprintln(a.stdout, res.Message)
		return err
	}
	fs := []field{{"message", res.Message}}
	if res.ID != 0 {
		fs = append([]field{{"id", res.ID}}, fs...)
	}
	return a.record(fs)
}

// toFile runs write on standard output ("" or "-"), or on the named file
// through writeFileAtomic: a failure leaves an existing file as it was, a
// symbolic link is refused, a FIFO is written to and never removed.
func (a *app) toFile(name string, write func(io.Writer) error) error {
	if name == "" || name == "-" {
		return write(a.stdout)
	}
	return writeFileAtomic(name, write)
}
