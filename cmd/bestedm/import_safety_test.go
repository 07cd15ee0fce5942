package main

import (
	"bytes"
	"context"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/bestedm/bestedm-go/bestedmtest"
)

// summaryRe reads the import's summary line.
var summaryRe = regexp.MustCompile(`import: (\d+) rows read .*?: (\d+) sent and confirmed in (\d+) batch(?:es)? \((\d+) added, (\d+) duplicate, (\d+) invalid\), (\d+) outcome unknown, (\d+) not sent, (\d+) already in the list, (\d+) rejected`)

// importSummary are the figures of the summary line.
type importSummary struct {
	Rows, Confirmed, Batches, Added, Duplicate, Invalid, Unknown, NotSent, Existing, Rejected int64
}

// summaryOf finds the summary line in stderr and checks that it adds up:
// rows read = confirmed + outcome unknown + not sent + already in the list
// + rejected, always.
func summaryOf(t *testing.T, stderr string) importSummary {
	t.Helper()
	m := summaryRe.FindStringSubmatch(stderr)
	require.NotNil(t, m, "no summary line in %q", stderr)
	n := make([]int64, len(m)-1)
	for i := range n {
		n[i], _ = strconv.ParseInt(m[i+1], 10, 64)
	}
	s := importSummary{n[0], n[1], n[2], n[3], n[4], n[5], n[6], n[7], n[8], n[9]}
	assert.Equal(t, s.Rows, s.Confirmed+s.Unknown+s.NotSent+s.Existing+s.Rejected, "the summary adds up: %s", m[0])
	return s
}

// Item 1: an unterminated quote swallowed every row after it.
func TestImportBrokenQuoteResumesAtNextLine(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "broken quote")
	path := writeFile(t, "in.csv", []byte("email,name\n\"a@example.com,Unterminated\nb@example.com,B\nc@example.com,C\n"))
	rejects := filepath.Join(t.TempDir(), "rejects.csv")
	r := c.fails(exitPartial, []string{"addresses", "import", id, path, "--rejects", rejects}, "1 of 3 rows rejected", "line 2")
	sum := summaryOf(t, r.stderr)
	assert.Equal(t, importSummary{Rows: 3, Confirmed: 2, Batches: 1, Added: 2, Rejected: 1}, sum)
	got := listAddresses(t, s, id)
	assert.Contains(t, got, "b@example.com")
	assert.Contains(t, got, "c@example.com")
	recs := readRejects(t, rejects)
	require.Len(t, recs, 2)
	assert.Equal(t, "2", recs[1][0])
	assert.Contains(t, recs[1][1], "quote")
	assert.Equal(t, `"a@example.com,Unterminated`, recs[1][2], "the raw text of the line")
}

// Item 2: --rejects naming the input truncated it.
func TestImportRefusesOutputThatIsTheInput(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "same file")
	data := []byte("email,name\na@example.com,A\nbad,B\n")
	path := writeFile(t, "in.csv", data)
	link := filepath.Join(t.TempDir(), "link.csv")
	require.NoError(t, os.Symlink(path, link))
	hard := filepath.Join(filepath.Dir(path), "hard.csv")
	require.NoError(t, os.Link(path, hard))
	for _, out := range []string{path, link, hard} {
		s.ClearRequests()
		c.fails(exitUsage, []string{"addresses", "import", id, path, "--rejects", out}, "is the input file")
		got, err := os.ReadFile(path)
		require.NoError(t, err)
		assert.Equal(t, data, got, "the input is untouched")
		assert.Zero(t, countAction(s, "ml-addr-add"))
	}
	// A rejects file is not truncated before the import has started.
	old := writeFile(t, "old-rejects.csv", []byte("kept\n"))
	c.fails(1, []string{"addresses", "import", "999999", path, "--rejects", old}, "list 999999")
	got, err := os.ReadFile(old)
	require.NoError(t, err)
	assert.Equal(t, "kept\n", string(got))
}

// Item 3: every input is bounded, with an error naming the limit and line.
func TestImportBoundsInput(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "bounds")
	t.Run("header", func(t *testing.T) {
		path := writeFile(t, "in.csv", []byte("email,"+strings.Repeat("x", maxHeaderBytes)+"\na@example.com,A\n"))
		c.fails(1, []string{"addresses", "import", id, path}, "line 1", "longer than", strconv.Itoa(maxHeaderBytes))
	})
	t.Run("columns", func(t *testing.T) {
		path := writeFile(t, "in.csv", []byte("email"+strings.Repeat(",c", maxColumns)+"\na@example.com\n"))
		c.fails(1, []string{"addresses", "import", id, path}, "line 1", "more than", strconv.Itoa(maxColumns), "columns")
	})
	t.Run("binary", func(t *testing.T) {
		path := writeFile(t, "in.csv", []byte("email\x00\x00\x00\n"))
		c.fails(1, []string{"addresses", "import", id, path}, "line 1", "NUL")
	})
	t.Run("line and field", func(t *testing.T) {
		path := writeFile(t, "in.csv", []byte("email,name\n"+
			"a@example.com,"+strings.Repeat("y", maxLineBytes)+"\n"+
			"b@example.com,"+strings.Repeat("z", 40<<10)+"\n"+
			"c@example.com,C\n"))
		rejects := filepath.Join(t.TempDir(), "rejects.csv")
		r := c.fails(exitPartial, []string{"addresses", "import", id, path, "--rejects", rejects}, "2 of 3 rows rejected")
		assert.Equal(t, int64(1), summaryOf(t, r.stderr).Confirmed)
		recs := readRejects(t, rejects)
		require.Len(t, recs, 3)
		assert.Equal(t, "2", recs[1][0])
		assert.Contains(t, recs[1][1], "longer than "+strconv.Itoa(maxLineBytes))
		assert.Less(t, len(recs[1][2]), 4096, "a long line is kept in part")
		assert.Equal(t, "3", recs[2][0])
		assert.Contains(t, recs[2][1], "name is")
		assert.Contains(t, recs[2][1], "longer than")
		assert.Contains(t, listAddresses(t, s, id), "c@example.com")
	})
}

// zeros is an endless reader of NUL bytes, as /dev/zero.
type zeros struct{}

func (zeros) Read(p []byte) (int, error) {
	clear(p)
	return len(p), nil
}

// Item 3: memory stays bounded on /dev/zero's bytes after a good header
// (read through standard input, 256 MiB of them: bounded time).
func TestImportMemoryOnZeros(t *testing.T) {
	if raceEnabled || testing.Short() {
		t.Skip("256 MiB of input")
	}
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "zeros")
	in := io.MultiReader(strings.NewReader("email,name\na@example.com,A\n"), io.LimitReader(zeros{}, 256<<20))
	var errb bytes.Buffer
	var code int
	m := measure(func() {
		code = execute(context.Background(), []string{"addresses", "import", id, "-"}, &env{
			getenv: func(k string) string { return c.vars[k] }, stdin: in, stdout: io.Discard, stderr: &errb,
		})
	})
	assert.Equal(t, exitPartial, code, errb.String())
	assert.Contains(t, errb.String(), "longer than")
	assert.Less(t, m.peak, uint64(maxPeakHeap), "peak heap %.1f MiB", float64(m.peak)/(1<<20))
	t.Logf("256 MiB of zeros: peak heap %.1f MiB in %v", float64(m.peak)/(1<<20), m.wall.Round(time.Millisecond))
	assert.Contains(t, listAddresses(t, s, id), "a@example.com")
}

// Item 5: "-" is standard input.
func TestImportStdinDash(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "stdin")
	c.stdin = "email,name\na@example.com,A\nb@example.com,B\n"
	r := c.run("addresses", "import", id, "-")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, int64(2), summaryOf(t, r.stderr).Confirmed)
	assert.Len(t, listAddresses(t, s, id), 2)
}

// Item 5: an input that yields nothing for --timeout is an error.
func TestImportSilentInputTimesOut(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "silent")
	pr, pw := io.Pipe()
	defer pw.Close()
	var errb bytes.Buffer
	start := time.Now()
	code := execute(context.Background(), []string{"addresses", "import", id, "-", "--timeout", "200ms"}, &env{
		getenv: func(k string) string { return c.vars[k] }, stdin: pr, stdout: io.Discard, stderr: &errb,
	})
	assert.Equal(t, exitError, code)
	assert.Contains(t, errb.String(), "nothing for 200ms")
	assert.Less(t, time.Since(start), 5*time.Second)
}

// Item 6: a re-run continues from the journal without reading the list;
// with the file changed, reading the list is the check again.
func TestImportResumesFromJournal(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "journal")
	path := emailsCSV(t, "j", 50)
	journal := path + journalSuffix

	s.Fail(bestedmtest.Match{Action: "ml-addr-add"}, 2, bestedmtest.Delay(0))
	s.Fail(bestedmtest.Match{Action: "ml-addr-add"}, 1, bestedmtest.HTTPStatus(400))
	r := c.fails(1, []string{"addresses", "import", id, path, "--batch", "10"}, "batch 3", "not added")
	sum := summaryOf(t, r.stderr)
	assert.Equal(t, int64(20), sum.Confirmed)
	assert.Equal(t, int64(10), sum.NotSent)
	assert.FileExists(t, journal)

	s.ClearFaults()
	s.ClearRequests()
	r = c.run("addresses", "import", id, path, "--batch", "10")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "resuming at line 22")
	assert.Equal(t, importSummary{Rows: 30, Confirmed: 30, Batches: 3, Added: 30}, summaryOf(t, r.stderr))
	assert.Zero(t, countAction(s, "ml-addr-list"), "the list is not read")
	assert.Len(t, listAddresses(t, s, id), 50)
	assert.NoFileExists(t, journal, "a finished import leaves no journal")

	// Interrupted again, then the file changes: the journal is not trusted.
	id2 := emptyList(t, c, "journal changed")
	s.Fail(bestedmtest.Match{Action: "ml-addr-add"}, 1, bestedmtest.Delay(0))
	s.Fail(bestedmtest.Match{Action: "ml-addr-add"}, 1, bestedmtest.HTTPStatus(400))
	c.fails(1, []string{"addresses", "import", id2, path, "--batch", "10"}, "not added")
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	require.NoError(t, err)
	_, err = f.WriteString("extra@example.com\n")
	require.NoError(t, err)
	require.NoError(t, f.Close())
	s.ClearFaults()
	s.ClearRequests()
	r = c.run("addresses", "import", id2, path, "--batch", "10")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "changed")
	assert.NotZero(t, countAction(s, "ml-addr-list"), "the list is read")
	assert.Equal(t, int64(10), summaryOf(t, r.stderr).Existing)
	assert.Len(t, listAddresses(t, s, id2), 51)
}

// Item 8: what production stores but cannot give back is refused before
// sending, and the list stays readable.
func TestImportRefusesUnstorableText(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "unstorable")
	path := writeFile(t, "in.csv", []byte("email,name,var1\n"+
		"bel@example.com,a\x07b,x\n"+
		"esc@example.com,Promo \x1b[1mBOLD,x\n"+
		"nul@example.com,x,a\x00b\n"+
		"big@example.com,"+strings.Repeat("n", 40<<10)+",x\n"+
		"ok@example.com,OK,x\n"))
	r := c.fails(exitPartial, []string{"addresses", "import", id, path}, "4 of 5 rows rejected")
	assert.Equal(t, int64(1), summaryOf(t, r.stderr).Confirmed)
	assert.NotContains(t, r.stderr, "\x07")
	got := listAddresses(t, s, id)
	assert.Equal(t, []string{"ok@example.com"}, mapKeys(got))
	c.ok("addresses", "export", id)

	s.ClearRequests()
	c.fails(1, []string{"addresses", "add", id, "a@example.com", "--name", "a\x01b"}, "control character", "[validation_error]")
	c.fails(1, []string{"lists", "create", "Promo \x1b[1mBOLD"}, "control character", "[validation_error]")
	assert.Empty(t, s.Requests(), "nothing sent")
	c.ok("lists", "list")
}

func mapKeys[V any](m map[string]V) []string {
	var k []string
	for key := range m {
		k = append(k, key)
	}
	return k
}

// Item 9: the encoding is decided from the whole file; undecodable rows
// are rejected, never stored as mojibake.
func TestImportEncodingFromWholeFile(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	gbk := func(s string) []byte {
		b, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte(s))
		require.NoError(t, err)
		return b
	}
	t.Run("UTF-8 with one stray byte", func(t *testing.T) {
		id := emptyList(t, c, "stray byte")
		path := writeFile(t, "in.csv", []byte("email,name\nzhang@example.com,张三\ncafe@example.com,caf\xe9\nli@example.com,李四\n"))
		rejects := filepath.Join(t.TempDir(), "rejects.csv")
		c.fails(exitPartial, []string{"addresses", "import", id, path, "--rejects", rejects}, "1 of 3 rows rejected", "line 3", "UTF-8")
		got := listAddresses(t, s, id)
		assert.Equal(t, "张三", got["zhang@example.com"].Name)
		assert.Equal(t, "李四", got["li@example.com"].Name)
		assert.NotContains(t, got, "cafe@example.com")
	})
	t.Run("GBK after 64 KiB of ASCII", func(t *testing.T) {
		id := emptyList(t, c, "late gbk")
		var b bytes.Buffer
		b.WriteString("email,name\n")
		for i := 0; b.Len() < 70<<10; i++ {
			b.WriteString("ascii" + strconv.Itoa(i) + "@example.com,Ascii\n")
		}
		b.Write(gbk("wang@example.com,王伟\n"))
		r := c.run("addresses", "import", id, writeFile(t, "in.csv", b.Bytes()))
		require.Equal(t, 0, r.code, r.stderr)
		assert.Equal(t, "王伟", listAddresses(t, s, id)["wang@example.com"].Name)
	})
	t.Run("ambiguous", func(t *testing.T) {
		id := emptyList(t, c, "ambiguous")
		data := append([]byte("email,name\nzhang@example.com,张三\n"), gbk("wang@example.com,王伟\n")...)
		path := writeFile(t, "in.csv", data)
		s.ClearRequests()
		c.fails(1, []string{"addresses", "import", id, path}, "--encoding")
		assert.Zero(t, countAction(s, "ml-addr-add"))
		r := c.fails(exitPartial, []string{"addresses", "import", id, path, "--encoding", "gbk"}, "1 of 2 rows rejected", "line 2", "GBK")
		assert.Equal(t, int64(1), summaryOf(t, r.stderr).Confirmed)
		assert.Equal(t, "王伟", listAddresses(t, s, id)["wang@example.com"].Name)
	})
}

// Item 10: the password comes first on standard input, and an error never
// echoes a line of input that could be it.
func TestImportPasswordStdinBeforeData(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "password stdin")
	pw := c.vars["BESTEDM_PASSWORD"]
	c.vars["BESTEDM_PASSWORD"] = ""
	c.stdin = pw + "\nemail,name\na@example.com,A\n"
	r := c.run("--password-stdin", "addresses", "import", id, "-")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, listAddresses(t, s, id), 1)

	c.stdin = pw + "\nwho,name\na@example.com,A\n"
	r = c.fails(exitUsage, []string{"--password-stdin", "addresses", "import", id, "-"}, "no email column")
	assert.NotContains(t, r.stderr, pw)
	// A header that is the password itself (given without --password-stdin)
	// is not echoed either.
	c.vars["BESTEDM_PASSWORD"] = pw
	c.stdin = "demo-secret\na@example.com\n"
	r = c.fails(exitUsage, []string{"addresses", "import", id, "-"}, "no email column")
	assert.NotContains(t, r.stderr, "demo-secret")
}

// Item 11: a batch whose reply was lost is reported as unknown, counted
// as such, and a re-run adds nothing twice.
func TestImportUnknownOutcome(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "unknown outcome")
	path := emailsCSV(t, "u", 30)
	s.Fail(bestedmtest.Match{Action: "ml-addr-add"}, 1, bestedmtest.Delay(0))
	s.Fail(bestedmtest.Match{Action: "ml-addr-add"}, 1, bestedmtest.DropConnection())
	r := c.fails(1, []string{"addresses", "import", id, path, "--batch", "10"}, "batch 2", "may have been added", "a re-run adds nothing twice")
	assert.NotContains(t, r.stderr, "not added")
	sum := summaryOf(t, r.stderr)
	assert.Equal(t, importSummary{Rows: 20, Confirmed: 10, Batches: 1, Added: 10, Unknown: 10}, sum, "the import stops at the batch")
	assert.Len(t, listAddresses(t, s, id), 20, "the lost reply's batch was added")

	s.ClearFaults()
	r = c.run("addresses", "import", id, path, "--batch", "10")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Len(t, listAddresses(t, s, id), 30)
}

// Item 11: a batch the server finds too large is split and sent again.
func TestImportSplitsTooLargeBatch(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "too large")
	path := emailsCSV(t, "l", 20)
	s.ClearRequests()
	s.Fail(bestedmtest.Match{Action: "ml-addr-add"}, 1, bestedmtest.HTTPStatus(413))
	r := c.run("addresses", "import", id, path, "--batch", "20")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Equal(t, 3, countAction(s, "ml-addr-add"), "the batch, then its two halves")
	assert.Equal(t, int64(20), summaryOf(t, r.stderr).Confirmed)
	assert.Len(t, listAddresses(t, s, id), 20)
}

// Three imports of one file into one list at once share its journal:
// nothing is missing, nothing doubled, no journal is left.
func TestImportConcurrentRunsShareJournal(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "concurrent")
	path := emailsCSV(t, "k", 300)
	codes := make(chan int, 3)
	for range 3 {
		go func() {
			codes <- execute(context.Background(), []string{"addresses", "import", id, path, "--batch", "10"}, &env{
				getenv: func(k string) string { return c.vars[k] }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard,
			})
		}()
	}
	for range 3 {
		assert.Equal(t, 0, <-codes)
	}
	assert.Len(t, listAddresses(t, s, id), 300)
	assert.NoFileExists(t, path+journalSuffix)
	matches, err := filepath.Glob(filepath.Join(filepath.Dir(path), ".*"))
	require.NoError(t, err)
	assert.Empty(t, matches, "no temporary journal left")
}
