package main

import (
	"github.com/bestedm/bestedm-go"
)

// The CLI prints and reads the SDK's enumerations by the SDK's own String
// names; it keeps only the order in which reports list the failure kinds,
// and the spellings older versions of the CLI accepted.

// failureKinds are the kinds of failed address in the order reports list them.
var failureKinds = []bestedm.FailureType{
	bestedm.FailureNotExist, bestedm.FailureOverQuota, bestedm.FailureUserReject,
	bestedm.FailureTemporary, bestedm.FailureInvalidAddress, bestedm.FailureFormatError,
}

// failureKindValues are the values of failed --kind: "all" and the kinds' names.
func failureKindValues() []string {
	v := []string{bestedm.FailureAll.String()}
	for _, k := range failureKinds {
		v = append(v, k.String())
	}
	return v
}

// failureKindAliases are the names the CLI used before it took the SDK's.
var failureKindAliases = map[string]string{
	"not-exist": bestedm.FailureNotExist.String(), "over-quota": bestedm.FailureOverQuota.String(),
	"user-reject": bestedm.FailureUserReject.String(), "invalid-address": bestedm.FailureInvalidAddress.String(),
	"format-error": bestedm.FailureFormatError.String(),
}

// parseFailureKind reads a value of failed --kind (checked by its enum flag).
func parseFailureKind(s string) bestedm.FailureType {
	for _, k := range failureKinds {
		if k.String() == s {
			return k
		}
	}
	return bestedm.FailureAll
}
