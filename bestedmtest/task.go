package bestedmtest

import (
	"strconv"
	"strings"
	"time"
)

// task.php (§2.1, §5.1/§6.2, §6.1, §6.3, §6.4).

// day is the date a task belongs to: the day it started sending, or the
// day it is scheduled for.
func (r *run) day() time.Time {
	if !r.start.IsZero() {
		return startOfDay(r.start)
	}
	return startOfDay(r.t.sendTime)
}

func (t *task) acctType() string {
	switch {
	case t.sendAccount != "all":
		return "address"
	case t.sendDomain == "" || t.sendDomain == "all":
		return "all"
	}
	return "domain"
}

func (t *task) sender() string {
	if t.acctType() == "address" {
		return t.sendAccount
	}
	return ""
}

func (t *task) replyto() string {
	if t.replyTo != "" {
		return t.replyTo
	}
	return t.sender()
}

// tplName is the template's current name, or its name when the task was
// created if it has been deleted since.
func (c *call) tplName(t *task, i int) string {
	if tpl := c.st.template(t.tplIDs[i]); tpl != nil {
		return tpl.name
	}
	return t.tplNames[i]
}

// joinIDs writes ids comma-separated, the form add-task takes and the
// form production answers tpl_id and list_id in for a task of several.
func joinIDs(ids []int64) string {
	parts := make([]string, len(ids))
	for i, id := range ids {
		parts[i] = strconv.FormatInt(id, 10)
	}
	return strings.Join(parts, ",")
}

// listIDs are every list of t, the first first.
func (t *task) listIDs() []int64 { return append([]int64{t.listID}, t.moreLists...) }

// mustLists reads maillist_id: one existing list id or several,
// comma-separated (as production clients send them).
func (c *call) mustLists(name string) []*maillist {
	raw := c.requireStr(name)
	var ls []*maillist
	for _, p := range strings.Split(raw, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil || id <= 0 {
			c.stop(paramError(name))
		}
		l := c.st.list(id)
		if l == nil {
			c.stop(notFound("联系人分类"))
		}
		ls = append(ls, l)
	}
	return ls
}

func (c *call) listName(t *task) string {
	if l := c.st.list(t.listID); l != nil {
		return l.subject
	}
	return t.listName
}

// writeCounts writes the fields §2.1 and §6.1 share, from addr_type on.
func (c *call) writeCounts(d *doc, r *run) {
	t, tt := r.t, r.totals()
	d.text("addr_type", "0")
	d.text("list_id", joinIDs(t.listIDs()))
	d.cdata("list_name", c.listName(t))
	d.int("send_qty", t.sendQty)
	d.int("send_qty_remak", tt.planned) // sic
	d.time("send_time", t.sendTime)
	d.time("time_start", r.start)
	d.time("time_end", r.end)
	d.int("send_count", tt.processed)
	d.int("error_count", tt.failed)
	d.int("send_status", int64(r.status))
	d.int("track_status", int64(t.trackStatus))
}

// listTaskByDate answers §2.1 and the forms production clients use: by
// date, id, ident (the task's sn) or state (its send_status), at least one,
// together. tpl_id holds every template id, comma-separated, and tpl_name
// the first template's name.
func (c *call) listTaskByDate() reply {
	day, byDay := c.date("date", false)
	var id int64
	if c.str("id") != "" {
		id = c.requireID("id")
	}
	ident := c.str("ident")
	status, byStatus := int64(0), c.str("state") != ""
	if byStatus {
		status = c.oneOf("state", 0, 1, 2, 3, -1, -2, -3)
	}
	if !byDay && id == 0 && ident == "" && !byStatus {
		c.stop(paramError("date"))
	}
	d := newDoc("task_list")
	for _, t := range c.st.tasks {
		r := c.s.progress(t, c.now)
		if (byDay && !r.day().Equal(day)) || (id != 0 && t.id != id) || (ident != "" && t.sn != ident) ||
			(byStatus && int64(r.status) != status) {
			continue
		}
		d.open("task")
		d.int("id", t.id)
		d.text("sn", t.sn)
		d.text("sender", t.sender())
		d.cdata("sender_name", t.sendFullname)
		d.text("replyto", t.replyto())
		d.text("tpl_id", joinIDs(t.tplIDs))
		d.cdata("tpl_name", c.tplName(t, 0))
		c.writeCounts(d, r)
		d.close()
	}
	return d.reply()
}

// taskList answers §6.1: filtered by id, date and send_status, paged when
// page or limit is given (limit 30 by default).
func (c *call) taskList() reply {
	var id int64
	if c.str("id") != "" {
		id = c.requireID("id")
	}
	day, byDay := c.date("date", false)
	status, byStatus := int64(0), false
	if v := c.str("send_status"); v != "" && v != "all" {
		status, byStatus = c.oneOf("send_status", 0, 1, 2, 3, -1, -2, -3), true
	}
	page, limit, paged := c.paging(30, true)
	var match []*run
	for _, t := range c.st.tasks {
		r := c.s.progress(t, c.now)
		if (id != 0 && t.id != id) || (byDay && !r.day().Equal(day)) || (byStatus && int64(r.status) != status) {
			continue
		}
		match = append(match, r)
	}
	d := newDoc("task_list")
	from, to := pageBounds(len(match), page, limit, paged)
	for _, r := range match[from:to] {
		t := r.t
		d.open("task")
		d.int("id", t.id)
		d.text("sn", t.sn)
		d.text("acct_type", t.acctType())
		switch t.acctType() {
		case "domain":
			d.text("acct_domain", t.sendDomain)
		case "address":
			d.text("acct_address", t.sendAccount)
		}
		d.text("sender", t.sender())
		d.text("replyto", t.replyto())
		d.cdata("sender_name", t.sendFullname)
		d.open("templates")
		for i, tid := range t.tplIDs {
			d.open("template").int("tpl_id", tid).cdata("tpl_name", c.tplName(t, i)).close()
		}
		d.close()
		if len(t.moreLists) > 0 {
			d.open("listes")
			for _, lid := range t.listIDs() {
				name := ""
				if l := c.st.list(lid); l != nil {
					name = l.subject
				}
				d.open("item").int("list_id", lid).cdata("list_name", name).close()
			}
			d.close()
		}
		c.writeCounts(d, r)
		d.close()
	}
	return d.reply()
}

// tplIDs reads a comma-separated list of existing template ids.
func (c *call) tplIDs() []int64 {
	raw := c.requireStr("tpl_id")
	var ids []int64
	for _, p := range strings.Split(raw, ",") {
		id, err := strconv.ParseInt(strings.TrimSpace(p), 10, 64)
		if err != nil || id <= 0 {
			c.stop(paramError("tpl_id"))
		}
		if c.st.template(id) == nil {
			c.stop(notFound("模板 " + strconv.FormatInt(id, 10)))
		}
		ids = append(ids, id)
	}
	return ids
}

// senderParams reads send_account and send_domain over the current values
// (§6.2 notes 2–4): an address, or "all" with a domain or "all".
func (c *call) senderParams(account, dom string) (string, string) {
	if c.has("send_account") {
		account = c.requireStr("send_account")
	}
	if c.has("send_domain") {
		dom = c.str("send_domain")
	}
	if account != "all" && !validEmail(account) {
		c.stop(paramError("send_account"))
	}
	if account == "all" && dom == "" {
		c.stop(paramError("send_domain"))
	}
	if dom != "" && dom != "all" {
		known := false
		for _, d := range c.st.domainsOf(c.cust.id) {
			known = known || strings.EqualFold(d.name, dom)
		}
		if !known {
			c.stop(notFound("发件域名 " + dom))
		}
	}
	return account, dom
}

func (c *call) trackDomain() string {
	v := c.str("track_domain")
	if v != "" && !validDomain(v) {
		c.stop(paramError("track_domain"))
	}
	return v
}

func (c *call) replyTo() string {
	v := c.str("send_replyto")
	if v != "" && !validEmail(v) {
		c.stop(paramError("send_replyto"))
	}
	return v
}

// addTask answers <result> with <id> (§5.1).
func (c *call) addTask() reply {
	ids := c.tplIDs()
	c.requireStr("send_account")
	account, dom := c.senderParams("", "")
	ls := c.mustLists("maillist_id")
	qty := c.optInt("send_qty", 0)
	if qty < 0 {
		c.stop(paramError("send_qty"))
	}
	// send_qty_start (not in the document, sent by production clients):
	// where in the list the send_qty addresses start, counting from 1.
	start := c.optInt("send_qty_start", 0)
	if start < 0 {
		c.stop(paramError("send_qty_start"))
	}
	status := c.oneOf("status", taskWaiting, taskWaiting, taskHold, taskSending)
	when, ok := c.taskTime("time")
	if !ok && status != taskSending {
		// A production module sends a task for now (status 2) with no
		// time, and the service takes it; otherwise the document's rule.
		c.stop(paramError("time"))
	}
	if !ok {
		when = c.now
	}
	subs := c.oneOf("subs_link", 1, 0, 1)
	track := c.oneOf("track_status", 0, 0, 1, 2)
	t := c.st.newTask(ids, ls[0], qty, c.now)
	if len(ls) > 1 || start > 1 {
		t.sendQtyStart = start
		c.st.setList(t, ls[0], qty, ls[1:]...)
	}
	t.sendAccount, t.sendDomain, t.sendFullname = account, dom, c.param("send_fullname")
	t.status, t.sendTime, t.subsLink, t.trackStatus = int(status), when, int(subs), int(track)
	t.trackDomain, t.replyTo = c.trackDomain(), c.replyTo()
	c.st.tasks = append(c.st.tasks, t)
	return resultID(statusSuccess, t.id, "添加群发任务成功!")
}

var taskFields = []string{"tpl_id", "send_domain", "send_account", "send_fullname", "maillist_id", "send_qty",
	"send_status", "send_time", "time", "subs_link", "track_status", "track_domain", "send_replyto"}

func (c *call) mustTask() *task {
	t := c.st.task(c.requireID("id"))
	if t == nil {
		c.stop(notFound("群发任务"))
	}
	return t
}

// editTask changes a task that has not started (waiting, held or paused);
// others are task_status_error.
func (c *call) editTask() reply {
	t := c.mustTask()
	changed := false
	for _, f := range taskFields {
		changed = changed || c.has(f)
	}
	if !changed {
		c.stop(paramError("tpl_id/send_account/…"))
	}
	switch c.s.progress(t, c.now).status {
	case taskWaiting, taskHold, taskPaused:
	default:
		return fail(statusTaskStatusError, "任务已开始发送或已结束，不能修改")
	}
	*t = c.taskEdits(t)
	return result(statusSuccess, "修改群发任务成功")
}

// taskEdits returns t with the edits of the request applied, or stops on
// the first invalid one, leaving t as it was. The document's example sends
// the time as "time", its parameter list as "send_time": both are read.
func (c *call) taskEdits(t *task) task {
	cp := *t
	if c.has("tpl_id") {
		cp.tplIDs, cp.tplNames = c.tplIDs(), nil
		for _, id := range cp.tplIDs {
			cp.tplNames = append(cp.tplNames, c.st.template(id).name)
		}
	}
	if c.has("send_account") || c.has("send_domain") {
		cp.sendAccount, cp.sendDomain = c.senderParams(t.sendAccount, t.sendDomain)
	}
	if c.has("send_fullname") {
		cp.sendFullname = c.param("send_fullname")
	}
	ls := []*maillist{c.st.list(t.listID)}
	for _, id := range t.moreLists {
		ls = append(ls, c.st.list(id))
	}
	if c.has("maillist_id") {
		ls = c.mustLists("maillist_id")
	}
	if cp.sendQty = c.optInt("send_qty", t.sendQty); cp.sendQty < 0 {
		c.stop(paramError("send_qty"))
	}
	if c.str("send_status") != "" {
		cp.status = int(c.oneOf("send_status", 0, taskWaiting, taskHold))
	}
	name := "send_time"
	if !c.has(name) {
		name = "time"
	}
	if when, ok := c.taskTime(name); ok {
		cp.sendTime = when
	}
	cp.subsLink = int(c.oneOf("subs_link", int64(t.subsLink), 0, 1))
	cp.trackStatus = int(c.oneOf("track_status", int64(t.trackStatus), 0, 1, 2))
	if c.has("track_domain") {
		cp.trackDomain = c.trackDomain()
	}
	if c.has("send_replyto") {
		cp.replyTo = c.replyTo()
	}
	// Every edit is valid: re-fix what depends on them.
	if c.has("tpl_id") {
		cp.links = c.st.linksOf(cp.tplIDs)
	}
	if ls[0] != nil && (c.has("maillist_id") || c.has("send_qty")) {
		var more []*maillist
		for _, m := range ls[1:] {
			if m != nil {
				more = append(more, m)
			}
		}
		cp.recipients = nil
		c.st.setList(&cp, ls[0], cp.sendQty, more...)
	}
	return cp
}

func (c *call) delTask() reply {
	t := c.mustTask()
	c.st.tasks = removeFunc(c.st.tasks, func(x *task) bool { return x == t })
	return result(statusSuccess, "删除群发任务成功")
}
