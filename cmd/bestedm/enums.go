package main

import (
	"fmt"

	"github.com/bestedm/bestedm-go"
)

// The names the CLI shows for the SDK's enumerations. They are kept here,
// in one place, so they can follow the SDK's own String methods.

func sendStatusName(s bestedm.SendStatus) string {
	switch s {
	case bestedm.SendCancelled:
		return "cancelled"
	case bestedm.SendPaused:
		return "paused"
	case bestedm.SendHeld:
		return "held"
	case bestedm.SendWaiting:
		return "waiting"
	case bestedm.SendInProgress:
		return "sending"
	case bestedm.SendFinished:
		return "finished"
	}
	return fmt.Sprintf("status %d", int(s))
}

func trackStatusName(s bestedm.TrackStatus) string {
	switch s {
	case bestedm.TrackNone:
		return "none"
	case bestedm.TrackOpens:
		return "opens"
	case bestedm.TrackOpensAndClicks:
		return "opens+clicks"
	}
	return fmt.Sprintf("track %d", int(s))
}

// failureKinds are the kinds of failed address with the names the CLI
// accepts and shows, in the order reports list them.
var failureKinds = []struct {
	kind bestedm.FailureType
	name string
}{
	{bestedm.FailureNotExist, "not-exist"},
	{bestedm.FailureOverQuota, "over-quota"},
	{bestedm.FailureUserReject, "user-reject"},
	{bestedm.FailureTemporary, "temporary"},
	{bestedm.FailureInvalidAddress, "invalid-address"},
	{bestedm.FailureFormatError, "format-error"},
}

func failureKindName(k bestedm.FailureType) string {
	for _, f := range failureKinds {
		if f.kind == k {
			return f.name
		}
	}
	if k == bestedm.FailureAll {
		return "all"
	}
	return fmt.Sprintf("kind %d", int(k))
}

func parseFailureKind(s string) (bestedm.FailureType, error) {
	if s == "" || s == "all" {
		return bestedm.FailureAll, nil
	}
	for _, f := range failureKinds {
		if f.name == s {
			return f.kind, nil
		}
	}
	return 0, usagef("--kind must be all, not-exist, over-quota, user-reject, temporary, invalid-address or format-error, not %q", s)
}
