package main

import (
	"context"

	"github.com/spf13/cobra"
)

type templatesDeleteOptions struct {
	app *app
	ID  int64
}

func newCmdTemplatesDelete(a *app, runF func(*templatesDeleteOptions) error) *cobra.Command {
	opts := &templatesDeleteOptions{app: a}
	return &cobra.Command{
		Use:   "delete TEMPLATE",
		Short: "Delete a template",
		Args:  nArgs("TEMPLATE"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.ID, err = parseID("TEMPLATE", args[0]); err != nil {
				return err
			}
			return runner(runF, func(o *templatesDeleteOptions) error { return templatesDeleteRun(cmd.Context(), o) })(opts)
		},
	}
}

func templatesDeleteRun(ctx context.Context, opts *templatesDeleteOptions) error {
	c, err := opts.app.api()
	if err != nil {
		return err
	}
	res, err := c.Template.Delete(ctx, opts.ID)
	if err != nil {
		return err
	}
	return opts.app.result(res)
}
