package main

import (
	"context"

	"github.com/spf13/cobra"
)

type tasksDeleteOptions struct {
	app *app
	ID  int64
}

func newCmdTasksDelete(a *app, runF func(*tasksDeleteOptions) error) *cobra.Command {
	opts := &tasksDeleteOptions{app: a}
	return &cobra.Command{
		Use:   "delete TASK",
		Short: "Delete a task",
		Args:  nArgs("TASK"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.ID, err = parseID("TASK", args[0]); err != nil {
				return err
			}
			return runner(runF, func(o *tasksDeleteOptions) error { return tasksDeleteRun(cmd.Context(), o) })(opts)
		},
	}
}

func tasksDeleteRun(ctx context.Context, opts *tasksDeleteOptions) error {
	c, err := opts.app.api()
	if err != nil {
		return err
	}
	res, err := c.Task.Delete(ctx, opts.ID)
	if err != nil {
		return err
	}
	return opts.app.result(res)
}
