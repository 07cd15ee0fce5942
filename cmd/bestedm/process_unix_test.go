//go:build unix

package main

import (
	"bytes"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go/bestedmtest"
)

// cliChildEnv makes the test binary, run again by startCLI, run the
// bestedm command (main) with these arguments, separated by \x1f.
const cliChildEnv = "BESTEDM_CLI_CHILD"

// TestCLIChild is the child of startCLI; run otherwise, it skips.
func TestCLIChild(t *testing.T) {
	args, ok := os.LookupEnv(cliChildEnv)
	if !ok {
		t.Skip("the bestedm command in a process of its own, run by startCLI")
	}
	os.Args = append([]string{"bestedm"}, strings.Split(args, "\x1f")...)
	main() // exits
}

// child is the bestedm command running in a process of its own.
type child struct {
	cmd            *exec.Cmd
	stdout, stderr bytes.Buffer
	done           chan struct{}
	code           int
}

// startCLI runs the command in a real process (this test binary again),
// so that real signals reach it, with the credentials of c.
func startCLI(t *testing.T, c *cli, stdin io.Reader, args ...string) *child {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	ch := &child{done: make(chan struct{})}
	ch.cmd = exec.Command(exe, "-test.run=^TestCLIChild$", "-test.count=1")
	ch.cmd.Env = append(os.Environ(), cliChildEnv+"="+strings.Join(args, "\x1f"))
	for k, v := range c.vars {
		ch.cmd.Env = append(ch.cmd.Env, k+"="+v)
	}
	ch.cmd.Stdin, ch.cmd.Stdout, ch.cmd.Stderr = stdin, &ch.stdout, &ch.stderr
	require.NoError(t, ch.cmd.Start())
	go func() {
		_ = ch.cmd.Wait()
		ch.code = ch.cmd.ProcessState.ExitCode()
		close(ch.done)
	}()
	t.Cleanup(func() {
		_ = ch.cmd.Process.Kill()
		<-ch.done
	})
	return ch
}

// signal sends sig and returns how long the process took to end.
func (ch *child) signal(t *testing.T, sig syscall.Signal) time.Duration {
	t.Helper()
	start := time.Now()
	require.NoError(t, ch.cmd.Process.Signal(sig))
	select {
	case <-ch.done:
		return time.Since(start)
	case <-time.After(10 * time.Second):
		t.Fatalf("the command did not stop within 10 s of %v; stderr %q", sig, ch.stderr.String())
		return 0
	}
}

// maxSignalLatency is the promised bound (a signal stops any command within 1 s, docs/cli.md#exit-codes), with a second of
// margin for a loaded machine; the latencies measured are logged.
const maxSignalLatency = 2 * time.Second

// Item 4: SIGINT and SIGTERM stop an import within a second, whatever it
// is doing, with exit code 130 or 143 and a summary that adds up.
func TestSignalStopsImport(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	for _, sig := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, exitInterrupted}, {syscall.SIGTERM, exitTerminated}} {
		t.Run(sig.sig.String()+" while reading a stalled pipe", func(t *testing.T) {
			id := emptyList(t, c, "stalled "+sig.sig.String())
			// An OS pipe, so that the child has it as its standard input
			// (exec would copy an io.Pipe, and Wait wait for the copy).
			pr, pw, err := os.Pipe()
			require.NoError(t, err)
			defer pw.Close()
			defer pr.Close()
			_, err = io.WriteString(pw, "email\na@example.com\nb@example.com\n")
			require.NoError(t, err)
			s.ClearRequests()
			ch := startCLI(t, c, pr, "addresses", "import", id, "-")
			require.Eventually(t, func() bool { return countAction(s, "ml-addr-list") > 0 }, 10*time.Second, 5*time.Millisecond)
			time.Sleep(100 * time.Millisecond)
			d := ch.signal(t, sig.sig)
			t.Logf("%v while reading: stopped in %v, exit %d", sig.sig, d.Round(time.Millisecond), ch.code)
			assert.Less(t, d, maxSignalLatency)
			assert.Equal(t, sig.code, ch.code, ch.stderr.String())
			// The two rows read are sent as the last batch, in the grace
			// given to a batch in flight.
			assert.Equal(t, importSummary{Rows: 2, Confirmed: 2, Batches: 1, Added: 2}, summaryOf(t, ch.stderr.String()))
			assert.Contains(t, ch.stderr.String(), "import interrupted")
			assert.Equal(t, 1, strings.Count(ch.stderr.String(), "interrupted by"), "the signal named once: %s", ch.stderr.String())
		})
		t.Run(sig.sig.String()+" with a batch in flight", func(t *testing.T) {
			id := emptyList(t, c, "in flight "+sig.sig.String())
			s.ClearRequests()
			s.Fail(bestedmtest.Match{Action: "ml-addr-add"}, 1, bestedmtest.Delay(0))
			s.Fail(bestedmtest.Match{Action: "ml-addr-add"}, 1, bestedmtest.Delay(time.Hour))
			defer s.ClearFaults()
			ch := startCLI(t, c, nil, "addresses", "import", id, emailsCSV(t, "f", 50), "--batch", "20")
			require.Eventually(t, func() bool { return countAction(s, "ml-addr-add") == 2 }, 10*time.Second, 5*time.Millisecond)
			d := ch.signal(t, sig.sig)
			t.Logf("%v with a batch in flight: stopped in %v, exit %d", sig.sig, d.Round(time.Millisecond), ch.code)
			assert.Less(t, d, maxSignalLatency)
			assert.Equal(t, sig.code, ch.code, ch.stderr.String())
			assert.Equal(t, importSummary{Rows: 40, Confirmed: 20, Batches: 1, Added: 20, Unknown: 20}, summaryOf(t, ch.stderr.String()))
		})
		t.Run(sig.sig.String()+" on endless zeros", func(t *testing.T) {
			id := emptyList(t, c, "zeros "+sig.sig.String())
			s.ClearRequests()
			pr, pw := io.Pipe()
			go func() {
				if _, err := io.WriteString(pw, "email\na@example.com\n"); err == nil {
					_, _ = io.Copy(pw, zeros{})
				}
			}()
			defer pr.Close()
			ch := startCLI(t, c, pr, "addresses", "import", id, "-")
			require.Eventually(t, func() bool { return countAction(s, "ml-addr-list") > 0 }, 10*time.Second, 5*time.Millisecond)
			time.Sleep(300 * time.Millisecond)
			d := ch.signal(t, sig.sig)
			t.Logf("%v on zeros: stopped in %v, exit %d", sig.sig, d.Round(time.Millisecond), ch.code)
			assert.Less(t, d, maxSignalLatency)
			assert.Equal(t, sig.code, ch.code, ch.stderr.String())
			summaryOf(t, ch.stderr.String())
		})
	}
}

// Item 4: any command, not only the import.
func TestSignalStopsAnyCommand(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	s.FailAlways(bestedmtest.Match{Action: "maillist-list"}, bestedmtest.Delay(time.Hour))
	defer s.ClearFaults()
	ch := startCLI(t, c, nil, "lists", "list")
	require.Eventually(t, func() bool { return countAction(s, "maillist-list") > 0 }, 10*time.Second, 5*time.Millisecond)
	d := ch.signal(t, syscall.SIGTERM)
	t.Logf("lists list: stopped in %v, exit %d", d.Round(time.Millisecond), ch.code)
	assert.Less(t, d, maxSignalLatency)
	assert.Equal(t, exitTerminated, ch.code, ch.stderr.String())
}

// Item 3: /dev/zero itself is refused at once (no header line).
func TestImportDevZero(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "dev zero")
	start := time.Now()
	ch := startCLI(t, c, nil, "addresses", "import", id, "/dev/zero")
	select {
	case <-ch.done:
	case <-time.After(10 * time.Second):
		t.Fatal("the import of /dev/zero did not end")
	}
	t.Logf("/dev/zero: refused in %v", time.Since(start).Round(time.Millisecond))
	assert.Equal(t, exitError, ch.code)
	assert.Contains(t, ch.stderr.String(), "NUL")
}

// Item 5: a FIFO no writer opens is an error after --timeout.
func TestImportFIFOWithoutWriter(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "fifo")
	fifo := filepath.Join(t.TempDir(), "in.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	start := time.Now()
	r := c.fails(1, []string{"addresses", "import", id, fifo, "--timeout", "300ms"}, "no writer opened it within 300ms")
	assert.Less(t, time.Since(start), 5*time.Second)
	assert.Empty(t, r.stdout)

	// A writer that opens it and writes nothing: the same, after --timeout.
	w := make(chan *os.File, 1)
	go func() {
		f, err := os.OpenFile(fifo, os.O_WRONLY, 0)
		if err == nil {
			w <- f
		}
		close(w)
	}()
	c.fails(1, []string{"addresses", "import", id, fifo, "--timeout", "300ms"}, "yielded nothing for 300ms")
	if f := <-w; f != nil {
		f.Close()
	}
}

// Item 7: an export to a FIFO writes to it and never removes it, even
// when it fails.
func TestExportToFIFOKeepsIt(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "export fifo")
	c.ok("addresses", "import", id, emailsCSV(t, "x", 600))
	fifo := filepath.Join(t.TempDir(), "out.fifo")
	require.NoError(t, syscall.Mkfifo(fifo, 0o600))
	got := make(chan []byte, 1)
	go func() {
		f, err := os.Open(fifo)
		if err != nil {
			got <- nil
			return
		}
		b, _ := io.ReadAll(f)
		f.Close()
		got <- b
	}()
	s.Fail(bestedmtest.Match{Action: "ml-addr-list"}, 1, bestedmtest.Delay(0))
	s.Fail(bestedmtest.Match{Action: "ml-addr-list"}, 1, bestedmtest.HTTPStatus(500))
	c.fails(1, []string{"addresses", "export", id, "-O", "csv", "-o", fifo}, "[http_error 500]")
	assert.Contains(t, string(<-got), "x1@example.com")
	fi, err := os.Lstat(fifo)
	require.NoError(t, err)
	assert.Equal(t, os.ModeNamedPipe, fi.Mode()&os.ModeType, "the FIFO is still there")
}

// Item 10, as the issue ran it: the password, then the data, on one pipe
// read as /dev/stdin.
func TestPasswordThenDataOnDevStdin(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	id := emptyList(t, c, "dev stdin")
	pw := c.vars["BESTEDM_PASSWORD"]
	c.vars["BESTEDM_PASSWORD"] = ""
	pr, pw2, err := os.Pipe()
	require.NoError(t, err)
	defer pr.Close()
	_, err = io.WriteString(pw2, pw+"\nemail,name\na@example.com,A\nb@example.com,B\n")
	require.NoError(t, err)
	require.NoError(t, pw2.Close())
	ch := startCLI(t, c, pr, "--password-stdin", "addresses", "import", id, "/dev/stdin")
	select {
	case <-ch.done:
	case <-time.After(20 * time.Second):
		t.Fatal("the import did not end")
	}
	require.Equal(t, 0, ch.code, ch.stderr.String())
	assert.NotContains(t, ch.stderr.String(), pw)
	assert.Len(t, listAddresses(t, s, id), 2)
}
