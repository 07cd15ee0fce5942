package bestedmtest

import (
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func addrs(t *testing.T, r resp) (total string, emails []string) {
	t.Helper()
	n := r.xml(t)
	require.Equal(t, "data", n.XMLName.Local, r.body)
	require.NotEmpty(t, n.Children, "total_num comes first")
	require.Equal(t, "total_num", n.Children[0].XMLName.Local)
	for _, a := range n.all("addr") {
		emails = append(emails, a.get("address"))
	}
	return n.get("total_num"), emails
}

func TestMaillistLifecycle(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)

	list := a.post("mloperate.php", "maillist-add", nil, kv("subject", "春季活动", "status", "enabled", "description", "报名用户")).addedList(t, a, "春季活动")
	d := a.get("mloperate.php", "maillist-detail", "id", list).xml(t)
	assert.Equal(t, "春季活动", d.get("subject"))
	assert.Equal(t, "0", d.get("count"))
	assert.Contains(t, a.get("mloperate.php", "maillist-detail", "id", list).body, "<subject><![CDATA[春季活动]]></subject>\r\n")

	// One address, with its new id.
	first := a.get("mloperate.php", "ml-addr-add", "list_id", list, "address", "li.lei@example.com", "fullname", "李雷",
		"sex", "M", "birthday", "1990-01-02", "phone", "13800000000", "area", "北京", "var1", "v1", "var3", "v3", "return_id", "1").ok(t)
	_, err := strconv.ParseInt(first, 10, 64)
	require.NoError(t, err, "return_id=1 answers the id in <data>")
	assert.Equal(t, "address_exists", a.get("mloperate.php", "ml-addr-add", "list_id", list, "address", "LI.LEI@example.com").status(t))
	assert.Equal(t, "添加地址成功", a.get("mloperate.php", "ml-addr-add", "list_id", list, "address", "han.meimei@example.com").ok(t))

	r := a.get("mloperate.php", "ml-addr-list", "list_id", list)
	total, emails := addrs(t, r)
	assert.Equal(t, "2", total)
	assert.Equal(t, []string{"li.lei@example.com", "han.meimei@example.com"}, emails)
	rec := r.xml(t).all("addr")[0]
	assert.Equal(t, first, rec.get("id"))
	assert.Equal(t, list, rec.get("list_id"))
	// The recorded production shape (docs/wire-format.md#ml-addr-list-empty-elements):
	// <birthday>, and unset fields as empty elements, var1 to var5 always.
	assert.Equal(t, "1990-01-02", rec.get("birthday"))
	assert.Empty(t, rec.all("brithday"))
	assert.Equal(t, "M", rec.get("sex"))
	assert.Equal(t, "v1", rec.get("var1"))
	require.Len(t, rec.all("var2"), 1, "an unset variable is an empty element")
	assert.Empty(t, rec.get("var2"))
	assert.Equal(t, "v3", rec.get("var3"))
	assert.Empty(t, rec.all("var6"), "var6 to var10 only when one of them is set")
	assert.Equal(t, "2024-05-20 14:30:00", rec.get("time"))
	plain := r.xml(t).all("addr")[1]
	assert.Equal(t, "0000-00-00", plain.get("birthday"))
	require.Len(t, plain.all("sex"), 1, "an unset sex is an empty element")
	assert.Empty(t, plain.get("sex"))
	require.Len(t, plain.all("phone"), 1)

	// A batch with a custom separator: invalid and duplicate lines dropped.
	msg := a.post("mloperate.php", "ml-addr-add", kv("list_id", list, "separate", "|"),
		kv("ml_addr", "a1@example.com;甲;F;1988-08-08;139;深圳;x1;x2|bad-address;乙|li.lei@example.com;重复|a2@example.com;丙;")).ok(t)
	assert.Equal(t, "成功添加 2 个地址，过滤无效地址 1 个，重复地址 1 个", msg)
	r = a.get("mloperate.php", "ml-addr-list", "list_id", list, "keyword", "a1@")
	total, emails = addrs(t, r)
	assert.Equal(t, "1", total)
	assert.Equal(t, []string{"a1@example.com"}, emails)
	rec = r.xml(t).all("addr")[0]
	assert.Equal(t, "甲", rec.get("fullname"))
	assert.Equal(t, "F", rec.get("sex"))
	assert.Equal(t, "深圳", rec.get("area"))
	assert.Equal(t, "x2", rec.get("var2"))

	// A file, in both line formats, with a BOM and CRLF.
	msg = a.multipart("mloperate.php", "ml-addr-add-file", kv("list_id", list), nil, testFile{"file", "import.txt",
		"\ufeffb1@example.com\t丁\r\nb2@example.com;戊;M\r\n\r\nnot an address\r\nb1@example.com\t丁\r\n"}).ok(t)
	assert.Equal(t, "文件导入完成：新增 2 个地址，过滤无效地址 1 个，重复地址 1 个", msg)

	// Keyword on the name, paging, total first.
	total, emails = addrs(t, a.get("mloperate.php", "ml-addr-list", "list_id", list, "keyword", "丁"))
	assert.Equal(t, "1", total)
	assert.Equal(t, []string{"b1@example.com"}, emails)
	total, emails = addrs(t, a.get("mloperate.php", "ml-addr-list", "list_id", list, "page", "2", "limit", "4"))
	assert.Equal(t, "6", total)
	assert.Equal(t, []string{"b1@example.com", "b2@example.com"}, emails)
	total, emails = addrs(t, a.get("mloperate.php", "ml-addr-list", "list_id", list, "page", "9"))
	assert.Equal(t, "6", total)
	assert.Empty(t, emails)
	total, emails = addrs(t, a.get("mloperate.php", "ml-addr-list", "address_id", first))
	assert.Equal(t, "1", total)
	assert.Equal(t, []string{"li.lei@example.com"}, emails)
	assert.Equal(t, "6", a.get("mloperate.php", "maillist-detail", "id", list).xml(t).get("count"))

	// Edit, delete.
	a.get("mloperate.php", "ml-addr-edit", "id", first, "fullname", "李雷雷", "address", "lilei@example.com").ok(t)
	_, emails = addrs(t, a.get("mloperate.php", "ml-addr-list", "address_id", first))
	assert.Equal(t, []string{"lilei@example.com"}, emails)
	assert.Equal(t, "address_exists", a.get("mloperate.php", "ml-addr-edit", "id", first, "address", "a1@example.com").status(t))
	a.get("mloperate.php", "ml-addr-del", "id", first).ok(t)
	assert.Equal(t, "not_found", a.get("mloperate.php", "ml-addr-del", "id", first).status(t))
	total, _ = addrs(t, a.get("mloperate.php", "ml-addr-list", "list_id", list))
	assert.Equal(t, "5", total)

	// Rename; the list shows in maillist-list; empty; delete.
	a.post("mloperate.php", "maillist-edit", kv("id", list), kv("subject", "夏季活动", "status", "disabled")).ok(t)
	var found bool
	for _, it := range a.get("mloperate.php", "maillist-list").xml(t).all("item") {
		if it.get("id") == list {
			found = true
			assert.Equal(t, "夏季活动", it.get("subject"))
			assert.Equal(t, "disabled", it.get("status"))
			assert.Equal(t, "5", it.get("count"))
		}
	}
	assert.True(t, found)
	assert.Equal(t, "清空联系人分类成功，删除 5 个地址", a.get("mloperate.php", "ml-addr-empty", "list_id", list).ok(t))
	total, emails = addrs(t, a.get("mloperate.php", "ml-addr-list", "list_id", list))
	assert.Equal(t, "0", total)
	assert.Empty(t, emails)
	a.get("mloperate.php", "maillist-del", "id", list).ok(t)
	assert.Equal(t, "not_found", a.get("mloperate.php", "maillist-detail", "id", list).status(t))
	total, _ = addrs(t, a.get("mloperate.php", "ml-addr-list", "list_id", list))
	assert.Equal(t, "0", total, "an unknown list_id filters to nothing")
}

func TestAddressesWithoutList(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)
	total, _ := addrs(t, a.get("mloperate.php", "ml-addr-list", "list_id", "0"))
	assert.Equal(t, "5", total, "the seed has five unclassified addresses")
	a.get("mloperate.php", "ml-addr-add", "address", "loose@example.com").ok(t)
	total, _ = addrs(t, a.get("mloperate.php", "ml-addr-list", "list_id", "0"))
	assert.Equal(t, "6", total)
	all, _ := addrs(t, a.get("mloperate.php", "ml-addr-list"))
	assert.Equal(t, "159", all, "no list_id: every address (120 + 25 + 8 + 0 + 5 + 1)")
	page, emails := addrs(t, a.get("mloperate.php", "ml-addr-list", "page", "1"))
	assert.Equal(t, "159", page)
	assert.Len(t, emails, 50, "limit defaults to 50")
}

func TestSubscribeAndExports(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)
	list := a.post("mloperate.php", "maillist-add", nil, kv("subject", "订阅", "status", "enabled")).addedList(t, a, "订阅")

	a.get("mloperate.php", "ml-sub", "list_id", list, "address", "solo@example.com").ok(t)
	a.get("mloperate.php", "ml-sub", "list_id", list, "address", "named@example.com", "name", "有名").ok(t)
	msg := a.post("mloperate.php", "ml-sub", kv("list_id", list), kv("maillist", "f1@example.com, 一号; f2@example.com, 二号; bad; solo@example.com, 又来;")).ok(t)
	assert.Equal(t, "成功订阅 2 个地址，已订阅 1 个，无效地址 1 个", msg)
	msg = a.post("mloperate.php", "ml-sub", kv("list_id", list), kv("maillist", "l1@example.com\t三号\nl2@example.com,四号\r\nl3@example.com")).ok(t)
	assert.Equal(t, "成功订阅 3 个地址，已订阅 0 个，无效地址 0 个", msg)

	r := a.get("mloperate.php", "subscription-export", "id", list)
	assert.Equal(t, "text/plain; charset=utf-8", r.header.Get("Content-Type"))
	assert.Contains(t, r.header.Get("Content-Disposition"), "attachment")
	assert.Equal(t, []string{"solo@example.com\tsolo", "named@example.com\t有名", "f1@example.com\t一号",
		"f2@example.com\t二号", "l1@example.com\t三号", "l2@example.com\t四号", "l3@example.com\tl3"}, r.lines())

	assert.Empty(t, a.get("mloperate.php", "unsubscribe-export", "id", list).body, "nobody left yet")
	a.post("mloperate.php", "ml-unsub", kv("list_id", list), kv("address", "f1@example.com, f2@example.com")).ok(t)
	a.post("mloperate.php", "ml-unsub", kv("list_id", list), kv("address", "l1@example.com\nl2@example.com\nstranger@example.com")).ok(t)
	r = a.get("mloperate.php", "unsubscribe-export", "id", list)
	want := []string{}
	for _, e := range []string{"f1", "f2", "l1", "l2", "stranger"} {
		want = append(want, "2024-05-20 14:30:00\t"+e+"@example.com")
	}
	assert.Equal(t, want, r.lines())
	assert.Equal(t, 3, len(a.get("mloperate.php", "subscription-export", "id", list).lines()))

	// Subscribing again takes the address off the unsubscribe record.
	a.get("mloperate.php", "ml-sub", "list_id", list, "address", "f1@example.com").ok(t)
	assert.Len(t, a.get("mloperate.php", "unsubscribe-export", "id", list).lines(), 4)
}

func TestTemplateLifecycle(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)
	tpl := a.multipart("template.php", "add-tpl", nil,
		kv("name", "周报", "subject", "本周要闻|第二个主题", "content", `<p><a href="https://example.com/x">x</a></p>`, "encoding", "base64"),
		testFile{"file", "说明.pdf", "%PDF-1.4"}, testFile{"file", "b.txt", "bb"}).ok(t)
	_, err := strconv.ParseInt(tpl, 10, 64)
	require.NoError(t, err, "add-tpl answers the id in <data>")

	list := a.get("template.php", "list-tpl", "tpl_id", tpl).xml(t)
	require.Len(t, list.all("template"), 1)
	tp := list.all("template")[0]
	assert.Equal(t, "周报", tp.get("name"))
	subjects := tp.all("subject")
	require.Len(t, subjects, 2)
	assert.Equal(t, "本周要闻", subjects[0].get("name"))
	assert.Equal(t, "第二个主题", subjects[1].get("name"))
	assert.NotEqual(t, subjects[0].get("id"), subjects[1].get("id"))
	assert.Equal(t, "html", tp.get("content_type"))
	atts := tp.child(t, "attachments").all("attachment")
	require.Len(t, atts, 2)
	assert.Equal(t, "说明.pdf", atts[0].get("atta_name"))
	assert.Equal(t, "2024-05-20 14:30:00", tp.get("created"))
	assert.Equal(t, "0000-00-00 00:00:00", tp.get("updated"))

	a.get("template.php", "edit-tpl", "tpl_id", tpl, "subject", "新主题").ok(t)
	a.multipart("template.php", "tpl-attachment-add", kv("tpl_id", tpl), nil, testFile{"file[]", "c.txt", "c"}, testFile{"file[]", "d.txt", "d"}).ok(t)
	tp = a.get("template.php", "list-tpl", "tpl_id", tpl).xml(t).all("template")[0]
	require.Len(t, tp.all("subject"), 1)
	assert.Equal(t, "新主题", tp.all("subject")[0].get("name"))
	atts = tp.child(t, "attachments").all("attachment")
	require.Len(t, atts, 4)
	assert.Equal(t, "2024-05-20 14:30:00", tp.get("updated"))

	a.get("template.php", "tpl-attachment-del", "tpl_id", tpl, "attachment_id", atts[0].get("atta_id")).ok(t)
	assert.Len(t, a.get("template.php", "list-tpl", "tpl_id", tpl).xml(t).all("template")[0].child(t, "attachments").all("attachment"), 3)
	a.get("template.php", "tpl-attachment-del", "tpl_id", tpl).ok(t) // attachment_id defaults to all
	assert.Empty(t, a.get("template.php", "list-tpl", "tpl_id", tpl).xml(t).all("template")[0].child(t, "attachments").all("attachment"))

	assert.Len(t, a.get("template.php", "list-tpl").xml(t).all("template"), 4)
	a.get("template.php", "del-tpl", "tpl_id", tpl).ok(t)
	r := a.get("template.php", "list-tpl", "tpl_id", tpl)
	assert.Equal(t, "template_list", r.root(t))
	assert.Empty(t, r.xml(t).Children, "an unknown tpl_id is an empty list")
	assert.Equal(t, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<template_list>\r\n</template_list>\r\n", r.body)
}

func TestTaskLifecycle(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)
	tpls := with(s, func(st *state) string { return id(st.templates[0].id) + "," + id(st.templates[1].id) })
	vip := with(s, func(st *state) string { return id(st.lists[1].id) })

	task := a.get("task.php", "add-task", "tpl_id", tpls, "send_domain", "mail.example.com", "send_account", "all",
		"send_fullname", "示例", "maillist_id", vip, "send_qty", "10", "time", "2024-5-22 9:30", "track_status", "2").ok(t)
	tk := a.get("task.php", "task-list", "id", task).xml(t).all("task")
	require.Len(t, tk, 1)
	assert.Equal(t, "domain", tk[0].get("acct_type"))
	assert.Equal(t, "mail.example.com", tk[0].get("acct_domain"))
	assert.Len(t, tk[0].child(t, "templates").all("template"), 2)
	assert.Equal(t, "10", tk[0].get("send_qty"))
	assert.Equal(t, "10", tk[0].get("send_qty_remak"))
	assert.Equal(t, "2024-05-22 09:30:00", tk[0].get("send_time"))
	assert.Equal(t, "0000-00-00 00:00:00", tk[0].get("time_start"))
	assert.Equal(t, "1", tk[0].get("send_status"))

	a.get("task.php", "edit-task", "id", task, "send_status", "-1", "send_qty", "0", "send_time", "2024-5-23 8:00", "send_replyto", "reply@example.com").ok(t)
	tk = a.get("task.php", "task-list", "id", task).xml(t).all("task")
	assert.Equal(t, "-1", tk[0].get("send_status"))
	assert.Equal(t, "25", tk[0].get("send_qty_remak"))
	assert.Equal(t, "2024-05-23 08:00:00", tk[0].get("send_time"))
	assert.Equal(t, "reply@example.com", tk[0].get("replyto"))

	day := a.get("task.php", "list-task", "date", "2024-05-23").xml(t).all("task")
	require.Len(t, day, 2, "a seeded task and this one")
	assert.Equal(t, task, day[1].get("id"))
	assert.Equal(t, tpls, day[1].get("tpl_id"), "list-task shows every template id, comma-separated")
	assert.Empty(t, a.get("task.php", "list-task", "date", "2024-05-30").xml(t).Children)

	held := a.get("task.php", "task-list", "send_status", "-1").xml(t).all("task")
	assert.Len(t, held, 2)
	page := a.get("task.php", "task-list", "limit", "5").xml(t).all("task")
	assert.Len(t, page, 5, "limit alone pages task-list")
	page = a.get("task.php", "task-list", "page", "3", "limit", "5").xml(t).all("task")
	assert.Len(t, page, 2, "12 tasks: 5 + 5 + 2")
	assert.Len(t, a.get("task.php", "task-list").xml(t).all("task"), 12)

	a.get("task.php", "del-task", "id", task).ok(t)
	assert.Empty(t, a.get("task.php", "task-list", "id", task).xml(t).Children)
	assert.Equal(t, "not_found", a.get("task.php", "edit-task", "id", task, "send_status", "1").status(t))
}

// TestTaskRuns: a task created to start now sends, over its duration, by
// the server's clock.
func TestTaskRuns(t *testing.T) {
	clk := NewClock(testNow)
	s := newTest(t, WithClock(clk))
	a := customerAPI(t, s)
	tpl := with(s, func(st *state) string { return id(st.templates[0].id) })
	news := with(s, func(st *state) string { return id(st.lists[0].id) })
	task := a.get("task.php", "add-task", "tpl_id", tpl, "send_account", "marketing@mail.example.com", "maillist_id", news,
		"time", "2024-5-20 14:31", "track_status", "2").ok(t)
	status := func() node { return a.get("task.php", "task-list", "id", task).xml(t).all("task")[0] }
	assert.Equal(t, "1", status().get("send_status"))

	clk.Advance(time.Minute + 6*time.Second) // 120 recipients take 12 s: half done
	tk := status()
	assert.Equal(t, "2", tk.get("send_status"))
	assert.Equal(t, "60", tk.get("send_count"))
	assert.Equal(t, "2024-05-20 14:31:00", tk.get("time_start"))
	assert.Equal(t, "0000-00-00 00:00:00", tk.get("time_end"))
	assert.Equal(t, "task_status_error", a.get("task.php", "edit-task", "id", task, "send_status", "-1").status(t))

	clk.Advance(time.Hour)
	tk = status()
	assert.Equal(t, "3", tk.get("send_status"))
	assert.Equal(t, "120", tk.get("send_count"))
	assert.Equal(t, "2024-05-20 14:31:12", tk.get("time_end"))
	ov := a.get("track.php", "overview", "id", task).xml(t)
	assert.Equal(t, "120", ov.get("send_count"))
}

// TestAddTaskAsProductionSendsIt sends add-task as a production module
// does (docs/wire-format.md#add-task-send-now): status 2, no time, and
// send_qty with send_qty_start.
func TestAddTaskAsProductionSendsIt(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)
	tpl := with(s, func(st *state) string { return id(st.templates[0].id) })
	list := with(s, func(st *state) string { return id(st.lists[1].id) })
	second := with(s, func(st *state) string { return st.addrsOf(st.lists[1].id)[1].email })

	task := a.get("task.php", "add-task", "tpl_id", tpl, "send_domain", "mail.example.com", "send_account", "all",
		"send_fullname", "示例", "maillist_id", list, "send_qty", "1", "send_qty_start", "2", "status", "2").ok(t)
	tk := a.get("task.php", "task-list", "id", task).xml(t).all("task")
	require.Len(t, tk, 1)
	assert.Equal(t, "2024-05-20 14:30:00", tk[0].get("send_time"), "no time with status 2: now")
	assert.Equal(t, "1", tk[0].get("send_qty_remak"))
	taskID, err := strconv.ParseInt(task, 10, 64)
	require.NoError(t, err)
	got := with(s, func(st *state) []string {
		var out []string
		for _, r := range st.task(taskID).recipients {
			out = append(out, r.email)
		}
		return out
	})
	assert.Equal(t, []string{second}, got, "send_qty_start counts from 1")

	// Without a time and not for now, the document's rule stands.
	assert.Equal(t, "param_error", a.get("task.php", "add-task", "tpl_id", tpl, "send_domain", "mail.example.com", "send_account", "all",
		"maillist_id", list, "status", "1").status(t))
	assert.Equal(t, "param_error", a.get("task.php", "add-task", "tpl_id", tpl, "send_domain", "mail.example.com", "send_account", "all",
		"maillist_id", list, "send_qty", "1", "send_qty_start", "-1", "status", "2").status(t))
}
