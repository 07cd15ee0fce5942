package main

import (
	"bytes"
	"strings"
	"testing"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	"github.com/stretchr/testify/assert"
)

// TestNoFlagsDifferOnlyByCase: -O (the format) beside
// -o (a file) read alike; no command shows two flags whose names or
// shorthands differ only by case.
func TestNoFlagsDifferOnlyByCase(t *testing.T) {
	root := newRootCmd(&app{env: &env{getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}})
	var walk func(*cobra.Command)
	walk = func(c *cobra.Command) {
		seen := map[string]string{}
		check := func(f *pflag.Flag) {
			if f.Hidden {
				return
			}
			for _, n := range []string{f.Name, f.Shorthand} {
				if n == "" {
					continue
				}
				if prev, ok := seen[strings.ToLower(n)]; ok && prev != n {
					t.Errorf("%s: flags %q and %q differ only by case", c.CommandPath(), prev, n)
				}
				seen[strings.ToLower(n)] = n
			}
		}
		c.LocalFlags().VisitAll(check)
		c.InheritedFlags().VisitAll(check)
		for _, sub := range c.Commands() {
			walk(sub)
		}
	}
	walk(root)

	s := newFake(t)
	c := newCLI(t, s)
	assert.Equal(t, c.ok("lists", "list", "--format", "csv"), c.ok("lists", "list", "-F", "csv"))
	assert.Equal(t, c.ok("lists", "list", "--format", "csv"), c.ok("lists", "list", "-O", "csv"), "-O still works, hidden")
	help := c.ok("lists", "list", "--help")
	assert.Contains(t, help, "-F, --format")
	assert.NotContains(t, help, "-O")
	assert.Contains(t, c.ok("track", "export", "--help"), "-o, --output")
	c.fails(exitUsage, []string{"lists", "list", "-F", "xml"}, "table, json, jsonl or csv", `"xml"`)
}
