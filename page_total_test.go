package bestedm

import (
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
