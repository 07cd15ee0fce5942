package main

import "github.com/spf13/cobra"

// newCmdTrack wires the verbs of a task's tracking, one file each.
func newCmdTrack(a *app) *cobra.Command {
	return group("track", "Opens and clicks of a task: opens, clicks, export",
		newCmdTrackOpens(a, nil),
		newCmdTrackClicks(a, nil),
		newCmdTrackExport(a, nil),
	)
}
