package main

import (
	"bufio"
	"fmt"
	"io"
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go/bestedmtest"
)

// benchFakeEnv makes the test binary, run again by fakeProcess, serve the
// fake instead of running tests.
const benchFakeEnv = "BESTEDM_BENCH_FAKE"

// fake is a bestedmtest server in a process of its own, with one empty
// list to import into.
type fake struct {
	url, username, password string
	listID                  int64
}

// fakeProcess runs bestedmtest in a child process (this test binary again)
// so that the heap the benchmarks sample is the CLI's or the SDK's alone:
// the fake keeps every address it is given, hundreds of bytes each, which
// in this process would outweigh the 32 MiB under test many times over and
// make its garbage collections scan the fake's state too. The child stops
// when its stdin closes, at the end of tb.
func fakeProcess(tb testing.TB) fake {
	tb.Helper()
	exe, err := os.Executable()
	require.NoError(tb, err)
	cmd := exec.Command(exe, "-test.run=^TestBenchFakeProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), benchFakeEnv+"=1")
	cmd.Stderr = os.Stderr
	stdin, err := cmd.StdinPipe()
	require.NoError(tb, err)
	stdout, err := cmd.StdoutPipe()
	require.NoError(tb, err)
	require.NoError(tb, cmd.Start())
	tb.Cleanup(func() {
		stdin.Close()
		_ = cmd.Wait()
	})
	line, err := bufio.NewReader(stdout).ReadString('\n')
	require.NoError(tb, err, "the fake process's first line")
	var f fake
	_, err = fmt.Sscan(line, &f.url, &f.username, &f.password, &f.listID)
	require.NoError(tb, err, "the fake process's first line: %q", line)
	go io.Copy(io.Discard, stdout) // what go test prints after, until the child exits
	return f
}

// TestBenchFakeProcess is the child of fakeProcess; run otherwise, it
// skips.
func TestBenchFakeProcess(t *testing.T) {
	if os.Getenv(benchFakeEnv) != "1" {
		t.Skip("the benchmarks' fake server, run by fakeProcess")
	}
	s := bestedmtest.NewServer(t)
	lid := s.AddList(bestedmtest.StoredList{Name: "bench"})
	cu := s.Customer()
	fmt.Println(strings.Join([]string{s.URL(), cu.Username, cu.Password, fmt.Sprint(lid)}, " "))
	_, _ = io.Copy(io.Discard, os.Stdin)
}
