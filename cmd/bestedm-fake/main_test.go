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
