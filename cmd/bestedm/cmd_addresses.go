package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

// addressColumns are the address fields as import reads and export writes
// them, so an export imports again as it is.
var addressColumns = []string{"email", "name", "sex", "birthday", "phone", "area",
	"var1", "var2", "var3", "var4", "var5", "var6", "var7", "var8", "var9", "var10"}

// addressCells gives an address's fields in the order of addressColumns.
func addressCells(ad *bestedm.Address) []string {
	b := ""
	if !ad.Birthday.IsZero() {
		b = ad.Birthday.Format("2006-01-02")
	}
	return []string{ad.Email, ad.Name, string(ad.Sex), b, ad.Phone, ad.Area,
		ad.Var1, ad.Var2, ad.Var3, ad.Var4, ad.Var5, ad.Var6, ad.Var7, ad.Var8, ad.Var9, ad.Var10}
}

// setAddressField sets the field of addressColumns[i] from a cell.
func setAddressField(ad *bestedm.Address, i int, v string) {
	switch i {
	case 0:
		ad.Email = v
	case 1:
		ad.Name = v
	case 4:
		ad.Phone = v
	case 5:
		ad.Area = v
	case 6:
		ad.Var1 = v
	case 7:
		ad.Var2 = v
	case 8:
		ad.Var3 = v
	case 9:
		ad.Var4 = v
	case 10:
		ad.Var5 = v
	case 11:
		ad.Var6 = v
	case 12:
		ad.Var7 = v
	case 13:
		ad.Var8 = v
	case 14:
		ad.Var9 = v
	case 15:
		ad.Var10 = v
	}
}

// exportPageSize is the page of ml-addr-list an export asks for: large
// enough to keep the number of calls down, small enough to stay light.
const exportPageSize = 500

func newAddressesCmd(a *app) *cobra.Command {
	var outFile string
	export := &cobra.Command{
		Use:   "export LIST [-o FILE]",
		Short: "Export a list's addresses, streamed to stdout or a file (--output csv re-imports as is)",
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
			if _, err := c.Maillist.Get(cmd.Context(), id); err != nil {
				return err
			}
			return a.toFile(outFile, func(w io.Writer) error {
				hdr := addressColumns
				if a.output == "table" {
					hdr = make([]string, len(addressColumns))
					for i, c := range addressColumns {
						hdr[i] = strings.ToUpper(c)
					}
				}
				p := newPrinter(w, a.output, hdr...)
				for ad, err := range c.Maillist.ListAddresses(cmd.Context(), &bestedm.AddressListOptions{ListID: &id, Limit: exportPageSize}) {
					if err != nil {
						return err
					}
					if err := printRow(p, ad, addressCells(&ad)...); err != nil {
						return err
					}
				}
				return p.flush()
			})
		},
	}
	export.Flags().StringVarP(&outFile, "out", "o", "", "write to FILE instead of standard output")

	var ad bestedm.Address
	var sex, birthday string
	add := &cobra.Command{
		Use:   "add LIST EMAIL",
		Short: "Add one address to a list; prints its id",
		Args:  nArgs("LIST", "EMAIL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("LIST", args[0])
			if err != nil {
				return err
			}
			ad.Email = args[1]
			if ad.Sex, err = parseSex(sex); err != nil {
				return usagef("--sex: %v", err)
			}
			if birthday != "" {
				if ad.Birthday, err = time.Parse("2006-01-02", birthday); err != nil {
					return usagef("--birthday must be YYYY-MM-DD, not %q", birthday)
				}
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			res, err := c.Maillist.AddAddress(cmd.Context(), id, ad)
			if err != nil {
				return err
			}
			return a.result(res)
		},
	}
	f := add.Flags()
	f.StringVar(&ad.Name, "name", "", "full name")
	f.StringVar(&sex, "sex", "", "M or F")
	f.StringVar(&birthday, "birthday", "", "YYYY-MM-DD")
	f.StringVar(&ad.Phone, "phone", "", "phone number")
	f.StringVar(&ad.Area, "area", "", "area")

	rm := &cobra.Command{
		Use:   "rm LIST EMAIL...",
		Short: "Delete addresses from a list",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usagef("takes a LIST and at least one EMAIL")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("LIST", args[0])
			if err != nil {
				return err
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			p := a.table("EMAIL", "ADDRESS_ID", "RESULT")
			for _, email := range args[1:] {
				aid, err := findAddress(cmd.Context(), c, id, email)
				if err != nil {
					return err
				}
				res, err := c.Maillist.DeleteAddress(cmd.Context(), aid)
				if err != nil {
					return err
				}
				if err := printRow(p, map[string]any{"email": email, "address_id": aid, "message": res.Message}, email, itoa(aid), res.Message); err != nil {
					return err
				}
			}
			return p.flush()
		},
	}

	subscribe := &cobra.Command{
		Use:   "subscribe LIST EMAIL[=NAME]...",
		Short: "Subscribe addresses to a list",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usagef("takes a LIST and at least one EMAIL")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("LIST", args[0])
			if err != nil {
				return err
			}
			var subs []bestedm.Subscriber
			for _, s := range args[1:] {
				e, n, _ := strings.Cut(s, "=")
				subs = append(subs, bestedm.Subscriber{Email: e, Name: n})
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			res, err := c.Maillist.Subscribe(cmd.Context(), id, subs...)
			if err != nil {
				return err
			}
			return a.result(res)
		},
	}
	unsubscribe := &cobra.Command{
		Use:   "unsubscribe LIST EMAIL...",
		Short: "Unsubscribe addresses from a list",
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usagef("takes a LIST and at least one EMAIL")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("LIST", args[0])
			if err != nil {
				return err
			}
			c, err := a.api()
			if err != nil {
				return err
			}
			res, err := c.Maillist.Unsubscribe(cmd.Context(), id, args[1:]...)
			if err != nil {
				return err
			}
			return a.result(res)
		},
	}
	return group("addresses", "Addresses of a list: import, export, add, rm, subscribe, unsubscribe",
		newImportCmd(a), export, add, rm, subscribe, unsubscribe)
}

// findAddress returns the id of email in the list.
func findAddress(ctx context.Context, c *bestedm.Client, listID int64, email string) (int64, error) {
	for ad, err := range c.Maillist.ListAddresses(ctx, &bestedm.AddressListOptions{ListID: &listID, Keyword: email, Limit: exportPageSize}) {
		if err != nil {
			return 0, err
		}
		if strings.EqualFold(ad.Email, email) {
			return ad.ID, nil
		}
	}
	return 0, fmt.Errorf("%s in list %d: %w", email, listID, bestedm.ErrNotFound)
}

// parseSex reads the sex column's usual spellings; empty stays empty.
func parseSex(s string) (bestedm.Sex, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "":
		return "", nil
	case "m", "male", "man", "男":
		return bestedm.SexMale, nil
	case "f", "female", "woman", "女":
		return bestedm.SexFemale, nil
	}
	return "", fmt.Errorf("sex %q is neither M nor F", s)
}
