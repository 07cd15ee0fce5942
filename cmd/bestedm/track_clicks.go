package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type trackClicksOptions struct {
	app  *app
	Task bestedm.TaskRef
	Link int64
}

func newCmdTrackClicks(a *app, runF func(*trackClicksOptions) error) *cobra.Command {
	opts := &trackClicksOptions{app: a}
	cmd := &cobra.Command{
		Use:   "clicks TASK",
		Short: "Stream the clicks on a task's links",
		Args:  nArgs("TASK"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.Task, err = taskRef(args[0]); err != nil {
				return err
			}
			return runner(runF, func(o *trackClicksOptions) error { return trackClicksRun(cmd.Context(), o) })(opts)
		},
	}
	cmd.Flags().Int64Var(&opts.Link, "link", 0, "only the clicks on this link id")
	return cmd
}

// clickView is one recipient's clicks on a link in JSON, under the keys of
// the CSV header.
type clickView struct {
	Email      string `json:"email"`
	Unique     int64  `json:"click_unique"`
	Total      int64  `json:"click_total"`
	FirstClick jtime  `json:"click_first"`
	LastClick  jtime  `json:"click_last"`
	Link       string `json:"link"`
}

func trackClicksRun(ctx context.Context, opts *trackClicksOptions) error {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return err
	}
	p := a.table("email", "click_unique", "click_total", "click_first", "click_last", "link")
	for k, err := range c.Track.Clicks(ctx, opts.Task, opts.Link) {
		if err != nil {
			return err
		}
		v := clickView{k.Email, k.ClickUnique, k.ClickTotal, jtime(k.ClickFirst), jtime(k.ClickLast), k.URL}
		if err := printRow(p, v, v.Email, itoa(v.Unique), itoa(v.Total), p.tcell(k.ClickFirst), p.tcell(k.ClickLast), v.Link); err != nil {
			return err
		}
	}
	return p.flush()
}
