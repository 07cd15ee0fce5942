package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
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
			return runner(runF, func(o *exportOptions) error { return exportRun(cmd.Context(), o) })(opts)
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
	write := func(w io.Writer) error { return writeAddresses(ctx, c, opts.ListID, w, a.output) }
	return a.toFile(opts.Out, write)
}

// writeFileAtomic writes a regular file (new or existing) through a
// temporary file beside it, renamed over it when write succeeded: a failed
// export leaves the old file as it was. A symbolic link
// is refused, not written through; anything else that is not a regular
// file (a FIFO, a device) is written to as it is, and never removed.
func writeFileAtomic(name string, write func(io.Writer) error) (err error) {
	mode := os.FileMode(0o644)
	switch fi, err := os.Lstat(name); {
	case errors.Is(err, os.ErrNotExist):
	case err != nil:
		return err
	case fi.Mode()&os.ModeSymlink != 0:
		return fmt.Errorf("%s is a symbolic link: give the path of the file it points to, or remove the link", name)
	case !fi.Mode().IsRegular():
		f, err := os.OpenFile(name, os.O_WRONLY, 0)
		if err != nil {
			return err
		}
		if err := write(f); err != nil {
			f.Close()
			return err
		}
		return f.Close()
	default:
		mode = fi.Mode().Perm()
	}
	tmp, err := os.CreateTemp(filepath.Dir(name), "."+filepath.Base(name)+".*.tmp")
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(tmp.Name())
		}
	}()
	if err := write(tmp); err != nil {
		return err
	}
	if err := tmp.Chmod(mode); err != nil {
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), name)
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
