package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type templatesListOptions struct {
	app *app
}

func newCmdTemplatesList(a *app, runF func(*templatesListOptions) error) *cobra.Command {
	opts := &templatesListOptions{app: a}
	return &cobra.Command{
		Use:   "list",
		Short: "List the templates",
		Args:  nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runner(runF, func(o *templatesListOptions) error { return templatesListRun(cmd.Context(), o) })(opts)
		},
	}
}

func templatesListRun(ctx context.Context, opts *templatesListOptions) error {
	a := opts.app
	c, err := a.api()
	if err != nil {
		return err
	}
	ts, err := c.Template.List(ctx)
	if err != nil {
		return err
	}
	p := a.table(templateRowKeys...)
	for _, t := range ts {
		if err := printFields(p, templateRow(&t)); err != nil {
			return err
		}
	}
	return p.flush()
}

var templateRowKeys = keys(templateRow(&bestedm.Template{}))

// templateRow is a template as templates list shows it.
func templateRow(t *bestedm.Template) []field {
	return []field{
		{"id", t.ID}, {"name", t.Name}, {"subjects", subjects(t)},
		{"attachments", int64(len(t.Attachments))}, {"created", t.Created}, {"updated", t.Updated},
	}
}

func subjects(t *bestedm.Template) []string {
	s := make([]string, len(t.Subjects))
	for i, sub := range t.Subjects {
		s[i] = sub.Name
	}
	return s
}
