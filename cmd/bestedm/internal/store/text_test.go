package store_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store/storetest"
)

// TestTextSurvivesBothDatabases: rows travel as JSON into SQLite and as
// COPY text into PostgreSQL, both encoded by the store; every value comes
// back as it went on both, except the two no PostgreSQL text can hold
// (NUL, invalid UTF-8), which become U+FFFD on both.
func TestTextSurvivesBothDatabases(t *testing.T) {
	texts := []struct{ in, out string }{
		{"", ""},
		{`quote " and \ backslash \N \. \t`, `quote " and \ backslash \N \. \t`},
		{"tab\tnew\nline\r\x01\x1f\x7f", "tab\tnew\nline\r\x01\x1f\x7f"},
		{"双十二促销 🎉", "双十二促销 🎉"},
		{"0123", "0123"},
		{"null", "null"},
		{"\\.", "\\."},
		{"'; DROP TABLE lists; --", "'; DROP TABLE lists; --"},
		{"nul\x00here", "nul\ufffdhere"},
		{"bad\xff\xfeutf8", "bad\ufffd\ufffdutf8"},
	}
	bothDatabases(t, func(t *testing.T, name string, db *store.DB) {
		ctx := context.Background()
		for round := range 2 { // a first load, then through the staging table
			counts, err := db.Unit(ctx, "t", func(tx *store.Tx) error {
				return tx.Replace(store.Lists, []any{"acct"}, func(yield func([]any, error) bool) {
					for i, s := range texts {
						if !yield([]any{"acct", int64(i), s.in, s.in, int64(-i - round), "enabled"}, nil) {
							return
						}
					}
				})
			})
			require.NoError(t, err)
			if round == 0 {
				assert.Equal(t, store.Counts{Added: int64(len(texts))}, counts["lists"])
			} else {
				assert.Equal(t, store.Counts{Updated: int64(len(texts))}, counts["lists"])
			}
		}
		rows, err := db.Query(ctx, "SELECT list_id, name, description, count FROM lists ORDER BY list_id")
		require.NoError(t, err)
		defer rows.Close()
		i := 0
		for rows.Next() {
			var id, count int64
			var name, desc string
			require.NoError(t, rows.Scan(&id, &name, &desc, &count))
			assert.Equal(t, texts[i].out, name, "row %d", i)
			assert.Equal(t, texts[i].out, desc, "row %d", i)
			assert.Equal(t, int64(-i-1), count)
			i++
		}
		require.NoError(t, rows.Err())
		assert.Equal(t, len(texts), i)
	})
}

// bothDatabases runs f on a new SQLite file and on a new PostgreSQL
// database, each a subtest named after its engine.
func bothDatabases(t *testing.T, f func(t *testing.T, engine string, db *store.DB)) {
	dsns := map[string]func() string{
		"sqlite":   func() string { return filepath.Join(t.TempDir(), "t.db") },
		"postgres": func() string { return storetest.StartPostgres(t).NewDatabase(t) },
	}
	for name, dsn := range dsns {
		t.Run(name, func(t *testing.T) {
			db, err := store.Open(context.Background(), dsn())
			require.NoError(t, err)
			defer db.Close()
			f(t, name, db)
		})
	}
}

// TestRowErrorStopsTheLoad: an error from the rows, on either database,
// is the error the unit returns, and nothing of the unit is kept.
func TestRowErrorStopsTheLoad(t *testing.T) {
	bothDatabases(t, func(t *testing.T, name string, db *store.DB) {
		ctx := context.Background()
		boom := assert.AnError
		_, err := db.Unit(ctx, "t", func(tx *store.Tx) error {
			return tx.Replace(store.Lists, []any{"acct"}, func(yield func([]any, error) bool) {
				for i := range 100000 {
					if i == 70000 {
						yield(nil, boom)
						return
					}
					if !yield([]any{"acct", int64(i), "n", "d", int64(i), "enabled"}, nil) {
						return
					}
				}
			})
		})
		require.ErrorIs(t, err, boom)
		var n int
		require.NoError(t, db.QueryRow(ctx, "SELECT COUNT(*) FROM lists").Scan(&n))
		assert.Zero(t, n)
	})
}

// TestDuplicateKeysKeepTheFirstRow: a reply that gives one key twice
// stores the first of them, on a first load and through the staging
// table, on both databases.
func TestDuplicateKeysKeepTheFirstRow(t *testing.T) {
	bothDatabases(t, func(t *testing.T, name string, db *store.DB) {
		ctx := context.Background()
		for round, want := range []string{"first", "again"} {
			reads := 0
			_, err := db.Unit(ctx, "t", func(tx *store.Tx) error {
				return tx.Replace(store.Lists, []any{"acct"}, func(yield func([]any, error) bool) {
					reads++
					for i := range 3000 { // key i%1000: each key three times, its first in the first thousand
						n := want
						if i >= 1000 {
							n = "later " + want
						}
						if !yield([]any{"acct", int64((i * 7) % 1000), n, "", int64(round), "enabled"}, nil) {
							return
						}
					}
				})
			})
			require.NoError(t, err)
			var n, firsts int
			require.NoError(t, db.QueryRow(ctx, "SELECT COUNT(*), SUM(CASE WHEN name = ? THEN 1 ELSE 0 END) FROM lists", want).Scan(&n, &firsts))
			assert.Equal(t, 1000, n, "round %d", round)
			assert.Equal(t, 1000, firsts, "round %d: the first row of each key", round)
			t.Logf("round %d: rows read %d times", round, reads)
		}
	})
}
