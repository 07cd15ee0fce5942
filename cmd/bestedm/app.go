package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

// env is what the program takes from its surroundings, so tests run the
// command in-process with their own streams and variables.
type env struct {
	getenv      func(string) string
	stdin       io.Reader
	stdout      io.Writer
	stderr      io.Writer
	stderrIsTTY bool
}

// app holds the global flags and the client, made on first use.
type app struct {
	*env
	output        string
	auth          string
	baseURL       string
	passwordStdin bool
	timeout       time.Duration
	client        *bestedm.Client
}

// Exit codes, the same for every command (docs/cli.md#exit-codes).
const (
	exitOK    = 0
	exitError = 1
	exitUsage = 2
	// exitPartial: the command finished, but some input rows were
	// rejected (an import with rejects): not a failure, not a clean run.
	exitPartial = 3
	// exitAuth: the server refused the credentials.
	exitAuth = 4
	// exitInterrupted and exitTerminated: stopped by SIGINT or SIGTERM
	// (128 + the signal's number, as shells report it).
	exitInterrupted = 130
	exitTerminated  = 143
)

// usageError is a mistake in the command line itself: exit code 2.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, args ...any) error {
	return &usageError{fmt.Errorf(format, args...)}
}

// execute runs the command line args and returns the exit code; errors are
// written to e.stderr as one line.
func execute(ctx context.Context, args []string, e *env) int {
	a := &app{env: e}
	root := newRootCmd(a)
	root.SetArgs(args)
	root.SetIn(e.stdin)
	root.SetOut(e.stdout)
	root.SetErr(e.stderr)
	cmd, err := root.ExecuteContextC(ctx)
	if err == nil {
		return exitOK
	}
	code := exitError
	var ue *usageError
	if errors.As(err, &ue) || isCobraUsage(err) {
		code = exitUsage
	}
	fmt.Fprintln(e.stderr, errorLine(cmd, err, code == exitUsage))
	return code
}

// isCobraUsage recognises the errors cobra makes itself, which are not typed.
func isCobraUsage(err error) bool {
	msg := err.Error()
	for _, p := range []string{"unknown command", "unknown flag", "unknown shorthand flag", "flag needs an argument", "invalid argument", "accepts ", "requires at least", "required flag"} {
		if strings.HasPrefix(msg, p) {
			return true
		}
	}
	return false
}

// errorLine formats err as one line naming the command and the typed cause.
func errorLine(cmd *cobra.Command, err error, usage bool) string {
	path := "bestedm"
	if cmd != nil {
		path = cmd.CommandPath()
	}
	// The SDK's messages start with "bestedm: ", which the command path
	// already says.
	msg := strings.TrimPrefix(strings.Join(strings.Fields(err.Error()), " "), "bestedm: ")
	line := path + ": " + msg
	if usage {
		return line + " (usage: see '" + path + " --help')"
	}
	if kind := errorKind(err); kind != "" {
		line += " [" + kind + "]"
	}
	return line
}

// errorKind names the SDK's error type at the root of err, so a script can
// tell a wrong password from a network failure without parsing the text.
func errorKind(err error) string {
	var (
		ve *bestedm.ValidationError
		ae *bestedm.APIError
		he *bestedm.HTTPError
		de *bestedm.DecodeError
		re *bestedm.RequestError
		pe *os.PathError
	)
	switch {
	case errors.As(err, &ae):
		return "APIError " + string(ae.Status)
	case errors.As(err, &he):
		return "HTTPError " + strconv.Itoa(he.StatusCode)
	case errors.As(err, &de):
		return "DecodeError"
	case errors.As(err, &re):
		if errors.Is(err, context.Canceled) {
			return "RequestError canceled"
		}
		return "RequestError"
	case errors.As(err, &ve):
		return "ValidationError"
	case errors.Is(err, bestedm.ErrNotFound):
		return "ErrNotFound"
	case errors.As(err, &pe):
		return "PathError"
	}
	return ""
}

func newRootCmd(a *app) *cobra.Command {
	root := &cobra.Command{
		Use:   "bestedm",
		Short: "Command-line tool for the bestedm (U-Mail EDM) API",
		Long: `bestedm manages contact lists, addresses, templates and sending tasks of a
bestedm account, and reads its delivery and tracking reports.

Credentials come from the environment, never from flags:
  BESTEDM_USERNAME   the account's user name
  BESTEDM_PASSWORD   its password (or give it on standard input with --password-stdin)
  BESTEDM_BASE_URL   the API root (default ` + bestedm.DefaultBaseURL + `)

Try it without an account: run 'bestedm fake' in one terminal and export the
variables it prints in another.`,
		SilenceErrors: true,
		SilenceUsage:  true,
	}
	pf := root.PersistentFlags()
	pf.StringVarP(&a.output, "output", "O", "table", "output format: table, json (one object a line) or csv")
	pf.StringVar(&a.auth, "auth", "basic", "how credentials are sent: basic (HTTP Basic header) or query (username and MD5 in the URL)")
	pf.StringVar(&a.baseURL, "base-url", "", "API root (default $BESTEDM_BASE_URL, else the documented root)")
	pf.BoolVar(&a.passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	pf.DurationVar(&a.timeout, "timeout", 30*time.Second, "longest silence allowed from the server")
	_ = root.RegisterFlagCompletionFunc("output", cobra.FixedCompletions([]string{"table", "json", "csv"}, cobra.ShellCompDirectiveNoFileComp))
	_ = root.RegisterFlagCompletionFunc("auth", cobra.FixedCompletions([]string{"basic", "query"}, cobra.ShellCompDirectiveNoFileComp))
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.PersistentPreRunE = func(cmd *cobra.Command, _ []string) error {
		switch a.output {
		case "table", "json", "csv":
		default:
			return usagef("--output must be table, json or csv, not %q", a.output)
		}
		switch a.auth {
		case "basic", "query":
		default:
			return usagef("--auth must be basic or query, not %q", a.auth)
		}
		return nil
	}
	root.AddCommand(
		newAccountCmd(a),
		newListsCmd(a),
		newAddressesCmd(a),
		newTemplatesCmd(a),
		newTasksCmd(a),
		withHTMLReport(a, newReportCmd(a)),
		newTrackCmd(a),
		newFailedCmd(a),
		newAPICmd(a),
		newFakeCmd(a),
		newSyncCmd(a),
	)
	addCompletions(a, root)
	return root
}

// group is a command that only holds subcommands; an unknown subcommand is
// a usage error rather than a help page with exit code 0.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		RunE: func(c *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown command %q for %q", args[0], c.CommandPath())
			}
			return usagef("%s needs a subcommand", c.CommandPath())
		},
	}
	c.AddCommand(subs...)
	return c
}

// nArgs accepts exactly n arguments, named in the error.
func nArgs(names ...string) cobra.PositionalArgs {
	return func(_ *cobra.Command, args []string) error {
		if len(args) != len(names) {
			return usagef("takes %d argument(s) (%s), got %d", len(names), strings.Join(names, " "), len(args))
		}
		return nil
	}
}

// parseID reads a positive id argument.
func parseID(what, s string) (int64, error) {
	id, err := strconv.ParseInt(s, 10, 64)
	if err != nil || id <= 0 {
		return 0, usagef("%s must be a positive number, not %q", what, s)
	}
	return id, nil
}

// taskRef reads TASK: a task id, or a batch number such as 20120302-362-F9B1E5.
func taskRef(s string) (bestedm.TaskRef, error) {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		if id <= 0 {
			return bestedm.TaskRef{}, usagef("task id must be positive, not %q", s)
		}
		return bestedm.TaskByID(id), nil
	}
	if s == "" || strings.ContainsAny(s, " \t&=?") {
		return bestedm.TaskRef{}, usagef("TASK must be a task id or a batch number, not %q", s)
	}
	return bestedm.TaskByIdent(s), nil
}

// parseDate reads a day, YYYY-MM-DD, or "today"/"yesterday", in the client's zone.
func parseDate(c *bestedm.Client, s string) (time.Time, error) {
	loc := c.Location()
	now := time.Now().In(loc)
	switch s {
	case "", "today":
		return now, nil
	case "yesterday":
		return now.AddDate(0, 0, -1), nil
	}
	t, err := time.ParseInLocation("2006-01-02", s, loc)
	if err != nil {
		return time.Time{}, usagef("date must be YYYY-MM-DD, today or yesterday, not %q", s)
	}
	return t, nil
}

// api returns the client, made from the environment on first use.
func (a *app) api() (*bestedm.Client, error) {
	if a.client != nil {
		return a.client, nil
	}
	user := a.getenv("BESTEDM_USERNAME")
	if user == "" {
		return nil, errors.New("BESTEDM_USERNAME is not set (try 'bestedm fake' for a test account)")
	}
	var pass string
	if a.passwordStdin {
		line, err := bufio.NewReader(a.stdin).ReadString('\n')
		if err != nil && !errors.Is(err, io.EOF) {
			return nil, fmt.Errorf("reading the password from standard input: %w", err)
		}
		pass = strings.TrimRight(line, "\r\n")
		if pass == "" {
			return nil, errors.New("--password-stdin: standard input holds no password")
		}
	} else if pass = a.getenv("BESTEDM_PASSWORD"); pass == "" {
		return nil, errors.New("BESTEDM_PASSWORD is not set (or use --password-stdin)")
	}
	opts := []bestedm.Option{
		bestedm.WithUserAgent("bestedm-cli/" + bestedm.Version),
		bestedm.WithTimeout(a.timeout),
	}
	base := a.baseURL
	if base == "" {
		base = a.getenv("BESTEDM_BASE_URL")
	}
	if base != "" {
		opts = append(opts, bestedm.WithBaseURL(base))
	}
	if a.auth == "query" {
		opts = append(opts, bestedm.WithAuthMode(bestedm.AuthQuery))
	}
	c, err := bestedm.NewClient(user, pass, opts...)
	if err != nil {
		return nil, err
	}
	a.client = c
	return c, nil
}
