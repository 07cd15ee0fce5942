package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go/bestedmtest"
)

// TestExitCodes: Every outcome has its code, and the
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

// TestExitInterrupted: a command stopped by SIGINT exits 130, by SIGTERM
// 143, as shells report them; a context cancelled otherwise is an error.
func TestExitInterrupted(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	for sig, want := range map[syscall.Signal]int{syscall.SIGINT: exitInterrupted, syscall.SIGTERM: exitTerminated} {
		s.Fail(bestedmtest.Match{Action: "maillist-list"}, 1, bestedmtest.Delay(time.Hour))
		ctx, cancel := context.WithCancelCause(context.Background())
		go func() {
			time.Sleep(100 * time.Millisecond)
			cancel(interrupted{sig})
		}()
		var out, errb bytes.Buffer
		code := execute(ctx, []string{"lists", "list"}, &env{getenv: c.getenv, stdin: strings.NewReader(""), stdout: &out, stderr: &errb})
		assert.Equal(t, want, code, "%v: %s", sig, errb.String())
		assert.Contains(t, errb.String(), "interrupted")
		s.ClearFaults()
	}
}

// TestUsageErrorQuotesShortSample: A binary argument is
// never echoed: its bytes are escaped and the line is cut short, whether
// the error is the CLI's or cobra's.
func TestUsageErrorQuotesShortSample(t *testing.T) {
	c := newCLI(t, nil)
	junk := strings.Repeat("\x07\xff\x1b[2J", 400)
	for _, args := range [][]string{
		{junk},
		{"lists", junk},
		{"lists", "show", junk},
		{"lists", "list", "--format", junk},
		{"lists", "list", "--" + junk},
		{"report", junk},
	} {
		r := c.fails(exitUsage, args, "usage")
		assert.NotContains(t, r.stderr, "\x07")
		assert.NotContains(t, r.stderr, "\x1b")
		assert.True(t, utf8.ValidString(r.stderr))
		assert.Less(t, len(r.stderr), 400, "%q", r.stderr)
	}
}
