package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

// addOptions are what `addresses add` was asked to do.
type addOptions struct {
	app      *app
	ListID   int64
	Address  bestedm.Address
	Sex      string
	Birthday string
}

func newCmdAddressesAdd(a *app, runF func(*addOptions) error) *cobra.Command {
	opts := &addOptions{app: a}
	cmd := &cobra.Command{
		Use:   "add LIST EMAIL",
		Short: "Add one address to a list; prints its id",
		Args:  nArgs("LIST", "EMAIL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("LIST", args[0])
			if err != nil {
				return err
			}
			opts.ListID, opts.Address.Email = id, args[1]
			if opts.Address.Sex, err = parseSex(opts.Sex); err != nil {
				return usagef("--sex: %v", err)
			}
			if opts.Birthday != "" {
				if opts.Address.Birthday, err = time.Parse("2006-01-02", opts.Birthday); err != nil {
					return usagef("--birthday must be YYYY-MM-DD, not %q", opts.Birthday)
				}
			}
			return runner(runF, func(o *addOptions) error { return addRun(cmd.Context(), o) })(opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.Address.Name, "name", "", "full name")
	f.StringVar(&opts.Sex, "sex", "", "M or F")
	f.StringVar(&opts.Birthday, "birthday", "", "YYYY-MM-DD")
	f.StringVar(&opts.Address.Phone, "phone", "", "phone number")
	f.StringVar(&opts.Address.Area, "area", "", "area")
	return cmd
}

// addRun adds the address; the SDK refuses, before sending, what the server
// could not give back (a control character, invalid UTF-8, an endless field).
func addRun(ctx context.Context, opts *addOptions) error {
	c, err := opts.app.api()
	if err != nil {
		return err
	}
	res, err := c.Maillist.AddAddress(ctx, opts.ListID, opts.Address)
	if err != nil {
		return err
	}
	return opts.app.result(res)
}
