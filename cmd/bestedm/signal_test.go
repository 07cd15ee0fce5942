//go:build unix

package main

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go/bestedmtest"
)

// TestSignals: the program (main, in a child process) stopped by SIGINT
// or SIGTERM while it waits on the server exits 130 or 143, within a
// second of the signal.
func TestSignals(t *testing.T) {
	clock := bestedmtest.NewClock(testStart)
	s := bestedmtest.NewServer(t, bestedmtest.WithClock(clock), bestedmtest.WithSeed(1))
	for _, tc := range []struct {
		sig  syscall.Signal
		code int
	}{{syscall.SIGINT, exitInterrupted}, {syscall.SIGTERM, exitTerminated}} {
		s.ClearRequests()
		s.Fail(bestedmtest.Match{Action: "maillist-list"}, 1, bestedmtest.Delay(time.Hour))
		cmd := exec.Command(os.Args[0], "lists", "list")
		cmd.Env = append(os.Environ(), runMainEnv+"=1",
			"BESTEDM_BASE_URL="+s.URL(), "BESTEDM_USERNAME="+s.Customer().Username, "BESTEDM_PASSWORD="+s.Customer().Password)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		// The request waits on the fake (the one of an earlier run may
		// not have been withdrawn yet, so the clock's count would not do).
		require.Eventually(t, func() bool { return countAPI(s, "maillist-list") == 1 }, 10*time.Second, 5*time.Millisecond)
		sent := time.Now()
		require.NoError(t, cmd.Process.Signal(tc.sig))
		err := cmd.Wait()
		took := time.Since(sent)
		var ee *exec.ExitError
		require.True(t, errors.As(err, &ee), "%v: %v %s", tc.sig, err, stderr.String())
		assert.Equal(t, tc.code, ee.ExitCode(), "%v: %s", tc.sig, stderr.String())
		assert.Less(t, took, time.Second, "%v", tc.sig)
		assert.Contains(t, stderr.String(), "interrupted by")
		t.Logf("%v: exit %d after %v", tc.sig, ee.ExitCode(), took.Round(time.Millisecond))
	}
	s.ClearFaults()
}
