package main

import (
	"context"

	"github.com/spf13/cobra"
)

type tasksShowOptions struct {
	app *app
	ID  int64
}

func newCmdTasksShow(a *app, runF func(*tasksShowOptions) error) *cobra.Command {
	opts := &tasksShowOptions{app: a}
	return &cobra.Command{
		Use:   "show TASK",
		Short: "Show one sending task",
		Args:  nArgs("TASK"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.ID, err = parseID("TASK", args[0]); err != nil {
				return err
			}
			return runner(runF, func(o *tasksShowOptions) error { return tasksShowRun(cmd.Context(), o) })(opts)
		},
	}
}

func tasksShowRun(ctx context.Context, opts *tasksShowOptions) error {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return err
	}
	t, err := c.Task.Get(ctx, opts.ID)
	if err != nil {
		return err
	}
	return a.record([]field{
		{"id", t.ID}, {"batch", t.SN}, {"status", t.SendStatus.String()},
		{"send_time", t.SendTime}, {"started", t.TimeStart}, {"ended", t.TimeEnd},
		{"templates", t.TemplateIDs}, {"lists", t.ListIDs},
		{"sender", t.Sender}, {"sender_name", t.SenderName},
		{"quantity", t.SendQtyActual}, {"sent", t.SendCount}, {"failed", t.ErrorCount},
		{"tracking", t.TrackStatus.String()},
	})
}
