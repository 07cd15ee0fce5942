package bestedmtest

import (
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestStoredSeedAndInspect: what a test adds directly is what the API
// answers, and what a client writes through the API is what the reads show.
func TestStoredSeedAndInspect(t *testing.T) {
	clk := fixedClock()
	s := NewServer(t, WithClock(clk))
	a := customerAPI(t, s)
	lists0, tasks0 := len(s.Lists()), len(s.Tasks())

	lid := s.AddList(StoredList{Name: "seeded", Description: "from the test"})
	off := s.AddList(StoredList{Name: "off", Disabled: true})
	got := s.Lists()
	require.Len(t, got, lists0+2)
	assert.Equal(t, StoredList{ID: lid, Name: "seeded", Description: "from the test", Created: testNow}, got[lists0])
	assert.True(t, got[lists0+1].Disabled)
	item := a.get("mloperate.php", "maillist-detail", "id", id(off)).xml(t)
	assert.Equal(t, []string{"off", "disabled"}, []string{item.get("subject"), item.get("status")})

	birthday := time.Date(1990, 3, 2, 0, 0, 0, 0, chinaZone)
	aid := s.AddAddress(StoredAddress{ListID: lid, Email: "li@example.com", Name: "李雷", Sex: "M", Birthday: birthday,
		Vars: [10]string{"gold"}})
	a.get("mloperate.php", "ml-addr-add", "list_id", id(lid), "address", "han@example.com", "fullname", "韩梅梅").ok(t)
	addrs := s.Addresses(lid)
	require.Len(t, addrs, 2)
	assert.Equal(t, StoredAddress{ID: aid, ListID: lid, Email: "li@example.com", Name: "李雷", Sex: "M", Birthday: birthday,
		Vars: [10]string{"gold"}, Created: testNow}, addrs[0])
	assert.Equal(t, []string{"han@example.com", "韩梅梅"}, []string{addrs[1].Email, addrs[1].Name}, "an API write shows in Addresses")
	rec := a.get("mloperate.php", "ml-addr-list", "list_id", id(lid)).xml(t)
	assert.Equal(t, "2", rec.get("total_num"))
	assert.Equal(t, "1990-03-02", rec.all("addr")[0].get("birthday"))
	assert.Empty(t, s.Addresses(999999), "a list that does not exist has no addresses")

	tid := s.AddTemplate(StoredTemplate{Name: "seeded tpl", Subjects: []string{"Hello", " ", "Hi"},
		Content: `<a href="https://example.com/a">a</a>`, Attachments: []StoredAttachment{{Name: "a.pdf", Size: 3}}})
	tpls := s.Templates()
	tpl := tpls[len(tpls)-1]
	assert.Equal(t, tid, tpl.ID)
	assert.Equal(t, []string{"Hello", "Hi"}, tpl.Subjects, "blank subjects are dropped")
	require.Len(t, tpl.Attachments, 1)
	assert.Equal(t, int64(3), tpl.Attachments[0].Size)
	assert.NotZero(t, tpl.Attachments[0].ID)
	assert.Len(t, a.get("template.php", "list-tpl", "tpl_id", id(tid)).xml(t).all("template"), 1)

	// A task over the two lists, started at once: it sends by the clock.
	other := s.AddList(StoredList{Name: "other"})
	s.AddAddress(StoredAddress{ListID: other, Email: "LI@example.com"}) // the same address: sent once
	s.AddAddress(StoredAddress{ListID: other, Email: "wang@example.com"})
	task := s.AddTask(StoredTask{TemplateIDs: []int64{tid}, ListIDs: []int64{lid, other}, SendAccount: "marketing@mail.example.com",
		Status: 2, TrackStatus: 2})
	tasks := s.Tasks()
	require.Len(t, tasks, tasks0+1)
	tk := tasks[tasks0]
	assert.Equal(t, []any{task, []int64{lid, other}, 3, 0, 2}, []any{tk.ID, tk.ListIDs, tk.Recipients, tk.Sent, tk.Status})
	assert.Equal(t, "2", a.get("task.php", "task-list", "id", id(task)).xml(t).all("task")[0].get("send_status"))
	clk.Advance(time.Minute)
	tk = s.Tasks()[tasks0]
	assert.Equal(t, []int{3, 3}, []int{tk.Sent, tk.Status}, "done by the clock")

	cid := s.Customer().CustomerID
	s.AddDomain(StoredDomain{CustomerID: cid, Name: "Seeded.example.org"})
	s.AddMailbox(StoredMailbox{CustomerID: cid, Address: "promo@seeded.example.org", Password: "pw"})
	assert.Contains(t, s.Domains(), StoredDomain{CustomerID: cid, Name: "seeded.example.org"})
	assert.Contains(t, s.Mailboxes(), StoredMailbox{CustomerID: cid, Address: "promo@seeded.example.org", Password: "pw"})
	assert.Contains(t, a.get("bs.php", "mailbox-list", "domain", "seeded.example.org").body, "promo")
}

// TestStoredMisuse: a mistake in the seed fails the test through its TB;
// on a server from Start it panics.
func TestStoredMisuse(t *testing.T) {
	s := newTest(t)
	tb := &fatalTB{TB: t}
	s.tb = tb
	lists := len(s.Lists())
	cid := s.Customer().CustomerID
	assert.Zero(t, s.AddList(StoredList{}))
	assert.Zero(t, s.AddList(StoredList{Name: s.Lists()[0].Name}))
	assert.Zero(t, s.AddAddress(StoredAddress{Email: "not-an-address"}))
	assert.Zero(t, s.AddAddress(StoredAddress{ListID: 999999, Email: "a@example.com"}))
	assert.Zero(t, s.AddAddress(StoredAddress{Email: "x@example.com", Sex: "X"}))
	assert.Zero(t, s.AddTemplate(StoredTemplate{Name: "no subject", Content: "x"}))
	assert.Zero(t, s.AddTemplate(StoredTemplate{Name: "n", Subjects: []string{"s"}, Content: "x", Encoding: "7bit"}))
	assert.Zero(t, s.AddTask(StoredTask{TemplateIDs: []int64{999999}, ListIDs: []int64{s.Lists()[0].ID}, SendAccount: "all"}))
	assert.Zero(t, s.AddTask(StoredTask{TemplateIDs: []int64{s.Templates()[0].ID}, ListIDs: []int64{999999}, SendAccount: "all"}))
	assert.Zero(t, s.AddTask(StoredTask{TemplateIDs: []int64{s.Templates()[0].ID}, ListIDs: []int64{s.Lists()[0].ID}, SendAccount: "all", Status: 3}))
	s.AddDomain(StoredDomain{CustomerID: cid, Name: "no dot"})
	s.AddMailbox(StoredMailbox{CustomerID: cid, Address: "a@not-owned.example"})
	assert.Len(t, tb.fatal, 12)
	assert.Equal(t, "bestedmtest: AddList: name \"\" is empty or in use", tb.fatal[0])
	assert.Len(t, s.Lists(), lists, "nothing was added")
	s.tb = t

	p, err := Start()
	require.NoError(t, err)
	defer p.Close()
	assert.PanicsWithValue(t, "bestedmtest: AddAddress: invalid email \"nope\"", func() { p.AddAddress(StoredAddress{Email: "nope"}) })
}

// TestStoredConcurrent: seeding and reading while clients call the API is
// safe (run with -race) and loses nothing.
func TestStoredConcurrent(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)
	lid := s.AddList(StoredList{Name: "busy"})
	const workers, each = 4, 25
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				s.AddAddress(StoredAddress{ListID: lid, Email: fmt.Sprintf("w%d-%d@example.com", w, i)})
				_ = s.Lists()
				_ = s.Tasks()
				if _, err := a.tryGet("mloperate.php", "ml-addr-list", "list_id", id(lid)); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	assert.Len(t, s.Addresses(lid), workers*each)
	assert.Equal(t, fmt.Sprint(workers*each), a.get("mloperate.php", "ml-addr-list", "list_id", id(lid)).xml(t).get("total_num"))
}
