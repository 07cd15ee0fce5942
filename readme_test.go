package bestedm_test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"unicode"

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

// snippetPages are the Markdown pages whose Go blocks must be code of a
// test file: README.md and the docs pages its reference moved to. Pages written about the CLI or the wire hold no Go blocks.
var snippetPages = []string{
	"README.md",
	"docs/client.md", "docs/dates.md", "docs/lists.md", "docs/methods.md",
	"docs/raw.md", "docs/retries.md", "docs/security.md", "docs/testing.md",
}

// TestReadmeSnippetsCompile checks that every Go block of README.md and of
// the docs pages it links to is code from a test file of this package (an
// Example or a test), so that go test compiles — and mostly runs — what
// the pages show.
func TestReadmeSnippetsCompile(t *testing.T) {
	files, err := filepath.Glob("*_test.go")
	require.NoError(t, err)
	var code []string
	for _, f := range files {
		b, err := os.ReadFile(f)
		require.NoError(t, err)
		code = append(code, normalise(string(b)))
	}
	for _, page := range snippetPages {
		text, err := os.ReadFile(page)
		require.NoError(t, err)
		blocks := goBlock.FindAllStringSubmatch(string(text), -1)
		if page == "README.md" {
			require.NotEmpty(t, blocks, "README.md has no Go block")
		}
		require.Equal(t, strings.Count(string(text), "```go"), len(blocks), "%s: every ```go fence is closed and checked", page)
		for _, m := range blocks {
			snippet := normalise(m[1])
			found := false
			for _, c := range code {
				if strings.Contains(c, snippet) {
					found = true
					break
				}
			}
			assert.True(t, found, "%s snippet not found in any *_test.go file (copy it from an Example):\n%s", page, m[1])
		}
	}
}

// mdLink matches a Markdown link to a relative target: [text](path#anchor).
var mdLink = regexp.MustCompile(`\]\(([^)#:\s]*)(#[^)\s]*)?\)`)

// mdCode matches what is code, not prose, in a Markdown page: fenced
// blocks and `inline` spans, whose brackets are not links.
var mdCode = regexp.MustCompile("(?ms)^[ \t]*```.*?^[ \t]*```|`[^`\n]*`")

// mdHeading and mdAnchor find the anchors a page offers: its headings, as
// GitHub turns them into ids, and explicit <a id="…"> tags.
var (
	mdHeading = regexp.MustCompile(`(?m)^#{1,6} +(.+?) *$`)
	mdAnchor  = regexp.MustCompile(`<a (?:id|name)="([^"]+)"`)
)

// slug is GitHub's id of a heading: lower case, punctuation dropped except
// '-' and '_', spaces as '-'.
func slug(heading string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(heading) {
		switch {
		case r == ' ':
			b.WriteRune('-')
		case r == '-' || r == '_' || unicode.IsLetter(r) || unicode.IsDigit(r):
			b.WriteRune(r)
		}
	}
	return b.String()
}

// TestReadmeLinks checks that every relative link of README.md and of the
// docs pages it moved its reference to names a file that exists and, with
// an anchor, a heading or an <a id> of that file: a newcomer following
// README never lands on a missing page.
func TestReadmeLinks(t *testing.T) {
	for _, page := range snippetPages {
		text, err := os.ReadFile(page)
		require.NoError(t, err)
		prose := mdCode.ReplaceAllString(string(text), "")
		links := mdLink.FindAllStringSubmatch(prose, -1)
		if page == "README.md" {
			require.NotEmpty(t, links, "README.md links to no page")
		}
		for _, m := range links {
			target, anchor := m[1], strings.TrimPrefix(m[2], "#")
			if target == "" {
				target = page
			} else {
				target = filepath.ToSlash(filepath.Join(filepath.Dir(page), target))
			}
			body, err := os.ReadFile(target)
			if !assert.NoError(t, err, "%s links to %s", page, m[0]) || anchor == "" {
				continue
			}
			var ids []string
			for _, h := range mdHeading.FindAllStringSubmatch(string(body), -1) {
				ids = append(ids, slug(h[1]))
			}
			for _, a := range mdAnchor.FindAllStringSubmatch(string(body), -1) {
				ids = append(ids, a[1])
			}
			assert.Contains(t, ids, anchor, "%s links to %s: no such anchor in %s", page, m[0], target)
		}
	}
}

// TestReadmeCampaignOutput checks that what README.md says the whole
// campaign prints is what the Example it is copied from prints: the
// Example's // Output is verified by go test, the README's copy by this.
func TestReadmeCampaignOutput(t *testing.T) {
	readme, err := os.ReadFile("README.md")
	require.NoError(t, err)
	shown := regexp.MustCompile("(?s)It prints:\n\n```\n(.*?)```").FindSubmatch(readme)
	require.NotNil(t, shown, "README.md: no \"It prints:\" block after the campaign")
	flow, err := os.ReadFile("example_flow_test.go")
	require.NoError(t, err)
	out := regexp.MustCompile(`(?s)\nfunc Example\(\) \{.*?// Output:\n(.*?)\n\}`).FindSubmatch(flow)
	require.NotNil(t, out, "example_flow_test.go: no Example with an // Output")
	var want []string
	for _, line := range strings.Split(string(out[1]), "\n") {
		want = append(want, strings.TrimPrefix(strings.TrimSpace(line), "// "))
	}
	assert.Equal(t, strings.Join(want, "\n"), strings.TrimSpace(string(shown[1])))
}
