package main

import "github.com/spf13/cobra"

// newCmdTasks wires the verbs of sending tasks, one file each.
func newCmdTasks(a *app) *cobra.Command {
	return group("tasks", "Sending tasks: list, show, create, hold, resume, delete",
		newCmdTasksList(a, nil),
		newCmdTasksShow(a, nil),
		newCmdTasksCreate(a, nil),
		newCmdTasksHold(a, nil),
		newCmdTasksResume(a, nil),
		newCmdTasksDelete(a, nil),
	)
}
