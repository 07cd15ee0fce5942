package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
)

// chromiumPath finds a headless-capable Chromium, or skips the test.
func chromiumPath(t *testing.T) string {
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	t.Skip("no chromium on PATH: apt-get install -y chromium (.ci/deps installs it)")
	return ""
}

// browser renders pages in headless Chromium, every request of theirs sent
// through a proxy that counts them (loopback included), and the page's
// console written to stderr.
type browser struct {
	t        *testing.T
	bin      string
	proxy    *httptest.Server
	requests atomic.Int64
}

func newBrowser(t *testing.T) *browser {
	b := &browser{t: t, bin: chromiumPath(t)}
	b.proxy = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host := r.URL.Hostname()
		if chromiumService[host] || strings.HasSuffix(host, ".gvt1.com") {
			// The browser's own update and time checks, which no flag
			// turns off entirely; not the page's.
			http.Error(w, "no network", http.StatusForbidden)
			return
		}
		b.requests.Add(1)
		b.t.Logf("request through the proxy: %s %s", r.Method, r.URL)
		http.Error(w, "no network in a report", http.StatusForbidden)
	}))
	t.Cleanup(b.proxy.Close)
	return b
}

// chromiumService are the hosts Chromium itself calls (component updates,
// sign-in, secure time), whatever page it shows.
var chromiumService = map[string]bool{"accounts.google.com": true, "update.googleapis.com": true,
	"clients2.google.com": true, "clients2.googleusercontent.com": true, "redirector.gvt1.com": true}

// consoleLine is how Chromium logs a page's console message
// (--enable-logging=stderr): an error, a warning, a CSP violation.
var consoleLine = regexp.MustCompile(`:CONSOLE[:(]\d*\)?\]? ?.*`)

// render loads file and returns its DOM after load, the console lines and
// the number of requests the page made; with png set, it also takes a
// screenshot there.
func (b *browser) render(file, png string) (dom string, console []string, requests int64) {
	b.t.Helper()
	b.requests.Store(0)
	args := []string{"--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--hide-scrollbars",
		"--user-data-dir=" + b.t.TempDir(),
		// Chromium's own traffic (updates, safe browsing, metrics) is not
		// the page's: turned off, so any request left is the page's.
		"--disable-background-networking", "--disable-component-update", "--disable-sync", "--disable-default-apps",
		"--disable-domain-reliability", "--no-pings", "--disable-client-side-phishing-detection", "--enable-logging=stderr", "--v=0",
		"--proxy-server=" + strings.TrimPrefix(b.proxy.URL, "http://"), "--proxy-bypass-list=<-loopback>",
		"--window-size=1400,1500", "--virtual-time-budget=2000"}
	url := "file://" + file
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var stderr strings.Builder
	cmd := exec.CommandContext(ctx, b.bin, append(args, "--dump-dom", url)...)
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	require.NoError(b.t, err, "chromium: %s", stderr.String())
	console = consoleLine.FindAllString(stderr.String(), -1)
	if png != "" {
		cmd := exec.CommandContext(ctx, b.bin, append(args, "--screenshot="+png, url)...)
		out, err := cmd.CombinedOutput()
		require.NoError(b.t, err, "chromium screenshot: %s", out)
	}
	return string(out), console, b.requests.Load()
}

// TestBrowserChecksWork: a page that logs an error and loads an image is
// caught by both checks, so their silence on the reports means something.
func TestBrowserChecksWork(t *testing.T) {
	b := newBrowser(t)
	page := filepath.Join(t.TempDir(), "bad.html")
	require.NoError(t, os.WriteFile(page, []byte(`<!DOCTYPE html><html><body><p>x</p>
<img src="http://cdn.example.com/pixel.png"><script>console.error("boom")</script></body></html>`), 0o644))
	dom, console, requests := b.render(page, "")
	assert.Contains(t, dom, "<p>x</p>")
	assert.NotEmpty(t, console, "the console error")
	assert.Positive(t, requests, "the image request")
}

// figures splits a rendered page into its charts: data-chart name → the
// figure's markup.
func figures(dom string) map[string]string {
	out := map[string]string{}
	for _, part := range strings.Split(dom, `<figure data-chart="`)[1:] {
		name, rest, _ := strings.Cut(part, `"`)
		body, _, _ := strings.Cut(rest, "</figure>")
		out[name] = body
	}
	return out
}

// drawn reports whether a chart has an SVG with marks (bars, lines) in it.
func drawn(fig string) bool {
	return strings.Contains(fig, "<svg") && strings.Contains(fig, "<path")
}

// TestReportHTMLInChromium makes both HTML reports with the command, from
// the fake and from a database synced from it, opens them in headless
// Chromium, and checks what a person would see: every chart drawn with its
// labels (Chinese included), no console message, no request. With -update
// the task report's screenshot goes to docs/report.png.
func TestReportHTMLInChromium(t *testing.T) {
	b := newBrowser(t)
	s := newFake(t)
	c := newCLI(t, s)
	// The finished task tracking clicks that sent the most: the fullest
	// charts, for the screenshot.
	sdk := sdkClient(t, s)
	ctx := context.Background()
	var task bestedm.Task
	for tk, err := range sdk.Task.List(ctx, nil) {
		require.NoError(t, err)
		if tk.SendStatus == bestedm.SendFinished && tk.TrackStatus == bestedm.TrackOpensAndClicks && tk.SendCount > task.SendCount {
			task = tk
		}
	}
	require.NotZero(t, task.ID, "the fake has a finished task tracking clicks")
	dir := t.TempDir()
	ov, err := sdk.Track.Overview(ctx, bestedm.TaskByID(task.ID))
	require.NoError(t, err)

	t.Run("task", func(t *testing.T) {
		page := filepath.Join(dir, "task.html")
		c.ok("report", strconv.FormatInt(task.ID, 10), "--html", page)
		if info, err := os.Stat(page); err == nil {
			t.Logf("task %d page: %d bytes", task.ID, info.Size())
		}
		png := filepath.Join(dir, "report.png")
		dom, console, requests := b.render(page, png)
		assert.Empty(t, console, "console messages")
		assert.Zero(t, requests, "requests made by the page")
		figs := figures(dom)
		want := map[string][]string{
			"funnel":   {"漏斗 Funnel", "收件人 recipients", "已发送 sent", "送达 delivered", "打开 opened", "点击 clicked", ">" + strconv.FormatInt(ov.OpenUnique, 10) + " ("},
			"timeline": {"打开 opens", "点击 clicks"},
			"links":    {},
			"failures": {"失败原因"},
			"browsers": {},
			"os":       {},
			"devices":  {},
		}
		for _, l := range ov.Links {
			if l.ClickUnique > 0 {
				want["links"] = append(want["links"], l.URL)
			}
		}
		// The split charts show the most frequent values and fold the rest
		// into "other": the most frequent one must be drawn, its name as
		// the bar's label, and "other" when there are more than fit.
		browsers, oses := map[string]int{}, map[string]int{}
		for o, err := range sdk.Track.Opens(ctx, bestedm.TaskByID(task.ID)) {
			require.NoError(t, err)
			browsers[o.Browser]++
			oses[strings.TrimSpace(o.OS)]++
		}
		for chart, counts := range map[string]map[string]int{"browsers": browsers, "os": oses} {
			top, n := "", 0
			for k, v := range counts {
				if v > n || v == n && k < top {
					top, n = k, v
				}
			}
			want[chart] = append(want[chart], ">"+top+"</text>")
			if len(counts) > 8 {
				want[chart] = append(want[chart], "其他 other")
			}
		}
		want["devices"] = append(want["devices"], "desktop")
		for name, labels := range want {
			fig, ok := figs[name]
			if !assert.True(t, ok, "chart %s missing", name) {
				continue
			}
			assert.True(t, drawn(fig), "chart %s drawn: %s", name, fig)
			for _, l := range labels {
				assert.Contains(t, fig, strings.ReplaceAll(l, "&", "&amp;"), "chart %s", name)
			}
		}
		info, err := os.Stat(png)
		require.NoError(t, err)
		assert.Greater(t, info.Size(), int64(10_000), "the screenshot")
		if *update {
			data, err := os.ReadFile(png)
			require.NoError(t, err)
			require.NoError(t, os.WriteFile(filepath.Join("..", "..", "docs", "report.png"), data, 0o644))
		}
	})

	t.Run("db", func(t *testing.T) {
		db := filepath.Join(dir, "sync.db")
		c.ok("sync", "--db", db)
		page := filepath.Join(dir, "compare.html")
		c.ok("report", "--db", db, "--since", testStart.AddDate(0, 0, -30).Format(time.DateOnly), "--html", page)
		if info, err := os.Stat(page); err == nil {
			t.Logf("compare page: %d bytes", info.Size())
		}
		dom, console, requests := b.render(page, "")
		assert.Empty(t, console, "console messages")
		assert.Zero(t, requests, "requests made by the page")
		figs := figures(dom)
		rates, fails := figs["rates"], figs["failures-per-day"]
		assert.True(t, drawn(rates), "rates chart: %s", rates)
		assert.True(t, drawn(fails), "failures chart: %s", fails)
		assert.Contains(t, rates, "打开率 open rate")
		assert.Contains(t, rates, fmt.Sprintf("#%d", task.ID))
		assert.Contains(t, fails, "not_exist")
	})
}
