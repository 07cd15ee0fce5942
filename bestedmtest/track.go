package bestedmtest

import "time"

// track.php and trackexport.php (§3): derived from the task's recipients
// (see gen.go). A task without tracking (track_status 0) has no track
// record: not_found.

// trackRun finds the task by ident (which wins, §3.1) or id.
func (c *call) trackRun() *run {
	var t *task
	if ident := c.str("ident"); ident != "" {
		t = c.st.taskBySN(ident)
	} else {
		if c.str("id") == "" {
			c.stop(paramError("id/ident"))
		}
		t = c.st.task(c.requireID("id"))
	}
	return c.tracked(t)
}

func (c *call) tracked(t *task) *run {
	if t == nil {
		c.stop(notFound("群发任务"))
	}
	if t.trackStatus == 0 {
		c.stop(fail(statusNotFound, "该任务未开启跟踪统计"))
	}
	return c.s.progress(t, c.now)
}

func writeLinkTotals(d *doc, l linkTotals) {
	d.open("link")
	d.int("link_id", l.link.id)
	d.cdata("link", l.link.url)
	d.int("click_unique", l.unique)
	d.int("click_total", l.total)
	d.time("click_first", l.first)
	d.time("click_last", l.last)
	d.close()
}

func (c *call) trackOverview() reply {
	r := c.trackRun()
	tt := r.totals()
	d := newDoc("track")
	d.int("track_id", r.t.trackID)
	d.int("task_id", r.t.id)
	d.text("task_sn", r.t.sn)
	// The document and the TypeScript client name the task task_id; a
	// production client reads it from send_id: both are sent.
	d.int("send_id", r.t.id)
	d.int("send_count", tt.processed)
	d.int("real_send_count", tt.delivered)
	d.int("error_send_count", tt.failed)
	d.int("open_unique", tt.openUnique)
	d.int("open_total", tt.openTotal)
	d.time("open_first", tt.openFirst)
	d.time("open_last", tt.openLast)
	d.int("click_unique", tt.clickUnique)
	d.int("click_total", tt.clickTotal)
	d.time("click_first", tt.clickFirst)
	d.time("click_last", tt.clickLast)
	d.text("open_ratio", ratio(tt.openUnique, tt.processed))
	d.text("click_ratio", ratio(tt.clickUnique, tt.processed))
	d.open("link_statistic")
	for _, l := range r.linkTotals() {
		writeLinkTotals(d, l)
	}
	d.close()
	return d.reply()
}

// writeOpenCounts writes the counts and times that end a <user> of
// open-detail and of trackexport.php, in the same order in both. Like
// open_last after a single open, click_last stays unset after a single
// click, as recorded (docs/wire-format.md#open-detail-shapes).
func writeOpenCounts(d *doc, o *outcome) {
	cf, cl := o.clickSpan()
	if o.clickTotal() == 1 {
		cl = time.Time{}
	}
	d.int("open_total", o.opens)
	d.int("click_total", o.clickTotal())
	d.time("open_first", o.openFirst)
	d.time("open_last", o.openLast)
	d.time("click_first", cf)
	d.time("click_last", cl)
}

// trackOpens answers one <user> per recipient who opened (§3.2); email_id
// is the address id.
func (c *call) trackOpens() reply {
	r := c.trackRun()
	d := newDoc("data")
	for i := range r.outcomes {
		o := &r.outcomes[i]
		if o.opens == 0 {
			continue
		}
		d.open("user")
		d.int("email_id", o.rcpt.addrID)
		d.text("email", o.rcpt.email)
		d.text("browser", o.browser)
		d.text("os", o.os)
		d.text("device", o.device)
		d.text("addr_first", o.addrFirst)
		d.text("ip_first", o.ipFirst)
		d.text("ip_last", o.ipLast)
		d.text("addr_last", o.addrLast)
		writeOpenCounts(d, o)
		d.close()
	}
	return d.reply()
}

func (c *call) linkFilter() int64 {
	if c.str("link_id") == "" {
		return 0
	}
	return c.requireID("link_id")
}

// trackClicks answers one <click> per recipient and link clicked (§3.3),
// numbered in a stable order whatever link_id selects.
func (c *call) trackClicks() reply {
	r := c.trackRun()
	only := c.linkFilter()
	d := newDoc("data")
	seq := int64(0)
	for i := range r.outcomes {
		o := &r.outcomes[i]
		for _, lc := range o.clicks {
			seq++
			if only != 0 && lc.link.id != only {
				continue
			}
			d.open("click")
			d.int("click_id", r.t.trackID*100000+seq)
			d.text("email", o.rcpt.email)
			d.cdata("link", lc.link.url)
			d.int("click_unique", 1)
			d.int("click_total", lc.total)
			d.time("click_first", lc.first)
			d.time("click_last", lc.last)
			d.close()
		}
	}
	return d.reply()
}

func (c *call) trackLinks() reply {
	r := c.trackRun()
	only := c.linkFilter()
	d := newDoc("data")
	for _, l := range r.linkTotals() {
		if only == 0 || l.link.id == only {
			writeLinkTotals(d, l)
		}
	}
	return d.reply()
}

// trackExport is §3.4, whose format the document leaves out. A production
// client reads the reply as XML, so the fake answers XML, in the
// vocabulary of open-detail: <data> with one <user> per recipient who
// opened — email_id, email, open_total, click_total, open_first,
// open_last, click_first, click_last. is_click=1 keeps those who clicked,
// link_id those who clicked that link, email_id one recipient.
func (c *call) trackExport() reply {
	r := c.tracked(c.st.taskByTrackID(c.requireID("track_id")))
	isClick := c.oneOf("is_click", 0, 0, 1)
	link := c.linkFilter()
	var email int64
	if c.str("email_id") != "" {
		email = c.requireID("email_id")
	}
	d := newDoc("data")
	for i := range r.outcomes {
		o := &r.outcomes[i]
		if o.opens == 0 || (isClick == 1 && len(o.clicks) == 0) || (email != 0 && o.rcpt.addrID != email) {
			continue
		}
		if link != 0 && !clicked(o, link) {
			continue
		}
		d.open("user")
		d.int("email_id", o.rcpt.addrID)
		d.text("email", o.rcpt.email)
		writeOpenCounts(d, o)
		d.close()
	}
	return d.reply()
}

func clicked(o *outcome, link int64) bool {
	for _, lc := range o.clicks {
		if lc.link.id == link {
			return true
		}
	}
	return false
}
