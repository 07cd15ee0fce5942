package main

import (
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
)

// jsonLines parses a JSON array, or JSON Lines (one object a line), into T.
func jsonLines[T any](t *testing.T, out string) []T {
	t.Helper()
	var v []T
	if strings.HasPrefix(out, "[") {
		require.NoError(t, json.Unmarshal([]byte(out), &v), "json %q", out)
		return v
	}
	for _, line := range strings.Split(strings.TrimSuffix(out, "\n"), "\n") {
		if line == "" {
			continue
		}
		var x T
		require.NoError(t, json.Unmarshal([]byte(line), &x), "line %q", line)
		v = append(v, x)
	}
	return v
}

// trackedTask returns a finished task that tracks clicks, as the SDK reads it.
func trackedTask(t *testing.T, c *cli) bestedm.Task {
	t.Helper()
	for tk, err := range c.s.Client().Task.List(context.Background(), nil) {
		require.NoError(t, err)
		if tk.SendStatus == bestedm.SendFinished && tk.TrackStatus == bestedm.TrackOpensAndClicks {
			return tk
		}
	}
	t.Fatal("the fake has no finished task tracking clicks")
	return bestedm.Task{}
}

// TestJSONOutput: the JSON holds what the SDK reads, under the documented
// keys (docs/cli.md).
func TestJSONOutput(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	sdk := sdkClient(t, s)
	ctx := context.Background()

	type list struct {
		ID          int64  `json:"id"`
		Name        string `json:"name"`
		Addresses   int64  `json:"addresses"`
		Status      string `json:"status"`
		Description string `json:"description"`
	}
	lists := jsonLines[list](t, c.ok("lists", "list", "-F", "json"))
	want, err := sdk.Maillist.List(ctx)
	require.NoError(t, err)
	require.Len(t, lists, len(want))
	for i, l := range want {
		assert.Equal(t, list{l.ID, l.Name, l.Count, string(l.Status), l.Description}, lists[i])
	}

	task := trackedTask(t, c)
	ref := bestedm.TaskByID(task.ID)
	var wantOpens []bestedm.OpenDetail
	for o, err := range sdk.Track.Opens(ctx, ref) {
		require.NoError(t, err)
		wantOpens = append(wantOpens, o)
	}
	type open struct {
		Email     string    `json:"email"`
		FirstOpen time.Time `json:"open_first"`
	}
	opens := jsonLines[open](t, c.ok("track", "opens", strconv.FormatInt(task.ID, 10), "-F", "json"))
	require.NotEmpty(t, opens)
	assert.Len(t, opens, len(wantOpens))
	assert.Equal(t, wantOpens[0].Email, opens[0].Email)
	assert.True(t, wantOpens[0].OpenFirst.Equal(opens[0].FirstOpen))

	csvOut := c.ok("account", "-F", "csv")
	recs, err := csv.NewReader(strings.NewReader(csvOut)).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 2)
	assert.Equal(t, "username", recs[0][1])
	assert.Equal(t, s.Customer().Username, recs[1][1])

	var acct struct {
		Username    string `json:"username"`
		QuotaBought int64  `json:"quota_bought"`
	}
	require.NoError(t, json.Unmarshal([]byte(c.ok("account", "-F", "json")), &acct))
	assert.Equal(t, s.Customer().Username, acct.Username)
	assert.Positive(t, acct.QuotaBought)

	var rep struct {
		Task        int64 `json:"task"`
		Failed      int64 `json:"failed"`
		OpensUnique int64 `json:"open_unique"`
		NotExist    int64 `json:"failed_not_exist"`
		OverQuota   int64 `json:"failed_over_quota"`
		UserReject  int64 `json:"failed_user_reject"`
		Other       int64 `json:"failed_other"`
	}
	require.NoError(t, json.Unmarshal([]byte(c.ok("report", task.SN, "-F", "json")), &rep))
	assert.Equal(t, task.ID, rep.Task)
	assert.Equal(t, int64(len(wantOpens)), rep.OpensUnique)

	type failedRow struct {
		Kind string `json:"kind"`
		Task int64  `json:"task"`
	}
	failed := jsonLines[failedRow](t, c.ok("failed", "--date", task.SendTime.Format("2006-01-02"), "--task", strconv.FormatInt(task.ID, 10), "-F", "json"))
	assert.Len(t, failed, int(rep.Failed))
	for _, f := range failed {
		assert.Equal(t, task.ID, f.Task)
		assert.NotEmpty(t, f.Kind)
	}
}

func TestListsLifecycle(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	out := c.ok("lists", "create", "Autumn fair", "--description", "cards")
	id := strings.Fields(out)[0]
	_, err := strconv.ParseInt(id, 10, 64)
	require.NoError(t, err, "create prints the new id first: %q", out)

	c.ok("lists", "edit", id, "--name", "Autumn fair 2026", "--status", "disabled")
	var l bestedm.Maillist
	require.NoError(t, json.Unmarshal([]byte(c.ok("lists", "show", id, "-O", "json")), &l))
	assert.Equal(t, "Autumn fair 2026", l.Name)
	assert.Equal(t, bestedm.MaillistDisabled, l.Status)
	assert.Equal(t, "cards", l.Description)

	c.ok("addresses", "add", id, "li@example.com", "--name", "Li", "--sex", "F", "--birthday", "1990-05-04")
	c.ok("addresses", "subscribe", id, "wu@example.com=Wu", "zhao@example.com")
	exp := c.ok("addresses", "export", id, "-O", "csv")
	assert.Equal(t, 4, strings.Count(exp, "\n"), exp) // header and three addresses
	assert.Contains(t, exp, "li@example.com,Li,F,1990-05-04,")

	c.ok("addresses", "rm", id, "li@example.com")
	c.fails(1, []string{"addresses", "rm", id, "li@example.com"}, "li@example.com in list", "not found", "[not_found]")
	c.ok("addresses", "unsubscribe", id, "wu@example.com")
	c.ok("lists", "empty", id)
	require.NoError(t, json.Unmarshal([]byte(c.ok("lists", "show", id, "-O", "json")), &l))
	assert.Zero(t, l.Count)
	c.ok("lists", "delete", id)
	c.fails(1, []string{"lists", "show", id}, "[not_found]")
}

func TestTemplatesAndTasks(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	dir := t.TempDir()
	html := filepath.Join(dir, "mail.html")
	require.NoError(t, os.WriteFile(html, []byte(`<p>Hello {$fullname}, <a href="https://example.com/x">see</a></p>`), 0o644))
	att1, att2 := filepath.Join(dir, "a.pdf"), filepath.Join(dir, "b.txt")
	require.NoError(t, os.WriteFile(att1, []byte("%PDF-1.4 fake"), 0o644))
	require.NoError(t, os.WriteFile(att2, []byte("notes"), 0o644))

	s.ClearRequests()
	out := c.ok("templates", "create", "Winter", "--subject", "Winter sale", "--subject", "Last days", "--html", html, "--attach", att1, "--attach", att2)
	tplID := strings.Fields(out)[0]
	var files []string
	for _, r := range s.Requests() {
		if r.Action == "add-tpl" {
			for _, f := range r.Files {
				files = append(files, f.Name)
			}
		}
	}
	assert.ElementsMatch(t, []string{"a.pdf", "b.txt"}, files)

	var tpl struct {
		Name        string   `json:"name"`
		Subjects    []string `json:"subjects"`
		Attachments []string `json:"attachments"`
	}
	require.NoError(t, json.Unmarshal([]byte(c.ok("templates", "show", tplID, "-F", "json")), &tpl))
	assert.Equal(t, "Winter", tpl.Name)
	assert.Len(t, tpl.Subjects, 2)
	assert.Len(t, tpl.Attachments, 2)
	assert.Equal(t, `<p>Hello {$fullname}, <a href="https://example.com/x">see</a></p>`, c.ok("templates", "show", tplID, "--content"))

	lists := jsonLines[bestedm.Maillist](t, c.ok("lists", "list", "-O", "json"))
	out = c.ok("tasks", "create", "--template", tplID, "--list", strconv.FormatInt(lists[0].ID, 10),
		"--from", "all", "--domain", "all", "--hold", "--at", testStart.Add(48*time.Hour).Format("2006-01-02 15:04"))
	taskID := strings.Fields(out)[0]
	var tk struct {
		Status string `json:"status"`
	}
	require.NoError(t, json.Unmarshal([]byte(c.ok("tasks", "show", taskID, "-F", "json")), &tk))
	assert.Equal(t, bestedm.SendHeld.String(), tk.Status)
	c.ok("tasks", "resume", taskID)
	require.NoError(t, json.Unmarshal([]byte(c.ok("tasks", "show", taskID, "-F", "json")), &tk))
	assert.Equal(t, bestedm.SendWaiting.String(), tk.Status)
	c.ok("tasks", "delete", taskID)
	c.ok("templates", "delete", tplID)
	c.fails(1, []string{"templates", "show", tplID}, "not found")

	c.fails(1, []string{"templates", "create", "X", "--subject", "S", "--html", filepath.Join(dir, "missing.html")}, "missing.html", "no such file", "[file_error]")
	c.fails(2, []string{"templates", "create", "X", "--html", html}, "--subject and --html are required")
}

func TestAPIEscapeHatch(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	out := c.ok("api", "mloperate.php", "maillist-list")
	assert.True(t, strings.HasPrefix(out, `<?xml version="1.0" encoding="UTF-8"?>`), out)
	assert.Contains(t, out, "<maillist>")

	s.ClearRequests()
	c.ok("api", "mloperate.php", "maillist-add", "subject=From api", "status=enabled", "--post")
	reqs := s.Requests()
	require.Len(t, reqs, 1)
	assert.Equal(t, "POST", reqs[0].Method)
	assert.Equal(t, "From api", reqs[0].Form.Get("subject"))
	assert.Contains(t, c.ok("lists", "list"), "From api")

	c.fails(1, []string{"api", "mloperate.php", "no-such-action"}, "[api_error unknown_action]")
	c.fails(2, []string{"api"}, "needs a SCRIPT")
	c.fails(2, []string{"api", "task.php", "list-task", "oops"}, `"oops" is not key=value`)
}

func TestCredentials(t *testing.T) {
	s := newFake(t)

	t.Run("password from stdin, never echoed", func(t *testing.T) {
		c := newCLI(t, s)
		c.vars["BESTEDM_PASSWORD"] = ""
		c.stdin = s.Customer().Password + "\n"
		assert.Contains(t, c.ok("account", "--password-stdin"), s.Customer().Username)
		c.stdin = "hunter2-wrong\n"
		r := c.fails(exitAuth, []string{"account", "--password-stdin"}, "[unauthorized]")
		assert.NotContains(t, r.stderr+r.stdout, "hunter2-wrong")
	})
	t.Run("wrong password", func(t *testing.T) {
		c := newCLI(t, s)
		c.vars["BESTEDM_PASSWORD"] = "hunter2-wrong"
		r := c.fails(exitAuth, []string{"lists", "list"}, "bestedm lists list:", "auth_error", "[unauthorized]")
		assert.NotContains(t, r.stderr, "hunter2-wrong")
		assert.Empty(t, r.stdout)
	})
	t.Run("query mode", func(t *testing.T) {
		c := newCLI(t, s)
		s.ClearRequests()
		c.ok("lists", "list", "--auth", "query")
		reqs := s.Requests()
		require.Len(t, reqs, 1)
		assert.Equal(t, bestedmtest.AuthSchemeQuery, reqs[0].Auth)
		s.ClearRequests()
		c.ok("lists", "list")
		assert.Equal(t, bestedmtest.AuthSchemeBasic, s.Requests()[0].Auth)
	})
	t.Run("missing", func(t *testing.T) {
		c := newCLI(t, s)
		c.vars["BESTEDM_USERNAME"] = ""
		c.fails(1, []string{"account"}, "BESTEDM_USERNAME is not set")
		c = newCLI(t, s)
		c.vars["BESTEDM_PASSWORD"] = ""
		c.fails(1, []string{"account"}, "BESTEDM_PASSWORD is not set")
	})
	t.Run("unreachable server", func(t *testing.T) {
		c := newCLI(t, s)
		c.vars["BESTEDM_BASE_URL"] = "http://127.0.0.1:1/mm-ms/apinew/"
		c.fails(1, []string{"account", "--timeout", "2s"}, "[request_error]")
	})
}

func TestUsageErrors(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	s.ClearRequests()
	for _, args := range [][]string{
		{"no-such-command"},
		{"lists"},
		{"lists", "bogus"},
		{"lists", "show"},
		{"lists", "show", "abc"},
		{"lists", "show", "1", "2"},
		{"lists", "list", "--bogus"},
		{"lists", "list", "-O", "xml"},
		{"lists", "list", "--auth", "digest"},
		{"addresses", "import", "35"},
		{"addresses", "import", "35", "x.csv", "--encoding", "latin1"},
		{"addresses", "import", "35", "x.csv", "--batch", "0"},
		{"tasks", "create", "--template", "1"},
		{"failed", "--kind", "sad"},
		{"report", "a b"},
	} {
		r := c.fails(2, args, "usage")
		assert.Empty(t, r.stdout, "%v", args)
		assert.Equal(t, 1, strings.Count(r.stderr, "\n"), "%v: %q", args, r.stderr)
	}
	assert.Empty(t, s.Requests(), "a usage error sends nothing")
}

func TestHelpAndCompletion(t *testing.T) {
	c := newCLI(t, nil)
	out := c.ok("--help")
	for _, cmd := range []string{"account", "lists", "addresses", "templates", "tasks", "report", "track", "failed", "api", "fake", "completion"} {
		assert.Regexp(t, regexp.MustCompile(`(?m)^\s+`+cmd+`\s`), out)
	}
	assert.Contains(t, c.ok("addresses", "import", "--help"), "--rejects")
	assert.Contains(t, c.ok("completion", "bash"), "bash completion")
	assert.Contains(t, c.ok("completion", "zsh"), "compdef")
	assert.Contains(t, c.ok("__complete", "lists", ""), "create")
	assert.Contains(t, c.ok("__complete", "lists", "list", "--format", ""), "jsonl")
}

func TestCompletionOfIDs(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	out := c.ok("__complete", "lists", "show", "")
	assert.Contains(t, out, "35\t新闻订阅\n")
	assert.True(t, strings.HasSuffix(out, ":4\n"), "no file completion: %q", out)
	task := trackedTask(t, c)
	assert.Contains(t, c.ok("__complete", "report", ""), strconv.FormatInt(task.ID, 10)+"\t"+task.SN+" finished")
	assert.Contains(t, c.ok("__complete", "templates", "show", ""), "57\t")
	assert.True(t, strings.HasSuffix(c.ok("__complete", "addresses", "import", "35", ""), ":0\n"), "files after LIST")

	c.vars["BESTEDM_USERNAME"] = ""
	assert.True(t, strings.HasSuffix(c.ok("__complete", "lists", "show", ""), ":5\n"), "an error, quietly")
}

func TestFakeCommand(t *testing.T) {
	f := startFakeCommand(t, "--seed", "3")
	c := f.c
	assert.Contains(t, c.ok("lists", "list"), "ADDRESSES")
	f.stop(t)
}

func TestTrackExportToFile(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	task := trackedTask(t, c)
	id := strconv.FormatInt(task.ID, 10)
	dir := t.TempDir()
	raw, parsed := filepath.Join(dir, "raw.xml"), filepath.Join(dir, "rows.csv")
	assert.Empty(t, c.ok("track", "export", id, "--raw", "-o", raw))
	assert.Empty(t, c.ok("track", "export", id, "-O", "csv", "-o", parsed))
	b, err := os.ReadFile(raw)
	require.NoError(t, err)
	assert.Contains(t, string(b), "<user>")
	b, err = os.ReadFile(parsed)
	require.NoError(t, err)
	lines := strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
	assert.Equal(t, strings.Join(trackColumns, ","), lines[0])
	opens := jsonLines[bestedm.OpenDetail](t, c.ok("track", "opens", id, "-O", "json"))
	assert.Len(t, lines, len(opens)+1, "one row per recipient who opened")
	clicked := jsonLines[map[string]any](t, c.ok("track", "export", id, "--clicked", "--format", "json"))
	require.NotEmpty(t, clicked)
	for _, r := range clicked {
		assert.NotEqual(t, float64(0), r["click_total"], r)
	}
	// --out, the old name of --output, still works.
	assert.Empty(t, c.ok("track", "export", id, "--raw", "--out", raw))
}

func TestTstr(t *testing.T) {
	loc := time.FixedZone("CST", 8*3600)
	for _, tm := range []time.Time{
		time.Date(2026, 12, 1, 9, 5, 59, 0, loc),
		time.Date(1999, 1, 31, 23, 59, 0, 0, loc),
		time.Date(12, 10, 10, 0, 0, 0, 0, time.UTC),
		time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		assert.Equal(t, tm.Format("2006-01-02 15:04"), tstr(tm))
	}
	assert.Equal(t, "-", tstr(time.Time{}))
}

func TestTcsv(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 12, 1, 9, 5, 59, 0, time.FixedZone("CST", 8*3600)),
		time.Date(1999, 1, 31, 23, 59, 0, 0, time.UTC),
		time.Date(2026, 6, 1, 0, 0, 0, 0, time.FixedZone("", -(3*3600+30*60))),
		time.Date(2026, 6, 1, 0, 0, 0, 0, time.FixedZone("", 5*3600+45*60)),
		time.Date(2026, 6, 1, 0, 0, 0, 0, time.FixedZone("LMT", 8*3600+5*60+43)),
		time.Date(2026, 6, 1, 0, 0, 0, 1500, time.UTC),
		time.Date(12, 10, 10, 0, 0, 0, 0, time.UTC),
		time.Date(12345, 1, 1, 0, 0, 0, 0, time.UTC),
	} {
		assert.Equal(t, tm.Format(time.RFC3339Nano), tcsv(tm))
	}
	assert.Equal(t, "", tcsv(time.Time{}))
}

// fakeCommand is `bestedm fake` running in the test, with a CLI set up
// with the variables it printed.
type fakeCommand struct {
	c      *cli
	cancel context.CancelFunc
	done   chan int
	errb   *syncBuffer
}

// startFakeCommand runs `bestedm fake` with args until the test's end or
// stop, and waits for the variables it prints.
func startFakeCommand(t *testing.T, args ...string) *fakeCommand {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	t.Cleanup(cancel)
	var out syncBuffer
	f := &fakeCommand{cancel: cancel, done: make(chan int, 1), errb: new(syncBuffer)}
	go func() {
		f.done <- execute(ctx, append([]string{"fake", "--addr", "127.0.0.1:0"}, args...), &env{
			getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &out, stderr: f.errb,
		})
	}()
	re := regexp.MustCompile(`(?m)^export (BESTEDM_\w+)=(\S+)$`)
	vars := map[string]string{}
	require.Eventually(t, func() bool {
		for _, m := range re.FindAllStringSubmatch(out.String(), -1) {
			vars[m[1]] = m[2]
		}
		return len(vars) == 3
	}, 5*time.Second, 10*time.Millisecond)
	f.c = newCLI(t, nil)
	f.c.vars = vars
	return f
}

// stop cancels the fake and checks that it ends, with exit code 0.
func (f *fakeCommand) stop(t *testing.T) {
	t.Helper()
	f.cancel()
	select {
	case code := <-f.done:
		assert.Equal(t, 0, code, f.errb.String())
	case <-time.After(10 * time.Second):
		t.Fatal("fake did not stop on cancel")
	}
}
