package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type listsEditOptions struct {
	app    *app
	ID     int64
	Params bestedm.MaillistParams
	status string
}

func newCmdListsEdit(a *app, runF func(*listsEditOptions) error) *cobra.Command {
	opts := &listsEditOptions{app: a}
	cmd := &cobra.Command{
		Use:   "edit LIST",
		Short: "Change a contact list's name, description or status",
		Args:  nArgs("LIST"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.ID, err = parseID("LIST", args[0]); err != nil {
				return err
			}
			opts.Params.Status = bestedm.MaillistStatus(opts.status)
			if opts.Params == (bestedm.MaillistParams{}) {
				return usagef("nothing to change: give --name, --description or --status")
			}
			return runner(runF, func(o *listsEditOptions) error { return listsEditRun(cmd.Context(), o) })(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Params.Name, "name", "", "new name")
	cmd.Flags().StringVar(&opts.Params.Description, "description", "", "new description")
	enumFlag(cmd, false, &opts.status, "status", "", "", "new status",
		[]string{bestedm.MaillistEnabled.String(), bestedm.MaillistDisabled.String()}, nil)
	return cmd
}

func listsEditRun(ctx context.Context, opts *listsEditOptions) error {
	c, err := opts.app.api()
	if err != nil {
		return err
	}
	res, err := c.Maillist.Update(ctx, opts.ID, &opts.Params)
	if err != nil {
		return err
	}
	return opts.app.result(res)
}
