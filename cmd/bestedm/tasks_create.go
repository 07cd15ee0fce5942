package main

import (
	"context"
	"time"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type tasksCreateOptions struct {
	app    *app
	Params bestedm.TaskParams
	At     string
	Hold   bool
	Now    bool
	Track  string
}

// trackFlag maps the values of tasks create --track to the SDK's.
var trackFlag = map[string]bestedm.TrackStatus{
	"none": bestedm.TrackNone, "opens": bestedm.TrackOpens, "clicks": bestedm.TrackOpensAndClicks,
}

func newCmdTasksCreate(a *app, runF func(*tasksCreateOptions) error) *cobra.Command {
	opts := &tasksCreateOptions{app: a}
	cmd := &cobra.Command{
		Use:   "create --template ID --list ID --from ADDRESS [--at TIME]",
		Short: "Create a sending task; prints its id alone",
		Args:  nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			p := &opts.Params
			if len(p.TemplateIDs) == 0 || len(p.MaillistIDs) == 0 || p.SendAccount == "" {
				return usagef("--template, --list and --from are required")
			}
			if err := mutuallyExclusive("--hold and --now exclude each other", opts.Hold, opts.Now); err != nil {
				return err
			}
			p.TrackStatus = trackFlag[opts.Track]
			switch {
			case opts.Hold:
				p.Status = bestedm.TaskHold
			case opts.Now:
				p.Status = bestedm.TaskSendNow
			}
			return runner(runF, func(o *tasksCreateOptions) error { return tasksCreateRun(cmd.Context(), o) })(opts)
		},
	}
	f := cmd.Flags()
	f.Int64SliceVar(&opts.Params.TemplateIDs, "template", nil, "template id (repeat or comma-separate for several)")
	f.Int64SliceVar(&opts.Params.MaillistIDs, "list", nil, "contact list id (repeat or comma-separate for several)")
	f.StringVar(&opts.Params.SendAccount, "from", "", "sender address, or all")
	f.StringVar(&opts.Params.SendDomain, "domain", "", "sender domain (with --from all)")
	f.StringVar(&opts.Params.SendFullname, "name", "", "sender name")
	f.IntVar(&opts.Params.SendQty, "quantity", 0, "messages to send (0: every address)")
	f.StringVar(&opts.At, "at", "", "send time, \"YYYY-MM-DD HH:MM\" in the server's zone (default: in a minute)")
	f.BoolVar(&opts.Hold, "hold", false, "create the task on hold")
	f.BoolVar(&opts.Now, "now", false, "send at once")
	enumFlag(cmd, false, &opts.Track, "track", "", "clicks", "what to track", []string{"none", "opens", "clicks"},
		map[string]string{"opens-and-clicks": "clicks"})
	return cmd
}

func tasksCreateRun(ctx context.Context, opts *tasksCreateOptions) error {
	c, err := opts.app.api()
	if err != nil {
		return err
	}
	p := opts.Params
	p.Time = time.Now().In(c.Location()).Add(time.Minute)
	if opts.At != "" {
		t, err := time.ParseInLocation("2006-01-02 15:04", opts.At, c.Location())
		if err != nil {
			return usagef("--at must be \"YYYY-MM-DD HH:MM\", not %s", quoteSample(opts.At))
		}
		p.Time = t
	}
	res, err := c.Task.Create(ctx, &p)
	if err != nil {
		return err
	}
	return opts.app.result(res)
}
