package bestedmtest

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// The Stored types are the server's data as a test seeds and inspects it
// directly, without going through the API: Add… methods put one in (the
// server sets the id and creation time), and the plural methods (Lists,
// Addresses, …) return copies in id order. They are plain values of this
// package, not the SDK's types, so that a test can compare what a client
// sent with what the server holds. On a server from NewServer a seeding
// mistake fails the test, so call the Add… methods from the test's
// goroutine; the reads are safe from any goroutine.

// StoredList is a contact list.
type StoredList struct {
	ID          int64
	Name        string // the list's subject (unique)
	Description string
	Disabled    bool // status "disabled"; a list is enabled unless said otherwise
	Created     time.Time
}

// StoredAddress is a contact in a list.
type StoredAddress struct {
	ID       int64
	ListID   int64  // 0: the unclassified addresses
	Email    string // required, unique in its list (case-insensitively)
	Name     string // the contact's full name
	Sex      string // "", "M" or "F"
	Phone    string
	Area     string
	Birthday time.Time  // zero: unset; only the day counts
	Vars     [10]string // var1 … var10
	Created  time.Time
}

// StoredAttachment is a file attached to a template.
type StoredAttachment struct {
	ID   int64
	Name string
	Size int64
}

// StoredTemplate is a mail template.
type StoredTemplate struct {
	ID          int64
	Name        string   // required
	Subjects    []string // at least one; a task picks among them
	Content     string   // the HTML or text body; its href links are what a task tracks
	TextContent string
	Encoding    string // "" (the service's default), "base64" or "quoted-printable"
	Attachments []StoredAttachment
	Created     time.Time
	Updated     time.Time // zero until edited
}

// StoredTask is a sending task. Status and Sent are read at the server's
// clock; AddTask takes Status as the stored intent (1 waiting, the
// default; 2 send at once; -1 held; -2 paused; -3 cancelled) and ignores
// Sent, Recipients and the ids the server sets.
type StoredTask struct {
	ID          int64
	SN          string  // the task's ident
	TemplateIDs []int64 // required, existing templates
	ListIDs     []int64 // required, existing lists; the task sends once to each address of their union
	SendAccount string  // a mailbox address, or "all" with SendDomain; required
	SendDomain  string
	// Status: 1 waiting, 2 sending, 3 done, -1 held, -2 paused, -3 cancelled.
	Status      int
	SendTime    time.Time // when a waiting task starts; zero on AddTask: now
	TrackStatus int       // 0 no tracking, 1 opens, 2 opens and clicks
	Recipients  int       // addresses fixed at creation
	Sent        int       // recipients handled so far
	Created     time.Time
}

// StoredDomain is a sender domain.
type StoredDomain struct {
	CustomerID int64 // 0: a system domain every customer may send from
	Name       string
}

// StoredMailbox is a sender mailbox of a customer's own domain.
type StoredMailbox struct {
	CustomerID int64  // required: the owner of the domain
	Address    string // required, "name@domain"
	Password   string
}

// misuse reports a seeding mistake: through the test's TB on a server from
// NewServer, as a panic on one from Start. It is called with s.mu held and
// relies on deferred unlocks (Fatalf ends the goroutine).
func (s *Server) misuse(format string, args ...any) {
	msg := "bestedmtest: " + fmt.Sprintf(format, args...)
	if s.tb != nil {
		s.tb.Helper()
		s.tb.Fatalf("%s", msg)
		return
	}
	panic(msg)
}

// AddList adds a contact list and returns its id. A name that is empty or
// already in use fails the test (panics on a server from Start).
func (s *Server) AddList(l StoredList) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l.Name == "" || s.st.listBySubject(l.Name) != nil {
		s.misuse("AddList: name %q is empty or in use", l.Name)
		return 0
	}
	status := "enabled"
	if l.Disabled {
		status = "disabled"
	}
	m := &maillist{id: s.st.newListID(), subject: l.Name, description: l.Description, status: status, created: s.now()}
	s.st.lists = append(s.st.lists, m)
	return m.id
}

// Lists returns the contact lists.
func (s *Server) Lists() []StoredList {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]StoredList, len(s.st.lists))
	for i, l := range s.st.lists {
		out[i] = StoredList{ID: l.id, Name: l.subject, Description: l.description, Disabled: l.status == "disabled", Created: l.created}
	}
	return out
}

// AddAddress adds a contact to list a.ListID (0: unclassified) and returns
// its id. An invalid email, an address already in the list, a list that
// does not exist or a Sex other than "", "M", "F" fails the test (panics on
// a server from Start).
func (s *Server) AddAddress(a StoredAddress) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case !validEmail(a.Email):
		s.misuse("AddAddress: invalid email %q", a.Email)
		return 0
	case a.ListID != 0 && s.st.list(a.ListID) == nil:
		s.misuse("AddAddress: no list %d", a.ListID)
		return 0
	case s.st.addrIn(a.ListID, a.Email) != nil:
		s.misuse("AddAddress: %s is already in list %d", a.Email, a.ListID)
		return 0
	case a.Sex != "" && a.Sex != "M" && a.Sex != "F":
		s.misuse("AddAddress: sex %q, want \"\", \"M\" or \"F\"", a.Sex)
		return 0
	}
	v := &address{id: s.st.newAddrID(), listID: a.ListID, email: a.Email, fullname: a.Name, sex: a.Sex,
		phone: a.Phone, area: a.Area, vars: a.Vars, created: s.now()}
	if !a.Birthday.IsZero() {
		v.birthday = startOfDay(a.Birthday)
	}
	s.st.putAddr(v)
	return v.id
}

// Addresses returns the contacts of list listID (0: the unclassified
// addresses), none for a list that does not exist.
func (s *Server) Addresses(listID int64) []StoredAddress {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []StoredAddress
	for _, a := range s.st.addrsOf(listID) {
		out = append(out, StoredAddress{ID: a.id, ListID: a.listID, Email: a.email, Name: a.fullname, Sex: a.sex,
			Phone: a.phone, Area: a.area, Birthday: a.birthday, Vars: a.vars, Created: a.created})
	}
	return out
}

// AddTemplate adds a template and returns its id; each attachment gets an
// id. A template without a name, a subject or content, or with an encoding
// other than "", "base64", "quoted-printable", fails the test (panics on a
// server from Start).
func (s *Server) AddTemplate(t StoredTemplate) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	var subjects []string
	for _, sub := range t.Subjects {
		if sub = strings.TrimSpace(sub); sub != "" {
			subjects = append(subjects, sub)
		}
	}
	switch {
	case t.Name == "" || len(subjects) == 0 || t.Content == "":
		s.misuse("AddTemplate: Name, Subjects and Content are required")
		return 0
	case t.Encoding != "" && t.Encoding != "base64" && t.Encoding != "quoted-printable":
		s.misuse("AddTemplate: encoding %q", t.Encoding)
		return 0
	}
	v := s.st.newTemplate(t.Name, strings.Join(subjects, "|"), t.Content, t.TextContent, t.Encoding, s.now())
	for _, a := range t.Attachments {
		v.attachments = append(v.attachments, s.st.newAttachment(a.Name, a.Size))
	}
	s.st.templates = append(s.st.templates, v)
	return v.id
}

// Templates returns the templates.
func (s *Server) Templates() []StoredTemplate {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]StoredTemplate, len(s.st.templates))
	for i, t := range s.st.templates {
		v := StoredTemplate{ID: t.id, Name: t.name, Content: t.content, TextContent: t.textContent, Encoding: t.encoding,
			Created: t.created, Updated: t.updated}
		for _, sub := range t.subjects {
			v.Subjects = append(v.Subjects, sub.name)
		}
		for _, a := range t.attachments {
			v.Attachments = append(v.Attachments, StoredAttachment{ID: a.id, Name: a.name, Size: a.size})
		}
		out[i] = v
	}
	return out
}

// AddTask adds a task, fixing its recipients (the lists' addresses now) and
// tracked links as add-task does, and returns its id. Templates or lists
// that do not exist, no SendAccount, or a Status outside 0, 1, 2, -1, -2,
// -3 fail the test (panics on a server from Start).
func (s *Server) AddTask(t StoredTask) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(t.TemplateIDs) == 0 || len(t.ListIDs) == 0 || t.SendAccount == "" {
		s.misuse("AddTask: TemplateIDs, ListIDs and SendAccount are required")
		return 0
	}
	for _, id := range t.TemplateIDs {
		if s.st.template(id) == nil {
			s.misuse("AddTask: no template %d", id)
			return 0
		}
	}
	lists := make([]*maillist, len(t.ListIDs))
	for i, id := range t.ListIDs {
		if lists[i] = s.st.list(id); lists[i] == nil {
			s.misuse("AddTask: no list %d", id)
			return 0
		}
	}
	status := t.Status
	switch status {
	case 0:
		status = taskWaiting
	case taskWaiting, taskSending, taskHold, taskPaused, taskCancelled:
	default:
		s.misuse("AddTask: status %d", t.Status)
		return 0
	}
	now := s.now()
	v := s.st.newTask(slices.Clone(t.TemplateIDs), lists[0], 0, now)
	if len(lists) > 1 {
		s.st.setList(v, lists[0], 0, lists[1:]...)
	}
	v.sendAccount, v.sendDomain, v.status, v.trackStatus, v.subsLink = t.SendAccount, t.SendDomain, status, t.TrackStatus, 1
	v.sendTime = t.SendTime
	if v.sendTime.IsZero() {
		v.sendTime = now
	}
	s.st.tasks = append(s.st.tasks, v)
	return v.id
}

// Tasks returns the tasks as they stand at the server's clock.
func (s *Server) Tasks() []StoredTask {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := s.now()
	out := make([]StoredTask, len(s.st.tasks))
	for i, t := range s.st.tasks {
		r := s.progress(t, now)
		out[i] = StoredTask{ID: t.id, SN: t.sn, TemplateIDs: slices.Clone(t.tplIDs), ListIDs: t.listIDs(),
			SendAccount: t.sendAccount, SendDomain: t.sendDomain, Status: r.status, SendTime: t.sendTime,
			TrackStatus: t.trackStatus, Recipients: len(t.recipients), Sent: len(r.outcomes), Created: t.created}
	}
	return out
}

// AddDomain adds a sender domain. An invalid name or one that exists fails
// the test (panics on a server from Start).
func (s *Server) AddDomain(d StoredDomain) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := strings.ToLower(d.Name)
	if !validDomain(name) || s.st.anyDomain(name) != nil {
		s.misuse("AddDomain: %q is invalid or exists", d.Name)
		return
	}
	s.st.domains = append(s.st.domains, &domain{customerID: d.CustomerID, name: name})
}

// Domains returns every sender domain, the system's and the customers'.
func (s *Server) Domains() []StoredDomain {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]StoredDomain, len(s.st.domains))
	for i, d := range s.st.domains {
		out[i] = StoredDomain{CustomerID: d.customerID, Name: d.name}
	}
	return out
}

// AddMailbox adds a sender mailbox on a domain of m.CustomerID's own. An
// invalid address, a domain the customer does not own, or a mailbox that
// exists fails the test (panics on a server from Start).
func (s *Server) AddMailbox(m StoredMailbox) {
	s.mu.Lock()
	defer s.mu.Unlock()
	addr := strings.ToLower(m.Address)
	name, dom, _ := strings.Cut(addr, "@")
	switch {
	case !validEmail(addr):
		s.misuse("AddMailbox: invalid address %q", m.Address)
	case m.CustomerID == 0 || s.st.domain(m.CustomerID, dom) == nil:
		s.misuse("AddMailbox: customer %d has no domain %q", m.CustomerID, dom)
	case s.st.mailbox(m.CustomerID, addr) != nil:
		s.misuse("AddMailbox: %s exists", addr)
	default:
		s.st.mailboxes = append(s.st.mailboxes, &mailbox{customerID: m.CustomerID, domain: dom, name: name, pwd: m.Password})
	}
}

// Mailboxes returns every sender mailbox.
func (s *Server) Mailboxes() []StoredMailbox {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]StoredMailbox, len(s.st.mailboxes))
	for i, m := range s.st.mailboxes {
		out[i] = StoredMailbox{CustomerID: m.customerID, Address: m.address(), Password: m.pwd}
	}
	return out
}
