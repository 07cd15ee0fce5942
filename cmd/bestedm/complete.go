package main

import (
	"context"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

// lister returns the ids a first argument may be, each with a description.
type lister func(ctx context.Context, c *bestedm.Client) ([][2]string, error)

func listIDs(ctx context.Context, c *bestedm.Client) ([][2]string, error) {
	ls, err := c.Maillist.List(ctx)
	var out [][2]string
	for _, l := range ls {
		out = append(out, [2]string{itoa(l.ID), l.Name})
	}
	return out, err
}

func templateIDs(ctx context.Context, c *bestedm.Client) ([][2]string, error) {
	ts, err := c.Template.List(ctx)
	var out [][2]string
	for _, t := range ts {
		out = append(out, [2]string{itoa(t.ID), t.Name})
	}
	return out, err
}

func taskIDs(ctx context.Context, c *bestedm.Client) ([][2]string, error) {
	var out [][2]string
	for t, err := range c.Task.List(ctx, nil) {
		if err != nil {
			return out, err
		}
		out = append(out, [2]string{itoa(t.ID), t.SN + " " + t.SendStatus.String()})
	}
	return out, nil
}

// completeFirst completes a command's first argument with the ids list
// gives, asking the API with the credentials of the environment; later
// arguments are files when filesAfter is set, else nothing.
func completeFirst(a *app, list lister, filesAfter bool) cobra.CompletionFunc {
	return func(cmd *cobra.Command, args []string, _ string) ([]cobra.Completion, cobra.ShellCompDirective) {
		if len(args) > 0 {
			if filesAfter {
				return nil, cobra.ShellCompDirectiveDefault
			}
			return nil, cobra.ShellCompDirectiveNoFileComp
		}
		c, err := a.api()
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		items, err := list(cmd.Context(), c)
		if err != nil {
			return nil, cobra.ShellCompDirectiveNoFileComp | cobra.ShellCompDirectiveError
		}
		out := make([]cobra.Completion, len(items))
		for i, it := range items {
			out[i] = cobra.CompletionWithDesc(it[0], it[1])
		}
		return out, cobra.ShellCompDirectiveNoFileComp
	}
}

// addCompletions attaches id completion to every command whose first
// argument is a list, template or task.
func addCompletions(a *app, root *cobra.Command) {
	byPath := map[string]lister{
		"lists show": listIDs, "lists edit": listIDs, "lists delete": listIDs, "lists empty": listIDs,
		"addresses import": listIDs, "addresses export": listIDs, "addresses add": listIDs, "addresses rm": listIDs,
		"addresses subscribe": listIDs, "addresses unsubscribe": listIDs,
		"templates show": templateIDs, "templates delete": templateIDs,
		"tasks show": taskIDs, "tasks hold": taskIDs, "tasks resume": taskIDs, "tasks delete": taskIDs,
		"report": taskIDs, "track opens": taskIDs, "track clicks": taskIDs, "track export": taskIDs,
	}
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		path := c.CommandPath()
		if len(path) > len("bestedm ") {
			if l, ok := byPath[path[len("bestedm "):]]; ok {
				c.ValidArgsFunction = completeFirst(a, l, path == "bestedm addresses import")
			}
		}
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)
}
