package bestedm

import (
	"errors"
	"fmt"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

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
	c, mux := setup(t)
	handle(t, mux, "task.php", result("success", "修改群发任务成功"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "edit-task", "id", "19124", "maillist_id", "5,8"))
	})
	_, err := c.Task.Update(bg, 19124, &TaskUpdateParams{MaillistIDs: []int64{5, 8}})
	require.NoError(t, err)
}

func TestTaskSeveralListsInvalid(t *testing.T) {
	c, mux := setup(t)
	failHandler(t, mux)
	_, err := c.Task.Create(bg, &TaskParams{TemplateIDs: []int64{16}, SendAccount: "news@example.com",
		MaillistIDs: []int64{5, 0}, Time: time.Now()})
	wantValidation(t, err, "maillist_id")
	_, err = c.Task.Update(bg, 1, &TaskUpdateParams{MaillistIDs: []int64{-1}})
	wantValidation(t, err, "maillist_id")
}
