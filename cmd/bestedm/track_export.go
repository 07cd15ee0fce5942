package main

import (
	"context"
	"fmt"
	"io"
	"strconv"
	"time"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type trackExportOptions struct {
	app     *app
	Task    bestedm.TaskRef
	OutFile string
	Clicked bool
	Raw     bool
}

func newCmdTrackExport(a *app, runF func(*trackExportOptions) error) *cobra.Command {
	opts := &trackExportOptions{app: a}
	cmd := &cobra.Command{
		Use:   "export TASK [-o FILE]",
		Short: "Export a task's tracked addresses, streamed to stdout or a file",
		Args:  nArgs("TASK"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.Task, err = taskRef(args[0]); err != nil {
				return err
			}
			return runner(runF, func(o *trackExportOptions) error { return trackExportRun(cmd.Context(), o) })(opts)
		},
	}
	outputFileFlag(cmd, &opts.OutFile)
	cmd.Flags().BoolVar(&opts.Clicked, "clicked", false, "only the addresses that clicked")
	cmd.Flags().BoolVar(&opts.Raw, "raw", false, "the body exactly as the server sent it")
	return cmd
}

// outputFileFlag defines --output/-o FILE, and --out, its old name, hidden.
func outputFileFlag(cmd *cobra.Command, p *string) {
	f := cmd.Flags()
	f.StringVarP(p, "output", "o", "", "write to FILE instead of standard output")
	f.StringVar(p, "out", "", "the same as --output")
	_ = f.MarkHidden("out")
}

func trackExportRun(ctx context.Context, opts *trackExportOptions) error {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return err
	}
	ov, err := c.Track.Overview(ctx, opts.Task)
	if err != nil {
		return err
	}
	exp, err := c.Track.Export(ctx, &bestedm.TrackExportOptions{TrackID: ov.TrackID, ClickedOnly: opts.Clicked})
	if err != nil {
		return err
	}
	defer exp.Close()
	return a.toFile(opts.OutFile, func(w io.Writer) error {
		if opts.Raw {
			_, err := io.Copy(w, exp)
			return err
		}
		return writeTrackRows(a.printer(w, trackColumns...), c.Location(), exp.Rows())
	})
}

// trackColumns are the fields of a tracking export's rows, in the order
// shown and, for a text reply, the order sent.
var trackColumns = []string{"email_id", "email", "open_total", "click_total", "open_first", "open_last", "click_first", "click_last"}

// trackExportView is a row of a tracking export in JSON.
type trackExportView struct {
	EmailID    int64  `json:"email_id"`
	Email      string `json:"email"`
	OpenTotal  int64  `json:"open_total"`
	ClickTotal int64  `json:"click_total"`
	OpenFirst  jtime  `json:"open_first"`
	OpenLast   jtime  `json:"open_last"`
	ClickFirst jtime  `json:"click_first"`
	ClickLast  jtime  `json:"click_last"`
}

// writeTrackRows prints an export's rows: the numbers and times of its
// text fields read as such (times in loc, the server's zone), so every
// format holds the same values as the other commands.
func writeTrackRows(p *printer, loc *time.Location, rows func(func(bestedm.TrackExportRow, error) bool)) error {
	n := 0
	for r, err := range rows {
		if err != nil {
			return err
		}
		n++
		var f [8]string
		for i, col := range trackColumns {
			if r.Names != nil {
				f[i], _ = r.Get(col)
			} else if i < len(r.Fields) {
				f[i] = r.Fields[i]
			}
		}
		var v trackExportView
		var t [4]time.Time
		var perr error
		num := func(i int) int64 {
			if f[i] == "" {
				return 0
			}
			x, err := strconv.ParseInt(f[i], 10, 64)
			if err != nil && perr == nil {
				perr = fmt.Errorf("tracking export row %d: %s is not a number: %s", n, trackColumns[i], quoteSample(f[i]))
			}
			return x
		}
		for i := range t {
			s := f[4+i]
			if s == "" || s == "0000-00-00 00:00:00" {
				continue
			}
			x, err := time.ParseInLocation("2006-01-02 15:04:05", s, loc)
			if err != nil && perr == nil {
				perr = fmt.Errorf("tracking export row %d: %s is not a time: %s", n, trackColumns[4+i], quoteSample(s))
			}
			t[i] = x
		}
		v = trackExportView{num(0), f[1], num(2), num(3), jtime(t[0]), jtime(t[1]), jtime(t[2]), jtime(t[3])}
		if perr != nil {
			return perr
		}
		if err := printRow(p, v, itoa(v.EmailID), v.Email, itoa(v.OpenTotal), itoa(v.ClickTotal),
			p.tcell(t[0]), p.tcell(t[1]), p.tcell(t[2]), p.tcell(t[3])); err != nil {
			return err
		}
	}
	return p.flush()
}
