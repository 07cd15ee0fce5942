package main

import (
	"bytes"
	"context"
	"io"
	"net/http"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// syncBuffer is a bytes.Buffer safe to write and read from two goroutines.
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

func TestRunServesUntilCancelled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	var out syncBuffer
	done := make(chan error, 1)
	go func() { done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-seed", "5"}, &out) }()

	baseRe := regexp.MustCompile(`base URL: (\S+)`)
	credRe := regexp.MustCompile(`customer: username=(\S+) password=(\S+) `)
	var base string
	require.Eventually(t, func() bool {
		if m := baseRe.FindStringSubmatch(out.String()); m != nil {
			base = m[1]
			return strings.Contains(out.String(), "manager:")
		}
		return false
	}, 5*time.Second, 10*time.Millisecond)
	assert.True(t, strings.HasSuffix(base, "/mm-ms/apinew/"), base)
	cred := credRe.FindStringSubmatch(out.String())
	require.NotNil(t, cred, out.String())

	req, err := http.NewRequest(http.MethodGet, base+"account.php?do=customer-info", nil)
	require.NoError(t, err)
	req.SetBasicAuth(cred[1], cred[2])
	res, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	body, _ := io.ReadAll(res.Body)
	res.Body.Close()
	assert.Equal(t, http.StatusOK, res.StatusCode)
	assert.Contains(t, string(body), "<customer>")

	cancel()
	select {
	case err := <-done:
		require.NoError(t, err)
	case <-time.After(10 * time.Second):
		t.Fatal("run did not return after cancel")
	}
	assert.Contains(t, out.String(), "stopped")
	_, err = http.DefaultClient.Do(req)
	assert.Error(t, err, "the server is gone")
}

func TestRunRejectsBadArguments(t *testing.T) {
	ctx := context.Background()
	var out bytes.Buffer
	assert.Error(t, run(ctx, []string{"-nope"}, &out))
	assert.Error(t, run(ctx, []string{"-seed", "x"}, &out))
	assert.Error(t, run(ctx, []string{"extra"}, &out))
	assert.Error(t, run(ctx, []string{"-addr", "256.1.1.1:0"}, &out))
	out.Reset()
	assert.NoError(t, run(ctx, []string{"-h"}, &out))
	assert.Contains(t, out.String(), "-addr")
}

// The recorder's limits are flags, so a long tour or a benchmark against
// the standalone fake keeps its memory bounded.
func TestRecordLimitFlags(t *testing.T) {
	var out bytes.Buffer
	err := run(context.Background(), []string{"-addr", "127.0.0.1:0", "-record-requests", "0"}, &out)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "-record-requests")

	ctx, cancel := context.WithCancel(context.Background())
	var sb syncBuffer
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-record-requests", "100", "-record-body", "4096"}, &sb)
	}()
	require.Eventually(t, func() bool { return strings.Contains(sb.String(), "serving") }, 5*time.Second, 10*time.Millisecond)
	assert.Contains(t, sb.String(), "recorder: the last 100 requests, 4096 bytes of each body")
	cancel()
	require.NoError(t, <-done)
}
