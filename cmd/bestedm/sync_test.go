package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type syncLine struct {
	Table   string `json:"table"`
	Added   int64  `json:"added"`
	Updated int64  `json:"updated"`
	Deleted int64  `json:"deleted"`
}

// TestSyncCommand: the summary counts what a run added, the second run
// adds nothing, and with no --db the file is ./bestedm.db.
func TestSyncCommand(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	dir := t.TempDir()
	wd, err := os.Getwd()
	require.NoError(t, err)
	require.NoError(t, os.Chdir(dir))
	t.Cleanup(func() { _ = os.Chdir(wd) })

	first := jsonLines[syncLine](t, c.ok("sync", "-O", "json"))
	require.Len(t, first, 12)
	byTable := map[string]syncLine{}
	for _, l := range first {
		byTable[l.Table] = l
	}
	assert.Equal(t, int64(len(s.Tasks())), byTable["tasks"].Added)
	assert.Equal(t, int64(len(s.Lists())), byTable["lists"].Added)
	assert.Positive(t, byTable["opens"].Added)
	_, err = os.Stat(filepath.Join(dir, "bestedm.db"))
	require.NoError(t, err, "the default database")

	for _, l := range jsonLines[syncLine](t, c.ok("sync", "-O", "json")) {
		assert.Zero(t, l.Added+l.Updated+l.Deleted, "second run, %s", l.Table)
	}
	table := c.ok("sync")
	assert.Contains(t, table, "TABLE")
	assert.Contains(t, table, "opens")
}

func TestSyncAndReportUsage(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	c.fails(exitUsage, []string{"sync", "--task", "0"}, "--task")
	c.fails(exitUsage, []string{"report", "--db", "x.db"}, "--db needs --html")
	c.fails(exitUsage, []string{"report", "1", "--db", "x.db", "--html", "x.html"}, "takes no TASK")
	c.fails(exitUsage, []string{"report", "1", "--since", "2026-11-01"}, "--since needs --db")
	db := filepath.Join(t.TempDir(), "a.db")
	c.fails(exitUsage, []string{"report", "--db", db, "--since", "1.11.2026", "--html", filepath.Join(t.TempDir(), "x.html")}, "--since")
}

// The page of `report --db FILE --html OUT` never replaces the database it
// reads: OUT naming the same file (by any path, a hard link included) is a
// usage error and the database is left as it was.
func TestReportHTMLRefusesTheDatabase(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	dir := t.TempDir()
	db := filepath.Join(dir, "b.db")
	c.ok("sync", "--db", db)
	before, err := os.ReadFile(db)
	require.NoError(t, err)
	alias := filepath.Join(dir, "alias.db")
	require.NoError(t, os.Link(db, alias))
	for _, out := range []string{db, alias, filepath.Join(dir, ".", "b.db")} {
		for _, url := range []string{db, "sqlite:" + db, "file:" + db + "?mode=rw"} {
			c.fails(exitUsage, []string{"report", "--db", url, "--since", "2026-11-01", "--html", out}, "is the database")
		}
	}
	after, err := os.ReadFile(db)
	require.NoError(t, err)
	assert.Equal(t, before, after, "the database is untouched")
	page := filepath.Join(dir, "page.html")
	c.ok("report", "--db", db, "--since", "2026-11-01", "--html", page)
	html, err := os.ReadFile(page)
	require.NoError(t, err)
	assert.Contains(t, string(html), "<svg")
}
