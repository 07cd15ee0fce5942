package store

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestTextSurvivesTheJSONBatch: SQLite rows travel as JSON; every value
// must come back as it went, whatever its characters.
func TestTextSurvivesTheJSONBatch(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "t.db"))
	require.NoError(t, err)
	defer db.Close()
	texts := []string{"", `quote " and \ backslash`, "tab\tnew\nline\r\x01\x1f", "双十二促销 🎉", "0123", "null", "1e5", "'; DROP TABLE lists; --"}
	counts, err := db.Unit(ctx, "t", func(tx *Tx) error {
		return tx.Replace(Lists, []any{"acct"}, func(yield func([]any, error) bool) {
			for i, s := range texts {
				if !yield([]any{"acct", int64(i), s, s, int64(-i), "enabled"}, nil) {
					return
				}
			}
		})
	})
	require.NoError(t, err)
	assert.Equal(t, Counts{Added: int64(len(texts))}, counts["lists"])
	rows, err := db.Query(ctx, "SELECT list_id, name, description, count, typeof(name), typeof(count) FROM lists ORDER BY list_id")
	require.NoError(t, err)
	defer rows.Close()
	i := 0
	for rows.Next() {
		var id, count int64
		var name, desc, tn, tc string
		require.NoError(t, rows.Scan(&id, &name, &desc, &count, &tn, &tc))
		assert.Equal(t, texts[i], name)
		assert.Equal(t, texts[i], desc)
		assert.Equal(t, int64(-i), count)
		assert.Equal(t, "text", tn)
		assert.Equal(t, "integer", tc)
		i++
	}
	require.NoError(t, rows.Err())
	assert.Equal(t, len(texts), i)
}

func TestAppendJSONRow(t *testing.T) {
	b, err := appendJSONRow(nil, []any{nil, "a\"b", int64(-3), 2.0, 16.67, "\xff"})
	require.NoError(t, err)
	assert.Equal(t, `[null,"a\"b",-3,2.0,16.67,"`+"\ufffd"+`"]`, string(b))
	_, err = appendJSONRow(nil, []any{3})
	assert.Error(t, err, "an int, not an int64")
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
