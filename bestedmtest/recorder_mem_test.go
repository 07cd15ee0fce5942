package bestedmtest

import (
	"fmt"
	"net/http"
	"net/url"
	"runtime"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// heapAfterGC is the live heap once the garbage collector has run.
func heapAfterGC() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// postBig sends one form-encoded POST of about size bytes to the fake.
func postBig(t testing.TB, s *Server, size int) {
	t.Helper()
	line := "big.sender@example.com;名字\n"
	body := url.Values{"ml_addr": {strings.Repeat(line, size/len(line))}}.Encode()
	req, err := http.NewRequest(http.MethodPost, s.URL()+"account.php?do=customer-info", strings.NewReader(body))
	require.NoError(t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	c := s.Customer()
	req.SetBasicAuth(c.Username, c.Password)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	_ = resp.Body.Close()
}

// TestRecorderKeepsBoundedBodies measures the live heap, not time: 20
// POSTs of 2 MB each must not stay in memory through the recorder (issue
// 17 item 9; it kept every body whole).
func TestRecorderKeepsBoundedBodies(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 40 MB")
	}
	s := NewServer(t, WithClock(fixedClock()))
	postBig(t, s, 1<<20) // warm up: connections, the handler's buffers
	before := heapAfterGC()
	const n, size = 20, 2 << 20
	for i := 0; i < n; i++ {
		postBig(t, s, size)
	}
	after := heapAfterGC()
	grown := int64(after) - int64(before)
	t.Logf("live heap %d KiB before, %d KiB after %d POSTs of %d KiB: %+d KiB", before>>10, after>>10, n, size>>10, grown>>10)
	assert.Less(t, grown, int64(n*size/8), "the recorder keeps a prefix of each body, not the body")

	recs := s.Requests()
	last := recs[len(recs)-1]
	assert.True(t, last.BodyTruncated)
	assert.Greater(t, last.BodySize, int64(size)-100)
	assert.LessOrEqual(t, len(last.Form.Get("ml_addr")), DefaultRecordBodyLimit)
	assert.True(t, strings.HasPrefix(last.Form.Get("ml_addr"), "big.sender@example.com;名字\n"))
}

// TestRecorderKeepsBoundedRequests: past the limit, the oldest requests are
// forgotten, and the limit is the server's option.
func TestRecorderKeepsBoundedRequests(t *testing.T) {
	s := NewServer(t, WithClock(fixedClock()), WithRecordLimits(5, 64))
	a := customerAPI(t, s)
	for i := 0; i < 12; i++ {
		a.get("mloperate.php", "maillist-detail", "id", id(int64(i+1)))
	}
	recs := s.Requests()
	require.Len(t, recs, 5)
	for i, r := range recs {
		assert.Equal(t, id(int64(8+i)), r.Query.Get("id"), "the most recent, oldest first")
	}
	a.post("mloperate.php", "maillist-add", nil, kv("subject", strings.Repeat("长", 100), "status", "enabled"))
	r := s.Requests()[4]
	assert.True(t, r.BodyTruncated)
	assert.LessOrEqual(t, len(r.Form.Get("subject")), 64)
	assert.True(t, strings.HasPrefix(strings.Repeat("长", 100), r.Form.Get("subject")), "cut on a character boundary")
	assert.Len(t, s.Requests(), 5)
	s.ClearRequests()
	assert.Empty(t, s.Requests())
}

// TestAddressBatchesDoNotPinBodies: an address added from a large batch
// is kept on its own, not as a piece of the whole body (measured on the
// live heap, not timed).
func TestAddressBatchesDoNotPinBodies(t *testing.T) {
	if testing.Short() {
		t.Skip("sends 40 MB")
	}
	s := NewServer(t, WithClock(fixedClock()))
	c := s.Customer()
	post := func(i int) {
		// One new address, then lines the server drops as invalid.
		batch := fmt.Sprintf("pin%02d@example.com;名字\n", i) + strings.Repeat("not-an-address;x\n", (2<<20)/17)
		body := url.Values{"ml_addr": {batch}}.Encode()
		req, err := http.NewRequest(http.MethodPost, s.URL()+"mloperate.php?do=ml-addr-add&list_id=0", strings.NewReader(body))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		req.SetBasicAuth(c.Username, c.Password)
		resp, err := http.DefaultClient.Do(req)
		require.NoError(t, err)
		_ = resp.Body.Close()
	}
	post(0)
	n0 := len(s.Addresses(0))
	before := heapAfterGC()
	for i := 1; i <= 20; i++ {
		post(i)
	}
	grown := int64(heapAfterGC()) - int64(before)
	t.Logf("live heap grew %d KiB after 20 batches of 2 MiB, each adding one address", grown>>10)
	assert.Less(t, grown, int64(4<<20))
	assert.Len(t, s.Addresses(0), n0+20)
}

// TestAddressPageAllocations: reading a large list page by page, as the
// SDK's iterator does, allocates for the page, not for the whole list, on
// every request. The bytes allocated are counted, not timed: a read of a
// list of a million addresses made 20,000 requests, each allocating a
// slice of every match, and the heap grew to twice the data.
func TestAddressPageAllocations(t *testing.T) {
	if testing.Short() {
		t.Skip("adds 100,000 addresses")
	}
	s := NewServer(t, WithClock(fixedClock()))
	list := s.AddList(StoredList{Name: "大名单"})
	for i := 0; i < 100000; i++ {
		s.AddAddress(StoredAddress{ListID: list, Email: fmt.Sprintf("user%06d@example.com", i)})
	}
	a := customerAPI(t, s)
	page := func(n int) {
		a.get("mloperate.php", "ml-addr-list", "list_id", id(list), "page", id(int64(n)), "limit", "50")
	}
	page(1)
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	const pages = 20
	for i := 1; i <= pages; i++ {
		page(1000 + i)
	}
	runtime.ReadMemStats(&after)
	perPage := (after.TotalAlloc - before.TotalAlloc) / pages
	t.Logf("%d KiB allocated per page of 50 from a list of 100,000", perPage>>10)
	assert.Less(t, perPage, uint64(256<<10))
}
