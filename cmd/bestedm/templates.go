package main

import "github.com/spf13/cobra"

// newCmdTemplates wires the verbs of templates, one file each.
func newCmdTemplates(a *app) *cobra.Command {
	return group("templates", "Templates: list, show, create, delete",
		newCmdTemplatesList(a, nil),
		newCmdTemplatesShow(a, nil),
		newCmdTemplatesCreate(a, nil),
		newCmdTemplatesDelete(a, nil),
	)
}
