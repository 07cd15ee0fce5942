//go:build unix

package main

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go/bestedmtest"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store/storetest"
)

// TestSyncInterrupted: `bestedm sync` (main, in a child process) stopped
// by SIGINT in the middle of a reply, early, half-way and late in a run,
// exits 130 promptly, and the next run leaves exactly what one
// uninterrupted run leaves.
func TestSyncInterrupted(t *testing.T) {
	s := newFake(t)
	l := s.AddList(bestedmtest.StoredList{Name: "大客户"})
	for i := range 3000 {
		s.AddAddress(bestedmtest.StoredAddress{ListID: l, Email: "r" + strconv.Itoa(i) + "@example.com"})
	}
	tpl := s.AddTemplate(bestedmtest.StoredTemplate{Name: "促销", Subjects: []string{"双十二"}, Content: `<a href="https://example.com/a">a</a>`})
	s.AddTask(bestedmtest.StoredTask{TemplateIDs: []int64{tpl}, ListIDs: []int64{l}, SendAccount: s.Mailboxes()[0].Address,
		TrackStatus: 2, SendTime: testStart.Add(-48 * time.Hour)})
	c := newCLI(t, s)
	ctx := context.Background()
	dump := func(path string) string {
		d, err := store.Open(ctx, path)
		require.NoError(t, err)
		defer d.Close()
		return storetest.Dump(ctx, t, d)
	}
	clean := filepath.Join(t.TempDir(), "clean.db")
	s.ClearRequests()
	c.ok("sync", "--db", clean)
	calls := len(s.Requests())
	want := dump(clean)
	require.Greater(t, calls, 20)

	up, err := neturl.Parse(s.URL())
	require.NoError(t, err)
	for _, at := range []int{3, calls / 2, calls - 3} {
		var n atomic.Int64
		var child atomic.Pointer[os.Process]
		signalled := make(chan time.Time, 1)
		proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			resp, body, err := forward(r, r.Body, up)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			w.Header().Set("Content-Type", resp.Header.Get("Content-Type"))
			w.WriteHeader(resp.StatusCode)
			if n.Add(1) != int64(at) {
				_, _ = w.Write(body)
				return
			}
			// Half the reply, then the signal, then the rest.
			_, _ = w.Write(body[:len(body)/2])
			w.(http.Flusher).Flush()
			signalled <- time.Now()
			_ = child.Load().Signal(syscall.SIGINT)
			time.Sleep(50 * time.Millisecond)
			_, _ = w.Write(body[len(body)/2:])
		}))
		db := filepath.Join(t.TempDir(), "stopped.db")
		cmd := exec.Command(os.Args[0], "sync", "--db", db)
		cmd.Env = append(os.Environ(), runMainEnv+"=1", "BESTEDM_BASE_URL="+proxy.URL+up.Path,
			"BESTEDM_USERNAME="+s.Customer().Username, "BESTEDM_PASSWORD="+s.Customer().Password)
		var stderr bytes.Buffer
		cmd.Stderr = &stderr
		require.NoError(t, cmd.Start())
		child.Store(cmd.Process)
		err := cmd.Wait()
		proxy.Close()
		var ee *exec.ExitError
		require.True(t, errors.As(err, &ee), "request %d: %v %s", at, err, stderr.String())
		assert.Equal(t, exitInterrupted, ee.ExitCode(), "request %d: %s", at, stderr.String())
		select {
		case sent := <-signalled:
			took := time.Since(sent)
			assert.Less(t, took, 2*time.Second, "request %d", at)
			t.Logf("SIGINT at request %d of %d: exit %d after %v", at, calls, ee.ExitCode(), took.Round(time.Millisecond))
		default:
			t.Fatalf("request %d never came", at)
		}
		c.ok("sync", "--db", db)
		assert.Equal(t, want, dump(db), "SIGINT at request %d, then a whole run", at)
	}
}
