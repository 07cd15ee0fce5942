package bestedm

import (
	"context"
	"fmt"
	"iter"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// drain ranges over seq and returns how many items it yielded and the
// first error (after which it stops).
func drain[T any](seq iter.Seq2[T, error]) (n int, err error) {
	for _, err := range seq {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Every iterator given a nil context reports a *ValidationError naming
// ctx, sends nothing and does not panic.
func TestIteratorsNilContext(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	failHandler(t, mux)
	var nilCtx context.Context
	iters := map[string]func() (int, error){
		"Task.List":              func() (int, error) { return drain(c.Task.List(nilCtx, nil)) },
		"Maillist.ListAddresses": func() (int, error) { return drain(c.Maillist.ListAddresses(nilCtx, nil)) },
		"Domain.Mailboxes":       func() (int, error) { return drain(c.Domain.Mailboxes(nilCtx, nil)) },
		"Track.Opens":            func() (int, error) { return drain(c.Track.Opens(nilCtx, TaskByID(1))) },
		"Track.Clicks":           func() (int, error) { return drain(c.Track.Clicks(nilCtx, TaskByID(1), 0)) },
		"Records": func() (int, error) {
			return drain(Records[struct{ ID int64 }](nilCtx, c, &Request{Script: "task.php", Action: "task-list"}, "task_list", "task"))
		},
		"AddAddresses": func() (int, error) {
			_, err := c.Maillist.AddAddresses(nilCtx, 1, slices.Values([]Address{{Email: "a@example.com"}}), nil)
			return 0, err
		},
		"AddAddresses OnInvalid": func() (int, error) {
			calls := 0
			_, err := c.Maillist.AddAddresses(nilCtx, 1, slices.Values([]Address{{Email: "bad"}}), &AddressAddOptions{OnInvalid: func(Address, error) { calls++ }})
			return calls, err
		},
		"Maillist.ExportSubscribers": func() (int, error) {
			_, err := c.Maillist.ExportSubscribers(nilCtx, 1)
			return 0, err
		},
	}
	for name, run := range iters {
		t.Run(name, func(t *testing.T) {
			var n int
			var err error
			require.NotPanics(t, func() { n, err = run() })
			assert.Zero(t, n)
			wantValidation(t, err, "ctx")
		})
	}
}

// addrRange is an ml-addr-list reply of the addresses from..to-1, with a
// total when total is not negative.
func addrRange(from, to, total int) []byte {
	var b strings.Builder
	b.WriteString("<data>")
	if total >= 0 {
		fmt.Fprintf(&b, "<total_num>%d</total_num>", total)
	}
	for i := from; i < to; i++ {
		fmt.Fprintf(&b, "<addr><id>%d</id><address>a%d@example.com</address></addr>", i+1, i+1)
	}
	b.WriteString("</data>")
	return []byte(b.String())
}

func taskPage(n int) []byte {
	var b strings.Builder
	b.WriteString("<task_list>")
	for i := range n {
		fmt.Fprintf(&b, "<task><id>%d</id><subject>s</subject></task>", i+1)
	}
	b.WriteString("</task_list>")
	return []byte(b.String())
}

func mailboxPage(n int) []byte {
	var b strings.Builder
	b.WriteString("<mailbox_list>")
	for i := range n {
		fmt.Fprintf(&b, "<data><domain>example.com</domain><name>m%d</name><mailbox>m%d@example.com</mailbox></data>", i, i)
	}
	b.WriteString("</mailbox_list>")
	return []byte(b.String())
}

// A server that ignores page= sends the same full page forever: each
// paged iterator stops after the second (repeated) page with a
// *PagingError matching ErrUnexpectedReply.
func TestPagesRepeatedPage(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		script string
		body   []byte
		run    func(c *Client) (int, error)
		limit  int
	}{
		{"Task.List", "task.php", taskPage(5), func(c *Client) (int, error) { return drain(c.Task.List(bg, &TaskListOptions{Limit: 5})) }, 5},
		{"Domain.Mailboxes", "bs.php", mailboxPage(5), func(c *Client) (int, error) {
			return drain(c.Domain.Mailboxes(bg, &MailboxListOptions{Limit: 5}))
		}, 5},
		{"ListAddresses without a total", mlScript, addrRange(0, 5, -1), func(c *Client) (int, error) {
			return drain(c.Maillist.ListAddresses(bg, &AddressListOptions{Limit: 5}))
		}, 5},
		{"ListAddresses with a total", mlScript, addrRange(0, 5, 1000), func(c *Client) (int, error) {
			return drain(c.Maillist.ListAddresses(bg, &AddressListOptions{Limit: 5}))
		}, 5},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			var calls atomic.Int32
			handle(t, mux, tc.script, tc.body, func(*http.Request) {
				if calls.Add(1) > 10 {
					panic(http.ErrAbortHandler) // the test has failed; end the loop
				}
			})
			n, err := tc.run(c)
			var pe *PagingError
			require.ErrorAs(t, err, &pe)
			assert.ErrorIs(t, err, ErrUnexpectedReply)
			assert.Equal(t, 2, pe.Page)
			assert.Contains(t, err.Error(), "same items as page 1")
			assert.Equal(t, tc.limit, n, "the first page's items, once")
			assert.Equal(t, int32(2), calls.Load())
		})
	}
}

// A page that holds items although the total the same reply reports says
// the list ended before it is an error, not more items.
func TestPagesPastTotal(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var calls atomic.Int32
	handle(t, mux, mlScript, addrRange(0, 5, 3), func(*http.Request) { calls.Add(1) })
	n, err := drain(c.Maillist.ListAddresses(bg, &AddressListOptions{Page: 3, Limit: 5}))
	var pe *PagingError
	require.ErrorAs(t, err, &pe)
	assert.ErrorIs(t, err, ErrUnexpectedReply)
	assert.Equal(t, 3, pe.Page)
	assert.Contains(t, err.Error(), "total of 3")
	assert.Zero(t, n)
	assert.Equal(t, int32(1), calls.Load())
}

// A cancelled context ends a paged iterator at the next item, with the
// context's error, though the rest of the page is already decoded.
func TestPagesStopOnCancel(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, mlScript, addrRange(0, 50, 100), nil)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	n := 0
	var got error
	for _, err := range c.Maillist.ListAddresses(ctx, &AddressListOptions{Limit: 50}) {
		if err != nil {
			got = err
			break
		}
		n++
		cancel()
	}
	assert.Equal(t, 1, n)
	assert.ErrorIs(t, got, context.Canceled)
}

// A cancelled context ends a streamed reply (records) at the next record.
func TestRecordsStopOnCancel(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var b strings.Builder
	b.WriteString("<data>")
	for i := range 2000 {
		fmt.Fprintf(&b, "<click><click_id>%d</click_id><email>a%d@example.com</email></click>", i+1, i)
	}
	b.WriteString("</data>")
	handle(t, mux, "track.php", []byte(b.String()), nil)
	seqs := map[string]func(ctx context.Context) iter.Seq2[int64, error]{
		"Track.Clicks": func(ctx context.Context) iter.Seq2[int64, error] {
			return func(yield func(int64, error) bool) {
				for cl, err := range c.Track.Clicks(ctx, TaskByID(1), 0) {
					if !yield(cl.ClickID, err) {
						return
					}
				}
			}
		},
		"Records": func(ctx context.Context) iter.Seq2[int64, error] {
			type click struct {
				ID int64 `xml:"click_id"`
			}
			return func(yield func(int64, error) bool) {
				for cl, err := range Records[click](ctx, c, &Request{Script: "track.php", Action: "click-detail"}, "data", "click") {
					if !yield(cl.ID, err) {
						return
					}
				}
			}
		},
	}
	for name, seq := range seqs {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(bg)
			defer cancel()
			n := 0
			var got error
			for _, err := range seq(ctx) {
				if err != nil {
					got = err
					break
				}
				n++
				if n == 3 {
					cancel()
				}
			}
			assert.Equal(t, 3, n)
			assert.ErrorIs(t, got, context.Canceled)
		})
	}
}

// A cancelled context ends Export.Rows at the next row.
func TestExportRowsStopOnCancel(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var b strings.Builder
	for i := range 5000 {
		fmt.Fprintf(&b, "a%d@example.com\tname %d\n", i, i)
	}
	handleText(t, mux, mlScript, []byte(b.String()), nil)
	ctx, cancel := context.WithCancel(bg)
	defer cancel()
	exp, err := c.Maillist.ExportSubscribers(ctx, 1)
	require.NoError(t, err)
	n := 0
	var got error
	for _, err := range exp.Rows() {
		if err != nil {
			got = err
			break
		}
		n++
		if n == 2 {
			cancel()
		}
	}
	assert.Equal(t, 2, n)
	assert.ErrorIs(t, got, context.Canceled)
}

// AddAddresses honours its context on the OnInvalid path too, where no
// request is sent: cancelled before the call, it calls nothing back; a
// cancel mid-way stops it at the next address.
func TestAddAddressesOnInvalidContext(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	failHandler(t, mux)
	invalid := func(n int, afterEach func(i int)) iter.Seq[Address] {
		return func(yield func(Address) bool) {
			for i := range n {
				if !yield(Address{Email: fmt.Sprintf("not-an-address-%d", i)}) {
					return
				}
				if afterEach != nil {
					afterEach(i)
				}
			}
		}
	}

	t.Run("cancelled before", func(t *testing.T) {
		ctx, cancel := context.WithCancel(bg)
		cancel()
		calls := 0
		rep, err := c.Maillist.AddAddresses(ctx, 1, invalid(200000, nil), &AddressAddOptions{OnInvalid: func(Address, error) { calls++ }})
		assert.ErrorIs(t, err, context.Canceled)
		assert.Zero(t, calls)
		assert.Zero(t, rep.Skipped)
	})
	t.Run("cancelled mid-way", func(t *testing.T) {
		ctx, cancel := context.WithCancel(bg)
		defer cancel()
		calls := 0
		read := 0
		rep, err := c.Maillist.AddAddresses(ctx, 1, invalid(200000, func(i int) {
			read = i + 1
			if i == 99 {
				cancel()
			}
		}), &AddressAddOptions{OnInvalid: func(Address, error) { calls++ }})
		assert.ErrorIs(t, err, context.Canceled)
		assert.Equal(t, 100, calls)
		assert.Equal(t, 100, rep.Skipped)
		assert.LessOrEqual(t, read, 101, "addrs is not read on after the cancel")
	})
	t.Run("deadline", func(t *testing.T) {
		ctx, cancel := context.WithTimeout(bg, 1)
		defer cancel()
		<-ctx.Done()
		_, err := c.Maillist.AddAddresses(ctx, 1, invalid(10, nil), &AddressAddOptions{OnInvalid: func(Address, error) {}})
		assert.ErrorIs(t, err, context.DeadlineExceeded)
	})
}

// addrTotalPage is an ml-addr-list reply with n addresses and, when total is
// not negative, a <total_num>.
func addrTotalPage(n int, total int) []byte {
	var b strings.Builder
	b.WriteString("<data>")
	if total >= 0 {
		fmt.Fprintf(&b, "<total_num>%d</total_num>", total)
	}
	for i := range n {
		fmt.Fprintf(&b, "<addr><id>%d</id><address>a%d@example.com</address></addr>", i+1, i+1)
	}
	b.WriteString("</data>")
	return []byte(b.String())
}

// Page.TotalKnown tells a total of 0 from a reply that has none.
func TestPageTotalKnown(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		total     int // -1: no <total_num>
		wantTotal int64
		wantKnown bool
	}{
		{"no total", -1, 0, false},
		{"a total of 0", 0, 0, true},
		{"a total of 7", 7, 7, true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, mlScript, addrTotalPage(0, tc.total), nil)
			p, err := c.Maillist.ListAddressesPage(bg, &AddressListOptions{Page: 1})
			require.NoError(t, err)
			assert.Equal(t, tc.wantTotal, p.Total)
			assert.Equal(t, tc.wantKnown, p.TotalKnown)
		})
	}
}

// The paged iterators stop at a known total, including 0, and walk to a
// short or empty page when the total is unknown.
func TestPagesStopAtKnownTotal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name      string
		total     int // -1: no <total_num>
		pageItems []int
		wantItems int
		wantCalls int32
	}{
		// Full pages of 2: without a total the loop needs an empty page.
		{"unknown total", -1, []int{2, 2, 0}, 4, 3},
		{"total reached on a full page", 4, []int{2, 2, 0}, 4, 2},
		// A server that says 0 matches is believed: one request.
		{"total 0", 0, []int{0, 2, 0}, 0, 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			var calls atomic.Int32
			var sent atomic.Int32 // pages hold different addresses: a repeated page is an error
			mux.HandleFunc(apiPath+mlScript, func(w http.ResponseWriter, r *http.Request) {
				n := calls.Add(1)
				items := 0
				if int(n) <= len(tc.pageItems) {
					items = tc.pageItems[n-1]
				}
				from := int(sent.Add(int32(items))) - items
				w.Header().Set("Content-Type", "text/xml; charset=utf-8")
				_, _ = w.Write(addrRange(from, from+items, tc.total))
			})
			got := 0
			for _, err := range c.Maillist.ListAddresses(bg, &AddressListOptions{Limit: 2}) {
				require.NoError(t, err)
				got++
			}
			assert.Equal(t, tc.wantItems, got)
			assert.Equal(t, tc.wantCalls, calls.Load(), "requests")
		})
	}
}
