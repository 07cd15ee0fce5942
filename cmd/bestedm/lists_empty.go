package main

import (
	"context"

	"github.com/spf13/cobra"
)

type listsEmptyOptions struct {
	app *app
	ID  int64
}

func newCmdListsEmpty(a *app, runF func(*listsEmptyOptions) error) *cobra.Command {
	opts := &listsEmptyOptions{app: a}
	return &cobra.Command{
		Use:   "empty LIST",
		Short: "Remove every address of a contact list (the list stays)",
		Args:  nArgs("LIST"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.ID, err = parseID("LIST", args[0]); err != nil {
				return err
			}
			return runner(runF, func(o *listsEmptyOptions) error { return listsEmptyRun(cmd.Context(), o) })(opts)
		},
	}
}

func listsEmptyRun(ctx context.Context, opts *listsEmptyOptions) error {
	c, err := opts.app.api()
	if err != nil {
		return err
	}
	res, err := c.Maillist.Empty(ctx, opts.ID)
	if err != nil {
		return err
	}
	return opts.app.result(res)
}
