package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type tasksResumeOptions struct {
	app *app
	ID  int64
}

func newCmdTasksResume(a *app, runF func(*tasksResumeOptions) error) *cobra.Command {
	opts := &tasksResumeOptions{app: a}
	return &cobra.Command{
		Use:   "resume TASK",
		Short: "Release a held task to be sent at its time",
		Args:  nArgs("TASK"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.ID, err = parseID("TASK", args[0]); err != nil {
				return err
			}
			return runner(runF, func(o *tasksResumeOptions) error { return tasksResumeRun(cmd.Context(), o) })(opts)
		},
	}
}

func tasksResumeRun(ctx context.Context, opts *tasksResumeOptions) error {
	c, err := opts.app.api()
	if err != nil {
		return err
	}
	res, err := c.Task.Update(ctx, opts.ID, &bestedm.TaskUpdateParams{SendStatus: bestedm.SendWaiting})
	if err != nil {
		return err
	}
	return opts.app.result(res)
}
