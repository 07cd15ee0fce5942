package store

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAppendJSONRow(t *testing.T) {
	b, err := appendJSONRow(nil, []any{nil, "a\"b", int64(-3), 2.0, 16.67, "\xff"})
	require.NoError(t, err)
	assert.Equal(t, `[null,"a\"b",-3,2.0,16.67,"`+"\ufffd"+`"]`, string(b))
	_, err = appendJSONRow(nil, []any{3})
	assert.Error(t, err, "an int, not an int64")
}

func TestAppendCopyRow(t *testing.T) {
	b, err := appendCopyRow(nil, []any{nil, "a\tb\\c\nd\re\x00", int64(-3), 2.0, 16.67, "\xff", "双"})
	require.NoError(t, err)
	assert.Equal(t, `\N	a\tb\\c\nd\re`+"\ufffd"+`	-3	2	16.67	`+"\ufffd"+`	双`+"\n", string(b))
	_, err = appendCopyRow(nil, []any{3})
	assert.Error(t, err, "an int, not an int64")
	_, err = appendCopyRow(nil, []any{math.Inf(1)})
	assert.Error(t, err)
}

// TestConcurrentFirstOpen: syncs started at once on a new SQLite file all
// find the schema made, none fails on a table another just created.
func TestConcurrentFirstOpen(t *testing.T) {
	ctx := context.Background()
	for round := range 5 {
		path := filepath.Join(t.TempDir(), "new.db")
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				db, err := Open(ctx, path)
				if err == nil {
					err = db.Close()
				}
				errs <- err
			}()
		}
		for range 4 {
			require.NoError(t, <-errs, "round %d", round)
		}
	}
}
