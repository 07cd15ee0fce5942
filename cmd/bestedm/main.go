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
// without an account. Exit codes (docs/cli.md#exit-codes): 0 success,
// 1 error, 2 usage, 3 finished with rejected input, 4 credentials refused,
// 130 and 143 stopped by SIGINT and SIGTERM.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
	// The first SIGINT or SIGTERM cancels the context with the signal as
	// its cause (the command stops and exits 130 or 143); a second one
	// exits at once.
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		cancel(interrupted{s})
		s = <-sigs
		os.Exit(interrupted{s}.ExitCode())
	}()
	code := execute(ctx, os.Args[1:], &env{
		getenv:      os.Getenv,
		stdin:       os.Stdin,
		stdout:      os.Stdout,
		stderr:      os.Stderr,
		stderrIsTTY: term.IsTerminal(int(os.Stderr.Fd())),
	})
	signal.Stop(sigs)
	cancel(nil)
	os.Exit(code)
}
