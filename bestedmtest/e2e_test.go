package bestedmtest_test

import (
	"bytes"
	"context"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
)

// TestEndToEnd drives every method of the SDK against the fake the way a
// program would: a contact list is filled, a template written, a
// task created and sent, its reports read, domains and mailboxes managed
// (as the customer and as the administrator), and everything cleaned up,
// with the state checked after each step. The flow runs once with each
// authentication mode, on its own server with a hand-advanced clock.
func TestEndToEnd(t *testing.T) {
	t.Parallel()
	for _, mode := range []bestedm.AuthMode{bestedm.AuthBasic, bestedm.AuthQuery} {
		t.Run(mode.String(), func(t *testing.T) {
			t.Parallel()
			newFlow(t, mode).run(t)
		})
	}
}

// e2eStart is the fake's clock at start: a Monday afternoon in China.
var e2eStart = time.Date(2024, 5, 20, 14, 30, 0, 0, time.FixedZone("UTC+8", 8*60*60))

// roster is what the test expects the list to hold, in id order.
type roster struct {
	order []string          // emails, in the order they were added
	names map[string]string // email → name
	ids   map[string]int64  // email → address id, once listed
}

func (r *roster) add(email, name string) {
	if _, ok := r.names[email]; !ok {
		r.order = append(r.order, email)
	}
	r.names[email] = name
}

func (r *roster) remove(email string) {
	r.order = slices.DeleteFunc(r.order, func(e string) bool { return e == email })
	delete(r.names, email)
}

// flow is the state the steps share.
type flow struct {
	srv  *bestedmtest.Server
	clk  *bestedmtest.Clock
	mode bestedm.AuthMode
	c    *bestedm.Client // the customer
	mgr  *bestedm.Client // the administrator
	loc  *time.Location
	ctx  context.Context
	cid  int64 // the customer's id

	info         *bestedm.Customer
	quotaBefore  int64
	lists0       int // lists before the test's
	tpls0        int
	tasks0       int
	list         int64
	single       int64 // the address added by AddAddress
	members      roster
	unsubscribed []string
	tplA, tplB   int64
	tplALinks    []string
	task1, task2 int64
	send1        time.Time // task1's send time
}

func newFlow(t *testing.T, mode bestedm.AuthMode) *flow {
	clk := bestedmtest.NewClock(e2eStart)
	srv := bestedmtest.NewServer(t, bestedmtest.WithClock(clk), bestedmtest.WithSeed(1))
	opts := []bestedm.Option{bestedm.WithAuthMode(mode), bestedm.WithRetry(bestedm.RetryPolicy{})}
	c := srv.Client(opts...)
	mgr := srv.ManagerClient(opts...)
	return &flow{
		srv: srv, clk: clk, mode: mode, c: c, mgr: mgr, loc: c.Location(), ctx: context.Background(),
		cid: srv.Customer().CustomerID, members: roster{names: map[string]string{}, ids: map[string]int64{}},
	}
}

func (f *flow) run(t *testing.T) {
	steps := []struct {
		name string
		fn   func(*testing.T)
	}{
		{"account", f.account},
		{"create list", f.createList},
		{"add addresses", f.addAddresses},
		{"subscribe and unsubscribe", f.subscriptions},
		{"list addresses", f.listAddresses},
		{"update address", f.updateAddress},
		{"export list", f.exportList},
		{"templates", f.templates},
		{"attachments", f.attachments},
		{"create tasks", f.createTasks},
		{"list tasks", f.listTasks},
		{"update tasks", f.updateTasks},
		{"send", f.send},
		{"tracking", f.tracking},
		{"statistics", f.statistics},
		{"domains", f.domains},
		{"domains as manager", f.managerDomains},
		{"clean up", f.cleanUp},
		{"auth and coverage", f.requests},
	}
	for _, s := range steps {
		if !t.Run(s.name, s.fn) {
			t.Fatalf("step %q failed; the later steps depend on it", s.name)
		}
	}
}

// wantAPIError asserts err is an *APIError with status.
func wantAPIError(t *testing.T, err error, status bestedm.Status) {
	t.Helper()
	var ae *bestedm.APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, status, ae.Status)
	assert.ErrorIs(t, err, bestedm.ErrAPI)
	assert.ErrorIs(t, err, &bestedm.APIError{Status: status})
}

// wantValidation asserts err is a *ValidationError naming field, the API
// parameter, or else the Go argument (Arg), and that nothing was sent.
func (f *flow) wantValidation(t *testing.T, field string, call func() error) {
	t.Helper()
	before := len(f.srv.Requests())
	err := call()
	var ve *bestedm.ValidationError
	require.ErrorAs(t, err, &ve)
	assert.Equal(t, field, ve.Field+ve.Arg, "one of Field and Arg")
	assert.Len(t, f.srv.Requests(), before, "nothing is sent")
}

// last returns the most recent recorded request for action.
func (f *flow) last(t *testing.T, script, action string) bestedmtest.RecordedRequest {
	t.Helper()
	reqs := f.srv.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Script == script && reqs[i].Action == action {
			return reqs[i]
		}
	}
	t.Fatalf("no %s?do=%s was sent", script, action)
	return bestedmtest.RecordedRequest{}
}

func (f *flow) date(y int, m time.Month, d int) time.Time {
	return time.Date(y, m, d, 0, 0, 0, 0, f.loc)
}

func (f *flow) account(t *testing.T) {
	info, err := f.c.Account.CustomerInfo(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, f.cid, info.ID)
	assert.Equal(t, f.srv.Customer().Username, info.Username)
	assert.Equal(t, "深圳市示例科技有限公司", info.Company)
	f.info = info

	svc, err := f.c.Account.ServiceInfo(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, bestedm.ServiceEnabled, svc.Status)
	assert.Equal(t, bestedm.ServiceTypeTotal, svc.Type)
	assert.Equal(t, int64(500000), svc.QuotaBought)
	assert.Greater(t, svc.QuotaLeft, int64(0))
	assert.Less(t, svc.QuotaLeft, svc.QuotaBought, "the generated tasks used some")
	f.quotaBefore = svc.QuotaLeft
}

const (
	listSubject = "E2E 会员通讯"
	listDesc    = "端到端测试"
)

func (f *flow) createList(t *testing.T) {
	lists, err := f.c.Maillist.List(f.ctx)
	require.NoError(t, err)
	f.lists0 = len(lists)
	require.Equal(t, 4, f.lists0)

	res, err := f.c.Maillist.Create(f.ctx, &bestedm.MaillistParams{Name: listSubject, Status: bestedm.MaillistEnabled, Description: listDesc})
	require.NoError(t, err)
	require.Positive(t, res.ID)
	assert.Equal(t, "添加联系人分类成功", res.Message)
	f.list = res.ID
	// The fake answers maillist-add as the document does, without an id:
	// Create found the list by its subject.
	lookup := f.last(t, "mloperate.php", "maillist-list")
	assert.Equal(t, "GET", lookup.Method)
	req := f.last(t, "mloperate.php", "maillist-add")
	assert.Equal(t, "POST", req.Method)
	assert.Equal(t, listSubject, req.Form.Get("subject"), "free text travels in the body")

	_, err = f.c.Maillist.Create(f.ctx, &bestedm.MaillistParams{Name: listSubject, Status: bestedm.MaillistEnabled})
	wantAPIError(t, err, "add_maillist_error")
	f.wantValidation(t, "subject", func() error {
		_, err := f.c.Maillist.Create(f.ctx, &bestedm.MaillistParams{Name: " ", Status: bestedm.MaillistEnabled})
		return err
	})

	lists, err = f.c.Maillist.List(f.ctx)
	require.NoError(t, err)
	require.Len(t, lists, f.lists0+1)
	assert.Equal(t, bestedm.Maillist{ID: f.list, Name: listSubject, Description: listDesc, Status: bestedm.MaillistEnabled, InputStatus: "0"}, lists[f.lists0])

	_, err = f.c.Maillist.Update(f.ctx, f.list, &bestedm.MaillistParams{Description: listDesc + "（已更新）", Status: bestedm.MaillistDisabled})
	require.NoError(t, err)
	got, err := f.c.Maillist.Get(f.ctx, f.list)
	require.NoError(t, err)
	assert.Equal(t, &bestedm.Maillist{ID: f.list, Name: listSubject, Description: listDesc + "（已更新）", Status: bestedm.MaillistDisabled}, got)
	_, err = f.c.Maillist.Update(f.ctx, f.list, &bestedm.MaillistParams{Status: bestedm.MaillistEnabled})
	require.NoError(t, err)
	_, err = f.c.Maillist.Update(f.ctx, f.list, &bestedm.MaillistParams{Name: "新闻订阅"})
	wantAPIError(t, err, "update_maillist_error")
	got, err = f.c.Maillist.Get(f.ctx, f.list)
	require.NoError(t, err)
	assert.Equal(t, listSubject, got.Name, "a refused edit changes nothing")
	assert.Equal(t, bestedm.MaillistEnabled, got.Status)
}

// bulkEmail is the n-th address of the batch import.
func bulkEmail(n int) string { return fmt.Sprintf("bulk%03d@e2e.example.com", n) }

func (f *flow) listCount(t *testing.T) int64 {
	t.Helper()
	m, err := f.c.Maillist.Get(f.ctx, f.list)
	require.NoError(t, err)
	return m.Count
}

func (f *flow) addAddresses(t *testing.T) {
	zhang := bestedm.Address{
		Email: "zhang.san@e2e.example.com", Name: "张三", Sex: bestedm.SexMale, Birthday: f.date(1990, 3, 15),
		Phone: "13800138000", Area: "广东省深圳市", Var1: "金卡会员", Var2: "12345",
	}
	res, err := f.c.Maillist.AddAddress(f.ctx, f.list, zhang)
	require.NoError(t, err)
	require.Positive(t, res.ID, "return_id=1 gives the new id")
	f.single = res.ID
	f.members.add(zhang.Email, zhang.Name)
	_, err = f.c.Maillist.AddAddress(f.ctx, f.list, bestedm.Address{Email: zhang.Email})
	wantAPIError(t, err, "address_exists")

	// A few hundred addresses in batches of 64: five requests.
	var bulk []bestedm.Address
	for i := 0; i < 300; i++ {
		a := bestedm.Address{Email: bulkEmail(i), Name: fmt.Sprintf("批量用户%03d", i), Var1: fmt.Sprintf("批次%d", i/64+1)}
		if i%2 == 0 {
			a.Sex = bestedm.SexFemale
		}
		bulk = append(bulk, a)
		f.members.add(a.Email, a.Name)
	}
	var seen []bestedm.AddressBatch
	rep, err := f.c.Maillist.AddAddresses(f.ctx, f.list, slices.Values(bulk), &bestedm.AddressAddOptions{
		BatchSize: 64, OnBatch: func(b bestedm.AddressBatch) { seen = append(seen, b) },
	})
	require.NoError(t, err)
	assert.Equal(t, 300, rep.Added)
	require.Len(t, rep.Batches, 5)
	assert.Equal(t, rep.Batches, seen)
	for i, b := range rep.Batches {
		assert.Equal(t, i+1, b.Index)
		assert.Equal(t, min(64, 300-64*i), b.Count)
		assert.Equal(t, fmt.Sprintf("成功添加 %d 个地址，过滤无效地址 0 个，重复地址 0 个", b.Count), b.Result.Message)
	}
	var batchLines []int
	for _, r := range f.srv.Requests() {
		if r.Action == "ml-addr-add" && r.Form.Has("ml_addr") {
			assert.Equal(t, "POST", r.Method)
			assert.Equal(t, strconv.FormatInt(f.list, 10), r.Query.Get("list_id"))
			batchLines = append(batchLines, len(strings.Split(r.Form.Get("ml_addr"), "\n")))
		}
	}
	assert.Equal(t, []int{64, 64, 64, 64, 44}, batchLines)
	assert.Equal(t, int64(301), f.listCount(t))

	// A file: 18 new addresses, one already in the list, one invalid.
	var file bytes.Buffer
	file.WriteString("\ufeff")
	for i := 1; i <= 18; i++ {
		email, name := fmt.Sprintf("import%02d@e2e.example.com", i), fmt.Sprintf("导入用户%02d", i)
		fmt.Fprintf(&file, "%s\t%s\r\n", email, name)
		f.members.add(email, name)
	}
	file.WriteString(bulkEmail(1) + "\t重复\r\nnot-an-address\t无效\r\n")
	size := int64(file.Len())
	res, err = f.c.Maillist.ImportFile(f.ctx, f.list, bestedm.File{Name: "联系人.txt", Content: &file})
	require.NoError(t, err)
	assert.Equal(t, "文件导入完成：新增 18 个地址，过滤无效地址 1 个，重复地址 1 个", res.Message)
	req := f.last(t, "mloperate.php", "ml-addr-add-file")
	assert.Equal(t, []bestedmtest.RecordedFile{{Field: "file", Name: "联系人.txt", Size: size}}, req.Files)
	assert.Equal(t, int64(319), f.listCount(t))
}

func (f *flow) subscriptions(t *testing.T) {
	res, err := f.c.Maillist.Subscribe(f.ctx, f.list, bestedm.Subscriber{Email: "sub.single@e2e.example.com", Name: "订阅单个"})
	require.NoError(t, err)
	assert.Equal(t, "成功订阅 1 个地址，已订阅 0 个，无效地址 0 个", res.Message)
	f.members.add("sub.single@e2e.example.com", "订阅单个")
	req := f.last(t, "mloperate.php", "ml-sub")
	assert.Equal(t, "sub.single@e2e.example.com", req.Query.Get("address"))

	res, err = f.c.Maillist.Subscribe(f.ctx, f.list,
		bestedm.Subscriber{Email: "sub.a@e2e.example.com", Name: "订阅甲"},
		bestedm.Subscriber{Email: "sub.b@e2e.example.com"},
		bestedm.Subscriber{Email: "sub.c@e2e.example.com", Name: "订阅丙"},
		bestedm.Subscriber{Email: bulkEmail(2)},
	)
	require.NoError(t, err)
	assert.Equal(t, "成功订阅 3 个地址，已订阅 1 个，无效地址 0 个", res.Message)
	f.members.add("sub.a@e2e.example.com", "订阅甲")
	f.members.add("sub.b@e2e.example.com", "sub.b") // the local part, by default
	f.members.add("sub.c@e2e.example.com", "订阅丙")
	assert.Equal(t, "POST", f.last(t, "mloperate.php", "ml-sub").Method, "a batch travels in the body")
	assert.Equal(t, int64(323), f.listCount(t))

	_, err = f.c.Maillist.Unsubscribe(f.ctx, f.list, bulkEmail(299))
	require.NoError(t, err)
	res, err = f.c.Maillist.Unsubscribe(f.ctx, f.list, bulkEmail(298), bulkEmail(297), "outsider@e2e.example.com")
	require.NoError(t, err)
	assert.Equal(t, "成功退订 3 个地址", res.Message)
	for _, e := range []string{bulkEmail(299), bulkEmail(298), bulkEmail(297)} {
		f.members.remove(e)
	}
	f.unsubscribed = []string{bulkEmail(299), bulkEmail(298), bulkEmail(297), "outsider@e2e.example.com"}
	assert.Equal(t, int64(320), f.listCount(t))
	assert.Len(t, f.members.order, 320)
	f.wantValidation(t, "address", func() error {
		_, err := f.c.Maillist.Unsubscribe(f.ctx, f.list, "not-an-address")
		return err
	})
}

func emails(addrs []bestedm.Address) []string {
	out := make([]string, len(addrs))
	for i, a := range addrs {
		out[i] = a.Email
	}
	return out
}

func (f *flow) listAddresses(t *testing.T) {
	list := f.list
	// Keyword and paging: bulk010 … bulk019.
	page := func(n, limit int, keyword string) *bestedm.Page[bestedm.Address] {
		t.Helper()
		p, err := f.c.Maillist.ListAddressesPage(f.ctx, &bestedm.AddressListOptions{ListID: &list, Keyword: keyword, Page: n, Limit: limit})
		require.NoError(t, err)
		return p
	}
	p := page(1, 4, "bulk01")
	assert.Equal(t, int64(10), p.Total)
	assert.Equal(t, []string{bulkEmail(10), bulkEmail(11), bulkEmail(12), bulkEmail(13)}, emails(p.Items))
	p = page(3, 4, "bulk01")
	assert.Equal(t, int64(10), p.Total)
	assert.Equal(t, []string{bulkEmail(18), bulkEmail(19)}, emails(p.Items))
	p = page(4, 4, "bulk01")
	assert.Equal(t, int64(10), p.Total)
	assert.Empty(t, p.Items)
	assert.NotNil(t, p.Items)
	// The keyword matches names too, unpaged.
	p = page(0, 0, "订阅")
	assert.Equal(t, int64(3), p.Total)
	assert.Equal(t, []string{"sub.single@e2e.example.com", "sub.a@e2e.example.com", "sub.c@e2e.example.com"}, emails(p.Items))

	// The iterator walks every page and stops on the short one.
	mark := len(f.srv.Requests())
	var got []string
	for a, err := range f.c.Maillist.ListAddresses(f.ctx, &bestedm.AddressListOptions{ListID: &list, Keyword: "bulk2", Limit: 7}) {
		require.NoError(t, err)
		got = append(got, a.Email)
	}
	var want []string
	for i := 200; i < 297; i++ {
		want = append(want, bulkEmail(i))
	}
	assert.Equal(t, want, got)
	var pages []string
	for _, r := range f.srv.Requests()[mark:] {
		assert.Equal(t, "bulk2", r.Query.Get("keyword"))
		assert.Equal(t, "7", r.Query.Get("limit"))
		pages = append(pages, r.Query.Get("page"))
	}
	assert.Len(t, pages, 14, "97 addresses, 7 a page")
	assert.Equal(t, "14", pages[len(pages)-1])

	// The whole list, in id order, as the test built it.
	got = got[:0]
	for a, err := range f.c.Maillist.ListAddresses(f.ctx, &bestedm.AddressListOptions{ListID: &list}) {
		require.NoError(t, err)
		assert.Equal(t, f.list, a.ListID)
		assert.Equal(t, f.members.names[a.Email], a.Name, a.Email)
		assert.Equal(t, e2eStart.Unix(), a.Time.Unix(), "added now")
		f.members.ids[a.Email] = a.ID
		got = append(got, a.Email)
	}
	assert.Equal(t, f.members.order, got)

	// One address by id, every field.
	one, err := f.c.Maillist.ListAddressesPage(f.ctx, &bestedm.AddressListOptions{AddressID: f.single})
	require.NoError(t, err)
	assert.Equal(t, int64(1), one.Total)
	assert.Equal(t, []bestedm.Address{{
		ID: f.single, ListID: f.list, Email: "zhang.san@e2e.example.com", Name: "张三", Sex: bestedm.SexMale,
		Birthday: f.date(1990, 3, 15), Phone: "13800138000", Area: "广东省深圳市", Time: e2eStart.In(f.loc),
		Var1: "金卡会员", Var2: "12345",
	}}, one.Items)

	// list_id=0 is the unclassified addresses, not every list.
	p, err = f.c.Maillist.ListAddressesPage(f.ctx, &bestedm.AddressListOptions{ListID: bestedm.Ptr[int64](0)})
	require.NoError(t, err)
	assert.Equal(t, int64(5), p.Total)
	for _, a := range p.Items {
		assert.Zero(t, a.ListID)
	}
}

func (f *flow) updateAddress(t *testing.T) {
	_, err := f.c.Maillist.UpdateAddress(f.ctx, f.single, bestedm.Address{Name: "张三丰", Phone: "13900139000", Var3: "VIP"})
	require.NoError(t, err)
	f.members.names["zhang.san@e2e.example.com"] = "张三丰"
	one, err := f.c.Maillist.ListAddressesPage(f.ctx, &bestedm.AddressListOptions{AddressID: f.single})
	require.NoError(t, err)
	require.Len(t, one.Items, 1)
	a := one.Items[0]
	assert.Equal(t, "张三丰", a.Name)
	assert.Equal(t, "13900139000", a.Phone)
	assert.Equal(t, "VIP", a.Var3)
	assert.Equal(t, "金卡会员", a.Var1, "fields not sent are kept")
	assert.Equal(t, f.date(1990, 3, 15), a.Birthday)

	_, err = f.c.Maillist.UpdateAddress(f.ctx, f.single, bestedm.Address{Email: bulkEmail(0)})
	wantAPIError(t, err, "address_exists")
	f.wantValidation(t, "Address", func() error {
		_, err := f.c.Maillist.UpdateAddress(f.ctx, f.single, bestedm.Address{})
		return err
	})
}

func (f *flow) exportList(t *testing.T) {
	subs, err := f.c.Maillist.ExportSubscribers(f.ctx, f.list)
	require.NoError(t, err)
	assert.Equal(t, "text/plain; charset=utf-8", subs.ContentType())
	var got []bestedm.Subscriber
	for s, err := range subs.Rows() {
		require.NoError(t, err)
		got = append(got, s)
	}
	want := make([]bestedm.Subscriber, len(f.members.order))
	for i, e := range f.members.order {
		want[i] = bestedm.Subscriber{Email: e, Name: f.members.names[e]}
	}
	assert.Equal(t, want, got)

	unsubs, err := f.c.Maillist.ExportUnsubscribed(f.ctx, f.list)
	require.NoError(t, err)
	var gotU []bestedm.Unsubscription
	for u, err := range unsubs.Rows() {
		require.NoError(t, err)
		gotU = append(gotU, u)
	}
	var wantU []bestedm.Unsubscription
	for _, e := range f.unsubscribed {
		wantU = append(wantU, bestedm.Unsubscription{Time: e2eStart.In(f.loc), Email: e})
	}
	assert.Equal(t, wantU, gotU)
}

const tplAContent = `<html><body><p>尊敬的 {$fullname}：</p>` +
	`<p><a href="https://www.e2e.example.com/summer">查看活动</a> · ` +
	`<a href="https://www.e2e.example.com/coupon?id=7">领取优惠券</a></p></body></html>`

func (f *flow) templates(t *testing.T) {
	tpls, err := f.c.Template.List(f.ctx)
	require.NoError(t, err)
	f.tpls0 = len(tpls)

	price := bytes.Repeat([]byte("%PDF-1.4 价目表 "), 200)
	res, err := f.c.Template.Create(f.ctx, &bestedm.TemplateParams{
		Name: "E2E 夏季促销", Subjects: []string{"夏季促销，全场 7 折", "{$fullname}，您的夏季专属优惠"},
		Content: tplAContent, TextContent: "夏季促销：https://www.e2e.example.com/summer", Encoding: bestedm.EncodingBase64,
		Attachments: []bestedm.File{{Name: "价目表.pdf", Content: bytes.NewReader(price)}},
	})
	require.NoError(t, err)
	require.Positive(t, res.ID, "add-tpl answers the id in <data>")
	f.tplA = res.ID
	f.tplALinks = []string{"https://www.e2e.example.com/summer", "https://www.e2e.example.com/coupon?id=7"}
	req := f.last(t, "template.php", "add-tpl")
	assert.Equal(t, "POST", req.Method)
	assert.Equal(t, "夏季促销，全场 7 折|{$fullname}，您的夏季专属优惠", req.Form.Get("subject"))
	assert.Equal(t, tplAContent, req.Form.Get("content"))
	assert.Equal(t, []bestedmtest.RecordedFile{{Field: "file", Name: "价目表.pdf", Size: int64(len(price))}}, req.Files)

	res, err = f.c.Template.Create(f.ctx, &bestedm.TemplateParams{
		Name: "E2E 新品速递", Subjects: []string{"新品速递"},
		Content: `<p>新品上架：<a href="https://shop.e2e.example.com/new">立即查看</a></p>`,
	})
	require.NoError(t, err)
	f.tplB = res.ID
	f.wantValidation(t, "subject", func() error {
		_, err := f.c.Template.Create(f.ctx, &bestedm.TemplateParams{Name: "x", Subjects: []string{"a|b"}, Content: "x"})
		return err
	})

	tpls, err = f.c.Template.List(f.ctx)
	require.NoError(t, err)
	require.Len(t, tpls, f.tpls0+2)
	assert.Equal(t, []int64{f.tplA, f.tplB}, []int64{tpls[f.tpls0].ID, tpls[f.tpls0+1].ID})

	a, err := f.c.Template.Get(f.ctx, f.tplA)
	require.NoError(t, err)
	require.Len(t, a.Subjects, 2)
	require.Len(t, a.Attachments, 1)
	assert.Equal(t, &bestedm.Template{
		ID: f.tplA, UserID: f.cid, Name: "E2E 夏季促销",
		Subjects: []bestedm.Subject{{ID: a.Subjects[0].ID, Name: "夏季促销，全场 7 折"}, {ID: a.Subjects[0].ID + 1, Name: "{$fullname}，您的夏季专属优惠"}},
		Content:  tplAContent, ContentType: "html",
		Attachments: []bestedm.Attachment{{ID: a.Attachments[0].ID, Name: "价目表.pdf"}},
		Created:     e2eStart.In(f.loc),
	}, a)
	assert.Equal(t, tpls[f.tpls0], *a, "List and Get agree")

	// A minute later, a new name and one subject instead of two.
	f.clk.Advance(time.Minute)
	_, err = f.c.Template.Update(f.ctx, f.tplA, &bestedm.TemplateUpdateParams{Name: "E2E 夏季促销（修订）", Subjects: []string{"夏季促销，全场 6 折"}})
	require.NoError(t, err)
	a, err = f.c.Template.Get(f.ctx, f.tplA)
	require.NoError(t, err)
	assert.Equal(t, "E2E 夏季促销（修订）", a.Name)
	require.Len(t, a.Subjects, 1)
	assert.Equal(t, "夏季促销，全场 6 折", a.Subjects[0].Name)
	assert.Equal(t, tplAContent, a.Content, "content not sent is kept")
	assert.Equal(t, e2eStart.Add(time.Minute).Unix(), a.Updated.Unix())
	f.wantValidation(t, "TemplateUpdateParams", func() error {
		_, err := f.c.Template.Update(f.ctx, f.tplA, &bestedm.TemplateUpdateParams{TextContent: "only"})
		return err
	})
}

func (f *flow) attachments(t *testing.T) {
	_, err := f.c.Template.AddAttachments(f.ctx, f.tplA,
		bestedm.File{Name: "说明.txt", Content: strings.NewReader("活动说明")},
		bestedm.File{Name: "logo.png", Content: bytes.NewReader([]byte{0x89, 'P', 'N', 'G'})})
	require.NoError(t, err)
	// One request a file, under "file" (docs/wire-format.md#attachment-field).
	var files []bestedmtest.RecordedFile
	for _, r := range f.srv.Requests() {
		if r.Action == "tpl-attachment-add" {
			require.Len(t, r.Files, 1)
			files = append(files, r.Files...)
		}
	}
	assert.Equal(t, []bestedmtest.RecordedFile{{Field: "file", Name: "说明.txt", Size: 12}, {Field: "file", Name: "logo.png", Size: 4}}, files)
	a, err := f.c.Template.Get(f.ctx, f.tplA)
	require.NoError(t, err)
	require.Len(t, a.Attachments, 3)

	_, err = f.c.Template.DeleteAttachment(f.ctx, f.tplA, a.Attachments[0].ID)
	require.NoError(t, err)
	_, err = f.c.Template.DeleteAttachment(f.ctx, f.tplA, a.Attachments[0].ID)
	wantAPIError(t, err, "not_found")
	b, err := f.c.Template.Get(f.ctx, f.tplA)
	require.NoError(t, err)
	assert.Equal(t, a.Attachments[1:], b.Attachments)

	_, err = f.c.Template.AddAttachments(f.ctx, f.tplB, bestedm.File{Name: "a.txt", Content: strings.NewReader("a")})
	require.NoError(t, err)
	_, err = f.c.Template.DeleteAttachments(f.ctx, f.tplB)
	require.NoError(t, err)
	assert.Equal(t, "all", f.last(t, "template.php", "tpl-attachment-del").Query.Get("attachment_id"))
	b, err = f.c.Template.Get(f.ctx, f.tplB)
	require.NoError(t, err)
	assert.Empty(t, b.Attachments)
}

func (f *flow) countTasks(t *testing.T) int {
	t.Helper()
	n := 0
	for _, err := range f.c.Task.List(f.ctx, nil) {
		require.NoError(t, err)
		n++
	}
	return n
}

func (f *flow) createTasks(t *testing.T) {
	f.tasks0 = f.countTasks(t)
	f.send1 = f.clk.Now().Add(10 * time.Minute).Truncate(time.Minute)
	res, err := f.c.Task.Create(f.ctx, &bestedm.TaskParams{
		TemplateIDs: []int64{f.tplA}, SendAccount: "marketing@mail.example.com", SendFullname: "示例科技",
		MaillistID: f.list, Status: bestedm.TaskWaiting, Time: f.send1, TrackStatus: bestedm.TrackOpensAndClicks,
	})
	require.NoError(t, err)
	require.Positive(t, res.ID)
	assert.Equal(t, "添加群发任务成功!", res.Message)
	f.task1 = res.ID
	req := f.last(t, "task.php", "add-task")
	assert.Equal(t, f.send1.In(f.loc).Format("2006-01-02 15:04"), req.Query.Get("time"))
	assert.Equal(t, strconv.FormatInt(f.tplA, 10), req.Query.Get("tpl_id"))

	tomorrow := f.date(2024, 5, 21).Add(9 * time.Hour)
	res, err = f.c.Task.Create(f.ctx, &bestedm.TaskParams{
		TemplateIDs: []int64{f.tplA, f.tplB}, SendDomain: "mail.example.com", SendAccount: bestedm.SendAccountAll,
		MaillistID: f.list, SendQty: 100, Status: bestedm.TaskHold, Time: tomorrow, SubsLink: bestedm.Ptr(false), TrackStatus: bestedm.TrackOpens,
	})
	require.NoError(t, err)
	f.task2 = res.ID
	req = f.last(t, "task.php", "add-task")
	assert.Equal(t, fmt.Sprintf("%d,%d", f.tplA, f.tplB), req.Query.Get("tpl_id"))
	assert.Equal(t, "0", req.Query.Get("subs_link"))

	_, err = f.c.Task.Create(f.ctx, &bestedm.TaskParams{
		TemplateIDs: []int64{f.tplA}, SendDomain: "nowhere.example.com", SendAccount: "all", MaillistID: f.list, Time: tomorrow,
	})
	wantAPIError(t, err, "not_found")
	f.wantValidation(t, "send_domain", func() error {
		_, err := f.c.Task.Create(f.ctx, &bestedm.TaskParams{TemplateIDs: []int64{f.tplA}, SendDomain: "all",
			SendAccount: "marketing@mail.example.com", MaillistID: f.list, Time: tomorrow})
		return err
	})
	assert.Equal(t, f.tasks0+2, f.countTasks(t))

	t1, err := f.c.Task.Get(f.ctx, f.task1)
	require.NoError(t, err)
	assert.NotEmpty(t, t1.SN)
	assert.Equal(t, &bestedm.Task{
		ID: f.task1, SN: t1.SN, AcctType: bestedm.SenderScopeAddress, AcctAddress: "marketing@mail.example.com",
		Sender: "marketing@mail.example.com", SenderName: "示例科技", ReplyTo: "marketing@mail.example.com",
		Templates:  []bestedm.TaskTemplate{{ID: f.tplA, Name: "E2E 夏季促销（修订）"}},
		TemplateID: f.tplA, TemplateIDs: []int64{f.tplA}, ListIDs: []int64{f.list},
		AddrType: bestedm.RecipientsList, ListID: f.list, ListName: listSubject, SendQtyActual: 320,
		SendTime: f.send1.In(f.loc), SendStatus: bestedm.SendWaiting, TrackStatus: bestedm.TrackOpensAndClicks,
	}, t1)

	t2, err := f.c.Task.Get(f.ctx, f.task2)
	require.NoError(t, err)
	assert.Equal(t, bestedm.SenderScopeDomain, t2.AcctType)
	assert.Equal(t, "mail.example.com", t2.AcctDomain)
	assert.Empty(t, t2.Sender)
	assert.Equal(t, []bestedm.TaskTemplate{{ID: f.tplA, Name: "E2E 夏季促销（修订）"}, {ID: f.tplB, Name: "E2E 新品速递"}}, t2.Templates)
	assert.Equal(t, int64(100), t2.SendQty)
	assert.Equal(t, int64(100), t2.SendQtyActual)
	assert.Equal(t, bestedm.SendHeld, t2.SendStatus)
	assert.Equal(t, tomorrow, t2.SendTime)
}

func (f *flow) listTasks(t *testing.T) {
	total := f.tasks0 + 2
	p, err := f.c.Task.ListPage(f.ctx, &bestedm.TaskListOptions{Page: 1, Limit: 5})
	require.NoError(t, err)
	assert.Len(t, p.Items, 5)
	p, err = f.c.Task.ListPage(f.ctx, &bestedm.TaskListOptions{Page: 3, Limit: 5})
	require.NoError(t, err)
	require.Len(t, p.Items, total-10)
	assert.Equal(t, []int64{f.task1, f.task2}, []int64{p.Items[len(p.Items)-2].ID, p.Items[len(p.Items)-1].ID})

	mark := len(f.srv.Requests())
	var ids []int64
	for task, err := range f.c.Task.List(f.ctx, &bestedm.TaskListOptions{Limit: 4}) {
		require.NoError(t, err)
		ids = append(ids, task.ID)
	}
	assert.Len(t, ids, total)
	assert.True(t, slices.IsSorted(ids))
	assert.Len(t, f.srv.Requests()[mark:], (total+3)/4, "pages of 4 until a short one")

	held, err := f.c.Task.ListPage(f.ctx, &bestedm.TaskListOptions{SendStatus: bestedm.SendHeld})
	require.NoError(t, err)
	assert.Len(t, held.Items, 2, "the generated held task and task2")
	for _, task := range held.Items {
		assert.Equal(t, bestedm.SendHeld, task.SendStatus)
	}
	assert.Equal(t, f.task2, held.Items[1].ID)

	today := f.date(2024, 5, 20)
	byDay, err := f.c.Task.ListPage(f.ctx, &bestedm.TaskListOptions{Date: today})
	require.NoError(t, err)
	require.Len(t, byDay.Items, 2, "the generated task sending now, and task1")
	assert.Equal(t, bestedm.SendInProgress, byDay.Items[0].SendStatus)
	assert.Equal(t, f.task1, byDay.Items[1].ID)

	// §2.1 shows the same tasks, one template each.
	daily, err := f.c.Task.Find(f.ctx, &bestedm.TaskFindOptions{Date: today})
	require.NoError(t, err)
	require.Len(t, daily, 2)
	for i, task := range daily {
		assert.Equal(t, byDay.Items[i].ID, task.ID)
		assert.Equal(t, byDay.Items[i].SendCount, task.SendCount)
		assert.Equal(t, byDay.Items[i].Templates[0].ID, task.TemplateID)
		assert.Empty(t, task.Templates)
	}
	assert.Equal(t, "E2E 夏季促销（修订）", daily[1].TemplateName)
	none, err := f.c.Task.Find(f.ctx, &bestedm.TaskFindOptions{Date: f.date(2020, 1, 1)})
	require.NoError(t, err)
	assert.Empty(t, none)
	assert.NotNil(t, none)
}

func (f *flow) updateTasks(t *testing.T) {
	_, err := f.c.Task.Update(f.ctx, f.task1, &bestedm.TaskUpdateParams{SendFullname: "示例科技 E2E", SendReplyTo: "reply@e2e.example.com"})
	require.NoError(t, err)
	t1, err := f.c.Task.Get(f.ctx, f.task1)
	require.NoError(t, err)
	assert.Equal(t, "示例科技 E2E", t1.SenderName)
	assert.Equal(t, "reply@e2e.example.com", t1.ReplyTo)
	assert.Equal(t, bestedm.SendWaiting, t1.SendStatus)

	qty, track := 50, bestedm.TrackOpensAndClicks
	_, err = f.c.Task.Update(f.ctx, f.task2, &bestedm.TaskUpdateParams{SendQty: &qty, TrackStatus: &track})
	require.NoError(t, err)
	t2, err := f.c.Task.Get(f.ctx, f.task2)
	require.NoError(t, err)
	assert.Equal(t, int64(50), t2.SendQty)
	assert.Equal(t, int64(50), t2.SendQtyActual, "the recipients are fixed again")
	assert.Equal(t, bestedm.TrackOpensAndClicks, t2.TrackStatus)
	assert.Equal(t, bestedm.SendHeld, t2.SendStatus)
	f.wantValidation(t, "send_status", func() error {
		_, err := f.c.Task.Update(f.ctx, f.task2, &bestedm.TaskUpdateParams{SendStatus: bestedm.SendFinished})
		return err
	})
}

func (f *flow) send(t *testing.T) {
	// Halfway: 320 recipients at 100 ms each take 32 s.
	f.clk.Set(f.send1.Add(16 * time.Second))
	t1, err := f.c.Task.Get(f.ctx, f.task1)
	require.NoError(t, err)
	assert.Equal(t, bestedm.SendInProgress, t1.SendStatus)
	assert.Equal(t, int64(160), t1.SendCount)
	assert.Equal(t, f.send1.In(f.loc), t1.TimeStart)
	assert.True(t, t1.TimeEnd.IsZero())
	_, err = f.c.Task.Update(f.ctx, f.task1, &bestedm.TaskUpdateParams{SendFullname: "too late"})
	wantAPIError(t, err, "task_status_error")

	// Two days later: sent, and the recipients have opened and clicked.
	f.clk.Set(e2eStart.Add(48 * time.Hour))
	t1, err = f.c.Task.Get(f.ctx, f.task1)
	require.NoError(t, err)
	assert.Equal(t, bestedm.SendFinished, t1.SendStatus)
	assert.Equal(t, int64(320), t1.SendCount)
	assert.Equal(t, f.send1.Add(32*time.Second).In(f.loc), t1.TimeEnd)
	assert.Positive(t, t1.ErrorCount, "seed 1 fails some recipients")
	assert.Less(t, t1.ErrorCount, t1.SendCount)
	t2, err := f.c.Task.Get(f.ctx, f.task2)
	require.NoError(t, err)
	assert.Equal(t, bestedm.SendHeld, t2.SendStatus, "a held task never starts")
	assert.Zero(t, t2.SendCount)

	svc, err := f.c.Account.ServiceInfo(f.ctx)
	require.NoError(t, err)
	assert.LessOrEqual(t, svc.QuotaLeft, f.quotaBefore-(t1.SendCount-t1.ErrorCount), "the delivered messages are charged")
}

func (f *flow) tracking(t *testing.T) {
	t1, err := f.c.Task.Get(f.ctx, f.task1)
	require.NoError(t, err)
	ov, err := f.c.Track.Overview(f.ctx, bestedm.TaskByID(f.task1))
	require.NoError(t, err)
	assert.Equal(t, f.task1, ov.TaskID)
	assert.Equal(t, t1.SN, ov.TaskSN)
	assert.Positive(t, ov.TrackID)
	assert.Equal(t, t1.SendCount, ov.SendCount)
	assert.Equal(t, t1.ErrorCount, ov.ErrorSendCount)
	assert.Equal(t, ov.SendCount, ov.RealSendCount+ov.ErrorSendCount)
	assert.Positive(t, ov.OpenUnique)
	assert.Positive(t, ov.ClickUnique)
	assert.LessOrEqual(t, ov.OpenUnique, ov.RealSendCount, "only delivered mail is opened")
	assert.LessOrEqual(t, ov.OpenUnique, ov.OpenTotal)
	assert.LessOrEqual(t, ov.ClickUnique, ov.OpenUnique, "clickers opened")
	assert.LessOrEqual(t, ov.ClickUnique, ov.ClickTotal)
	// The ratios are percentages of send_count, to two decimals.
	percent := func(n int64) string { return fmt.Sprintf("%.2f", float64(n)*100/float64(ov.SendCount)) }
	assert.Equal(t, percent(ov.OpenUnique), strconv.FormatFloat(ov.OpenRatio, 'f', 2, 64))
	assert.Equal(t, percent(ov.ClickUnique), strconv.FormatFloat(ov.ClickRatio, 'f', 2, 64))
	now := f.clk.Now()
	assert.False(t, ov.OpenFirst.Before(t1.TimeStart))
	assert.False(t, ov.OpenLast.Before(ov.OpenFirst))
	assert.False(t, ov.OpenLast.After(now))
	assert.False(t, ov.ClickFirst.Before(ov.OpenFirst))
	assert.False(t, ov.ClickLast.After(now))
	var urls []string
	var linkClicks int64
	for _, l := range ov.Links {
		urls = append(urls, l.URL)
		linkClicks += l.ClickTotal
		assert.LessOrEqual(t, l.ClickUnique, ov.ClickUnique)
	}
	assert.Equal(t, f.tplALinks, urls, "the links of the task's template")
	assert.Equal(t, ov.ClickTotal, linkClicks)

	byIdent, err := f.c.Track.Overview(f.ctx, bestedm.TaskByIdent(t1.SN))
	require.NoError(t, err)
	assert.Equal(t, ov, byIdent)

	// Opens: one record a recipient who opened.
	var opens []bestedm.OpenDetail
	for o, err := range f.c.Track.Opens(f.ctx, bestedm.TaskByID(f.task1)) {
		require.NoError(t, err)
		opens = append(opens, o)
	}
	assert.Len(t, opens, int(ov.OpenUnique))
	var openTotal, clickTotal, clickers int64
	first := now
	for _, o := range opens {
		openTotal += o.OpenTotal
		clickTotal += o.ClickTotal
		if o.ClickTotal > 0 {
			clickers++
		}
		assert.GreaterOrEqual(t, o.OpenTotal, int64(1))
		assert.Equal(t, o.ClickTotal == 1, o.ClickTotal > 0 && o.ClickLast.IsZero(), "click_last is unset after one click, as recorded")
		assert.NotEmpty(t, o.Device)
		assert.False(t, o.AddrFirst.IsZero())
		assert.Equal(t, o.OpenTotal == 1, o.AddrLast.IsZero(), "addr_last is unset after one open, like ip_last")
		assert.Equal(t, f.members.ids[o.Email], o.EmailID, o.Email)
		assert.Equal(t, o.OpenTotal == 1, o.OpenLast.IsZero(), "open_last is unset after one open")
		if o.OpenFirst.Before(first) {
			first = o.OpenFirst
		}
	}
	assert.Equal(t, ov.OpenTotal, openTotal)
	assert.Equal(t, ov.ClickTotal, clickTotal)
	assert.Equal(t, ov.ClickUnique, clickers)
	assert.Equal(t, ov.OpenFirst, first)
	n := 0
	for _, err := range f.c.Track.Opens(f.ctx, bestedm.TaskByIdent(t1.SN)) {
		require.NoError(t, err)
		if n++; n == 3 {
			break // stop early: the rest of the body is dropped
		}
	}
	assert.Equal(t, 3, n)

	// Clicks: one record a recipient and link.
	clickEmails := map[string]bool{}
	var sum int64
	for c, err := range f.c.Track.Clicks(f.ctx, bestedm.TaskByID(f.task1), 0) {
		require.NoError(t, err)
		clickEmails[c.Email] = true
		sum += c.ClickTotal
		assert.Equal(t, int64(1), c.ClickUnique)
		assert.Contains(t, f.tplALinks, c.URL)
	}
	assert.Len(t, clickEmails, int(ov.ClickUnique))
	assert.Equal(t, ov.ClickTotal, sum)
	for _, l := range ov.Links {
		var unique, total int64
		for c, err := range f.c.Track.Clicks(f.ctx, bestedm.TaskByID(f.task1), l.LinkID) {
			require.NoError(t, err)
			assert.Equal(t, l.URL, c.URL)
			unique++
			total += c.ClickTotal
		}
		assert.Equal(t, l.ClickUnique, unique, l.URL)
		assert.Equal(t, l.ClickTotal, total, l.URL)
		stats, err := f.c.Track.LinkStats(f.ctx, bestedm.TaskByID(f.task1), l.LinkID)
		require.NoError(t, err)
		assert.Equal(t, []bestedm.LinkStat{l}, stats)
	}
	stats, err := f.c.Track.LinkStats(f.ctx, bestedm.TaskByID(f.task1), 0)
	require.NoError(t, err)
	assert.Equal(t, ov.Links, stats)

	// The export: a row a recipient who opened, agreeing with Opens.
	byEmail := map[string]bestedm.OpenDetail{}
	for _, o := range opens {
		byEmail[o.Email] = o
	}
	rows := f.trackExport(t, &bestedm.TrackExportOptions{TrackID: ov.TrackID})
	assert.Len(t, rows, int(ov.OpenUnique))
	for _, r := range rows {
		email, _ := r.Get("email")
		o, ok := byEmail[email]
		require.True(t, ok, email)
		for name, want := range map[string]int64{"email_id": o.EmailID, "open_total": o.OpenTotal, "click_total": o.ClickTotal} {
			got, _ := r.Get(name)
			assert.Equal(t, strconv.FormatInt(want, 10), got, name)
		}
	}
	assert.Len(t, f.trackExport(t, &bestedm.TrackExportOptions{TrackID: ov.TrackID, ClickedOnly: true}), int(ov.ClickUnique))
	assert.Len(t, f.trackExport(t, &bestedm.TrackExportOptions{TrackID: ov.TrackID, LinkID: ov.Links[0].LinkID}), int(ov.Links[0].ClickUnique))
	one := f.trackExport(t, &bestedm.TrackExportOptions{TrackID: ov.TrackID, EmailID: opens[0].EmailID})
	require.Len(t, one, 1)
	email, _ := one[0].Get("email")
	assert.Equal(t, opens[0].Email, email)

	// task2 tracks but is held: nothing yet. An untracked task has no record.
	ov2, err := f.c.Track.Overview(f.ctx, bestedm.TaskByID(f.task2))
	require.NoError(t, err)
	assert.Zero(t, ov2.SendCount)
	assert.Zero(t, ov2.OpenUnique)
	assert.Len(t, ov2.Links, 3, "the links of both templates")
	for task, err := range f.c.Task.List(f.ctx, nil) {
		require.NoError(t, err)
		if task.TrackStatus == bestedm.TrackNone {
			_, err := f.c.Track.Overview(f.ctx, bestedm.TaskByID(task.ID))
			wantAPIError(t, err, "not_found")
			break
		}
	}
}

// trackExportNames are the fields of the fake's XML trackexport rows.
var trackExportNames = []string{"email_id", "email", "open_total", "click_total", "open_first", "open_last", "click_first", "click_last"}

func (f *flow) trackExport(t *testing.T, opts *bestedm.TrackExportOptions) []bestedm.TrackExportRow {
	t.Helper()
	exp, err := f.c.Track.Export(f.ctx, opts)
	require.NoError(t, err)
	var rows []bestedm.TrackExportRow
	for r, err := range exp.Rows() {
		require.NoError(t, err)
		require.Equal(t, trackExportNames, r.Names)
		require.Len(t, r.Fields, len(trackExportNames))
		rows = append(rows, r)
	}
	return rows
}

// failures reads a failed-address export with kinds, opened by open
// (Statistic.ExportFailed or ExportAllFailures).
func (f *flow) failures(t *testing.T, open func(context.Context, *bestedm.FailureExportOptions) (*bestedm.Export[bestedm.FailedAddress], error), opts *bestedm.FailureExportOptions) []bestedm.FailedAddress {
	t.Helper()
	exp, err := open(f.ctx, opts)
	require.NoError(t, err)
	var rows []bestedm.FailedAddress
	for r, err := range exp.Rows() {
		require.NoError(t, err)
		rows = append(rows, r)
	}
	return rows
}

// exportText exports failed addresses in the document's text form, one
// address a line, and returns the addresses.
func (f *flow) exportText(t *testing.T, opts *bestedm.FailureExportOptions) []string {
	t.Helper()
	o := *opts
	o.Format = bestedm.FormatText
	exp, err := f.c.Statistic.ExportFailed(f.ctx, &o)
	require.NoError(t, err)
	var rows []string
	for r, err := range exp.Rows() {
		require.NoError(t, err)
		rows = append(rows, r.Email)
	}
	return rows
}

func (f *flow) statistics(t *testing.T) {
	t1, err := f.c.Task.Get(f.ctx, f.task1)
	require.NoError(t, err)
	day := f.date(2024, 5, 20)

	batches, err := f.c.Statistic.Batches(f.ctx, &bestedm.BatchListOptions{Date: day})
	require.NoError(t, err)
	require.Len(t, batches, 2, "the generated task sent today, and task1")
	var mine bestedm.BatchStat
	var total, failed, success, bounced int64
	for _, b := range batches {
		assert.Equal(t, day, b.TaskDate)
		assert.Equal(t, b.Total, b.Success+b.Failed)
		assert.LessOrEqual(t, b.EmailNotExist+b.OverQuota+b.UserReject, b.SendFailed, "kind 4 fails after sending too")
		assert.Equal(t, b.Failed, b.SendFailed+b.Invalid, "a failure bounced or was dropped before sending")
		assert.LessOrEqual(t, b.Total, b.TotalSum)
		assert.Zero(t, b.Rubbish)
		total, failed, success, bounced = total+b.Total, failed+b.Failed, success+b.Success, bounced+b.SendFailed
		if b.TaskID == f.task1 {
			mine = b
		}
	}
	assert.Equal(t, t1.SN, mine.TaskIdent)
	assert.Equal(t, t1.SendCount, mine.Total)
	assert.Equal(t, t1.ErrorCount, mine.Failed)
	assert.Equal(t, t1.SendCount, mine.TotalSum, "task1 is done: every address handled")
	byIdent, err := f.c.Statistic.Batches(f.ctx, &bestedm.BatchListOptions{Ident: t1.SN})
	require.NoError(t, err)
	assert.Equal(t, []bestedm.BatchStat{mine}, byIdent)
	byID, err := f.c.Statistic.Batches(f.ctx, &bestedm.BatchListOptions{TaskID: f.task1})
	require.NoError(t, err)
	assert.Equal(t, []bestedm.BatchStat{mine}, byID)
	f.wantValidation(t, "id", func() error {
		_, err := f.c.Statistic.Batches(f.ctx, &bestedm.BatchListOptions{TaskID: -1})
		return err
	})

	st, err := f.c.Statistic.Overview(f.ctx, day)
	require.NoError(t, err)
	assert.Equal(t, day, st.Date)
	assert.Equal(t, int64(len(batches)), st.WebQty)
	assert.Equal(t, total, st.WebCount)
	assert.Equal(t, failed, st.WebError)
	assert.Equal(t, success, int64(st.DeductedPoints))
	assert.Equal(t, bounced, st.SendError)
	assert.Equal(t, st.WebError-st.SendError, st.InvalidAddr+st.FormatError)
	assert.Equal(t, st.WebCount-st.InvalidAddr-st.FormatError, st.ActualSend)

	deds, err := f.c.Statistic.Deductions(f.ctx, day)
	require.NoError(t, err)
	require.Len(t, deds, int(st.WebQty))
	var sent int64
	var charged float64
	for _, d := range deds {
		assert.Equal(t, day, d.Date)
		assert.Equal(t, f.info.Company, d.Company)
		assert.Equal(t, "web群发", d.Kind)
		sent += d.SendNum
		charged += d.Total
	}
	assert.Equal(t, st.ActualSend, sent)
	assert.Equal(t, st.DeductedPoints, charged)

	all := f.exportText(t, &bestedm.FailureExportOptions{Date: day, Type: bestedm.FailureAll, TaskID: f.task1})
	assert.Len(t, all, int(t1.ErrorCount))
	for _, e := range all {
		assert.Contains(t, f.members.names, e)
	}
	notExist := f.exportText(t, &bestedm.FailureExportOptions{Date: day, Type: bestedm.FailureNotExist, TaskIdent: t1.SN})
	assert.Len(t, notExist, int(mine.EmailNotExist))
	invalid := f.exportText(t, &bestedm.FailureExportOptions{Date: day, Type: bestedm.FailureInvalidAddress})
	assert.Len(t, invalid, int(st.InvalidAddr), "every task of the day")
	f.wantValidation(t, "task_id", func() error {
		_, err := f.c.Statistic.ExportFailed(f.ctx, &bestedm.FailureExportOptions{Date: day, Type: bestedm.FailureOverQuota})
		return err
	})

	// The same failures with their kinds, as JSON and as XML: each kind
	// counts as stask.php counts it.
	for _, format := range []bestedm.ExportFormat{"", bestedm.FormatXML} {
		kinds := map[bestedm.FailureType]int64{}
		for _, r := range f.failures(t, f.c.Statistic.ExportFailed, &bestedm.FailureExportOptions{Date: day, Type: bestedm.FailureAll, TaskID: f.task1, Format: format}) {
			assert.Contains(t, f.members.names, r.Email)
			assert.NotEmpty(t, r.Description)
			kinds[r.Kind]++
		}
		assert.Equal(t, mine.EmailNotExist, kinds[bestedm.FailureNotExist], format)
		assert.Equal(t, mine.OverQuota, kinds[bestedm.FailureOverQuota], format)
		assert.Equal(t, mine.UserReject, kinds[bestedm.FailureUserReject], format)
		assert.Equal(t, mine.SendFailed-mine.EmailNotExist-mine.OverQuota-mine.UserReject, kinds[bestedm.FailureTemporary], format)
		assert.Equal(t, mine.Invalid, kinds[bestedm.FailureInvalidAddress]+kinds[bestedm.FailureFormatError], format)
	}
	// A range of days holds the day's failures and those of the days after.
	week := f.failures(t, f.c.Statistic.ExportFailed, &bestedm.FailureExportOptions{Date: day.AddDate(0, 0, -6), DateEnd: day, Type: bestedm.FailureAll})
	assert.Greater(t, len(week), int(st.WebError), "the generated tasks of the week failed too")
	// failexportall.php: every failure of the day, each with its task.
	everything := f.failures(t, f.c.Statistic.ExportAllFailures, &bestedm.FailureExportOptions{Date: day})
	assert.Len(t, everything, int(st.WebError))
	byTask := map[int64]int64{}
	for _, r := range everything {
		assert.NotZero(t, r.Kind)
		byTask[r.TaskID]++
	}
	for _, b := range batches {
		assert.Equal(t, b.Failed, byTask[b.TaskID], "task %d", b.TaskID)
	}
	one := f.failures(t, f.c.Statistic.ExportAllFailures, &bestedm.FailureExportOptions{Date: day, TaskIdent: t1.SN, Type: bestedm.FailureNotExist})
	assert.Len(t, one, int(mine.EmailNotExist))
	f.wantValidation(t, "date_end", func() error {
		_, err := f.c.Statistic.ExportAllFailures(f.ctx, &bestedm.FailureExportOptions{Date: day, DateEnd: day.AddDate(0, 0, -1)})
		return err
	})

	// The quota left is the quota bought minus every day's deductions.
	var deducted float64
	for d := day.AddDate(0, 0, -10); !d.After(day.AddDate(0, 0, 2)); d = d.AddDate(0, 0, 1) {
		st, err := f.c.Statistic.Overview(f.ctx, d)
		require.NoError(t, err)
		deducted += st.DeductedPoints
	}
	svc, err := f.c.Account.ServiceInfo(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, svc.QuotaBought-int64(deducted), svc.QuotaLeft)
}

func (f *flow) mailboxes(t *testing.T, d *bestedm.DomainService, domain string) []string {
	t.Helper()
	var out []string
	for m, err := range d.Mailboxes(f.ctx, &bestedm.MailboxListOptions{Domain: domain, Limit: 2}) {
		require.NoError(t, err)
		assert.Equal(t, m.Name+"@"+m.Domain, m.Address)
		out = append(out, m.Address)
	}
	return out
}

func (f *flow) domains(t *testing.T) {
	d := f.c.Domain
	list, err := d.List(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, []bestedm.Domain{{CustomerID: 0, Name: "edm.example.net"}, {CustomerID: f.cid, Name: "mail.example.com"}, {CustomerID: f.cid, Name: "news.example.com"}}, list)
	assert.True(t, list[0].IsSystem())

	p, err := d.MailboxesPage(f.ctx, nil)
	require.NoError(t, err)
	assert.Len(t, p.Items, 3)
	p, err = d.MailboxesPage(f.ctx, &bestedm.MailboxListOptions{Page: 2, Limit: 2})
	require.NoError(t, err)
	assert.Equal(t, []bestedm.Mailbox{{CustomerID: f.cid, Domain: "news.example.com", Name: "news", Address: "news@news.example.com"}}, p.Items)
	assert.Equal(t, []string{"service@mail.example.com", "marketing@mail.example.com", "news@news.example.com"}, f.mailboxes(t, d, ""))

	const pw1, pw2 = "E2e-Pass!1", "E2e-Pass!2"
	_, err = d.AddMailbox(f.ctx, "e2e@news.example.com", pw1)
	require.NoError(t, err)
	req := f.last(t, "bs.php", "mailbox-add")
	assert.Equal(t, "POST", req.Method)
	assert.Equal(t, pw1, req.Form.Get("pwd"))
	assert.False(t, req.Query.Has("pwd"), "a mailbox password never rides in the URL")
	assert.Equal(t, []string{"news@news.example.com", "e2e@news.example.com"}, f.mailboxes(t, d, "news.example.com"))
	_, err = d.AddMailbox(f.ctx, "e2e@news.example.com", pw1)
	wantAPIError(t, err, "mailbox_exists")
	assert.NotContains(t, err.Error(), pw1)
	_, err = d.UpdateMailbox(f.ctx, "e2e@news.example.com", pw2)
	require.NoError(t, err)
	_, err = d.AddMailbox(f.ctx, "x@edm.example.net", pw1)
	wantAPIError(t, err, "not_found")
	_, err = d.Add(f.ctx, f.cid, "e2e.example.org")
	wantAPIError(t, err, "permission_denied")
	_, err = d.DeleteMailbox(f.ctx, "e2e@news.example.com")
	require.NoError(t, err)
	assert.Equal(t, []string{"news@news.example.com"}, f.mailboxes(t, d, "news.example.com"))
	_, err = d.DeleteMailbox(f.ctx, "e2e@news.example.com")
	wantAPIError(t, err, "not_found")
}

func (f *flow) managerDomains(t *testing.T) {
	d := f.mgr.Domain.ForCustomer(f.cid)
	_, err := d.Add(f.ctx, f.cid, "E2E.example.org")
	require.NoError(t, err)
	_, err = d.Add(f.ctx, f.cid, "e2e.example.org")
	wantAPIError(t, err, "domain_exists")
	want := []bestedm.Domain{{CustomerID: 0, Name: "edm.example.net"}, {CustomerID: f.cid, Name: "mail.example.com"}, {CustomerID: f.cid, Name: "news.example.com"}, {CustomerID: f.cid, Name: "e2e.example.org"}}
	list, err := d.List(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, want, list)
	list, err = f.c.Domain.List(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, want, list, "the customer sees the domain the administrator added")

	_, err = d.AddMailbox(f.ctx, "info@e2e.example.org", "Info-Pass!1")
	require.NoError(t, err)
	_, err = d.UpdateMailbox(f.ctx, "info@e2e.example.org", "Info-Pass!2")
	require.NoError(t, err)
	assert.Equal(t, []string{"info@e2e.example.org"}, f.mailboxes(t, d, "e2e.example.org"))
	assert.Equal(t, []string{"info@e2e.example.org"}, f.mailboxes(t, f.c.Domain, "e2e.example.org"))

	other := f.mgr.Domain.ForCustomer(f.cid + 1)
	list, err = other.List(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, []bestedm.Domain{{CustomerID: 0, Name: "edm.example.net"}, {CustomerID: f.cid + 1, Name: "shop.example.org"}}, list)
	assert.Equal(t, []string{"sales@shop.example.org"}, f.mailboxes(t, other, ""))
	f.wantValidation(t, "customer_id", func() error {
		_, err := d.Add(f.ctx, f.cid+1, "elsewhere.example.org")
		return err
	})
	_, err = f.mgr.Domain.List(f.ctx)
	wantAPIError(t, err, "permission_denied")

	_, err = d.DeleteMailbox(f.ctx, "info@e2e.example.org")
	require.NoError(t, err)
	_, err = d.AddMailbox(f.ctx, "sales@e2e.example.org", "Sales-Pass!1")
	require.NoError(t, err)
	_, err = d.Delete(f.ctx, f.cid, "e2e.example.org")
	require.NoError(t, err)
	list, err = d.List(f.ctx)
	require.NoError(t, err)
	assert.Equal(t, want[:3], list)
	assert.Empty(t, f.mailboxes(t, d, "e2e.example.org"), "a deleted domain takes its mailboxes")

	admin := f.srv.Manager()
	for _, r := range f.srv.Requests() {
		if r.Username != admin.Username {
			continue
		}
		assert.Equal(t, "bs.php", r.Script)
		if r.Action != "domain-list" || r.Query.Has("customer_id") {
			assert.Equal(t, "manager", r.Query.Get("user_type"), r.Action)
		}
	}
}

func (f *flow) cleanUp(t *testing.T) {
	before := f.listCount(t)
	_, err := f.c.Maillist.DeleteAddress(f.ctx, f.single)
	require.NoError(t, err)
	assert.Equal(t, before-1, f.listCount(t))
	p, err := f.c.Maillist.ListAddressesPage(f.ctx, &bestedm.AddressListOptions{AddressID: f.single})
	require.NoError(t, err)
	assert.Zero(t, p.Total)
	assert.Empty(t, p.Items)
	_, err = f.c.Maillist.DeleteAddress(f.ctx, f.single)
	wantAPIError(t, err, "not_found")

	for _, id := range []int64{f.task1, f.task2} {
		_, err := f.c.Task.Delete(f.ctx, id)
		require.NoError(t, err)
		_, err = f.c.Task.Get(f.ctx, id)
		assert.ErrorIs(t, err, bestedm.ErrNotFound)
		_, err = f.c.Task.Delete(f.ctx, id)
		wantAPIError(t, err, "not_found")
	}
	assert.Equal(t, f.tasks0, f.countTasks(t))

	for _, id := range []int64{f.tplA, f.tplB} {
		_, err := f.c.Template.Delete(f.ctx, id)
		require.NoError(t, err)
		_, err = f.c.Template.Get(f.ctx, id)
		assert.ErrorIs(t, err, bestedm.ErrNotFound)
	}
	tpls, err := f.c.Template.List(f.ctx)
	require.NoError(t, err)
	assert.Len(t, tpls, f.tpls0)

	res, err := f.c.Maillist.Empty(f.ctx, f.list)
	require.NoError(t, err)
	assert.Equal(t, fmt.Sprintf("清空联系人分类成功，删除 %d 个地址", before-1), res.Message)
	assert.Zero(t, f.listCount(t))
	exp, err := f.c.Maillist.ExportSubscribers(f.ctx, f.list)
	require.NoError(t, err)
	for _, err := range exp.Rows() {
		t.Errorf("a row in the export of an empty list (err %v)", err)
	}

	_, err = f.c.Maillist.Delete(f.ctx, f.list)
	require.NoError(t, err)
	_, err = f.c.Maillist.Get(f.ctx, f.list)
	wantAPIError(t, err, "not_found")
	_, err = f.c.Maillist.ExportUnsubscribed(f.ctx, f.list)
	wantAPIError(t, err, "not_found")
	lists, err := f.c.Maillist.List(f.ctx)
	require.NoError(t, err)
	assert.Len(t, lists, f.lists0)
}

// e2eCalls are the 45 calls of the document, as script and do= action
// (§4.9.1 and §4.9.2 are both ml-addr-add), and failexportall.php, which
// production clients call: the flow makes every one.
var e2eCalls = []string{
	"account.php customer-info", "account.php service-info",
	"task.php list-task", "statistic.php ", "failexport.php ", "failexportall.php ", "stask.php ", "deduction.php ",
	"track.php overview", "track.php open-detail", "track.php click-detail", "trackexport.php ", "track.php link-stat",
	"mloperate.php maillist-list", "mloperate.php maillist-detail", "mloperate.php maillist-add", "mloperate.php maillist-edit",
	"mloperate.php maillist-del", "mloperate.php subscription-export", "mloperate.php unsubscribe-export",
	"mloperate.php ml-addr-list", "mloperate.php ml-addr-add", "mloperate.php ml-addr-add-file", "mloperate.php ml-addr-edit",
	"mloperate.php ml-addr-del", "mloperate.php ml-addr-empty", "mloperate.php ml-sub", "mloperate.php ml-unsub",
	"task.php add-task", "template.php add-tpl", "template.php list-tpl", "template.php del-tpl", "template.php edit-tpl",
	"template.php tpl-attachment-add", "template.php tpl-attachment-del",
	"task.php task-list", "task.php edit-task", "task.php del-task",
	"bs.php domain-list", "bs.php domain-add", "bs.php domain-del", "bs.php mailbox-list", "bs.php mailbox-add",
	"bs.php mailbox-del", "bs.php mailbox-edit",
}

// requests checks how every request of the flow authenticated, and that
// the flow made every call of the document.
func (f *flow) requests(t *testing.T) {
	cust, admin := f.srv.Customer(), f.srv.Manager()
	want := bestedmtest.AuthSchemeBasic
	if f.mode == bestedm.AuthQuery {
		want = bestedmtest.AuthSchemeQuery
	}
	seen := map[string]bool{}
	reqs := f.srv.Requests()
	require.NotEmpty(t, reqs)
	for _, r := range reqs {
		seen[r.Script+" "+r.Action] = true
		assert.Equal(t, want, r.Auth, "%s %s", r.Script, r.Action)
		creds := cust
		if r.Username == admin.Username {
			creds = admin
		}
		assert.Equal(t, creds.Username, r.Username)
		switch want {
		case bestedmtest.AuthSchemeBasic:
			assert.False(t, r.Query.Has("password") || r.Query.Has("username"), "no credentials in the URL")
		case bestedmtest.AuthSchemeQuery:
			assert.Empty(t, r.Header.Get("Authorization"))
			assert.Equal(t, r.Username, r.Query.Get("username"))
			assert.Equal(t, creds.PasswordHash(), r.Query.Get("password"))
		}
		assert.Empty(t, r.Fault)
	}
	for _, call := range e2eCalls {
		assert.True(t, seen[call], "the flow never called %s", call)
	}
	assert.Len(t, seen, len(e2eCalls), "no call outside the document and failexportall.php")
}

// TestEndToEndProductionForms runs the call forms production clients use
// and the document does not show against the fake: a task sending to
// several lists with several templates, read back by task-list (<listes>),
// and list-task by id, ident and state without a date.
func TestEndToEndProductionForms(t *testing.T) {
	f := newFlow(t, bestedm.AuthBasic)
	lists, err := f.c.Maillist.List(f.ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(lists), 2)
	tpls, err := f.c.Template.List(f.ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, len(tpls), 2)
	domains, err := f.c.Domain.List(f.ctx)
	require.NoError(t, err)
	require.NotEmpty(t, domains)

	listIDs := []int64{lists[0].ID, lists[1].ID}
	tplIDs := []int64{tpls[0].ID, tpls[1].ID}
	res, err := f.c.Task.Create(f.ctx, &bestedm.TaskParams{TemplateIDs: tplIDs, SendDomain: domains[0].Name, SendAccount: "all",
		MaillistIDs: listIDs, Status: bestedm.TaskHold, Time: e2eStart.Add(48 * time.Hour)})
	require.NoError(t, err)
	require.Positive(t, res.ID)
	assert.Equal(t, fmt.Sprint(listIDs[0])+","+fmt.Sprint(listIDs[1]), f.last(t, "task.php", "add-task").Query.Get("maillist_id"))

	got, err := f.c.Task.Get(f.ctx, res.ID)
	require.NoError(t, err)
	assert.Equal(t, listIDs, got.ListIDs)
	assert.Equal(t, []bestedm.TaskList{{ID: lists[0].ID, Name: lists[0].Name}, {ID: lists[1].ID, Name: lists[1].Name}}, got.Lists)
	assert.Equal(t, tplIDs, got.TemplateIDs)

	byID, err := f.c.Task.Find(f.ctx, &bestedm.TaskFindOptions{ID: res.ID})
	require.NoError(t, err)
	require.Len(t, byID, 1)
	assert.Equal(t, tplIDs, byID[0].TemplateIDs, "tpl_id carries every template id")
	assert.Equal(t, listIDs, byID[0].ListIDs)
	assert.Equal(t, tplIDs[0], byID[0].TemplateID)

	byIdent, err := f.c.Task.Find(f.ctx, &bestedm.TaskFindOptions{Ident: got.SN})
	require.NoError(t, err)
	require.Len(t, byIdent, 1)
	assert.Equal(t, res.ID, byIdent[0].ID)

	held, err := f.c.Task.Find(f.ctx, &bestedm.TaskFindOptions{State: bestedm.SendHeld})
	require.NoError(t, err)
	require.NotEmpty(t, held)
	for _, tk := range held {
		assert.Equal(t, bestedm.SendHeld, tk.SendStatus)
	}
	assert.Equal(t, url.Values{"do": {"list-task"}, "state": {"-1"}}, f.last(t, "task.php", "list-task").Query)

	// edit-task moves it to one list.
	_, err = f.c.Task.Update(f.ctx, res.ID, &bestedm.TaskUpdateParams{MaillistIDs: listIDs[1:]})
	require.NoError(t, err)
	got, err = f.c.Task.Get(f.ctx, res.ID)
	require.NoError(t, err)
	assert.Equal(t, listIDs[1:], got.ListIDs)
	assert.Empty(t, got.Lists, "<listes> only for a task of several lists")
}

// Against the fake: the name with separators is stored whole.
func TestSubscribeNameSeparatorsFake(t *testing.T) {
	srv := bestedmtest.NewServer(t)
	client := srv.Client()
	ctx := context.Background()
	lists, err := client.Maillist.List(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, lists)
	listID := lists[0].ID
	const email = "li.lei.sub@example.com"
	_, err = client.Maillist.Subscribe(ctx, listID, bestedm.Subscriber{Email: email, Name: "李雷, VIP; 2024"})
	require.NoError(t, err)
	var got []string
	for a, err := range client.Maillist.ListAddresses(ctx, &bestedm.AddressListOptions{ListID: &listID}) {
		require.NoError(t, err)
		if a.Email == email {
			got = append(got, a.Name)
		}
	}
	assert.Equal(t, []string{"李雷, VIP; 2024"}, got)
}
