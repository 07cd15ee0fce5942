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
