package bestedm

// The conformance matrix: every public entry point of the SDK (each
// service method, Client.Do in its three forms, Records, every iterator
// and export) against every attack the pipeline must hold under. A
// guarantee lives in the one path every request takes (build -> send ->
// read), so a new entry point inherits it; TestConformanceCoversEveryEntryPoint
// reads the source and fails when an entry point is missing here, so the
// next one added is attacked by construction.

import (
	"context"
	"encoding/base64"
	"errors"
	"go/ast"
	"go/parser"
	"go/token"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// entryKind says how an entry point reads its reply.
type entryKind int

const (
	entryRead   entryKind = iota // a reply decoded whole
	entryWrite                   // a call that changes state: sent once
	entryStream                  // records yielded one at a time
	entryPaged                   // an iterator over pages, each decoded whole
	entryExport                  // a text export read line by line
	entryCopy                    // Do into an io.Writer: the body as sent
)

// entryPoint is one row of the matrix.
type entryPoint struct {
	name        string // Section.Method, or Client.Do/form
	kind        entryKind
	root, child string // the reply's root and record elements
	call        func(ctx context.Context, c *Client) error
}

// drainSeq ranges over seq to its end and returns the first error.
func drainSeq[T any](seq func(func(T, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

// drainExport opens an export and reads every row.
func drainExport[T any](e *Export[T], err error) error {
	if err != nil {
		return err
	}
	defer e.Close()
	return drainSeq(e.Rows())
}

func conformanceEntries() []entryPoint {
	day := time.Date(2024, 5, 20, 0, 0, 0, 0, time.UTC)
	one := func(_ any, err error) error { return err }
	type anyRec struct {
		ID string `xml:"id"`
	}
	entries := []entryPoint{
		{"Account.CustomerInfo", entryRead, "customer", "email", func(ctx context.Context, c *Client) error { return one(c.Account.CustomerInfo(ctx)) }},
		{"Account.ServiceInfo", entryRead, "service", "email", func(ctx context.Context, c *Client) error { return one(c.Account.ServiceInfo(ctx)) }},
		{"Domain.List", entryRead, "domain_list", "data", func(ctx context.Context, c *Client) error { return one(c.Domain.List(ctx)) }},
		{"Domain.MailboxesPage", entryRead, "mailbox_list", "data", func(ctx context.Context, c *Client) error { return one(c.Domain.MailboxesPage(ctx, nil)) }},
		{"Domain.Mailboxes", entryPaged, "mailbox_list", "data", func(ctx context.Context, c *Client) error { return drainSeq(c.Domain.Mailboxes(ctx, nil)) }},
		{"Maillist.List", entryRead, "maillist", "item", func(ctx context.Context, c *Client) error { return one(c.Maillist.List(ctx)) }},
		{"Maillist.Get", entryRead, "maillist", "item", func(ctx context.Context, c *Client) error { return one(c.Maillist.Get(ctx, 35)) }},
		{"Maillist.ListAddressesPage", entryRead, "data", "addr", func(ctx context.Context, c *Client) error {
			return one(c.Maillist.ListAddressesPage(ctx, &AddressListOptions{ListID: Ptr(int64(35))}))
		}},
		{"Maillist.ListAddresses", entryPaged, "data", "addr", func(ctx context.Context, c *Client) error {
			return drainSeq(c.Maillist.ListAddresses(ctx, &AddressListOptions{ListID: Ptr(int64(35))}))
		}},
		{"Maillist.ExportSubscribers", entryExport, "", "", func(ctx context.Context, c *Client) error { return drainExport(c.Maillist.ExportSubscribers(ctx, 35)) }},
		{"Maillist.ExportUnsubscribed", entryExport, "", "", func(ctx context.Context, c *Client) error { return drainExport(c.Maillist.ExportUnsubscribed(ctx, 35)) }},
		{"Statistic.Overview", entryRead, "statistic", "send_qty", func(ctx context.Context, c *Client) error { return one(c.Statistic.Overview(ctx, day)) }},
		{"Statistic.ExportFailed", entryExport, "", "", func(ctx context.Context, c *Client) error {
			return drainExport(c.Statistic.ExportFailed(ctx, &FailureExportOptions{Date: day, Type: FailureAll}))
		}},
		{"Statistic.ExportAllFailures", entryExport, "", "", func(ctx context.Context, c *Client) error {
			return drainExport(c.Statistic.ExportAllFailures(ctx, &FailureExportOptions{Date: day}))
		}},
		{"Statistic.Batches", entryRead, "data", "task", func(ctx context.Context, c *Client) error {
			return one(c.Statistic.Batches(ctx, &BatchListOptions{Date: day}))
		}},
		{"Statistic.Deductions", entryRead, "data", "list", func(ctx context.Context, c *Client) error { return one(c.Statistic.Deductions(ctx, day)) }},
		{"Task.ListByDate", entryRead, "task_list", "task", func(ctx context.Context, c *Client) error { return one(c.Task.ListByDate(ctx, day)) }},
		{"Task.Find", entryRead, "task_list", "task", func(ctx context.Context, c *Client) error { return one(c.Task.Find(ctx, &TaskFindOptions{Date: day})) }},
		{"Task.ListPage", entryRead, "task_list", "task", func(ctx context.Context, c *Client) error { return one(c.Task.ListPage(ctx, nil)) }},
		{"Task.List", entryPaged, "task_list", "task", func(ctx context.Context, c *Client) error { return drainSeq(c.Task.List(ctx, nil)) }},
		{"Task.Get", entryRead, "task_list", "task", func(ctx context.Context, c *Client) error { return one(c.Task.Get(ctx, 19437)) }},
		{"Template.List", entryRead, "template_list", "template", func(ctx context.Context, c *Client) error { return one(c.Template.List(ctx)) }},
		{"Template.Get", entryRead, "template_list", "template", func(ctx context.Context, c *Client) error { return one(c.Template.Get(ctx, 67)) }},
		{"Track.Overview", entryRead, "track", "link_statistic", func(ctx context.Context, c *Client) error { return one(c.Track.Overview(ctx, TaskByID(362))) }},
		{"Track.Opens", entryStream, "data", "user", func(ctx context.Context, c *Client) error { return drainSeq(c.Track.Opens(ctx, TaskByID(362))) }},
		{"Track.Clicks", entryStream, "data", "click", func(ctx context.Context, c *Client) error { return drainSeq(c.Track.Clicks(ctx, TaskByID(362), 0)) }},
		{"Track.LinkStats", entryRead, "data", "link", func(ctx context.Context, c *Client) error { return one(c.Track.LinkStats(ctx, TaskByID(362), 0)) }},
		{"Track.Export", entryExport, "", "", func(ctx context.Context, c *Client) error {
			return drainExport(c.Track.Export(ctx, &TrackExportOptions{TrackID: 5120}))
		}},
		{"Client.Do/struct", entryRead, "data", "addr", func(ctx context.Context, c *Client) error {
			var v struct {
				Addrs []anyRec `xml:"addr"`
			}
			return c.Do(ctx, &Request{Script: "mloperate.php", Action: "ml-addr-list", Idempotent: true}, &v)
		}},
		{"Client.Do/result", entryWrite, "result", "data", func(ctx context.Context, c *Client) error {
			return c.Do(ctx, &Request{Script: "mloperate.php", Action: "maillist-del", Params: url.Values{"id": {"38"}}}, nil)
		}},
		{"Client.Do/writer", entryCopy, "", "", func(ctx context.Context, c *Client) error {
			return c.Do(ctx, &Request{Script: "failexportall.php", Params: url.Values{"date": {"2024-05-20"}}, Idempotent: true}, io.Discard)
		}},
		{"Records", entryStream, "data", "addr", func(ctx context.Context, c *Client) error {
			return drainSeq(Records[anyRec](ctx, c, &Request{Script: "mloperate.php", Action: "ml-addr-list", Idempotent: true}, "data", "addr"))
		}},
	}
	for _, wc := range writeCalls() {
		if strings.HasPrefix(wc.name, "Do/") || strings.HasPrefix(wc.name, "Records/") {
			continue // the escape hatch's own rows are above
		}
		entries = append(entries, entryPoint{wc.name, entryWrite, "result", "data", wc.call})
	}
	return entries
}

// TestConformanceCoversEveryEntryPoint reads the package's source: every
// exported function or method whose first parameter is a context.Context,
// and Export's Rows, must be a row of the matrix.
func TestConformanceCoversEveryEntryPoint(t *testing.T) {
	fset := token.NewFileSet()
	pkgs, err := parser.ParseDir(fset, ".", func(fi fs.FileInfo) bool { return !strings.HasSuffix(fi.Name(), "_test.go") }, 0)
	require.NoError(t, err)
	covered := map[string]bool{}
	for _, e := range conformanceEntries() {
		covered[strings.Split(e.name, "/")[0]] = true
	}
	found := 0
	for _, f := range pkgs["bestedm"].Files {
		for _, d := range f.Decls {
			fd, ok := d.(*ast.FuncDecl)
			if !ok || !fd.Name.IsExported() {
				continue
			}
			name := fd.Name.Name
			if fd.Recv != nil {
				recv := recvName(fd)
				if !ast.IsExported(recv) {
					continue
				}
				name = strings.TrimSuffix(recv, "Service") + "." + name
			}
			if !takesContext(fd) && name != "Export.Rows" {
				continue
			}
			found++
			if name == "Export.Rows" {
				// Every export is a row of its own (entryExport).
				continue
			}
			assert.True(t, covered[name], "entry point %s is missing from the conformance matrix (conformanceEntries)", name)
		}
	}
	assert.GreaterOrEqual(t, found, 55, "entry points found in the source")
}

// takesContext reports whether fd's first parameter is a context.Context.
func takesContext(fd *ast.FuncDecl) bool {
	if fd.Type.Params == nil || len(fd.Type.Params.List) == 0 {
		return false
	}
	sel, ok := fd.Type.Params.List[0].Type.(*ast.SelectorExpr)
	if !ok {
		return false
	}
	pkg, ok := sel.X.(*ast.Ident)
	return ok && pkg.Name == "context" && sel.Sel.Name == "Context"
}

// A nil context is a *ValidationError, never a panic, and sends nothing;
// a context cancelled before the call sends nothing and returns the
// context's error.
func TestConformanceContexts(t *testing.T) {
	srv, arrivals := countingServer(t)
	c, err := NewClient(testUser, testPassword, WithBaseURL(srv.URL+apiPath))
	require.NoError(t, err)
	cancelled, cancel := context.WithCancel(context.Background())
	cancel()
	for _, e := range conformanceEntries() {
		t.Run(e.name, func(t *testing.T) {
			arrivals.Store(0)
			var nilCtx context.Context // a nil context is the attack
			err := noPanic(t, func() error { return e.call(nilCtx, c) })
			var ve *ValidationError
			assert.ErrorAs(t, err, &ve, "nil context")
			assert.Zero(t, arrivals.Load(), "requests sent with a nil context")

			arrivals.Store(0)
			err = noPanic(t, func() error { return e.call(cancelled, c) })
			assert.ErrorIs(t, err, context.Canceled, "cancelled context")
			assert.Zero(t, arrivals.Load(), "requests sent with a cancelled context")
		})
	}
}

// Every entry point, against a server that reads each request whole and
// resets its HTTP/2 stream (PROTOCOL_ERROR): a write arrives once, a read
// once per SDK attempt; net/http never sends anything again by itself.
func TestConformanceResets(t *testing.T) {
	srv := startFramerServer(t, h2ProtocolError)
	c := hostileClient(t, srv.URL, srv.roots)
	for _, e := range conformanceEntries() {
		t.Run(e.name, func(t *testing.T) {
			clk := &fakeClock{}
			c.clock = clk
			srv.arrivals.Store(0)
			err := callOnce(c, sdkCall{e.name, e.call})
			require.Error(t, err)
			want := int32(1 + DefaultRetryPolicy().MaxRetries)
			if e.kind == entryWrite {
				want = 1
			}
			assert.Equal(t, want, srv.arrivals.Load(), "arrivals")
			var re *RequestError
			if assert.ErrorAs(t, err, &re) {
				assert.Equal(t, int(want), re.Attempts, "attempts in the error")
			}
		})
	}
}

// No entry point shows the account's password, in any of its forms, in
// an error (%v, %+v, %#v, every string field) or a debug log record, when
// the server echoes the request back, in either auth mode.
func TestConformanceSecrets(t *testing.T) {
	const pw = "Conf0rmance-s3cret"
	secrets := []secretEchoes{
		echoesOf("password", pw, false),
		echoesOf("md5", HashPassword(pw), true),
		echoesOf("basic token", base64.StdEncoding.EncodeToString([]byte(testUser+":"+pw)), false),
	}
	needles := needlesOf(secrets)
	hs := &hostileServer{}
	srv := httptest.NewServer(hs)
	t.Cleanup(srv.Close)
	for _, mode := range []AuthMode{AuthBasic, AuthQuery} {
		var logs strings.Builder
		logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
		c, err := NewClient(testUser, pw, WithBaseURL(srv.URL+apiPath), WithAuthMode(mode), WithLogger(logger))
		require.NoError(t, err)
		c.clock = &fakeClock{}
		for _, e := range conformanceEntries() {
			for _, kind := range []string{"echo500", "echo200", "api200", "redirect"} {
				hs.set(kind, echoL+pw+echoR)
				logs.Reset()
				err := callOnce(c, sdkCall{e.name, e.call})
				if err == nil {
					continue
				}
				for _, text := range append(errorTexts(err), logs.String()) {
					if what := leaks(text, needles); what != "" {
						t.Errorf("%s, %s, reply %s: %s leaks in %q", mode, e.name, kind, what, text)
						break
					}
				}
			}
		}
	}
}

// An iterator whose server ignores page= (the same page again and again)
// ends with an error instead of fetching forever.
func TestConformancePaging(t *testing.T) {
	for _, e := range conformanceEntries() {
		if e.kind != entryPaged {
			continue
		}
		t.Run(e.name, func(t *testing.T) {
			var arrivals atomic.Int32
			full := strings.Repeat("<"+e.child+"><id>1</id><email>a@example.com</email><task_id>1</task_id><mailbox>a@example.com</mailbox></"+e.child+">", 100)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				arrivals.Add(1)
				w.Header().Set("Content-Type", "text/xml; charset=utf-8")
				_, _ = io.WriteString(w, xmlDecl+"<"+e.root+">"+full+"</"+e.root+">")
			}))
			t.Cleanup(srv.Close)
			c, err := NewClient(testUser, testPassword, WithBaseURL(srv.URL+apiPath))
			require.NoError(t, err)
			ctx, cancel := context.WithTimeout(context.Background(), 3*time.Second)
			defer cancel()
			err = e.call(ctx, c)
			t.Logf("%d pages fetched: %v", arrivals.Load(), err)
			require.Error(t, err)
			assert.NoError(t, ctx.Err(), "ended by the SDK, not by the deadline")
			assert.ErrorIs(t, err, ErrUnexpectedReply)
			assert.LessOrEqual(t, arrivals.Load(), int32(3), "pages fetched")
		})
	}
}

// Every entry point against a reply that never ends: a reply read whole
// stops at a size, record or decoded-size limit with the heap raised by at
// most 64 MiB, a stream or an export at the record limit within 32 MiB.
// Small limits keep the run short; the bounds are those of the defaults.
func TestConformanceHostileReplies(t *testing.T) {
	if testing.Short() {
		t.Skip("hostile reply shapes: skipped with -short")
	}
	for _, e := range conformanceEntries() {
		if e.kind == entryCopy {
			// The body is the caller's, copied as sent: no bound applies,
			// and a copy holds one buffer whatever the length.
			continue
		}
		t.Run(e.name, func(t *testing.T) {
			body := func() io.Reader {
				switch e.kind {
				case entryStream:
					return &endless{prefix: xmlDecl + "<" + e.root + "><" + e.child + "><id>1</id><email>", unit: "abcdefgh"}
				case entryExport:
					return &endless{unit: "abcdefgh"}
				}
				// A record every list type reads something from.
				return &endless{prefix: xmlDecl + "<" + e.root + ">", unit: "<" + e.child + "><id>1</id><email>a@example.com</email><domain>example.com</domain>" +
					"<link_id>1</link_id><company>c</company><task_id>1</task_id></" + e.child + ">"}
			}
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/xml; charset=utf-8")
				_, _ = io.Copy(w, body())
			}))
			t.Cleanup(srv.Close)
			maxReply, maxRecord := int64(8<<20), int64(1<<20)
			if raceEnabled() {
				// The race detector slows the byte-by-byte guard tenfold:
				// the same limits, eight times smaller.
				maxReply, maxRecord = 1<<20, 128<<10
			}
			c, err := NewClient(testUser, testPassword, WithBaseURL(srv.URL+apiPath),
				WithMaxReplySize(maxReply), WithMaxRecordSize(maxRecord), WithRetry(RetryPolicy{}))
			require.NoError(t, err)
			peak, err := peakDuring(func(ctx context.Context) error { return e.call(ctx, c) })
			bound := uint64(64 << 20)
			if e.kind == entryStream || e.kind == entryExport {
				bound = 32 << 20
			}
			t.Logf("peak heap +%.1f MiB: %v", float64(peak)/(1<<20), err)
			assert.LessOrEqual(t, peak, bound, "peak heap")
			assert.ErrorIs(t, err, ErrReplyTooLarge)
			var le *LimitError
			assert.True(t, errors.As(err, &le), "a *LimitError names the limit: %v", err)
		})
	}
}
