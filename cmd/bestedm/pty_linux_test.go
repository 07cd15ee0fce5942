//go:build linux

package main

import (
	"context"
	"errors"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"golang.org/x/sys/unix"
)

// openPTY opens a pseudo-terminal pair with golang.org/x/sys/unix (no
// other dependency): the program writes to tty, the test reads what the
// screen would get from ptm.
func openPTY(t *testing.T) (ptm, tty *os.File) {
	t.Helper()
	ptm, err := os.OpenFile("/dev/ptmx", os.O_RDWR|syscall.O_NOCTTY, 0)
	if err != nil {
		t.Skipf("no pseudo-terminal: %v", err)
	}
	require.NoError(t, unix.IoctlSetPointerInt(int(ptm.Fd()), unix.TIOCSPTLCK, 0))
	n, err := unix.IoctlGetInt(int(ptm.Fd()), unix.TIOCGPTN)
	require.NoError(t, err)
	tty, err = os.OpenFile("/dev/pts/"+strconv.Itoa(n), os.O_RDWR|syscall.O_NOCTTY, 0)
	require.NoError(t, err)
	return ptm, tty
}

// screen renders what a terminal shows for out: CR returns to the start
// of the line, ESC[K erases to its end, LF starts the next line.
func screen(out string) []string {
	var lines []string
	var line []rune
	col := 0
	for i := 0; i < len(out); {
		switch {
		case strings.HasPrefix(out[i:], "\x1b[K"):
			line = line[:col]
			i += 3
			continue
		case strings.HasPrefix(out[i:], "\x1b["): // another escape: skip it
			j := i + 2
			for j < len(out) && (out[j] < '@' || out[j] > '~') {
				j++
			}
			i = j + 1
			continue
		case out[i] == '\r':
			col = 0
		case out[i] == '\n':
			lines = append(lines, strings.TrimRight(string(line), " "))
			line, col = nil, 0
		default:
			r := []rune(out[i:])[0]
			if col < len(line) {
				line[col] = r
			} else {
				line = append(line, r)
			}
			col++
			i += len(string(r))
			continue
		}
		i++
	}
	return append(lines, strings.TrimRight(string(line), " "))
}

// TestProgressOnPTY: With stdout and stderr on one
// terminal, the import's progress bar (stderr) never shares a line with
// the batch table (stdout): the bar is erased before each table line.
func TestProgressOnPTY(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	var b strings.Builder
	b.WriteString("email\n")
	for i := range 3000 {
		b.WriteString("pty" + strconv.Itoa(i) + "@example.com\n")
	}
	path := filepath.Join(t.TempDir(), "in.csv")
	require.NoError(t, os.WriteFile(path, []byte(b.String()), 0o644))

	// The table as a pipe gets it, for a fresh list.
	want := c.ok("addresses", "import", strings.TrimSpace(c.ok("lists", "create", "pipe")), path, "--batch", "500")
	list := strings.TrimSpace(c.ok("lists", "create", "pty"))

	out, code := runOnPTY(t, c, "addresses", "import", list, path, "--batch", "500")
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "importing", "the bar was drawn")

	lines := screen(out)
	for _, l := range strings.Split(strings.TrimSuffix(want, "\n"), "\n") {
		assert.Contains(t, lines, l, "the table line stands alone on the screen")
	}
	for _, l := range lines {
		if strings.Contains(l, "importing") {
			assert.NotRegexp(t, `\]\s*\S`, l, "nothing follows the bar on its line: %q", l)
			assert.NotContains(t, l, "BATCH")
		}
	}
}

// runOnPTY runs the command with stdout and stderr on one terminal and
// returns what the screen got, and the exit code.
func runOnPTY(t *testing.T, c *cli, args ...string) (string, int) {
	t.Helper()
	ptm, tty := openPTY(t)
	defer ptm.Close()
	got := make(chan string)
	go func() {
		var sb strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := ptm.Read(buf)
			sb.Write(buf[:n])
			if err != nil { // EIO once the terminal side is closed
				if !errors.Is(err, io.EOF) && !errors.Is(err, syscall.EIO) {
					sb.WriteString("\nread error: " + err.Error())
				}
				break
			}
		}
		got <- sb.String()
	}()
	code := execute(context.Background(), args, &env{
		getenv: c.getenv, stdin: strings.NewReader(""), stdout: tty, stderr: tty, stderrIsTTY: true,
	})
	require.NoError(t, tty.Close())
	return <-got, code
}

// TestSyncProgressOnPTY: on a terminal, sync draws its bar on stderr and
// clears it; the summary table's lines stand alone on the screen, as a
// pipe gets them, and nothing of the bar is left on them.
func TestSyncProgressOnPTY(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	dir := t.TempDir()
	want := c.ok("sync", "--db", filepath.Join(dir, "pipe.db"))
	out, code := runOnPTY(t, c, "sync", "--db", filepath.Join(dir, "pty.db"))
	require.Equal(t, 0, code, out)
	require.Contains(t, out, "syncing", "the bar was drawn")
	lines := screen(out)
	for _, l := range strings.Split(strings.TrimSuffix(want, "\n"), "\n") {
		assert.Contains(t, lines, l, "the summary line stands alone on the screen")
	}
	for _, l := range lines {
		assert.NotContains(t, l, "syncing", "the bar was cleared: %q", l)
	}
}

// TestTerminalWriters: the writers behind TestProgressOnPTY, on one buffer
// as a terminal shows both streams.
func TestTerminalWriters(t *testing.T) {
	var screenBuf syncBuffer
	e := (&env{stdout: &screenBuf, stderr: &screenBuf, stderrIsTTY: true}).onTerminal()
	io.WriteString(e.stderr, "\rimporting 10% |██  |")
	io.WriteString(e.stdout, "1  500\n")
	io.WriteString(e.stderr, "\rimporting 20% |███ |")
	io.WriteString(e.stderr, "import: a warning\n")
	io.WriteString(e.stderr, "\rimporting 30% |████|")
	io.WriteString(e.stderr, "\r                    \r")
	io.WriteString(e.stdout, "2  500\n")
	assert.Equal(t, []string{"1  500", "import: a warning", "2  500", ""}, screen(screenBuf.String()))

	plain := &env{stdout: io.Discard, stderr: io.Discard}
	assert.Same(t, plain, plain.onTerminal(), "not a terminal: the streams as they are")
}
