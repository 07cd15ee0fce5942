package main

import (
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// readCommands are the commands that print what they read, each run in
// every format by the golden and contract tests. id is a finished task
// tracking clicks, list one of its lists.
func readCommands(id, list, day, sn string) []struct {
	name string
	args []string
} {
	return []struct {
		name string
		args []string
	}{
		{"account", []string{"account"}},
		{"lists_list", []string{"lists", "list"}},
		{"lists_show", []string{"lists", "show", list}},
		{"templates_list", []string{"templates", "list"}},
		{"templates_show", []string{"templates", "show", "58"}},
		{"tasks_list", []string{"tasks", "list"}},
		{"tasks_list_day", []string{"tasks", "list", "--date", day}},
		{"tasks_show", []string{"tasks", "show", id}},
		{"report", []string{"report", id}},
		{"report_sending", []string{"report", "19445"}},
		{"report_untracked", []string{"report", "19440"}},
		{"report_held", []string{"report", "19447"}},
		{"track_opens", []string{"track", "opens", id}},
		{"track_clicks", []string{"track", "clicks", id}},
		{"track_export", []string{"track", "export", id}},
		{"failed_summary", []string{"failed", "--date", day, "--summary"}},
		{"failed_task", []string{"failed", "--date", day, "--task", sn}},
	}
}

var rfc3339 = regexp.MustCompile(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$`)

// TestOutputContract: json is one document (an array
// for a list, [] when empty), jsonl one object a line, csv a lower-case
// header; enums are names, times RFC 3339 or null.
func TestOutputContract(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	task := trackedTask(t, c)
	id := strconv.FormatInt(task.ID, 10)
	day := task.SendTime.Format("2006-01-02")
	for _, tc := range readCommands(id, strconv.FormatInt(task.ListID, 10), day, task.SN) {
		t.Run(tc.name, func(t *testing.T) {
			c := newCLI(t, s)
			out := c.ok(append(tc.args, "-O", "json")...)
			assert.True(t, json.Valid([]byte(out)), "json is one document: %q", out)
			var doc any
			require.NoError(t, json.Unmarshal([]byte(out), &doc))
			var objs []map[string]any
			switch v := doc.(type) {
			case []any:
				for _, o := range v {
					objs = append(objs, o.(map[string]any))
				}
			case map[string]any:
				objs = append(objs, v)
			}
			lines := c.ok(append(tc.args, "-O", "jsonl")...)
			n := 0
			for _, l := range strings.Split(strings.TrimSuffix(lines, "\n"), "\n") {
				if l == "" {
					continue
				}
				var o map[string]any
				require.NoError(t, json.Unmarshal([]byte(l), &o), "jsonl line %q", l)
				assert.Equal(t, objs[n], o, "jsonl holds the objects of json")
				n++
			}
			assert.Equal(t, len(objs), n)

			recs, err := csv.NewReader(strings.NewReader(c.ok(append(tc.args, "-O", "csv")...))).ReadAll()
			require.NoError(t, err)
			require.NotEmpty(t, recs)
			for _, h := range recs[0] {
				assert.Equal(t, strings.ToLower(h), h, "csv headers are lower case")
			}
			if len(objs) > 0 {
				for _, h := range recs[0] {
					assert.Contains(t, objs[0], h, "csv header %q is a json key", h)
				}
			}
			for _, o := range objs {
				for k, v := range o {
					if s, ok := v.(string); ok && (strings.HasSuffix(k, "_time") || strings.HasSuffix(k, "_first") || strings.HasSuffix(k, "_last") || k == "created" || k == "updated") {
						assert.Regexp(t, rfc3339, s, "%s is RFC 3339", k)
					}
					if k == "status" || k == "tracking" || k == "kind" {
						assert.IsType(t, "", v, "%s is a name", k)
					}
				}
			}
		})
	}

	assert.Equal(t, "[]\n", c.ok("tasks", "list", "--date", "2020-01-01", "-O", "json"), "an empty list")
	assert.Equal(t, "", c.ok("tasks", "list", "--date", "2020-01-01", "-O", "jsonl"))

	var tk map[string]any
	require.NoError(t, json.Unmarshal([]byte(c.ok("tasks", "show", id, "-O", "json")), &tk))
	assert.Equal(t, "finished", tk["status"])
	assert.Equal(t, "opens and clicks", tk["tracking"], "the SDK's name")
	assert.Regexp(t, `\+08:00$`, tk["send_time"], "the server's offset")

	var opens []map[string]any
	require.NoError(t, json.Unmarshal([]byte(c.ok("track", "opens", id, "-O", "json")), &opens))
	var unset, set int
	for _, o := range opens {
		if o["open_last"] == nil {
			unset++
		} else if _, ok := o["open_last"].(string); ok {
			set++
		}
	}
	assert.Equal(t, len(opens), unset+set, "open_last is a time or null")
	assert.Positive(t, unset, "an unset time is null")
	assert.Equal(t, 1, int(opens[0]["open_total"].(float64)), "one open: open_last unset")
	assert.Nil(t, opens[0]["open_last"], "an unset time is null")

	recs, err := csv.NewReader(strings.NewReader(c.ok("track", "clicks", id, "-O", "csv"))).ReadAll()
	require.NoError(t, err)
	assert.Regexp(t, rfc3339, recs[1][3], "csv times at full precision")
	assert.Regexp(t, `:\d\d:\d\d\+08:00$`, recs[1][3])

	recs, err = csv.NewReader(strings.NewReader(c.ok("report", id, "-O", "csv"))).ReadAll()
	require.NoError(t, err)
	require.Len(t, recs, 2)
	for i, h := range recs[0] {
		if strings.HasPrefix(h, "link_") {
			assert.NotContains(t, recs[1][i], " ", "one value a cell: %s=%q", h, recs[1][i])
		}
	}
	assert.Contains(t, recs[0], "link_1_url")
}

// TestGolden: every read command in every format, against
// testdata/NAME.FORMAT.golden (go test -update rewrites them).
func TestGolden(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	task := trackedTask(t, c)
	id := strconv.FormatInt(task.ID, 10)
	day := task.SendTime.Format("2006-01-02")
	for _, tc := range readCommands(id, strconv.FormatInt(task.ListID, 10), day, task.SN) {
		for _, f := range formats {
			t.Run(tc.name+"/"+f, func(t *testing.T) {
				c := newCLI(t, s)
				golden(t, tc.name+"."+f, c.ok(append(tc.args, "--format", f)...))
			})
		}
	}
	// Commands that print a body as it is, in every format alike.
	for _, tc := range []struct {
		name string
		args []string
	}{
		{"api", []string{"api", "mloperate.php", "maillist-detail", "id=36"}},
		{"templates_show_content", []string{"templates", "show", "59", "--content"}},
	} {
		for _, f := range formats {
			t.Run(tc.name+"/"+f, func(t *testing.T) {
				c := newCLI(t, s)
				golden(t, tc.name+"."+f, c.ok(append(tc.args, "--format", f)...))
			})
		}
	}
	for _, f := range formats {
		t.Run("writes/"+f, func(t *testing.T) {
			c := newCLI(t, newFake(t)) // each format creates list 39
			var b strings.Builder
			for _, args := range [][]string{
				{"lists", "create", "Golden"},
				{"lists", "edit", "39", "--description", "d"},
				{"lists", "empty", "39"},
				{"lists", "delete", "39"},
			} {
				b.WriteString("$ bestedm " + strings.Join(args, " ") + "\n")
				b.WriteString(c.ok(append(args, "--format", f)...))
			}
			golden(t, "writes."+f, b.String())
		})
	}
}

// TestDocsNameEveryKey: docs/cli.md documents every key a command prints
// (the headers of the CSV golden files), so the schema cannot fall behind.
func TestDocsNameEveryKey(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "docs", "cli.md"))
	require.NoError(t, err)
	files, err := filepath.Glob(filepath.Join("testdata", "*.csv.golden"))
	require.NoError(t, err)
	require.NotEmpty(t, files)
	link := regexp.MustCompile(`^link_\d+_`)
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		base := filepath.Base(f)
		if strings.HasPrefix(base, "writes.") || strings.HasPrefix(base, "api.") || strings.HasPrefix(base, "templates_show_content.") {
			continue // a transcript, or a body printed as it is
		}
		header, _, _ := strings.Cut(string(b), "\n")
		for _, k := range strings.Split(header, ",") {
			k = link.ReplaceAllString(k, "link_N_")
			assert.True(t, strings.Contains(string(doc), "`"+k+"`"), "docs/cli.md does not name %s's key %q", f, k)
		}
	}
}
