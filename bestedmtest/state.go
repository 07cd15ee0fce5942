package bestedmtest

import (
	"strings"
	"time"
)

// chinaZone is the server's wall clock: every time in a reply, and every
// time and date in a request, is read in UTC+8.
var chinaZone = time.FixedZone("UTC+8", 8*60*60)

// customer is an account that logs in to the customer scripts.
type customer struct {
	id                              int64
	username, password              string
	company, contact, phone, mobile string
	email, im, address              string
	serviceStatus, serviceType      string
	sendType                        string
	beginning, expiration           time.Time
	qtyBuyTotal                     int64
}

type maillist struct {
	id                           int64
	subject, description, status string
	created                      time.Time
}

type address struct {
	id, listID           int64 // listID 0: unclassified
	email, fullname, sex string
	phone, area          string
	birthday             time.Time
	vars                 [10]string
	created              time.Time
}

// unsub is one line of the unsubscribe export (§4.7).
type unsub struct {
	listID int64
	email  string
	at     time.Time
}

type subject struct {
	id   int64
	name string
}

type attachment struct {
	id   int64
	name string
	size int64
}

type template struct {
	id                             int64
	name                           string
	subjects                       []subject
	content, textContent, encoding string
	attachments                    []attachment
	created, updated               time.Time
}

// recipient is one address a task sends to, fixed when the task is created
// (or its list or quantity edited), so later list edits do not rewrite
// history.
type recipient struct {
	addrID int64
	email  string
}

type link struct {
	id  int64
	url string
}

// Task statuses (§2.1, §6.1). taskSendNow is add-task's status=2: start at
// once, whatever the time parameter says.
const (
	taskHold      = -1
	taskWaiting   = 1
	taskSending   = 2
	taskDone      = 3
	taskPaused    = -2
	taskCancelled = -3
)

type task struct {
	id, trackID             int64
	sn                      string
	tplIDs                  []int64
	tplNames                []string // names when the task was created, for deleted templates
	sendDomain, sendAccount string
	sendFullname, replyTo   string
	listID                  int64 // the first list
	listName                string
	moreLists               []int64 // further lists, maillist_id "5,8"
	sendQty                 int64
	sendQtyStart            int64 // send_qty_start: the first address of the send_qty, from 1; 0 as 1
	status                  int   // as stored: 1, -1, 2 (send now), -2, -3
	sendTime, created       time.Time
	subsLink, trackStatus   int
	trackDomain             string
	recipients              []recipient
	links                   []link
	duration                time.Duration // how long sending takes
}

type domain struct {
	customerID int64 // 0: a system domain, usable by every customer
	name       string
}

type mailbox struct {
	customerID   int64
	domain, name string
	pwd          string
}

func (m *mailbox) address() string { return m.name + "@" + m.domain }

// state is everything the fake remembers. It is guarded by Server.mu.
type state struct {
	seed      uint64
	customers []*customer // customers[0] is the one whose credentials are handed out
	manager   struct{ username, password string }

	lists     []*maillist // ordered by id, as are the other slices
	addrs     []*address
	byEmail   map[addrKey]*address // the addrs by list and folded email; kept by putAddr, dropAddrs, renameAddr
	unsubs    []unsub
	templates []*template
	tasks     []*task
	domains   []*domain
	mailboxes []*mailbox
	next      counters
}

// counters hand out ids; each kind starts at its own believable base.
type counters struct {
	list, addr, tpl, subject, atta, task, track, link int64
}

func (st *state) main() *customer { return st.customers[0] }

func (st *state) customerByID(id int64) *customer {
	return find(st.customers, func(c *customer) bool { return c.id == id })
}

func (st *state) list(id int64) *maillist {
	return find(st.lists, func(l *maillist) bool { return l.id == id })
}

func (st *state) listBySubject(subject string) *maillist {
	return find(st.lists, func(l *maillist) bool { return l.subject == subject })
}

func (st *state) addr(id int64) *address {
	return find(st.addrs, func(a *address) bool { return a.id == id })
}

func (st *state) addrsOf(listID int64) []*address {
	var out []*address
	for _, a := range st.addrs {
		if a.listID == listID {
			out = append(out, a)
		}
	}
	return out
}

func (st *state) countOf(listID int64) int64 {
	var n int64
	for _, a := range st.addrs {
		if a.listID == listID {
			n++
		}
	}
	return n
}

func (st *state) template(id int64) *template {
	return find(st.templates, func(t *template) bool { return t.id == id })
}

func (st *state) task(id int64) *task {
	return find(st.tasks, func(t *task) bool { return t.id == id })
}

func (st *state) taskBySN(sn string) *task {
	return find(st.tasks, func(t *task) bool { return t.sn == sn })
}

func (st *state) taskByTrackID(id int64) *task {
	return find(st.tasks, func(t *task) bool { return t.trackID == id })
}

// domainsOf lists the domains a customer may send from: its own and the
// system's (customer_id 0), in that order.
func (st *state) domainsOf(customerID int64) []*domain {
	var own, sys []*domain
	for _, d := range st.domains {
		switch d.customerID {
		case customerID:
			own = append(own, d)
		case 0:
			sys = append(sys, d)
		}
	}
	return append(sys, own...)
}

func (st *state) domain(customerID int64, name string) *domain {
	return find(st.domains, func(d *domain) bool { return d.customerID == customerID && strings.EqualFold(d.name, name) })
}

func (st *state) anyDomain(name string) *domain {
	return find(st.domains, func(d *domain) bool { return strings.EqualFold(d.name, name) })
}

func (st *state) mailbox(customerID int64, addr string) *mailbox {
	return find(st.mailboxes, func(m *mailbox) bool { return m.customerID == customerID && strings.EqualFold(m.address(), addr) })
}

// removeFunc deletes the elements of s for which drop is true, keeping order.
func removeFunc[T any](s []T, drop func(T) bool) []T {
	out := s[:0]
	for _, v := range s {
		if !drop(v) {
			out = append(out, v)
		}
	}
	var zero T
	for i := len(out); i < len(s); i++ {
		s[i] = zero
	}
	return out
}

// find returns the first item that matches, or nil: every lookup above.
func find[T any](items []*T, match func(*T) bool) *T {
	for _, it := range items {
		if match(it) {
			return it
		}
	}
	return nil
}
