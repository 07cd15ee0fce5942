package bestedm_test

import (
	"context"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	bestedm "github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
)

// A value stored with a control character or a byte that is not UTF-8
// comes back in every reply that holds it; XML cannot carry either, and
// encoding/xml stopped the whole reply at it, so one such address made
// its list unreadable (issue 16 item 8). Replies are read tolerantly: the
// value shows U+FFFD where it was damaged, and everything else reads.
func TestReplyToleratesIllegalCharacters(t *testing.T) {
	srv := bestedmtest.NewServer(t)
	client := srv.Client()
	ctx := context.Background()
	lists, err := client.Maillist.List(ctx)
	require.NoError(t, err)
	list := lists[0].ID
	for _, name := range []string{"a\x07b", "\x1b[1mBOLD", "caf\xe9", "nul\x00"} {
		srv.AddAddress(bestedmtest.StoredAddress{ListID: list, Email: "x" + strings.Map(func(r rune) rune {
			if r < 'a' || r > 'z' {
				return -1
			}
			return r
		}, name) + "@example.com", Name: name})
	}
	var damaged int
	n := 0
	for a, err := range client.Maillist.ListAddresses(ctx, &bestedm.AddressListOptions{ListID: &list}) {
		require.NoError(t, err, "the list reads whole")
		n++
		if strings.Contains(a.Name, "\uFFFD") {
			damaged++
		}
	}
	assert.Equal(t, 4, damaged, "each damaged name shows U+FFFD")
	assert.Equal(t, int(lists[0].Count)+4, n, "every address of the list")

	page, err := client.Maillist.ListAddressesPage(ctx, &bestedm.AddressListOptions{ListID: &list, Limit: 500})
	require.NoError(t, err, "a page decoded whole reads too")
	assert.Len(t, page.Items, n)
}
