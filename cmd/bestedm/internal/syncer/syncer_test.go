package syncer

import (
	"context"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store/storetest"
)

// testNow is the fake's fixed clock: its generated tasks run from nine
// days before to three days after.
var testNow = time.Date(2026, 12, 1, 12, 0, 0, 0, time.FixedZone("CST", 8*3600))

func newFake(tb testing.TB) *bestedmtest.Server {
	return bestedmtest.NewServer(tb, bestedmtest.WithSeed(1), bestedmtest.WithClock(bestedmtest.NewClock(testNow)))
}

func opts(s *bestedmtest.Server) Options {
	return Options{Account: s.Customer().Username, Now: func() time.Time { return testNow }}
}

func openDB(t *testing.T, url string) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), url)
	require.NoError(t, err)
	t.Cleanup(func() { db.Close() })
	return db
}

func sqliteURL(t *testing.T) string { return filepath.Join(t.TempDir(), "sync.db") }

// engines runs f against SQLite and, when a cluster can be started, a
// PostgreSQL database.
func engines(t *testing.T, f func(t *testing.T, newURL func(t *testing.T) string)) {
	t.Run("sqlite", func(t *testing.T) { f(t, sqliteURL) })
	t.Run("postgres", func(t *testing.T) {
		pg := storetest.StartPostgres(t)
		f(t, func(t *testing.T) string { return pg.NewDatabase(t) })
	})
}

func total(s Summary) (added, changed int64) {
	for _, x := range s {
		added += x.Added
		changed += x.Updated + x.Deleted
	}
	return
}

func TestSyncMirrorsTheFake(t *testing.T) {
	engines(t, func(t *testing.T, newURL func(t *testing.T) string) {
		ctx := context.Background()
		s := newFake(t)
		c := s.Client()
		db := openDB(t, newURL(t))
		sum, err := Run(ctx, c, db, opts(s))
		require.NoError(t, err)
		added, _ := total(sum)
		t.Logf("first run: %+v", sum)
		assert.Positive(t, added)
		checkAgainstFake(t, s, db)

		// A second run adds, changes and deletes nothing.
		before := storetest.Dump(ctx, t, db)
		sum, err = Run(ctx, c, db, opts(s))
		require.NoError(t, err)
		added, changed := total(sum)
		assert.Zero(t, added, "second run: %+v", sum)
		assert.Zero(t, changed, "second run: %+v", sum)
		assert.Equal(t, before, storetest.Dump(ctx, t, db))
	})
}

// checkAgainstFake compares the database with what the fake holds and
// answers: every task, every started task's opens and clicks, every
// failure of every day.
func checkAgainstFake(t *testing.T, s *bestedmtest.Server, db *store.DB) {
	t.Helper()
	ctx := context.Background()
	c := s.Client()
	acct := s.Customer().Username
	query := func(q string, args ...any) []string {
		rows, err := db.Query(ctx, q, args...)
		require.NoError(t, err)
		defer rows.Close()
		var out []string
		for rows.Next() {
			var v string
			require.NoError(t, rows.Scan(&v))
			out = append(out, v)
		}
		require.NoError(t, rows.Err())
		return out
	}
	var want []string
	for _, st := range s.Tasks() {
		want = append(want, itoa(st.ID)+" "+st.SN+" "+itoa(int64(st.Status)))
	}
	slices.Sort(want)
	got := query("SELECT CAST(task_id AS TEXT) || ' ' || sn || ' ' || CAST(send_status AS TEXT) FROM tasks WHERE account = ? ORDER BY 1", acct)
	slices.Sort(got)
	assert.Equal(t, want, got, "tasks")

	tracked := 0
	for _, st := range s.Tasks() {
		if st.TrackStatus == 0 || st.Sent == 0 {
			continue
		}
		tracked++
		ref := bestedm.TaskByID(st.ID)
		var wantOpens []string
		for o, err := range c.Track.Opens(ctx, ref) {
			require.NoError(t, err)
			wantOpens = append(wantOpens, o.Email+" "+itoa(o.OpenTotal)+" "+itoa(o.ClickTotal)+" "+strings.TrimSpace(o.OS))
		}
		slices.Sort(wantOpens)
		gotOpens := query("SELECT email || ' ' || CAST(open_total AS TEXT) || ' ' || CAST(click_total AS TEXT) || ' ' || os FROM opens WHERE account = ? AND task_id = ? ORDER BY email", acct, st.ID)
		assert.Equal(t, wantOpens, gotOpens, "opens of task %d", st.ID)
		ov, err := c.Track.Overview(ctx, ref)
		require.NoError(t, err)
		assert.Equal(t, []string{itoa(ov.OpenUnique)}, query("SELECT CAST(COUNT(*) AS TEXT) FROM opens WHERE account = ? AND task_id = ?", acct, st.ID))
		if st.TrackStatus == 2 {
			var wantClicks []string
			for k, err := range c.Track.Clicks(ctx, ref, 0) {
				require.NoError(t, err)
				wantClicks = append(wantClicks, k.Email+" "+k.URL+" "+itoa(k.ClickTotal))
			}
			slices.Sort(wantClicks)
			gotClicks := query("SELECT email || ' ' || url || ' ' || CAST(click_total AS TEXT) FROM clicks WHERE account = ? AND task_id = ? ORDER BY 1", acct, st.ID)
			slices.Sort(gotClicks)
			assert.Equal(t, wantClicks, gotClicks, "clicks of task %d", st.ID)
		}
	}
	assert.Positive(t, tracked, "the fake has tasks with tracking")

	for d := testNow.AddDate(0, 0, -10); !d.After(testNow); d = d.AddDate(0, 0, 1) {
		exp, err := c.Statistic.ExportAllFailures(ctx, &bestedm.FailureExportOptions{Date: d, Type: bestedm.FailureAll})
		require.NoError(t, err)
		var wantF []string
		for f, err := range exp.Rows() {
			require.NoError(t, err)
			wantF = append(wantF, f.Email+" "+itoa(int64(f.Kind))+" "+itoa(f.TaskID))
		}
		slices.Sort(wantF)
		gotF := query("SELECT email || ' ' || CAST(kind AS TEXT) || ' ' || CAST(task_id AS TEXT) FROM failures WHERE account = ? AND day = ? ORDER BY 1", acct, d.Format(time.DateOnly))
		slices.Sort(gotF)
		assert.Equal(t, wantF, gotF, "failures of %s", d.Format(time.DateOnly))
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
