package main

import (
	"context"
	"net/url"
	"strings"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type apiOptions struct {
	app  *app
	Req  bestedm.Request
	Read bool
}

func newCmdAPI(a *app, runF func(*apiOptions) error) *cobra.Command {
	opts := &apiOptions{app: a}
	var write, post bool
	cmd := &cobra.Command{
		Use:   "api SCRIPT [ACTION] [key=value]... [--read] [--post]",
		Short: "Call any script and action of the API and print the raw reply",
		Long: `api is the escape hatch for what the other commands do not cover: it sends
SCRIPT?do=ACTION with the key=value parameters, through the same credentials,
limits and redaction, and prints the body as the server sent it.

Every call is taken to change something, and is sent once: it is never
replayed once it may have reached the server, so a timeout cannot delete or
add twice. The reads the SDK itself makes (maillist-list, list-task, ...) and
calls marked --read are retried after a network failure or a busy server.
--post sends the parameters in a form body instead of the query string.

  bestedm api mloperate.php maillist-list
  bestedm api task.php list-task date=2026-12-01
  bestedm api some.php some-read id=7 --read
  bestedm api mloperate.php ml-addr-del address_id=42`,
		Args: func(_ *cobra.Command, args []string) error {
			if len(args) < 1 {
				return usagef("api needs a SCRIPT, such as mloperate.php")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := mutuallyExclusive("--read and --write exclude each other", opts.Read, write); err != nil {
				return err
			}
			req := &opts.Req
			req.Script = args[0]
			params := url.Values{}
			for i, arg := range args[1:] {
				k, v, ok := strings.Cut(arg, "=")
				if !ok {
					if i == 0 {
						req.Action = arg
						continue
					}
					return usagef("parameter %s is not key=value", quoteSample(arg))
				}
				params.Add(k, v)
			}
			// A Request is a write (sent once) unless marked Idempotent:
			// only --read and the reads the SDK itself makes are.
			req.Idempotent = opts.Read || isKnownRead(req.Script, req.Action)
			if post {
				req.Form = params
			} else {
				req.Params = params
			}
			return runner(runF, func(o *apiOptions) error { return apiRun(cmd.Context(), o) })(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Read, "read", false, "the call only reads: it may be retried after a network failure")
	cmd.Flags().BoolVar(&write, "write", false, "every call not marked --read is a write already")
	_ = cmd.Flags().MarkHidden("write")
	cmd.Flags().BoolVar(&post, "post", false, "send the parameters in a form-encoded POST body")
	return cmd
}

func apiRun(ctx context.Context, opts *apiOptions) error {
	c, err := opts.app.api()
	if err != nil {
		return err
	}
	return c.Do(ctx, &opts.Req, opts.app.stdout)
}

// knownReads are the script and action pairs the SDK's typed methods send
// as reads (GET, retried): `bestedm api` retries them without --read.
var knownReads = map[[2]string]bool{
	{"account.php", "customer-info"}: true, {"account.php", "service-info"}: true,
	{"bs.php", "domain-list"}: true, {"bs.php", "mailbox-list"}: true,
	{"mloperate.php", "maillist-list"}: true, {"mloperate.php", "maillist-detail"}: true,
	{"mloperate.php", "ml-addr-list"}: true, {"mloperate.php", "subscription-export"}: true,
	{"mloperate.php", "unsubscribe-export"}: true,
	{"task.php", "list-task"}:               true, {"task.php", "task-list"}: true,
	{"template.php", "list-tpl"}: true,
	{"track.php", "overview"}:    true, {"track.php", "open-detail"}: true,
	{"track.php", "click-detail"}: true, {"track.php", "link-stat"}: true,
	{"statistic.php", ""}: true, {"stask.php", ""}: true, {"deduction.php", ""}: true,
	{"trackexport.php", ""}: true, {"failexport.php", ""}: true, {"failexportall.php", ""}: true,
}

func isKnownRead(script, action string) bool { return knownReads[[2]string{script, action}] }
