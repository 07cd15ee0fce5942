package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type tasksListOptions struct {
	app  *app
	Date string
}

func newCmdTasksList(a *app, runF func(*tasksListOptions) error) *cobra.Command {
	opts := &tasksListOptions{app: a}
	cmd := &cobra.Command{
		Use:   "list [--date YYYY-MM-DD]",
		Short: "List the sending tasks, or those of one day",
		Args:  nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runner(runF, func(o *tasksListOptions) error { return tasksListRun(cmd.Context(), o) })(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Date, "date", "", "only the tasks of this day (YYYY-MM-DD, today, yesterday)")
	return cmd
}

func tasksListRun(ctx context.Context, opts *tasksListOptions) error {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return err
	}
	p := a.table(taskRowKeys...)
	if opts.Date != "" {
		d, err := parseDate(c, opts.Date)
		if err != nil {
			return err
		}
		ts, err := c.Task.Find(ctx, &bestedm.TaskFindOptions{Date: d})
		if err != nil {
			return err
		}
		for _, t := range ts {
			if err := printFields(p, taskRow(&t)); err != nil {
				return err
			}
		}
		return p.flush()
	}
	for t, err := range c.Task.List(ctx, nil) {
		if err != nil {
			return err
		}
		if err := printFields(p, taskRow(&t)); err != nil {
			return err
		}
	}
	return p.flush()
}

var taskRowKeys = keys(taskRow(&bestedm.Task{}))

// taskRow is a task as tasks list shows it.
func taskRow(t *bestedm.Task) []field {
	return []field{
		{"id", t.ID}, {"batch", t.SN}, {"status", t.SendStatus.String()}, {"send_time", t.SendTime},
		{"templates", t.TemplateIDs}, {"lists", t.ListIDs}, {"sent", t.SendCount}, {"failed", t.ErrorCount},
		{"tracking", t.TrackStatus.String()},
	}
}
