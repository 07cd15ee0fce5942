package main

import (
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store/storetest"
)

// Limits of the sync benchmark: the time of `sync` of a task
// with -rows opens against `track opens -O csv` of the same task, and the
// heap of the sync.
const (
	maxSyncHeap         = 64 << 20
	maxSyncSQLiteRatio  = 2.0
	maxSyncPostgesRatio = 1.5
)

// BenchmarkSync runs `sync --task TASK` of a task of a fake (in a child
// process, as for BenchmarkTrackOpens) with about -rows opens, into a new
// SQLite file and a new PostgreSQL database each run, alternating with
// `track opens -O csv` of the same task into a file. The fake answers each
// distinct request once and then from memory (cachingProxy), as a remote
// API costs this machine nothing: what the runs after the warm-up measure
// is this process and the database.
//
// The ratio held to the limit is that of the elapsed times (of the means),
// the time a person waits, as the limits were set: PostgreSQL works in its
// own processes while this one decodes, and the SQLite load runs beside
// the decoding too. The CPU ratio (this process, plus PostgreSQL's
// processes for the sync) is reported beside it: what the sync costs the
// machine, not only the wait.
func BenchmarkSync(b *testing.B) {
	for _, engine := range []string{"sqlite", "postgres"} {
		b.Run(engine, func(b *testing.B) {
			for range b.N {
				runSyncComparison(b, engine, *benchRows, *benchRepeat)
			}
		})
	}
}

func runSyncComparison(b *testing.B, engine string, rows, repeat int) {
	var newDB func() string
	limit := maxSyncSQLiteRatio
	serverCPU := func() time.Duration { return 0 }
	if engine == "postgres" {
		pg := storetest.StartPostgres(b)
		serverCPU = pg.CPU
		newDB = func() string { return pg.NewDatabase(b) }
		limit = maxSyncPostgesRatio
	} else {
		dir := b.TempDir()
		n := 0
		newDB = func() string {
			n++
			return filepath.Join(dir, "sync"+strconv.Itoa(n)+".db")
		}
	}
	f := fakeProcess(b, rows)
	ctx := context.Background()
	tid := strconv.FormatInt(f.taskID, 10)
	csvFile := filepath.Join(b.TempDir(), "opens.csv")
	env := fakeEnv(f)
	var db string
	fresh := func() { db = newDB() }
	csv := func() { // > file
		out, err := os.Create(csvFile)
		require.NoError(b, err)
		e := *env
		e.stdout = out
		code := execute(ctx, []string{"track", "opens", tid, "-O", "csv", "--timeout", "30m"}, &e)
		require.Equal(b, 0, code)
		require.NoError(b, out.Close())
	}
	synced := false
	var server []time.Duration // PostgreSQL's CPU time in each sync
	sync := func() {
		synced = true
		before := serverCPU()
		var stderr strings.Builder
		e := *env
		e.stderr = &stderr
		// The fake takes minutes over the calls on a task of a million
		// recipients: far over the default 30 s of silence.
		code := execute(ctx, []string{"sync", "--db", db, "--task", tid, "--timeout", "30m"}, &e)
		require.Equal(b, 0, code, "sync: %s", stderr.String())
		time.Sleep(200 * time.Millisecond) // the backends exit and are reaped
		server = append(server, serverCPU()-before)
	}
	var opens int64
	check := func() {
		if !synced {
			return
		}
		synced = false
		d, err := store.Open(ctx, db)
		require.NoError(b, err)
		defer d.Close()
		require.NoError(b, d.QueryRow(ctx, "SELECT COUNT(*) FROM opens WHERE task_id = ?", f.taskID).Scan(&opens))
		require.InDelta(b, rows, opens, float64(rows)/20+50, "opens synced")
	}
	c := comparisonAround(b, repeat, fresh, check, sync, csv)
	wall := c.cliTotal.wall.Seconds() / c.sdkTotal.wall.Seconds()
	var serverTotal time.Duration
	for _, d := range server[1:] { // not the warm-up round's
		serverTotal += d
	}
	cpu := (c.cliTotal.cpu + serverTotal).Seconds() / c.sdkTotal.cpu.Seconds()
	b.ReportMetric(c.cli.wall.Seconds(), "sync-s")
	b.ReportMetric(c.sdk.wall.Seconds(), "csv-s")
	b.ReportMetric(wall, "sync/csv-wall")
	b.ReportMetric(cpu, "sync/csv-cpu")
	b.ReportMetric(serverTotal.Seconds()/float64(repeat), "server-cpu-s")
	b.ReportMetric(float64(c.cli.peak)/(1<<20), "sync-peak-MiB")
	b.ReportMetric(float64(c.sdk.peak)/(1<<20), "csv-peak-MiB")
	b.Logf("%s: sync of a task with %d opens vs track opens -O csv: elapsed ratio %.2f (of the means of %d runs a side; fastest sync %v, csv %v); CPU ratio %.2f (sync %v a run in this process and %v in PostgreSQL's, csv %v); peak heap sync %.1f MiB, csv %.1f MiB",
		engine, opens, wall, repeat, c.cli.wall.Round(time.Millisecond), c.sdk.wall.Round(time.Millisecond), cpu,
		(c.cliTotal.cpu / time.Duration(repeat)).Round(time.Millisecond), (serverTotal / time.Duration(repeat)).Round(time.Millisecond),
		(c.sdkTotal.cpu / time.Duration(repeat)).Round(time.Millisecond),
		float64(c.cli.peak)/(1<<20), float64(c.sdk.peak)/(1<<20))
	if c.cli.peak > maxSyncHeap {
		b.Errorf("%s: sync peak heap %.1f MiB, over %d MiB", engine, float64(c.cli.peak)/(1<<20), maxSyncHeap>>20)
	}
	if wall > limit {
		b.Errorf("%s: sync took %.2f× the CSV export's time, over %.1f×", engine, wall, limit)
	}
}
