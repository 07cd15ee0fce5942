package syncer

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store/storetest"
)

// TestSyncConcurrentRuns runs two syncs of one account into one database
// at once, twice over, and checks the result is one run's.
func TestSyncConcurrentRuns(t *testing.T) {
	engines(t, func(t *testing.T, newURL func(t *testing.T) string) {
		ctx := context.Background()
		s := bigFake(t)
		ref := openDB(t, newURL(t))
		_, err := Run(ctx, s.Client(), ref, opts(s))
		require.NoError(t, err)
		want := storetest.Dump(ctx, t, ref)

		url := newURL(t)
		for round := range 2 {
			var wg sync.WaitGroup
			sums := make([]Summary, 2)
			errs := make([]error, 2)
			for i := range 2 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					// A handle each, as two processes have.
					db, err := store.Open(ctx, url)
					if err != nil {
						errs[i] = err
						return
					}
					defer db.Close()
					sums[i], errs[i] = Run(ctx, s.Client(), db, opts(s))
				}()
			}
			wg.Wait()
			require.NoError(t, errs[0])
			require.NoError(t, errs[1])
			db := openDB(t, url)
			if d := diffLines(want, storetest.Dump(ctx, t, db)); d != "" {
				t.Fatalf("round %d: two syncs at once differ from one:\n%s", round, d)
			}
			a0, c0 := total(sums[0])
			a1, c1 := total(sums[1])
			t.Logf("round %d: run A added %d, changed %d; run B added %d, changed %d; the database equals one run's (%d rows)",
				round, a0, c0, a1, c1, countLines(want))
			if round == 0 {
				// Between them they added each row once.
				var rows int64
				for _, tb := range store.AllTables {
					var n int64
					require.NoError(t, db.QueryRow(ctx, "SELECT COUNT(*) FROM "+tb.Name).Scan(&n))
					rows += n
				}
				assert.Equal(t, rows, a0+a1, "rows added by the two runs")
			}
		}
	})
}

// TestSyncIncremental: a later run picks up what changed on the server and
// skips the tasks whose tracking is final; --full pulls them again.
func TestSyncIncremental(t *testing.T) {
	engines(t, func(t *testing.T, newURL func(t *testing.T) string) {
		ctx := context.Background()
		clock := bestedmtest.NewClock(testNow)
		s := bestedmtest.NewServer(t, bestedmtest.WithSeed(1), bestedmtest.WithClock(clock))
		db := openDB(t, newURL(t))
		o := Options{Account: s.Customer().Username, Now: clock.Now, TrackWindow: 3 * 24 * time.Hour}
		_, err := Run(ctx, s.Client(), db, o)
		require.NoError(t, err)
		checkAgainstFake(t, s, db)

		// A day later: the sending task has finished, the waiting one has
		// been sent, more opens came in.
		clock.Advance(24 * time.Hour)
		s.ClearRequests()
		sum, err := Run(ctx, s.Client(), db, o)
		require.NoError(t, err)
		added, changed := total(sum)
		assert.Positive(t, added, "%+v", sum)
		assert.Positive(t, changed, "%+v", sum)
		checkAgainstFake(t, s, db)

		var final []int64
		rows, err := db.Query(ctx, "SELECT s.task_id FROM task_sync s JOIN tasks t ON t.account = s.account AND t.task_id = s.task_id "+
			"WHERE s.final = 1 AND t.track_status <> 0 ORDER BY s.task_id")
		require.NoError(t, err)
		for rows.Next() {
			var id int64
			require.NoError(t, rows.Scan(&id))
			final = append(final, id)
		}
		require.NoError(t, rows.Err())
		rows.Close()
		require.NotEmpty(t, final, "tasks finished more than TrackWindow ago are final")

		openDetail := func() map[string]bool {
			seen := map[string]bool{}
			for _, r := range s.Requests() {
				if r.Action == "open-detail" {
					seen[r.Query.Get("id")] = true
				}
			}
			return seen
		}
		s.ClearRequests()
		_, err = Run(ctx, s.Client(), db, o)
		require.NoError(t, err)
		pulled := openDetail()
		for _, id := range final {
			assert.False(t, pulled[itoa(id)], "final task %d pulled again", id)
		}
		// Only the days from the last synced one, less the overlap, are pulled.
		first := clock.Now().AddDate(0, 0, -1-dayOverlap).Format(time.DateOnly)
		for _, r := range s.Requests() {
			if r.Script == "statistic.php" {
				assert.GreaterOrEqual(t, r.Query.Get("date"), first, "a day before the last synced one less the overlap")
			}
		}

		s.ClearRequests()
		o.Full = true
		_, err = Run(ctx, s.Client(), db, o)
		require.NoError(t, err)
		pulled = openDetail()
		for _, id := range final {
			assert.True(t, pulled[itoa(id)], "--full pulls final task %d", id)
		}
	})
}

// TestSyncAddressesDeletesWhatWentAway: with Addresses, an address
// deleted on the server is deleted from the mirror, and one added is added.
func TestSyncAddressesDeletesWhatWentAway(t *testing.T) {
	engines(t, func(t *testing.T, newURL func(t *testing.T) string) {
		ctx := context.Background()
		s := newFake(t)
		c := s.Client()
		db := openDB(t, newURL(t))
		o := opts(s)
		o.Addresses = true
		_, err := Run(ctx, c, db, o)
		require.NoError(t, err)
		lists := s.Lists()
		addrs := s.Addresses(lists[0].ID)
		require.NotEmpty(t, addrs)
		_, err = c.Maillist.DeleteAddress(ctx, addrs[0].ID)
		require.NoError(t, err)
		_, err = c.Maillist.AddAddress(ctx, lists[0].ID, bestedm.Address{Email: "新客户@example.com", Name: "张三"})
		if err != nil { // an address the fake refuses: a plain one
			_, err = c.Maillist.AddAddress(ctx, lists[0].ID, bestedm.Address{Email: "new.one@example.com", Name: "张三"})
		}
		require.NoError(t, err)
		sum, err := Run(ctx, c, db, o)
		require.NoError(t, err)
		for _, x := range sum {
			if x.Table == "addresses" {
				assert.Equal(t, store.Counts{Added: 1, Deleted: 1}, x.Counts)
			}
		}
		var n int64
		require.NoError(t, db.QueryRow(ctx, "SELECT COUNT(*) FROM addresses WHERE account = ? AND list_id = ?", o.Account, lists[0].ID).Scan(&n))
		assert.Equal(t, int64(len(s.Addresses(lists[0].ID))), n)
		require.NoError(t, db.QueryRow(ctx, "SELECT COUNT(*) FROM addresses WHERE email = ?", addrs[0].Email).Scan(&n))
		assert.Zero(t, n, "the deleted address")
	})
}

// TestSyncOneTask: with Tasks, only those tasks are pulled (each read on
// its own, the task list not at all), and their rows are the fake's.
func TestSyncOneTask(t *testing.T) {
	ctx := context.Background()
	s := newFake(t)
	db := openDB(t, sqliteURL(t))
	var id int64
	for _, st := range s.Tasks() {
		if st.TrackStatus == 2 && st.Status == 3 {
			id = st.ID
		}
	}
	require.NotZero(t, id)
	o := opts(s)
	o.Tasks = []int64{id}
	s.ClearRequests()
	_, err := Run(ctx, s.Client(), db, o)
	require.NoError(t, err)
	for _, r := range s.Requests() {
		assert.NotContains(t, []string{"statistic.php", "deduction.php", "failexportall.php", "mloperate.php"}, r.Script)
		if id := r.Query.Get("id"); r.Script == "track.php" || r.Action == "task-list" {
			assert.Equal(t, itoa(o.Tasks[0]), id, "%s %s", r.Script, r.Action)
		}
	}
	var n, other int64
	require.NoError(t, db.QueryRow(ctx, "SELECT COUNT(*) FROM opens WHERE task_id = ?", id).Scan(&n))
	require.NoError(t, db.QueryRow(ctx, "SELECT COUNT(*) FROM opens WHERE task_id <> ?", id).Scan(&other))
	ov, err := s.Client().Track.Overview(ctx, bestedm.TaskByID(id))
	require.NoError(t, err)
	assert.Equal(t, ov.OpenUnique, n)
	assert.Zero(t, other)

	o.Tasks = []int64{999999}
	_, err = Run(ctx, s.Client(), db, o)
	assert.ErrorIs(t, err, bestedm.ErrNotFound)
}
