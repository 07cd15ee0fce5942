package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

func newAccountCmd(a *app) *cobra.Command {
	return &cobra.Command{
		Use:   "account",
		Short: "Show the account holder, the sending service and the quota left",
		Args:  nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.api()
			if err != nil {
				return err
			}
			cu, err := c.Account.CustomerInfo(cmd.Context())
			if err != nil {
				return err
			}
			si, err := c.Account.ServiceInfo(cmd.Context())
			if err != nil {
				return err
			}
			v := struct {
				Customer *bestedm.Customer
				Service  *bestedm.ServiceInfo
			}{cu, si}
			return a.record(v, [][2]string{
				{"customer_id", itoa(cu.ID)},
				{"username", cu.Username},
				{"company", cu.Company},
				{"contact", cu.Contact},
				{"email", cu.Email},
				{"service", string(si.Status)},
				{"service_type", string(si.Type)},
				{"send_type", string(si.SendType)},
				{"valid_from", tstr(si.BeginningDate)},
				{"valid_until", tstr(si.ExpirationDate)},
				{"quota_left", itoa(si.QuotaLeft)},
				{"quota_bought", itoa(si.QuotaBought)},
			})
		},
	}
}

func newListsCmd(a *app) *cobra.Command {
	list := &cobra.Command{
		Use:   "list",
		Short: "List the contact lists",
		Args:  nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			c, err := a.api()
			if err != nil {
				return err
			}
			ls, err := c.Maillist.List(cmd.Context())
			if err != nil {
				return err
			}
			p := a.table("ID", "NAME", "ADDRESSES", "STATUS", "DESCRIPTION")
			for _, l := range ls {
				if err := printRow(p, l, itoa(l.ID), l.Name, itoa(l.Count), string(l.Status), l.Description); err != nil {
					return err
				}
			}
			return p.flush()
		},
	}
	show := &cobra.Command{
		Use:   "show LIST",
		Short: "Show one contact list",
		Args:  nArgs("LIST"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("LIST", args[0])
			if err != nil {
				return err
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			l, err := c.Maillist.Get(cmd.Context(), id)
			if err != nil {
				return err
			}
			return a.record(l, [][2]string{
				{"id", itoa(l.ID)}, {"name", l.Name}, {"addresses", itoa(l.Count)},
				{"status", string(l.Status)}, {"description", l.Description},
			})
		},
	}

	var p bestedm.MaillistParams
	var disabled bool
	create := &cobra.Command{
		Use:   "create NAME",
		Short: "Create a contact list and print its id",
		Args:  nArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			c, err := a.api()
			if err != nil {
				return err
			}
			p.Name, p.Status = args[0], bestedm.MaillistEnabled
			if disabled {
				p.Status = bestedm.MaillistDisabled
			}
			res, err := c.Maillist.Create(cmd.Context(), &p)
			if err != nil {
				return err
			}
			return a.result(res)
		},
	}
	create.Flags().StringVar(&p.Description, "description", "", "the list's description")
	create.Flags().BoolVar(&disabled, "disabled", false, "create the list disabled")

	var ep bestedm.MaillistParams
	var status string
	edit := &cobra.Command{
		Use:   "edit LIST",
		Short: "Change a contact list's name, description or status",
		Args:  nArgs("LIST"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("LIST", args[0])
			if err != nil {
				return err
			}
			switch status {
			case "", "enabled", "disabled":
				ep.Status = bestedm.MaillistStatus(status)
			default:
				return usagef("--status must be enabled or disabled, not %q", status)
			}
			if ep == (bestedm.MaillistParams{}) {
				return usagef("nothing to change: give --name, --description or --status")
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			res, err := c.Maillist.Update(cmd.Context(), id, &ep)
			if err != nil {
				return err
			}
			return a.result(res)
		},
	}
	edit.Flags().StringVar(&ep.Name, "name", "", "new name")
	edit.Flags().StringVar(&ep.Description, "description", "", "new description")
	edit.Flags().StringVar(&status, "status", "", "enabled or disabled")

	del := idAction(a, "delete LIST", "Delete a contact list and its addresses", "LIST",
		func(cmd *cobra.Command, c *bestedm.Client, id int64) (*bestedm.Result, error) {
			return c.Maillist.Delete(cmd.Context(), id)
		})
	empty := idAction(a, "empty LIST", "Remove every address of a contact list (the list stays)", "LIST",
		func(cmd *cobra.Command, c *bestedm.Client, id int64) (*bestedm.Result, error) {
			return c.Maillist.Empty(cmd.Context(), id)
		})
	return group("lists", "Contact lists: list, show, create, edit, delete, empty", list, show, create, edit, del, empty)
}

// idAction is a command that takes one id and prints the Result of a write.
func idAction(a *app, use, short, what string, do func(*cobra.Command, *bestedm.Client, int64) (*bestedm.Result, error)) *cobra.Command {
	return &cobra.Command{
		Use:   use,
		Short: short,
		Args:  nArgs(what),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID(what, args[0])
			if err != nil {
				return err
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			res, err := do(cmd, c, id)
			if err != nil {
				return err
			}
			return a.result(res)
		},
	}
}

// result prints the reply of a write. A write that made something (a
// create) prints its id alone, so `id=$(bestedm lists create X)` works;
// others print the server's message. JSON and CSV hold both.
func (a *app) result(res *bestedm.Result) error {
	v := struct {
		ID      int64  `json:"id,omitempty"`
		Message string `json:"message"`
	}{res.ID, res.Message}
	if a.output == "table" {
		if res.ID != 0 {
			_, err := fmt.Fprintln(a.stdout, res.ID)
			return err
		}
		_, err := fmt.Fprintln(a.stdout, res.Message)
		return err
	}
	return a.record(v, [][2]string{{"id", itoa(res.ID)}, {"message", res.Message}})
}
