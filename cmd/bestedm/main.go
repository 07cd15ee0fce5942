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
// without an account. Exit codes: 0 success, 1 error, 2 usage, 130 and 143
// when stopped by SIGINT or SIGTERM.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"golang.org/x/term"
)

func main() {
	ctx, stop := signalContext()
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

// signalContext ends at the first SIGINT or SIGTERM with a signalError as
// its cause, so that a command stops within a second and exits 130 or 143;
// a second signal exits at once.
func signalContext() (context.Context, func()) {
	ctx, cancel := context.WithCancelCause(context.Background())
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		s := <-sigs
		cancel(signalError{s})
		s = <-sigs
		os.Exit(signalError{s}.ExitCode())
	}()
	return ctx, func() { signal.Stop(sigs) }
}

// signalError is the cause of a command's end by a signal.
type signalError struct{ sig os.Signal }

func (e signalError) Error() string { return "stopped by " + signalName(e.sig) }

// ExitCode is 128 + the signal's number, as shells report it.
func (e signalError) ExitCode() int {
	if e.sig == syscall.SIGTERM {
		return exitTerminated
	}
	return exitInterrupted
}

func signalName(s os.Signal) string {
	if s == syscall.SIGTERM {
		return "SIGTERM"
	}
	return "SIGINT"
}
