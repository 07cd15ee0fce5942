package main

import (
	"errors"
	"fmt"
	"io"
	"net/url"
	"os"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

func newReportCmd(a *app) *cobra.Command {
	var top int
	cmd := &cobra.Command{
		Use:   "report TASK",
		Short: "Delivery and tracking of a task in one table: sent, failed by kind, opens, clicks, top links",
		Long: `report shows what happened to a task's mail: how many were sent and delivered,
the failures by kind, unique and total opens and clicks, and the most clicked
links. TASK is a task id or a batch number such as 20120302-362-F9B1E5.`,
		Args: nArgs("TASK"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := taskRef(args[0])
			if err != nil {
				return err
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			ctx := cmd.Context()
			bopts := &bestedm.BatchListOptions{TaskID: ref.ID, Ident: ref.Ident}
			batches, err := c.Statistic.Batches(ctx, bopts)
			if err != nil {
				return err
			}
			if len(batches) == 0 {
				return fmt.Errorf("task %s: %w", args[0], bestedm.ErrNotFound)
			}
			b := batches[0]
			ov, err := c.Track.Overview(ctx, ref)
			if errors.Is(err, &bestedm.APIError{Status: "not_found"}) {
				ov, err = nil, nil // a task without tracking
			}
			if err != nil {
				return err
			}
			v := struct {
				Delivery *bestedm.BatchStat
				Tracking *bestedm.TrackOverview `json:",omitempty"`
			}{&b, ov}
			rows := [][2]string{
				{"task", itoa(b.TaskID)}, {"batch", b.TaskIdent}, {"date", b.TaskDate.Format("2006-01-02")},
				{"recipients", itoa(b.TotalSum)}, {"sent", itoa(b.Total)},
				{"delivered", itoa(b.Success)}, {"failed", itoa(b.Failed)},
				{"failed: not-exist", itoa(b.EmailNotExist)},
				{"failed: over-quota", itoa(b.OverQuota)},
				{"failed: user-reject", itoa(b.UserReject)},
				{"failed: send-failed", itoa(b.SendFailed)},
				{"failed: spam-content", itoa(b.SpamContent)},
				{"failed: connect-error", itoa(b.ConnectError)},
				{"invalid addresses", itoa(b.Invalid)},
				{"points deducted", ftoa(b.DeductedPoints)},
			}
			if ov == nil {
				rows = append(rows, [2]string{"tracking", "none"})
			} else {
				rows = append(rows,
					[2]string{"opens (unique)", itoa(ov.OpenUnique)},
					[2]string{"opens (total)", itoa(ov.OpenTotal)},
					[2]string{"open rate %", ftoa(ov.OpenRatio)},
					[2]string{"clicks (unique)", itoa(ov.ClickUnique)},
					[2]string{"clicks (total)", itoa(ov.ClickTotal)},
					[2]string{"click rate %", ftoa(ov.ClickRatio)},
				)
				links := append([]bestedm.LinkStat(nil), ov.Links...)
				sort.SliceStable(links, func(i, j int) bool { return links[i].ClickUnique > links[j].ClickUnique })
				for i, l := range links {
					if i == top {
						break
					}
					rows = append(rows, [2]string{fmt.Sprintf("link %d", i+1),
						fmt.Sprintf("%d unique, %d total  %s", l.ClickUnique, l.ClickTotal, l.URL)})
				}
			}
			return a.record(v, rows)
		},
	}
	cmd.Flags().IntVar(&top, "top", 5, "how many of the most clicked links to show")
	return cmd
}

func newTrackCmd(a *app) *cobra.Command {
	opens := &cobra.Command{
		Use:   "opens TASK",
		Short: "Stream the recipients who opened a task's mail",
		Args:  nArgs("TASK"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := taskRef(args[0])
			if err != nil {
				return err
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			p := a.table("EMAIL", "OPENS", "CLICKS", "FIRST_OPEN", "LAST_OPEN", "BROWSER", "OS", "IP")
			for o, err := range c.Track.Opens(cmd.Context(), ref) {
				if err != nil {
					return err
				}
				if err := printRow(p, o, o.Email, itoa(o.OpenTotal), itoa(o.ClickTotal), tstr(o.OpenFirst), tstr(o.OpenLast),
					o.Browser, strings.TrimSpace(o.OS), o.IPFirst); err != nil {
					return err
				}
			}
			return p.flush()
		},
	}
	var link int64
	clicks := &cobra.Command{
		Use:   "clicks TASK",
		Short: "Stream the clicks on a task's links",
		Args:  nArgs("TASK"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := taskRef(args[0])
			if err != nil {
				return err
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			p := a.table("EMAIL", "UNIQUE", "TOTAL", "FIRST_CLICK", "LAST_CLICK", "LINK")
			for k, err := range c.Track.Clicks(cmd.Context(), ref, link) {
				if err != nil {
					return err
				}
				if err := printRow(p, k, k.Email, itoa(k.ClickUnique), itoa(k.ClickTotal), tstr(k.ClickFirst), tstr(k.ClickLast), k.URL); err != nil {
					return err
				}
			}
			return p.flush()
		},
	}
	clicks.Flags().Int64Var(&link, "link", 0, "only the clicks on this link id")

	var (
		outFile string
		clicked bool
		raw     bool
	)
	export := &cobra.Command{
		Use:   "export TASK [-o FILE]",
		Short: "Export a task's tracked addresses, streamed to stdout or a file",
		Args:  nArgs("TASK"),
		RunE: func(cmd *cobra.Command, args []string) error {
			ref, err := taskRef(args[0])
			if err != nil {
				return err
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			ov, err := c.Track.Overview(cmd.Context(), ref)
			if err != nil {
				return err
			}
			exp, err := c.Track.Export(cmd.Context(), &bestedm.TrackExportOptions{TrackID: ov.TrackID, ClickedOnly: clicked})
			if err != nil {
				return err
			}
			defer exp.Close()
			return a.toFile(outFile, func(w io.Writer) error {
				if raw {
					_, err := io.Copy(w, exp)
					return err
				}
				return writeTrackRows(w, a.output, exp.Rows())
			})
		},
	}
	export.Flags().StringVarP(&outFile, "out", "o", "", "write to FILE instead of standard output")
	export.Flags().BoolVar(&clicked, "clicked", false, "only the addresses that clicked")
	export.Flags().BoolVar(&raw, "raw", false, "the body exactly as the server sent it")
	return group("track", "Opens and clicks of a task: opens, clicks, export", opens, clicks, export)
}

// trackColumns are the fields of a tracking export's rows, in the order shown.
var trackColumns = []string{"email_id", "email", "open_total", "click_total", "open_first", "open_last", "click_first", "click_last"}

// writeTrackRows prints an export's rows; named XML fields go under the
// columns above, text rows as they came.
func writeTrackRows(w io.Writer, format string, rows func(func(bestedm.TrackExportRow, error) bool)) error {
	hdr := make([]string, len(trackColumns))
	for i, c := range trackColumns {
		hdr[i] = strings.ToUpper(c)
	}
	if format == "csv" {
		hdr = trackColumns
	}
	p := newPrinter(w, format, hdr...)
	for r, err := range rows {
		if err != nil {
			return err
		}
		cells := r.Fields
		obj := map[string]string{}
		if r.Names != nil {
			cells = make([]string, len(trackColumns))
			for i, c := range trackColumns {
				cells[i], _ = r.Get(c)
			}
			for i, n := range r.Names {
				obj[n] = r.Fields[i]
			}
		} else {
			for i, f := range r.Fields {
				if i < len(trackColumns) {
					obj[trackColumns[i]] = f
				}
			}
		}
		if err := printRow(p, obj, append([]string(nil), cells...)...); err != nil {
			return err
		}
	}
	return p.flush()
}

// toFile runs write on standard output, or on a file that is removed again
// when write fails, so a half export is not mistaken for a whole one.
func (a *app) toFile(name string, write func(io.Writer) error) error {
	if name == "" || name == "-" {
		return write(a.stdout)
	}
	f, err := os.Create(name)
	if err != nil {
		return err
	}
	if err := write(f); err != nil {
		f.Close()
		os.Remove(name)
		return err
	}
	return f.Close()
}

func newFailedCmd(a *app) *cobra.Command {
	var (
		date, until, task, kind string
		summary                 bool
	)
	cmd := &cobra.Command{
		Use:   "failed [--date DAY] [--task TASK] [--kind KIND]",
		Short: "The failed addresses of a day or a task, with their kind",
		Long: `failed streams the addresses whose delivery failed on a day (default today),
or in one task, each with the kind of failure; --summary counts them by kind.`,
		Args: nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			k, err := parseFailureKind(kind)
			if err != nil {
				return err
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			d, err := parseDate(c, date)
			if err != nil {
				return err
			}
			opts := &bestedm.FailureExportOptions{Date: d, Type: k}
			if until != "" {
				if opts.DateEnd, err = parseDate(c, until); err != nil {
					return err
				}
			}
			if task != "" {
				ref, err := taskRef(task)
				if err != nil {
					return err
				}
				opts.TaskID, opts.TaskIdent = ref.ID, ref.Ident
			}
			exp, err := c.Statistic.ExportAllFailures(cmd.Context(), opts)
			if err != nil {
				return err
			}
			defer exp.Close()
			if summary {
				counts := map[bestedm.FailureType]int64{}
				for f, err := range exp.Rows() {
					if err != nil {
						return err
					}
					counts[f.Kind]++
				}
				p := a.table("KIND", "ADDRESSES")
				var total int64
				for _, fk := range failureKinds {
					n := counts[fk.kind]
					total += n
					delete(counts, fk.kind)
					if err := printRow(p, map[string]any{"kind": fk.name, "addresses": n}, fk.name, itoa(n)); err != nil {
						return err
					}
				}
				for k, n := range counts {
					total += n
					if err := printRow(p, map[string]any{"kind": failureKindName(k), "addresses": n}, failureKindName(k), itoa(n)); err != nil {
						return err
					}
				}
				if err := printRow(p, map[string]any{"kind": "total", "addresses": total}, "total", itoa(total)); err != nil {
					return err
				}
				return p.flush()
			}
			p := a.table("EMAIL", "KIND", "DESCRIPTION", "TASK")
			for f, err := range exp.Rows() {
				if err != nil {
					return err
				}
				if err := printRow(p, f, f.Email, failureKindName(f.Kind), f.Description, itoa(f.TaskID)); err != nil {
					return err
				}
			}
			return p.flush()
		},
	}
	f := cmd.Flags()
	f.StringVar(&date, "date", "today", "the day (YYYY-MM-DD, today, yesterday)")
	f.StringVar(&until, "until", "", "last day of a range starting at --date")
	f.StringVar(&task, "task", "", "only this task (id or batch number)")
	f.StringVar(&kind, "kind", "all", "all, not-exist, over-quota, user-reject, temporary, invalid-address or format-error")
	f.BoolVar(&summary, "summary", false, "count the addresses by kind instead of listing them")
	return cmd
}

func newAPICmd(a *app) *cobra.Command {
	var (
		read  bool
		write bool
		post  bool
	)
	cmd := &cobra.Command{
		Use:   "api SCRIPT [ACTION] [key=value]... [--read] [--post]",
		Short: "Call any script and action of the API and print the raw reply",
		Long: `api is the escape hatch for what the other commands do not cover: it sends
SCRIPT?do=ACTION with the key=value parameters, through the same credentials,
limits and redaction, and prints the body as the server sent it.

Every call is taken to change something, and is sent once: it is never
replayed once it may have reached the server, so a timeout cannot delete or
add twice. The reads the SDK itself makes (maillist-list, list-task, ...) and
calls marked --read are retried after a network failure or a busy server.
--post sends the parameters in a form body instead of the query string.

  bestedm api mloperate.php maillist-list
  bestedm api task.php list-task date=2026-12-01
  bestedm api some.php some-read id=7 --read
  bestedm api mloperate.php ml-addr-del address_id=42`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 1 {
				return usagef("api needs a SCRIPT, such as mloperate.php")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := mutuallyExclusive("--read and --write exclude each other", read, write); err != nil {
				return err
			}
			req := &bestedm.Request{Script: args[0]}
			params := url.Values{}
			for i, arg := range args[1:] {
				k, v, ok := strings.Cut(arg, "=")
				if !ok {
					if i == 0 {
						req.Action = arg
						continue
					}
					return usagef("parameter %s is not key=value", quoteSample(arg))
				}
				params.Add(k, v)
			}
			// Until bestedm.Request's zero value is a write, the CLI
			// marks every call it does not know to be a read.
			req.Write = !read && !isKnownRead(req.Script, req.Action)
			if post {
				req.Form = params
			} else {
				req.Params = params
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			return c.Do(cmd.Context(), req, a.stdout)
		},
	}
	cmd.Flags().BoolVar(&read, "read", false, "the call only reads: it may be retried after a network failure")
	cmd.Flags().BoolVar(&write, "write", false, "every call not marked --read is a write already")
	_ = cmd.Flags().MarkHidden("write")
	cmd.Flags().BoolVar(&post, "post", false, "send the parameters in a form-encoded POST body")
	return cmd
}

// knownReads are the script and action pairs the SDK's typed methods send
// as reads (GET, retried): `bestedm api` retries them without --read.
var knownReads = map[[2]string]bool{
	{"account.php", "customer-info"}: true, {"account.php", "service-info"}: true,
	{"bs.php", "domain-list"}: true, {"bs.php", "mailbox-list"}: true,
	{"mloperate.php", "maillist-list"}: true, {"mloperate.php", "maillist-detail"}: true,
	{"mloperate.php", "ml-addr-list"}: true, {"mloperate.php", "subscription-export"}: true,
	{"mloperate.php", "unsubscribe-export"}: true,
	{"task.php", "list-task"}:               true, {"task.php", "task-list"}: true,
	{"template.php", "list-tpl"}: true,
	{"track.php", "overview"}:    true, {"track.php", "open-detail"}: true,
	{"track.php", "click-detail"}: true, {"track.php", "link-stat"}: true,
	{"statistic.php", ""}: true, {"stask.php", ""}: true, {"deduction.php", ""}: true,
	{"trackexport.php", ""}: true, {"failexport.php", ""}: true, {"failexportall.php", ""}: true,
}

func isKnownRead(script, action string) bool { return knownReads[[2]string{script, action}] }
