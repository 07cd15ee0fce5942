package bestedm

import (
	"errors"
	"fmt"
	"io"
	"iter"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestMaillistListAddresses(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", fixture(t, "maillist-ml-addr-list.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "ml-addr-list", "list_id", "101", "address_id", "90001",
			"keyword", "林 伟&co", "page", "2", "limit", "20"))
	})
	listID := int64(101)
	opts := &AddressListOptions{ListID: &listID, AddressID: 90001, Keyword: "林 伟&co", Page: 2, Limit: 20}
	got, err := c.Maillist.ListAddressesPage(bg, opts)
	require.NoError(t, err)
	assert.Equal(t, &Page[Address]{Total: 2, TotalKnown: true, Items: []Address{
		{
			ID: 90001, ListID: 101, Email: "lin.wei@example.com", Name: "林伟", Sex: SexMale,
			Birthday: time.Date(1986, 8, 15, 0, 0, 0, 0, china), Phone: "13528775736",
			Area: "深圳市福田区科技园中路 3 号", Time: time.Date(2024, 3, 2, 12, 30, 5, 0, china),
			Var1: "VIP; <gold>", Var2: "金卡", Var4: "4", Var5: "5", Var6: "6", Var7: "7", Var8: "8", Var9: "9", Var10: "ten",
		},
		{ID: 90002, Email: "chen@example.org", Name: "陈", Var1: "a", Var7: "seven"},
	}}, got)
	assert.Equal(t, int64(101), *opts.ListID, "opts untouched")
}

func TestMaillistListAddressesListID(t *testing.T) {
	t.Parallel()
	for name, tc := range map[string]struct {
		opts *AddressListOptions
		want []string
	}{
		"nil options: all lists": {nil, []string{"do", "ml-addr-list"}},
		"nil ListID: all lists":  {&AddressListOptions{Keyword: "x"}, []string{"do", "ml-addr-list", "keyword", "x"}},
		"zero ListID: unclassified": {&AddressListOptions{ListID: Ptr[int64](0)},
			[]string{"do", "ml-addr-list", "list_id", "0"}},
	} {
		t.Run(name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "mloperate.php", []byte("<data>\r\n</data>"), func(r *http.Request) {
				testRequest(t, r, http.MethodGet, q(tc.want...))
			})
			got, err := c.Maillist.ListAddressesPage(bg, tc.opts)
			require.NoError(t, err)
			assert.Equal(t, &Page[Address]{Items: []Address{}}, got)
		})
	}
}

// addrPage is an ml-addr-list reply holding addresses first..last.
func addrPage(total, first, last int) []byte {
	var sb strings.Builder
	sb.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<data>\r\n<total_num>" + strconv.Itoa(total) + "</total_num>\r\n")
	for i := first; i <= last; i++ {
		fmt.Fprintf(&sb, "<addr><id>%d</id><list_id>7</list_id><address><![CDATA[u%d@example.com]]></address></addr>\r\n", i, i)
	}
	sb.WriteString("</data>\r\n")
	return []byte(sb.String())
}

// pagedAddresses serves total addresses two a page and counts the
// requests; failPage, when not 0, answers an API error instead.
func pagedAddresses(t *testing.T, mux *http.ServeMux, total, failPage int, want func(page string) []string) *atomic.Int32 {
	var n atomic.Int32
	mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		page := r.URL.Query().Get("page")
		testRequest(t, r, http.MethodGet, q(want(page)...))
		p, _ := strconv.Atoi(page)
		if p == failPage {
			_, _ = w.Write(result("db_error", "数据库繁忙"))
			return
		}
		_, _ = w.Write(addrPage(total, 2*p-1, min(2*p, total)))
	})
	return &n
}

func ids(t *testing.T, seq iter.Seq2[Address, error], stopAfter int) ([]int64, error) {
	t.Helper()
	var got []int64
	for a, err := range seq {
		if err != nil {
			return got, err
		}
		got = append(got, a.ID)
		if len(got) == stopAfter {
			break
		}
	}
	return got, nil
}

func TestMaillistListAddressesIter(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	n := pagedAddresses(t, mux, 5, 0, func(page string) []string {
		return []string{"do", "ml-addr-list", "list_id", "7", "page", page, "limit", "2"}
	})
	listID := int64(7)
	opts := &AddressListOptions{ListID: &listID, Limit: 2}
	got, err := ids(t, c.Maillist.ListAddresses(bg, opts), 0)
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, got)
	assert.Equal(t, int32(3), n.Load())
	assert.Equal(t, &AddressListOptions{ListID: &listID, Limit: 2}, opts, "opts untouched")
}

func TestMaillistListAddressesIterStopsAtTotal(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var n atomic.Int32
	mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		testRequest(t, r, http.MethodGet, q("do", "ml-addr-list", "page", "1", "limit", "50"))
		_, _ = w.Write(addrPage(50, 1, 50))
	})
	got, err := ids(t, c.Maillist.ListAddresses(bg, nil), 0)
	require.NoError(t, err)
	assert.Len(t, got, 50)
	assert.Equal(t, int32(1), n.Load(), "a full page that reaches total_num is the last")
}

func TestMaillistListAddressesIterFromPage(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	n := pagedAddresses(t, mux, 5, 0, func(page string) []string {
		return []string{"do", "ml-addr-list", "page", page, "limit", "2"}
	})
	got, err := ids(t, c.Maillist.ListAddresses(bg, &AddressListOptions{Page: 2, Limit: 2}), 0)
	require.NoError(t, err)
	assert.Equal(t, []int64{3, 4, 5}, got)
	assert.Equal(t, int32(2), n.Load())
}

func TestMaillistListAddressesIterFromPageStopsAtTotal(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	n := pagedAddresses(t, mux, 6, 0, func(page string) []string {
		return []string{"do", "ml-addr-list", "page", page, "limit", "2"}
	})
	got, err := ids(t, c.Maillist.ListAddresses(bg, &AddressListOptions{Page: 2, Limit: 2}), 0)
	require.NoError(t, err)
	assert.Equal(t, []int64{3, 4, 5, 6}, got)
	assert.Equal(t, int32(2), n.Load(), "the pages skipped count towards total_num")
}

func TestMaillistListAddressesIterEarlyBreak(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	n := pagedAddresses(t, mux, 5, 0, func(page string) []string {
		return []string{"do", "ml-addr-list", "page", page, "limit", "2"}
	})
	got, err := ids(t, c.Maillist.ListAddresses(bg, &AddressListOptions{Limit: 2}), 3)
	require.NoError(t, err)
	assert.Equal(t, []int64{1, 2, 3}, got)
	assert.Equal(t, int32(2), n.Load(), "no page fetched after the break")
}

func TestMaillistListAddressesIterError(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	n := pagedAddresses(t, mux, 5, 2, func(page string) []string {
		return []string{"do", "ml-addr-list", "page", page, "limit", "2"}
	})
	got, err := ids(t, c.Maillist.ListAddresses(bg, &AddressListOptions{Limit: 2}), 0)
	assert.Equal(t, []int64{1, 2}, got)
	wantAPIError(t, err, "db_error")
	assert.Equal(t, int32(2), n.Load())
}

func TestMaillistListAddressesIterInvalid(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	failHandler(t, mux)
	_, err := ids(t, c.Maillist.ListAddresses(bg, &AddressListOptions{Limit: -1}), 0)
	wantValidation(t, err, "limit")
}

func TestMaillistAddAddress(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", result("success", "90003"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "ml-addr-add", "list_id", "101", "return_id", "1",
			"address", "lin.wei@example.com", "fullname", "林伟", "sex", "M", "birthday", "1986-08-15",
			"phone", "13528775736", "area", "北京市丰台", "var1", "VIP", "var3", "a&b=c", "var10", "ten"))
	})
	// Birthday is a date: it is sent as written, not moved to UTC+8
	// (which would make it 1986-08-14).
	tokyo := time.FixedZone("UTC+9", 9*60*60)
	got, err := c.Maillist.AddAddress(bg, 101, Address{
		ID: 1, ListID: 2, Time: time.Now(), // ignored
		Email: "lin.wei@example.com", Name: "林伟", Sex: SexMale, Birthday: time.Date(1986, 8, 15, 0, 0, 0, 0, tokyo),
		Phone: "13528775736", Area: "北京市丰台", Var1: "VIP", Var3: "a&b=c", Var10: "ten",
	})
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "90003", ID: 90003}, got)
}

func TestMaillistAddAddressOnlyEmail(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", result("success", "90004"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "ml-addr-add", "list_id", "101", "return_id", "1", "address", "a@example.com"))
	})
	got, err := c.Maillist.AddAddress(bg, 101, Address{Email: "a@example.com"})
	require.NoError(t, err)
	assert.Equal(t, int64(90004), got.ID)
}

func TestMaillistImportFile(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	content := "lin.wei@example.com\t林伟\r\nchen@example.org\t陈\r\n"
	handle(t, mux, "mloperate.php", result("success", "上传成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodPost, q("do", "ml-addr-add-file", "list_id", "101"))
		assert.Equal(t, []part{{Field: "file", FileName: "members.txt", Content: content}}, readMultipart(t, r))
	})
	got, err := c.Maillist.ImportFile(bg, 101, File{Name: "members.txt", Content: strings.NewReader(content)})
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "上传成功"}, got)
}

func TestMaillistUpdateAddress(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", result("success", "修改成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "ml-addr-edit", "id", "90001", "fullname", "林 伟", "sex", "F", "var2", "金卡"))
	})
	got, err := c.Maillist.UpdateAddress(bg, 90001, Address{ID: 5, Name: "林 伟", Sex: SexFemale, Var2: "金卡"})
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "修改成功"}, got)
}

func TestMaillistDeleteAddress(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", result("success", "删除成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "ml-addr-del", "id", "90001"))
	})
	got, err := c.Maillist.DeleteAddress(bg, 90001)
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "删除成功"}, got)
}

func TestMaillistEmpty(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", result("success", "清空成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "ml-addr-empty", "list_id", "101"))
	})
	got, err := c.Maillist.Empty(bg, 101)
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "清空成功"}, got)
}

// genAddresses yields n addresses, counting in yielded how many were read.
func genAddresses(n int, yielded *atomic.Int64) iter.Seq[Address] {
	return func(yield func(Address) bool) {
		for i := 1; i <= n; i++ {
			a := Address{Email: fmt.Sprintf("user%04d@example.com", i), Name: fmt.Sprintf("用户%d", i)}
			if i%2 == 0 {
				a.Sex = SexFemale
			}
			if i%3 == 0 {
				a.Birthday = time.Date(1990, 1, i%28+1, 0, 0, 0, 0, china)
			}
			if i%5 == 0 {
				a.Var3 = fmt.Sprintf("v3-%d", i)
			}
			yielded.Add(1)
			if !yield(a) {
				return
			}
		}
	}
}

// wantLine is genAddresses' i-th address in the batch format, written
// independently of the code under test.
func wantLine(i int) string {
	f := []string{fmt.Sprintf("user%04d@example.com", i), fmt.Sprintf("用户%d", i), "", "", "", "", "", "", ""}
	if i%2 == 0 {
		f[2] = "F"
	}
	if i%3 == 0 {
		f[3] = fmt.Sprintf("1990-01-%02d", i%28+1)
	}
	if i%5 == 0 {
		f[8] = fmt.Sprintf("v3-%d", i)
	}
	for len(f) > 2 && f[len(f)-1] == "" {
		f = f[:len(f)-1]
	}
	return strings.Join(f, ";")
}

func wantBatch(first, last int) string {
	lines := make([]string, 0, last-first+1)
	for i := first; i <= last; i++ {
		lines = append(lines, wantLine(i))
	}
	return strings.Join(lines, "\n")
}

func TestMaillistAddAddressesBatches(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var yielded atomic.Int64
	var mu sync.Mutex
	var bodies []string
	mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		testRequest(t, r, http.MethodPost, q("do", "ml-addr-add", "list_id", "101", "addr_type", "string"))
		assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
		assert.NoError(t, r.ParseForm())
		assert.Equal(t, []string{"ml_addr"}, keys(r.PostForm))
		bodies = append(bodies, r.PostForm.Get("ml_addr"))
		// Addresses are read a batch at a time, never all first.
		assert.Equal(t, int64(min(1000*len(bodies), 2500)), yielded.Load())
		_, _ = w.Write(result("success", "添加成功"))
	})
	var seen []AddressBatch
	rep, err := c.Maillist.AddAddresses(bg, 101, genAddresses(2500, &yielded), &AddressAddOptions{
		OnBatch: func(b AddressBatch) { seen = append(seen, b) },
	})
	require.NoError(t, err)
	mu.Lock()
	defer mu.Unlock()
	require.Len(t, bodies, 3)
	assert.Equal(t, wantBatch(1, 1000), bodies[0])
	assert.Equal(t, wantBatch(1001, 2000), bodies[1])
	assert.Equal(t, wantBatch(2001, 2500), bodies[2])
	// Spot checks of the format itself.
	lines := strings.Split(bodies[0], "\n")
	assert.Equal(t, "user0001@example.com;用户1", lines[0])
	assert.Equal(t, "user0030@example.com;用户30;F;1990-01-03;;;;;v3-30", lines[29])
	res := &Result{Message: "添加成功"}
	want := []AddressBatch{{1, 1000, res}, {2, 1000, res}, {3, 500, res}}
	assert.Equal(t, &AddressAddReport{Batches: want, Added: 2500}, rep)
	assert.Equal(t, want, seen)
}

func keys(v map[string][]string) []string {
	var ks []string
	for k := range v {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	return ks
}

func TestMaillistAddAddressesSlice(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", result("success", "添加成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodPost, q("do", "ml-addr-add", "list_id", "9", "addr_type", "string"))
		testForm(t, r, q("ml_addr", "a@example.com;甲;M;1986-08-10;13528775968;北京;v1;;;;;;;;;v10\nb@example.com"))
	})
	addrs := []Address{
		{Email: "a@example.com", Name: "甲", Sex: SexMale, Birthday: time.Date(1986, 8, 10, 0, 0, 0, 0, time.UTC),
			Phone: "13528775968", Area: "北京", Var1: "v1", Var10: "v10"},
		{Email: "b@example.com"},
	}
	rep, err := c.Maillist.AddAddresses(bg, 9, slices.Values(addrs), nil)
	require.NoError(t, err)
	assert.Equal(t, 2, rep.Added)
	assert.Equal(t, []AddressBatch{{Index: 1, Count: 2, Result: &Result{Message: "添加成功"}}}, rep.Batches)
}

func TestMaillistAddAddressesAPIErrorInBatch2(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var yielded atomic.Int64
	var n atomic.Int32
	mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		if n.Add(1) == 2 {
			_, _ = w.Write(result("add_address_error", "地址数量超出限制"))
			return
		}
		_, _ = w.Write(result("success", "添加成功"))
	})
	rep, err := c.Maillist.AddAddresses(bg, 101, genAddresses(2500, &yielded), &AddressAddOptions{BatchSize: 1000})
	wantAPIError(t, err, "add_address_error")
	assert.ErrorIs(t, err, ErrAPI)
	assert.Contains(t, err.Error(), "batch 2")
	assert.Equal(t, &AddressAddReport{Batches: []AddressBatch{{1, 1000, &Result{Message: "添加成功"}}}, Added: 1000}, rep)
	assert.Equal(t, int32(2), n.Load(), "no batch sent after the failure")
	assert.Equal(t, int64(2000), yielded.Load(), "no address read after the failing batch")
}

func TestMaillistAddAddressesInvalidInBatch2(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var n atomic.Int32
	mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		_, _ = w.Write(result("success", ""))
	})
	bad := func(yield func(Address) bool) {
		for i := 1; i <= 10; i++ {
			a := Address{Email: fmt.Sprintf("u%d@example.com", i)}
			if i == 6 {
				a.Area = "北京;丰台"
			}
			if !yield(a) {
				return
			}
		}
	}
	rep, err := c.Maillist.AddAddresses(bg, 101, bad, &AddressAddOptions{BatchSize: 4})
	wantValidation(t, err, "area")
	assert.Contains(t, err.Error(), "batch 2")
	assert.Contains(t, err.Error(), "address 6 (u6@example.com)")
	assert.Equal(t, int32(1), n.Load(), "batch 2 is validated whole before it is sent")
	assert.Equal(t, 4, rep.Added)
	assert.Len(t, rep.Batches, 1)
}

func TestMaillistAddressValidation(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	failHandler(t, mux)
	one := func(a Address) iter.Seq[Address] { return slices.Values([]Address{{Email: "ok@example.com"}, a}) }
	batch := func(a Address) func() error {
		return func() error {
			rep, err := c.Maillist.AddAddresses(bg, 1, one(a), nil)
			assert.NotNil(t, rep)
			return err
		}
	}
	good := Address{Email: "a@example.com"}
	for _, tc := range []struct {
		name, field string
		call        func() error
	}{
		{"list negative list_id", "list_id", func() error {
			_, err := c.Maillist.ListAddressesPage(bg, &AddressListOptions{ListID: Ptr(int64(-1))})
			return err
		}},
		{"list negative address_id", "address_id", func() error {
			_, err := c.Maillist.ListAddressesPage(bg, &AddressListOptions{AddressID: -1})
			return err
		}},
		{"list negative page", "page", func() error { _, err := c.Maillist.ListAddressesPage(bg, &AddressListOptions{Page: -1}); return err }},
		{"list negative limit", "limit", func() error { _, err := c.Maillist.ListAddressesPage(bg, &AddressListOptions{Limit: -5}); return err }},
		{"add zero list", "list_id", func() error { _, err := c.Maillist.AddAddress(bg, 0, good); return err }},
		{"add no email", "address", func() error { _, err := c.Maillist.AddAddress(bg, 1, Address{Name: "x"}); return err }},
		{"add bad email", "address", func() error { _, err := c.Maillist.AddAddress(bg, 1, Address{Email: "a@"}); return err }},
		{"add bad sex", "sex", func() error {
			_, err := c.Maillist.AddAddress(bg, 1, Address{Email: "a@example.com", Sex: "m"})
			return err
		}},
		{"import zero list", "list_id", func() error {
			_, err := c.Maillist.ImportFile(bg, 0, File{Name: "a.txt", Content: strings.NewReader("x")})
			return err
		}},
		{"import no content", "file", func() error { _, err := c.Maillist.ImportFile(bg, 1, File{Name: "a.txt"}); return err }},
		{"import no name", "file", func() error {
			_, err := c.Maillist.ImportFile(bg, 1, File{Content: strings.NewReader("x")})
			return err
		}},
		{"update zero id", "id", func() error { _, err := c.Maillist.UpdateAddress(bg, 0, good); return err }},
		{"update nothing", "Address", func() error { _, err := c.Maillist.UpdateAddress(bg, 1, Address{ID: 1, ListID: 2}); return err }},
		{"update bad email", "address", func() error { _, err := c.Maillist.UpdateAddress(bg, 1, Address{Email: "x y@example.com"}); return err }},
		{"update bad sex", "sex", func() error { _, err := c.Maillist.UpdateAddress(bg, 1, Address{Sex: "X"}); return err }},
		{"delete zero id", "id", func() error { _, err := c.Maillist.DeleteAddress(bg, 0); return err }},
		{"empty zero list", "list_id", func() error { _, err := c.Maillist.Empty(bg, 0); return err }},
		{"batch zero list", "list_id", func() error { _, err := c.Maillist.AddAddresses(bg, 0, one(good), nil); return err }},
		{"batch empty", "ml_addr", func() error {
			_, err := c.Maillist.AddAddresses(bg, 1, slices.Values([]Address(nil)), nil)
			return err
		}},
		{"batch nil", "ml_addr", func() error { _, err := c.Maillist.AddAddresses(bg, 1, nil, nil); return err }},
		{"batch size negative", "AddressAddOptions.BatchSize", func() error {
			_, err := c.Maillist.AddAddresses(bg, 1, one(good), &AddressAddOptions{BatchSize: -1})
			return err
		}},
		{"batch size too large", "AddressAddOptions.BatchSize", func() error {
			_, err := c.Maillist.AddAddresses(bg, 1, one(good), &AddressAddOptions{BatchSize: MaxBatchSize + 1})
			return err
		}},
		{"batch no email", "address", batch(Address{Name: "x"})},
		{"batch bad email", "address", batch(Address{Email: "a;b@example.com"})},
		{"batch bad sex", "sex", batch(Address{Email: "b@example.com", Sex: "male"})},
		{"batch semicolon in name", "fullname", batch(Address{Email: "b@example.com", Name: "a;b"})},
		{"batch newline in phone", "phone", batch(Address{Email: "b@example.com", Phone: "1\n2"})},
		{"batch CR in var10", "var10", batch(Address{Email: "b@example.com", Var10: "x\ry"})},
		{"batch semicolon in var1", "var1", batch(Address{Email: "b@example.com", Var1: ";"})},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.call()
			wantValidation(t, err, tc.field)
			assert.ErrorIs(t, err, ErrValidation)
		})
	}
}

func TestMaillistAddressAPIErrors(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		status Status
		call   func(c *Client) error
	}{
		{"list", "auth_error", func(c *Client) error { _, err := c.Maillist.ListAddressesPage(bg, nil); return err }},
		{"add", "add_address_error", func(c *Client) error {
			_, err := c.Maillist.AddAddress(bg, 1, Address{Email: "a@example.com"})
			return err
		}},
		{"batch", "add_address_error", func(c *Client) error {
			_, err := c.Maillist.AddAddresses(bg, 1, slices.Values([]Address{{Email: "a@example.com"}}), nil)
			return err
		}},
		{"import", "upload_error", func(c *Client) error {
			_, err := c.Maillist.ImportFile(bg, 1, File{Name: "a.csv", Content: strings.NewReader("a@example.com")})
			return err
		}},
		{"update", "edit_address_error", func(c *Client) error {
			_, err := c.Maillist.UpdateAddress(bg, 1, Address{Name: "x"})
			return err
		}},
		{"delete", "del_address_error", func(c *Client) error { _, err := c.Maillist.DeleteAddress(bg, 1); return err }},
		{"empty", "empty_error", func(c *Client) error { _, err := c.Maillist.Empty(bg, 1); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "mloperate.php", result(string(tc.status), "出错了"), func(r *http.Request) {
				_, _ = io.Copy(io.Discard, r.Body)
			})
			err := tc.call(c)
			wantAPIError(t, err, tc.status)
		})
	}
}

// TestMaillistAddAddressesOnInvalid: with OnInvalid, an address Validate
// refuses is handed over, before the next one is read, and left out; the
// batches hold the others only, and the report counts both.
func TestMaillistAddAddressesOnInvalid(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var mu sync.Mutex
	var bodies []string
	mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		defer mu.Unlock()
		testRequest(t, r, http.MethodPost, q("do", "ml-addr-add", "list_id", "7", "addr_type", "string"))
		assert.NoError(t, r.ParseForm())
		bodies = append(bodies, r.PostForm.Get("ml_addr"))
		_, _ = w.Write(result("success", "添加成功"))
	})
	in := []Address{{Email: "a@example.com"}, {Email: "root@localhost"}, {Email: "b@example.com"},
		{Email: "c@example.com", Name: "C;c"}, {Email: "d@example.com"}, {Email: "e@example.com"}}
	var events []string
	rep, err := c.Maillist.AddAddresses(bg, 7, func(yield func(Address) bool) {
		for _, a := range in {
			events = append(events, "read "+a.Email)
			if !yield(a) {
				return
			}
		}
	}, &AddressAddOptions{BatchSize: 2, OnInvalid: func(a Address, err error) {
		var ve *ValidationError
		if assert.ErrorAs(t, err, &ve) {
			events = append(events, "invalid "+a.Email+" "+ve.Field)
		}
		assert.Equal(t, a.Validate().Error(), err.Error(), "Validate's own error, not renumbered")
	}})
	require.NoError(t, err)
	assert.Equal(t, []string{"read a@example.com", "read root@localhost", "invalid root@localhost address",
		"read b@example.com", "read c@example.com", "invalid c@example.com fullname",
		"read d@example.com", "read e@example.com"}, events)
	mu.Lock()
	defer mu.Unlock()
	assert.Equal(t, []string{"a@example.com\nb@example.com", "d@example.com\ne@example.com"}, bodies)
	assert.Equal(t, 4, rep.Added)
	assert.Equal(t, 2, rep.Skipped)
	assert.Len(t, rep.Batches, 2)
}

// TestMaillistAddAddressesAllInvalid: when OnInvalid takes every address,
// nothing is sent and there is no error: the caller heard of each one.
func TestMaillistAddAddressesAllInvalid(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	failHandler(t, mux)
	var n int
	rep, err := c.Maillist.AddAddresses(bg, 7, slices.Values([]Address{{Email: "x"}, {Email: "y@z"}}),
		&AddressAddOptions{OnInvalid: func(Address, error) { n++ }})
	require.NoError(t, err)
	assert.Equal(t, 2, n)
	assert.Equal(t, &AddressAddReport{Batches: []AddressBatch{}, Skipped: 2}, rep)
}

// TestAddressValidate is the rule AddAddresses applies to every address,
// public so that an importer can set a bad row aside instead of losing the
// batch: field named, reason given, nothing else rejected.
func TestAddressValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		a     Address
		field string // "" when valid
		want  string // part of the reason
	}{
		{"plain", Address{Email: "lin.wei@example.com"}, "", ""},
		{"every field", Address{Email: "a@mail.example.cn", Name: "林伟", Sex: SexFemale,
			Birthday: time.Date(1986, 8, 15, 0, 0, 0, 0, time.UTC), Phone: "13528775736", Area: "深圳",
			Var1: "VIP", Var10: "x"}, "", ""},
		{"apostrophe", Address{Email: "o'brien@example.com"}, "", ""},
		{"plus and hyphen", Address{Email: "li+news@my-host.example.com"}, "", ""},
		{"unicode local part", Address{Email: "林伟@example.cn"}, "", ""},
		{"semicolon allowed nowhere", Address{Email: "a@example.com", Name: "林;伟"}, "fullname", `"林;伟" contains ";"`},
		{"line break in var7", Address{Email: "a@example.com", Var7: "a\nb"}, "var7", "line break"},
		{"CR in area", Address{Email: "a@example.com", Area: "a\rb"}, "area", "line break"},
		{"no email", Address{Name: "x"}, "address", "is not an email address"},
		{"no at", Address{Email: "lin.wei.example.com"}, "address", "is not an email address"},
		{"two ats", Address{Email: "a@b@example.com"}, "address", "is not an email address"},
		{"empty local", Address{Email: "@example.com"}, "address", "is not an email address"},
		{"dotless domain", Address{Email: "root@localhost"}, "address", "such as example.com"},
		{"leading dot", Address{Email: "a@.example.com"}, "address", "such as example.com"},
		{"trailing dot", Address{Email: "a@example.com."}, "address", "such as example.com"},
		{"double dot", Address{Email: "a@example..com"}, "address", "such as example.com"},
		{"space", Address{Email: "a b@example.com"}, "address", `contains ' '`},
		{"tab", Address{Email: "a\t@example.com"}, "address", `contains '\t'`},
		{"NUL", Address{Email: "a\x00@example.com"}, "address", `contains '\x00'`},
		{"DEL", Address{Email: "a\x7f@example.com"}, "address", `contains '\x7f'`},
		{"comma", Address{Email: "a,b@example.com"}, "address", `contains ','`},
		{"angle bracket", Address{Email: "<a@example.com>"}, "address", `contains '<'`},
		{"quote", Address{Email: `"a"@example.com`}, "address", `contains '"'`},
		{"parenthesis", Address{Email: "a(b)@example.com"}, "address", `contains '('`},
		{"square bracket", Address{Email: "a@[127.0.0.1]"}, "address", `contains '['`},
		{"backslash", Address{Email: `a\b@example.com`}, "address", `contains '\\'`},
		{"sex lower case", Address{Email: "a@example.com", Sex: "m"}, "sex", "neither M nor F"},
		// What production stores but cannot give back.
		{"BEL in name", Address{Email: "a@example.com", Name: "a\x07b"}, "fullname", `control character '\a'`},
		{"ESC in var3", Address{Email: "a@example.com", Var3: "\x1b[1mBOLD"}, "var3", `control character '\x1b'`},
		{"NUL in phone", Address{Email: "a@example.com", Phone: "1\x00"}, "phone", `control character '\x00'`},
		{"C1 control in area", Address{Email: "a@example.com", Area: "a\u0085"}, "area", `control character '\u0085'`},
		{"invalid UTF-8 in name", Address{Email: "a@example.com", Name: "caf\xe9"}, "fullname", "not valid UTF-8"},
		{"oversize name", Address{Email: "a@example.com", Name: strings.Repeat("x", MaxFieldBytes+1)}, "fullname", "longer than"},
		{"tab in name is text", Address{Email: "a@example.com", Name: "a\tb"}, "", ""},
		{"longest name", Address{Email: "a@example.com", Name: strings.Repeat("x", MaxFieldBytes)}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.a.Validate()
			if tc.field == "" {
				assert.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "%v", err)
			assert.Equal(t, tc.field, ve.Field)
			assert.Contains(t, ve.Reason, tc.want)
			assert.ErrorIs(t, err, ErrValidation)
		})
	}
}

// TestAddAddressesAppliesValidate: a row Validate refuses stops
// AddAddresses before its batch is sent, with the same field and reason,
// and the address's number and (for other fields) its e-mail in front.
func TestAddAddressesAppliesValidate(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	failHandler(t, mux)
	for _, bad := range []Address{{Email: "root@localhost"}, {Email: "a@example.com", Var2: "x;y"}} {
		want := bad.Validate()
		require.Error(t, want)
		_, err := c.Maillist.AddAddresses(bg, 1, func(yield func(Address) bool) {
			_ = yield(Address{Email: "ok@example.com"}) && yield(bad)
		}, nil)
		var ve, wve *ValidationError
		require.ErrorAs(t, err, &ve)
		require.ErrorAs(t, want, &wve)
		assert.Equal(t, wve.Field, ve.Field)
		assert.Contains(t, ve.Reason, wve.Reason)
		assert.Contains(t, ve.Reason, "address 2")
		if wve.Field != "address" {
			assert.Contains(t, ve.Reason, "address 2 (a@example.com): ")
		}
	}
}
