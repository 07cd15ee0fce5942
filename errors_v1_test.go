package bestedm

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
)

// goArgs are the Go names of bad inputs that are lower case like an API
// parameter but are not one.
var goArgs = map[string]bool{"ctx": true, "v": true, "req": true}

// isGoArg tells the tables' two kinds of name apart: an API parameter is
// lower-case snake case as the document spells it ("list_id"); a Go name
// has an upper-case letter, a dot or a space ("WithTimeout",
// "AddressAddOptions.BatchSize", "root, child"), or is in goArgs.
func isGoArg(name string) bool {
	return goArgs[name] || strings.ContainsAny(name, "ABCDEFGHIJKLMNOPQRSTUVWXYZ. ")
}

// assertValidationName asserts that ve names want in the right slot: Field
// for an API parameter, Arg (with Field empty) for a Go argument.
func assertValidationName(t *testing.T, ve *ValidationError, want string) {
	t.Helper()
	if isGoArg(want) {
		assert.Equal(t, want, ve.Arg, "Arg of %v", ve)
		assert.Empty(t, ve.Field, "Field of %v, which is not an API parameter", ve)
		return
	}
	assert.Equal(t, want, ve.Field, "Field of %v", ve)
	assert.Empty(t, ve.Arg, "Arg of %v, which is an API parameter", ve)
}
