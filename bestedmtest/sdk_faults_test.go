package bestedmtest_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
)

// The SDK's reaction to every fault the fake can inject: for each
// fault and each kind of call — a read decoded whole, a streamed iterator,
// a text export, a write answered by <result> — the exact typed error, how
// many requests reached the server, and for writes that a fault never made
// the SDK send the write twice.

// faultCall is one SDK call a fault is tried on. run returns what the call
// returned (nil with an error) and the error.
type faultCall struct {
	name  string
	match bestedmtest.Match
	write bool
	run   func(ctx context.Context, c *bestedm.Client, ids fixtureIDs) (any, error)
	// check asserts the value of a successful call: in particular that the
	// Chinese text of the reply decoded right, whatever the fault did to it.
	check func(t *testing.T, v any)
	// count returns how many objects the write creates exist, so a test can
	// tell a write that took effect once from one that was duplicated.
	count func(t *testing.T, c *bestedm.Client) int
}

// fixtureIDs are ids of the generated data the calls use.
type fixtureIDs struct {
	list    int64 // the first list, 120 addresses, "新闻订阅"
	tpl     int64
	tracked int64 // a finished task that tracks opens and clicks
	seq     *atomic.Int64
}

func seedIDs(t *testing.T, ctx context.Context, c *bestedm.Client) fixtureIDs {
	t.Helper()
	lists, err := c.Maillist.List(ctx)
	require.NoError(t, err)
	tpls, err := c.Template.List(ctx)
	require.NoError(t, err)
	ids := fixtureIDs{list: lists[0].ID, tpl: tpls[0].ID, seq: new(atomic.Int64)}
	for task, err := range c.Task.List(ctx, nil) {
		require.NoError(t, err)
		if task.SendStatus == bestedm.SendFinished && task.TrackStatus == bestedm.TrackOpensAndClicks && ids.tracked == 0 {
			ids.tracked = task.ID
		}
	}
	require.NotZero(t, ids.tracked)
	return ids
}

var (
	callMaillists = faultCall{
		name:  "Maillist.List",
		match: bestedmtest.Match{Script: "mloperate.php", Action: "maillist-list"},
		run: func(ctx context.Context, c *bestedm.Client, _ fixtureIDs) (any, error) {
			return nilIfErr(c.Maillist.List(ctx))
		},
		check: func(t *testing.T, v any) {
			lists := v.([]bestedm.Maillist)
			require.Len(t, lists, 4)
			assert.Equal(t, "新闻订阅", lists[0].Name)
			assert.Equal(t, "官网订阅用户，每周发送新闻简报", lists[0].Description)
			assert.Equal(t, int64(120), lists[0].Count)
		},
	}
	callCustomer = faultCall{
		name:  "Account.CustomerInfo",
		match: bestedmtest.Match{Script: "account.php", Action: "customer-info"},
		run: func(ctx context.Context, c *bestedm.Client, _ fixtureIDs) (any, error) {
			return nilIfErr(c.Account.CustomerInfo(ctx))
		},
		check: func(t *testing.T, v any) {
			info := v.(*bestedm.Customer)
			assert.Equal(t, "深圳市示例科技有限公司", info.Company)
			assert.Equal(t, "王伟", info.Contact)
		},
	}
	callAddresses = faultCall{
		name:  "Maillist.ListAddresses",
		match: bestedmtest.Match{Script: "mloperate.php", Action: "ml-addr-list"},
		run: func(ctx context.Context, c *bestedm.Client, ids fixtureIDs) (any, error) {
			return nilIfErr(c.Maillist.ListAddressesPage(ctx, &bestedm.AddressListOptions{ListID: &ids.list, Page: 1, Limit: 10}))
		},
		check: func(t *testing.T, v any) {
			p := v.(*bestedm.Page[bestedm.Address])
			assert.Equal(t, int64(120), p.Total)
			require.Len(t, p.Items, 10)
			for _, a := range p.Items {
				assert.True(t, hasHan(a.Name), "name %q", a.Name)
			}
		},
	}
	callOpens = faultCall{
		name:  "Track.Opens",
		match: bestedmtest.Match{Script: "track.php", Action: "open-detail"},
		run: func(ctx context.Context, c *bestedm.Client, ids fixtureIDs) (any, error) {
			var out []bestedm.OpenDetail
			for o, err := range c.Track.Opens(ctx, bestedm.TaskByID(ids.tracked)) {
				if err != nil {
					return nil, err
				}
				out = append(out, o)
			}
			return out, nil
		},
		check: func(t *testing.T, v any) {
			opens := v.([]bestedm.OpenDetail)
			require.NotEmpty(t, opens)
			countries := map[string]bool{}
			for _, o := range opens {
				assert.NotEmpty(t, o.Email)
				assert.GreaterOrEqual(t, o.OpenTotal, int64(1))
				countries[o.AddrFirst.Country()] = true
			}
			// Text beyond ASCII survives the fault (a GBK body, say).
			assert.True(t, countries["中国"], "countries %v", countries)
		},
	}
	callExport = faultCall{
		name:  "Maillist.ExportSubscribers",
		match: bestedmtest.Match{Script: "mloperate.php", Action: "subscription-export"},
		run: func(ctx context.Context, c *bestedm.Client, ids fixtureIDs) (any, error) {
			exp, err := c.Maillist.ExportSubscribers(ctx, ids.list)
			if err != nil {
				return nil, err
			}
			var out []bestedm.Subscriber
			for sub, err := range exp.Rows() {
				if err != nil {
					return nil, err
				}
				out = append(out, sub)
			}
			return out, nil
		},
		check: func(t *testing.T, v any) {
			subs := v.([]bestedm.Subscriber)
			require.Len(t, subs, 120)
			for _, s := range subs {
				assert.Contains(t, s.Email, "@")
				assert.True(t, hasHan(s.Name), "name %q", s.Name)
			}
		},
	}
	callCreateList = faultCall{
		name:  "Maillist.Create",
		match: bestedmtest.Match{Script: "mloperate.php", Action: "maillist-add"},
		write: true,
		run: func(ctx context.Context, c *bestedm.Client, ids fixtureIDs) (any, error) {
			subject := fmt.Sprintf("故障测试 %d", ids.seq.Add(1))
			return nilIfErr(c.Maillist.Create(ctx, &bestedm.MaillistParams{Name: subject, Status: bestedm.MaillistEnabled}))
		},
		check: func(t *testing.T, v any) {
			res := v.(*bestedm.Result)
			assert.Equal(t, "添加联系人分类成功", res.Message)
			assert.NotZero(t, res.ID)
		},
		count: func(t *testing.T, c *bestedm.Client) int {
			lists, err := c.Maillist.List(context.Background())
			require.NoError(t, err)
			return len(lists)
		},
	}
	// Task.Create is a write sent with GET (its parameters ride in the
	// query string), the kind of request net/http itself considers safe to
	// send again.
	callCreateTask = faultCall{
		name:  "Task.Create",
		match: bestedmtest.Match{Script: "task.php", Action: "add-task"},
		write: true,
		run: func(ctx context.Context, c *bestedm.Client, ids fixtureIDs) (any, error) {
			return nilIfErr(c.Task.Create(ctx, &bestedm.TaskParams{
				TemplateIDs: []int64{ids.tpl}, SendAccount: "marketing@mail.example.com", MaillistID: ids.list,
				Status: bestedm.TaskHold, Time: faultNow.Add(24 * time.Hour),
			}))
		},
		check: func(t *testing.T, v any) {
			res := v.(*bestedm.Result)
			assert.Equal(t, "添加群发任务成功!", res.Message)
			assert.NotZero(t, res.ID)
		},
		count: func(t *testing.T, c *bestedm.Client) int {
			p, err := c.Task.ListPage(context.Background(), &bestedm.TaskListOptions{Page: 1, Limit: 100})
			require.NoError(t, err)
			return len(p.Items)
		},
	}
)

// nilIfErr returns v as an any that is a true nil when v is a nil pointer
// or slice, so that "no value with an error" can be asserted whatever v's
// type.
func nilIfErr[T any](v T, err error) (any, error) {
	if rv := reflect.ValueOf(v); !rv.IsValid() || rv.IsNil() {
		return nil, err
	}
	return v, err
}

func hasHan(s string) bool {
	for _, r := range s {
		if r >= 0x4E00 && r <= 0x9FFF {
			return true
		}
	}
	return false
}

// faultNow is the fixed clock of the fault tests.
var faultNow = time.Date(2024, 5, 20, 14, 30, 0, 0, time.FixedZone("UTC+8", 8*60*60))

// errKind is the outcome a case expects.
type errKind int

const (
	succeeds      errKind = iota + 1
	httpError             // *bestedm.HTTPError
	requestError          // *bestedm.RequestError, not a timeout
	timeoutError          // *bestedm.RequestError matching context.DeadlineExceeded
	decodeError           // *bestedm.DecodeError
	droppedBody           // *bestedm.RequestError caused by io.ErrUnexpectedEOF: the body broke off
	partialExport         // no error, fewer rows than the export holds (see the cases)
)

func (k errKind) String() string {
	return [...]string{"", "success", "*HTTPError", "*RequestError", "timeout", "*DecodeError", "*RequestError (unexpected EOF)", "a shorter export"}[k]
}

// fastRetries retries twice with millisecond backoff.
var fastRetries = bestedm.RetryPolicy{MaxRetries: 2, MinBackoff: time.Millisecond, MaxBackoff: 5 * time.Millisecond, MaxRetryAfter: 5 * time.Second}

func TestSDKFaults(t *testing.T) {
	t.Parallel()
	type tc struct {
		fault   bestedmtest.Fault
		times   int // how many requests fail; 0: all (FailAlways)
		call    faultCall
		timeout time.Duration // WithTimeout; 0 keeps the default
		noRetry bool          // WithRetry(RetryPolicy{}) instead of fastRetries
		query   bool          // WithAuthMode(AuthQuery): credentials in every URL
		want    errKind
		status  int // the HTTPError's status
		// requests is how many requests of the call reach the server, and
		// attempts the count the error reports (0: not checked).
		requests, attempts int
		// created is how many objects a write leaves behind.
		created int
		minTime time.Duration // the call takes at least this long
		// release moves the server's clock by this much once a delayed
		// request waits on it (0: the clock stays, the delay never ends).
		release time.Duration
	}
	cases := []tc{
		// HTTP status faults never reach the service.
		{fault: bestedmtest.HTTPStatus(500), times: 1, call: callMaillists, want: httpError, status: 500, requests: 1, attempts: 1},
		{fault: bestedmtest.HTTPStatus(503), times: 1, call: callMaillists, want: succeeds, requests: 2},
		{fault: bestedmtest.HTTPStatus(503), call: callMaillists, want: httpError, status: 503, requests: 3, attempts: 3},
		{fault: bestedmtest.HTTPStatus(503), call: callMaillists, noRetry: true, want: httpError, status: 503, requests: 1, attempts: 1},
		{fault: bestedmtest.HTTPStatus(503), times: 1, call: callOpens, want: succeeds, requests: 2},
		{fault: bestedmtest.HTTPStatus(503), times: 1, call: callExport, want: succeeds, requests: 2},
		{fault: bestedmtest.HTTPStatusRetryAfter(503, time.Second), times: 1, call: callCustomer, want: succeeds, requests: 2, minTime: time.Second},
		{fault: bestedmtest.HTTPStatus(500), times: 1, call: callCreateList, want: httpError, status: 500, requests: 1, attempts: 1, created: 0},
		{fault: bestedmtest.HTTPStatus(503), times: 1, call: callCreateTask, want: httpError, status: 503, requests: 1, attempts: 1, created: 0},
		{fault: bestedmtest.HTTPStatusRetryAfter(503, time.Second), times: 1, call: callCreateTask, want: httpError, status: 503, requests: 1, attempts: 1, created: 0},

		// A delay past WithTimeout is a timeout; reads are tried again,
		// writes are not.
		{fault: bestedmtest.Delay(5 * time.Second), call: callMaillists, timeout: 400 * time.Millisecond, noRetry: true, want: timeoutError, requests: 1, attempts: 1},
		{fault: bestedmtest.Delay(5 * time.Second), times: 1, call: callMaillists, timeout: 400 * time.Millisecond, want: succeeds, requests: 2},
		{fault: bestedmtest.Delay(5 * time.Second), times: 1, call: callOpens, timeout: 400 * time.Millisecond, noRetry: true, want: timeoutError, requests: 1, attempts: 1},
		{fault: bestedmtest.Delay(5 * time.Second), times: 1, call: callCreateList, timeout: 400 * time.Millisecond, want: timeoutError, requests: 1, attempts: 1, created: 0},
		{fault: bestedmtest.Delay(5 * time.Second), times: 1, call: callCreateTask, timeout: 400 * time.Millisecond, want: timeoutError, requests: 1, attempts: 1, created: 0},
		{fault: bestedmtest.Delay(50 * time.Millisecond), times: 1, call: callCustomer, timeout: 2 * time.Second, want: succeeds, requests: 1, release: 50 * time.Millisecond},

		// A dropped connection: the request was handled, the reply lost.
		// (net/http sends a read again by itself when a kept-alive
		// connection drops before the reply, so the server sees more
		// requests than the SDK counts attempts.)
		{fault: bestedmtest.DropConnection(), call: callMaillists, noRetry: true, want: requestError, attempts: 1},
		{fault: bestedmtest.DropConnection(), call: callMaillists, want: requestError, attempts: 3},
		{fault: bestedmtest.DropConnection(), times: 1, call: callMaillists, want: succeeds, requests: 2},
		{fault: bestedmtest.DropConnection(), times: 1, call: callOpens, want: succeeds, requests: 2},
		{fault: bestedmtest.DropConnection(), times: 1, call: callCreateList, want: requestError, requests: 1, attempts: 1, created: 1},
		{fault: bestedmtest.DropConnection(), times: 1, call: callCreateTask, want: requestError, requests: 1, attempts: 1, created: 1},

		// A reply cut or broken on its way: never a value with a nil error.
		{fault: bestedmtest.DropMidBody(), times: 1, call: callMaillists, want: droppedBody, requests: 1},
		{fault: bestedmtest.DropMidBody(), times: 1, call: callAddresses, want: droppedBody, requests: 1},
		{fault: bestedmtest.DropMidBody(), times: 1, call: callCustomer, want: droppedBody, requests: 1},
		{fault: bestedmtest.DropMidBody(), times: 1, call: callOpens, want: droppedBody, requests: 1},
		{fault: bestedmtest.DropMidBody(), times: 1, call: callExport, want: droppedBody, requests: 1},
		{fault: bestedmtest.DropMidBody(), times: 1, call: callCreateList, want: droppedBody, requests: 1, created: 1},
		{fault: bestedmtest.DropMidBody(), times: 1, call: callCreateTask, want: droppedBody, requests: 1, created: 1},
		{fault: bestedmtest.TruncatedBody(), times: 1, call: callMaillists, want: decodeError, requests: 1},
		{fault: bestedmtest.TruncatedBody(), times: 1, call: callAddresses, want: decodeError, requests: 1},
		{fault: bestedmtest.TruncatedBody(), times: 1, call: callCustomer, want: decodeError, requests: 1},
		{fault: bestedmtest.TruncatedBody(), times: 1, call: callOpens, want: decodeError, requests: 1},
		{fault: bestedmtest.TruncatedBody(), times: 1, call: callCreateList, want: decodeError, requests: 1, created: 1},
		{fault: bestedmtest.TruncatedBody(), times: 1, call: callCreateTask, want: decodeError, requests: 1, created: 1},
		{fault: bestedmtest.MalformedBody(), times: 1, call: callMaillists, want: decodeError, requests: 1},
		{fault: bestedmtest.MalformedBody(), times: 1, call: callAddresses, want: decodeError, requests: 1},
		{fault: bestedmtest.MalformedBody(), times: 1, call: callCustomer, want: decodeError, requests: 1},
		{fault: bestedmtest.MalformedBody(), times: 1, call: callOpens, want: decodeError, requests: 1},
		{fault: bestedmtest.MalformedBody(), times: 1, call: callExport, want: decodeError, requests: 1},
		{fault: bestedmtest.MalformedBody(), times: 1, call: callCreateList, want: decodeError, requests: 1, created: 1},
		{fault: bestedmtest.MalformedBody(), times: 1, call: callCreateTask, want: decodeError, requests: 1, created: 1},
		{fault: bestedmtest.EmptyBody(), times: 1, call: callMaillists, want: decodeError, requests: 1},
		{fault: bestedmtest.EmptyBody(), times: 1, call: callAddresses, want: decodeError, requests: 1},
		{fault: bestedmtest.EmptyBody(), times: 1, call: callCustomer, want: decodeError, requests: 1},
		{fault: bestedmtest.EmptyBody(), times: 1, call: callOpens, want: decodeError, requests: 1},
		{fault: bestedmtest.EmptyBody(), times: 1, call: callCreateList, want: decodeError, requests: 1, created: 1},
		{fault: bestedmtest.EmptyBody(), times: 1, call: callCreateTask, want: decodeError, requests: 1, created: 1},

		// A text export has no end marker and no root element: one cut
		// short with a matching Content-Length, or empty, cannot be told
		// from a shorter export, so the SDK returns the rows it got.
		{fault: bestedmtest.TruncatedBody(), times: 1, call: callExport, want: partialExport, requests: 1},
		{fault: bestedmtest.EmptyBody(), times: 1, call: callExport, want: partialExport, requests: 1},

		// The same in query-string mode, where the credentials ride in
		// every URL that an error names.
		{fault: bestedmtest.HTTPStatus(503), call: callMaillists, query: true, want: httpError, status: 503, requests: 3, attempts: 3},
		{fault: bestedmtest.Delay(5 * time.Second), call: callOpens, timeout: 400 * time.Millisecond, noRetry: true, query: true, want: timeoutError, requests: 1, attempts: 1},
		{fault: bestedmtest.DropConnection(), times: 1, call: callCreateTask, query: true, want: requestError, requests: 1, attempts: 1, created: 1},
		{fault: bestedmtest.DropMidBody(), times: 1, call: callExport, query: true, want: droppedBody, requests: 1},
		{fault: bestedmtest.MalformedBody(), times: 1, call: callCustomer, query: true, want: decodeError, requests: 1},
		{fault: bestedmtest.EmptyBody(), times: 1, call: callCreateList, query: true, want: decodeError, requests: 1, created: 1},
		{fault: bestedmtest.GBKBody(), times: 1, call: callOpens, query: true, want: succeeds, requests: 1},

		// Re-encoded bodies decode to the same values.
		{fault: bestedmtest.GBKBody(), times: 1, call: callMaillists, want: succeeds, requests: 1},
		{fault: bestedmtest.GBKBody(), times: 1, call: callAddresses, want: succeeds, requests: 1},
		{fault: bestedmtest.GBKBody(), times: 1, call: callCustomer, want: succeeds, requests: 1},
		{fault: bestedmtest.GBKBody(), times: 1, call: callOpens, want: succeeds, requests: 1},
		{fault: bestedmtest.GBKBody(), times: 1, call: callExport, want: succeeds, requests: 1},
		{fault: bestedmtest.GBKBody(), times: 1, call: callCreateList, want: succeeds, requests: 1, created: 1},
		{fault: bestedmtest.GBKBody(), times: 1, call: callCreateTask, want: succeeds, requests: 1, created: 1},
		{fault: bestedmtest.BOMBody(), times: 1, call: callMaillists, want: succeeds, requests: 1},
		{fault: bestedmtest.BOMBody(), times: 1, call: callAddresses, want: succeeds, requests: 1},
		{fault: bestedmtest.BOMBody(), times: 1, call: callCustomer, want: succeeds, requests: 1},
		{fault: bestedmtest.BOMBody(), times: 1, call: callOpens, want: succeeds, requests: 1},
		{fault: bestedmtest.BOMBody(), times: 1, call: callExport, want: succeeds, requests: 1},
		{fault: bestedmtest.BOMBody(), times: 1, call: callCreateList, want: succeeds, requests: 1, created: 1},
		{fault: bestedmtest.BOMBody(), times: 1, call: callCreateTask, want: succeeds, requests: 1, created: 1},
	}
	for _, c := range cases {
		times := "always"
		if c.times > 0 {
			times = "once"
		}
		name := fmt.Sprintf("%s/%s %s", c.call.name, c.fault, times)
		if c.noRetry {
			name += " no retries"
		}
		if c.query {
			name += " query auth"
		}
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			clk := bestedmtest.NewClock(faultNow)
			srv := bestedmtest.NewServer(t, bestedmtest.WithSeed(1), bestedmtest.WithClock(clk))
			opts := []bestedm.Option{bestedm.WithRetry(fastRetries)}
			if c.noRetry {
				opts[0] = bestedm.WithRetry(bestedm.RetryPolicy{})
			}
			if c.timeout > 0 {
				opts = append(opts, bestedm.WithTimeout(c.timeout))
			}
			if c.query {
				opts = append(opts, bestedm.WithAuthMode(bestedm.AuthQuery))
			}
			client := srv.Client(opts...)
			ctx := context.Background()
			// Warm up as a real program would: the call below goes over a
			// kept-alive connection.
			ids := seedIDs(t, ctx, client)
			before := 0
			if c.call.count != nil {
				before = c.call.count(t, client)
			}
			srv.ClearRequests()

			if c.times == 0 {
				srv.FailAlways(c.call.match, c.fault)
			} else {
				srv.Fail(c.call.match, c.times, c.fault)
			}
			if c.release > 0 {
				go func() {
					clk.BlockUntil(1)
					clk.Advance(c.release)
				}()
			}
			start := time.Now()
			v, err := c.call.run(ctx, client, ids)
			elapsed := time.Since(start)
			srv.ClearFaults()

			if err != nil {
				assert.Nil(t, v, "a value with the error %v", err)
			}
			assertErrKind(t, c.want, err, c.status, c.attempts)
			if err != nil {
				creds := srv.Customer()
				assert.NotContains(t, err.Error(), creds.Password)
				assert.NotContains(t, err.Error(), creds.PasswordHash(), "the hash in a query-mode URL is redacted")
			}
			switch {
			case c.want == succeeds && err == nil:
				c.call.check(t, v)
			case c.want == partialExport:
				subs, _ := v.([]bestedm.Subscriber)
				assert.Less(t, len(subs), 120)
				for _, sub := range subs[:max(len(subs)-1, 0)] { // the last line may be cut
					assert.True(t, hasHan(sub.Name), "name %q", sub.Name)
				}
			}
			assert.GreaterOrEqual(t, elapsed, c.minTime)
			if he := (*bestedm.HTTPError)(nil); strings.Contains(c.fault.String(), "retry after") && errors.As(err, &he) {
				assert.Equal(t, time.Second, he.RetryAfter, "Retry-After is reported even when not honoured")
			}
			if c.requests > 0 {
				assert.Equal(t, c.requests, countMatching(srv, c.call.match), "requests that reached the server")
			}
			if c.call.count != nil {
				assert.Equal(t, before+c.created, c.call.count(t, client), "objects the write left behind")
			}
		})
	}
}

// countMatching counts the recorded requests that match m.
func countMatching(srv *bestedmtest.Server, m bestedmtest.Match) int {
	n := 0
	for _, r := range srv.Requests() {
		if (m.Script == "" || r.Script == m.Script) && (m.Action == "" || r.Action == m.Action) {
			n++
		}
	}
	return n
}

// assertErrKind asserts err is exactly the kind wanted.
func assertErrKind(t *testing.T, want errKind, err error, status, attempts int) {
	t.Helper()
	t.Logf("want %s, got %v", want.String(), err)
	var (
		he *bestedm.HTTPError
		re *bestedm.RequestError
		de *bestedm.DecodeError
	)
	switch want {
	case succeeds:
		assert.NoError(t, err)
	case httpError:
		require.ErrorAs(t, err, &he)
		assert.Equal(t, status, he.StatusCode)
		assert.Equal(t, "text/html", he.ContentType)
		assert.Contains(t, he.Snippet, "nginx")
		assert.ErrorIs(t, err, bestedm.ErrUnexpectedReply)
		if attempts > 0 {
			assert.Equal(t, attempts, he.Attempts)
		}
	case requestError, timeoutError:
		assert.ErrorAs(t, err, &re, "got %T: %v", err, err)
		if re == nil {
			return
		}
		assert.False(t, errors.As(err, &de), "a RequestError, not a DecodeError")
		assert.Equal(t, want == timeoutError, errors.Is(err, context.DeadlineExceeded), "timeout: %v", err)
		assert.NotErrorIs(t, err, context.Canceled)
		if attempts > 0 {
			assert.Equal(t, attempts, re.Attempts)
		}
	case decodeError:
		require.ErrorAs(t, err, &de, "got %T: %v", err, err)
		assert.ErrorIs(t, err, bestedm.ErrUnexpectedReply)
	case droppedBody:
		require.ErrorAs(t, err, &re, "got %T: %v", err, err)
		assert.ErrorIs(t, err, io.ErrUnexpectedEOF)
		assert.False(t, errors.As(err, &de), "a RequestError, not a DecodeError")
		assert.NotErrorIs(t, err, bestedm.ErrUnexpectedReply)
	case partialExport:
		assert.NoError(t, err)
	}
}
