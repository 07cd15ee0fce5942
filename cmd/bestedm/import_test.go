package main

import (
	"bytes"
	"context"
	"encoding/csv"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/text/encoding/simplifiedchinese"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
)

// emptyList creates a list and returns its id as an argument.
func emptyList(t *testing.T, c *cli, name string) string {
	t.Helper()
	return strings.Fields(c.ok("lists", "create", name))[0]
}

// listAddresses reads a list's addresses through the SDK.
func listAddresses(t *testing.T, s *bestedmtest.Server, id string) map[string]bestedm.Address {
	t.Helper()
	sdk := sdkClient(t, s)
	lid, err := strconv.ParseInt(id, 10, 64)
	require.NoError(t, err)
	got := map[string]bestedm.Address{}
	for a, err := range sdk.Maillist.ListAddresses(context.Background(), &bestedm.AddressListOptions{ListID: &lid, Limit: 500}) {
		require.NoError(t, err)
		got[a.Email] = a
	}
	return got
}

func writeFile(t *testing.T, name string, b []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	require.NoError(t, os.WriteFile(p, b, 0o644))
	return p
}

func countAction(s *bestedmtest.Server, action string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Action == action {
			n++
		}
	}
	return n
}

func TestImportFormats(t *testing.T) {
	s := newFake(t)
	gbk, err := simplifiedchinese.GBK.NewEncoder().Bytes([]byte("邮箱,姓名,性别,生日,地区\nwang@example.com,王伟,男,1988-02-03,深圳\nli@example.com,李娜,女,,北京\n"))
	require.NoError(t, err)
	for _, tc := range []struct {
		name string
		data []byte
		args []string
	}{
		{"utf8 csv", []byte("email,name,sex,birthday,area\nwang@example.com,王伟,M,1988-02-03,深圳\nli@example.com,李娜,F,,北京\n"), nil},
		{"utf8 bom csv, CRLF", []byte("\xef\xbb\xbfE-mail,Full name,Gender,Birthday,City\r\nwang@example.com,王伟,male,1988/2/3,深圳\r\nli@example.com,李娜,female,,北京\r\n"), nil},
		{"gbk sniffed", gbk, nil},
		{"gbk by flag", gbk, []string{"--encoding", "gbk"}},
		{"tsv sniffed with mapping", []byte("Kontakt\tWho\tsex\tbirthday\tOrt\nwang@example.com\t王伟\tM\t1988-02-03\t深圳\nli@example.com\t\"李娜\"\tF\t\t北京\n"), []string{"--map", "email=Kontakt,name=Who,area=Ort"}},
		{"tsv by flag", []byte("email\tname\tsex\tbirthday\tarea\nwang@example.com\t王伟\tM\t1988-02-03\t深圳\nli@example.com\t李娜\tF\t\t北京\n"), []string{"--input-format", "tsv"}},
		// A spreadsheet saved in a locale whose decimal mark is a comma
		// writes ";" between fields.
		{"semicolon sniffed", []byte("email;name;sex;birthday;area\nwang@example.com;王伟;M;1988-02-03;深圳\nli@example.com;\"李娜\";F;;北京\n"), nil},
		{"pipe by flag", []byte("email|name|sex|birthday|area\nwang@example.com|王伟|M|1988-02-03|深圳\nli@example.com|李娜|F||北京\n"), []string{"--delimiter", "pipe"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t, s)
			id := emptyList(t, c, "import "+tc.name)
			path := writeFile(t, "in.txt", tc.data)
			r := c.run(append([]string{"addresses", "import", id, path}, tc.args...)...)
			require.Equal(t, 0, r.code, r.stderr)
			assert.Contains(t, r.stderr, "2 rows read")
			got := listAddresses(t, s, id)
			require.Len(t, got, 2)
			w := got["wang@example.com"]
			assert.Equal(t, "王伟", w.Name)
			assert.Equal(t, bestedm.SexMale, w.Sex)
			assert.Equal(t, "1988-02-03", w.Birthday.Format("2006-01-02"))
			assert.Equal(t, "深圳", w.Area)
			assert.Equal(t, "李娜", got["li@example.com"].Name)
			assert.Equal(t, bestedm.SexFemale, got["li@example.com"].Sex)
		})
	}
}

func TestImportBatchesAndRerun(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "batches")
	var b bytes.Buffer
	b.WriteString("email,name\n")
	for i := range 25 {
		b.WriteString("user" + strconv.Itoa(i) + "@example.com,User " + strconv.Itoa(i) + "\n")
	}
	b.WriteString("user3@example.com,again\n") // a duplicate in the file: the server counts it
	path := writeFile(t, "in.csv", b.Bytes())

	s.ClearRequests()
	type batch struct{ Batch, Rows, Added, Duplicate, Invalid int }
	out := c.ok("addresses", "import", id, path, "--batch", "10", "-O", "json")
	batches := jsonLines[batch](t, out)
	assert.Equal(t, []batch{{1, 10, 10, 0, 0}, {2, 10, 10, 0, 0}, {3, 6, 5, 1, 0}}, batches)
	assert.Equal(t, 3, countAction(s, "ml-addr-add"))
	assert.Len(t, listAddresses(t, s, id), 25)

	// Run again, as after a failure: nothing is sent, nothing added twice.
	s.ClearRequests()
	r := c.run("addresses", "import", id, path, "--batch", "10")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "0 sent and confirmed in 0 batches")
	assert.Contains(t, r.stderr, "26 already in the list")
	assert.Zero(t, countAction(s, "ml-addr-add"))
	assert.Len(t, listAddresses(t, s, id), 25)
}

func TestImportStopsAndResumes(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "resume")
	path := emailsCSV(t, "r", 30)

	// The first batch passes (a zero delay), the second fails with a 500,
	// which a write is not retried on: its outcome is unknown.
	s.Fail(bestedmtest.Match{Script: "mloperate.php", Action: "ml-addr-add"}, 1, bestedmtest.Delay(0))
	s.Fail(bestedmtest.Match{Script: "mloperate.php", Action: "ml-addr-add"}, 1, bestedmtest.HTTPStatus(500))
	r := c.fails(1, []string{"addresses", "import", id, path, "--batch", "10"}, "import stopped", "run it again", "may have been added", "[http_error 500]")
	assert.Equal(t, importSummary{Rows: 20, Confirmed: 10, Batches: 1, Added: 10, Unknown: 10}, summaryOf(t, r.stderr))
	assert.Len(t, listAddresses(t, s, id), 10)

	s.ClearFaults()
	r = c.run("addresses", "import", id, path, "--batch", "10")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "resuming at line 12")
	assert.Len(t, listAddresses(t, s, id), 30)

	// Without the journal, reading the list is the check.
	id = emptyList(t, c, "resume without journal")
	s.Fail(bestedmtest.Match{Script: "mloperate.php", Action: "ml-addr-add"}, 1, bestedmtest.Delay(0))
	s.Fail(bestedmtest.Match{Script: "mloperate.php", Action: "ml-addr-add"}, 1, bestedmtest.HTTPStatus(500))
	c.fails(1, []string{"addresses", "import", id, path, "--batch", "10", "--journal=false"}, "import stopped")
	s.ClearFaults()
	r = c.run("addresses", "import", id, path, "--batch", "10", "--journal=false")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "10 already in the list")
	assert.Len(t, listAddresses(t, s, id), 30)
}

func TestImportBadInput(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "bad input")

	t.Run("missing file", func(t *testing.T) {
		s.ClearRequests()
		c.fails(1, []string{"addresses", "import", id, filepath.Join(t.TempDir(), "nope.csv")}, "nope.csv", "no such file or directory", "[file_error]")
		assert.Empty(t, s.Requests())
	})
	t.Run("broken rows", func(t *testing.T) {
		path := writeFile(t, "in.csv", []byte("email,name\nok1@example.com,One\nnot-an-address,Two\nok2@example.com,Three,extra\nok3@example.com,\"Four\" x\nok4@example.com,Five\n"))
		rejects := filepath.Join(t.TempDir(), "rejects.csv")
		r := c.fails(exitPartial, []string{"addresses", "import", id, path, "--rejects", rejects},
			"3 of 5 rows rejected", `line 3: "not-an-address" is not an email address`, "written to "+rejects)
		assert.Contains(t, r.stderr, "2 sent")
		got := listAddresses(t, s, id)
		assert.Len(t, got, 2)
		assert.Contains(t, got, "ok1@example.com")
		assert.Contains(t, got, "ok4@example.com")
		recs := readRejects(t, rejects)
		require.Len(t, recs, 4)
		assert.Equal(t, []string{"line", "reason", "email", "name"}, recs[0])
		assert.Equal(t, []string{"3", `"not-an-address" is not an email address`, "not-an-address", "Two"}, recs[1])
		assert.Equal(t, "4", recs[2][0])
		assert.Equal(t, "has 3 fields, the header has 2", recs[2][1])
		assert.Equal(t, "5", recs[3][0])
		assert.Contains(t, recs[3][1], "broken row")
	})
	t.Run("rows Address.Validate refuses", func(t *testing.T) {
		id := emptyList(t, c, "validate")
		path := writeFile(t, "in.csv", []byte("email,name,var1\n"+
			"o'brien@example.com,O'Brien,x\n"+
			"root@localhost,Root,x\n"+
			"li@example.com,\"Li;Lei\",x\n"+
			"wu@example.com,Wu,\"two\nlines\"\n"+
			",Nobody,x\n"+
			"zhao@example.com,Zhao,x\n"))
		rejects := filepath.Join(t.TempDir(), "rejects.csv")
		r := c.fails(exitPartial, []string{"addresses", "import", id, path, "--rejects", rejects}, "4 of 6 rows rejected")
		assert.Contains(t, r.stderr, "2 sent")
		got := listAddresses(t, s, id)
		assert.Len(t, got, 2)
		assert.Contains(t, got, "o'brien@example.com")
		assert.Contains(t, got, "zhao@example.com")
		recs := readRejects(t, rejects)
		require.Len(t, recs, 5)
		assert.Equal(t, []string{"3", `"root@localhost" is not an email address: the domain needs dot-separated names, such as example.com`}, recs[1][:2])
		assert.Equal(t, []string{"4", `name "Li;Lei" contains ";" or a line break, which separate the fields and lines of ml_addr`}, recs[2][:2])
		assert.Equal(t, []string{"5", `var1 "two\nlines" contains ";" or a line break, which separate the fields and lines of ml_addr`}, recs[3][:2])
		assert.Equal(t, []string{"7", "no email address"}, recs[4][:2])
	})
	t.Run("wrong password", func(t *testing.T) {
		c := newCLI(t, s)
		c.vars["BESTEDM_PASSWORD"] = "wrong-secret"
		path := writeFile(t, "in.csv", []byte("email\na@example.com\n"))
		s.ClearRequests()
		r := c.fails(exitAuth, []string{"addresses", "import", id, path}, "[unauthorized]")
		assert.NotContains(t, r.stderr, "wrong-secret")
		assert.Zero(t, countAction(s, "ml-addr-add"))
	})
	t.Run("unknown list", func(t *testing.T) {
		path := writeFile(t, "in.csv", []byte("email\na@example.com\n"))
		s.ClearRequests()
		c.fails(1, []string{"addresses", "import", "999999", path}, "list 999999", "[not_found]")
		assert.Zero(t, countAction(s, "ml-addr-add"))
	})
	t.Run("no email column", func(t *testing.T) {
		path := writeFile(t, "in.csv", []byte("who,name\na@example.com,A\n"))
		c.fails(2, []string{"addresses", "import", id, path}, "no email column", "--map email=COLUMN")
		c.fails(2, []string{"addresses", "import", id, path, "--map", "email=Mail"}, `no column "Mail"`)
		c.fails(2, []string{"addresses", "import", id, path, "--map", "shoe=who"}, `"shoe=who" is not field=Header`)
		c.ok("addresses", "import", id, path, "--map", "email=who")
	})
	t.Run("empty file", func(t *testing.T) {
		c.fails(1, []string{"addresses", "import", id, writeFile(t, "in.csv", nil)}, "is empty")
	})
}

// emailsCSV writes a CSV file of one column, email, holding n addresses
// prefix0@example.com, prefix1@example.com, …, and returns its path.
func emailsCSV(t *testing.T, prefix string, n int) string {
	var b strings.Builder
	b.WriteString("email\n")
	for i := range n {
		b.WriteString(prefix + strconv.Itoa(i) + "@example.com\n")
	}
	return writeFile(t, "in.csv", []byte(b.String()))
}

// readRejects reads the --rejects file: a header, then line, reason and
// the row's fields (none for a row the CSV reader could not split).
func readRejects(t *testing.T, path string) [][]string {
	t.Helper()
	f, err := os.Open(path)
	require.NoError(t, err)
	defer f.Close()
	cr := csv.NewReader(f)
	cr.FieldsPerRecord = -1
	recs, err := cr.ReadAll()
	require.NoError(t, err)
	return recs
}

func TestImportProgressOnlyOnTerminal(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "progress")
	path := emailsCSV(t, "p", 3000)
	var out, errb bytes.Buffer
	code := execute(context.Background(), []string{"addresses", "import", id, path}, &env{
		getenv: func(k string) string { return c.vars[k] }, stdin: strings.NewReader(""),
		stdout: &out, stderr: &errb, stderrIsTTY: true,
	})
	require.Equal(t, 0, code, errb.String())
	assert.Contains(t, errb.String(), "importing")
	assert.Contains(t, errb.String(), "\r", "the bar redraws in place")

	r := c.run("addresses", "import", id, path) // not a terminal
	require.Equal(t, 0, r.code)
	assert.NotContains(t, r.stderr, "importing")
	assert.NotContains(t, r.stderr, "\r")
	assert.Equal(t, 1, strings.Count(r.stderr, "\n"), r.stderr)
}

func TestExportImportRoundTrip(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	lists := jsonLines[bestedm.Maillist](t, c.ok("lists", "list", "-O", "json"))
	src := strconv.FormatInt(lists[0].ID, 10)
	file := filepath.Join(t.TempDir(), "export.csv")
	assert.Empty(t, c.ok("addresses", "export", src, "-O", "csv", "-o", file))
	dst := emptyList(t, c, "copy")
	c.ok("addresses", "import", dst, file)

	want, got := listAddresses(t, s, src), listAddresses(t, s, dst)
	require.Len(t, got, len(want))
	for email, w := range want {
		g := got[email]
		assert.Equal(t, addressCells(&w), addressCells(&g), email)
	}

	// An export that fails leaves no file behind to be mistaken for a whole one.
	s.FailAlways(bestedmtest.Match{Action: "ml-addr-list"}, bestedmtest.HTTPStatus(500))
	bad := filepath.Join(t.TempDir(), "bad.csv")
	c.fails(1, []string{"addresses", "export", src, "-o", bad}, "[http_error 500]")
	assert.NoFileExists(t, bad)
}

func TestImportTableLinesUp(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "table")
	out := c.ok("addresses", "import", id, emailsCSV(t, "t", 12), "--batch", "1")
	lines := strings.Split(strings.TrimSuffix(out, "\n"), "\n")
	require.Len(t, lines, 13)
	col := strings.Index(lines[0], "ROWS")
	for _, l := range lines[1:] {
		assert.Equal(t, "1", l[col:col+1], "%q under %q", l, lines[0])
	}
}

func TestImportInterrupted(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "interrupted")
	path := emailsCSV(t, "i", 50)

	// The second batch hangs until the user presses Ctrl-C (the context ends).
	s.ClearRequests()
	s.Fail(bestedmtest.Match{Action: "ml-addr-add"}, 1, bestedmtest.Delay(0))
	s.Fail(bestedmtest.Match{Action: "ml-addr-add"}, 1, bestedmtest.Delay(time.Minute))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out, errb syncBuffer
	done := make(chan int, 1)
	go func() {
		done <- execute(ctx, []string{"addresses", "import", id, path, "--batch", "20"}, &env{
			getenv: func(k string) string { return c.vars[k] }, stdin: strings.NewReader(""), stdout: &out, stderr: &errb,
		})
	}()
	require.Eventually(t, func() bool { return countAction(s, "ml-addr-add") == 2 }, 5*time.Second, 5*time.Millisecond)
	cancel()
	select {
	case code := <-done:
		assert.Equal(t, exitInterrupted, code)
	case <-time.After(5 * time.Second):
		t.Fatal("import did not stop when its context ended")
	}
	assert.Contains(t, errb.String(), "import interrupted")
	assert.Contains(t, errb.String(), "run it again")
	assert.Equal(t, importSummary{Rows: 40, Confirmed: 20, Batches: 1, Added: 20, Unknown: 20}, summaryOf(t, errb.String()),
		"the batch in flight is abandoned after the grace period: its outcome is unknown")
	assert.Len(t, listAddresses(t, s, id), 20)

	s.ClearFaults()
	r := c.run("addresses", "import", id, path, "--batch", "20")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Contains(t, r.stderr, "resuming at line 22")
	assert.Len(t, listAddresses(t, s, id), 50)
}

// The flag rules of import, through the runF seam: no server, no file.
func TestImportFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string // part of the usage error, "" when accepted
	}{
		{[]string{"35", "in.csv"}, ""},
		{[]string{"35", "-", "--encoding", "GBK", "--batch", "10000", "--journal=false"}, ""},
		{[]string{"35", "in.csv", "--batch", "10001"}, "--batch must be 1 to 10000"},
		{[]string{"35", "in.csv", "--input-format", "xls"}, "--input-format must be"},
		{[]string{"35", "in.csv", "--encoding", "latin1"}, "--encoding must be"},
		{[]string{"0", "in.csv"}, "LIST must be a positive number"},
	} {
		var got *importOptions
		cmd := newCmdAddressesImport(&app{env: &env{}}, func(o *importOptions) error { got = o; return nil })
		cmd.SetArgs(tc.args)
		cmd.SetOut(io.Discard)
		cmd.SetErr(io.Discard)
		err := cmd.Execute()
		if tc.want != "" {
			var ue *usageError
			require.ErrorAs(t, err, &ue, "%v", tc.args)
			assert.Contains(t, err.Error(), tc.want)
			assert.Nil(t, got, "run not called")
			continue
		}
		require.NoError(t, err, "%v", tc.args)
		require.NotNil(t, got)
		assert.Equal(t, int64(35), got.ListID)
		assert.Equal(t, tc.args[1], got.File)
	}
	var got *importOptions
	cmd := newCmdAddressesImport(&app{env: &env{}}, func(o *importOptions) error { got = o; return nil })
	cmd.SetArgs([]string{"7", "-", "--encoding", "GBK", "--journal=false"})
	require.NoError(t, cmd.Execute())
	assert.Equal(t, importOptions{app: got.app, ListID: 7, File: "-", Format: "auto", Encoding: "gbk",
		BatchSize: bestedm.DefaultBatchSize, SkipExisting: true, Journal: false}, *got)
}

// TestTrimSpaceIsStringsTrimSpace: the import's trimSpace takes shortcuts
// for fields that start and end with a character that is not a space;
// its result is always strings.TrimSpace's.
func TestTrimSpaceIsStringsTrimSpace(t *testing.T) {
	for _, s := range []string{"", " ", "a", " a", "a ", "张三", " 张三", "张三 ", "\u3000张三\u3000", "张\u00a0",
		"\u00a0张", "\x01a\x01", "a\t", "\ta", "\xff", "\xffa\xff", "a\u0085", "\u2028a", "王 五", "x@y.com"} {
		assert.Equal(t, strings.TrimSpace(s), trimSpace(s), "%q", s)
	}
}
