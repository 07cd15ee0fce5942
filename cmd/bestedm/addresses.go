package main

import (
	"context"
	"fmt"
	"strings"

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

// newAddressesCmd wires the verbs of `addresses`, one file each.
func newAddressesCmd(a *app) *cobra.Command {
	return group("addresses", "Addresses of a list: import, export, add, rm, subscribe, unsubscribe",
		newCmdAddressesImport(a, nil),
		newCmdAddressesExport(a, nil),
		newCmdAddressesAdd(a, nil),
		newCmdAddressesRm(a, nil),
		newCmdAddressesSubscribe(a, nil),
		newCmdAddressesUnsubscribe(a, nil),
	)
}

// atLeast accepts n or more arguments, named in the error.
func atLeast(n int, names string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) < n {
			return usagef("takes %s", names)
		}
		return nil
	}
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
