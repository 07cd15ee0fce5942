package bestedm

import (
	"context"
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
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

// decodeList reads a list reply <root><child>…</child>…</root>, passing each
// record to emit (which returns false to stop) and other leaf children to
// leaf. It takes xmlbind's fast path and falls back to encoding/xml for a
// document the fast path cannot start, such as a <result> error reply.
//
// A record that sets no field (<item></item>) ends the list with an error:
// passed on, it would be a zero value with a nil error, which the caller
// cannot tell from a real record.
//
// keptSize, when not 0, is the size of a record the caller keeps (a list
// decoded whole): the records kept, counted at that size, and the bytes
// read, which their text comes from, may not pass budget bytes.
func (c *Client) decodeList(resp *http.Response, capped bool, keptSize uintptr, budget int64, l xmlbind.List, newRec func() any, emit func(any) bool) error {
	rd, in, decoded, err := c.replyReader(resp, capped)
	if err != nil {
		return err
	}
	empty := false
	var kept int64
	var over *LimitError
	check := func(rec any) bool {
		if reflect.ValueOf(rec).Elem().IsZero() {
			empty = true
			return false
		}
		if keptSize > 0 {
			kept++
			if kept*int64(keptSize)+rd.rec.n > budget {
				over = &LimitError{Limit: "decoded size", Max: budget, Option: "WithMaxReplySize"}
				return false
			}
		}
		return emit(rec)
	}
	err = c.binder.Records(in, decoded, l, newRec, check)
	var slow *xmlbind.SlowStartError
	if errors.As(err, &slow) {
		rd.dec = c.binder.NewDecoder(slow.Replay, charset.XMLCharsetReader(decoded))
		start, rerr := rd.root(l.Root)
		if rerr != nil {
			return rerr
		}
		err = c.binder.SlowRecords(rd.dec, start, l, newRec, check)
	}
	switch {
	case err != nil:
		return rd.fail("<"+l.Root+">", err)
	case over != nil:
		return rd.fail("<"+l.Root+">", over)
	case empty:
		return rd.fail("<"+l.Root+">", fmt.Errorf("a <%s> with %w", l.Child, errNoData))
	}
	return nil
}

// fetchPage performs r and collects the <child> records of <root>, and
// <total_num> when present.
func fetchPage[T any](ctx context.Context, c *Client, r *request, root, child string) (*Page[T], error) {
	resp, err := c.do(ctx, r)
	if err != nil {
		return nil, err
	}
	defer drainClose(resp.Body)
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
	err = c.decodeList(resp, true, reflect.TypeFor[T]().Size(), keptBudget(ctx, c.maxReply), l, func() any { return new(T) }, func(rec any) bool {
		p.Items = append(p.Items, *rec.(*T))
		return true
	})
	if err != nil {
		return nil, err
	}
	return p, nil
}

// A reply of small records decodes to several times its size, and the
// heap runs to about twice what is live before the collector reclaims
// garbage: so the records of a list decoded whole may hold a quarter of
// the reply size limit, and those of a page an iterator fetches (held
// only until they are yielded, under the streams' tighter bound) an
// eighth.
func keptBudget(ctx context.Context, maxReply int64) int64 {
	if ctx.Value(iteratingKey{}) != nil {
		return maxReply / 8
	}
	return maxReply / 4
}

type iteratingKey struct{}

// iterating marks ctx as a paged iterator's, for keptBudget.
func iterating(ctx context.Context) context.Context {
	if ctx == nil {
		return nil // pages reports it
	}
	return context.WithValue(ctx, iteratingKey{}, true)
}

// fetchList is fetchPage for lists that are not paged.
func fetchList[T any](ctx context.Context, c *Client, r *request, root, child string) ([]T, error) {
	p, err := fetchPage[T](ctx, c, r, root, child)
	if err != nil {
		return nil, err
	}
	return p.Items, nil
}

// records performs r and yields each <child> of the reply's <root> as it is
// decoded, so a reply of any size is held one record at a time.
func records[T any](ctx context.Context, c *Client, r *request, root, child string) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		resp, err := c.do(ctx, r)
		if err != nil {
			yield(zero, err)
			return
		}
		stopped := false
		defer func() {
			// A loop the caller broke may leave a huge body unread: close
			// the connection rather than read it to the end.
			if stopped {
				resp.Body.Close()
			} else {
				drainClose(resp.Body)
			}
		}()
		var cancelled error
		err = c.decodeList(resp, false, 0, 0, xmlbind.List{Root: root, Child: child}, func() any { return new(T) }, func(rec any) bool {
			// A cancelled context ends the loop at the next record, even
			// one decoded from bytes already buffered.
			if cancelled = ctx.Err(); cancelled != nil {
				return false
			}
			stopped = !yield(*rec.(*T), nil)
			return !stopped
		})
		if cancelled != nil {
			stopped = true // the rest of the body is not wanted either
			yield(zero, &RequestError{Call: c.callName(resp.Request), Attempts: 1, Err: cancelled})
			return
		}
		if err != nil && !stopped {
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
//
// The server is not trusted to page: a page with the same items as the one
// before it (a server that ignores page=) or with items past the total its
// own reply reports ends the loop with a *PagingError, where it would
// otherwise fetch the same records forever. A nil ctx is a
// *ValidationError; a cancelled one ends the loop at the next item, with
// its error, though the rest of the page is decoded already.
func pages[T any](ctx context.Context, first, limit int, fetchPage func(page int) (*Page[T], error)) iter.Seq2[T, error] {
	if first == 0 {
		first = 1
	}
	return func(yield func(T, error) bool) {
		var zero T
		if ctx == nil {
			yield(zero, &ValidationError{Arg: "ctx", Reason: "is nil"})
			return
		}
		// Pages before first count as seen, so total stops the loop.
		seen := int64(first-1) * int64(limit)
		var prev []T
		for page := first; ; page++ {
			p, err := fetchPage(page)
			if err == nil {
				err = checkPaging(page, seen, prev, p)
			}
			if err != nil {
				yield(zero, err)
				return
			}
			items := p.Items
			for _, it := range items {
				if err := ctx.Err(); err != nil {
					yield(zero, err)
					return
				}
				if !yield(it, nil) {
					return
				}
			}
			seen += int64(len(items))
			if len(items) == 0 || len(items) < limit || (p.TotalKnown && seen >= p.Total) {
				return
			}
			prev = items
		}
	}
}

// checkPaging returns a *PagingError when p, fetched as page number page
// after seen items (counting the pages skipped before the first), repeats
// prev, the page before it, or holds items although the total it reports
// ends the list before it.
func checkPaging[T any](page int, seen int64, prev []T, p *Page[T]) error {
	if len(p.Items) == 0 {
		return nil
	}
	if p.TotalKnown && seen >= p.Total {
		return &PagingError{Page: page, Reason: fmt.Sprintf("%d items after the first %d, past the reply's own total of %d (does the server ignore page=?)", len(p.Items), seen, p.Total)}
	}
	if len(prev) == len(p.Items) && reflect.DeepEqual(prev, p.Items) {
		return &PagingError{Page: page, Reason: fmt.Sprintf("the same items as page %d (does the server ignore page=?)", page-1)}
	}
	return nil
}

// drainClose reads what little may follow a decoded reply (the line end
// after the root's end tag often arrives in a packet of its own) before
// closing, so the connection goes back to the pool instead of being shut.
func drainClose(body io.ReadCloser) {
	_, _ = io.CopyN(io.Discard, body, 4<<10)
	body.Close()
}
