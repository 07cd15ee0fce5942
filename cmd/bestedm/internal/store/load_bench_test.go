package store_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"

	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store"
	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store/storetest"
)

// openRows yields n rows of opens of one task, emails in no key order.
func openRows(n int) func(yield func([]any, error) bool) {
	return func(yield func([]any, error) bool) {
		row := make([]any, len(store.Opens.Cols))
		for i := range n {
			row[0] = "demo-account"
			row[1] = int64(42)
			row[2] = fmt.Sprintf("user%07d@example.com", (i*7919)%n)
			row[3] = int64(i + 1)
			row[4] = "Chrome"
			row[5] = "Windows 10"
			row[6] = "203.0.113.7"
			row[7] = "203.0.113.9"
			row[8] = int64(3)
			row[9] = int64(1)
			row[10] = "2026-11-30 10:00:00"
			row[11] = "2026-12-01 11:00:00"
			row[12] = "2026-11-30 10:01:00"
			row[13] = nil
			if !yield(row, nil) {
				return
			}
		}
	}
}

// BenchmarkReplaceOpens writes the opens of one task (-opens of them)
// into a new database (first), and again into one that has them (again:
// through the staging table and the merge), on both engines: the
// database's share of BenchmarkSync (in cmd/bestedm), without the API.
func BenchmarkReplaceOpens(b *testing.B) {
	const n = 200000
	ctx := context.Background()
	var pg *storetest.Cluster
	engines := map[string]func(b *testing.B) string{
		"sqlite": func(b *testing.B) string { return filepath.Join(b.TempDir(), "b.db") },
		"postgres": func(sub *testing.B) string {
			if pg == nil {
				pg = storetest.StartPostgres(b) // for every sub-benchmark
			}
			return pg.NewDatabase(sub)
		},
	}
	load := func(b *testing.B, db *store.DB, want store.Counts) {
		counts, err := db.Unit(ctx, "x", func(tx *store.Tx) error {
			return tx.Replace(store.Opens, []any{"demo-account", int64(42)}, openRows(n))
		})
		if err != nil {
			b.Fatal(err)
		}
		if counts["opens"] != want {
			b.Fatalf("counts %+v, want %+v", counts["opens"], want)
		}
	}
	for _, engine := range []string{"sqlite", "postgres"} {
		open := func(b *testing.B) *store.DB {
			db, err := store.Open(ctx, engines[engine](b))
			if err != nil {
				b.Fatal(err)
			}
			return db
		}
		b.Run(engine+"/first", func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				db := open(b)
				b.StartTimer()
				load(b, db, store.Counts{Added: n})
				db.Close()
			}
		})
		b.Run(engine+"/again", func(b *testing.B) {
			for range b.N {
				b.StopTimer()
				db := open(b)
				load(b, db, store.Counts{Added: n})
				b.StartTimer()
				load(b, db, store.Counts{})
				db.Close()
			}
		})
	}
}
