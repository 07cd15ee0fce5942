package main

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A semicolon-separated CSV (what a spreadsheet in many
// European locales saves) is detected, and --delimiter names any other.

func TestSniffDelimiter(t *testing.T) {
	for _, tc := range []struct {
		name, text string
		want       rune
		sure       bool
	}{
		{"comma", "email,name\na@x.com,A\nb@x.com,B\n", ',', true},
		{"semicolon", "email;name;phone\na@x.com;A;1\nb@x.com;B;2\n", ';', true},
		{"semicolon with commas in values", "email;name\na@x.com;\"Li, Lei\"\nb@x.com;Wang, Wei\n", ';', true},
		{"comma with semicolons in quotes", "email,name\na@x.com,\"a;b;c\"\nb@x.com,\"d;e;f\"\n", ',', true},
		{"tab", "email\tname\na@x.com\tA\n", '\t', true},
		{"pipe", "email|name\na@x.com|A\n", '|', true},
		{"one column", "email\na@x.com\nb@x.com\n", ',', false},
		{"crlf", "email;name\r\na@x.com;A\r\n", ';', true},
		{"quoted newline", "email;note\na@x.com;\"two\nlines, here\"\nb@x.com;x\n", ';', true},
		{"header only", "email;name", ';', true},
		{"empty", "", ',', false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, sure := sniffDelimiter([]byte(tc.text))
			assert.Equal(t, string(tc.want), string(got))
			assert.Equal(t, tc.sure, sure)
		})
	}
}

func TestSniffDelimiterReadsAtMostItsSample(t *testing.T) {
	// A huge first line is not scanned past the sample.
	text := strings.Repeat("a;", sniffSampleBytes) + "\n"
	got, _ := sniffDelimiter([]byte(text))
	assert.Equal(t, ";", string(got))
}

func TestParseDelimiter(t *testing.T) {
	for in, want := range map[string]rune{",": ',', ";": ';', "tab": '\t', `\t`: '\t', "\t": '\t', "|": '|', "semicolon": ';', "comma": ','} {
		got, err := parseDelimiter(in)
		require.NoError(t, err, in)
		assert.Equal(t, string(want), string(got), in)
	}
	for _, bad := range []string{"", ";;", `"`, "\n", "\r", "\x00", "\xff", strings.Repeat("\x07", 100)} {
		_, err := parseDelimiter(bad)
		var ue *usageError
		require.ErrorAs(t, err, &ue, "%q", bad)
		assert.NotContains(t, err.Error(), "\x07")
		assert.Less(t, len(err.Error()), 200)
	}
}
