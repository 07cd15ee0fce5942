package main

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"io"
	"maps"
	"math"
	"net/http"
	"net/http/httptest"
	neturl "net/url"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
)

// benchFakeEnv makes the test binary, run again by fakeProcess, serve the
// fake instead of running tests; its value is the number of opens the
// fake's task should have (0: no task).
const benchFakeEnv = "BESTEDM_BENCH_FAKE"

// fake is a bestedmtest server in a process of its own, with one empty
// list to import into and, when asked for, a finished task with about as
// many opens as asked for.
type fake struct {
	url, username, password string
	listID, taskID          int64
}

// fakeProcess runs bestedmtest in a child process (this test binary again)
// so that the heap the benchmarks sample is the CLI's or the SDK's alone:
// the fake keeps every address it is given, hundreds of bytes each, which
// in this process would outweigh the 32 MiB under test many times over and
// make its garbage collections scan the fake's state too. The child stops
// when its stdin closes, at the end of tb.
func fakeProcess(tb testing.TB, opens int) fake {
	tb.Helper()
	exe, err := os.Executable()
	require.NoError(tb, err)
	cmd := exec.Command(exe, "-test.run=^TestBenchFakeProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), benchFakeEnv+"="+strconv.Itoa(opens))
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
	_, err = fmt.Sscan(line, &f.url, &f.username, &f.password, &f.listID, &f.taskID)
	require.NoError(tb, err, "the fake process's first line: %q", line)
	go io.Copy(io.Discard, stdout) // what go test prints after, until the child exits
	return f
}

// TestBenchFakeProcess is the child of fakeProcess; run otherwise, it
// skips.
func TestBenchFakeProcess(t *testing.T) {
	v, ok := os.LookupEnv(benchFakeEnv)
	if !ok {
		t.Skip("the benchmarks' fake server, run by fakeProcess")
	}
	opens, err := strconv.Atoi(v)
	require.NoError(t, err)
	var s *bestedmtest.Server
	var lid, tid int64
	if opens == 0 {
		s, lid, _ = benchFake(t, 1, 0)
	} else {
		// The share of a task's recipients who open (12% to 38%) is drawn
		// per task from the seed and the task's id. Fakes with a sample of
		// recipients tell it for a few seeds; the one with the highest
		// needs the fewest stored addresses, and a fake of that seed given
		// the same calls gets the same task id and share.
		sample := min(50_000, 4*opens)
		var best int64
		bestN := 0
		for seed := int64(1); seed <= 6; seed++ {
			cal, _, ctid := benchFake(t, seed, sample)
			n := 0
			for _, err := range cal.Client().Track.Opens(context.Background(), bestedm.TaskByID(ctid)) {
				require.NoError(t, err)
				n++
			}
			require.NoError(t, cal.Close())
			if n > bestN {
				best, bestN = seed, n
			}
		}
		require.Positive(t, bestN)
		s, lid, tid = benchFake(t, best, int(math.Ceil(float64(opens)*float64(sample)/float64(bestN))))
	}
	cu := s.Customer()
	url := s.URL()
	if opens > 0 {
		// The task's replies never change: after the first time, they are
		// served from memory, as a remote API's would cost this machine
		// nothing. On two cores, a fake rendering a million records again
		// for every run would compete with the side being measured (and a
		// sync has a database to share the machine with as well).
		url = cachingProxy(t, url)
	}
	fmt.Println(strings.Join([]string{url, cu.Username, cu.Password, fmt.Sprint(lid), fmt.Sprint(tid)}, " "))
	_, _ = io.Copy(io.Discard, os.Stdin)
}

// benchFake starts a fake of seed with an empty list "bench" and, for recipients
// > 0, a task tracking opens that finished sending to that many recipients.
func benchFake(t *testing.T, seed int64, recipients int) (s *bestedmtest.Server, listID, taskID int64) {
	now := time.Date(2026, 12, 1, 12, 0, 0, 0, time.FixedZone("CST", 8*3600))
	s = bestedmtest.NewServer(t, bestedmtest.WithSeed(seed), bestedmtest.WithClock(bestedmtest.NewClock(now)))
	listID = s.AddList(bestedmtest.StoredList{Name: "bench"})
	if recipients == 0 {
		return s, listID, 0
	}
	rl := s.AddList(bestedmtest.StoredList{Name: "recipients"})
	for i := range recipients {
		s.AddAddress(bestedmtest.StoredAddress{ListID: rl, Email: "r" + strconv.Itoa(i) + "@example.com"})
	}
	tpl := s.AddTemplate(bestedmtest.StoredTemplate{Name: "bench", Subjects: []string{"bench"}, Content: "<p>bench</p>"})
	taskID = s.AddTask(bestedmtest.StoredTask{TemplateIDs: []int64{tpl}, ListIDs: []int64{rl},
		SendAccount: s.Mailboxes()[0].Address, TrackStatus: 1, SendTime: now.Add(-3 * time.Hour)})
	return s, listID, taskID
}

// cachingProxy serves what the server at target answers, each distinct
// request (method, URL and body) forwarded once and its 200 reply kept in
// memory; it returns the proxy's URL with target's path.
func cachingProxy(t *testing.T, target string) string {
	u, err := neturl.Parse(target)
	require.NoError(t, err)
	type kept struct {
		header http.Header
		body   []byte
	}
	var mu sync.Mutex
	cache := map[string]kept{}
	p := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(r.Body)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		key := r.Method + " " + r.URL.String() + "\n" + string(body)
		mu.Lock()
		k, ok := cache[key]
		mu.Unlock()
		if !ok {
			resp, b, err := forward(r, bytes.NewReader(body), u)
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			if resp.StatusCode != http.StatusOK {
				maps.Copy(w.Header(), resp.Header)
				w.WriteHeader(resp.StatusCode)
				_, _ = w.Write(b)
				return
			}
			k = kept{header: resp.Header, body: b}
			mu.Lock()
			cache[key] = k
			mu.Unlock()
		}
		for name, v := range k.header {
			if name != "Content-Length" && name != "Date" {
				w.Header()[name] = v
			}
		}
		_, _ = w.Write(k.body)
	}))
	t.Cleanup(p.Close)
	return p.URL + u.Path
}

// forward sends r, with body, to the server of upstream (scheme and host;
// r's own path and query) and returns its reply, the body read whole.
func forward(r *http.Request, body io.Reader, upstream *neturl.URL) (*http.Response, []byte, error) {
	req, err := http.NewRequestWithContext(r.Context(), r.Method, upstream.Scheme+"://"+upstream.Host+r.URL.RequestURI(), body)
	if err != nil {
		return nil, nil, err
	}
	req.Header = r.Header.Clone()
	resp, err := http.DefaultTransport.RoundTrip(req)
	if err != nil {
		return nil, nil, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return resp, b, err
}
