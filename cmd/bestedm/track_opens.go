package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type trackOpensOptions struct {
	app  *app
	Task bestedm.TaskRef
}

func newCmdTrackOpens(a *app, runF func(*trackOpensOptions) error) *cobra.Command {
	opts := &trackOpensOptions{app: a}
	return &cobra.Command{
		Use:   "opens TASK",
		Short: "Stream the recipients who opened a task's mail",
		Args:  nArgs("TASK"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.Task, err = taskRef(args[0]); err != nil {
				return err
			}
			return runner(runF, func(o *trackOpensOptions) error { return trackOpensRun(cmd.Context(), o) })(opts)
		},
	}
}

// openView is one recipient's opens in JSON, under the keys of the CSV header.
type openView struct {
	Email     string `json:"email"`
	Opens     int64  `json:"open_total"`
	Clicks    int64  `json:"click_total"`
	FirstOpen jtime  `json:"open_first"`
	LastOpen  jtime  `json:"open_last"`
	Browser   string `json:"browser"`
	OS        string `json:"os"`
	IP        string `json:"ip"`
}

func trackOpensRun(ctx context.Context, opts *trackOpensOptions) error {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return err
	}
	p := a.table("email", "open_total", "click_total", "open_first", "open_last", "browser", "os", "ip")
	for o, err := range c.Track.Opens(ctx, opts.Task) {
		if err != nil {
			return err
		}
		v := openView{o.Email, o.OpenTotal, o.ClickTotal, jtime(o.OpenFirst), jtime(o.OpenLast), o.Browser, strings.TrimSpace(o.OS), o.IPFirst}
		if err := printRow(p, v, v.Email, itoa(v.Opens), itoa(v.Clicks), p.tcell(o.OpenFirst), p.tcell(o.OpenLast),
			v.Browser, v.OS, v.IP); err != nil {
			return err
		}
	}
	return p.flush()
}
