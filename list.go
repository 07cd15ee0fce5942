package bestedm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"reflect"
	"strconv"

	"github.com/bestedm/bestedm-go/internal/charset"
	"github.com/bestedm/bestedm-go/internal/xmlbind"
)

// Page is one page of a paged list.
type Page[T any] struct {
	Items []T
	// Total is the number of matches on all pages, when the server sends it
	// (<total_num>, Maillist.ListAddressesPage in practice); TotalKnown
	// says whether it did, so that a total of 0 (no match) is not taken
	// for a reply that carries no total.
	Total      int64
	TotalKnown bool
}

// list reads a list reply <root><child>…</child>…</root>, passing each
// record to emit (which returns false to stop) and other leaf children to
// l.Leaf. It takes xmlbind's fast path and falls back to encoding/xml for a
// document the fast path cannot start, such as a <result> error reply.
//
// A record that sets no field (<item></item>) ends the list with an error:
// passed on, it would be a zero value with a nil error, which the caller
// cannot tell from a real record.
//
// keptSize and budget bound a list decoded whole (sz == whole): the
// records kept, counted at keptSize bytes each, and the bytes read, which
// their text comes from, may not pass budget bytes. A stream keeps one
// record at a time: its bound is the record size limit.
func (rp *reply) list(sz sizing, keptSize uintptr, budget int64, l xmlbind.List, newRec func() any, emit func(any) bool) error {
	in, decoded, err := rp.text(sz)
	if err != nil {
		return err
	}
	empty, stopped := false, false
	var kept int64
	var over *LimitError
	check := func(rec any) bool {
		if reflect.ValueOf(rec).Elem().IsZero() {
			empty = true
			return false
		}
		if sz == whole {
			kept++
			if kept*int64(keptSize)+rp.rec.n > budget {
				over = &LimitError{Limit: "decoded size", Max: budget, Option: "WithMaxReplySize"}
				return false
			}
		}
		if !emit(rec) {
			stopped = true
			return false
		}
		return true
	}
	err = rp.c.binder.Records(in, decoded, l, newRec, check)
	var slow *xmlbind.SlowStartError
	if errors.As(err, &slow) {
		rp.dec = rp.c.binder.NewDecoder(slow.Replay, charset.XMLCharsetReader(decoded))
		start, rerr := rp.root(l.Root)
		if rerr != nil {
			return rerr
		}
		err = rp.c.binder.SlowRecords(rp.dec, start, l, newRec, check)
	}
	switch {
	case stopped:
		// The caller broke its loop: a huge body may be left unread, so
		// the connection is closed rather than read to the end.
		rp.abandon = true
		return nil
	case err != nil:
		return rp.fail("<"+l.Root+">", err)
	case over != nil:
		return rp.fail("<"+l.Root+">", over)
	case empty:
		return rp.fail("<"+l.Root+">", fmt.Errorf("a <%s> with %w", l.Child, errNoData))
	}
	return nil
}

// keep is the share of the reply size limit (WithMaxReplySize) that the
// records of a list decoded whole may hold. A reply of small records
// decodes to several times its size, and the heap runs to about twice what
// is live before the collector reclaims garbage: so a list returned whole
// may hold a quarter of the limit, and a page an iterator fetches (held
// only until its records are yielded, under the streams' tighter bound)
// an eighth.
type keep int64

const (
	keepList keep = 4 // a list or an object returned to the caller
	keepPage keep = 8 // a page an iterator yields and drops
)

// of is the budget in bytes for a reply size limit of maxReply.
func (k keep) of(maxReply int64) int64 { return maxReply / int64(k) }

// fetchPage performs r and collects the <child> records of <root>, and
// <total_num> when present, within the budget k.
func fetchPage[T any](ctx context.Context, c *Client, r *request, root, child string, k keep) (*Page[T], error) {
	p := &Page[T]{Items: []T{}}
	l := xmlbind.List{Root: root, Child: child, Leaf: func(name, text string) error {
		if name != "total_num" || text == "" {
			return nil
		}
		n, err := strconv.ParseInt(text, 10, 64)
		if err != nil {
			return &xmlbind.FieldError{Element: "total_num", Value: text, Err: errors.New("not an integer")}
		}
		if n < 0 {
			// A count of matches cannot be negative: not a total to page by.
			return &xmlbind.FieldError{Element: "total_num", Value: text, Err: errors.New("negative")}
		}
		p.Total, p.TotalKnown = n, true
		return nil
	}}
	err := c.call(ctx, r, func(rp *reply) error {
		return rp.list(whole, reflect.TypeFor[T]().Size(), k.of(c.maxReply), l, func() any { return new(T) }, func(rec any) bool {
			p.Items = append(p.Items, *rec.(*T))
			return true
		})
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// fetchList is fetchPage for lists that are not paged.
func fetchList[T any](ctx context.Context, c *Client, r *request, root, child string) ([]T, error) {
	p, err := fetchPage[T](ctx, c, r, root, child, keepList)
	if err != nil {
		return nil, err
	}
	return p.Items, nil
}

// records performs r and yields each <child> of the reply's <root> as it is
// decoded, so a reply of any size is held one record at a time.
func records[T any](ctx context.Context, c *Client, r *request, root, child string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		stopped := false
		err := c.call(ctx, r, func(rp *reply) error {
			return rp.list(streamed, 0, 0, xmlbind.List{Root: root, Child: child}, func() any { return new(T) }, func(rec any) bool {
				stopped = !yield(*rec.(*T), nil)
				return !stopped
			})
		})
		if err != nil && !stopped {
			var zero T
			yield(zero, err)
		}
	}
}

// pages yields the items of successive pages from fetchPage, starting at
// page first (1 when it is 0; a negative one reaches fetchPage, whose
// validation rejects it), until a page is empty or shorter
// than limit, or the total the server reported (when it reported one) has
// been reached. Every paged iterator (Maillist.ListAddresses, Task.List, Domain.Mailboxes)
// is this loop.
func pages[T any](first, limit int, fetchPage func(page int) (*Page[T], error)) iter.Seq2[T, error] {
	if first == 0 {
		first = 1
	}
	return func(yield func(T, error) bool) {
		// Pages before first count as seen, so total stops the loop.
		seen := int64(first-1) * int64(limit)
		for page := first; ; page++ {
			p, err := fetchPage(page)
			if err != nil {
				var zero T
				yield(zero, err)
				return
			}
			items := p.Items
			for _, it := range items {
				if !yield(it, nil) {
					return
				}
			}
			seen += int64(len(items))
			if len(items) == 0 || len(items) < limit || (p.TotalKnown && seen >= p.Total) {
				return
			}
		}
	}
}

// drainClose reads what little may follow a decoded reply (the line end
// after the root's end tag often arrives in a packet of its own) before
// closing, so the connection goes back to the pool instead of being shut.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, 4<<10)
	body.Close()
}
