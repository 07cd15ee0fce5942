package main

import (
	"bufio"
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
)

var (
	benchRows   = flag.Int("rows", 1_000_000, "rows imported and opens exported by the benchmarks")
	benchRepeat = flag.Int("repeat", 3, "runs of each side in the benchmarks; the fastest counts")
)

// Limits the benchmarks hold the CLI to.
const (
	maxPeakHeap = 32 << 20
	maxSlowdown = 1.2
)

// sinkServer answers the calls an import and an opens export make, at the
// cost of reading the request: bestedmtest keeps every address in memory in
// this process and checks each new one against the list with a linear scan,
// so a million rows there would measure the fake, not the CLI. Opens are
// generated as they are written, opens of them.
func sinkServer(tb testing.TB, opens int) (*httptest.Server, *atomic.Int64) {
	var added atomic.Int64
	s := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		const prolog = `<?xml version="1.0" encoding="UTF-8"?>` + "\r\n"
		switch r.URL.Query().Get("do") {
		case "maillist-detail":
			io.WriteString(w, prolog+"<maillist><id>7</id><subject>bench</subject><count>0</count><status>enabled</status></maillist>")
		case "ml-addr-list":
			io.WriteString(w, prolog+"<data><total_num>0</total_num></data>")
		case "ml-addr-add":
			if err := r.ParseForm(); err != nil {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
			n := strings.Count(r.PostForm.Get("ml_addr"), "\n") + 1
			added.Add(int64(n))
			fmt.Fprintf(w, prolog+"<result><status>success</status><data>成功添加 %d 个地址，过滤无效地址 0 个，重复地址 0 个</data></result>", n)
		case "open-detail":
			bw := bufio.NewWriterSize(w, 64<<10)
			bw.WriteString(prolog + "<data>\r\n")
			for i := range opens {
				fmt.Fprintf(bw, "  <user>\r\n    <email_id>%d</email_id>\r\n    <email>user%d@example.com</email>\r\n"+
					"    <browser><![CDATA[Chrome]]></browser>\r\n    <os><![CDATA[Windows]]></os>\r\n"+
					"    <ip_first>10.0.%d.%d</ip_first>\r\n    <ip_last></ip_last>\r\n    <open_total>%d</open_total>\r\n"+
					"    <click_total>0</click_total>\r\n    <open_first>2026-11-30 10:%02d:00</open_first>\r\n"+
					"    <open_last>0000-00-00 00:00:00</open_last>\r\n    <click_first>0000-00-00 00:00:00</click_first>\r\n"+
					"    <click_last>0000-00-00 00:00:00</click_last>\r\n  </user>\r\n", i+1, i, i/256%256, i%256, 1+i%5, i%60)
			}
			bw.WriteString("</data>\r\n")
			bw.Flush()
		default:
			http.Error(w, "unexpected call", http.StatusNotFound)
		}
	}))
	tb.Cleanup(s.Close)
	return s, &added
}

// generateCSV writes n rows of addresses and returns the file's path.
func generateCSV(tb testing.TB, n int) string {
	path := filepath.Join(tb.TempDir(), "addresses.csv")
	f, err := os.Create(path)
	require.NoError(tb, err)
	w := bufio.NewWriterSize(f, 1<<20)
	w.WriteString("email,name,phone,area\n")
	for i := range n {
		a := benchAddress(i)
		w.WriteString(a.Email + "," + a.Name + "," + a.Phone + "," + a.Area + "\n")
	}
	require.NoError(tb, w.Flush())
	require.NoError(tb, f.Close())
	return path
}

// benchAddress is the i-th generated address, the same for both sides.
func benchAddress(i int) bestedm.Address {
	s := strconv.Itoa(i)
	return bestedm.Address{Email: "user" + s + "@example.com", Name: "User " + s, Phone: "138" + s, Area: "深圳"}
}

// measure runs f and returns how long it took and the largest heap seen,
// sampled every 10 ms.
func measure(f func()) (time.Duration, uint64) {
	runtime.GC()
	var peak atomic.Uint64
	stop, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		t := time.NewTicker(10 * time.Millisecond)
		defer t.Stop()
		var ms runtime.MemStats
		for {
			runtime.ReadMemStats(&ms)
			if ms.HeapAlloc > peak.Load() {
				peak.Store(ms.HeapAlloc)
			}
			select {
			case <-stop:
				return
			case <-t.C:
			}
		}
	}()
	start := time.Now()
	f()
	d := time.Since(start)
	close(stop)
	<-done
	return d, peak.Load()
}

// benchEnv runs the CLI against the sink, output discarded.
func benchEnv(url string) *env {
	vars := map[string]string{"BESTEDM_BASE_URL": url + "/mm-ms/apinew/", "BESTEDM_USERNAME": "bench", "BESTEDM_PASSWORD": "bench"}
	return &env{getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
}

// comparisonAround is comparison with before run ahead of each measured
// run and after behind it, neither measured.
func comparisonAround(tb testing.TB, repeat int, before, after, cli, sdk func()) (cliBest, sdkBest time.Duration, cliPeak, sdkPeak uint64) {
	for range repeat {
		for i, f := range []func(){sdk, cli} {
			before()
			d, p := measure(f)
			after()
			tb.Logf("%s run: %v, peak heap %.1f MiB", [2]string{"SDK", "CLI"}[i], d.Round(time.Millisecond), float64(p)/(1<<20))
			if i == 0 {
				sdkBest = minNonZero(sdkBest, d)
				sdkPeak = max(sdkPeak, p)
			} else {
				cliBest = minNonZero(cliBest, d)
				cliPeak = max(cliPeak, p)
			}
		}
	}
	return
}

func minNonZero(a, b time.Duration) time.Duration {
	if a == 0 || b < a {
		return b
	}
	return a
}

// comparison runs the CLI and the SDK alternately, repeat times each, and
// returns the fastest run of each and the largest heap of the CLI's runs.
func comparison(tb testing.TB, repeat int, cli, sdk func()) (cliBest, sdkBest time.Duration, cliPeak, sdkPeak uint64) {
	for range repeat {
		d, p := measure(sdk)
		if sdkBest == 0 || d < sdkBest {
			sdkBest = d
		}
		sdkPeak = max(sdkPeak, p)
		d, p = measure(cli)
		if cliBest == 0 || d < cliBest {
			cliBest = d
		}
		cliPeak = max(cliPeak, p)
	}
	return
}

// runImportComparison imports rows addresses into an empty list of the
// fake (fakeProcess) with the CLI and with the SDK's AddAddresses, the list
// emptied before each run, outside the measurement.
func runImportComparison(tb testing.TB, rows, repeat int) (cliT, sdkT time.Duration, cliPeak, sdkPeak uint64) {
	f := fakeProcess(tb, 0)
	path := generateCSV(tb, rows)
	c, err := bestedm.NewClient(f.username, f.password, bestedm.WithBaseURL(f.url))
	require.NoError(tb, err)
	ctx := context.Background()
	lid := strconv.FormatInt(f.listID, 10)
	env := fakeEnv(f)
	emptied := func() {
		_, err := c.Maillist.Clear(ctx, f.listID)
		require.NoError(tb, err)
	}
	added := func() {
		l, err := c.Maillist.Get(ctx, f.listID)
		require.NoError(tb, err)
		require.Equal(tb, int64(rows), l.Count)
	}
	cli := func() {
		code := execute(ctx, []string{"addresses", "import", lid, path}, env)
		require.Equal(tb, 0, code)
	}
	sdk := func() {
		_, err := c.Maillist.AddAddresses(ctx, f.listID, func(yield func(bestedm.Address) bool) {
			for i := range rows {
				if !yield(benchAddress(i)) {
					return
				}
			}
		}, nil)
		require.NoError(tb, err)
	}
	return comparisonAround(tb, repeat, emptied, added, cli, sdk)
}

// fakeEnv runs the CLI against f, output discarded.
func fakeEnv(f fake) *env {
	vars := map[string]string{"BESTEDM_BASE_URL": f.url, "BESTEDM_USERNAME": f.username, "BESTEDM_PASSWORD": f.password}
	return &env{getenv: func(k string) string { return vars[k] }, stdin: strings.NewReader(""), stdout: io.Discard, stderr: io.Discard}
}

// runOpensComparison streams the opens of a task of the fake
// (fakeProcess) with about rows opens through `track opens -O csv` and the
// SDK's ListOpens; both must see the same number.
func runOpensComparison(tb testing.TB, rows, repeat int) (cliT, sdkT time.Duration, cliPeak, sdkPeak uint64) {
	f := fakeProcess(tb, rows)
	c, err := bestedm.NewClient(f.username, f.password, bestedm.WithBaseURL(f.url))
	require.NoError(tb, err)
	ctx := context.Background()
	tid := strconv.FormatInt(f.taskID, 10)
	var lines lineCounter
	env := fakeEnv(f)
	env.stdout = &lines
	var sdkN int
	cli := func() {
		lines = 0
		code := execute(ctx, []string{"track", "opens", tid, "-O", "csv"}, env)
		require.Equal(tb, 0, code)
	}
	sdk := func() {
		sdkN = 0
		for _, err := range c.Track.ListOpens(ctx, bestedm.TaskByID(f.taskID)) {
			require.NoError(tb, err)
			sdkN++
		}
	}
	seen := func() {
		if lines > 0 {
			require.Equal(tb, sdkN+1, int(lines), "CSV lines: a header and one per open")
		}
	}
	cliT, sdkT, cliPeak, sdkPeak = comparisonAround(tb, repeat, func() {}, seen, cli, sdk)
	require.InDelta(tb, rows, sdkN, float64(rows)/20+50, "opens of the fake's task")
	tb.Logf("the task has %d opens", sdkN)
	return
}

// lineCounter counts the lines written to it.
type lineCounter int

func (n *lineCounter) Write(p []byte) (int, error) {
	*n += lineCounter(bytes.Count(p, []byte{'\n'}))
	return len(p), nil
}

func report(b *testing.B, name string, cliT, sdkT time.Duration, cliPeak, sdkPeak uint64) {
	ratio := cliT.Seconds() / sdkT.Seconds()
	b.ReportMetric(cliT.Seconds(), "cli-s")
	b.ReportMetric(sdkT.Seconds(), "sdk-s")
	b.ReportMetric(ratio, "cli/sdk")
	b.ReportMetric(float64(cliPeak)/(1<<20), "cli-peak-MiB")
	b.ReportMetric(float64(sdkPeak)/(1<<20), "sdk-peak-MiB")
	b.Logf("%s of %d rows: CLI %v (peak heap %.1f MiB), SDK %v (peak heap %.1f MiB), ratio %.2f",
		name, *benchRows, cliT.Round(time.Millisecond), float64(cliPeak)/(1<<20), sdkT.Round(time.Millisecond), float64(sdkPeak)/(1<<20), ratio)
	if cliPeak > maxPeakHeap {
		b.Errorf("%s: peak heap %.1f MiB, over %d MiB", name, float64(cliPeak)/(1<<20), maxPeakHeap>>20)
	}
	if ratio > maxSlowdown {
		b.Errorf("%s: the CLI took %.2f× the SDK's time, over %.1f×", name, ratio, maxSlowdown)
	}
}

// BenchmarkImport imports a generated CSV of -rows rows (default 1,000,000)
// with the CLI and gives the same addresses to the SDK's AddAddresses.
func BenchmarkImport(b *testing.B) {
	for range b.N {
		cliT, sdkT, cliPeak, sdkPeak := runImportComparison(b, *benchRows, *benchRepeat)
		report(b, "import", cliT, sdkT, cliPeak, sdkPeak)
	}
}

// BenchmarkTrackOpens streams -rows opens through `track opens -O csv` and
// through the SDK's ListOpens.
func BenchmarkTrackOpens(b *testing.B) {
	for range b.N {
		cliT, sdkT, cliPeak, sdkPeak := runOpensComparison(b, *benchRows, *benchRepeat)
		report(b, "track opens", cliT, sdkT, cliPeak, sdkPeak)
	}
}

// TestStreamingMemory is the benchmarks' memory bound at a size the test
// suite can afford (100,000 rows; 10,000 under -race or -short).
func TestStreamingMemory(t *testing.T) {
	rows := 100_000
	if raceEnabled || testing.Short() {
		rows = 10_000
	}
	_, _, cliPeak, _ := runImportComparison(t, rows, 1)
	assert.Less(t, cliPeak, uint64(maxPeakHeap), "import: peak heap %d", cliPeak)
	_, _, cliPeak, _ = runOpensComparison(t, rows, 1)
	assert.Less(t, cliPeak, uint64(maxPeakHeap), "opens: peak heap %d", cliPeak)
}
