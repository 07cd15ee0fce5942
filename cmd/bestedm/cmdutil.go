package main

// The helpers every command uses, each rule in one place: arguments,
// enum flags (validation, help and completion), flags that exclude each
// other, ids and task references. Exit codes are in app.go (exitCode).

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go"
)

// mutuallyExclusive is the usage error msg when more than one of set is
// true: the one rule for flags that exclude each other.
func mutuallyExclusive(msg string, set ...bool) error {
	n := 0
	for _, s := range set {
		if s {
			n++
		}
	}
	if n > 1 {
		return usagef("%s", msg)
	}
	return nil
}

// enumValue is a string flag that takes one of a fixed set of values, and
// older spellings of them (aliases, accepted and not shown).
type enumValue struct {
	p       *string
	values  []string
	aliases map[string]string
}

func (e *enumValue) String() string { return *e.p }
func (e *enumValue) Type() string   { return "string" }

// Set accepts a value or an alias of one; anything else is a usage error
// (through the root's flag error function) naming the values.
func (e *enumValue) Set(s string) error {
	if v, ok := e.aliases[s]; ok {
		s = v
	}
	if !slices.Contains(e.values, s) {
		return usagef("must be %s, not %s", orList(e.values), quoteSample(s))
	}
	*e.p = s
	return nil
}

// enumFlag defines --name (and -short when given) on flags as one of
// values, with def as its default: the help lists the values, a wrong
// value is a usage error naming them, and the shell completes them.
func enumFlag(cmd *cobra.Command, persistent bool, p *string, name, short, def, usage string, values []string, aliases map[string]string) {
	*p = def
	fs := cmd.Flags()
	if persistent {
		fs = cmd.PersistentFlags()
	}
	fs.VarP(&enumValue{p: p, values: values, aliases: aliases}, name, short, usage+" ("+strings.Join(values, ", ")+")")
	_ = cmd.RegisterFlagCompletionFunc(name, cobra.FixedCompletions(values, cobra.ShellCompDirectiveNoFileComp))
}

// orList joins values as "a, b or c".
func orList(values []string) string {
	if len(values) < 2 {
		return strings.Join(values, "")
	}
	return strings.Join(values[:len(values)-1], ", ") + " or " + values[len(values)-1]
}

// group is a command that only holds subcommands; an unknown subcommand is
// a usage error rather than a help page with exit code 0.
func group(use, short string, subs ...*cobra.Command) *cobra.Command {
	c := &cobra.Command{
		Use:   use,
		Short: short,
		Args:  cobra.ArbitraryArgs,
		RunE:  groupRun,
	}
	c.AddCommand(subs...)
	return c
}

// groupRun is the run of a command that only holds subcommands.
func groupRun(c *cobra.Command, args []string) error {
	if len(args) > 0 {
		return usagef("unknown command %s for %q", quoteSample(args[0]), c.CommandPath())
	}
	return usagef("%s needs a subcommand", c.CommandPath())
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
		return 0, usagef("%s must be a positive number, not %s", what, quoteSample(s))
	}
	return id, nil
}

// taskRef reads TASK: a task id, or a batch number such as 20120302-362-F9B1E5.
func taskRef(s string) (bestedm.TaskRef, error) {
	if id, err := strconv.ParseInt(s, 10, 64); err == nil {
		if id <= 0 {
			return bestedm.TaskRef{}, usagef("task id must be positive, not %s", quoteSample(s))
		}
		return bestedm.TaskByID(id), nil
	}
	if !batchNumber.MatchString(s) {
		return bestedm.TaskRef{}, usagef("TASK must be a task id or a batch number such as 20120302-362-F9B1E5, not %s", quoteSample(s))
	}
	return bestedm.TaskByIdent(s), nil
}

// batchNumber is the shape of a task's batch number (its "SN"): the day,
// the customer id and a hexadecimal suffix, 20120302-362-F9B1E5.
var batchNumber = regexp.MustCompile(`^[0-9]{8}-[0-9]+-[0-9A-Fa-f]+$`)

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
		return time.Time{}, usagef("date must be YYYY-MM-DD, today or yesterday, not %s", quoteSample(s))
	}
	return t, nil
}

// runner is how a verb runs: its run function, or the runF a test gives
// newCmdX to capture the options instead (flag rules, no network).
func runner[O any](runF func(*O) error, run func(*O) error) func(*O) error {
	if runF != nil {
		return runF
	}
	return run
}
