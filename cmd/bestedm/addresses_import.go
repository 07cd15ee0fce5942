package main

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/csv"
	"encoding/hex"
	"errors"
	"fmt"
	"hash"
	"io"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

// importOptions are what `addresses import` was asked to do.
type importOptions struct {
	app          *app
	ListID       int64
	File         string // "-": standard input
	Format       string // auto, csv, tsv
	Delimiter    string // --delimiter: "" sniffs it from the file
	Encoding     string // auto, utf-8, gbk
	Mapping      string // field=Header,…
	Rejects      string
	BatchSize    int
	SkipExisting bool
	Journal      bool
}

func newCmdAddressesImport(a *app, runF func(*importOptions) error) *cobra.Command {
	opts := &importOptions{app: a}
	cmd := &cobra.Command{
		Use:   "import LIST FILE",
		Short: "Import a CSV or TSV file of addresses into a list, in batches",
		Long: `import reads FILE ("-" for standard input; CSV or TSV, UTF-8 with or without a
BOM, or GBK) and adds its rows to the list LIST in batches, streaming: memory
stays bounded whatever the input (docs/cli-import.md).

The header row names the columns. email, name, sex, birthday, phone, area and
var1 to var10 are recognised, with common spellings (E-mail, Full name, 邮箱,
姓名, …); --map email=E-mail,name=Name maps the others.

Rows that cannot be imported (a broken CSV row, a line too long or not in the
file's encoding, a missing or invalid address, an unknown sex or birthday, a
control character) are rejected and written with their line number and reason
to --rejects FILE; reading goes on at the next line.

The encoding is decided from every line of the file: UTF-8, GBK, or, when
lines of both kinds occur, an error asking for --encoding.

A journal beside FILE (FILE.bestedm-journal) records the rows the server
confirmed; a re-run of an import that stopped continues after them. Without a
journal (standard input, another file) the addresses already in the list are
read first and skipped: either way, nothing is added twice.

SIGINT and SIGTERM stop the import within a second: the batch in flight is
given half a second, then abandoned (reported as "outcome unknown").

Exit codes: 0 all rows imported, 3 finished but some rows rejected, 4 the
server refused the credentials, 130/143 interrupted, 1 any other error,
2 a mistake in the command line.`,
		Args: nArgs("LIST", "FILE"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("LIST", args[0])
			if err != nil {
				return err
			}
			opts.ListID, opts.File = id, args[1]
			if err := opts.check(); err != nil {
				return err
			}
			return runner(runF, func(o *importOptions) error { return importRun(cmd.Context(), o) })(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Format, "input-format", "auto", "auto (by the header line), csv or tsv")
	f.StringVar(&opts.Delimiter, "delimiter", "", "the CSV delimiter: one character, or comma, semicolon, tab or pipe (default: sniffed from the first lines)")
	f.StringVar(&opts.Encoding, "encoding", "auto", "auto (from the whole file), utf-8 or gbk")
	f.StringVar(&opts.Mapping, "map", "", "column mapping, field=Header,… (fields: "+strings.Join(addressColumns, ", ")+")")
	f.StringVar(&opts.Rejects, "rejects", "", "write rejected rows, with line number and reason, to this CSV file")
	f.IntVar(&opts.BatchSize, "batch", bestedm.DefaultBatchSize, "addresses per request")
	f.BoolVar(&opts.SkipExisting, "skip-existing", true, "without a journal, read the list first and skip the addresses already in it")
	f.BoolVar(&opts.Journal, "journal", true, "keep a resume journal beside FILE, and continue from it")
	return cmd
}

// check validates the flags.
func (o *importOptions) check() error {
	switch o.Format {
	case "auto", "csv", "tsv":
	default:
		return usagef("--input-format must be auto, csv or tsv, not %q", o.Format)
	}
	if o.Delimiter != "" {
		d, err := parseDelimiter(o.Delimiter)
		if err != nil {
			return err
		}
		if d >= utf8.RuneSelf {
			return usagef("--delimiter must be a single-byte character, not %s", quoteSample(o.Delimiter))
		}
	}
	switch o.Encoding = strings.ToLower(o.Encoding); o.Encoding {
	case "auto", "utf-8", "utf8", "gbk":
	default:
		return usagef("--encoding must be auto, utf-8 or gbk, not %q", o.Encoding)
	}
	if o.BatchSize < 1 || o.BatchSize > bestedm.MaxBatchSize {
		return usagef("--batch must be 1 to %d, not %d", bestedm.MaxBatchSize, o.BatchSize)
	}
	return nil
}

// importRun imports the file; the contract is docs/cli-import.md's.
func importRun(ctx context.Context, opts *importOptions) error {
	im, err := startImport(ctx, opts)
	if err != nil {
		return err
	}
	defer im.close()
	return im.finish(im.run())
}

// Bounds of a batch and of the end of one (docs/cli-import.md#signals).
const (
	// maxBatchBytes ends a batch early when its rows' text reaches it, so
	// a batch of long rows stays light.
	maxBatchBytes = 4 << 20
	// sendGrace is how long the batch in flight may still take after a
	// signal; then it is abandoned and its outcome is unknown.
	sendGrace = 500 * time.Millisecond
	// idleRows: with no batch pending (rows rejected or already in the
	// list), progress is marked done this often.
	idleRows = 1000
	// journalEvery is how often the journal is written while the import
	// runs (and once more when it stops): a kill -9 loses at most this
	// much progress, which a re-run sends again and the server counts as
	// duplicates. Writing it after every batch cost a tenth of the CPU.
	journalEvery = time.Second
)

// importer is one run of the import.
type importer struct {
	opts     *importOptions
	a        *app
	c        *bestedm.Client
	ctx      context.Context // ends with a signal
	sendCtx  context.Context // ends sendGrace after ctx
	stopSend context.CancelFunc
	in       *input
	rd       *recordReader
	width    int
	cols     []int
	header   []string
	existing hashSet
	rejects  *rejectsFile
	jr       *journal
	jbase    journalState
	resumed  int // the line a journal resumed at, 0 if none
	out      *printer
	bar      *progressbar.ProgressBar
	st       importStats

	batch      []batchRow
	ends       []int // the field ends of the batch's rows, back to back
	batchBytes int
	valid      int   // rows of the batch Address.Validate did not refuse
	lastLine   int   // the last line read
	lastEnd    int64 // the offset after it
	sinceIdle  int

	done     position // every row before it is done
	start    int64    // the offset the run started at
	lastSave time.Time
}

// position is a point of the input, with the rejects file's size there.
type position struct {
	end     int64
	line    int
	rejects int64
	sum     string // SHA-256 of the input before end
}

// batchRow is a row of the batch being filled: its text, not its
// address (built again if the batch has to be sent again), so that a row
// costs no copy of an Address.
type batchRow struct {
	line    int
	text    string
	e0, e1  int // its field ends in importer.ends
	invalid bool
}

// importStats are the figures of one run. Every row read is counted
// once: rows = confirmed + unknown + notSent + existing + rejected.
type importStats struct {
	rows, confirmed, unknown, notSent, existing, rejected int64
	added, duplicate, invalid, batches                    int64
	firstReject                                           string
}

// startImport does everything before the first row: credentials first,
// then the input, its checks, its header and the list.
// Nothing is written before all of it succeeded.
func startImport(ctx context.Context, opts *importOptions) (*importer, error) {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return nil, err
	}
	in, err := openInput(ctx, opts.File, a.stdin, a.timeout)
	if err != nil {
		return nil, err
	}
	im := &importer{opts: opts, a: a, c: c, ctx: ctx, in: in}
	if err := im.prepare(); err != nil {
		im.close()
		return nil, err
	}
	im.sendCtx, im.stopSend = context.WithCancel(context.WithoutCancel(ctx))
	stop := im.stopSend
	context.AfterFunc(ctx, func() { time.AfterFunc(sendGrace, stop) })
	return im, nil
}

func (im *importer) prepare() error {
	opts := im.opts
	if err := refuseInputAsOutput(im.in, "--rejects", opts.Rejects); err != nil {
		return err
	}
	if err := im.openTable(); err != nil {
		return err
	}
	// The list must exist before anything is sent; this also checks the
	// credentials.
	if _, err := im.c.Maillist.Get(im.ctx, opts.ListID); err != nil {
		return fmt.Errorf("list %d: %w", opts.ListID, err)
	}
	if err := im.resume(); err != nil {
		return err
	}
	if im.resumed == 0 && opts.SkipExisting {
		var err error
		if im.existing, err = listHashes(im.ctx, im.c, opts.ListID); err != nil {
			return fmt.Errorf("reading the addresses already in list %d: %w", opts.ListID, err)
		}
	}
	if err := im.openRejects(); err != nil {
		return err
	}
	im.start = im.rd.off
	im.done = position{end: im.rd.off, line: im.rd.line}
	im.out = im.a.table("BATCH", "ROWS", "ADDED", "DUPLICATE", "INVALID")
	if im.a.stderrIsTTY && im.in.size > 0 {
		im.bar = newImportBar(im.a.stderr, im.in.size)
	}
	return nil
}

// delimiter is --delimiter, or the format's, or for "auto" the one the
// file's first lines agree on (csvsniff.go): comma, semicolon, tab or pipe.
func (im *importer) delimiter(br *bufio.Reader) byte {
	if im.opts.Delimiter != "" {
		d, _ := parseDelimiter(im.opts.Delimiter) // checked with the flags
		return byte(d)
	}
	if im.opts.Format != "auto" {
		return sniffComma(br, im.opts.Format)
	}
	_, _ = br.Peek(1) // what the first read gives: a stream may pause after it
	head, _ := br.Peek(min(sniffSampleBytes, br.Buffered()))
	if d, ok := sniffDelimiter(head); ok && d < utf8.RuneSelf {
		return byte(d)
	}
	return sniffComma(br, "auto")
}

// openTable decides the encoding and the delimiter, and reads the header
// and maps its columns.
func (im *importer) openTable() error {
	gbk, br, err := im.decideEncoding()
	if err != nil {
		return err
	}
	im.rd = newRecordReader(br, im.delimiter(br), gbk, 0, 0)
	if im.in.file != nil {
		im.rd.hash = sha256.New() // of what is read: the journal's proof
	}
	if bom, _ := br.Peek(len(utf8BOM)); string(bom) == string(utf8BOM) {
		_, _ = br.Discard(len(utf8BOM))
		im.rd.consumed(utf8BOM)
	}
	if im.header, err = im.rd.readHeader(); err != nil {
		return fmt.Errorf("%s: %w", im.in.name, err)
	}
	im.width = len(im.header)
	cols, ignored, err := mapColumns(im.header, im.opts.Mapping)
	if err != nil {
		return err
	}
	im.cols = cols
	if len(ignored) > 0 {
		fmt.Fprintf(im.a.stderr, "import: %d columns not imported (map them with --map field=Header)\n", len(ignored))
	}
	return nil
}

// decideEncoding reads the evidence of the encoding (the whole of a
// regular file; what the first read of a stream gives, up to 64 KiB) and
// returns the reader the rows are read from.
func (im *importer) decideEncoding() (gbk bool, br *bufio.Reader, err error) {
	var ev encodingEvidence
	if f := im.in.file; f != nil {
		im.jbase = journalState{List: im.opts.ListID, Size: im.in.size, Rejects: im.opts.Rejects}
		if im.opts.Encoding == "auto" {
			if ev, err = scanEncoding(f); err != nil {
				return false, nil, fmt.Errorf("%s: %w", im.in.name, err)
			}
		}
	}
	br = bufio.NewReaderSize(im.in.r, maxLineBytes)
	if im.in.file == nil {
		// What the first read gave: a stream may pause after it.
		if _, err := br.Peek(1); err != nil && !errors.Is(err, io.EOF) {
			return false, nil, fmt.Errorf("%s: %w", im.in.name, err)
		}
		head, _ := br.Peek(br.Buffered())
		ev.bom = bytes.HasPrefix(head, utf8BOM)
		if n, last, tooLong := ev.addLines(head, 1, nil, false); len(last) > 0 && !tooLong {
			ev.add(last, n) // the last line, cut by the end of what was read
		}
	}
	switch im.opts.Encoding {
	case "gbk":
		if ev.bom {
			return false, nil, errors.New("the file starts with a UTF-8 byte order mark but --encoding is gbk")
		}
		return true, br, nil
	case "utf-8", "utf8":
		return false, br, nil
	}
	gbk, err = ev.decide(im.in.name)
	return gbk, br, err
}

// resume continues from the journal when it is of this file, unchanged,
// and this list.
func (im *importer) resume() error {
	if !im.opts.Journal || im.in.file == nil {
		return nil
	}
	j, ok := loadJournal(im.opts.File)
	if err := refuseInputAsOutput(im.in, "the journal", j.path); err != nil {
		return err
	}
	im.jr = j
	if !ok {
		return nil
	}
	s := j.state
	var h hash.Hash
	if s.List == im.jbase.List && s.Size == im.jbase.Size && s.Offset >= im.rd.off && s.Offset <= s.Size {
		var err error
		if h, err = prefixHash(im.in.file, s.Offset); err != nil {
			return err
		}
	}
	if h == nil || hex.EncodeToString(h.Sum(nil)) != s.SHA256 {
		fmt.Fprintf(im.a.stderr, "import: %s is not of this file as it is now (the file changed, or another list): reading the list instead\n", j.path)
		return nil
	}
	br := im.rd.br
	br.Reset(im.in.file) // at s.Offset (prefixHash); its 1 MiB buffer kept
	im.rd = newRecordReader(br, im.rd.comma, im.rd.gbk, s.Line, s.Offset)
	im.rd.hash = h
	im.resumed, im.lastLine, im.lastEnd = s.Line+1, s.Line, s.Offset
	fmt.Fprintf(im.a.stderr, "import: resuming at line %d of %s (journal %s): the rows before it were done by an earlier run\n", im.resumed, im.in.name, j.path)
	return nil
}

// openRejects opens --rejects, now that the import has started: created
// anew, or, resuming, cut back to the rows the journal counts as done.
func (im *importer) openRejects() error {
	path := im.opts.Rejects
	if path == "" {
		return nil
	}
	var keep int64
	if im.resumed > 0 && im.jr.state.Rejects == path {
		keep = im.jr.state.RejectsSize
	}
	rf, err := openRejectsFile(path, keep)
	if err != nil {
		return err
	}
	im.rejects = rf
	if keep == 0 {
		rf.write(append([]string{"line", "reason"}, im.header...))
	}
	return nil
}

func newImportBar(w io.Writer, size int64) *progressbar.ProgressBar {
	bar := progressbar.NewOptions64(size,
		progressbar.OptionSetWriter(w),
		progressbar.OptionSetDescription("importing"),
		progressbar.OptionShowBytes(true),
		progressbar.OptionSetPredictTime(true),
		progressbar.OptionThrottle(200*time.Millisecond),
		progressbar.OptionClearOnFinish(),
	)
	_ = bar.RenderBlank()
	return bar
}

func (im *importer) close() {
	if im.stopSend != nil {
		im.stopSend()
	}
	if im.rejects != nil {
		_ = im.rejects.close()
	}
	_ = im.in.Close()
}

// run reads the rows and sends them in batches, until the end, an error
// or a signal.
func (im *importer) run() error {
	for {
		more, err := im.stream()
		if err != nil || !more {
			return err
		}
	}
}

// readError is a failure to read the input (not a row that is wrong).
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

// stream gives the rows, as they are read, to one AddAddresses, which
// validates them (OnInvalid: rejected at once, so the rejects file is in
// line order and each address is checked once) and sends them in batches
// (OnBatch: confirmed). The rows of the batch being filled are kept too,
// for a batch the server finds too large (split and sent again) or that
// fails (counted). It returns more when the rows are to go on in a new
// AddAddresses: after a batch cut at maxBatchBytes, or split.
func (im *importer) stream() (more bool, err error) {
	var stop error // why reading stopped before the end
	cut := false
	rows := func(yield func(bestedm.Address) bool) {
		for {
			if im.st.rows%64 == 0 && im.ctx.Err() != nil {
				stop = im.ctx.Err()
				return
			}
			rec, err := im.rd.next()
			if errors.Is(err, io.EOF) {
				return
			}
			if err != nil {
				stop = &readError{err: err}
				return
			}
			ad, ok := im.take(rec)
			if !ok {
				continue
			}
			if !yield(ad) {
				return
			}
			if im.batchBytes >= maxBatchBytes {
				cut = true // sent now, when AddAddresses sees the end
				return
			}
		}
	}
	_, err = im.c.Maillist.AddAddresses(im.sendCtx, im.opts.ListID, rows, &bestedm.AddressAddOptions{
		BatchSize: im.opts.BatchSize,
		OnBatch:   im.confirmed,
		OnInvalid: im.invalid,
	})
	if err != nil && im.valid == 0 && errors.Is(err, bestedm.ErrValidation) {
		err = nil // no address at all: the SDK refuses an empty import
	}
	if err != nil {
		if err = im.failed(err); err != nil {
			return false, err
		}
		more = true // split and sent: the rows go on
	}
	if stop != nil {
		return false, stop
	}
	return more || cut, nil
}

// take counts a row read and returns its address, unless it is rejected
// or already in the list.
func (im *importer) take(rec *record) (bestedm.Address, bool) {
	im.st.rows++
	im.lastLine, im.lastEnd = rec.last, rec.end
	if im.bar != nil && im.st.rows%1024 == 0 {
		_ = im.bar.Set64(im.lastEnd)
	}
	if rec.reason != "" {
		im.reject(rec.line, rec.reason, []string{string(rec.raw)})
		im.idle()
		return bestedm.Address{}, false
	}
	ad, reason := rowAddress(rec, im.cols, im.width)
	if reason != "" {
		im.reject(rec.line, reason, rec.fields())
		im.idle()
		return ad, false
	}
	if im.existing.has(ad.Email) {
		im.st.existing++
		im.idle()
		return ad, false
	}
	e0 := len(im.ends)
	im.ends = append(im.ends, rec.ends...)
	im.batch = append(im.batch, batchRow{line: rec.line, text: rec.text, e0: e0, e1: len(im.ends)})
	im.batchBytes += len(rec.text)
	im.valid++
	return ad, true
}

// idle follows a row that needs no batch: with none pending, every row
// read is done.
func (im *importer) idle() {
	if im.sinceIdle++; im.sinceIdle >= idleRows && im.valid == 0 {
		im.markDone()
	}
}

// invalid rejects the row just given to AddAddresses, which
// Address.Validate refused.
func (im *importer) invalid(_ bestedm.Address, err error) {
	r := &im.batch[len(im.batch)-1]
	r.invalid = true
	im.valid--
	im.reject(r.line, invalidReason(err), im.cells(r))
}

// reject counts a rejected row and writes it to the rejects file.
func (im *importer) reject(line int, reason string, cells []string) {
	im.st.rejected++
	if im.st.firstReject == "" {
		im.st.firstReject = fmt.Sprintf("line %d: %s", line, reason)
	}
	if im.rejects != nil {
		im.rejects.write(append([]string{strconv.Itoa(line), reason}, cells...))
	}
}

// confirmed counts and prints a batch the server accepted: every row read
// so far is done.
func (im *importer) confirmed(b bestedm.AddressBatch) {
	im.count(b)
	im.clearBatch()
	im.markDone()
}

// count counts and prints a batch the server accepted.
func (im *importer) count(b bestedm.AddressBatch) {
	im.st.batches++
	im.st.confirmed += int64(b.Count)
	added, dup, inv, ok := batchCounts(b)
	im.st.added += added
	im.st.duplicate += dup
	im.st.invalid += inv
	v := map[string]any{"batch": im.st.batches, "rows": b.Count, "added": added, "duplicate": dup, "invalid": inv}
	if !ok {
		v["message"] = b.Result.Message
	}
	_ = printRow(im.out, v, itoa(im.st.batches), strconv.Itoa(b.Count), itoa(added), itoa(dup), itoa(inv))
	if im.a.output == "table" {
		_ = im.out.flush() // one line a batch, as it happens
	}
}

func (im *importer) clearBatch() {
	im.batch, im.ends, im.batchBytes, im.valid = im.batch[:0], im.ends[:0], 0, 0
}

// failed handles the failure of the batch being filled: split and sent
// again if the server found it too large (nil when that worked), else
// counted and returned as a *batchError.
func (im *importer) failed(err error) error {
	rows := slices.DeleteFunc(im.batch, func(r batchRow) bool { return r.invalid })
	defer im.clearBatch()
	if len(rows) == 0 {
		return err // not a batch's failure
	}
	if batchOutcome(err) == outcomeTooLarge {
		if err := im.split(rows); err != nil {
			return err
		}
		im.markDone()
		return nil
	}
	return im.batchFailed(rows, err)
}

// batchFailed counts the rows of a batch that failed and says what became
// of them.
func (im *importer) batchFailed(rows []batchRow, err error) error {
	unknown := batchOutcome(err) == outcomeUnknown
	if unknown {
		im.st.unknown += int64(len(rows))
	} else {
		im.st.notSent += int64(len(rows))
	}
	// The SDK's error says "batch N … not added" of the batches of one
	// call: this error says which batch of the import it was and what
	// became of it.
	cause := errors.Unwrap(err)
	if cause == nil {
		cause = err
	}
	return &batchError{index: im.st.batches + 1, first: rows[0].line, last: rows[len(rows)-1].line, n: len(rows),
		unknown: unknown, err: cause}
}

// markDone records that every row read so far is done, and writes the
// journal when it was last written journalEvery ago.
func (im *importer) markDone() {
	im.sinceIdle = 0
	if im.rd.off != im.lastEnd || im.rd.hash == nil {
		return // lines read ahead (or no file): the hash is not of the rows done
	}
	im.done = position{end: im.lastEnd, line: im.lastLine, sum: im.rd.sum()}
	if im.rejects != nil {
		im.done.rejects = im.rejects.flush()
	}
	if time.Since(im.lastSave) >= journalEvery {
		im.saveJournal()
	}
}

// saveJournal writes the journal at the point done.
func (im *importer) saveJournal() {
	if im.jr == nil || im.done.end <= im.start {
		return
	}
	s := im.jbase
	s.Offset, s.Line, s.RejectsSize, s.SHA256 = im.done.end, im.done.line, im.done.rejects, im.done.sum
	im.jr.save(s)
	im.lastSave = time.Now()
}

// send sends rows, all valid, as one request; a batch the server finds
// too large is split again.
func (im *importer) send(rows []batchRow) error {
	seq := func(yield func(bestedm.Address) bool) {
		for i := range rows {
			if !yield(im.address(&rows[i])) {
				return
			}
		}
	}
	_, err := im.c.Maillist.AddAddresses(im.sendCtx, im.opts.ListID, seq, &bestedm.AddressAddOptions{
		BatchSize: len(rows),
		// Counted only: the other half is not sent yet, so the rows
		// read are not all done.
		OnBatch: im.count,
	})
	switch batchOutcome(err) {
	case outcomeConfirmed:
		return nil
	case outcomeTooLarge:
		return im.split(rows)
	}
	return im.batchFailed(rows, err)
}

// split sends the halves of a batch too large for the server, each as a
// request of its own. A single row too large is
// rejected.
func (im *importer) split(rows []batchRow) error {
	if len(rows) == 1 {
		im.reject(rows[0].line, "too large for the server (request_too_large)", im.cells(&rows[0]))
		return nil
	}
	mid := len(rows) / 2
	if err := im.send(rows[:mid]); err != nil {
		im.st.notSent += int64(len(rows) - mid)
		return err
	}
	return im.send(rows[mid:])
}

// address builds a batch row's address again, for a batch sent again.
func (im *importer) address(r *batchRow) bestedm.Address {
	ad, _ := rowAddress(&record{text: r.text, ends: im.ends[r.e0:r.e1]}, im.cols, im.width)
	return ad
}

// cells returns a batch row's fields, for the rejects file.
func (im *importer) cells(r *batchRow) []string {
	rec := record{text: r.text, ends: im.ends[r.e0:r.e1]}
	return rec.fields()
}

// outcome is what became of a batch.
type outcome int

const (
	outcomeConfirmed outcome = iota
	outcomeRefused           // the server answered: nothing was added
	outcomeTooLarge          // refused for its size: nothing was added
	outcomeUnknown           // no answer: it may have been added
)

// batchOutcome reads err of a batch: an answer of the server (an API
// status, an HTTP 4xx) says nothing was added; a lost connection, a
// timeout, a 5xx from whatever stands in front of the server, or a reply
// that could not be read leave the outcome unknown.
func batchOutcome(err error) outcome {
	var ae *bestedm.APIError
	var he *bestedm.HTTPError
	switch {
	case err == nil:
		return outcomeConfirmed
	case errors.As(err, &ae) && ae.Status == bestedm.StatusRequestTooLarge,
		errors.As(err, &he) && he.StatusCode == 413:
		return outcomeTooLarge
	case errors.As(err, &ae), errors.As(err, &he) && he.StatusCode < 500, errors.Is(err, bestedm.ErrValidation):
		return outcomeRefused
	}
	return outcomeUnknown
}

// batchError is a batch that failed, refused or of unknown outcome.
type batchError struct {
	index       int64
	first, last int
	n           int
	unknown     bool
	err         error
}

func (e *batchError) Error() string {
	if e.unknown {
		return fmt.Sprintf("batch %d (lines %d-%d, %d addresses) got no answer, so they may have been added; a re-run adds nothing twice: %v",
			e.index, e.first, e.last, e.n, e.err)
	}
	return fmt.Sprintf("batch %d (lines %d-%d, %d addresses) was not added: %v", e.index, e.first, e.last, e.n, e.err)
}

func (e *batchError) Unwrap() error { return e.err }

// finish prints the summary and turns the end of the run into the
// command's error and exit code (docs/cli-import.md#exit-codes).
func (im *importer) finish(err error) error {
	im.st.notSent += int64(im.valid) // read, waiting for a batch that was never sent
	if im.bar != nil {
		_ = im.bar.Finish()
	}
	printErr := im.out.flush()
	if im.rejects != nil {
		im.rejects.flush()
	}
	fmt.Fprintln(im.a.stderr, im.summary())
	if err == nil && im.ctx.Err() == nil {
		return im.finished(printErr)
	}
	return im.stopped(err)
}

// finished is the end of a run that read the whole input.
func (im *importer) finished(printErr error) error {
	if im.jr != nil {
		im.jr.remove()
	}
	if err := im.writeErr(); err != nil {
		return err
	}
	if printErr != nil {
		return printErr
	}
	if im.st.rejected > 0 {
		return &partialError{fmt.Errorf("%d of %d rows rejected (first: %s); %s",
			im.st.rejected, im.st.rows, im.st.firstReject, im.whereRejects())}
	}
	return nil
}

// stopped is the end of a run stopped by err or by a signal.
func (im *importer) stopped(err error) error {
	im.saveJournal()
	again := "run it again to add the rest (nothing is added twice)"
	if im.jr != nil && im.jr.err == nil {
		again = "run it again to continue from the journal " + im.jr.path
	}
	at := fmt.Sprintf("after line %d of %s", im.lastLine, im.in.name)
	if im.ctx.Err() != nil {
		code := exitInterrupted
		var ec interface{ ExitCode() int }
		if errors.As(context.Cause(im.ctx), &ec) {
			code = ec.ExitCode()
		}
		// A signal is named once, by execute, for every command.
		var sig interrupted
		msg := fmt.Sprintf("import interrupted %s; %s", at, again)
		if !errors.As(context.Cause(im.ctx), &sig) {
			msg = fmt.Sprintf("import interrupted (%v) %s; %s", context.Cause(im.ctx), at, again)
		}
		var be *batchError
		if errors.As(err, &be) || err != nil && !errors.Is(err, context.Canceled) && !errors.As(err, &sig) {
			msg += ": " + err.Error()
		}
		return &codedError{code, errors.New(msg)}
	}
	return fmt.Errorf("import stopped %s; %s: %w", at, again, err)
}

func (im *importer) summary() string {
	from := im.in.name
	if im.resumed > 0 {
		from += fmt.Sprintf(" (from line %d, resumed)", im.resumed)
	}
	s := &im.st
	plural := "es"
	if s.batches == 1 {
		plural = ""
	}
	return fmt.Sprintf("import: %d rows read from %s into list %d: %d sent and confirmed in %d batch%s (%d added, %d duplicate, %d invalid), %d outcome unknown, %d not sent, %d already in the list, %d rejected",
		s.rows, from, im.opts.ListID, s.confirmed, s.batches, plural, s.added, s.duplicate, s.invalid, s.unknown, s.notSent, s.existing, s.rejected)
}

func (im *importer) whereRejects() string {
	if im.opts.Rejects != "" {
		return "written to " + im.opts.Rejects
	}
	return "use --rejects FILE to keep them"
}

// writeErr is the first failure to write the rejects file or the journal.
func (im *importer) writeErr() error {
	if im.rejects != nil && im.rejects.err != nil {
		return fmt.Errorf("writing %s: %w", im.opts.Rejects, im.rejects.err)
	}
	if im.jr != nil && im.jr.err != nil {
		return fmt.Errorf("writing the journal %s: %w", im.jr.path, im.jr.err)
	}
	return nil
}

// rejectsFile is the --rejects CSV file.
type rejectsFile struct {
	f   *os.File
	w   *csv.Writer
	n   countingWriter
	err error
}

// openRejectsFile opens path, keeping its first keep bytes (0: truncated).
func openRejectsFile(path string, keep int64) (*rejectsFile, error) {
	flag := os.O_RDWR | os.O_CREATE
	if keep == 0 {
		flag |= os.O_TRUNC
	}
	f, err := os.OpenFile(path, flag, 0o644)
	if err != nil {
		return nil, err
	}
	if keep > 0 {
		if err := f.Truncate(keep); err != nil {
			f.Close()
			return nil, err
		}
		if _, err := f.Seek(keep, io.SeekStart); err != nil {
			f.Close()
			return nil, err
		}
	}
	r := &rejectsFile{f: f}
	r.n = countingWriter{w: f, n: keep}
	r.w = csv.NewWriter(&r.n)
	return r, nil
}

func (r *rejectsFile) write(rec []string) {
	if err := r.w.Write(rec); err != nil && r.err == nil {
		r.err = err
	}
}

// flush writes what is buffered and returns the file's size.
func (r *rejectsFile) flush() int64 {
	r.w.Flush()
	if err := r.w.Error(); err != nil && r.err == nil {
		r.err = err
	}
	return r.n.n
}

func (r *rejectsFile) close() error {
	r.flush()
	return r.f.Close()
}

// countingWriter counts the bytes written through it.
type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

// codedError is an error with its own exit code.
type codedError struct {
	code int
	err  error
}

func (e *codedError) Error() string { return e.err.Error() }
func (e *codedError) Unwrap() error { return e.err }

// ExitCode is the command's exit code.
func (e *codedError) ExitCode() int { return e.code }
