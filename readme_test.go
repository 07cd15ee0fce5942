package bestedm_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// goBlock matches a fenced Go block of a Markdown file, indented or not.
var goBlock = regexp.MustCompile("(?ms)^[ \t]*```go[ \t]*\n(.*?)^[ \t]*```[ \t]*$")

// normalise drops indentation, trailing spaces and blank lines, so that a
// snippet indented in a list item matches the same code inside a function.
func normalise(s string) string {
	var out []string
	for _, line := range strings.Split(s, "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return strings.Join(out, "\n")
}

// TestReadmeSnippetsCompile checks that every Go block of README.md is
// code from a test file of this package (an Example or a test), so that
// go test compiles — and mostly runs — what the README shows.
func TestReadmeSnippetsCompile(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	files, err := filepath.Glob("*_test.go")
	require.NoError(t, err)
	var code []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		code = append(code, normalise(string(b)))
	}
	blocks := goBlock.FindAllStringSubmatch(string(readme), -1)
	require.NotEmpty(t, blocks, "README.md has no Go block")
	require.Equal(t, strings.Count(string(readme), "```go"), len(blocks), "every ```go fence is closed and checked")
	for _, m := range blocks {
		snippet := normalise(m[1])
		found := false
		for _, c := range code {
			if strings.Contains(c, snippet) {
				found = true
				break
			}
		}
		assert.True(t, found, "README.md snippet not found in any *_test.go file (copy it from an Example):\n%s", m[1])
	}
}
