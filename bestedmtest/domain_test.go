package bestedmtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

func domainsOf(t *testing.T, r resp) []string {
	t.Helper()
	var out []string
	for _, d := range r.xml(t).all("data") {
		out = append(out, d.get("customer_id")+" "+d.get("domain"))
	}
	return out
}

func TestManagerMode(t *testing.T) {
	s := newTest(t)
	a, m := customerAPI(t, s), managerAPI(t, s)
	cid := s.Customer().CustomerID
	other := id(cid + 1)

	assert.Equal(t, []string{"0 edm.example.net", id(cid) + " mail.example.com", id(cid) + " news.example.com"}, domainsOf(t, a.get("bs.php", "domain-list")))
	assert.Equal(t, []string{"0 edm.example.net", other + " shop.example.org"},
		domainsOf(t, m.get("bs.php", "domain-list", "user_type", "manager", "customer_id", other)))
	assert.Equal(t, "permission_denied", m.get("bs.php", "domain-list").status(t), "manager credentials need user_type=manager")

	// The administrator adds a domain for the other customer; it is theirs only.
	m.get("bs.php", "domain-add", "customer_id", other, "domain", "Outlet.Example.org").ok(t)
	assert.Equal(t, "domain_exists", m.get("bs.php", "domain-add", "customer_id", id(cid), "domain", "outlet.example.org").status(t))
	assert.Equal(t, "param_error", m.get("bs.php", "domain-add", "customer_id", other, "domain", "no_dot").status(t))
	assert.Equal(t, "param_error", m.get("bs.php", "domain-add", "domain", "x.example.org").status(t))
	assert.Contains(t, domainsOf(t, m.get("bs.php", "domain-list", "user_type", "manager", "customer_id", other)), other+" outlet.example.org")
	assert.NotContains(t, domainsOf(t, a.get("bs.php", "domain-list")), other+" outlet.example.org")

	// Mailboxes in manager mode.
	mgr := func(pairs ...string) []string {
		return append([]string{"user_type", "manager", "customer_id", other}, pairs...)
	}
	m.get("bs.php", "mailbox-add", mgr("mailbox", "Deals@outlet.example.org", "pwd", "secret1")...).ok(t)
	assert.Equal(t, "mailbox_exists", m.get("bs.php", "mailbox-add", mgr("mailbox", "deals@outlet.example.org", "pwd", "x")...).status(t))
	assert.Equal(t, "not_found", a.get("bs.php", "mailbox-add", "mailbox", "me@outlet.example.org", "pwd", "x").status(t), "not the customer's domain")
	boxes := m.get("bs.php", "mailbox-list", mgr("domain", "outlet.example.org")...).xml(t).all("data")
	if assert.Len(t, boxes, 1) {
		assert.Equal(t, other, boxes[0].get("customer_id"))
		assert.Equal(t, "deals", boxes[0].get("name"))
		assert.Equal(t, "deals@outlet.example.org", boxes[0].get("mailbox"))
	}
	assert.Len(t, m.get("bs.php", "mailbox-list", mgr()...).xml(t).all("data"), 2)
	m.get("bs.php", "mailbox-edit", mgr("mailbox", "deals@outlet.example.org", "pwd", "secret2")...).ok(t)
	assert.Equal(t, "secret2", with(s, func(st *state) string { return st.mailbox(cid+1, "deals@outlet.example.org").pwd }))

	// Paging, 30 a page by default.
	for i := 0; i < 32; i++ {
		a.get("bs.php", "mailbox-add", "mailbox", "u"+id(int64(i))+"@news.example.com", "pwd", "p").ok(t)
	}
	assert.Len(t, a.get("bs.php", "mailbox-list").xml(t).all("data"), 35, "no page: all")
	assert.Len(t, a.get("bs.php", "mailbox-list", "page", "1").xml(t).all("data"), 30)
	assert.Len(t, a.get("bs.php", "mailbox-list", "page", "2").xml(t).all("data"), 5)
	assert.Len(t, a.get("bs.php", "mailbox-list", "domain", "news.example.com", "page", "2", "limit", "10").xml(t).all("data"), 10)

	// Deleting a domain deletes its mailboxes.
	m.get("bs.php", "domain-del", "customer_id", other, "domain", "outlet.example.org").ok(t)
	assert.Empty(t, m.get("bs.php", "mailbox-list", mgr("domain", "outlet.example.org")...).xml(t).Children)
	assert.Equal(t, "not_found", m.get("bs.php", "domain-del", "customer_id", other, "domain", "outlet.example.org").status(t))
	assert.Equal(t, "not_found", m.get("bs.php", "mailbox-del", mgr("mailbox", "deals@outlet.example.org")...).status(t))
}
