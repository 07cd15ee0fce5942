package main

import (
	"time"

	"github.com/schollz/progressbar/v3"
	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/syncer"
)

func newSyncCmd(a *app) *cobra.Command {
	var (
		dbURL, since    string
		full, addresses bool
		tasks           []int64
	)
	cmd := &cobra.Command{
		Use:   "sync [--db URL] [--since DAY] [--full] [--addresses] [--task ID]...",
		Short: "Mirror the account into SQLite or PostgreSQL: tasks, statistics, tracking, failures, lists",
		Long: `sync copies the account's campaign data into a database, to query with SQL
and to compare campaigns with 'bestedm report --db': tasks, batch and daily
statistics, deductions, tracking overviews, links, opens and clicks per task,
failed addresses with their kinds, lists and, with --addresses, the lists'
addresses and unsubscribes.

--db is a SQLite file (default ./bestedm.db) or a postgres:// URL. A second
run pulls only what is new or may still change: the days since the last run
(two days back, for late bounces) and the tasks whose tracking can still
change (finished less than 30 days ago); --full pulls everything again;
--task ID pulls only that task's statistics and tracking (repeat it for more).
A run stopped at any point and run again leaves what one whole run leaves.
The summary gives the rows added, updated and deleted per table; see
docs/sync.md for the schema and example queries.`,
		Args: nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.api()
			if err != nil {
				return err
			}
			o := syncer.Options{Account: a.getenv("BESTEDM_USERNAME"), Full: full, Addresses: addresses, Tasks: tasks}
			for _, id := range tasks {
				if id <= 0 {
					return usagef("--task must be a positive task id, not %d", id)
				}
			}
			if since != "" {
				if o.Since, err = parseDate(c, since); err != nil {
					return err
				}
			}
			ctx := cmd.Context()
			db, err := store.Open(ctx, dbURL)
			if err != nil {
				return err
			}
			defer db.Close()
			if a.stderrIsTTY {
				bar := progressbar.NewOptions(-1,
					progressbar.OptionSetWriter(a.stderr),
					progressbar.OptionSetDescription("syncing"),
					progressbar.OptionShowCount(),
					progressbar.OptionThrottle(100*time.Millisecond),
					progressbar.OptionClearOnFinish(),
				)
				defer bar.Finish()
				o.Progress = func(done, total int, unit string) {
					bar.ChangeMax(total)
					bar.Describe("syncing " + unit)
					_ = bar.Set(done)
				}
			}
			sum, err := syncer.Run(ctx, c, db, o)
			if perr := printSyncSummary(a, sum); err == nil {
				err = perr
			}
			return err
		},
	}
	f := cmd.Flags()
	f.StringVar(&dbURL, "db", "", "database: a SQLite file (default ./bestedm.db) or postgres://user@host/db")
	f.StringVar(&since, "since", "", "first day to pull (YYYY-MM-DD, today, yesterday); default: where the last sync stopped")
	f.BoolVar(&full, "full", false, "pull every day and every task's tracking again, whatever was synced before")
	f.BoolVar(&addresses, "addresses", false, "also mirror every list's addresses and unsubscribes")
	f.Int64SliceVar(&tasks, "task", nil, "only this task's statistics and tracking (repeatable)")
	return cmd
}

// printSyncSummary prints the rows added, updated and deleted per table,
// also after a failed run (what it did is kept).
func printSyncSummary(a *app, sum syncer.Summary) error {
	p := a.table("TABLE", "ADDED", "UPDATED", "DELETED")
	for _, t := range sum {
		v := map[string]any{"table": t.Table, "added": t.Added, "updated": t.Updated, "deleted": t.Deleted}
		if err := printRow(p, v, t.Table, itoa(t.Added), itoa(t.Updated), itoa(t.Deleted)); err != nil {
			return err
		}
	}
	return p.flush()
}
