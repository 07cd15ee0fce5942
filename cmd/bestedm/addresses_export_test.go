package main

import (
	"os"
	"path/filepath"
	"strconv"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go/bestedmtest"
)

// Item 7: a failed export leaves the target as it was; a symlink is not
// written through unasked.
func TestExportLeavesTargetOnFailure(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "export")
	c.ok("addresses", "import", id, emailsCSV(t, "e", 1200))
	dir := t.TempDir()
	target := filepath.Join(dir, "good.csv")
	c.ok("addresses", "export", id, "-O", "csv", "-o", target)
	good, err := os.ReadFile(target)
	require.NoError(t, err)

	// Page 1 passes, page 2 fails.
	s.Fail(bestedmtest.Match{Action: "ml-addr-list"}, 1, bestedmtest.Delay(0))
	s.Fail(bestedmtest.Match{Action: "ml-addr-list"}, 1, bestedmtest.HTTPStatus(500))
	c.fails(1, []string{"addresses", "export", id, "-O", "csv", "-o", target}, "[http_error 500]")
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, good, got, "the good export is still there")
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 1, "no temporary file left")

	// A symlink: refused, link and target untouched.
	link := filepath.Join(dir, "link.csv")
	require.NoError(t, os.Symlink(target, link))
	c.fails(1, []string{"addresses", "export", id, "-O", "csv", "-o", link}, "symbolic link")
	fi, err := os.Lstat(link)
	require.NoError(t, err)
	assert.Equal(t, os.ModeSymlink, fi.Mode()&os.ModeType)
	got, err = os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, good, got)

	// Success replaces the file whole, keeping its mode.
	require.NoError(t, os.Chmod(target, 0o600))
	c.ok("addresses", "export", id, "-O", "csv", "-o", target)
	fi, err = os.Stat(target)
	require.NoError(t, err)
	assert.Equal(t, os.FileMode(0o600), fi.Mode().Perm())
}

// Every command that writes a file (-o, --html) goes through the same
// atomic write: track export failing on the server leaves the earlier file
// whole, and a symbolic link is not written through.
func TestFileOutputsLeaveTargetOnFailure(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := strconv.FormatInt(trackedTask(t, c).ID, 10)
	dir := t.TempDir()
	target := filepath.Join(dir, "rows.csv")
	c.ok("track", "export", id, "-F", "csv", "-o", target)
	good, err := os.ReadFile(target)
	require.NoError(t, err)
	require.NotEmpty(t, good)

	s.Fail(bestedmtest.Match{Script: "trackexport.php"}, 1, bestedmtest.HTTPStatus(500))
	c.fails(1, []string{"track", "export", id, "-F", "csv", "-o", target}, "[http_error 500]")
	got, err := os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, good, got, "the earlier export is still there")

	s.Fail(bestedmtest.Match{Action: "overview"}, 1, bestedmtest.HTTPStatus(500))
	page := filepath.Join(dir, "page.html")
	require.NoError(t, os.WriteFile(page, []byte("an earlier page"), 0o644))
	c.fails(1, []string{"report", id, "--html", page}, "[http_error 500]")
	got, err = os.ReadFile(page)
	require.NoError(t, err)
	assert.Equal(t, "an earlier page", string(got))

	link := filepath.Join(dir, "link.csv")
	require.NoError(t, os.Symlink(target, link))
	c.fails(1, []string{"track", "export", id, "-F", "csv", "-o", link}, "symbolic link")
	got, err = os.ReadFile(target)
	require.NoError(t, err)
	assert.Equal(t, good, got)
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	assert.Len(t, entries, 3, "no temporary file left: rows.csv, page.html, link.csv")
}
