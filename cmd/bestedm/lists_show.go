package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type listsShowOptions struct {
	app *app
	ID  int64
}

func newCmdListsShow(a *app, runF func(*listsShowOptions) error) *cobra.Command {
	opts := &listsShowOptions{app: a}
	return &cobra.Command{
		Use:   "show LIST",
		Short: "Show one contact list",
		Args:  nArgs("LIST"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.ID, err = parseID("LIST", args[0]); err != nil {
				return err
			}
			return runner(runF, func(o *listsShowOptions) error { return listsShowRun(cmd.Context(), o) })(opts)
		},
	}
}

func listsShowRun(ctx context.Context, opts *listsShowOptions) error {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return err
	}
	l, err := c.Maillist.Get(ctx, opts.ID)
	if err != nil {
		return err
	}
	return a.record(listFields(l))
}

// listKeys are the fields of a contact list, as lists list and lists show
// print them.
var listKeys = keys(listFields(&bestedm.Maillist{}))

func listFields(l *bestedm.Maillist) []field {
	return []field{
		{"id", l.ID}, {"name", l.Name}, {"addresses", l.Count},
		{"status", l.Status.String()}, {"description", l.Description},
	}
}
