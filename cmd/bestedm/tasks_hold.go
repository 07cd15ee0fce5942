package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type tasksHoldOptions struct {
	app *app
	ID  int64
}

func newCmdTasksHold(a *app, runF func(*tasksHoldOptions) error) *cobra.Command {
	opts := &tasksHoldOptions{app: a}
	return &cobra.Command{
		Use:   "hold TASK",
		Short: "Put a waiting task on hold",
		Args:  nArgs("TASK"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.ID, err = parseID("TASK", args[0]); err != nil {
				return err
			}
			return runner(runF, func(o *tasksHoldOptions) error { return tasksHoldRun(cmd.Context(), o) })(opts)
		},
	}
}

func tasksHoldRun(ctx context.Context, opts *tasksHoldOptions) error {
	c, err := opts.app.api()
	if err != nil {
		return err
	}
	res, err := c.Task.Update(ctx, opts.ID, &bestedm.TaskUpdateParams{SendStatus: bestedm.SendHeld})
	if err != nil {
		return err
	}
	return opts.app.result(res)
}
