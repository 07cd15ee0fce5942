package main

import (
	"context"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

// subscribeOptions are what `addresses subscribe` was asked to do.
type subscribeOptions struct {
	app         *app
	ListID      int64
	Subscribers []bestedm.Subscriber
}

func newCmdAddressesSubscribe(a *app, runF func(*subscribeOptions) error) *cobra.Command {
	opts := &subscribeOptions{app: a}
	return &cobra.Command{
		Use:   "subscribe LIST EMAIL[=NAME]...",
		Short: "Subscribe addresses to a list",
		Args:  atLeast(2, "a LIST and at least one EMAIL"),
		RunE: func(cmd *cobra.Command, args []string) error {
			id, err := parseID("LIST", args[0])
			if err != nil {
				return err
			}
			opts.ListID = id
			for _, s := range args[1:] {
				e, n, _ := strings.Cut(s, "=")
				opts.Subscribers = append(opts.Subscribers, bestedm.Subscriber{Email: e, Name: n})
			}
			return runner(runF, func(o *subscribeOptions) error { return subscribeRun(cmd.Context(), o) })(opts)
		},
	}
}

func subscribeRun(ctx context.Context, opts *subscribeOptions) error {
	c, err := opts.app.api()
	if err != nil {
		return err
	}
	res, err := c.Maillist.Subscribe(ctx, opts.ListID, opts.Subscribers...)
	if err != nil {
		return err
	}
	return opts.app.result(res)
}
