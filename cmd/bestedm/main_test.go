package main

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
	"go.uber.org/goleak"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/")

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) != "" {
		// A child of TestSignals: the program itself, with the arguments
		// after the test binary's name.
		main()
	}
	goleak.VerifyTestMain(m)
}

// runMainEnv makes the test binary run main (TestSignals).
const runMainEnv = "BESTEDM_TEST_RUN_MAIN"

// testStart is the fake's clock for every test: the generated data depends
// on the day, so golden files need a fixed one.
var testStart = time.Date(2026, 12, 1, 12, 0, 0, 0, time.FixedZone("CST", 8*3600))

func newFake(t testing.TB) *bestedmtest.Server {
	t.Helper()
	return bestedmtest.NewServer(t, bestedmtest.WithClock(bestedmtest.NewClock(testStart)), bestedmtest.WithSeed(1))
}

// sdkClient is the SDK's client of the fake, to check what the CLI did.
func sdkClient(t testing.TB, s *bestedmtest.Server) *bestedm.Client {
	t.Helper()
	return s.Client()
}

// result is what one run of the command printed and returned.
type result struct {
	code           int
	stdout, stderr string
}

// cli runs the command in-process against s, with the fake's credentials
// in the environment unless vars overrides them ("KEY=" unsets).
type cli struct {
	t     testing.TB
	s     *bestedmtest.Server
	vars  map[string]string
	stdin string
}

func newCLI(t testing.TB, s *bestedmtest.Server) *cli {
	vars := map[string]string{}
	if s != nil {
		vars["BESTEDM_BASE_URL"] = s.URL()
		vars["BESTEDM_USERNAME"] = s.Customer().Username
		vars["BESTEDM_PASSWORD"] = s.Customer().Password
	}
	return &cli{t: t, s: s, vars: vars}
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	var out, errb bytes.Buffer
	code := execute(context.Background(), args, &env{
		getenv: func(k string) string { return c.vars[k] },
		stdin:  strings.NewReader(c.stdin),
		stdout: &out,
		stderr: &errb,
	})
	return result{code, out.String(), errb.String()}
}

// ok runs args and fails the test unless the exit code is 0.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	require.Equal(c.t, 0, r.code, "bestedm %s: stderr %q", strings.Join(args, " "), r.stderr)
	return r.stdout
}

// fails runs args and checks the exit code and that stderr is one line
// holding every part of want.
func (c *cli) fails(code int, args []string, want ...string) result {
	c.t.Helper()
	r := c.run(args...)
	require.Equal(c.t, code, r.code, "bestedm %s: stdout %q stderr %q", strings.Join(args, " "), r.stdout, r.stderr)
	lines := strings.Split(strings.TrimSuffix(r.stderr, "\n"), "\n")
	last := lines[len(lines)-1]
	assert.True(c.t, strings.HasPrefix(last, "bestedm"), "error line %q", last)
	for _, w := range want {
		assert.Contains(c.t, last, w)
	}
	return r
}

// golden compares got with testdata/name.golden, or rewrites it with -update.
func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name+".golden")
	if *update {
		require.NoError(t, os.MkdirAll("testdata", 0o755))
		require.NoError(t, os.WriteFile(path, []byte(got), 0o644))
		return
	}
	want, err := os.ReadFile(path)
	require.NoError(t, err, "run go test -update to create it")
	assert.Equal(t, string(want), got, "differs from %s (go test -update rewrites it)", path)
}

// syncBuffer is a bytes.Buffer two goroutines may use.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// getenv is the environment the command sees.
func (c *cli) getenv(k string) string { return c.vars[k] }
