package bestedm

import (
	"context"
	"errors"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/bestedm/bestedm-go/internal/xmlbind"
)

// TaskService handles sending tasks (doc §2.1, §5.1, §6).
type TaskService service

// SendStatus is the state the server reports a task in (send_status, doc
// §2.1 and §6.1), and a filter of the task lists; TaskStatus is the state
// asked for when a task is created, a narrower set with other numbers.
// The zero value is no state: as a filter it is not sent, which lists
// every state (the server's default, send_status=all).
type SendStatus int

// Values of SendStatus.
const (
	SendCancelled  SendStatus = -3 // 取消发送: cancelled (doc §6.1)
	SendPaused     SendStatus = -2 // 暂停发送: paused while sending (doc §6.1)
	SendHeld       SendStatus = -1 // 暂不发送: on hold, not to be sent yet
	SendWaiting    SendStatus = 1  // 等待发送: waiting for its send time
	SendInProgress SendStatus = 2  // 正在发送: sending
	SendFinished   SendStatus = 3  // 发送完成: finished
)

// TrackStatus says what a task tracks (track_status).
type TrackStatus int

// Values of TrackStatus.
const (
	TrackNone           TrackStatus = 0 // no tracking
	TrackOpens          TrackStatus = 1 // track opens
	TrackOpensAndClicks TrackStatus = 2 // track opens and link clicks
)

// TaskStatus is the state asked for when a task is created (status, doc
// §5.1); SendStatus is the state the server reports a task in afterwards.
// The zero value is not sent: the server then uses TaskWaiting.
type TaskStatus int

// Values of TaskStatus.
const (
	TaskHold    TaskStatus = -1 // created on hold: not sent until released
	TaskWaiting TaskStatus = 1  // sent at its send time (the server's default)
	TaskSendNow TaskStatus = 2  // sent at once
)

// RecipientSource says where a task's recipients come from (addr_type).
type RecipientSource int

// Values of RecipientSource.
const (
	RecipientsList         RecipientSource = 0 // the addresses of a contact list
	RecipientsSubscription RecipientSource = 1 // a list's subscribers (doc §4.13)
)

// SenderScope says which sender addresses a task sends from (acct_type,
// doc §6.1).
type SenderScope string

// Values of SenderScope.
const (
	SenderScopeAll     SenderScope = "all"     // every mailbox of every domain
	SenderScopeDomain  SenderScope = "domain"  // every mailbox of AcctDomain
	SenderScopeAddress SenderScope = "address" // the one mailbox AcctAddress
)

// Values of the send_account and send_domain parameters that mean every
// sender (doc §5.1): SendAccountAll sends from every mailbox of
// SendDomain; with SendDomainAll too, from every mailbox of every domain.
const (
	SendAccountAll = string(SenderScopeAll)
	SendDomainAll  = string(SenderScopeAll)
)

// Task is a sending task. It holds the fields of both task lists: doc §2.1
// (Find) and doc §6.1 (List, Get); a field the list does not send is
// left zero.
type Task struct {
	ID          int64       `xml:"id"`
	SN          string      `xml:"sn"`           // the task's serial number
	AcctType    SenderScope `xml:"acct_type"`    // §6.1 only
	AcctDomain  string      `xml:"acct_domain"`  // §6.1, when AcctType is "domain"
	AcctAddress string      `xml:"acct_address"` // §6.1, when AcctType is "address"
	Sender      string      `xml:"sender"`
	SenderName  string      `xml:"sender_name"`
	ReplyTo     string      `xml:"replyto"`

	// TemplateID and TemplateName are the template of a §2.1 task (the
	// first one when tpl_id holds several ids, "16,17"); Templates lists
	// every template of a §6.1 task. TemplateIDs holds every id: those of
	// tpl_id, or those of Templates when the reply has no tpl_id; the
	// first of them is TemplateID.
	TemplateID   int64          `xml:"-"`
	TemplateIDs  []int64        `xml:"-"`
	TemplateName string         `xml:"tpl_name"`
	Templates    []TaskTemplate `xml:"templates>template"`

	AddrType RecipientSource `xml:"addr_type"`
	// ListID is the task's contact list, the first one when list_id holds
	// several ids; ListIDs holds every id, those of list_id or, when the
	// reply has none, those of Lists.
	ListID   int64   `xml:"-"`
	ListIDs  []int64 `xml:"-"`
	ListName string  `xml:"list_name"`
	// Lists are the contact lists of a task that sends to several, from
	// task-list's <listes><item> (seen in production, not in the
	// document; see docs/wire-format.md). Empty when the reply has none.
	Lists []TaskList `xml:"listes>item"`

	// SendQty is the number of messages the user asked for, 0 for every
	// address of the list.
	SendQty int64 `xml:"send_qty"`
	// SendQtyActual is send_qty_remak (sic, for "remark"; the document's
	// prose spells it send_qty_remark, and both are read): the number of
	// addresses the task was actually created for. The document says that
	// when SendQty is 0 it holds the size of the list when the task was
	// added, so it is the quantity the task really sends to.
	SendQtyActual int64 `xml:"send_qty_remak|send_qty_remark"`

	SendTime  time.Time `xml:"send_time"`  // scheduled send time
	TimeStart time.Time `xml:"time_start"` // sending started; zero if not yet
	TimeEnd   time.Time `xml:"time_end"`   // sending ended; zero if not yet

	SendCount   int64       `xml:"send_count"`  // messages sent
	ErrorCount  int64       `xml:"error_count"` // messages that failed
	SendStatus  SendStatus  `xml:"send_status"`
	TrackStatus TrackStatus `xml:"track_status"`
}

// TaskTemplate is one template of a task (doc §6.1).
type TaskTemplate struct {
	ID   int64  `xml:"tpl_id"`
	Name string `xml:"tpl_name"`
}

// TaskList is one contact list of a task that sends to several
// (<listes><item>, seen in production).
type TaskList struct {
	ID   int64  `xml:"list_id"`
	Name string `xml:"list_name"`
}

// taskRecord is a <task> as it arrives: tpl_id and list_id may hold one id
// or several separated by commas ("16,17"), which no int64 field can take,
// so they are read as text and split by task().
type taskRecord struct {
	Task
	TplIDs  string `xml:"tpl_id"`
	ListIDs string `xml:"list_id"`
}

// task splits the id lists of r into its Task.
func (r *taskRecord) task() (Task, error) {
	t := r.Task
	var err error
	if t.TemplateIDs, err = splitIDs("tpl_id", r.TplIDs); err != nil {
		return Task{}, err
	}
	if t.ListIDs, err = splitIDs("list_id", r.ListIDs); err != nil {
		return Task{}, err
	}
	if len(t.TemplateIDs) == 0 {
		for _, tpl := range t.Templates {
			t.TemplateIDs = append(t.TemplateIDs, tpl.ID)
		}
	}
	if len(t.ListIDs) == 0 {
		for _, l := range t.Lists {
			t.ListIDs = append(t.ListIDs, l.ID)
		}
	}
	if len(t.TemplateIDs) > 0 {
		t.TemplateID = t.TemplateIDs[0]
	}
	if len(t.ListIDs) > 0 {
		t.ListID = t.ListIDs[0]
	}
	return t, nil
}

// splitIDs reads "16", "16,17" or "" (no id); spaces around ids are
// dropped.
func splitIDs(element, text string) ([]int64, error) {
	if strings.TrimSpace(text) == "" {
		return nil, nil
	}
	var ids []int64
	for _, part := range strings.Split(text, ",") {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		id, err := strconv.ParseInt(part, 10, 64)
		if err != nil {
			return nil, &xmlbind.FieldError{Element: element, Value: text, Err: errors.New("not a comma-separated list of integers")}
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// fetchTasks performs r and converts each <task> of its <task_list>.
func fetchTasks(ctx context.Context, c *Client, r *request, k keep) (*Page[Task], error) {
	p, err := fetchPage[taskRecord](ctx, c, r, "task_list", "task", k)
	if err != nil {
		return nil, err
	}
	out := &Page[Task]{Items: make([]Task, 0, len(p.Items)), Total: p.Total, TotalKnown: p.TotalKnown}
	for i := range p.Items {
		t, err := p.Items[i].task()
		if err != nil {
			// The body was read and is well-formed: name the call without
			// its parameters, which is all that is left to say.
			return nil, &DecodeError{Call: r.method + " " + r.script + "?do=" + r.action, Expected: "<task_list>", Err: err}
		}
		out.Items = append(out.Items, t)
	}
	return out, nil
}

// TaskListOptions filters and pages List. The zero value lists every task:
// with neither Page nor Limit the server returns all of them (doc §6.1).
type TaskListOptions struct {
	Page  int       `url:"page,omitempty"`  // from 1
	Limit int       `url:"limit,omitempty"` // tasks a page; server default 30
	Date  time.Time `url:"date,omitempty" layout:"2006-01-02"`
	// SendStatus keeps the tasks in one state; the zero value is not sent,
	// which lists every state (the server's default).
	SendStatus SendStatus `url:"send_status,omitempty"`
}

// TaskParams describes a new task (doc §5.1 and §6.2).
type TaskParams struct {
	// TemplateIDs are the templates to send, at least one (tpl_id, sent
	// comma-separated).
	TemplateIDs []int64 `url:"tpl_id,comma"`
	// SendDomain is the sender domain: a domain, or SendDomainAll for
	// every domain (then SendAccount must be SendAccountAll too). Optional
	// with one address.
	SendDomain string `url:"send_domain,omitempty"`
	// SendAccount is the sender address, or SendAccountAll for every
	// mailbox of SendDomain. Required.
	SendAccount  string `url:"send_account"`
	SendFullname string `url:"send_fullname,omitempty"` // sender name
	// MaillistID is the contact list; it or MaillistIDs is required.
	MaillistID int64 `url:"-"`
	// MaillistIDs are several contact lists to send to, sent with
	// MaillistID (first, when set) as one comma-separated maillist_id, as
	// production clients do (docs/wire-format.md).
	MaillistIDs []int64 `url:"-"`
	// SendQty is how many messages to send; 0 (not sent) means every
	// address of the list.
	SendQty int `url:"send_qty,omitempty"`
	// Status is the state the task starts in; 0 is not sent, which the
	// server takes as TaskWaiting.
	Status TaskStatus `url:"status,omitempty"`
	// Time is when to send; required. It is sent to the minute, in the
	// client's zone (see WithLocation).
	Time time.Time `url:"time" layout:"2006-01-02 15:04"`
	// SubsLink says whether to add an unsubscribe link; nil leaves the
	// server's default, which is to add it. Set it with bestedm.Ptr(false).
	SubsLink *bool `url:"subs_link,omitempty,int"`
	// TrackStatus is what to track. TrackNone is not sent: the server's
	// default is 0, the same thing, so a plain value is enough here (Update,
	// where 0 must be sendable to switch tracking off, takes a pointer).
	TrackStatus TrackStatus `url:"track_status,omitempty"`
	TrackDomain string      `url:"track_domain,omitempty"` // custom tracking link domain
}

// TaskUpdateParams changes a task (doc §6.3). Only the fields that are set
// are sent, and at least one must be. Empty strings are not sent, so a text
// field cannot be cleared; fields where 0 or false is a meaningful change
// are pointers, set with Ptr: SendQty: bestedm.Ptr(0) sends send_qty=0
// (every address), TrackStatus: bestedm.Ptr(bestedm.TrackNone) switches
// tracking off.
type TaskUpdateParams struct {
	TemplateIDs []int64 `url:"tpl_id,omitempty,comma"`
	// SendDomain SendDomainAll needs SendAccount SendAccountAll in the
	// same call.
	SendDomain   string `url:"send_domain,omitempty"`
	SendAccount  string `url:"send_account,omitempty"` // an address or SendAccountAll
	SendFullname string `url:"send_fullname,omitempty"`
	MaillistID   int64  `url:"-"`
	// MaillistIDs are several contact lists, sent with MaillistID as one
	// comma-separated maillist_id (see TaskParams.MaillistIDs).
	MaillistIDs []int64 `url:"-"`
	SendQty     *int    `url:"send_qty,omitempty"` // 0: every address of the list
	// SendStatus holds or releases the task: SendHeld or SendWaiting only.
	SendStatus  SendStatus   `url:"send_status,omitempty"`
	SendTime    time.Time    `url:"send_time,omitempty" layout:"2006-01-02 15:04"`
	SubsLink    *bool        `url:"subs_link,omitempty,int"`
	TrackStatus *TrackStatus `url:"track_status,omitempty"`
	TrackDomain string       `url:"track_domain,omitempty"`
	SendReplyTo string       `url:"send_replyto,omitempty"` // reply-to address
}

// TaskFindOptions selects the tasks Find returns. At least one field must
// be set; set fields narrow the result together.
type TaskFindOptions struct {
	// Date keeps the tasks of one calendar day, sent as written (its year,
	// month and day in its own location).
	Date time.Time `url:"date,omitempty" layout:"2006-01-02"`
	ID   int64     `url:"id,omitempty"` // one task by id
	// Ident is a task's batch number (Task.SN, e.g. "20120302-362-F9B1E5").
	Ident string `url:"ident,omitempty"`
	// State keeps the tasks in one sending state; 0 sends nothing.
	State SendStatus `url:"state,omitempty"`
}

// ListByDate returns the tasks of one calendar day (date's year, month and
// day as written), the document's form of list-task. It is Find with only
// Date set: the name the endpoint inventory gives the call.
//
// API: task.php?do=list-task&date=… (doc §2.1)
func (s *TaskService) ListByDate(ctx context.Context, date time.Time) ([]Task, error) {
	if err := requireDate("date", date); err != nil {
		return nil, err
	}
	return s.Find(ctx, &TaskFindOptions{Date: date})
}

// Find returns the tasks of list-task that match opts: by id, batch
// number, day or state, as the web console's list shows them (one
// template each). The document only shows list-task with a date (the
// tasks of one day: set only Date); the public clients in production also
// call it with id, ident and state, without a date (docs/wire-format.md).
// Find is not an option of List because List is task-list, a different
// call with a different reply.
//
// API: task.php?do=list-task (doc §2.1 and production clients)
func (s *TaskService) Find(ctx context.Context, opts *TaskFindOptions) ([]Task, error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	q, err := s.api().encodeParams(opts)
	if err != nil {
		return nil, err
	}
	p, err := fetchTasks(ctx, s.api(), get("task.php", "list-task", q), keepList)
	if err != nil {
		return nil, err
	}
	return p.Items, nil
}

// ListPage returns one page of tasks. The reply carries no total, so
// Page.TotalKnown is false; List walks every page.
//
// API: task.php?do=task-list (doc §6.1)
func (s *TaskService) ListPage(ctx context.Context, opts *TaskListOptions) (*Page[Task], error) {
	return s.listPage(ctx, opts, keepList)
}

// listPage is ListPage within the budget k: List's pages are dropped once
// yielded and get keepPage.
func (s *TaskService) listPage(ctx context.Context, opts *TaskListOptions, k keep) (*Page[Task], error) {
	q, err := s.listQuery(opts)
	if err != nil {
		return nil, err
	}
	return fetchTasks(ctx, s.api(), get("task.php", "task-list", q), k)
}

// List yields every task from opts.Page (or the first page) on,
// requesting opts.Limit tasks a page (30 when 0). opts is copied, never
// modified.
//
// API: task.php?do=task-list (doc §6.1)
func (s *TaskService) List(ctx context.Context, opts *TaskListOptions) iter.Seq2[Task, error] {
	var o TaskListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit == 0 {
		o.Limit = 30
	}
	return pages(o.Page, o.Limit, func(page int) (*Page[Task], error) {
		po := o // a copy per page: the iterator may be ranged more than once
		po.Page = page
		p, err := s.listPage(ctx, &po, keepPage)
		return p, err
	})
}

// Get returns the task with the given id; the error is a *NotFoundError
// when there is none.
//
// API: task.php?do=task-list&id=N (doc §6.1)
func (s *TaskService) Get(ctx context.Context, id int64) (*Task, error) {
	if err := requireID("id", id); err != nil {
		return nil, err
	}
	r := get("task.php", "task-list", idQuery("id", id))
	p, err := fetchTasks(ctx, s.api(), r, keepList)
	if err != nil {
		return nil, itemErr("task", itoa(id), err)
	}
	tasks := p.Items
	// Match the id rather than take the first row: a server that ignored
	// the id would otherwise return the wrong task.
	for i := range tasks {
		if tasks[i].ID == id {
			return &tasks[i], nil
		}
	}
	return nil, s.api().notFound(r, "task", itoa(id))
}

// Create adds a sending task; Result.ID is the new task's id, from the
// reply's <id> (doc §5.1). A success reply without it is a *DecodeError;
// the server did report success, so do not simply send the task again.
// The call is a GET with the parameters in the query string, as the
// document's examples and the clients in use send it.
//
// API: task.php?do=add-task (doc §5.1, §6.2)
func (s *TaskService) Create(ctx context.Context, p *TaskParams) (*Result, error) {
	if p == nil {
		p = &TaskParams{}
	}
	if err := p.validate(); err != nil {
		return nil, err
	}
	q, err := s.api().encodeParams(p)
	if err != nil {
		return nil, err
	}
	q.Set("maillist_id", joinIDs(p.MaillistID, p.MaillistIDs))
	return s.api().execReply(ctx, getWrite("task.php", "add-task", q), idElement)
}

// Update changes a task; only the fields set in p are sent. Like Create it
// is a GET with the parameters in the query string.
//
// API: task.php?do=edit-task (doc §6.3)
func (s *TaskService) Update(ctx context.Context, id int64, p *TaskUpdateParams) (*Result, error) {
	if p == nil {
		p = &TaskUpdateParams{}
	}
	if err := firstInvalid(requireID("id", id), p.validate()); err != nil {
		return nil, err
	}
	q, err := s.api().encodeParams(p)
	if err != nil {
		return nil, err
	}
	if ids := joinIDs(p.MaillistID, p.MaillistIDs); ids != "" {
		q.Set("maillist_id", ids)
	}
	if len(q) == 0 {
		return nil, &ValidationError{Arg: "TaskUpdateParams", Reason: "sets no field to change"}
	}
	q.Set("id", itoa(id))
	return s.api().execItem(ctx, getWrite("task.php", "edit-task", q), "task", itoa(id))
}

// Delete deletes a task.
//
// API: task.php?do=del-task (doc §6.4)
func (s *TaskService) Delete(ctx context.Context, id int64) (*Result, error) {
	if err := requireID("id", id); err != nil {
		return nil, err
	}
	return s.api().execItem(ctx, getWrite("task.php", "del-task", idQuery("id", id)), "task", itoa(id))
}

// listQuery validates opts and encodes them for task-list.
func (s *TaskService) listQuery(opts *TaskListOptions) (url.Values, error) {
	if opts == nil {
		opts = &TaskListOptions{}
	}
	if err := firstInvalid(checkPage(opts.Page, opts.Limit), checkSendStatus("send_status", opts.SendStatus)); err != nil {
		return nil, err
	}
	q, err := s.api().encodeParams(opts)
	if err != nil {
		return nil, err
	}
	return q, nil
}

func (o *TaskFindOptions) validate() error {
	if o == nil || *o == (TaskFindOptions{}) {
		return &ValidationError{Arg: "TaskFindOptions", Reason: "set at least one of Date, ID, Ident and State"}
	}
	if o.ID != 0 {
		if err := requireID("id", o.ID); err != nil {
			return err
		}
	}
	return checkSendStatus("state", o.State)
}

// checkSendStatus accepts the zero value (not sent) and every SendStatus
// constant.
func checkSendStatus(field string, st SendStatus) error {
	switch st {
	case 0, SendCancelled, SendPaused, SendHeld, SendWaiting, SendInProgress, SendFinished:
		return nil
	}
	return &ValidationError{Field: field, Reason: fmt.Sprintf("unknown status %d", st)}
}

func (p *TaskParams) validate() error {
	return firstInvalid(
		taskCheckTemplates(p.TemplateIDs, true),
		taskCheckSender(p.SendDomain, p.SendAccount, true),
		taskCheckLists(p.MaillistID, p.MaillistIDs, true),
		taskCheckQty(p.SendQty),
		taskCheckStart(p.Status),
		requireDate("time", p.Time),
		taskCheckTrack(p.TrackStatus),
	)
}

func (p *TaskUpdateParams) validate() error {
	var maillist, qty, track, replyTo error
	maillist = taskCheckLists(p.MaillistID, p.MaillistIDs, false)
	if p.SendQty != nil {
		qty = taskCheckQty(*p.SendQty)
	}
	if p.TrackStatus != nil {
		track = taskCheckTrack(*p.TrackStatus)
	}
	if p.SendReplyTo != "" {
		replyTo = checkEmail("send_replyto", p.SendReplyTo)
	}
	var status error
	if p.SendStatus != 0 && p.SendStatus != SendHeld && p.SendStatus != SendWaiting {
		status = &ValidationError{Field: "send_status", Reason: fmt.Sprintf("must be SendHeld (-1) or SendWaiting (1), got %d", p.SendStatus)}
	}
	return firstInvalid(taskCheckTemplates(p.TemplateIDs, false),
		taskCheckSender(p.SendDomain, p.SendAccount, false), maillist, qty, status, track, replyTo)
}

// taskCheckLists checks the contact lists of a task: one id, several, or
// both (the single one first).
func taskCheckLists(id int64, ids []int64, required bool) error {
	if id == 0 && len(ids) == 0 {
		if required {
			return requireID("maillist_id", 0)
		}
		return nil
	}
	if id != 0 {
		if err := requireID("maillist_id", id); err != nil {
			return err
		}
	}
	for _, x := range ids {
		if err := requireID("maillist_id", x); err != nil {
			return err
		}
	}
	return nil
}

// joinIDs writes id (when set) and ids as one comma-separated value, ""
// when there is none.
func joinIDs(id int64, ids []int64) string {
	var parts []string
	if id != 0 {
		parts = append(parts, itoa(id))
	}
	for _, x := range ids {
		parts = append(parts, itoa(x))
	}
	return strings.Join(parts, ",")
}

func taskCheckTemplates(ids []int64, required bool) error {
	if required && len(ids) == 0 {
		return &ValidationError{Field: "tpl_id", Reason: "at least one template id is required"}
	}
	for _, id := range ids {
		if err := requireID("tpl_id", id); err != nil {
			return err
		}
	}
	return nil
}

// taskCheckSender applies doc §5.1's rules: send_account is one address or
// "all" (every mailbox of send_domain), and send_domain "all" (every
// domain) only goes with send_account "all".
func taskCheckSender(domain, account string, required bool) error {
	if required {
		if err := requireString("send_account", account); err != nil {
			return err
		}
	}
	if account != "" && account != SendAccountAll {
		if err := checkEmail("send_account", account); err != nil {
			return err
		}
	}
	if domain == SendDomainAll && account != SendAccountAll {
		return &ValidationError{Field: "send_domain", Reason: `"all" needs send_account "all"`}
	}
	return nil
}

func taskCheckQty(n int) error {
	if n < 0 {
		return &ValidationError{Field: "send_qty", Reason: "must not be negative"}
	}
	return nil
}

func taskCheckStart(st TaskStatus) error {
	switch st {
	case 0, TaskHold, TaskWaiting, TaskSendNow:
		return nil
	}
	return &ValidationError{Field: "status", Reason: fmt.Sprintf("must be TaskWaiting, TaskHold or TaskSendNow, got %d", st)}
}

func taskCheckTrack(t TrackStatus) error {
	switch t {
	case TrackNone, TrackOpens, TrackOpensAndClicks:
		return nil
	}
	return &ValidationError{Field: "track_status", Reason: fmt.Sprintf("must be 0, 1 or 2, got %d", t)}
}
