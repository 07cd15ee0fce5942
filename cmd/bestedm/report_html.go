package main

import (
	"io"
	"os"
	"time"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/htmlreport"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store"
)

// withHTMLReport adds --html, --db and --since to the report command,
// leaving what it does without --html as it is:
//
//	bestedm report TASK --html FILE                  one task, from the API
//	bestedm report --db URL --since DAY --html FILE  campaigns compared, from a synced database
//
// It wraps the command rather than editing it, so the table report and the
// HTML report change independently.
func withHTMLReport(a *app, cmd *cobra.Command) *cobra.Command {
	var htmlFile, dbURL, since string
	args, run := cmd.Args, cmd.RunE
	cmd.Use = "report TASK | report --db URL [--since DAY] --html FILE"
	cmd.Long += `

With --html FILE it writes one self-contained HTML page instead (charts drawn
as SVG; nothing is fetched when it is opened): for TASK, the funnel from
recipients to clicks, opens and clicks over time, top links, failures by kind
and the browser, OS and device split; with --db (a database 'bestedm sync'
filled) and no TASK, the open and click rate of each task since --since and
the failures per day.`
	cmd.Args = func(c *cobra.Command, as []string) error {
		switch {
		case dbURL != "" && htmlFile == "":
			return usagef("--db needs --html FILE")
		case dbURL != "" && len(as) > 0:
			return usagef("--db compares the synced campaigns and takes no TASK")
		case dbURL != "":
			return nil
		case since != "":
			return usagef("--since needs --db")
		}
		return args(c, as)
	}
	cmd.RunE = func(c *cobra.Command, as []string) error {
		if htmlFile == "" {
			return run(c, as)
		}
		ctx := c.Context()
		if dbURL != "" {
			if err := notTheDatabase(dbURL, htmlFile); err != nil {
				return err
			}
			day := time.Now().AddDate(0, 0, -30).Format(time.DateOnly)
			if since != "" {
				t, err := time.Parse(time.DateOnly, since)
				if err != nil {
					return usagef("--since must be YYYY-MM-DD, not %q", since)
				}
				day = t.Format(time.DateOnly)
			}
			db, err := store.Open(ctx, dbURL)
			if err != nil {
				return err
			}
			defer db.Close()
			r, err := htmlreport.CompareFromDB(ctx, db, day)
			if err != nil {
				return err
			}
			return a.toFile(htmlFile, func(w io.Writer) error { return htmlreport.WriteCompare(w, r) })
		}
		ref, err := taskRef(as[0])
		if err != nil {
			return err
		}
		cl, err := a.api()
		if err != nil {
			return err
		}
		r, err := htmlreport.TaskFromAPI(ctx, cl, ref)
		if err != nil {
			return err
		}
		return a.toFile(htmlFile, func(w io.Writer) error { return htmlreport.WriteTask(w, r) })
	}
	f := cmd.Flags()
	f.StringVar(&htmlFile, "html", "", "write a self-contained HTML report with charts to FILE")
	f.StringVar(&dbURL, "db", "", "with --html and no TASK: compare the campaigns of this synced database (SQLite file or postgres:// URL)")
	f.StringVar(&since, "since", "", "with --db: the first day of the comparison (YYYY-MM-DD; default 30 days ago)")
	return cmd
}

// notTheDatabase refuses an output file that is the SQLite database read
// (by identity: a link or another spelling of its path counts), which the
// page would replace.
func notTheDatabase(dbURL, out string) error {
	path, ok := store.FilePath(dbURL)
	if !ok || out == "" || out == "-" {
		return nil
	}
	db, err := os.Stat(path)
	if err != nil {
		return nil // no such database: store.Open says so
	}
	if o, err := os.Stat(out); err == nil && os.SameFile(db, o) {
		return usagef("--html %s is the database --db reads: give the page another name", quoteSample(out))
	}
	return nil
}
