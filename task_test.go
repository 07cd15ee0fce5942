package bestedm

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func taskTime(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, china)
}

// ListByDate is the document's list-task: the same request and reply as
// Find with only Date, and a zero date is refused before anything is sent.
func TestTaskListByDate(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", fixture(t, "task-list-task.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "list-task", "date", "2012-03-02"))
	})
	day := time.Date(2012, 3, 2, 23, 59, 0, 0, time.FixedZone("UTC-10", -10*3600))
	got, err := c.Task.ListByDate(bg, day)
	require.NoError(t, err)
	want, err := c.Task.Find(bg, &TaskFindOptions{Date: day})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, want, got)

	_, err = c.Task.ListByDate(bg, time.Time{})
	wantValidation(t, err, "date")
}

func TestTaskFindByDate(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", fixture(t, "task-list-task.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "list-task", "date", "2012-03-02"))
	})
	// A calendar day is sent as written, whatever the clock time.
	got, err := c.Task.Find(bg, &TaskFindOptions{Date: time.Date(2012, 3, 2, 18, 30, 0, 0, time.UTC)})
	require.NoError(t, err)
	assert.Equal(t, []Task{
		{
			ID: 19124, SN: "20120302001", Sender: "linbihuan@comingchina.com", SenderName: "福洽科技 林必欢",
			ReplyTo: "service@comingchina.com", TemplateID: 16, TemplateIDs: []int64{16}, TemplateName: "三月新品推荐",
			AddrType: RecipientsList, ListID: 5, ListIDs: []int64{5}, ListName: "VIP 客户", SendQty: 0, SendQtyActual: 12850,
			SendTime:  taskTime(2012, 3, 2, 9, 30, 0),
			TimeStart: taskTime(2012, 3, 2, 9, 30, 12), TimeEnd: taskTime(2012, 3, 2, 10, 2, 47),
			SendCount: 12841, ErrorCount: 9, SendStatus: SendFinished, TrackStatus: TrackOpensAndClicks,
		},
		{
			ID: 19131, SN: "20120302002", Sender: "news@comingchina.com", SenderName: "福洽资讯",
			TemplateID: 17, TemplateIDs: []int64{17}, TemplateName: "订阅周刊 第 9 期",
			AddrType: RecipientsSubscription, ListID: 8, ListIDs: []int64{8}, ListName: "周刊订阅", SendQty: 500, SendQtyActual: 500,
			SendTime:   taskTime(2012, 3, 2, 20, 0, 0),
			SendStatus: SendHeld, TrackStatus: TrackNone,
		},
	}, got)
}

func TestTaskFindByDateEmpty(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<task_list>\r\n</task_list>\r\n"), nil)
	got, err := c.Task.Find(bg, &TaskFindOptions{Date: taskTime(2012, 3, 2, 0, 0, 0)})
	require.NoError(t, err)
	assert.NotNil(t, got)
	assert.Empty(t, got)
}

// taskListFixture is the decoded testdata/task-task-list.xml.
var taskListFixture = []Task{
	{
		ID: 20417, SN: "20130105003", AcctType: SenderScopeDomain, AcctDomain: "comingchina.com",
		Sender: "all@comingchina.com", ReplyTo: "service@comingchina.com", SenderName: "福洽科技",
		Templates:  []TaskTemplate{{ID: 53, Name: "新年促销 A"}, {ID: 54, Name: "新年促销 B"}},
		TemplateID: 53, TemplateIDs: []int64{53, 54}, ListIDs: []int64{5},
		AddrType: RecipientsList, ListID: 5, ListName: "VIP 客户", SendQty: 0, SendQtyActual: 13012,
		SendTime: taskTime(2013, 1, 5, 10, 0, 0), TimeStart: taskTime(2013, 1, 5, 10, 0, 5),
		SendCount: 6020, ErrorCount: 14, SendStatus: SendInProgress, TrackStatus: TrackOpens,
	},
	{
		ID: 20420, SN: "20130105004", AcctType: SenderScopeAddress, AcctAddress: "linbihuan@comingchina.com",
		Sender: "linbihuan@comingchina.com", SenderName: "林必欢",
		Templates:  []TaskTemplate{{ID: 55, Name: "会员回访"}},
		TemplateID: 55, TemplateIDs: []int64{55}, ListIDs: []int64{8},
		AddrType: RecipientsSubscription, ListID: 8, ListName: "周刊订阅", SendQty: 200, SendQtyActual: 200,
		SendTime:   taskTime(2013, 1, 5, 18, 30, 0),
		SendStatus: SendPaused, TrackStatus: TrackNone,
	},
}

func TestTaskList(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", fixture(t, "task-task-list.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "task-list", "page", "2", "limit", "20",
			"date", "2013-01-05", "send_status", "2"))
	})
	opts := &TaskListOptions{Page: 2, Limit: 20, Date: time.Date(2013, 1, 5, 20, 0, 0, 0, time.UTC), SendStatus: SendInProgress}
	got, err := c.Task.ListPage(bg, opts)
	require.NoError(t, err)
	assert.Equal(t, &Page[Task]{Items: taskListFixture}, got)
	assert.Equal(t, time.UTC, opts.Date.Location(), "the caller's options are not modified")
}

func TestTaskListSendStatus(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		status SendStatus
		want   string // "" when not sent
	}{
		{0, ""}, {SendCancelled, "-3"}, {SendPaused, "-2"}, {SendHeld, "-1"},
		{SendWaiting, "1"}, {SendInProgress, "2"}, {SendFinished, "3"},
	} {
		t.Run(strconv.Itoa(int(tc.status)), func(t *testing.T) {
			c, mux := setup(t)
			want := q("do", "task-list")
			if tc.want != "" {
				want.Set("send_status", tc.want)
			}
			handle(t, mux, "task.php", fixture(t, "task-task-list.xml"), func(r *http.Request) {
				testRequest(t, r, http.MethodGet, want)
			})
			_, err := c.Task.ListPage(bg, &TaskListOptions{SendStatus: tc.status})
			require.NoError(t, err)
		})
	}
}

func TestTaskListNilOptions(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", fixture(t, "task-task-list.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "task-list"))
	})
	got, err := c.Task.ListPage(bg, nil)
	require.NoError(t, err)
	assert.Len(t, got.Items, 2)
}

// taskPageXML is a task-list reply holding tasks with the given ids.
func taskPageXML(ids ...int64) []byte {
	var sb strings.Builder
	sb.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<task_list>\r\n")
	for _, id := range ids {
		fmt.Fprintf(&sb, "<task>\r\n<id>%d</id>\r\n<sn>S%d</sn>\r\n<send_time>0000-00-00 00:00:00</send_time>\r\n<send_status>1</send_status>\r\n</task>\r\n", id, id)
	}
	sb.WriteString("</task_list>\r\n")
	return []byte(sb.String())
}

// taskPager serves task-list pages from bodies (page n is bodies[n-1]) and
// records the page numbers requested; check sees every request.
type taskPager struct {
	mu    sync.Mutex
	pages []string
}

func (p *taskPager) serve(t *testing.T, mux *http.ServeMux, bodies map[string][]byte, check func(r *http.Request)) {
	mux.HandleFunc(apiPath+"task.php", func(w http.ResponseWriter, r *http.Request) {
		page := r.URL.Query().Get("page")
		p.mu.Lock()
		p.pages = append(p.pages, page)
		p.mu.Unlock()
		if check != nil {
			check(r)
		}
		body, ok := bodies[page]
		if !ok {
			t.Errorf("unexpected request for page %q", page)
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write(body)
	})
}

func (p *taskPager) requested() []string {
	p.mu.Lock()
	defer p.mu.Unlock()
	return append([]string(nil), p.pages...)
}

func TestTaskListIter(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var pager taskPager
	pager.serve(t, mux, map[string][]byte{
		"1": taskPageXML(1, 2), "2": taskPageXML(3, 4), "3": taskPageXML(5),
	}, func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "task-list", "page", r.URL.Query().Get("page"),
			"limit", "2", "date", "2013-01-05", "send_status", "3"))
	})
	opts := &TaskListOptions{Limit: 2, Date: taskTime(2013, 1, 5, 0, 0, 0), SendStatus: SendFinished}
	before := *opts
	var ids []int64
	for task, err := range c.Task.List(bg, opts) {
		require.NoError(t, err)
		ids = append(ids, task.ID)
	}
	assert.Equal(t, []int64{1, 2, 3, 4, 5}, ids)
	assert.Equal(t, []string{"1", "2", "3"}, pager.requested(), "stops after the short page")
	assert.Equal(t, before, *opts, "the caller's options are not modified")
	assert.Equal(t, Task{ID: 1, SN: "S1", SendStatus: SendWaiting}, taskFirst(t, c.Task.List(bg, opts)))
}

// taskFirst returns the first task an iterator yields.
func taskFirst(t *testing.T, seq func(yield func(Task, error) bool)) Task {
	t.Helper()
	for task, err := range seq {
		require.NoError(t, err)
		return task
	}
	t.Fatal("no task")
	return Task{}
}

func TestTaskListIterStartPageAndDefaultLimit(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var pager taskPager
	pager.serve(t, mux, map[string][]byte{"4": taskPageXML(7, 8)}, func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "task-list", "page", "4", "limit", "30"))
	})
	var ids []int64
	for task, err := range c.Task.List(bg, &TaskListOptions{Page: 4}) {
		require.NoError(t, err)
		ids = append(ids, task.ID)
	}
	assert.Equal(t, []int64{7, 8}, ids, "2 < 30: one page only")
	assert.Equal(t, []string{"4"}, pager.requested())
}

func TestTaskListIterNilOptions(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var pager taskPager
	pager.serve(t, mux, map[string][]byte{"1": taskPageXML()}, func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "task-list", "page", "1", "limit", "30"))
	})
	n := 0
	for _, err := range c.Task.List(bg, nil) {
		require.NoError(t, err)
		n++
	}
	assert.Zero(t, n)
	assert.Equal(t, []string{"1"}, pager.requested())
}

func TestTaskListIterEarlyBreak(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var pager taskPager
	pager.serve(t, mux, map[string][]byte{"1": taskPageXML(1, 2), "2": taskPageXML(3, 4)}, nil)
	var ids []int64
	for task, err := range c.Task.List(bg, &TaskListOptions{Limit: 2}) {
		require.NoError(t, err)
		ids = append(ids, task.ID)
		if len(ids) == 1 {
			break
		}
	}
	assert.Equal(t, []int64{1}, ids)
	assert.Equal(t, []string{"1"}, pager.requested(), "no page fetched after the break")
}

func TestTaskListIterErrorOnPage2(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var pager taskPager
	pager.serve(t, mux, map[string][]byte{
		"1": taskPageXML(1, 2), "2": result("list_task_error", "查询失败"),
	}, nil)
	var ids []int64
	var errs []error
	for task, err := range c.Task.List(bg, &TaskListOptions{Limit: 2}) {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		ids = append(ids, task.ID)
	}
	assert.Equal(t, []int64{1, 2}, ids)
	require.Len(t, errs, 1, "the error is yielded once, then the iterator stops")
	var apiErr *APIError
	require.ErrorAs(t, errs[0], &apiErr)
	assert.Equal(t, Status("list_task_error"), apiErr.Status)
	assert.Equal(t, []string{"1", "2"}, pager.requested())
}

func TestTaskGet(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", fixture(t, "task-task-list-id.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "task-list", "id", "20421"))
	})
	got, err := c.Task.Get(bg, 20421)
	require.NoError(t, err)
	assert.Equal(t, &Task{
		ID: 20421, SN: "20130106001", AcctType: SenderScopeAll,
		ReplyTo: "service@comingchina.com", SenderName: "福洽科技",
		Templates:  []TaskTemplate{{ID: 53, Name: "新年促销 A"}},
		TemplateID: 53, TemplateIDs: []int64{53}, ListIDs: []int64{5},
		AddrType: RecipientsList, ListID: 5, ListName: "VIP 客户", SendQty: 1000, SendQtyActual: 1000,
		SendTime: taskTime(2013, 1, 6, 9, 0, 0), TimeStart: taskTime(2013, 1, 6, 9, 0, 2), TimeEnd: taskTime(2013, 1, 6, 9, 4, 31),
		SendCount: 998, ErrorCount: 2, SendStatus: SendFinished, TrackStatus: TrackOpensAndClicks,
	}, got)
}

func TestTaskGetNotFound(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<task_list>\r\n  \r\n</task_list>\r\n"), nil)
	got, err := c.Task.Get(bg, 404)
	assert.Nil(t, got)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Contains(t, err.Error(), "task 404")
}

// A server that ignored id would answer the whole list: Get must return the
// task asked for, or not found, never another one.
func TestTaskGetMatchesID(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", fixture(t, "task-task-list.xml"), nil)
	got, err := c.Task.Get(bg, 20420)
	require.NoError(t, err)
	assert.Equal(t, &taskListFixture[1], got)
	_, err = c.Task.Get(bg, 99)
	assert.ErrorIs(t, err, ErrNotFound)
}

func TestTaskCreate(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", fixture(t, "task-add-task.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "add-task", "tpl_id", "16,17,78",
			"send_domain", "comingchina.com", "send_account", "all", "send_fullname", "福洽科技",
			"maillist_id", "5", "send_qty", "1000", "status", "-1", "time", "2012-07-31 12:00",
			"subs_link", "0", "track_status", "2", "track_domain", "t.comingchina.com"))
	})
	p := &TaskParams{
		TemplateIDs: []int64{16, 17, 78}, SendDomain: "comingchina.com", SendAccount: "all",
		SendFullname: "福洽科技", MaillistID: 5, SendQty: 1000, Status: TaskHold,
		Time:     time.Date(2012, 7, 31, 4, 0, 0, 0, time.UTC), // 12:00 in UTC+8
		SubsLink: Ptr(false), TrackStatus: TrackOpensAndClicks, TrackDomain: "t.comingchina.com",
	}
	before := *p
	res, err := c.Task.Create(bg, p)
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "添加群发任务成功!", ID: 20422}, res)
	assert.Equal(t, before, *p, "the caller's params are not modified")
	assert.Equal(t, time.UTC, p.Time.Location())
}

func TestTaskCreateMinimal(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		p    TaskParams
		want []string // parameters besides the required ones
		// noTime leaves Time zero: then no time is sent.
		noTime bool
	}{
		{"defaults", TaskParams{}, nil, false},
		{"subs_link on", TaskParams{SubsLink: Ptr(true)}, []string{"subs_link", "1"}, false},
		{"status now", TaskParams{Status: TaskSendNow}, []string{"status", "2"}, false},
		{"status waiting", TaskParams{Status: TaskWaiting}, []string{"status", "1"}, false},
		{"opens", TaskParams{TrackStatus: TrackOpens}, []string{"track_status", "1"}, false},
		{"every domain", TaskParams{SendDomain: "all", SendAccount: "all"}, []string{"send_domain", "all"}, false},
		// As a production module sends it (docs/wire-format.md#add-task-send-now):
		// send_qty with send_qty_start, status 2 and no time.
		{name: "send now, no time", p: TaskParams{Status: TaskSendNow}, want: []string{"status", "2"}, noTime: true},
		{name: "a slice of the list", p: TaskParams{SendQty: 1, SendQtyStart: 1, Status: TaskSendNow},
			want: []string{"send_qty", "1", "send_qty_start", "1", "status", "2"}, noTime: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			p := tc.p
			p.TemplateIDs, p.MaillistID = []int64{16}, 5
			required := []string{"do", "add-task", "tpl_id", "16", "maillist_id", "5"}
			if !tc.noTime {
				p.Time = taskTime(2012, 7, 4, 16, 8, 59)
				required = append(required, "time", "2012-07-04 16:08")
			}
			account := "linbihuan@comingchina.com"
			if p.SendAccount != "" {
				account = p.SendAccount
			}
			p.SendAccount = account
			want := q(append(append(required, "send_account", account), tc.want...)...)
			handle(t, mux, "task.php", fixture(t, "task-add-task.xml"), func(r *http.Request) {
				testRequest(t, r, http.MethodGet, want)
			})
			res, err := c.Task.Create(bg, &p)
			require.NoError(t, err)
			assert.Equal(t, int64(20422), res.ID)
		})
	}
}

func TestTaskCreateValidation(t *testing.T) {
	t.Parallel()
	valid := func() *TaskParams {
		return &TaskParams{TemplateIDs: []int64{16}, SendAccount: "linbihuan@comingchina.com",
			MaillistID: 5, Time: taskTime(2012, 7, 31, 12, 0, 0)}
	}
	for _, tc := range []struct {
		name  string
		edit  func(p *TaskParams)
		field string
	}{
		{"no template", func(p *TaskParams) { p.TemplateIDs = nil }, "tpl_id"},
		{"zero template", func(p *TaskParams) { p.TemplateIDs = []int64{16, 0} }, "tpl_id"},
		{"negative template", func(p *TaskParams) { p.TemplateIDs = []int64{-2} }, "tpl_id"},
		{"no account", func(p *TaskParams) { p.SendAccount = "" }, "send_account"},
		{"blank account", func(p *TaskParams) { p.SendAccount = "  " }, "send_account"},
		{"bad account", func(p *TaskParams) { p.SendAccount = "linbihuan" }, "send_account"},
		{"ALL is not all", func(p *TaskParams) { p.SendAccount = "ALL" }, "send_account"},
		{"domain all, one account", func(p *TaskParams) { p.SendDomain = "all" }, "send_domain"},
		{"no list", func(p *TaskParams) { p.MaillistID = 0 }, "maillist_id"},
		{"negative list", func(p *TaskParams) { p.MaillistID = -5 }, "maillist_id"},
		{"negative qty", func(p *TaskParams) { p.SendQty = -1 }, "send_qty"},
		{"unknown status", func(p *TaskParams) { p.Status = 3 }, "status"},
		{"no time", func(p *TaskParams) { p.Time = time.Time{} }, "time"},
		{"no time, held", func(p *TaskParams) { p.Time, p.Status = time.Time{}, TaskHold }, "time"},
		{"no time, waiting", func(p *TaskParams) { p.Time, p.Status = time.Time{}, TaskWaiting }, "time"},
		{"negative start", func(p *TaskParams) { p.SendQty, p.SendQtyStart = 1, -1 }, "send_qty_start"},
		{"start without qty", func(p *TaskParams) { p.SendQtyStart = 2 }, "send_qty_start"},
		{"unknown tracking", func(p *TaskParams) { p.TrackStatus = 3 }, "track_status"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			failHandler(t, mux)
			p := valid()
			tc.edit(p)
			_, err := c.Task.Create(bg, p)
			wantValidation(t, err, tc.field)
		})
	}
	t.Run("nil params", func(t *testing.T) {
		c, mux := setup(t)
		failHandler(t, mux)
		_, err := c.Task.Create(bg, nil)
		wantValidation(t, err, "tpl_id")
	})
}

func TestTaskUpdate(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", result("success", "修改群发任务成功!"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "edit-task", "id", "20417", "tpl_id", "53,55",
			"send_domain", "all", "send_account", "all", "send_fullname", "福洽科技", "maillist_id", "8",
			"send_qty", "0", "send_status", "1", "send_time", "2013-01-06 09:00", "subs_link", "1",
			"track_status", "0", "track_domain", "t.comingchina.com", "send_replyto", "service@comingchina.com"))
	})
	p := &TaskUpdateParams{
		TemplateIDs: []int64{53, 55}, SendDomain: "all", SendAccount: "all", SendFullname: "福洽科技",
		MaillistID: 8, SendQty: Ptr(0), SendStatus: SendWaiting,
		SendTime: time.Date(2013, 1, 6, 1, 0, 0, 0, time.UTC), SubsLink: Ptr(true),
		TrackStatus: Ptr(TrackNone), TrackDomain: "t.comingchina.com", SendReplyTo: "service@comingchina.com",
	}
	before := *p
	res, err := c.Task.Update(bg, 20417, p)
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "修改群发任务成功!"}, res)
	assert.Equal(t, before, *p, "the caller's params are not modified")
}

func TestTaskUpdateOneField(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", result("success", "修改群发任务成功!"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "edit-task", "id", "20417", "send_status", "-1"))
	})
	_, err := c.Task.Update(bg, 20417, &TaskUpdateParams{SendStatus: SendHeld})
	require.NoError(t, err)
}

func TestTaskUpdateValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		id    int64
		p     *TaskUpdateParams
		field string
	}{
		{"no id", 0, &TaskUpdateParams{SendStatus: SendHeld}, "id"},
		{"negative id", -1, &TaskUpdateParams{SendStatus: SendHeld}, "id"},
		{"nil params", 1, nil, "TaskUpdateParams"},
		{"nothing to change", 1, &TaskUpdateParams{}, "TaskUpdateParams"},
		{"zero template", 1, &TaskUpdateParams{TemplateIDs: []int64{0}}, "tpl_id"},
		{"bad account", 1, &TaskUpdateParams{SendAccount: "not-an-address"}, "send_account"},
		{"domain all alone", 1, &TaskUpdateParams{SendDomain: "all"}, "send_domain"},
		{"negative list", 1, &TaskUpdateParams{MaillistID: -3}, "maillist_id"},
		{"negative qty", 1, &TaskUpdateParams{SendQty: Ptr(-1)}, "send_qty"},
		{"status sending", 1, &TaskUpdateParams{SendStatus: SendInProgress}, "send_status"},
		{"status finished", 1, &TaskUpdateParams{SendStatus: SendFinished}, "send_status"},
		{"unknown tracking", 1, &TaskUpdateParams{TrackStatus: Ptr(TrackStatus(-1))}, "track_status"},
		{"bad reply-to", 1, &TaskUpdateParams{SendReplyTo: "service at comingchina.com"}, "send_replyto"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			failHandler(t, mux)
			_, err := c.Task.Update(bg, tc.id, tc.p)
			wantValidation(t, err, tc.field)
		})
	}
}

func TestTaskDelete(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", result("success", "删除群发任务成功!"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "del-task", "id", "19124"))
	})
	res, err := c.Task.Delete(bg, 19124)
	require.NoError(t, err)
	assert.Equal(t, &Result{Message: "删除群发任务成功!"}, res)
}

func TestTaskReadValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name  string
		call  func(c *Client) error
		field string
	}{
		{"Find zero date", func(c *Client) error { _, err := c.Task.Find(bg, &TaskFindOptions{Date: time.Time{}}); return err }, "TaskFindOptions"},
		{"List negative page", func(c *Client) error { _, err := c.Task.ListPage(bg, &TaskListOptions{Page: -1}); return err }, "page"},
		{"List negative limit", func(c *Client) error { _, err := c.Task.ListPage(bg, &TaskListOptions{Limit: -1}); return err }, "limit"},
		{"List unknown status", func(c *Client) error {
			_, err := c.Task.ListPage(bg, &TaskListOptions{SendStatus: 4})
			return err
		}, "send_status"},
		{"List negative page", func(c *Client) error { return taskIterErr(c.Task.List(bg, &TaskListOptions{Page: -2})) }, "page"},
		{"List unknown status", func(c *Client) error {
			return taskIterErr(c.Task.List(bg, &TaskListOptions{SendStatus: 7}))
		}, "send_status"},
		{"Get zero id", func(c *Client) error { _, err := c.Task.Get(bg, 0); return err }, "id"},
		{"Delete zero id", func(c *Client) error { _, err := c.Task.Delete(bg, 0); return err }, "id"},
		{"Delete negative id", func(c *Client) error { _, err := c.Task.Delete(bg, -19124); return err }, "id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			failHandler(t, mux)
			wantValidation(t, tc.call(c), tc.field)
		})
	}
}

// taskIterErr returns the first error an iterator yields.
func taskIterErr(seq func(yield func(Task, error) bool)) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

func TestTaskAPIErrors(t *testing.T) {
	t.Parallel()
	create := &TaskParams{TemplateIDs: []int64{16}, SendAccount: "all", MaillistID: 5, Time: taskTime(2012, 7, 31, 12, 0, 0)}
	for _, tc := range []struct {
		name string
		call func(c *Client) error
	}{
		{"Find", func(c *Client) error {
			_, err := c.Task.Find(bg, &TaskFindOptions{Date: taskTime(2012, 3, 2, 0, 0, 0)})
			return err
		}},
		{"List", func(c *Client) error { _, err := c.Task.ListPage(bg, nil); return err }},
		{"List", func(c *Client) error { return taskIterErr(c.Task.List(bg, nil)) }},
		{"Get", func(c *Client) error { _, err := c.Task.Get(bg, 1); return err }},
		{"Create", func(c *Client) error { _, err := c.Task.Create(bg, create); return err }},
		{"Update", func(c *Client) error {
			_, err := c.Task.Update(bg, 1, &TaskUpdateParams{SendStatus: SendHeld})
			return err
		}},
		{"Delete", func(c *Client) error { _, err := c.Task.Delete(bg, 1); return err }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "task.php", result(" task_error ", "任务不存在"), nil)
			err := tc.call(c)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, Status("task_error"), apiErr.Status)
			assert.Equal(t, "任务不存在", apiErr.Message)
			assert.Equal(t, http.StatusOK, apiErr.HTTPStatus)
			assert.True(t, errors.Is(err, ErrAPI))
		})
	}
}

// fuzzTasks is fuzzList for <task_list>: the reference reads each <task>
// as a taskRecord, whose tpl_id and list_id are text, then splits them.
func fuzzTasks(f *testing.F, call func(c *Client) ([]Task, int64, error)) {
	f.Fuzz(func(t *testing.T, body []byte, ct uint8) {
		ctype := fuzzContentType(ct)
		cr := &cannedReply{ctype: ctype, body: body}
		c := cannedClient(t, cr)
		items, total, err := call(c)
		require.Equal(t, 1, cr.count(), "one request")
		recs, wantTotal, refErr := refRecords[taskRecord](body, ctype, "task_list", "task", c.loc, true)
		want := []Task{}
		for i := 0; refErr == nil && i < len(recs); i++ {
			var task Task
			task, refErr = recs[i].task()
			want = append(want, task)
		}
		if err != nil {
			checkReplyError(t, err)
			require.Nil(t, items)
			require.Error(t, refErr, "the client failed (%v) where the reference reads the list", err)
			return
		}
		require.NoError(t, refErr)
		require.NotNil(t, items, "an empty list is an empty slice")
		assert.Equal(t, fmt.Sprintf("%#v", want), fmt.Sprintf("%#v", items))
		assert.Equal(t, wantTotal, total)
	})
}

// A task of several templates and lists ("16,17" in tpl_id and list_id,
// as add-task accepts) is read whole instead of failing the whole list;
// send_qty_remark, the document's prose spelling, is read like
// send_qty_remak.
func TestTaskFindByDateSeveralIDs(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", fixture(t, "task-list-task-multi.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "list-task", "date", "2024-05-20"))
	})
	got, err := c.Task.Find(bg, &TaskFindOptions{Date: time.Date(2024, 5, 20, 0, 0, 0, 0, c.loc)})
	require.NoError(t, err)
	require.Len(t, got, 2)
	assert.Equal(t, int64(16), got[0].TemplateID)
	assert.Equal(t, []int64{16, 17}, got[0].TemplateIDs)
	assert.Equal(t, int64(5), got[0].ListID)
	assert.Equal(t, []int64{5, 8}, got[0].ListIDs)
	assert.Equal(t, int64(3000), got[0].SendQtyActual)
	assert.Equal(t, []int64{21}, got[1].TemplateIDs)
	assert.Equal(t, []int64{9}, got[1].ListIDs)
	assert.Equal(t, int64(120), got[1].SendQtyActual, "send_qty_remark")
}

func TestTaskFindByDateBadIDList(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", []byte("<task_list><task><id>1</id><tpl_id>16,x</tpl_id></task></task_list>"), nil)
	_, err := c.Task.Find(bg, &TaskFindOptions{Date: time.Date(2024, 5, 20, 0, 0, 0, 0, c.loc)})
	var de *DecodeError
	require.True(t, errors.As(err, &de), "want *DecodeError, got %v", err)
	assert.Contains(t, err.Error(), "<tpl_id>")
	assert.Contains(t, err.Error(), `"16,x"`)
}

// task-list's <listes> (a task sending to several lists) is decoded into
// Lists, and ListIDs/ListID come from it when list_id is absent.
func TestTaskListListes(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", fixture(t, "task-task-list-listes.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "task-list", "id", "30001"))
	})
	got, err := c.Task.Get(bg, 30001)
	require.NoError(t, err)
	assert.Equal(t, []TaskList{{ID: 5, Name: "VIP 客户"}, {ID: 8, Name: "周刊订阅"}}, got.Lists)
	assert.Equal(t, []int64{5, 8}, got.ListIDs)
	assert.Equal(t, int64(5), got.ListID)
	assert.Equal(t, []TaskTemplate{{ID: 16, Name: "三月新品推荐"}, {ID: 17, Name: "订阅周刊"}}, got.Templates)
	assert.Equal(t, []int64{16, 17}, got.TemplateIDs)
	assert.Equal(t, int64(16), got.TemplateID)
	assert.Equal(t, int64(2400), got.SendQtyActual)
}

func TestTaskFind(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		opts *TaskFindOptions
		want []string
	}{
		{"id", &TaskFindOptions{ID: 19124}, []string{"id", "19124"}},
		{"ident", &TaskFindOptions{Ident: "20240520-7-00A1B2"}, []string{"ident", "20240520-7-00A1B2"}},
		{"state", &TaskFindOptions{State: SendFinished}, []string{"state", "3"}},
		{"negative state", &TaskFindOptions{State: SendHeld}, []string{"state", "-1"}},
		{"every field", &TaskFindOptions{Date: time.Date(2024, 5, 20, 20, 0, 0, 0, time.UTC), ID: 7, Ident: "x", State: SendWaiting},
			[]string{"date", "2024-05-20", "id", "7", "ident", "x", "state", "1"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			n := 0
			handle(t, mux, "task.php", fixture(t, "task-list-task-multi.xml"), func(r *http.Request) {
				n++
				testRequest(t, r, http.MethodGet, q(append([]string{"do", "list-task"}, tc.want...)...))
			})
			got, err := c.Task.Find(bg, tc.opts)
			require.NoError(t, err)
			assert.Equal(t, 1, n)
			require.Len(t, got, 2)
			assert.Equal(t, int64(30001), got[0].ID)
		})
	}
}

func TestTaskFindInvalid(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	failHandler(t, mux)
	for _, tc := range []struct {
		field string
		opts  *TaskFindOptions
	}{
		{"TaskFindOptions", nil},
		{"TaskFindOptions", &TaskFindOptions{}},
		{"id", &TaskFindOptions{ID: -2}},
		{"state", &TaskFindOptions{State: 100}},
		{"state", &TaskFindOptions{State: 9}},
	} {
		_, err := c.Task.Find(bg, tc.opts)
		wantValidation(t, err, tc.field)
	}
}

// MaillistIDs go out as one comma-separated maillist_id, after
// MaillistID when both are set.
func TestTaskCreateSeveralLists(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		id     int64
		ids    []int64
		wantML string
	}{
		{"ids only", 0, []int64{5, 8}, "5,8"},
		{"id and ids", 5, []int64{8, 9}, "5,8,9"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "task.php", fixture(t, "task-add-task.xml"), func(r *http.Request) {
				testRequest(t, r, http.MethodGet, q("do", "add-task", "tpl_id", "16,17", "send_account", "news@example.com",
					"maillist_id", tc.wantML, "time", "2024-05-20 09:30"))
			})
			res, err := c.Task.Create(bg, &TaskParams{TemplateIDs: []int64{16, 17}, SendAccount: "news@example.com",
				MaillistID: tc.id, MaillistIDs: tc.ids, Time: time.Date(2024, 5, 20, 9, 30, 0, 0, c.loc)})
			require.NoError(t, err)
			assert.NotZero(t, res.ID)
		})
	}
}

func TestTaskUpdateSeveralLists(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "task.php", result("success", "修改群发任务成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "edit-task", "id", "19124", "maillist_id", "5,8"))
	})
	_, err := c.Task.Update(bg, 19124, &TaskUpdateParams{MaillistIDs: []int64{5, 8}})
	require.NoError(t, err)
}

func TestTaskSeveralListsInvalid(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	failHandler(t, mux)
	_, err := c.Task.Create(bg, &TaskParams{TemplateIDs: []int64{16}, SendAccount: "news@example.com",
		MaillistIDs: []int64{5, 0}, Time: time.Now()})
	wantValidation(t, err, "maillist_id")
	_, err = c.Task.Update(bg, 1, &TaskUpdateParams{MaillistIDs: []int64{-1}})
	wantValidation(t, err, "maillist_id")
}
