package main

import (
	"context"
	"os"
	"path/filepath"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

type templatesCreateOptions struct {
	app      *app
	Name     string
	Subjects []string
	HTMLFile string
	TextFile string
	Attach   []string
}

func newCmdTemplatesCreate(a *app, runF func(*templatesCreateOptions) error) *cobra.Command {
	opts := &templatesCreateOptions{app: a}
	cmd := &cobra.Command{
		Use:   "create NAME --subject S --html FILE [--attach FILE]...",
		Short: "Create a template from an HTML file, with attachments; prints its id alone",
		Args:  nArgs("NAME"),
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Name = args[0]
			if len(opts.Subjects) == 0 || opts.HTMLFile == "" {
				return usagef("--subject and --html are required")
			}
			return runner(runF, func(o *templatesCreateOptions) error { return templatesCreateRun(cmd.Context(), o) })(opts)
		},
	}
	f := cmd.Flags()
	f.StringArrayVar(&opts.Subjects, "subject", nil, "a subject line (repeat for several)")
	f.StringVar(&opts.HTMLFile, "html", "", "file holding the HTML body")
	f.StringVar(&opts.TextFile, "text", "", "file holding the plain-text body")
	f.StringArrayVar(&opts.Attach, "attach", nil, "file to attach (repeat for several)")
	return cmd
}

func templatesCreateRun(ctx context.Context, opts *templatesCreateOptions) error {
	tp := bestedm.TemplateParams{Name: opts.Name, Subjects: opts.Subjects}
	b, err := os.ReadFile(opts.HTMLFile)
	if err != nil {
		return err
	}
	tp.Content = string(b)
	if opts.TextFile != "" {
		b, err := os.ReadFile(opts.TextFile)
		if err != nil {
			return err
		}
		tp.TextContent = string(b)
	}
	for _, name := range opts.Attach {
		f, err := os.Open(name)
		if err != nil {
			return err
		}
		defer f.Close()
		tp.Attachments = append(tp.Attachments, bestedm.File{Name: filepath.Base(name), Content: f})
	}
	c, err := opts.app.api()
	if err != nil {
		return err
	}
	res, err := c.Template.Create(ctx, &tp)
	if err != nil {
		return err
	}
	return opts.app.result(res)
}
