package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestExitCodes: issue 16 item 16. Every outcome has its code, and the
// error line names the kind of failure one way.
func TestExitCodes(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)

	c.fails(exitUsage, []string{"help", "nosuch"}, "nosuch")
	c.fails(exitUsage, []string{"completion", "nosuch"}, "nosuch")
	c.fails(exitUsage, []string{"report", "abc"}, `"abc"`)
	c.fails(exitUsage, []string{"track", "opens", "abc"}, `"abc"`)

	bad := newCLI(t, s)
	bad.vars["BESTEDM_PASSWORD"] = "hunter2-wrong"
	r := bad.fails(exitAuth, []string{"lists", "list"}, "[unauthorized]")
	assert.NotContains(t, r.stderr, "hunter2-wrong")
	bad.fails(exitAuth, []string{"lists", "list", "--auth", "query"}, "[unauthorized]")

	// Not found is named one way, whichever SDK type carried it.
	c.fails(exitError, []string{"lists", "show", "999"}, "[not_found]")
	c.fails(exitError, []string{"tasks", "show", "999999"}, "[not_found]")
	c.fails(exitError, []string{"templates", "show", "999999"}, "[not_found]")
}

// TestCreatePrintsIDAlone: a create command's standard output is the new
// id and nothing else, so `id=$(bestedm lists create X)` works.
func TestCreatePrintsIDAlone(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	out := c.ok("lists", "create", "Autumn fair")
	assert.Regexp(t, `^[0-9]+\n$`, out)
	html := filepath.Join(t.TempDir(), "m.html")
	require.NoError(t, os.WriteFile(html, []byte("<p>hi</p>"), 0o644))
	out = c.ok("templates", "create", "Winter", "--subject", "S", "--html", html)
	assert.Regexp(t, `^[0-9]+\n$`, out)
	out = c.ok("tasks", "create", "--template", strings.TrimSpace(out), "--list", "35", "--from", "all", "--domain", "all", "--hold")
	assert.Regexp(t, `^[0-9]+\n$`, out)
}
