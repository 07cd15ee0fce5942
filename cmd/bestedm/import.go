package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/transform"

	"github.com/bestedm/bestedm-go"
)

// importConfig is what `addresses import` was asked to do.
type importConfig struct {
	listID       int64
	file         string
	format       string // auto, csv, tsv
	encoding     string // auto, utf-8, gbk
	mapping      string // field=Header,…
	rejects      string
	batchSize    int
	skipExisting bool
}

func newCmdAddressesImport(a *app, _ func(*importConfig) error) *cobra.Command {
	var cfg importConfig
	cmd := &cobra.Command{
		Use:   "import LIST FILE",
		Short: "Import a CSV or TSV file of addresses into a list, in batches",
		Long: `import reads FILE (CSV or TSV, UTF-8 with or without a BOM, or GBK) and adds
its rows to the list LIST in batches, streaming: memory stays the size of one
batch whatever the file's size.

The header row names the columns. email, name, sex, birthday, phone, area and
var1 to var10 are recognised, with common spellings (E-mail, Full name, 邮箱,
姓名, …); --map email=E-mail,name=Name maps the others.

Rows that cannot be imported (a broken CSV row, a missing or invalid address,
an unknown sex or birthday) are counted, and written with their line number and
reason to --rejects FILE; any rejected row makes the exit code 1.

Addresses already in the list are skipped before sending, so an import that
failed half-way can be run again as it is: nothing is added twice.

A progress bar with rate and ETA is shown on stderr when it is a terminal.
Each batch is reported on stdout with the server's counts of added, duplicate
and invalid addresses.`,
		Args: nArgs("LIST", "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("LIST", args[0])
			if err != nil {
				return err
			}
			cfg.listID, cfg.file = id, args[1]
			switch cfg.format {
			case "auto", "csv", "tsv":
			default:
				return usagef("--format must be auto, csv or tsv, not %q", cfg.format)
			}
			switch cfg.encoding = strings.ToLower(cfg.encoding); cfg.encoding {
			case "auto", "utf-8", "utf8", "gbk":
			default:
				return usagef("--encoding must be auto, utf-8 or gbk, not %q", cfg.encoding)
			}
			if cfg.batchSize < 1 || cfg.batchSize > bestedm.MaxBatchSize {
				return usagef("--batch must be 1 to %d, not %d", bestedm.MaxBatchSize, cfg.batchSize)
			}
			return a.importAddresses(cmd.Context(), &cfg)
		},
	}
	f := cmd.Flags()
	f.StringVar(&cfg.format, "format", "auto", "auto (by the header line), csv or tsv")
	f.StringVar(&cfg.encoding, "encoding", "auto", "auto (UTF-8, else GBK), utf-8 or gbk")
	f.StringVar(&cfg.mapping, "map", "", "column mapping, field=Header,… (fields: "+strings.Join(addressColumns, ", ")+")")
	f.StringVar(&cfg.rejects, "rejects", "", "write rejected rows, with line number and reason, to this CSV file")
	f.IntVar(&cfg.batchSize, "batch", bestedm.DefaultBatchSize, "addresses per request")
	f.BoolVar(&cfg.skipExisting, "skip-existing", true, "read the list first and skip the addresses already in it")
	return cmd
}

// importStats are the figures of one import.
type importStats struct {
	rows, sent, existing, rejected     int64
	added, duplicate, invalid, batches int64
	firstReject                        string
}

func (a *app) importAddresses(ctx context.Context, cfg *importConfig) error {
	f, err := os.Open(cfg.file)
	if err != nil {
		return err
	}
	defer f.Close()
	var size int64
	if st, err := f.Stat(); err == nil && st.Mode().IsRegular() {
		size = st.Size()
	}
	counter := &countingReader{r: f}
	csvr, err := openTable(counter, cfg)
	if err != nil {
		return fmt.Errorf("%s: %w", cfg.file, err)
	}
	header, err := csvr.Read()
	if errors.Is(err, io.EOF) {
		return fmt.Errorf("%s is empty: it needs a header row naming the columns", cfg.file)
	}
	if err != nil {
		return fmt.Errorf("%s: header row: %w", cfg.file, err)
	}
	header = slices.Clone(header)
	cols, ignored, err := mapColumns(header, cfg.mapping)
	if err != nil {
		return fmt.Errorf("%s: %w", cfg.file, err)
	}
	if len(ignored) > 0 {
		fmt.Fprintf(a.stderr, "import: columns not imported: %s (map them with --map field=Header)\n", strings.Join(ignored, ", "))
	}

	c, err := a.api()
	if err != nil {
		return err
	}
	// The list must exist before anything is read or sent; this also
	// checks the credentials.
	if _, err := c.Maillist.Get(ctx, cfg.listID); err != nil {
		return fmt.Errorf("list %d: %w", cfg.listID, err)
	}
	var existing hashSet
	if cfg.skipExisting {
		if existing, err = listHashes(ctx, c, cfg.listID); err != nil {
			return fmt.Errorf("reading the addresses already in list %d: %w", cfg.listID, err)
		}
	}

	var rej *csv.Writer
	if cfg.rejects != "" {
		rf, err := os.Create(cfg.rejects)
		if err != nil {
			return err
		}
		defer rf.Close()
		rej = csv.NewWriter(rf)
		_ = rej.Write(append([]string{"line", "reason"}, header...))
		defer rej.Flush()
	}

	var bar *progressbar.ProgressBar
	if a.stderrIsTTY && size > 0 {
		bar = progressbar.NewOptions64(size,
			progressbar.OptionSetWriter(a.stderr),
			progressbar.OptionSetDescription("importing"),
			progressbar.OptionShowBytes(true),
			progressbar.OptionSetPredictTime(true),
			progressbar.OptionThrottle(200*time.Millisecond),
			progressbar.OptionClearOnFinish(),
		)
		_ = bar.RenderBlank()
	}

	st := &importStats{}
	reject := func(line int, reason string, rec []string) {
		st.rejected++
		if st.firstReject == "" {
			st.firstReject = fmt.Sprintf("line %d: %s", line, reason)
		}
		if rej != nil {
			_ = rej.Write(append([]string{strconv.Itoa(line), reason}, rec...))
		}
	}
	// The file is read and checked as AddAddresses asks for the next
	// address: one goroutine, no hand-offs, and a reading error stops the
	// import at the batch being filled. AddAddresses checks each address
	// with Address.Validate and hands a bad one to OnInvalid before it
	// reads the next, so line and rec are still the row it came from.
	var readErr error
	var line int
	var rec []string
	rows := func(yield func(bestedm.Address) bool) {
		for {
			var err error
			rec, err = csvr.Read()
			if errors.Is(err, io.EOF) {
				return
			}
			st.rows++
			if bar != nil && st.rows%1024 == 0 {
				_ = bar.Set64(counter.n.Load())
			}
			if err != nil { // apart, so that pe is not allocated for every row
				var pe *csv.ParseError
				if errors.As(err, &pe) {
					reject(pe.StartLine, "broken row: "+pe.Err.Error(), nil)
					continue
				}
				readErr = err
				return
			}
			line, _ = csvr.FieldPos(0)
			ad, reason := rowAddress(rec, cols, len(header))
			if reason != "" {
				reject(line, reason, rec)
				continue
			}
			if existing.has(ad.Email) {
				st.existing++
				continue
			}
			st.sent++
			if !yield(ad) {
				return
			}
		}
	}

	p := a.table("BATCH", "ROWS", "ADDED", "DUPLICATE", "INVALID")
	var printErr error
	rep, err := c.Maillist.AddAddresses(ctx, cfg.listID, rows, &bestedm.AddressAddOptions{
		BatchSize: cfg.batchSize,
		OnInvalid: func(_ bestedm.Address, err error) {
			st.sent--
			reject(line, invalidReason(err), rec)
		},
		OnBatch: func(b bestedm.AddressBatch) {
			st.batches++
			added, dup, inv, ok := batchCounts(b)
			st.added += added
			st.duplicate += dup
			st.invalid += inv
			v := map[string]any{"batch": b.Index, "rows": b.Count, "added": added, "duplicate": dup, "invalid": inv}
			if !ok {
				v["message"] = b.Result.Message
			}
			if err := printRow(p, v, strconv.Itoa(b.Index), strconv.Itoa(b.Count), itoa(added), itoa(dup), itoa(inv)); err != nil && printErr == nil {
				printErr = err
			}
			if a.output == "table" {
				_ = p.flush() // one line a batch, as it happens
			}
		},
	})
	if bar != nil {
		_ = bar.Finish()
	}
	if ferr := p.flush(); printErr == nil {
		printErr = ferr
	}
	_ = rep
	if st.sent == 0 && errors.Is(err, bestedm.ErrValidation) {
		err = nil // nothing to add: the SDK refuses an empty import
	}
	fmt.Fprintf(a.stderr, "import: %d rows read from %s: %d sent in %d batches to list %d (%d added, %d duplicate, %d invalid), %d already in the list, %d rejected\n",
		st.rows, cfg.file, st.sent, st.batches, cfg.listID, st.added, st.duplicate, st.invalid, st.existing, st.rejected)
	switch {
	case err != nil:
		return fmt.Errorf("import stopped (run it again to add the rest; nothing is added twice): %w", err)
	case readErr != nil:
		return fmt.Errorf("reading %s stopped after %d rows (run it again to add the rest): %w", cfg.file, st.rows, readErr)
	case printErr != nil:
		return printErr
	case st.rejected > 0:
		where := "use --rejects FILE to keep them"
		if cfg.rejects != "" {
			where = "written to " + cfg.rejects
		}
		return fmt.Errorf("%d of %d rows rejected (first: %s); %s", st.rejected, st.rows, st.firstReject, where)
	}
	return nil
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

// countingReader counts the bytes read, for the progress bar.
type countingReader struct {
	r io.Reader
	n atomic.Int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n.Add(int64(n))
	return n, err
}

var utf8BOM = []byte{0xEF, 0xBB, 0xBF}

// openTable decodes r to UTF-8 and returns a CSV reader with the delimiter
// of cfg.format, or the one of the header line.
func openTable(r io.Reader, cfg *importConfig) (*csv.Reader, error) {
	br := bufio.NewReaderSize(r, 64<<10)
	head, err := br.Peek(64 << 10)
	if err != nil && !errors.Is(err, io.EOF) && !errors.Is(err, bufio.ErrBufferFull) {
		return nil, err
	}
	var text io.Reader = br
	switch {
	case bytes.HasPrefix(head, utf8BOM):
		_, _ = br.Discard(len(utf8BOM))
		if cfg.encoding == "gbk" {
			return nil, errors.New("the file starts with a UTF-8 byte order mark but --encoding is gbk")
		}
	case cfg.encoding == "gbk" || (cfg.encoding == "auto" && !validUTF8Prefix(head, len(head) == 64<<10)):
		text = transform.NewReader(br, simplifiedchinese.GBK.NewDecoder())
	}
	tr := bufio.NewReaderSize(text, 64<<10)
	comma := ','
	switch cfg.format {
	case "tsv":
		comma = '\t'
	case "auto":
		line, _ := tr.Peek(4096)
		if i := bytes.IndexByte(line, '\n'); i >= 0 {
			line = line[:i]
		}
		if bytes.Count(line, []byte{'\t'}) > bytes.Count(line, []byte{','}) {
			comma = '\t'
		}
	}
	cr := csv.NewReader(tr)
	cr.Comma = comma
	cr.FieldsPerRecord = -1 // checked per row, so a short row is rejected rather than fatal
	cr.ReuseRecord = true
	cr.LazyQuotes = comma == '\t' // TSV has no quoting: a quote is text
	return cr, nil
}

// validUTF8Prefix reports whether b is UTF-8, allowing a rune cut at the end
// of a buffer that was full.
func validUTF8Prefix(b []byte, cut bool) bool {
	if cut {
		for i := 0; i < utf8.UTFMax && len(b) > 0 && !utf8.RuneStart(b[len(b)-1]); i++ {
			b = b[:len(b)-1]
		}
		if len(b) > 0 && b[len(b)-1] >= utf8.RuneSelf {
			b = b[:len(b)-1]
		}
	}
	return utf8.Valid(b)
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
				return nil, nil, usagef("--map: the header has no column %q (it has %s)", col, strings.Join(header, ", "))
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
		return nil, nil, usagef("no email column in the header (%s): name it email or use --map email=COLUMN", strings.Join(header, ", "))
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
func rowAddress(rec []string, cols []int, width int) (bestedm.Address, string) {
	var ad bestedm.Address
	if len(rec) != width {
		return ad, fmt.Sprintf("has %d fields, the header has %d", len(rec), width)
	}
	for fi, ci := range cols {
		if ci < 0 {
			continue
		}
		v := trimSpace(rec[ci])
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
// that starts and ends with a printable ASCII byte: TrimSpace decodes the
// runes at both ends, a cost that shows on a million rows.
func trimSpace(s string) string {
	if s == "" || s[0] > ' ' && s[0] < utf8.RuneSelf && s[len(s)-1] > ' ' && s[len(s)-1] < utf8.RuneSelf {
		return s
	}
	return strings.TrimSpace(s)
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

const (
	maxHeaderBytes = 64 << 10
	maxColumns     = 256
	maxLineBytes   = 1 << 20
	journalSuffix  = ".bestedm-journal"
)
