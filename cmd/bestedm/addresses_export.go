package main

import (
	"context"
	"io"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

// exportOptions are what `addresses export` was asked to do.
type exportOptions struct {
	app    *app
	ListID int64
	Out    string // "" or "-": standard output
}

func newCmdAddressesExport(a *app, runF func(*exportOptions) error) *cobra.Command {
	opts := &exportOptions{app: a}
	cmd := &cobra.Command{
		Use:   "export LIST [-o FILE]",
		Short: "Export a list's addresses, streamed to stdout or a file (--output csv re-imports as is)",
		Args:  nArgs("LIST"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("LIST", args[0])
			if err != nil {
				return err
			}
			opts.ListID = id
			if runF != nil {
				return runF(opts)
			}
			return exportRun(cmd.Context(), opts)
		},
	}
	cmd.Flags().StringVarP(&opts.Out, "out", "o", "", "write to FILE instead of standard output")
	return cmd
}

func exportRun(ctx context.Context, opts *exportOptions) error {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return err
	}
	if _, err := c.Maillist.Get(ctx, opts.ListID); err != nil {
		return err
	}
	return a.toFile(opts.Out, func(w io.Writer) error {
		return writeAddresses(ctx, c, opts.ListID, w, a.output)
	})
}

// writeAddresses streams the list's addresses to w in format.
func writeAddresses(ctx context.Context, c *bestedm.Client, listID int64, w io.Writer, format string) error {
	hdr := addressColumns
	if format == "table" {
		hdr = make([]string, len(addressColumns))
		for i, c := range addressColumns {
			hdr[i] = strings.ToUpper(c)
		}
	}
	p := newPrinter(w, format, hdr...)
	for ad, err := range c.Maillist.ListAddresses(ctx, &bestedm.AddressListOptions{ListID: &listID, Limit: exportPageSize}) {
		if err != nil {
			return err
		}
		if err := printRow(p, ad, addressCells(&ad)...); err != nil {
			return err
		}
	}
	return p.flush()
}
