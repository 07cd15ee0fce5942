package bestedm

import (
	"context"
	"net/http"
	"net/url"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDatesSentAsWrittenInstantsConverted checks CONTRIBUTING rule 9 on the
// wire for every date parameter and for the task send times: a calendar day
// is the year, month and day the caller wrote, whatever its zone; an
// instant is converted to the server's UTC+8.
func TestDatesSentAsWrittenInstantsConverted(t *testing.T) {
	t.Parallel()
	var mu sync.Mutex
	var got url.Values
	c, mux := setup(t)
	mux.HandleFunc(apiPath, func(w http.ResponseWriter, r *http.Request) {
		assert.NoError(t, r.ParseForm())
		mu.Lock()
		got = r.Form
		mu.Unlock()
		_, _ = w.Write(result("success", "1"))
	})
	// sent runs call and returns the parameter name's value as it arrived.
	sent := func(t *testing.T, name string, call func(context.Context) error) string {
		t.Helper()
		mu.Lock()
		got = nil
		mu.Unlock()
		_ = call(bg) // the reply may not suit the call: only the request matters here
		mu.Lock()
		defer mu.Unlock()
		require.NotNil(t, got, "no request arrived")
		require.Contains(t, got, name)
		return got.Get(name)
	}
	closeExport := func(e interface{ Close() error }, err error) error {
		if err == nil {
			_ = e.Close()
		}
		return err
	}

	type call struct {
		name  string // API parameter
		param string
		do    func(ctx context.Context, d time.Time) error
	}
	days := []call{
		{"Statistic.Overview", "date", func(ctx context.Context, d time.Time) error {
			_, err := c.Statistic.Overview(ctx, d)
			return err
		}},
		{"Statistic.Deductions", "date", func(ctx context.Context, d time.Time) error {
			_, err := c.Statistic.Deductions(ctx, d)
			return err
		}},
		{"Statistic.Batches", "date", func(ctx context.Context, d time.Time) error {
			_, err := c.Statistic.Batches(ctx, &BatchListOptions{Date: d})
			return err
		}},
		{"Statistic.ExportFailed date_end", "date_end", func(ctx context.Context, d time.Time) error {
			e, err := c.Statistic.ExportFailed(ctx, &FailureExportOptions{Date: d, DateEnd: d, Type: FailureInvalidAddress, Format: FormatText})
			return closeExport(e, err)
		}},
		{"Statistic.ExportFailed date", "date", func(ctx context.Context, d time.Time) error {
			e, err := c.Statistic.ExportFailed(ctx, &FailureExportOptions{Date: d, Type: FailureInvalidAddress})
			return closeExport(e, err)
		}},
		{"Statistic.ExportAllFailures date_end", "date_end", func(ctx context.Context, d time.Time) error {
			e, err := c.Statistic.ExportAllFailures(ctx, &FailureExportOptions{Date: d, DateEnd: d})
			return closeExport(e, err)
		}},
		{"Task.ListPage", "date", func(ctx context.Context, d time.Time) error {
			_, err := c.Task.ListPage(ctx, &TaskListOptions{Date: d, Page: 1})
			return err
		}},
		{"Task.Find", "date", func(ctx context.Context, d time.Time) error {
			_, err := c.Task.Find(ctx, &TaskFindOptions{Date: d})
			return err
		}},
		{"Maillist.AddAddress birthday", "birthday", func(ctx context.Context, d time.Time) error {
			_, err := c.Maillist.AddAddress(ctx, 101, Address{Email: "a@example.com", Birthday: d})
			return err
		}},
	}
	instants := []call{
		{"Task.Create time", "time", func(ctx context.Context, d time.Time) error {
			_, err := c.Task.Create(ctx, &TaskParams{TemplateIDs: []int64{16}, SendAccount: "a@example.com", MaillistID: 5, Time: d})
			return err
		}},
		{"Task.Update send_time", "send_time", func(ctx context.Context, d time.Time) error {
			_, err := c.Task.Update(ctx, 7, &TaskUpdateParams{SendTime: d})
			return err
		}},
	}

	// Callers at 00:00 and 23:59 of 2 March 2012 in four zones. The
	// instants are worked out by hand in UTC+8.
	for _, tc := range []struct {
		zone    *time.Location
		hh, mm  int
		instant string
	}{
		{time.FixedZone("UTC-10", -10*3600), 0, 0, "2012-03-02 18:00"},
		{time.FixedZone("UTC-10", -10*3600), 23, 59, "2012-03-03 17:59"},
		{time.UTC, 0, 0, "2012-03-02 08:00"},
		{time.UTC, 23, 59, "2012-03-03 07:59"},
		{time.FixedZone("UTC+8", 8*3600), 0, 0, "2012-03-02 00:00"},
		{time.FixedZone("UTC+8", 8*3600), 23, 59, "2012-03-02 23:59"},
		{time.FixedZone("UTC+14", 14*3600), 0, 0, "2012-03-01 18:00"},
		{time.FixedZone("UTC+14", 14*3600), 23, 59, "2012-03-02 17:59"},
	} {
		d := time.Date(2012, 3, 2, tc.hh, tc.mm, 0, 0, tc.zone)
		label := d.Format("15:04 MST")
		for _, k := range days {
			t.Run(k.name+" "+label, func(t *testing.T) {
				assert.Equal(t, "2012-03-02", sent(t, k.param, func(ctx context.Context) error { return k.do(ctx, d) }))
			})
		}
		for _, k := range instants {
			t.Run(k.name+" "+label, func(t *testing.T) {
				assert.Equal(t, tc.instant, sent(t, k.param, func(ctx context.Context) error { return k.do(ctx, d) }))
			})
		}
	}
}

// TestFailureExportDateEndComparesDays checks that date_end is compared
// with date as calendar days: the same day written in two zones is
// accepted even when its instant is earlier.
func TestFailureExportDateEndComparesDays(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handleText(t, mux, "failexport.php", []byte("a@example.com\n"), nil)
	date := time.Date(2012, 3, 2, 0, 0, 0, 0, time.FixedZone("UTC-10", -10*3600))
	sameDay := time.Date(2012, 3, 2, 5, 0, 0, 0, time.FixedZone("UTC+14", 14*3600)) // 20 hours earlier
	e, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: date, DateEnd: sameDay, Type: FailureInvalidAddress, Format: FormatText})
	require.NoError(t, err)
	require.NoError(t, e.Close())

	// A later instant on an earlier day is refused.
	date = time.Date(2012, 3, 2, 0, 0, 0, 0, time.FixedZone("UTC+14", 14*3600))         // 1 March 10:00 UTC
	dayBefore := time.Date(2012, 3, 1, 23, 0, 0, 0, time.FixedZone("UTC-10", -10*3600)) // 2 March 09:00 UTC
	_, err = c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: date, DateEnd: dayBefore, Type: FailureInvalidAddress, Format: FormatText})
	wantValidation(t, err, "date_end")
}

// Years outside 0001–9999 cannot be written as the server's dates (Go
// writes "0000-01-01", "-0001-01-01", "10000-01-01"): every date and time
// a call sends refuses them before anything is sent, naming the parameter.
func TestDatesOutOfRangeYearsRefused(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	failHandler(t, mux)
	for _, y := range []int{0, -1, 10000} {
		day := time.Date(y, 6, 1, 0, 0, 0, 0, time.UTC)
		calls := []struct {
			field string
			call  func() error
		}{
			{"date", func() error { _, err := c.Statistic.Overview(bg, day); return err }},
			{"date", func() error { _, err := c.Statistic.Deductions(bg, day); return err }},
			{"date", func() error { _, err := c.Task.ListByDate(bg, day); return err }},
			{"date", func() error { _, err := c.Task.ListPage(bg, &TaskListOptions{Date: day}); return err }},
			{"date", func() error { _, err := c.Statistic.Batches(bg, &BatchListOptions{Date: day}); return err }},
			{"date", func() error {
				_, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: day, Type: FailureAll})
				return err
			}},
			{"date_end", func() error {
				_, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC), DateEnd: day, Type: FailureAll})
				return err
			}},
			{"send_time", func() error {
				_, err := c.Task.Update(bg, 1, &TaskUpdateParams{SendTime: day})
				return err
			}},
			{"time", func() error {
				_, err := c.Task.Create(bg, &TaskParams{TemplateIDs: []int64{1}, SendDomain: "example.com", SendAccount: "all", MaillistID: 1, Time: day})
				return err
			}},
			{"birthday", func() error {
				_, err := c.Maillist.AddAddress(bg, 1, Address{Email: "a@example.com", Birthday: day})
				return err
			}},
			{"birthday", func() error {
				_, err := c.Maillist.UpdateAddress(bg, 1, Address{Birthday: day})
				return err
			}},
			{"birthday", func() error {
				_, err := c.Maillist.AddAddresses(bg, 1, func(yield func(Address) bool) { yield(Address{Email: "a@example.com", Birthday: day}) }, nil)
				return err
			}},
		}
		for _, tc := range calls {
			err := tc.call()
			if !assert.Error(t, err, "year %d, %s", y, tc.field) {
				continue
			}
			wantValidation(t, err, tc.field)
			if tc.field != "date_end" || y > 1 { // else it is refused as before date
				assert.Contains(t, err.Error(), "0001", "year %d, %s", y, tc.field)
			}
		}
	}
	// An instant converted to the server's zone can cross into year 10000.
	late := time.Date(9999, 12, 31, 23, 0, 0, 0, time.FixedZone("UTC-5", -5*60*60))
	_, err := c.Task.Update(bg, 1, &TaskUpdateParams{SendTime: late})
	wantValidation(t, err, "send_time")
}
