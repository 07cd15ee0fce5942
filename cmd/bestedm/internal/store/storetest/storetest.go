// Package storetest helps tests of the store: a throw-away PostgreSQL
// cluster, and a dump of a database's synced rows to compare two databases.
package storetest

import (
	"context"
	"fmt"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bestedm/bestedm-go/cmd/bestedm/internal/store"
)

// Cluster is a PostgreSQL server started for a test, stopped when the test
// ends.
type Cluster struct {
	data string
	port int
	n    atomic.Int64
	run  func(name string, args ...string) *exec.Cmd
}

// pgBin finds the directory of initdb and pg_ctl: on PATH, or Debian's
// /usr/lib/postgresql/<version>/bin, newest first.
func pgBin() string {
	if p, err := exec.LookPath("initdb"); err == nil {
		if real, err := filepath.EvalSymlinks(p); err == nil {
			return filepath.Dir(real)
		}
	}
	dirs, _ := filepath.Glob("/usr/lib/postgresql/*/bin")
	sort.Slice(dirs, func(i, j int) bool {
		vi, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[i])))
		vj, _ := strconv.Atoi(filepath.Base(filepath.Dir(dirs[j])))
		return vi > vj
	})
	for _, d := range dirs {
		if _, err := os.Stat(filepath.Join(d, "initdb")); err == nil {
			return d
		}
	}
	return ""
}

// StartPostgres starts a cluster in a new temporary directory on a free
// 127.0.0.1 port, or skips the test, saying why, when none can be started
// (no PostgreSQL installed; running as root without a postgres user to run
// it as, since the server refuses to run as root). BESTEDM_TEST_POSTGRES,
// when set, is used as the URL of an existing server instead.
func StartPostgres(tb testing.TB) *Cluster {
	tb.Helper()
	bin := pgBin()
	if bin == "" {
		tb.Skip("PostgreSQL cases skipped: no initdb on PATH or under /usr/lib/postgresql (apt-get install postgresql; .ci/deps does)")
	}
	c := &Cluster{}
	dir, err := os.MkdirTemp("", "bestedm-pg-")
	if err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { os.RemoveAll(dir) })
	c.run = func(name string, args ...string) *exec.Cmd {
		return exec.Command(filepath.Join(bin, name), args...)
	}
	if os.Geteuid() == 0 {
		// postgres refuses to run as root: run it as the postgres user
		// the Debian package creates, in a directory that user owns.
		u, err := user.Lookup("postgres")
		runuser, lerr := exec.LookPath("runuser")
		if err != nil || lerr != nil {
			tb.Skip("PostgreSQL cases skipped: running as root, and no postgres user or runuser to start the server as")
		}
		uid, _ := strconv.Atoi(u.Uid)
		gid, _ := strconv.Atoi(u.Gid)
		if err := os.Chown(dir, uid, gid); err != nil {
			tb.Fatal(err)
		}
		c.run = func(name string, args ...string) *exec.Cmd {
			return exec.Command(runuser, append([]string{"-u", "postgres", "--", filepath.Join(bin, name)}, args...)...)
		}
	}
	data := filepath.Join(dir, "data")
	c.data = data
	if out, err := c.run("initdb", "-D", data, "-U", "postgres", "-A", "trust", "-E", "UTF8", "--locale=C", "--no-sync").CombinedOutput(); err != nil {
		tb.Fatalf("initdb: %v\n%s", err, out)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		tb.Fatal(err)
	}
	c.port = l.Addr().(*net.TCPAddr).Port
	l.Close()
	opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=50", c.port, dir)
	if out, err := c.run("pg_ctl", "-D", data, "-o", opts, "-l", filepath.Join(dir, "log"), "-w", "start").CombinedOutput(); err != nil {
		log, _ := os.ReadFile(filepath.Join(dir, "log"))
		tb.Fatalf("pg_ctl start: %v\n%s\n%s", err, out, log)
	}
	tb.Cleanup(func() {
		if out, err := c.run("pg_ctl", "-D", data, "-m", "immediate", "-w", "stop").CombinedOutput(); err != nil {
			tb.Errorf("pg_ctl stop: %v\n%s", err, out)
		}
	})
	return c
}

// NewDatabase creates an empty database in the cluster and returns its URL.
func (c *Cluster) NewDatabase(tb testing.TB) string {
	tb.Helper()
	name := "t" + strconv.FormatInt(c.n.Add(1), 10)
	ctx := context.Background()
	conn, err := pgx.Connect(ctx, c.URL("postgres"))
	if err != nil {
		tb.Fatalf("create database: %v", err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		tb.Fatalf("create database: %v", err)
	}
	return c.URL(name)
}

// URL is the URL of database name in the cluster.
func (c *Cluster) URL(name string) string {
	return fmt.Sprintf("postgres://postgres@127.0.0.1:%d/%s?sslmode=disable", c.port, name)
}

// stateCols are the columns of the state tables a dump shows: not the
// times a sync ran, which differ between runs that leave the same data.
var stateCols = map[string][]string{
	"sync_state": {"account", "kind", "last_day"},
	"task_sync":  {"account", "task_id", "final"},
}

// Dump returns every synced row of db, table by table in key order, one
// line per row, values as text: equal dumps are equal databases, whichever
// the engine.
func Dump(ctx context.Context, tb testing.TB, db *store.DB) string {
	tb.Helper()
	var b strings.Builder
	tables := map[string][]string{}
	var names []string
	for _, t := range store.AllTables {
		tables[t.Name] = t.Cols
		names = append(names, t.Name)
	}
	for _, n := range []string{"sync_state", "task_sync"} {
		tables[n] = stateCols[n]
		names = append(names, n)
	}
	for _, name := range names {
		cols := tables[name]
		rows, err := db.Query(ctx, "SELECT "+strings.Join(cols, ", ")+" FROM "+name+" ORDER BY "+strings.Join(cols, ", "))
		if err != nil {
			tb.Fatalf("dump %s: %v", name, err)
		}
		vals := make([]any, len(cols))
		ptrs := make([]any, len(cols))
		for i := range vals {
			ptrs[i] = &vals[i]
		}
		for rows.Next() {
			if err := rows.Scan(ptrs...); err != nil {
				tb.Fatalf("dump %s: %v", name, err)
			}
			b.WriteString(name)
			for _, v := range vals {
				b.WriteByte('|')
				switch v := v.(type) {
				case nil:
					b.WriteString("NULL")
				case []byte:
					b.Write(v)
				case float64:
					b.WriteString(strconv.FormatFloat(v, 'f', -1, 64))
				default:
					fmt.Fprint(&b, v)
				}
			}
			b.WriteByte('\n')
		}
		if err := rows.Err(); err != nil {
			tb.Fatalf("dump %s: %v", name, err)
		}
		rows.Close()
	}
	return b.String()
}

// CPU returns the CPU time the cluster's processes have used so far: the
// postmaster's own, that of the backends it has reaped (the sessions that
// ended) and that of the processes still running. Linux only (from
// /proc); 0 elsewhere.
func (c *Cluster) CPU() time.Duration {
	pidLine, err := os.ReadFile(filepath.Join(c.data, "postmaster.pid"))
	if err != nil {
		return 0
	}
	pid, _ := strconv.Atoi(strings.TrimSpace(strings.SplitN(string(pidLine), "\n", 2)[0]))
	const tick = 10 * time.Millisecond // USER_HZ is 100 on Linux
	var total time.Duration
	procs, _ := filepath.Glob("/proc/[0-9]*/stat")
	for _, p := range procs {
		b, err := os.ReadFile(p)
		if err != nil {
			continue
		}
		// Fields after the command in parentheses: state ppid … utime (14)
		// stime (15) cutime (16) cstime (17), counting from pid as 1.
		i := strings.LastIndexByte(string(b), ')')
		if i < 0 {
			continue
		}
		f := strings.Fields(string(b[i+1:]))
		if len(f) < 15 {
			continue
		}
		self, _ := strconv.Atoi(filepath.Base(filepath.Dir(p)))
		ppid, _ := strconv.Atoi(f[1])
		n := func(k int) time.Duration { v, _ := strconv.ParseInt(f[k-3], 10, 64); return time.Duration(v) * tick }
		switch {
		case self == pid:
			total += n(14) + n(15) + n(16) + n(17)
		case ppid == pid:
			total += n(14) + n(15)
		}
	}
	return total
}
