package syncer

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestDocsQueries runs every ```sql block of docs/sync.md on both databases
// after a sync of the fake, and checks each answers rows.
func TestDocsQueries(t *testing.T) {
	doc, err := os.ReadFile(filepath.Join("..", "..", "..", "..", "docs", "sync.md"))
	require.NoError(t, err)
	var queries []string
	for _, part := range strings.Split(string(doc), "```sql\n")[1:] {
		q, _, ok := strings.Cut(part, "```")
		require.True(t, ok)
		queries = append(queries, strings.TrimSuffix(strings.TrimSpace(q), ";"))
	}
	require.GreaterOrEqual(t, len(queries), 3)
	engines(t, func(t *testing.T, newURL func(t *testing.T) string) {
		ctx := context.Background()
		s := newFake(t)
		require.Equal(t, "demo", s.Customer().Username, "the account the queries name")
		db := openDB(t, newURL(t))
		_, err := Run(ctx, s.Client(), db, opts(s))
		require.NoError(t, err)
		for _, q := range queries {
			rows, err := db.Query(ctx, q)
			require.NoError(t, err, q)
			n := 0
			for rows.Next() {
				n++
			}
			require.NoError(t, rows.Err(), q)
			rows.Close()
			assert.Positive(t, n, "no rows: %s", q)
		}
	})
}
