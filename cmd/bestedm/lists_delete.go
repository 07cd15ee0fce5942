package main

import (
	"context"

	"github.com/spf13/cobra"
)

type listsDeleteOptions struct {
	app *app
	ID  int64
}

func newCmdListsDelete(a *app, runF func(*listsDeleteOptions) error) *cobra.Command {
	opts := &listsDeleteOptions{app: a}
	return &cobra.Command{
		Use:   "delete LIST",
		Short: "Delete a contact list and its addresses",
		Args:  nArgs("LIST"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.ID, err = parseID("LIST", args[0]); err != nil {
				return err
			}
			return runner(runF, func(o *listsDeleteOptions) error { return listsDeleteRun(cmd.Context(), o) })(opts)
		},
	}
}

func listsDeleteRun(ctx context.Context, opts *listsDeleteOptions) error {
	c, err := opts.app.api()
	if err != nil {
		return err
	}
	res, err := c.Maillist.Delete(ctx, opts.ID)
	if err != nil {
		return err
	}
	return opts.app.result(res)
}
