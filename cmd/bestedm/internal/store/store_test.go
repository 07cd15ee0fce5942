package store

import (
	"context"
	"math"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestStorable(t *testing.T) {
	for _, tc := range []struct{ in, want any }{
		{nil, nil}, {int64(-3), int64(-3)}, {2.5, 2.5}, {"双十二", "双十二"},
		{"a\x00b", "a\ufffdb"}, {"bad\xff\xfeutf8", "bad\ufffd\ufffdutf8"},
	} {
		got, err := storable(tc.in)
		require.NoError(t, err)
		assert.Equal(t, tc.want, got)
	}
	for _, bad := range []any{3, math.NaN(), math.Inf(-1), []byte("x")} {
		_, err := storable(bad)
		assert.Error(t, err, "%#v", bad)
	}
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
