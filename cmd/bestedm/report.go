package main

import (
	"context"
	"errors"
	"fmt"
	"sort"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type reportOptions struct {
	app  *app
	Task bestedm.TaskRef
	Top  int
}

func newCmdReport(a *app, runF func(*reportOptions) error) *cobra.Command {
	opts := &reportOptions{app: a}
	cmd := &cobra.Command{
		Use:   "report TASK",
		Short: "Delivery and tracking of a task in one table: state, sent, failed by kind, opens, clicks, top links",
		Long: `report shows what happened to a task's mail: the task's state (the numbers are
final only once it is finished or cancelled), how many were sent and
delivered, the failures by kind, unique and total opens and clicks, and the
most clicked links. TASK is a task id or a batch number such as
20120302-362-F9B1E5.

The failure kinds add up to "failed": not_exist, over_quota and user_reject
as the server counts them, and failed_other for the rest (temporary failures
and any the server does not name). The server's send_failed, spam_content and
connect_error counters overlap these and are not added in.`,
		Args: nArgs("TASK"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.Task, err = taskRef(args[0]); err != nil {
				return err
			}
			if opts.Top < 0 {
				return usagef("--top must be 0 or more, not %d", opts.Top)
			}
			return runner(runF, func(o *reportOptions) error { return reportRun(cmd.Context(), o) })(opts)
		},
	}
	cmd.Flags().IntVar(&opts.Top, "top", 5, "how many of the most clicked links to show")
	return cmd
}

func reportRun(ctx context.Context, opts *reportOptions) error {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return err
	}
	ref := opts.Task
	batches, err := c.Statistic.Batches(ctx, &bestedm.BatchListOptions{TaskID: ref.ID, Ident: ref.Ident})
	if err != nil {
		return err
	}
	var b bestedm.BatchStat // zero until the task has sent something
	if len(batches) > 0 {
		b = batches[0]
	}
	task, err := reportTask(ctx, c, ref, b.TaskID)
	if err != nil {
		return err
	}
	ov, err := c.Track.Overview(ctx, bestedm.TaskByID(task.ID))
	if errors.Is(err, bestedm.ErrNotFound) {
		ov, err = nil, nil // a task without tracking, or none yet
	}
	if err != nil {
		return err
	}
	final := task.SendStatus == bestedm.SendFinished || task.SendStatus == bestedm.SendCancelled
	named := b.EmailNotExist + b.OverQuota + b.UserReject
	fs := []field{
		{"task", task.ID}, {"batch", task.SN}, {"state", task.SendStatus.String()}, {"final", final},
		{"send_time", task.SendTime},
		{"recipients", b.TotalSum}, {"invalid", b.Invalid}, {"sent", b.Total},
		{"delivered", b.Success}, {"failed", b.Failed},
		{"failed_not_exist", b.EmailNotExist},
		{"failed_over_quota", b.OverQuota},
		{"failed_user_reject", b.UserReject},
		{"failed_other", max(0, b.Failed-named)},
		{"points_deducted", b.DeductedPoints},
		{"tracking", task.TrackStatus.String()},
	}
	if ov == nil {
		for _, k := range []string{"open_unique", "open_total", "open_rate", "click_unique", "click_total", "click_rate"} {
			fs = append(fs, field{k, nil})
		}
	} else {
		fs = append(fs,
			field{"open_unique", ov.OpenUnique}, field{"open_total", ov.OpenTotal}, field{"open_rate", ov.OpenRatio},
			field{"click_unique", ov.ClickUnique}, field{"click_total", ov.ClickTotal}, field{"click_rate", ov.ClickRatio},
		)
		links := append([]bestedm.LinkStat(nil), ov.Links...)
		sort.SliceStable(links, func(i, j int) bool { return links[i].ClickUnique > links[j].ClickUnique })
		for i, l := range links[:min(opts.Top, len(links))] {
			k := fmt.Sprintf("link_%d_", i+1)
			fs = append(fs, field{k + "url", l.URL}, field{k + "click_unique", l.ClickUnique}, field{k + "click_total", l.ClickTotal})
		}
	}
	if named > b.Failed {
		fmt.Fprintf(a.stderr, "report: the server counts %d failures by kind but %d failed in all; failed_other is 0\n", named, b.Failed)
	}
	if !final && a.output == "table" {
		fmt.Fprintf(a.stderr, "report: task %d is %s: the numbers are not final\n", task.ID, task.SendStatus)
	}
	return a.record(fs)
}

// reportTask finds the task a report is about: by its id (the batch's,
// when TASK was a batch number), or, before it has a batch, by its batch
// number among the tasks.
func reportTask(ctx context.Context, c *bestedm.Client, ref bestedm.TaskRef, batchTaskID int64) (*bestedm.Task, error) {
	id := ref.ID
	if id == 0 {
		id = batchTaskID
	}
	if id != 0 {
		return c.Task.Get(ctx, id)
	}
	for t, err := range c.Task.List(ctx, nil) {
		if err != nil {
			return nil, err
		}
		if t.SN == ref.Ident {
			return &t, nil
		}
	}
	return nil, fmt.Errorf("task %s: %w", ref.Ident, bestedm.ErrNotFound)
}
