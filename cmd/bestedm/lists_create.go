package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type listsCreateOptions struct {
	app         *app
	Name        string
	Description string
	Disabled    bool
}

func newCmdListsCreate(a *app, runF func(*listsCreateOptions) error) *cobra.Command {
	opts := &listsCreateOptions{app: a}
	cmd := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a contact list; prints its id alone",
		Args:  nArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			return runner(runF, func(o *listsCreateOptions) error { return listsCreateRun(cmd.Context(), o) })(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Description, "description", "", "the list's description")
	cmd.Flags().BoolVar(&opts.Disabled, "disabled", false, "create the list disabled")
	return cmd
}

func listsCreateRun(ctx context.Context, opts *listsCreateOptions) error {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return err
	}
	p := bestedm.MaillistParams{Name: opts.Name, Description: opts.Description, Status: bestedm.MaillistEnabled}
	if opts.Disabled {
		p.Status = bestedm.MaillistDisabled
	}
	res, err := c.Maillist.Create(ctx, &p)
	if err != nil {
		return err
	}
	return a.result(res)
}
