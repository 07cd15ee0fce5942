package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/spf13/cobra"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
)

// Each verb is newCmdX(app, runF) and xRun(ctx, opts).
// The flag rules are tested through runF, without a server; the run
// functions against the fake.

// parse runs cmd with args, as the root would (flag errors are usage
// errors); runF has captured the options when it returns nil.
func parse(t *testing.T, cmd *cobra.Command, args ...string) error {
	t.Helper()
	cmd.SetArgs(args)
	cmd.SetOut(&bytes.Buffer{})
	cmd.SetErr(&bytes.Buffer{})
	cmd.SilenceErrors, cmd.SilenceUsage = true, true
	cmd.SetFlagErrorFunc(func(_ *cobra.Command, err error) error { return &usageError{err} })
	return cmd.Execute()
}

// offline is an app with no server: a verb that reached the network would fail.
func offline() *app {
	return &app{env: &env{getenv: func(string) string { return "" }, stdout: &bytes.Buffer{}, stderr: &bytes.Buffer{}}, output: "table"}
}

func TestTasksCreateFlags(t *testing.T) {
	var got *tasksCreateOptions
	capture := func(o *tasksCreateOptions) error { got = o; return nil }
	require.NoError(t, parse(t, newCmdTasksCreate(offline(), capture),
		"--template", "57,58", "--list", "35", "--from", "all", "--hold", "--track", "opens"))
	assert.Equal(t, []int64{57, 58}, got.Params.TemplateIDs)
	assert.Equal(t, []int64{35}, got.Params.MaillistIDs)
	assert.Equal(t, bestedm.TaskHold, got.Params.Status)
	assert.Equal(t, bestedm.TrackOpens, got.Params.TrackStatus)

	require.NoError(t, parse(t, newCmdTasksCreate(offline(), capture), "--template", "1", "--list", "2", "--from", "a@b.c"))
	assert.Equal(t, bestedm.TrackOpensAndClicks, got.Params.TrackStatus, "--track defaults to clicks")

	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--template", "1", "--list", "2", "--from", "a@b.c", "--hold", "--now"}, "--hold and --now exclude each other"},
		{[]string{"--template", "1"}, "--template, --list and --from are required"},
		{[]string{"--template", "1", "--list", "2", "--from", "a@b.c", "--track", "sometimes"}, "none, opens or clicks"},
	} {
		got = nil
		err := parse(t, newCmdTasksCreate(offline(), capture), tc.args...)
		var ue *usageError
		require.ErrorAs(t, err, &ue, "%v", tc.args)
		assert.Contains(t, err.Error(), tc.want)
		assert.Nil(t, got, "runF is not reached")
	}
}

func TestEnumFlags(t *testing.T) {
	var got *failedOptions
	capture := func(o *failedOptions) error { got = o; return nil }
	require.NoError(t, parse(t, newCmdFailed(offline(), capture), "--kind", "not-exist"))
	assert.Equal(t, "not_exist", got.Kind, "the old spelling is read as the SDK's name")
	assert.Equal(t, bestedm.FailureNotExist, parseFailureKind(got.Kind))
	require.NoError(t, parse(t, newCmdFailed(offline(), capture), "--kind", "invalid_addr"))
	assert.Equal(t, bestedm.FailureInvalidAddress, parseFailureKind(got.Kind))
	err := parse(t, newCmdFailed(offline(), capture), "--kind", "sad")
	var ue *usageError
	require.ErrorAs(t, err, &ue)
	assert.Contains(t, err.Error(), "all, not_exist, over_quota, user_reject, temporary, invalid_addr or format_error")

	cmd := newCmdFailed(offline(), capture)
	assert.Contains(t, cmd.Flags().Lookup("kind").Usage, "not_exist", "the help lists the values")
	comp, _ := cmd.GetFlagCompletionFunc("kind")
	require.NotNil(t, comp)
	vals, _ := comp(cmd, nil, "")
	assert.Contains(t, vals, "format_error", "the shell completes the values")

	var edit *listsEditOptions
	err = parse(t, newCmdListsEdit(offline(), func(o *listsEditOptions) error { edit = o; return nil }), "36", "--status", "off")
	require.ErrorAs(t, err, &ue)
	assert.Nil(t, edit)
	err = parse(t, newCmdListsEdit(offline(), func(o *listsEditOptions) error { edit = o; return nil }), "36")
	assert.ErrorContains(t, err, "nothing to change")
	require.NoError(t, parse(t, newCmdListsEdit(offline(), func(o *listsEditOptions) error { edit = o; return nil }), "36", "--status", "disabled"))
	assert.Equal(t, int64(36), edit.ID)
	assert.Equal(t, bestedm.MaillistDisabled, edit.Params.Status)
}

func TestTaskRefArguments(t *testing.T) {
	var got *reportOptions
	capture := func(o *reportOptions) error { got = o; return nil }
	require.NoError(t, parse(t, newCmdReport(offline(), capture), "20261122-272-15D98A"))
	assert.Equal(t, bestedm.TaskByIdent("20261122-272-15D98A"), got.Task)
	require.NoError(t, parse(t, newCmdReport(offline(), capture), "19438", "--top", "2"))
	assert.Equal(t, bestedm.TaskByID(19438), got.Task)
	assert.Equal(t, 2, got.Top)
	for _, bad := range []string{"abc", "0", "-3", "2026-1-x", strings.Repeat("\x07", 100)} {
		err := parse(t, newCmdReport(offline(), capture), "--", bad)
		var ue *usageError
		require.ErrorAs(t, err, &ue, "%q", bad)
		assert.NotContains(t, err.Error(), "\x07", "bad input is escaped")
		assert.Less(t, len(err.Error()), 200, "and cut short")
	}
}

// The run functions, against the fake: no cobra in between.
func TestRunFunctions(t *testing.T) {
	s := newFake(t)
	var out bytes.Buffer
	a := &app{env: &env{getenv: newCLI(t, s).getenv, stdout: &out, stderr: &bytes.Buffer{}}, output: "csv", timeout: 10 * time.Second}
	ctx := context.Background()

	require.NoError(t, listsShowRun(ctx, &listsShowOptions{app: a, ID: 36}))
	assert.Equal(t, "id,name,addresses,status,description\n36,VIP 客户,25,enabled,年消费满 1 万元的会员\n", out.String())

	out.Reset()
	require.NoError(t, listsCreateRun(ctx, &listsCreateOptions{app: a, Name: "Run", Disabled: true}))
	assert.Equal(t, "id,message\n39,添加联系人分类成功\n", out.String())
	l, err := s.Client().Maillist.Get(ctx, 39)
	require.NoError(t, err)
	assert.Equal(t, bestedm.MaillistDisabled, l.Status)

	out.Reset()
	a.output = "table"
	require.NoError(t, tasksHoldRun(ctx, &tasksHoldOptions{app: a, ID: 19446}))
	tk, err := s.Client().Task.Get(ctx, 19446)
	require.NoError(t, err)
	assert.Equal(t, bestedm.SendHeld, tk.SendStatus)

	err = templatesShowRun(ctx, &templatesShowOptions{app: a, ID: 999999})
	assert.ErrorIs(t, err, bestedm.ErrNotFound)
}
