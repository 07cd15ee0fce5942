package main

import (
	"context"

	"github.com/spf13/cobra"
)

type templatesShowOptions struct {
	app     *app
	ID      int64
	Content bool
}

func newCmdTemplatesShow(a *app, runF func(*templatesShowOptions) error) *cobra.Command {
	opts := &templatesShowOptions{app: a}
	cmd := &cobra.Command{
		Use:   "show TEMPLATE",
		Short: "Show one template (--content prints its HTML)",
		Args:  nArgs("TEMPLATE"),
		RunE: func(cmd *cobra.Command, args []string) (err error) {
			if opts.ID, err = parseID("TEMPLATE", args[0]); err != nil {
				return err
			}
			return runner(runF, func(o *templatesShowOptions) error { return templatesShowRun(cmd.Context(), o) })(opts)
		},
	}
	cmd.Flags().BoolVar(&opts.Content, "content", false, "print the template's content as it is instead of its details")
	return cmd
}

func templatesShowRun(ctx context.Context, opts *templatesShowOptions) error {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return err
	}
	t, err := c.Template.Get(ctx, opts.ID)
	if err != nil {
		return err
	}
	if opts.Content {
		_, err := a.stdout.Write([]byte(t.Content))
		return err
	}
	atts := make([]string, len(t.Attachments))
	for i, at := range t.Attachments {
		atts[i] = itoa(at.ID) + ":" + at.Name
	}
	return a.record([]field{
		{"id", t.ID}, {"name", t.Name}, {"subjects", subjects(t)},
		{"content_type", t.ContentType}, {"content_bytes", int64(len(t.Content))},
		{"attachments", atts},
		{"created", t.Created}, {"updated", t.Updated},
	})
}
