package main

import (
	"context"
	"encoding/json"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

type reportJSON struct {
	State      string `json:"state"`
	Final      bool   `json:"final"`
	Sent       int64  `json:"sent"`
	Failed     int64  `json:"failed"`
	NotExist   int64  `json:"failed_not_exist"`
	OverQuota  int64  `json:"failed_over_quota"`
	UserReject int64  `json:"failed_user_reject"`
	Other      int64  `json:"failed_other"`
}

// TestReportBreakdownSums: The failure kinds add up to
// "failed" for every task (send_failed, which holds the others, is not
// added in), and a task still sending says so.
func TestReportBreakdownSums(t *testing.T) {
	s := newFake(t)
	c := newCLI(t, s)
	for tk, err := range s.Client().Task.List(context.Background(), nil) {
		require.NoError(t, err)
		r := c.run("report", strconv.FormatInt(tk.ID, 10), "--format", "json")
		require.Equal(t, 0, r.code, "report %d: %s", tk.ID, r.stderr)
		var rep reportJSON
		require.NoError(t, json.Unmarshal([]byte(r.stdout), &rep))
		assert.Equal(t, rep.Failed, rep.NotExist+rep.OverQuota+rep.UserReject+rep.Other, "task %d: %+v", tk.ID, rep)
		assert.Equal(t, tk.SendStatus.String(), rep.State)
	}
	r := c.run("report", "19445")
	require.Equal(t, 0, r.code, r.stderr)
	assert.Regexp(t, `(?m)^state:\s+sending$`, r.stdout)
	assert.Regexp(t, `(?m)^final:\s+false$`, r.stdout)
	assert.Contains(t, r.stderr, "not final")
	assert.NotContains(t, r.stdout, "send_failed")
}

// TestFakeSpeed: `bestedm fake --speed` runs the fake's clock fast enough
// for a tour to watch a task finish.
func TestFakeSpeed(t *testing.T) {
	f := startFakeCommand(t, "--speed", "7200")
	c := f.c
	var sending string
	for _, tk := range jsonLines[map[string]any](t, c.ok("tasks", "list", "--format", "json")) {
		if tk["status"] == "sending" {
			sending = strconv.FormatFloat(tk["id"].(float64), 'f', -1, 64)
		}
	}
	require.NotEmpty(t, sending, "the fake has a task sending")
	assert.Eventually(t, func() bool {
		var rep reportJSON
		return json.Unmarshal([]byte(c.ok("report", sending, "--format", "json")), &rep) == nil && rep.Final
	}, 20*time.Second, 100*time.Millisecond, "two hours a second: the task finishes")
	f.stop(t)
	c.fails(exitUsage, []string{"fake", "--speed", "0"}, "--speed")
}
