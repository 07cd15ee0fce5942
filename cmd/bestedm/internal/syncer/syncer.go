// Package syncer mirrors a bestedm account into a store.DB: tasks, batch
// and daily statistics, deductions, tracking (overview, links, opens,
// clicks), failures with their kinds, lists and, when asked, their
// addresses and unsubscribes.
//
// The work is cut into units, each one store transaction that replaces a
// whole set of rows and records that it is done: the task list, the lists,
// one day (statistics, deductions, failures), one task (batch, tracking).
// A run killed at any point therefore leaves whole units only, and the next
// run redoes the rest: what it leaves is what one uninterrupted run leaves.
package syncer

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store"
)

// DefaultTrackWindow is how long after a task finished sending its tracking
// is still pulled by an incremental sync: opens and clicks keep arriving
// for weeks.
const DefaultTrackWindow = 30 * 24 * time.Hour

// dayOverlap is how many days before the last synced day an incremental
// sync pulls again: late bounces are reported on the days after.
const dayOverlap = 2

// Options configure Run.
type Options struct {
	// Account names the account in every row: the user name the client
	// logs in with. Required.
	Account string
	// Since is the first day to pull; zero: from where the last sync of
	// Account stopped, or for a first sync from the day of its oldest task.
	// Tasks that started before Since are not pulled.
	Since time.Time
	// Full pulls every day from Since (or the oldest task) and every task's
	// tracking again, whatever the state says.
	Full bool
	// Addresses also mirrors the addresses and unsubscribes of every list.
	Addresses bool
	// Tasks, when set, limits the run to these tasks (each read on its
	// own, not the task list), their batch statistics and tracking (no
	// days, no lists), whatever the state says of them: a campaign's
	// figures right after it went out.
	Tasks []int64
	// TrackWindow is how long after its end a finished task's tracking is
	// pulled again; 0 means DefaultTrackWindow.
	TrackWindow time.Duration
	// Now gives the current time; nil means time.Now.
	Now func() time.Time
	// Progress, when set, is told of each unit as it starts: how many units
	// are done, how many there are (a total that grows as they are found)
	// and what the unit is.
	Progress func(done, total int, unit string)
}

// TableSummary is what a run did to one table.
type TableSummary struct {
	Table string
	store.Counts
}

// Summary is what a run did, a line per table in store.AllTables order.
type Summary []TableSummary

type run struct {
	c     *bestedm.Client
	db    *store.DB
	o     Options
	loc   *time.Location
	now   time.Time
	sum   map[string]store.Counts
	done  int
	total int
}

// Run syncs the account c logs in to into db.
func Run(ctx context.Context, c *bestedm.Client, db *store.DB, o Options) (Summary, error) {
	if o.Account == "" {
		return nil, fmt.Errorf("sync: no account name")
	}
	if o.TrackWindow == 0 {
		o.TrackWindow = DefaultTrackWindow
	}
	now := time.Now
	if o.Now != nil {
		now = o.Now
	}
	r := &run{c: c, db: db, o: o, loc: c.Location(), sum: map[string]store.Counts{}}
	r.now = now().In(r.loc)
	r.total = 2
	err := r.all(ctx)
	s := make(Summary, 0, len(store.AllTables))
	for _, t := range store.AllTables {
		s = append(s, TableSummary{Table: t.Name, Counts: r.sum[t.Name]})
	}
	return s, err
}

func (r *run) all(ctx context.Context) error {
	tasks, err := r.tasks(ctx)
	if err != nil {
		return err
	}
	todo, err := r.trackedTasks(ctx, tasks)
	if err != nil {
		return err
	}
	if len(r.o.Tasks) > 0 {
		r.total += len(todo)
		for _, t := range todo {
			if err := r.task(ctx, t); err != nil {
				return err
			}
		}
		return nil
	}
	days, err := r.days(ctx, tasks)
	if err != nil {
		return err
	}
	r.total += len(days) + len(todo)
	if err := r.lists(ctx); err != nil {
		return err
	}
	for _, d := range days {
		if err := r.day(ctx, d); err != nil {
			return err
		}
	}
	for _, t := range todo {
		if err := r.task(ctx, t); err != nil {
			return err
		}
	}
	return nil
}

// unit runs one store unit and adds its counts to the summary.
func (r *run) unit(ctx context.Context, name string, fn func(*store.Tx) error) error {
	if r.o.Progress != nil {
		r.o.Progress(r.done, r.total, name)
	}
	counts, err := r.db.Unit(ctx, r.o.Account+"/"+name, fn)
	if err != nil {
		return fmt.Errorf("sync %s: %w", name, err)
	}
	for t, c := range counts {
		old := r.sum[t]
		r.sum[t] = store.Counts{Added: old.Added + c.Added, Updated: old.Updated + c.Updated, Deleted: old.Deleted + c.Deleted}
	}
	r.done++
	if r.o.Progress != nil {
		r.o.Progress(r.done, r.total, name)
	}
	return nil
}

// tasks mirrors the task list (task-list, every task, or only
// Options.Tasks) and returns it.
func (r *run) tasks(ctx context.Context) ([]bestedm.Task, error) {
	var tasks []bestedm.Task
	if len(r.o.Tasks) > 0 {
		// Only these: rows of the others are kept (tasks are never
		// deleted), so reading one task each is enough.
		for _, id := range r.o.Tasks {
			t, err := r.c.Task.Get(ctx, id)
			if err != nil {
				return nil, fmt.Errorf("sync task %d: %w", id, err)
			}
			tasks = append(tasks, *t)
		}
	} else {
		for t, err := range r.c.Task.List(ctx, nil) {
			if err != nil {
				return nil, fmt.Errorf("sync tasks: %w", err)
			}
			tasks = append(tasks, t)
		}
	}
	acct := r.o.Account
	err := r.unit(ctx, "tasks", func(tx *store.Tx) error {
		return tx.Replace(store.Tasks, []any{acct}, func(yield func([]any, error) bool) {
			for _, t := range tasks {
				if !yield([]any{acct, t.ID, t.SN, t.Sender, t.SenderName, t.ReplyTo, ids(t.TemplateIDs, t.TemplateID),
					t.TemplateName, ids(t.ListIDs, t.ListID), t.ListName, t.SendQty, r.ts(t.SendTime), r.ts(t.TimeStart),
					r.ts(t.TimeEnd), t.SendCount, t.ErrorCount, int64(t.SendStatus), int64(t.TrackStatus)}, nil) {
					return
				}
			}
		})
	})
	return tasks, err
}

// lists mirrors the contact lists and, with Addresses, their members and
// unsubscribes, a unit per list.
func (r *run) lists(ctx context.Context) error {
	lists, err := r.c.Maillist.List(ctx)
	if err != nil {
		return fmt.Errorf("sync lists: %w", err)
	}
	acct := r.o.Account
	err = r.unit(ctx, "lists", func(tx *store.Tx) error {
		return tx.Replace(store.Lists, []any{acct}, func(yield func([]any, error) bool) {
			for _, l := range lists {
				if !yield([]any{acct, l.ID, l.Name, l.Description, l.Count, string(l.Status)}, nil) {
					return
				}
			}
		})
	})
	if err != nil || !r.o.Addresses {
		return err
	}
	r.total += len(lists)
	for _, l := range lists {
		err := r.unit(ctx, "list/"+strconv.FormatInt(l.ID, 10), func(tx *store.Tx) error {
			row := make([]any, len(store.Addresses.Cols))
			err := tx.Replace(store.Addresses, []any{acct, l.ID}, func(yield func([]any, error) bool) {
				for a, err := range r.c.Maillist.ListAddresses(ctx, &bestedm.AddressListOptions{ListID: &l.ID, Page: 1, Limit: 1000}) {
					if err != nil {
						yield(nil, err)
						return
					}
					birthday := any(nil)
					if !a.Birthday.IsZero() {
						birthday = a.Birthday.Format(time.DateOnly)
					}
					row = append(row[:0], acct, l.ID, a.Email, a.ID, a.Name, string(a.Sex), birthday, a.Phone, a.Area, r.ts(a.Time))
					if !yield(row, nil) {
						return
					}
				}
			})
			if err != nil {
				return err
			}
			return tx.Replace(store.Unsubscribes, []any{acct, l.ID}, func(yield func([]any, error) bool) {
				// Opened here, not before: Replace may read the rows twice.
				exp, err := r.c.Maillist.ExportUnsubscribed(ctx, l.ID)
				if err != nil {
					yield(nil, err)
					return
				}
				defer exp.Close()
				for u, err := range exp.Rows() {
					if err != nil {
						yield(nil, err)
						return
					}
					if !yield([]any{acct, l.ID, u.Email, r.ts(u.Time)}, nil) {
						return
					}
				}
			})
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// days returns the days to pull: from Since, or the state's last day less
// an overlap, or the oldest task's day, to today.
func (r *run) days(ctx context.Context, tasks []bestedm.Task) ([]time.Time, error) {
	today := r.day0(r.now)
	first := today // the day of the oldest task: nothing happened before
	for _, t := range tasks {
		if d := r.taskDay(t); !d.IsZero() && d.Before(first) {
			first = d
		}
	}
	start := first
	switch {
	case !r.o.Since.IsZero():
		start = r.day0(r.o.Since)
	case !r.o.Full:
		var last string
		err := r.db.QueryRow(ctx, "SELECT last_day FROM sync_state WHERE account = ? AND kind = 'days'", r.o.Account).Scan(&last)
		if err == nil {
			d, perr := time.ParseInLocation(time.DateOnly, last, r.loc)
			if perr != nil {
				return nil, fmt.Errorf("sync state: last day %q: %w", last, perr)
			}
			// Never before the oldest task, so that where a run starts
			// does not depend on where an interrupted one stopped.
			if start = d.AddDate(0, 0, -dayOverlap); start.Before(first) {
				start = first
			}
		}
	}
	var days []time.Time
	for d := start; !d.After(today); d = d.AddDate(0, 0, 1) {
		days = append(days, d)
	}
	return days, nil
}

// day mirrors one day's statistics, deductions and failures, and moves the
// state's last day to it when it is over.
func (r *run) day(ctx context.Context, d time.Time) error {
	acct, day := r.o.Account, d.Format(time.DateOnly)
	st, err := r.c.Statistic.Overview(ctx, d)
	if err != nil {
		return fmt.Errorf("sync day %s: %w", day, err)
	}
	deds, err := r.c.Statistic.Deductions(ctx, d)
	if err != nil {
		return fmt.Errorf("sync day %s: %w", day, err)
	}
	return r.unit(ctx, "day/"+day, func(tx *store.Tx) error {
		err := tx.Replace(store.DailyStats, []any{acct, day}, one([]any{acct, day, st.WebQty, st.WebError, st.WebCount,
			st.InvalidAddr, st.FormatError, st.SendCount, st.ReservedPoints, st.ActualSend, st.SendError, st.DeductedPoints}))
		if err != nil {
			return err
		}
		err = tx.Replace(store.Deductions, []any{acct, day}, func(yield func([]any, error) bool) {
			for i, x := range deds {
				if !yield([]any{acct, day, int64(i + 1), x.Company, x.Kind, x.SendNum, x.Total}, nil) {
					return
				}
			}
		})
		if err != nil {
			return err
		}
		err = tx.Replace(store.Failures, []any{acct, day}, func(yield func([]any, error) bool) {
			// Opened here, not before: Replace may read the rows twice.
			exp, err := r.c.Statistic.ExportAllFailures(ctx, &bestedm.FailureExportOptions{Date: d, Type: bestedm.FailureAll})
			if err != nil {
				yield(nil, err)
				return
			}
			defer exp.Close()
			row := make([]any, len(store.Failures.Cols))
			for f, err := range exp.Rows() {
				if err != nil {
					yield(nil, err)
					return
				}
				row = append(row[:0], acct, day, f.TaskID, f.Email, int64(f.Kind), f.Kind.String())
				if !yield(row, nil) {
					return
				}
			}
		})
		if err != nil || !d.Before(r.day0(r.now)) {
			return err
		}
		return r.setState(tx, "days", day)
	})
}

func (r *run) setState(tx *store.Tx, kind, day string) error {
	stamp := r.now.Format(time.DateTime)
	n, err := tx.Exec("UPDATE sync_state SET last_day = ?, updated_at = ? WHERE account = ? AND kind = ? AND last_day < ?",
		day, stamp, r.o.Account, kind, day)
	if err != nil || n > 0 {
		return err
	}
	_, err = tx.Exec("INSERT INTO sync_state (account, kind, last_day, updated_at) VALUES (?, ?, ?, ?) ON CONFLICT (account, kind) DO NOTHING",
		r.o.Account, kind, day, stamp)
	return err
}

// trackedTasks returns the tasks whose batch and tracking are pulled: those
// that started sending (and, with Since, started on or after it), less,
// without Full, those the state marks final.
func (r *run) trackedTasks(ctx context.Context, tasks []bestedm.Task) ([]bestedm.Task, error) {
	if len(r.o.Tasks) > 0 {
		return tasks, nil // read one by one (tasks), whatever the state says
	}
	final := map[int64]bool{}
	if !r.o.Full {
		rows, err := r.db.Query(ctx, "SELECT task_id FROM task_sync WHERE account = ? AND final = 1", r.o.Account)
		if err != nil {
			return nil, fmt.Errorf("sync state: %w", err)
		}
		defer rows.Close()
		for rows.Next() {
			var id int64
			if err := rows.Scan(&id); err != nil {
				return nil, fmt.Errorf("sync state: %w", err)
			}
			final[id] = true
		}
		if err := rows.Err(); err != nil {
			return nil, fmt.Errorf("sync state: %w", err)
		}
	}
	var todo []bestedm.Task
	for _, t := range tasks {
		started := !t.TimeStart.IsZero() || t.SendStatus == bestedm.SendInProgress || t.SendStatus == bestedm.SendFinished
		if !started || final[t.ID] {
			continue
		}
		if !r.o.Since.IsZero() && r.taskDay(t).Before(r.day0(r.o.Since)) {
			continue
		}
		todo = append(todo, t)
	}
	slices.SortFunc(todo, func(a, b bestedm.Task) int { return int(a.ID - b.ID) })
	return todo, nil
}

// task mirrors one task's batch statistics and tracking in one unit.
func (r *run) task(ctx context.Context, t bestedm.Task) error {
	acct, ref := r.o.Account, bestedm.TaskByID(t.ID)
	batches, err := r.c.Statistic.Batches(ctx, &bestedm.BatchListOptions{TaskID: t.ID})
	if err != nil {
		return fmt.Errorf("sync task %d: %w", t.ID, err)
	}
	var ov *bestedm.TrackOverview
	if t.TrackStatus != bestedm.TrackNone {
		ov, err = r.c.Track.Overview(ctx, ref)
		if errors.Is(err, bestedm.ErrNotFound) {
			ov, err = nil, nil // no tracking data yet
		}
		if err != nil {
			return fmt.Errorf("sync task %d: %w", t.ID, err)
		}
	}
	scope := []any{acct, t.ID}
	return r.unit(ctx, "task/"+strconv.FormatInt(t.ID, 10), func(tx *store.Tx) error {
		err := tx.Replace(store.Batches, scope, func(yield func([]any, error) bool) {
			for _, b := range batches {
				if b.TaskID != t.ID {
					continue
				}
				if !yield([]any{acct, t.ID, b.TaskIdent, r.date(b.TaskDate), b.TotalSum, b.Total, b.Success, b.Failed,
					b.EmailNotExist, b.OverQuota, b.UserReject, b.SendFailed, b.SpamContent, b.ConnectError,
					b.Invalid, b.Rubbish, b.DeductedPoints, b.RefundedPoints, b.Points}, nil) {
					return
				}
			}
		})
		if err != nil {
			return err
		}
		if ov != nil {
			if err := r.tracking(ctx, tx, t, ov); err != nil {
				return err
			}
		}
		final := int64(0)
		if (t.SendStatus == bestedm.SendFinished || t.SendStatus == bestedm.SendCancelled) &&
			!t.TimeEnd.IsZero() && r.now.Sub(t.TimeEnd) > r.o.TrackWindow {
			final = 1
		}
		_, err = tx.Exec("INSERT INTO task_sync (account, task_id, final, synced_at) VALUES (?, ?, ?, ?) "+
			"ON CONFLICT (account, task_id) DO UPDATE SET final = excluded.final, synced_at = excluded.synced_at",
			acct, t.ID, final, r.now.Format(time.DateTime))
		return err
	})
}

// tracking writes a task's overview, links, opens and clicks.
func (r *run) tracking(ctx context.Context, tx *store.Tx, t bestedm.Task, ov *bestedm.TrackOverview) error {
	acct, ref := r.o.Account, bestedm.TaskByID(t.ID)
	scope := []any{acct, t.ID}
	err := tx.Replace(store.TrackOverviews, scope, one([]any{acct, t.ID, ov.TrackID, ov.TaskSN, ov.SendCount,
		ov.RealSendCount, ov.ErrorSendCount, ov.OpenUnique, ov.OpenTotal, r.ts(ov.OpenFirst), r.ts(ov.OpenLast),
		ov.ClickUnique, ov.ClickTotal, r.ts(ov.ClickFirst), r.ts(ov.ClickLast), ov.OpenRatio, ov.ClickRatio}))
	if err != nil {
		return err
	}
	err = tx.Replace(store.Links, scope, func(yield func([]any, error) bool) {
		for _, l := range ov.Links {
			if !yield([]any{acct, t.ID, l.LinkID, l.URL, l.ClickUnique, l.ClickTotal, r.ts(l.ClickFirst), r.ts(l.ClickLast)}, nil) {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	err = tx.Replace(store.Opens, scope, func(yield func([]any, error) bool) {
		row := make([]any, len(store.Opens.Cols))
		for o, err := range r.c.Track.Opens(ctx, ref) {
			if err != nil {
				yield(nil, err)
				return
			}
			row = append(row[:0], acct, t.ID, o.Email, o.EmailID, o.Browser, strings.TrimSpace(o.OS), o.IPFirst, o.IPLast,
				o.OpenTotal, o.ClickTotal, r.ts(o.OpenFirst), r.ts(o.OpenLast), r.ts(o.ClickFirst), r.ts(o.ClickLast))
			if !yield(row, nil) {
				return
			}
		}
	})
	if err != nil || t.TrackStatus != bestedm.TrackOpensAndClicks {
		return err
	}
	return tx.Replace(store.Clicks, scope, func(yield func([]any, error) bool) {
		row := make([]any, len(store.Clicks.Cols))
		for k, err := range r.c.Track.Clicks(ctx, ref, 0) {
			if err != nil {
				yield(nil, err)
				return
			}
			row = append(row[:0], acct, t.ID, k.Email, k.URL, k.ClickID, k.ClickUnique, k.ClickTotal, r.ts(k.ClickFirst), r.ts(k.ClickLast))
			if !yield(row, nil) {
				return
			}
		}
	})
}

// ts is a server time as the store keeps it: the wall clock in the
// client's zone, or NULL for none.
func (r *run) ts(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(r.loc).Format(time.DateTime)
}

func (r *run) date(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.In(r.loc).Format(time.DateOnly)
}

// day0 is the start of t's day in the client's zone.
func (r *run) day0(t time.Time) time.Time {
	t = t.In(r.loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, r.loc)
}

// taskDay is the day a task started sending, or was to.
func (r *run) taskDay(t bestedm.Task) time.Time {
	switch {
	case !t.TimeStart.IsZero():
		return r.day0(t.TimeStart)
	case !t.SendTime.IsZero():
		return r.day0(t.SendTime)
	}
	return time.Time{}
}

// ids is a task's template or list ids as add-task takes them: "5,8".
func ids(all []int64, first int64) string {
	if len(all) == 0 && first != 0 {
		all = []int64{first}
	}
	s := make([]string, len(all))
	for i, id := range all {
		s[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(s, ",")
}

// one is a sequence of a single row.
func one(row []any) iter.Seq2[[]any, error] {
	return func(yield func([]any, error) bool) { yield(row, nil) }
}
