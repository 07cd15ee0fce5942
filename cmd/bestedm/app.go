package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"syscall"
	"time"
	"unicode"
	"unicode/utf8"

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
	output        string // the output format (--format)
	rawCSV        bool
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
	e = e.onTerminal()
	a := &app{env: e}
	root := newRootCmd(a)
	root.SetArgs(args)
	cmd, err := root.ExecuteContextC(ctx)
	var sig interrupted
	if errors.As(context.Cause(ctx), &sig) {
		// Stopped by a signal: whatever the command returned, it did
		// not run to its end.
		if err == nil {
			err = sig
		} else {
			err = fmt.Errorf("%w (%v)", err, sig)
		}
		fmt.Fprintln(e.stderr, errorLine(cmd, err, false))
		return sig.ExitCode()
	}
	if err == nil {
		return exitOK
	}
	code := exitCode(err)
	fmt.Fprintln(e.stderr, errorLine(cmd, err, code == exitUsage))
	return code
}

// interrupted is the cause of the context's cancellation when a signal
// stops the program (main.go).
type interrupted struct{ sig os.Signal }

func (e interrupted) Error() string { return "interrupted by " + e.sig.String() }

// ExitCode is 130 for SIGINT, 143 for SIGTERM (128 + the signal's number,
// as shells report it).
func (e interrupted) ExitCode() int {
	if e.sig == syscall.SIGTERM {
		return exitTerminated
	}
	return exitInterrupted
}

// exitCode maps an error to the process's exit code; this is the one
// place the codes are decided (docs/cli.md#exit-codes).
func exitCode(err error) int {
	var ue *usageError
	var pe *partialError
	var ec interface{ ExitCode() int } // an error that carries its code (the import's)
	switch {
	case err == nil:
		return exitOK
	case errors.As(err, &ue) || isCobraUsage(err):
		return exitUsage
	case errors.As(err, &ec):
		return ec.ExitCode()
	case errors.As(err, &pe):
		return exitPartial
	case isUnauthorized(err):
		return exitAuth
	}
	return exitError
}

// partialError is a command that finished but left some input undone (an
// import with rejected rows): exit code 3.
type partialError struct{ err error }

func (e *partialError) Error() string { return e.err.Error() }
func (e *partialError) Unwrap() error { return e.err }

// isUnauthorized reports a refusal of the credentials: HTTP 401 or 403
// (bestedm.ErrUnauthorized), or the auth_error status the service answers
// with HTTP 200 when the credentials are in the query string.
func isUnauthorized(err error) bool {
	if errors.Is(err, bestedm.ErrUnauthorized) {
		return true
	}
	var ae *bestedm.APIError
	return errors.As(err, &ae) && ae.Status == bestedm.StatusAuthError
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
// The message is escaped (a control character or a stray byte of an
// argument, echoed by cobra's "unknown flag", could drive the terminal) and
// a usage error's cut to a short sample.
func errorLine(cmd *cobra.Command, err error, usage bool) string {
	path := "bestedm"
	if cmd != nil {
		path = cmd.CommandPath()
	}
	// The SDK's messages start with "bestedm: ", which the command path
	// already says.
	msg := strings.TrimPrefix(strings.Join(strings.Fields(err.Error()), " "), "bestedm: ")
	if usage {
		return path + ": " + escapeLine(msg, maxUsageLine) + " (usage: see '" + path + " --help')"
	}
	line := path + ": " + escapeLine(msg, maxErrorLine)
	if kind := errorKind(err); kind != "" {
		line += " [" + kind + "]"
	}
	return line
}

// The longest messages an error line holds: a usage error names at most a
// short sample of what was typed; another error may quote a URL and a
// server's reply.
const (
	maxUsageLine = 240
	maxErrorLine = 4096
)

// escapeLine writes control characters and invalid bytes of s as Go
// escapes and cuts the result after max bytes.
func escapeLine(s string, max int) string {
	var b strings.Builder
	for i, r := range s {
		if b.Len() >= max {
			b.WriteString(fmt.Sprintf("… (%d bytes)", len(s)))
			break
		}
		switch {
		case r == utf8.RuneError:
			if _, size := utf8.DecodeRuneInString(s[i:]); size == 1 {
				fmt.Fprintf(&b, `\x%02x`, s[i])
				continue
			}
			b.WriteRune(r)
		case unicode.IsControl(r):
			q := strconv.QuoteRune(r)
			b.WriteString(q[1 : len(q)-1])
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// errorKind names the kind of failure at the root of err, one way for
// every command (docs/cli.md#errors), so a script can tell a wrong password
// from a missing item or a network failure without parsing the text. The
// kinds that several SDK types can carry (not found, unauthorized) come
// first, so `lists show 999` and `tasks show 999` say the same.
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
	case isUnauthorized(err):
		return "unauthorized"
	case errors.Is(err, bestedm.ErrNotFound):
		return "not_found"
	case errors.Is(err, bestedm.ErrRateLimited):
		return "rate_limited"
	case errors.Is(err, bestedm.ErrReplyTooLarge):
		return "reply_too_large"
	case errors.As(err, &ae):
		return "api_error " + string(ae.Status)
	case errors.As(err, &he):
		return "http_error " + strconv.Itoa(he.StatusCode)
	case errors.As(err, &de):
		return "decode_error"
	case errors.As(err, &re):
		if errors.Is(err, context.Canceled) {
			return "request_error canceled"
		}
		return "request_error"
	case errors.As(err, &ve):
		return "validation_error"
	case errors.As(err, &pe):
		return "file_error"
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
	// The streams are set before the completion command is made: it takes
	// its writer when it is built.
	root.SetIn(a.stdin)
	root.SetOut(a.stdout)
	root.SetErr(a.stderr)
	pf := root.PersistentFlags()
	enumFlag(root, true, &a.output, "format", "F", "table", "output format; json is one document, jsonl one object a line (docs/cli.md)", formats, nil)
	// -O was the format's flag beside -o, the file's: kept, hidden, so
	// old scripts run; no two flags in the help differ only by case.
	pf.VarP(pf.Lookup("format").Value, "legacy-format", "O", "the same as --format")
	_ = pf.MarkHidden("legacy-format")
	pf.BoolVar(&a.rawCSV, "raw-csv", false, "print CSV cells as they are; without it a cell beginning with = + - @ tab or CR gets a leading ' so a spreadsheet shows it as text instead of running it as a formula (OWASP); for programs reading the CSV")
	enumFlag(root, true, &a.auth, "auth", "", "basic", "how credentials are sent: in an HTTP Basic header, or in the query string as username and MD5", []string{"basic", "query"}, nil)
	pf.StringVar(&a.baseURL, "base-url", "", "API root (default $BESTEDM_BASE_URL, else bestedm.DefaultBaseURL, https://api.bestedm.net/mm-ms/apinew/)")
	pf.BoolVar(&a.passwordStdin, "password-stdin", false, "read the password from the first line of standard input")
	pf.DurationVar(&a.timeout, "timeout", 30*time.Second, "longest silence allowed from the server")
	root.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	root.AddCommand(
		newCmdAccount(a, nil),
		newCmdLists(a),
		newAddressesCmd(a),
		newCmdTemplates(a),
		newCmdTasks(a),
		withHTMLReport(a, newCmdReport(a, nil)),
		newCmdTrack(a),
		newCmdFailed(a, nil),
		newCmdAPI(a, nil),
		newCmdFake(a, nil),
		newSyncCmd(a),
	)
	root.SetHelpCommand(newHelpCmd())
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Args = cobra.ArbitraryArgs
			c.RunE = groupRun
		}
	}
	addCompletions(a, root)
	return root
}

// newHelpCmd is cobra's help command, except that an unknown topic is a
// usage error (exit 2) rather than the root's help with exit 0.
func newHelpCmd() *cobra.Command {
	return &cobra.Command{
		Use:   "help [command]",
		Short: "Help about any command",
		RunE: func(c *cobra.Command, args []string) error {
			cmd, rest, err := c.Root().Find(args)
			if err != nil || cmd == nil || len(rest) > 0 {
				return usagef("no help topic %q", strings.Join(args, " "))
			}
			return cmd.Help()
		},
	}
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
		// Byte by byte: the data may follow on the same input (`-`,
		// /dev/stdin), and a buffer would take its start.
		line, err := readLine(a.stdin)
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

// readLine reads one line of r without reading past it.
func readLine(r io.Reader) (string, error) {
	var b []byte
	var c [1]byte
	for {
		n, err := r.Read(c[:])
		if n == 1 {
			if c[0] == '\n' {
				return string(b), nil
			}
			b = append(b, c[0])
		}
		if err != nil {
			return string(b), err
		}
	}
}
