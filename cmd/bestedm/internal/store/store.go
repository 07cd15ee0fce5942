// Package store is the database `bestedm sync` writes and `bestedm report
// --db` reads: one schema, kept by versioned migrations embedded in the
// binary (pressly/goose), on an embedded SQLite file (modernc.org/sqlite,
// no cgo) or on PostgreSQL (pgx, COPY for bulk rows).
//
// Writes happen in units: one transaction that replaces whole sets of rows
// (a task's opens, a day's failures) and the sync state that says they are
// done, so a process killed at any point leaves either the unit or nothing.
// On PostgreSQL a unit first takes a transaction-scoped advisory lock named
// after what it replaces, so two syncs of one account at once take turns
// per unit instead of racing on the same keys.
package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"iter"
	"math"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/pressly/goose/v3"
	"github.com/pressly/goose/v3/lock"
	_ "modernc.org/sqlite" // the "sqlite" database/sql driver, pure Go
)

//go:embed migrations/*.sql
var migrations embed.FS

// DefaultPath is the SQLite file used when no database is named.
const DefaultPath = "bestedm.db"

// Dialect is the kind of database behind a DB.
type Dialect string

// The two databases a DB can be.
const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is an open, migrated database.
type DB struct {
	dialect Dialect
	sql     *sql.DB
	pool    *pgxpool.Pool // PostgreSQL only
}

// Open opens the database named by dsn and brings its schema up to date.
// dsn is a postgres:// or postgresql:// URL, or a SQLite file: a path,
// "sqlite:PATH" or "file:PATH"; "" is DefaultPath in the working directory.
func Open(ctx context.Context, dsn string) (*DB, error) {
	d, err := open(ctx, dsn)
	if err != nil {
		return nil, err
	}
	if err := d.migrate(ctx); err != nil {
		d.Close()
		return nil, err
	}
	return d, nil
}

func open(ctx context.Context, dsn string) (*DB, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		pool, err := pgxpool.New(ctx, dsn)
		if err != nil {
			return nil, fmt.Errorf("postgres: %w", err)
		}
		if err := pool.Ping(ctx); err != nil {
			pool.Close()
			return nil, fmt.Errorf("postgres: %w", err)
		}
		return &DB{dialect: Postgres, pool: pool, sql: stdlib.OpenDBFromPool(pool)}, nil
	}
	path, _ := FilePath(dsn)
	// WAL lets readers read while a sync writes; a write transaction takes
	// the lock when it begins (immediate), so two writers wait their turn
	// instead of failing on a lock upgrade; synchronous=NORMAL is durable
	// against a killed process, which is what a kill -9 is.
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(30000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(NORMAL)")
	q.Add("_pragma", "cache_size(-32768)")
	q.Add("_txlock", "immediate")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	// One connection: temporary staging tables belong to a connection,
	// and SQLite writes one transaction at a time anyway.
	db.SetMaxOpenConns(1)
	// Turning a new file to WAL takes an exclusive lock that SQLite does
	// not wait for: two first syncs at once see SQLITE_BUSY here.
	for try := 0; ; try++ {
		err = db.PingContext(ctx)
		if err == nil || try == 20 || !strings.Contains(err.Error(), "SQLITE_BUSY") {
			break
		}
		time.Sleep(time.Duration(10*(try+1)) * time.Millisecond)
	}
	if err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite %s: %w", path, err)
	}
	return &DB{dialect: SQLite, sql: db}, nil
}

func (d *DB) migrate(ctx context.Context) error {
	fsys, err := fs.Sub(migrations, "migrations")
	if err != nil {
		return err
	}
	dialect := goose.DialectSQLite3
	var opts []goose.ProviderOption
	if d.dialect == Postgres {
		dialect = goose.DialectPostgres
		// Two first syncs at once must not both create the tables.
		locker, err := lock.NewPostgresSessionLocker()
		if err != nil {
			return err
		}
		opts = append(opts, goose.WithSessionLocker(locker))
	}
	// SQLite has no lock for goose to take: two first syncs at once both
	// find no schema and one fails creating what the other just created.
	// Each migration is one transaction (SQLite's DDL is transactional),
	// so the loser has left nothing behind, and running it again finds the
	// schema in place.
	for try := 0; try < 10; try++ {
		var p *goose.Provider
		if p, err = goose.NewProvider(dialect, d.sql, fsys, opts...); err != nil {
			return fmt.Errorf("migrations: %w", err)
		}
		if _, err = p.Up(ctx); err == nil || d.dialect == Postgres {
			break
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(time.Duration(50*(try+1)) * time.Millisecond):
		}
	}
	if err != nil {
		return fmt.Errorf("migrations: %w", err)
	}
	return nil
}

// Dialect says which database d is.
func (d *DB) Dialect() Dialect { return d.dialect }

// Close closes the database.
func (d *DB) Close() error {
	err := d.sql.Close()
	if d.pool != nil {
		d.pool.Close()
	}
	return err
}

// Query runs a read-only query written with ? placeholders, on either
// database.
func (d *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	return d.sql.QueryContext(ctx, d.rebind(query), args...)
}

// QueryRow is Query for one row.
func (d *DB) QueryRow(ctx context.Context, query string, args ...any) *sql.Row {
	return d.sql.QueryRowContext(ctx, d.rebind(query), args...)
}

// rebind turns ? placeholders into PostgreSQL's $1, $2, … (the queries
// here have no ? inside strings).
func (d *DB) rebind(q string) string {
	if d.dialect != Postgres || !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	n := 0
	for _, r := range q {
		if r == '?' {
			n++
			b.WriteString("$" + strconv.Itoa(n))
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

// Counts is what a unit did to one table.
type Counts struct{ Added, Updated, Deleted int64 }

// Tx is one unit of work in progress; see Unit.
type Tx struct {
	d      *DB
	ctx    context.Context
	sqlTx  *sql.Tx // SQLite
	pgTx   pgx.Tx  // PostgreSQL
	counts map[string]Counts
}

// Unit runs fn in one transaction and returns what it did per table.
// lock names what the unit replaces (e.g. "acct/task/42"): on PostgreSQL
// units with the same name run one at a time across processes. If fn
// fails, nothing of the unit is kept.
func (d *DB) Unit(ctx context.Context, lock string, fn func(*Tx) error) (map[string]Counts, error) {
	tx := &Tx{d: d, ctx: ctx, counts: map[string]Counts{}}
	var err error
	if d.dialect == Postgres {
		if tx.pgTx, err = d.pool.Begin(ctx); err != nil {
			return nil, err
		}
		defer tx.pgTx.Rollback(context.WithoutCancel(ctx))
		if _, err := tx.pgTx.Exec(ctx, "SELECT pg_advisory_xact_lock(hashtextextended($1, 0))", "bestedm/"+lock); err != nil {
			return nil, err
		}
	} else {
		if tx.sqlTx, err = d.sql.BeginTx(ctx, nil); err != nil {
			return nil, err
		}
		defer tx.sqlTx.Rollback()
	}
	if err := fn(tx); err != nil {
		return nil, err
	}
	if d.dialect == Postgres {
		err = tx.pgTx.Commit(ctx)
	} else {
		err = tx.sqlTx.Commit()
	}
	if err != nil {
		return nil, err
	}
	return tx.counts, nil
}

// Exec runs a statement written with ? placeholders in the unit and
// returns the number of rows it changed.
func (tx *Tx) Exec(query string, args ...any) (int64, error) {
	query = tx.d.rebind(query)
	if tx.pgTx != nil {
		tag, err := tx.pgTx.Exec(tx.ctx, query, args...)
		return tag.RowsAffected(), err
	}
	r, err := tx.sqlTx.ExecContext(tx.ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return r.RowsAffected()
}

// QueryRow reads one row inside the unit.
func (tx *Tx) QueryRow(query string, args ...any) interface{ Scan(...any) error } {
	query = tx.d.rebind(query)
	if tx.pgTx != nil {
		return tx.pgTx.QueryRow(tx.ctx, query, args...)
	}
	return tx.sqlTx.QueryRowContext(tx.ctx, query, args...)
}

// Replace makes the rows of t whose first t.Scope columns equal scope
// exactly rows: rows with new keys are added, rows whose values differ are
// updated, and (unless t.Keep) rows of the scope that rows no longer has
// are deleted. Each row gives t.Cols in order; rows is read once, as it
// streams, and never held whole. rows may run on another goroutine than
// the caller's (while the database writes what it gave before), and must
// not use the unit's Tx; Replace returns only once it has stopped. rows
// may be read twice, each time from its source (a first load into
// PostgreSQL that meets a key given twice starts again through the
// staging table).
func (tx *Tx) Replace(t *Table, scope []any, rows iter.Seq2[[]any, error]) error {
	if len(scope) != t.Scope {
		return fmt.Errorf("store: %s: scope of %d values, want %d", t.Name, len(scope), t.Scope)
	}
	var exists int
	err := tx.QueryRow("SELECT COUNT(*) FROM (SELECT 1 FROM "+t.Name+" WHERE "+eqList(t.Cols[:t.Scope], "")+" LIMIT 1) x", scope...).Scan(&exists)
	if err != nil {
		return fmt.Errorf("store: %s: %w", t.Name, err)
	}
	if exists == 0 && tx.pgTx != nil {
		// Nothing to compare with (a first sync): the rows are copied
		// straight into the table, unless the source gives a key twice,
		// which COPY refuses: then they are read again, into the staging
		// table, and merged, the first of equal keys kept, as on SQLite.
		if _, err := tx.Exec("SAVEPOINT bestedm_copy"); err != nil {
			return fmt.Errorf("store: %s: %w", t.Name, err)
		}
		n, err := tx.copyFrom(t, t.Name, rows)
		if err == nil {
			tx.add(t.Name, Counts{Added: n})
			return nil
		}
		if !isUniqueViolation(err) {
			return fmt.Errorf("store: %s: %w", t.Name, err)
		}
		if _, err := tx.Exec("ROLLBACK TO SAVEPOINT bestedm_copy"); err != nil {
			return fmt.Errorf("store: %s: %w", t.Name, err)
		}
	}
	stage := "stage_" + t.Name
	if err := tx.createStage(t, stage); err != nil {
		return fmt.Errorf("store: %s: %w", t.Name, err)
	}
	if tx.pgTx != nil {
		_, err = tx.copyFrom(t, stage, rows)
	} else {
		err = tx.stageSQLite(t, stage, rows)
	}
	if err != nil {
		return fmt.Errorf("store: %s: %w", t.Name, err)
	}
	cols := strings.Join(t.Cols, ", ")
	keys := strings.Join(t.Cols[:t.Key], ", ")
	if exists == 0 && tx.pgTx == nil {
		// A first sync on SQLite: the rows wait in the staging table,
		// which has no index, and go into the table in one statement in
		// key order (of equal keys, the first given is kept). SQLite's
		// B-trees take keys in order for about a third of what keys in the
		// API's order cost them.
		n, err := tx.Exec("INSERT INTO " + t.Name + " (" + cols + ") SELECT " + cols + " FROM " + stage +
			" WHERE true ORDER BY " + keys + ", rowid ON CONFLICT (" + keys + ") DO NOTHING")
		if err != nil {
			return fmt.Errorf("store: %s: %w", t.Name, err)
		}
		tx.add(t.Name, Counts{Added: n})
		return tx.dropStage(stage)
	}
	rowID := "ctid"
	if tx.pgTx != nil {
		// A temporary table is never analyzed on its own: without its
		// size, the planner may join it row by row.
		if _, err := tx.Exec("ANALYZE " + stage); err != nil {
			return fmt.Errorf("store: %s: %w", t.Name, err)
		}
	} else {
		rowID = "rowid"
		// SQLite makes no index of its own for a correlated subquery:
		// without this one, each statement below reads the whole staging
		// table once per row (20,000 opens: a minute).
		if _, err := tx.Exec("CREATE INDEX temp." + stage + "_key ON " + stage + " (" + keys + ")"); err != nil {
			return fmt.Errorf("store: %s: %w", t.Name, err)
		}
	}
	// A key given twice would make the UPDATE below take either row: of
	// equal keys, only the first given (the lowest physical row) stays.
	if _, err := tx.Exec("DELETE FROM " + stage + " WHERE EXISTS (SELECT 1 FROM " + stage + " b WHERE " +
		joinOn(t.Cols[:t.Key], "b", stage) + " AND b." + rowID + " < " + stage + "." + rowID + ")"); err != nil {
		return fmt.Errorf("store: %s: %w", t.Name, err)
	}
	var c Counts
	if !t.Keep {
		q := "DELETE FROM " + t.Name + " WHERE " + eqList(t.Cols[:t.Scope], t.Name+".") +
			" AND NOT EXISTS (SELECT 1 FROM " + stage + " s WHERE " + joinOn(t.Cols[:t.Key], "s", t.Name) + ")"
		if c.Deleted, err = tx.Exec(q, scope...); err != nil {
			return fmt.Errorf("store: %s: %w", t.Name, err)
		}
	}
	if len(t.Cols) > t.Key {
		vals := t.Cols[t.Key:]
		set := make([]string, len(vals))
		diff := make([]string, len(vals))
		for i, c := range vals {
			set[i] = c + " = s." + c
			diff[i] = t.Name + "." + c + " IS DISTINCT FROM s." + c
		}
		q := "UPDATE " + t.Name + " SET " + strings.Join(set, ", ") + " FROM " + stage + " s WHERE " +
			joinOn(t.Cols[:t.Key], "s", t.Name) + " AND (" + strings.Join(diff, " OR ") + ")"
		if c.Updated, err = tx.Exec(q); err != nil {
			return fmt.Errorf("store: %s: %w", t.Name, err)
		}
	}
	q := "INSERT INTO " + t.Name + " (" + cols + ") SELECT " + cols + " FROM " + stage + " s WHERE NOT EXISTS (SELECT 1 FROM " +
		t.Name + " WHERE " + joinOn(t.Cols[:t.Key], "s", t.Name) + ")"
	if tx.pgTx == nil {
		q += " ORDER BY " + keys + ", s.rowid" // in key order; of equal keys, the first given
	}
	q += " ON CONFLICT (" + keys + ") DO NOTHING"
	if c.Added, err = tx.Exec(q); err != nil {
		return fmt.Errorf("store: %s: %w", t.Name, err)
	}
	tx.add(t.Name, c)
	return tx.dropStage(stage)
}

func (tx *Tx) add(table string, c Counts) {
	old := tx.counts[table]
	tx.counts[table] = Counts{old.Added + c.Added, old.Updated + c.Updated, old.Deleted + c.Deleted}
}

// createStage makes an empty temporary table shaped like t.
func (tx *Tx) createStage(t *Table, stage string) error {
	if tx.pgTx != nil {
		_, err := tx.Exec("CREATE TEMP TABLE " + stage + " (LIKE " + t.Name + " INCLUDING DEFAULTS) ON COMMIT DROP")
		return err
	}
	// Empty if it exists: the unit before emptied it (dropStage) before
	// committing, or its rollback did.
	_, err := tx.Exec("CREATE TEMP TABLE IF NOT EXISTS " + stage + " AS SELECT * FROM main." + t.Name + " WHERE 0")
	return err
}

// dropStage empties a SQLite staging table once merged: it stays for the
// connection's next unit, but not its rows (PostgreSQL's goes at commit).
func (tx *Tx) dropStage(stage string) error {
	if tx.pgTx != nil {
		return nil
	}
	if _, err := tx.Exec("DROP INDEX IF EXISTS temp." + stage + "_key"); err != nil {
		return err
	}
	_, err := tx.Exec("DELETE FROM temp." + stage)
	return err
}

// sqliteBatch is how many rows the reading goroutine of stageSQLite hands
// over at a time.
const sqliteBatch = 256

// stageSQLite writes rows into the staging table stage (t's columns) with
// one prepared INSERT, run again for each row: the driver keeps the
// statement compiled, so a row costs its binding and its step. The rows
// are read (a reply decoded) on a goroutine of their own while the batch
// before is inserted, as PostgreSQL inserts in its own process while this
// one decodes: on two cores the two overlap.
func (tx *Tx) stageSQLite(t *Table, stage string, rows iter.Seq2[[]any, error]) error {
	w := len(t.Cols)
	st, err := tx.sqlTx.PrepareContext(tx.ctx, "INSERT INTO temp."+stage+" ("+strings.Join(t.Cols, ", ")+") VALUES (?"+strings.Repeat(", ?", w-1)+")")
	if err != nil {
		return err
	}
	defer st.Close()
	ctx, cancel := context.WithCancel(tx.ctx)
	defer cancel()
	// Three batches go round: one filling, one waiting, one inserted.
	full, empty := make(chan []any, 1), make(chan []any, 3)
	for range 3 {
		empty <- make([]any, 0, sqliteBatch*w)
	}
	var readErr error
	go func() {
		defer close(full)
		readErr = batchRows(ctx, w, rows, empty, full)
	}()
	// A context the driver can interrupt a statement with costs a
	// goroutine a statement: the rows are inserted without one, and the
	// unit's context is looked at between batches.
	quiet := context.WithoutCancel(tx.ctx)
	for b := range full {
		if err == nil {
			err = tx.ctx.Err()
		}
		for i := 0; err == nil && i < len(b); i += w {
			_, err = st.ExecContext(quiet, b[i:i+w]...)
		}
		if err != nil {
			cancel() // the reader stops at its next row
		}
		clear(b)
		empty <- b[:0]
	}
	if err != nil {
		return err
	}
	return readErr
}

// batchRows reads rows of width values, checks them (storable) and sends
// them to full, sqliteBatch rows a batch, in batches taken from empty. It
// stops early when ctx ends: the batches are no longer inserted.
func batchRows(ctx context.Context, width int, rows iter.Seq2[[]any, error], empty <-chan []any, full chan<- []any) error {
	var b []any
	for row, err := range rows {
		if err != nil {
			return err
		}
		if len(row) != width {
			return fmt.Errorf("row of %d values, want %d", len(row), width)
		}
		if b == nil {
			select {
			case b = <-empty:
			case <-ctx.Done():
				return ctx.Err()
			}
		}
		for _, v := range row {
			if v, err = storable(v); err != nil {
				return err
			}
			b = append(b, v)
		}
		if len(b) == cap(b) {
			select {
			case full <- b:
			case <-ctx.Done():
				return ctx.Err()
			}
			b = nil
		}
	}
	if len(b) > 0 {
		select {
		case full <- b:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return nil
}

// storable checks that v is of a type rows are made of (string, int64,
// float64, nil) and returns it as the database stores it: a float that is
// a number, text without NUL and in valid UTF-8. Neither can PostgreSQL's
// text hold; both become U+FFFD, so a row reads back the same from either
// database.
func storable(v any) (any, error) {
	switch x := v.(type) {
	case nil, int64:
		return v, nil
	case string:
		if utf8.ValidString(x) && strings.IndexByte(x, 0) < 0 {
			return v, nil
		}
		return string(appendCleanText(make([]byte, 0, len(x)+8), x)), nil
	case float64:
		if math.IsNaN(x) || math.IsInf(x, 0) {
			return nil, fmt.Errorf("value %v: not stored", x)
		}
		return v, nil
	default:
		return nil, fmt.Errorf("value of type %T", v)
	}
}

// isUniqueViolation says whether err is PostgreSQL's unique_violation.
func isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// copyFrom streams rows into table with COPY in its text format, encoded
// here as the rows are pulled: pgx's own CopyFrom looks up an encoding plan
// for every value, about a second of CPU a million rows of opens.
func (tx *Tx) copyFrom(t *Table, table string, rows iter.Seq2[[]any, error]) (int64, error) {
	next, stop := iter.Pull2(rows)
	defer stop()
	r := &copyReader{next: next, width: len(t.Cols)}
	q := "COPY " + pgx.Identifier{table}.Sanitize() + " (" + strings.Join(t.Cols, ", ") + ") FROM STDIN"
	tag, err := tx.pgTx.Conn().PgConn().CopyFrom(tx.ctx, r, q)
	if r.err != nil { // the rows' own error, not the COPY's failure it caused
		return 0, r.err
	}
	if err != nil {
		return 0, err
	}
	return tag.RowsAffected(), nil
}

// copyChunk is how much encoded COPY text copyReader makes at a time.
const copyChunk = 64 << 10

// copyReader is the text of COPY … FROM STDIN, made from a pulled
// iterator of rows a chunk at a time.
type copyReader struct {
	next  func() ([]any, error, bool)
	width int
	buf   []byte
	off   int
	done  bool
	err   error
}

func (r *copyReader) Read(p []byte) (int, error) {
	for r.off == len(r.buf) {
		if r.err != nil {
			return 0, r.err
		}
		if r.done {
			return 0, io.EOF
		}
		r.buf, r.off = r.buf[:0], 0
		for len(r.buf) < copyChunk {
			row, err, ok := r.next()
			if !ok {
				r.done = true
				break
			}
			if err == nil && len(row) != r.width {
				err = fmt.Errorf("row of %d values, want %d", len(row), r.width)
			}
			if err == nil {
				r.buf, err = appendCopyRow(r.buf, row)
			}
			if err != nil {
				r.err, r.buf = err, r.buf[:0]
				return 0, err
			}
		}
	}
	n := copy(p, r.buf[r.off:])
	r.off += n
	return n, nil
}

// appendCopyRow appends row as one line of COPY's text format: values
// separated by tabs, \N for NULL.
func appendCopyRow(b []byte, row []any) ([]byte, error) {
	for i, v := range row {
		if i > 0 {
			b = append(b, '\t')
		}
		v, err := storable(v) // the same values as SQLite stores
		if err != nil {
			return b, err
		}
		switch v := v.(type) {
		case nil:
			b = append(b, `\N`...)
		case string:
			b = appendCopyText(b, v)
		case int64:
			b = strconv.AppendInt(b, v, 10)
		case float64:
			b = strconv.AppendFloat(b, v, 'g', -1, 64)
		}
	}
	return append(b, '\n'), nil
}

// appendCleanText appends s with each NUL and each byte that is not part
// of valid UTF-8 replaced by U+FFFD.
func appendCleanText(b []byte, s string) []byte {
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == 0 || r == utf8.RuneError && size == 1 {
			b = append(b, "\ufffd"...)
		} else {
			b = append(b, s[i:i+size]...)
		}
		i += size
	}
	return b
}

// appendCopyText appends s (storable text) escaped for COPY's text format.
func appendCopyText(b []byte, s string) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; c {
		case '\\':
			b = append(b, '\\', '\\')
		case '\t':
			b = append(b, '\\', 't')
		case '\n':
			b = append(b, '\\', 'n')
		case '\r':
			b = append(b, '\\', 'r')
		default:
			b = append(b, c)
		}
	}
	return b
}

// eqList is "a = ? AND b = ?" for cols, each prefixed.
func eqList(cols []string, prefix string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = prefix + c + " = ?"
	}
	return strings.Join(parts, " AND ")
}

// joinOn is "s.a = t.a AND s.b = t.b".
func joinOn(cols []string, a, b string) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = a + "." + c + " = " + b + "." + c
	}
	return strings.Join(parts, " AND ")
}

// FilePath is the SQLite file a database URL names (sqlite:, file: or a
// plain path; "" is DefaultPath), and false for a PostgreSQL URL: the file
// a command must never overwrite with its output.
func FilePath(dsn string) (string, bool) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		return "", false
	}
	path := dsn
	for _, p := range []string{"sqlite://", "sqlite:", "file:"} {
		path = strings.TrimPrefix(path, p)
	}
	if path == "" {
		path = DefaultPath
	}
	if i := strings.IndexByte(path, '?'); i >= 0 {
		path = path[:i]
	}
	return path, true
}
