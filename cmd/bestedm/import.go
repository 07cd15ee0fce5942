package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"hash/fnv"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"github.com/bestedm/bestedm-go"
)

// The bounds of what the import reads (docs/cli-import.md#limits): memory
// stays within them whatever the input, /dev/zero included.
const (
	// maxHeaderBytes bounds the header line; maxColumns its columns and
	// the fields of a row.
	maxHeaderBytes = 64 << 10
	maxColumns     = 256
	// maxLineBytes bounds a line: a longer one is rejected and skipped
	// without being held. It is also the read buffer's size.
	maxLineBytes = 1 << 20
	// maxRecordLines bounds the lines a quoted field may span before the
	// quote is taken as unterminated and reading resumes at the next line.
	maxRecordLines = 32
	// maxRejectText is how much of a rejected line's raw text is kept.
	maxRejectText = 1024
)

// record is one row of the input, valid until the next call of next.
type record struct {
	line   int    // its first line
	last   int    // its last line
	end    int64  // the offset after its last line
	raw    []byte // its text as read, for the rejects file
	text   string // its decoded fields, a delimiter between each two
	ends   []int  // where each field ends in text
	reason string // why it cannot be read ("" when it can)
}

// field returns the i-th field. In text, the fields are separated by
// one byte (their delimiter), so a row without quotes is its own text.
func (r *record) field(i int) string {
	start := 0
	if i > 0 {
		start = r.ends[i-1] + 1
	}
	return r.text[start:r.ends[i]]
}

// fields returns every field.
func (r *record) fields() []string {
	f := make([]string, len(r.ends))
	for i := range f {
		f[i] = r.field(i)
	}
	return f
}

// physLine is a line of the input, without its line end.
type physLine struct {
	text    []byte
	line    int
	end     int64
	tooLong bool // longer than maxLineBytes: text holds its start only
}

// recordReader splits the input into records: CSV (RFC 4180 quoting, a
// quoted field may span lines) or TSV (a field is quoted only when it
// starts and ends with a quote). Unlike encoding/csv, a broken record
// costs only its first line: the reader rejects that line, with its raw
// text, and resumes at the next. Every line is bounded by
// maxLineBytes and decoded on its own, as UTF-8 or GBK; a line that does
// not decode is rejected, never passed on as mojibake or raw bytes.
type recordReader struct {
	br    *bufio.Reader
	csv   bool
	comma byte
	gbk   bool
	dec   transform.Transformer
	line  int        // the last line read
	off   int64      // the offset after it
	hash  hash.Hash  // when set, of every byte before off
	ahead []physLine // lines read ahead for a quoted field, to read again

	rec   record
	acc   []byte // the decoded text of the record's lines
	out   []byte // its fields, unquoted
	dbuf  []byte // GBK decoding buffer
	raw   []byte
	lines []physLine
}

// newRecordReader reads r from line+1 at offset off.
func newRecordReader(br *bufio.Reader, comma byte, gbk bool, line int, off int64) *recordReader {
	rr := &recordReader{br: br, csv: comma != '\t', comma: comma, gbk: gbk, line: line, off: off}
	if gbk {
		rr.dec = simplifiedchinese.GBK.NewDecoder()
	}
	return rr
}

// readLine returns the next line, from those read ahead first. A line
// longer than maxLineBytes is skipped to its end, its start kept.
func (r *recordReader) readLine() (physLine, error) {
	if len(r.ahead) > 0 {
		l := r.ahead[0]
		r.ahead = r.ahead[1:]
		return l, nil
	}
	b, err := r.br.ReadSlice('\n')
	if len(b) == 0 && err != nil {
		return physLine{}, err
	}
	r.line++
	r.consumed(b)
	l := physLine{line: r.line}
	if errors.Is(err, bufio.ErrBufferFull) {
		l.tooLong = true
		l.text = append([]byte(nil), b[:maxRejectText]...)
		for errors.Is(err, bufio.ErrBufferFull) {
			b, err = r.br.ReadSlice('\n')
			r.consumed(b)
		}
		if err != nil && !errors.Is(err, io.EOF) {
			return physLine{}, err
		}
		l.end = r.off
		return l, nil
	}
	if err != nil && !errors.Is(err, io.EOF) {
		return physLine{}, err
	}
	l.end = r.off
	b = bytes.TrimSuffix(b, []byte{'\n'})
	l.text = bytes.TrimSuffix(b, []byte{'\r'})
	return l, nil
}

// consumed counts b, read from the input, and hashes it.
func (r *recordReader) consumed(b []byte) {
	r.off += int64(len(b))
	if r.hash != nil {
		r.hash.Write(b)
	}
}

// sum is the SHA-256 of the input before off.
func (r *recordReader) sum() string { return hex.EncodeToString(r.hash.Sum(nil)) }

// decode returns the line as UTF-8, or false when it is not in the
// encoding. The result is valid until the next call.
func (r *recordReader) decode(b []byte) ([]byte, bool) {
	if isASCII(b) {
		return b, true
	}
	if !r.gbk {
		return b, utf8.Valid(b)
	}
	if utf8.Valid(b) {
		// Chinese in UTF-8 decodes as GBK too, to mojibake (张三 as
		// 寮犱笁): a GBK file holds such a line only by a rare chance,
		// a file of mixed encodings often.
		return b, false
	}
	if n := 3*len(b) + 8; cap(r.dbuf) < n {
		r.dbuf = make([]byte, n)
	}
	r.dec.Reset()
	nDst, _, err := r.dec.Transform(r.dbuf[:cap(r.dbuf)], b, true)
	out := r.dbuf[:nDst]
	// The GBK decoder writes U+FFFD for a byte sequence it cannot read.
	return out, err == nil && !bytes.Contains(out, []byte("\uFFFD"))
}

// isASCII reports whether b is all ASCII, eight bytes at a time: it runs
// on every line, twice.
func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// next returns the next record; io.EOF at the end. Empty lines are
// skipped, as encoding/csv does.
func (r *recordReader) next() (*record, error) {
	first, err := r.readLine()
	for err == nil && len(first.text) == 0 && !first.tooLong {
		first, err = r.readLine()
	}
	if err != nil {
		return nil, err
	}
	rec := &r.rec
	*rec = record{line: first.line, last: first.line, end: first.end, raw: first.text, ends: rec.ends[:0]}
	if first.tooLong {
		rec.reason = fmt.Sprintf("line is longer than %d bytes (kept: its first %d)", maxLineBytes, maxRejectText)
		return rec, nil
	}
	text, ok := r.decode(first.text)
	if !ok {
		rec.reason = r.undecodable()
		return rec, nil
	}
	r.acc = append(r.acc[:0], text...)
	st := r.split()
	if st == splitOpenQuote {
		return r.continueQuoted(rec, first)
	}
	return r.finish(rec, st)
}

// continueQuoted reads the lines of a quoted field that spans lines. If
// the quote is not closed within maxRecordLines lines, maxLineBytes bytes
// or before the end, only the first line is rejected: the lines read
// after it are read again as rows of their own.
func (r *recordReader) continueQuoted(rec *record, first physLine) (*record, error) {
	r.lines = append(r.lines[:0], physLine{text: append([]byte(nil), first.text...), line: first.line, end: first.end})
	for {
		l, err := r.readLine()
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, err
		}
		if err != nil || l.tooLong || len(r.lines) == maxRecordLines || len(r.acc)+len(l.text) > maxLineBytes {
			if err == nil {
				r.lines = append(r.lines, l)
			}
			return r.unterminated(rec)
		}
		l.text = append([]byte(nil), l.text...)
		r.lines = append(r.lines, l)
		text, ok := r.decode(l.text)
		if !ok {
			return r.unterminated(rec)
		}
		r.acc = append(append(r.acc, '\n'), text...)
		if st := r.split(); st != splitOpenQuote {
			r.raw = r.raw[:0]
			for i, pl := range r.lines {
				if i > 0 {
					r.raw = append(r.raw, '\n')
				}
				r.raw = append(r.raw, pl.text...)
			}
			rec.raw, rec.end, rec.last = r.raw, l.end, l.line
			return r.finish(rec, st)
		}
	}
}

// unterminated rejects the record's first line and puts the others back.
func (r *recordReader) unterminated(rec *record) (*record, error) {
	r.ahead = append(slices.Clone(r.lines[1:]), r.ahead...)
	rec.raw, rec.end = r.lines[0].text, r.lines[0].end
	rec.reason = "broken row: a quoted field is not closed (its quote opens on this line); the next line is read as a row of its own"
	return rec, nil
}

func (r *recordReader) undecodable() string {
	if r.gbk {
		return "is not GBK (it is not valid GBK, or it reads as UTF-8; give --encoding utf-8 if the file is UTF-8)"
	}
	return "is not valid UTF-8 (give --encoding gbk if the file is GBK)"
}

func (r *recordReader) finish(rec *record, st splitStatus) (*record, error) {
	switch st {
	case splitJunkAfterQuote:
		rec.reason = "broken row: text after a closing quote"
	case splitBareQuote:
		rec.reason = `broken row: a quote inside an unquoted field (write it as "")`
	case splitTooMany:
		rec.reason = fmt.Sprintf("has more than %d fields", maxColumns)
	default:
		rec.text = string(r.out)
	}
	return rec, nil
}

type splitStatus int

const (
	splitOK splitStatus = iota
	splitOpenQuote
	splitJunkAfterQuote
	splitBareQuote
	splitTooMany
)

// split parses r.acc into r.out and r.rec.ends.
func (r *recordReader) split() splitStatus {
	r.out, r.rec.ends = r.out[:0], r.rec.ends[:0]
	s := r.acc
	if bytes.IndexByte(s, '"') < 0 { // the usual row: no quoting to read
		return r.splitPlain(s)
	}
	for {
		if len(r.rec.ends) == maxColumns {
			return splitTooMany
		}
		j := bytes.IndexByte(s, r.comma)
		f := s
		if j >= 0 {
			f = s[:j]
		}
		switch {
		case !r.csv:
			if len(f) >= 2 && f[0] == '"' && f[len(f)-1] == '"' {
				f = bytes.ReplaceAll(f[1:len(f)-1], []byte(`""`), []byte(`"`))
			}
		case len(s) > 0 && s[0] == '"':
			var st splitStatus
			if s, st = r.quoted(s[1:]); st != splitOK {
				return st
			}
			r.rec.ends = append(r.rec.ends, len(r.out))
			if len(s) == 0 {
				return splitOK
			}
			r.out = append(r.out, r.comma)
			s = s[1:] // the comma
			continue
		case bytes.IndexByte(f, '"') >= 0:
			return splitBareQuote
		}
		r.out = append(r.out, f...)
		r.rec.ends = append(r.rec.ends, len(r.out))
		if j < 0 {
			return splitOK
		}
		r.out = append(r.out, r.comma)
		s = s[j+1:]
	}
}

// splitPlain splits a row without quotes at its delimiters.
func (r *recordReader) splitPlain(s []byte) splitStatus {
	r.out = append(r.out, s...)
	for i := 0; ; {
		if len(r.rec.ends) == maxColumns {
			return splitTooMany
		}
		j := bytes.IndexByte(s[i:], r.comma)
		if j < 0 {
			r.rec.ends = append(r.rec.ends, len(s))
			return splitOK
		}
		// A field ends at its delimiter: in out, the delimiters stay
		// between the fields, and each field starts after one.
		r.rec.ends = append(r.rec.ends, i+j)
		i += j + 1
	}
}

// quoted reads a quoted field's text after its opening quote, and returns
// what follows its closing quote (empty, or starting with the comma).
func (r *recordReader) quoted(s []byte) ([]byte, splitStatus) {
	for {
		j := bytes.IndexByte(s, '"')
		if j < 0 {
			return nil, splitOpenQuote
		}
		r.out = append(r.out, s[:j]...)
		s = s[j+1:]
		if len(s) > 0 && s[0] == '"' {
			r.out = append(r.out, '"')
			s = s[1:]
			continue
		}
		if len(s) > 0 && s[0] != r.comma {
			return nil, splitJunkAfterQuote
		}
		return s, splitOK
	}
}

// readHeader reads the header row, bounded by maxHeaderBytes and
// maxColumns; a NUL byte says the input is not text.
func (r *recordReader) readHeader() ([]string, error) {
	if err := r.checkHeaderLine(); err != nil {
		return nil, err
	}
	rec, err := r.next()
	if errors.Is(err, io.EOF) {
		return nil, errors.New("is empty: it needs a header row naming the columns")
	}
	if err != nil {
		return nil, err
	}
	switch {
	case rec.line != 1:
		return nil, fmt.Errorf("line %d: the header row comes after empty lines", rec.line)
	case bytes.IndexByte(rec.raw, 0) >= 0:
		return nil, errors.New("line 1 (the header) holds NUL bytes: this is not a text file")
	case len(rec.raw) > maxHeaderBytes || rec.end > maxHeaderBytes+2:
		return nil, fmt.Errorf("line 1 (the header) is longer than %d bytes", maxHeaderBytes)
	case strings.HasPrefix(rec.reason, "has more than"):
		return nil, fmt.Errorf("line 1 (the header) has more than %d columns", maxColumns)
	case rec.reason != "":
		return nil, fmt.Errorf("line 1 (the header) %s", strings.TrimPrefix(rec.reason, "broken row: "))
	}
	return rec.fields(), nil
}

// checkHeaderLine refuses a header line that is too long or holds NUL
// bytes as soon as the bytes read show it, before the line is read whole:
// /dev/zero's line never ends.
func (r *recordReader) checkHeaderLine() error {
	for {
		b, _ := r.br.Peek(r.br.Buffered())
		i := bytes.IndexByte(b, '\n')
		if i >= 0 {
			b = b[:i]
		}
		switch {
		case bytes.IndexByte(b, 0) >= 0:
			return errors.New("line 1 (the header) holds NUL bytes: this is not a text file")
		case len(b) > maxHeaderBytes:
			return fmt.Errorf("line 1 (the header) is longer than %d bytes", maxHeaderBytes)
		case i >= 0:
			return nil
		}
		if _, err := r.br.Peek(len(b) + 1); err != nil {
			return nil // the end, or a failure that next reports
		}
	}
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// sniffComma returns the delimiter of format, or for "auto" the one the
// header line holds more of: tab or comma.
func sniffComma(br *bufio.Reader, format string) byte {
	switch format {
	case "tsv":
		return '\t'
	case "csv":
		return ','
	}
	_, _ = br.Peek(1) // what the first read gives: a stream may pause after it
	line, _ := br.Peek(min(4096, br.Buffered()))
	if i := bytes.IndexByte(line, '\n'); i >= 0 {
		line = line[:i]
	}
	if bytes.Count(line, []byte{'\t'}) > bytes.Count(line, []byte{','}) {
		return '\t'
	}
	return ','
}

// encodingEvidence is what the lines of an input decode as: the first
// non-ASCII line that is valid UTF-8, the first that reads only as GBK.
type encodingEvidence struct {
	bom                 bool
	firstUTF8, firstGBK int // 0: none
}

// add classifies one line (number n).
func (e *encodingEvidence) add(b []byte, n int) {
	switch {
	case isASCII(b):
	case utf8.Valid(b):
		if e.firstUTF8 == 0 {
			e.firstUTF8 = n
		}
	case e.firstGBK == 0 && validGBK(b):
		e.firstGBK = n
	}
}

// validGBK reports whether b decodes as GBK without a replacement.
func validGBK(b []byte) bool {
	out, err := simplifiedchinese.GBK.NewDecoder().Bytes(b)
	return err == nil && !bytes.Contains(out, []byte("\uFFFD"))
}

// decide picks the encoding from the evidence of every line: UTF-8 unless some line reads only as GBK; GBK when no line
// reads as UTF-8 (beyond ASCII); both kinds of line is ambiguous, and the
// user says which with --encoding. Lines that fit neither are rejected
// whichever is chosen.
func (e *encodingEvidence) decide(name string) (gbk bool, err error) {
	switch {
	case e.bom || e.firstGBK == 0:
		return false, nil
	case e.firstUTF8 == 0:
		return true, nil
	}
	return false, fmt.Errorf("%s: the encoding is ambiguous: line %d reads as UTF-8, line %d only as GBK; give --encoding utf-8 or --encoding gbk (the lines that do not decode are rejected)",
		name, e.firstUTF8, e.firstGBK)
}

// batchCountsRe finds the three counts of ml-addr-add's message as the fake
// words it, "添加 N 个地址，过滤无效地址 M 个，重复地址 K 个": added, invalid,
// duplicate. The real wording is unknown (docs/wire-format.md#ml-addr-add-counts).
var batchCountsRe = regexp.MustCompile(`(\d+)\D+?(\d+)\D+?(\d+)`)

// batchCounts reads what the server did with a batch from its message; when
// the message does not say, every address counts as added.
func batchCounts(b bestedm.AddressBatch) (added, dup, invalid int64, ok bool) {
	if b.Result != nil {
		if m := batchCountsRe.FindStringSubmatch(b.Result.Message); m != nil {
			added, _ = strconv.ParseInt(m[1], 10, 64)
			invalid, _ = strconv.ParseInt(m[2], 10, 64)
			dup, _ = strconv.ParseInt(m[3], 10, 64)
			return added, dup, invalid, true
		}
	}
	return int64(b.Count), 0, 0, false
}

// columnAliases are the header spellings recognised for each field
// (lower-case, spaces trimmed), index into addressColumns.
var columnAliases = map[string]int{
	"email": 0, "e-mail": 0, "mail": 0, "address": 0, "email address": 0, "e-mail address": 0, "邮箱": 0, "邮件地址": 0, "电子邮件": 0,
	"name": 1, "fullname": 1, "full name": 1, "姓名": 1, "名字": 1,
	"sex": 2, "gender": 2, "性别": 2,
	"birthday": 3, "brithday": 3, "birth date": 3, "生日": 3,
	"phone": 4, "mobile": 4, "tel": 4, "telephone": 4, "电话": 4, "手机": 4,
	"area": 5, "region": 5, "city": 5, "地区": 5,
}

func init() {
	for i := 6; i < len(addressColumns); i++ {
		columnAliases[addressColumns[i]] = i
	}
}

// mapColumns returns, for each field of addressColumns, the index of its
// column in header (-1 if none), and the header's columns left unused.
func mapColumns(header []string, mapping string) ([]int, []string, error) {
	cols := make([]int, len(addressColumns))
	for i := range cols {
		cols[i] = -1
	}
	used := make([]bool, len(header))
	if mapping != "" {
		for _, pair := range strings.Split(mapping, ",") {
			field, col, ok := strings.Cut(pair, "=")
			fi := slices.Index(addressColumns, strings.ToLower(strings.TrimSpace(field)))
			if !ok || fi < 0 {
				return nil, nil, usagef("--map: %q is not field=Header with a field among %s", pair, strings.Join(addressColumns, ", "))
			}
			hi := slices.IndexFunc(header, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), strings.TrimSpace(col)) })
			if hi < 0 {
				return nil, nil, usagef("--map: the header has no column %q", col)
			}
			cols[fi], used[hi] = hi, true
		}
	}
	for hi, h := range header {
		if used[hi] {
			continue
		}
		if fi, ok := columnAliases[strings.ToLower(strings.TrimSpace(h))]; ok && cols[fi] < 0 {
			cols[fi], used[hi] = hi, true
		}
	}
	if cols[0] < 0 {
		// The header is not quoted: on a pipe, it may be a password
		// that was meant for --password-stdin.
		return nil, nil, usagef("no email column among the %d of the header (line 1): name it email or use --map email=COLUMN", len(header))
	}
	var ignored []string
	for hi, h := range header {
		if !used[hi] {
			ignored = append(ignored, h)
		}
	}
	return cols, ignored, nil
}

// rowAddress builds the address of a row, or says why the row is rejected:
// a wrong number of fields, no email, an unknown sex or birthday. The rest
// (the email's shape, separators in a field) is Address.Validate's, which
// AddAddresses applies and reports to OnInvalid.
func rowAddress(rec *record, cols []int, width int) (bestedm.Address, string) {
	var ad bestedm.Address
	if len(rec.ends) != width {
		return ad, fmt.Sprintf("has %d fields, the header has %d", len(rec.ends), width)
	}
	for fi, ci := range cols {
		if ci < 0 {
			continue
		}
		v := trimSpace(rec.field(ci))
		switch fi {
		case 2:
			s, err := parseSex(v)
			if err != nil {
				return ad, err.Error()
			}
			ad.Sex = s
		case 3:
			if v == "" {
				continue
			}
			t, err := parseBirthday(v)
			if err != nil {
				return ad, fmt.Sprintf("birthday %q is not a date (YYYY-MM-DD)", v)
			}
			ad.Birthday = t
		default:
			setAddressField(&ad, fi, v)
		}
	}
	if ad.Email == "" {
		return ad, "no email address"
	}
	return ad, ""
}

// invalidReason is why Address.Validate refused a row, with the field
// named as the import's column (the API calls email address, and name
// fullname).
func invalidReason(err error) string {
	var ve *bestedm.ValidationError
	switch {
	case !errors.As(err, &ve):
		return err.Error()
	case ve.Field == "address":
		return ve.Reason
	case ve.Field == "fullname":
		return "name " + ve.Reason
	}
	return ve.Field + " " + ve.Reason
}

// trimSpace is strings.TrimSpace with a shortcut for the usual cell, one
// whose first and last characters are not spaces, ASCII or Chinese: only
// those two are looked at, where strings.TrimSpace, once it meets a
// non-ASCII byte, walks the cell rune by rune (a name in Chinese is most
// of the calls that reached it, a cost that shows on a million rows).
func trimSpace(s string) string {
	if s == "" {
		return s
	}
	if !edgeSpace(s[0], func() rune { r, _ := utf8.DecodeRuneInString(s); return r }) &&
		!edgeSpace(s[len(s)-1], func() rune { r, _ := utf8.DecodeLastRuneInString(s); return r }) {
		return s
	}
	return strings.TrimSpace(s)
}

// edgeSpace says whether the character at an end of a field, whose byte
// there is b (rune decodes the whole character), may be one that
// strings.TrimSpace removes. Chinese at either end is the common case of
// a name: decoding one character is cheaper than TrimSpace's walk.
func edgeSpace(b byte, rune func() rune) bool {
	if b < utf8.RuneSelf {
		return b <= ' '
	}
	r := rune()
	return r == utf8.RuneError || unicode.IsSpace(r)
}

func parseBirthday(s string) (time.Time, error) {
	var err error
	for _, layout := range []string{"2006-01-02", "2006-1-2", "2006/01/02", "2006/1/2"} {
		var t time.Time
		if t, err = time.Parse(layout, s); err == nil {
			return t, nil
		}
	}
	return time.Time{}, err
}

// hashSet is a sorted set of 64-bit hashes of lower-cased addresses: 8 bytes
// an address, so a list of a million costs 8 MB rather than the ~60 MB of
// a set of strings. Two addresses share a hash with a probability of about
// n²/2⁶⁵ (3·10⁻⁸ for a million), the only way an address could be skipped
// wrongly.
type hashSet []uint64

func hashEmail(s string) uint64 {
	h := fnv.New64a()
	_, _ = h.Write([]byte(strings.ToLower(s)))
	return h.Sum64()
}

func (s hashSet) has(email string) bool {
	if len(s) == 0 {
		return false
	}
	_, ok := slices.BinarySearch(s, hashEmail(email))
	return ok
}

// listHashes reads the addresses of the list, page after page.
func listHashes(ctx context.Context, c *bestedm.Client, listID int64) (hashSet, error) {
	var s hashSet
	for ad, err := range c.Maillist.ListAddresses(ctx, &bestedm.AddressListOptions{ListID: &listID, Limit: exportPageSize}) {
		if err != nil {
			return nil, err
		}
		s = append(s, hashEmail(ad.Email))
	}
	slices.Sort(s)
	return s, nil
}
