package syncer

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store/storetest"
)

// helperEnv makes the test binary, run again by syncProcess, run one sync
// instead of the tests: its value is "URL USER PASSWORD DB".
const helperEnv = "BESTEDM_SYNC_HELPER"

// TestSyncHelperProcess is the child of syncProcess; run otherwise, it
// skips.
func TestSyncHelperProcess(t *testing.T) {
	v, ok := os.LookupEnv(helperEnv)
	if !ok {
		t.Skip("the child process of the kill -9 tests")
	}
	var url, user, pass, db string
	_, err := fmt.Sscan(v, &url, &user, &pass, &db)
	require.NoError(t, err)
	c, err := bestedm.NewClient(user, pass, bestedm.WithBaseURL(url))
	require.NoError(t, err)
	d, err := store.Open(context.Background(), db)
	require.NoError(t, err)
	defer d.Close()
	_, err = Run(context.Background(), c, d, Options{Account: user, Now: func() time.Time { return testNow }})
	require.NoError(t, err)
}

// bigFake is the test fake plus a finished task tracking clicks with
// recipients enough that its opens take many reads to stream.
func bigFake(tb testing.TB) *bestedmtest.Server {
	s := newFake(tb)
	l := s.AddList(bestedmtest.StoredList{Name: "大客户"})
	for i := range 4000 {
		s.AddAddress(bestedmtest.StoredAddress{ListID: l, Email: "r" + strconv.Itoa(i) + "@example.com", Name: "收件人"})
	}
	tpl := s.AddTemplate(bestedmtest.StoredTemplate{Name: "促销", Subjects: []string{"双十二"},
		Content: `<a href="https://example.com/a">a</a> <a href="https://example.com/b">b</a>`})
	s.AddTask(bestedmtest.StoredTask{TemplateIDs: []int64{tpl}, ListIDs: []int64{l}, SendAccount: s.Mailboxes()[0].Address,
		TrackStatus: 2, SendTime: testNow.Add(-20 * time.Hour)})
	return s
}

// killer serves the fake through a proxy that kills the sync process at
// the n-th request (before answering it) or, with midBody, once the n-th
// request's reply is half written.
type killer struct {
	s        *bestedmtest.Server
	mu       sync.Mutex
	proc     *os.Process
	requests atomic.Int64
	// killAt and midBody say where the next run is killed; atomic, as a
	// killed run's last request may still be served when they change.
	killAt  atomic.Int64
	midBody atomic.Bool
	killed  atomic.Bool
	// large records which requests' replies were longer than a
	// killingWriter lets through (request number → true).
	large sync.Map
	probe atomic.Bool // record large replies
}

func (k *killer) kill() {
	k.mu.Lock()
	defer k.mu.Unlock()
	if k.proc != nil && !k.killed.Load() {
		_ = k.proc.Kill() // SIGKILL
		k.killed.Store(true)
	}
}

func (k *killer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := k.requests.Add(1)
	at, mid := k.killAt.Load(), k.midBody.Load()
	if n == at && !mid {
		k.kill()
		return
	}
	kw := &killingWriter{ResponseWriter: w, after: 4096}
	if n == at {
		kw.k = k
	}
	k.s.ServeHTTP(kw, r)
	if k.probe.Load() && kw.n > kw.after {
		k.large.Store(n, true)
	}
}

type killingWriter struct {
	http.ResponseWriter
	after, n int
	k        *killer
}

func (w *killingWriter) Write(p []byte) (int, error) {
	w.n += len(p)
	if w.n > w.after && w.k != nil {
		if f, ok := w.ResponseWriter.(http.Flusher); ok {
			f.Flush()
		}
		w.k.kill()
	}
	return w.ResponseWriter.Write(p)
}

// syncProcess runs one sync in a child process through k's proxy and
// returns whether it was killed.
func syncProcess(t *testing.T, k *killer, proxyURL, db string) bool {
	t.Helper()
	exe, err := os.Executable()
	require.NoError(t, err)
	cmd := exec.Command(exe, "-test.run=^TestSyncHelperProcess$", "-test.count=1")
	cu := k.s.Customer()
	cmd.Env = append(os.Environ(), helperEnv+"="+proxyURL+" "+cu.Username+" "+cu.Password+" "+db)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	k.requests.Store(0)
	k.killed.Store(false)
	k.mu.Lock()
	require.NoError(t, cmd.Start())
	k.proc = cmd.Process
	k.mu.Unlock()
	err = cmd.Wait()
	k.mu.Lock()
	k.proc = nil
	k.mu.Unlock()
	if k.killed.Load() {
		return true
	}
	require.NoError(t, err, "sync process: %s", out.String())
	return false
}

// TestSyncKilledAnywhere kills a sync with SIGKILL at every request it
// makes, and in the middle of the large opens reply, runs it again each
// time, and checks the database is exactly what one uninterrupted run
// leaves.
func TestSyncKilledAnywhere(t *testing.T) {
	if testing.Short() {
		t.Skip("runs a child process per kill point")
	}
	engines(t, func(t *testing.T, newURL func(t *testing.T) string) {
		ctx := context.Background()
		s := bigFake(t)
		refDB := openDB(t, newURL(t))
		_, err := Run(ctx, s.Client(), refDB, opts(s))
		require.NoError(t, err)
		want := storetest.Dump(ctx, t, refDB)
		refDB.Close()

		k := &killer{s: s}
		proxy := httptest.NewServer(k)
		defer proxy.Close()
		url := proxy.URL + bestedmtest.APIPath

		// How many requests one whole run makes.
		k.killAt.Store(-1)
		k.probe.Store(true)
		probe := newURL(t)
		require.False(t, syncProcess(t, k, url, probe))
		k.probe.Store(false)
		requests := k.requests.Load()
		require.Greater(t, requests, int64(10))

		kills := 0
		stride := int64(1)
		if raceEnabled {
			stride = 6
		}
		for at := int64(1); at <= requests; at += stride {
			for _, mid := range []bool{false, true} {
				if _, large := k.large.Load(at); mid && !large {
					continue // a reply too short to cut in the middle
				}
				db := newURL(t)
				k.killAt.Store(at)
				k.midBody.Store(mid)
				killed := syncProcess(t, k, url, db)
				require.True(t, killed, "request %d of %d (mid-body %v)", at, requests, mid)
				kills++
				// Killed again, later, in the second run; then a whole run.
				if at+3 <= requests {
					k.killAt.Store(at + 3)
					k.midBody.Store(false)
					if syncProcess(t, k, url, db) {
						kills++
					}
				}
				k.killAt.Store(-1)
				require.False(t, syncProcess(t, k, url, db))
				d := openDB(t, db)
				got := storetest.Dump(ctx, t, d)
				d.Close()
				if d := diffLines(want, got); d != "" {
					t.Fatalf("killed at request %d (mid-body %v), then run to the end: the database differs from one whole run's:\n%s", at, mid, d)
				}
			}
		}
		t.Logf("%d kills at %d request points (before the request and mid-reply), each then run to the end: every database equals the uninterrupted run's (%d rows)",
			kills, requests, countLines(want))
	})
}

func countLines(s string) int {
	n := 0
	for _, c := range s {
		if c == '\n' {
			n++
		}
	}
	return n
}

// diffLines shows the lines only one of a and b has, at most 20 of them.
func diffLines(a, b string) string {
	count := map[string]int{}
	for _, l := range strings.Split(a, "\n") {
		count[l]++
	}
	for _, l := range strings.Split(b, "\n") {
		count[l]--
	}
	var out []string
	for l, n := range count {
		switch {
		case n > 0:
			out = append(out, "- "+l)
		case n < 0:
			out = append(out, "+ "+l)
		}
	}
	sort.Strings(out)
	if len(out) > 20 {
		out = append(out[:20], "…")
	}
	return strings.Join(out, "\n")
}
