package store

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
)

// openRows yields n rows of opens of one task, emails in no key order.
func openRows(n int) func(yield func([]any, error) bool) {
	return func(yield func([]any, error) bool) {
		row := make([]any, len(Opens.Cols))
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

// BenchmarkLoadOpens loads the opens of one task into a new SQLite file:
// the engine's share of BenchmarkSync (in cmd/bestedm), without the API.
func BenchmarkLoadOpens(b *testing.B) {
	for _, n := range []int{200000} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			for range b.N {
				ctx := context.Background()
				db, err := Open(ctx, filepath.Join(b.TempDir(), "b.db"))
				if err != nil {
					b.Fatal(err)
				}
				_, err = db.Unit(ctx, "x", func(tx *Tx) error {
					return tx.Replace(Opens, []any{"demo-account", int64(42)}, openRows(n))
				})
				if err != nil {
					b.Fatal(err)
				}
				db.Close()
			}
		})
	}
}
