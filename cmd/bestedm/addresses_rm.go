package main

import (
	"context"

	"github.com/spf13/cobra"
)

// rmOptions are what `addresses rm` was asked to do.
type rmOptions struct {
	app    *app
	ListID int64
	Emails []string
}

func newCmdAddressesRm(a *app, runF func(*rmOptions) error) *cobra.Command {
	opts := &rmOptions{app: a}
	return &cobra.Command{
		Use:   "rm LIST EMAIL...",
		Short: "Delete addresses from a list",
		Args:  atLeast(2, "a LIST and at least one EMAIL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("LIST", args[0])
			if err != nil {
				return err
			}
			opts.ListID, opts.Emails = id, args[1:]
			return runner(runF, func(o *rmOptions) error { return rmRun(cmd.Context(), o) })(opts)
		},
	}
}

// rmRun finds each address in the list and deletes it, one line each.
func rmRun(ctx context.Context, opts *rmOptions) error {
	c, err := opts.app.api()
	if err != nil {
		return err
	}
	p := opts.app.table("EMAIL", "ADDRESS_ID", "RESULT")
	for _, email := range opts.Emails {
		aid, err := findAddress(ctx, c, opts.ListID, email)
		if err != nil {
			return err
		}
		res, err := c.Maillist.DeleteAddress(ctx, aid)
		if err != nil {
			return err
		}
		if err := printRow(p, map[string]any{"email": email, "address_id": aid, "message": res.Message}, email, itoa(aid), res.Message); err != nil {
			return err
		}
	}
	return p.flush()
}
