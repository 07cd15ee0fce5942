package main

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bestedm/bestedm-go/bestedmtest"
)

// TestAPISafeDefault: A call the CLI does not know to be
// a read is a write: sent once, never replayed after it may have arrived,
// without any flag. --read, or an action the SDK itself sends as a read,
// may be retried.
func TestAPISafeDefault(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)

	add := bestedmtest.Match{Script: "mloperate.php", Action: "maillist-add"}
	s.ClearRequests()
	s.Fail(add, 1, bestedmtest.DropConnection())
	c.fails(exitError, []string{"api", "mloperate.php", "maillist-add", "subject=Once", "status=enabled"})
	assert.Equal(t, 1, countAPI(s, "maillist-add"), "a write is sent once")

	list := bestedmtest.Match{Script: "mloperate.php", Action: "maillist-list"}
	s.ClearRequests()
	s.Fail(list, 1, bestedmtest.DropConnection())
	c.ok("api", "mloperate.php", "maillist-list")
	assert.Equal(t, 2, countAPI(s, "maillist-list"), "a known read is retried")

	s.ClearRequests()
	s.Fail(list, 1, bestedmtest.DropConnection())
	c.ok("api", "mloperate.php", "maillist-list", "--read")
	assert.Equal(t, 2, countAPI(s, "maillist-list"), "--read is retried")

	// --write is kept, hidden, so old scripts run; it changes nothing.
	s.ClearRequests()
	s.Fail(add, 1, bestedmtest.DropConnection())
	c.fails(exitError, []string{"api", "mloperate.php", "maillist-add", "subject=Twice", "status=enabled", "--write"})
	assert.Equal(t, 1, countAPI(s, "maillist-add"))
	assert.NotContains(t, c.ok("api", "--help"), "--write")
	c.fails(exitUsage, []string{"api", "mloperate.php", "maillist-add", "--read", "--write"}, "--read", "--write")
}

func countAPI(s *bestedmtest.Server, action string) int {
	n := 0
	for _, r := range s.Requests() {
		if r.Action == action {
			n++
		}
	}
	return n
}
