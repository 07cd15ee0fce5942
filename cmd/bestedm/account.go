package main

import (
	"context"

	"github.com/spf13/cobra"
)

type accountOptions struct {
	app *app
}

func newCmdAccount(a *app, runF func(*accountOptions) error) *cobra.Command {
	opts := &accountOptions{app: a}
	return &cobra.Command{
		Use:   "account",
		Short: "Show the account holder, the sending service and the quota left",
		Args:  nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runner(runF, func(o *accountOptions) error { return accountRun(cmd.Context(), o) })(opts)
		},
	}
}

func accountRun(ctx context.Context, opts *accountOptions) error {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return err
	}
	cu, err := c.Account.CustomerInfo(ctx)
	if err != nil {
		return err
	}
	si, err := c.Account.ServiceInfo(ctx)
	if err != nil {
		return err
	}
	return a.record([]field{
		{"customer_id", cu.ID},
		{"username", cu.Username},
		{"company", cu.Company},
		{"contact", cu.Contact},
		{"email", cu.Email},
		{"service", si.Status.String()},
		{"service_type", si.Type.String()},
		{"send_type", si.SendType.String()},
		{"valid_from", si.BeginningDate},
		{"valid_until", si.ExpirationDate},
		{"quota_left", si.QuotaLeft},
		{"quota_bought", si.QuotaBought},
	})
}
