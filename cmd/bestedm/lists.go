package main

import "github.com/spf13/cobra"

// newCmdLists wires the verbs of contact lists, one file each.
func newCmdLists(a *app) *cobra.Command {
	return group("lists", "Contact lists: list, show, create, edit, delete, empty",
		newCmdListsList(a, nil),
		newCmdListsShow(a, nil),
		newCmdListsCreate(a, nil),
		newCmdListsEdit(a, nil),
		newCmdListsDelete(a, nil),
		newCmdListsEmpty(a, nil),
	)
}
