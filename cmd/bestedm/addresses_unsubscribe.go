package main

import (
	"context"

	"github.com/spf13/cobra"
)

// unsubscribeOptions are what `addresses unsubscribe` was asked to do.
type unsubscribeOptions struct {
	app    *app
	ListID int64
	Emails []string
}

func newCmdAddressesUnsubscribe(a *app, runF func(*unsubscribeOptions) error) *cobra.Command {
	opts := &unsubscribeOptions{app: a}
	return &cobra.Command{
		Use:   "unsubscribe LIST EMAIL...",
		Short: "Unsubscribe addresses from a list",
		Args:  atLeast(2, "a LIST and at least one EMAIL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("LIST", args[0])
			if err != nil {
				return err
			}
			opts.ListID, opts.Emails = id, args[1:]
			return runner(runF, func(o *unsubscribeOptions) error { return unsubscribeRun(cmd.Context(), o) })(opts)
		},
	}
}

func unsubscribeRun(ctx context.Context, opts *unsubscribeOptions) error {
	c, err := opts.app.api()
	if err != nil {
		return err
	}
	res, err := c.Maillist.Unsubscribe(ctx, opts.ListID, opts.Emails...)
	if err != nil {
		return err
	}
	return opts.app.result(res)
}
