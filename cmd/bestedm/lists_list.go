package main

import (
	"context"

	"github.com/spf13/cobra"
)

type listsListOptions struct {
	app *app
}

func newCmdListsList(a *app, runF func(*listsListOptions) error) *cobra.Command {
	opts := &listsListOptions{app: a}
	return &cobra.Command{
		Use:   "list",
		Short: "List the contact lists",
		Args:  nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runner(runF, func(o *listsListOptions) error { return listsListRun(cmd.Context(), o) })(opts)
		},
	}
}

func listsListRun(ctx context.Context, opts *listsListOptions) error {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return err
	}
	ls, err := c.Maillist.List(ctx)
	if err != nil {
		return err
	}
	p := a.table(listKeys...)
	for _, l := range ls {
		if err := printFields(p, listFields(&l)); err != nil {
			return err
		}
	}
	return p.flush()
}
