package main

import (
	"context"
	"maps"
	"slices"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type failedOptions struct {
	app     *app
	Date    string
	Until   string
	Task    string
	Kind    string
	Summary bool
}

func newCmdFailed(a *app, runF func(*failedOptions) error) *cobra.Command {
	opts := &failedOptions{app: a}
	cmd := &cobra.Command{
		Use:   "failed [--date DAY] [--task TASK] [--kind KIND]",
		Short: "The failed addresses of a day or a task, with their kind",
		Long: `failed streams the addresses whose delivery failed on a day (default today),
or in one task, each with the kind of failure; --summary counts them by kind.`,
		Args: nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Task != "" {
				if _, err := taskRef(opts.Task); err != nil {
					return err
				}
			}
			return runner(runF, func(o *failedOptions) error { return failedRun(cmd.Context(), o) })(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Date, "date", "today", "the day (YYYY-MM-DD, today, yesterday)")
	f.StringVar(&opts.Until, "until", "", "last day of a range starting at --date")
	f.StringVar(&opts.Task, "task", "", "only this task (id or batch number)")
	enumFlag(cmd, false, &opts.Kind, "kind", "", "all", "the kind of failure", failureKindValues(), failureKindAliases)
	f.BoolVar(&opts.Summary, "summary", false, "count the addresses by kind instead of listing them")
	return cmd
}

func failedRun(ctx context.Context, opts *failedOptions) error {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return err
	}
	d, err := parseDate(c, opts.Date)
	if err != nil {
		return err
	}
	eo := &bestedm.FailureExportOptions{Date: d, Type: parseFailureKind(opts.Kind)}
	if opts.Until != "" {
		if eo.DateEnd, err = parseDate(c, opts.Until); err != nil {
			return err
		}
	}
	if opts.Task != "" {
		ref, err := taskRef(opts.Task)
		if err != nil {
			return err
		}
		eo.TaskID, eo.TaskIdent = ref.ID, ref.Ident
	}
	exp, err := c.Statistic.ExportAllFailures(ctx, eo)
	if err != nil {
		return err
	}
	defer exp.Close()
	if opts.Summary {
		return failedSummary(a, exp)
	}
	p := a.table("email", "kind", "description", "task")
	for f, err := range exp.Rows() {
		if err != nil {
			return err
		}
		v := failedView{f.Email, f.Kind.String(), f.Description, f.TaskID}
		if err := printRow(p, v, v.Email, v.Kind, v.Description, itoa(v.Task)); err != nil {
			return err
		}
	}
	return p.flush()
}

// failedView is a failed address in JSON, under the keys of the CSV header.
type failedView struct {
	Email       string `json:"email"`
	Kind        string `json:"kind"`
	Description string `json:"description"`
	Task        int64  `json:"task"`
}

// failedSummary counts the addresses by kind; the kinds do not overlap
// (each address has one), so they add up to the total.
func failedSummary(a *app, exp *bestedm.Export[bestedm.FailedAddress]) error {
	counts := map[bestedm.FailureType]int64{}
	for f, err := range exp.Rows() {
		if err != nil {
			return err
		}
		counts[f.Kind]++
	}
	p := a.table("kind", "addresses")
	var total int64
	row := func(kind string, n int64) error {
		return printFields(p, []field{{"kind", kind}, {"addresses", n}})
	}
	for _, k := range failureKinds {
		n := counts[k]
		total += n
		delete(counts, k)
		if err := row(k.String(), n); err != nil {
			return err
		}
	}
	rest := slices.Sorted(maps.Keys(counts)) // kinds the SDK does not name
	for _, k := range rest {
		total += counts[k]
		if err := row(k.String(), counts[k]); err != nil {
			return err
		}
	}
	if err := row("total", total); err != nil {
		return err
	}
	return p.flush()
}
