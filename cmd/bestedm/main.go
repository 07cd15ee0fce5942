// Command bestedm is a command-line tool for the bestedm (U-Mail EDM) API,
// built on the public bestedm SDK: contact lists and their addresses,
// templates, sending tasks, delivery and tracking reports, and a raw escape
// hatch for any call.
//
//	go install github.com/bestedm/bestedm-go/cmd/bestedm@latest
//	export BESTEDM_USERNAME=... BESTEDM_PASSWORD=...
//	bestedm account
//
// Credentials come from the environment (BESTEDM_USERNAME,
// BESTEDM_PASSWORD, BESTEDM_BASE_URL) or, for the password, from
// --password-stdin; never from a flag, so they do not show in ps output.
// `bestedm fake` serves the in-process fake of the API for trying the tool
// without an account. Exit codes: 0 success, 1 error, 2 usage.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := execute(ctx, os.Args[1:], &env{
		getenv:      os.Getenv,
		stdin:       os.Stdin,
		stdout:      os.Stdout,
		stderr:      os.Stderr,
		stderrIsTTY: term.IsTerminal(int(os.Stderr.Fd())),
	})
	stop()
	os.Exit(code)
}
