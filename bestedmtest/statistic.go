package bestedmtest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// statistic.php, stask.php, deduction.php, failexport.php (§2.2–§2.5). A
// task counts on the day it started sending, once it has started.
//
// Per task: planned = recipients; processed = those handled so far;
// failed = every failure; sent = processed minus invalid and malformed
// addresses (rejected before sending); bounced = not_exist + over_quota +
// user_reject; delivered = processed − failed, which is also the points
// actually charged.

// sentOn returns the runs that started on day (all days when day is zero).
func (c *call) sentOn(day time.Time) []*run {
	var out []*run
	for _, t := range c.st.tasks {
		r := c.s.progress(t, c.now)
		if !r.start.IsZero() && (day.IsZero() || r.day().Equal(day)) {
			out = append(out, r)
		}
	}
	return out
}

func (c *call) statistic() reply {
	day, _ := c.date("date", true)
	var n, planned, processed, failed, sent, bounced, delivered, invalid, format int64
	for _, r := range c.sentOn(day) {
		tt := r.totals()
		n++
		planned += tt.planned
		processed += tt.processed
		failed += tt.failed
		sent += tt.sent()
		bounced += tt.bounced()
		delivered += tt.delivered
		invalid += tt.byType[failInvalidAddr]
		format += tt.byType[failFormatError]
	}
	d := newDoc("statistic")
	d.date("date", day)
	d.int("ws_qty", n)
	d.int("ws_error", failed)
	d.int("ws_count", processed)
	d.int("invalid_addr", invalid)
	d.int("format_error", format)
	d.int("send_count", planned)
	d.int("deduc_count", planned)
	d.int("actual_send", sent)
	d.int("send_error", bounced)
	d.int("actual_deduc", delivered)
	return d.reply()
}

// stask answers one <task> a batch (§2.4), with the extra elements seen in
// the wild: date, ident or id (a task id, as a production client sends
// it) is required, and they filter together. totalsum is the batch's
// recipients, invalid those dropped before sending (types 8 and 9), and
// rubbish 0: the fake classes no mail as junk.
func (c *call) stask() reply {
	day, byDay := c.date("date", false)
	ident := c.str("ident")
	var id int64
	if c.str("id") != "" {
		id = c.requireID("id")
	}
	if !byDay && ident == "" && id == 0 {
		c.stop(paramError("date/ident/id"))
	}
	d := newDoc("data")
	for _, r := range c.sentOn(day) {
		if (ident != "" && r.t.sn != ident) || (id != 0 && r.t.id != id) {
			continue
		}
		tt := r.totals()
		d.open("task")
		d.int("task_id", r.t.id)
		d.date("task_date", r.start)
		d.text("task_ident", r.t.sn)
		d.int("totalsum", tt.planned)
		d.int("total", tt.processed)
		d.int("invalid", tt.invalid())
		d.int("failed", tt.failed)
		d.int("success", tt.delivered)
		d.int("actual", tt.delivered)
		d.int("email_not_exist", tt.byType[failNotExist])
		d.int("over_quota", tt.byType[failOverQuota])
		d.int("user_reject", tt.byType[failUserReject])
		d.int("rubbish", 0)
		d.int("send_failed", tt.bounced())
		d.int("spam_content", 0)
		d.int("connect_error", 0)
		d.int("rebate", tt.processed-tt.delivered)
		d.int("point", tt.processed)
		d.close()
	}
	return d.reply()
}

// deduction answers one <list> row a task sent that day (§2.5).
func (c *call) deduction() reply {
	day, _ := c.date("date", true)
	d := newDoc("data")
	for _, r := range c.sentOn(day) {
		tt := r.totals()
		d.open("list")
		d.date("date", day)
		d.cdata("company", c.cust.company)
		d.cdata("deduction", "web群发")
		d.int("send_num", tt.sent())
		d.int("total", tt.delivered)
		d.close()
	}
	return d.reply()
}

// failTypes maps failexport.php's type names to numbers (§2.3); "all" and
// -1 mean every type; 4 (production code) is generated, 5 (seen in the
// wild) accepted but never generated.
var failTypes = map[string]int{
	"not_exist": failNotExist, "over_quota": failOverQuota, "user_reject": failUserReject,
	"invalid_addr": failInvalidAddr, "format_error": failFormatError, "all": -1,
}

// failQuery is what failexport.php and failexportall.php select: a type
// (-1 all), days from day to end, and maybe one task.
type failQuery struct {
	typ      int
	day, end time.Time
	only     *task
}

// failFilter reads the parameters both failed-address scripts take. With
// typeRequired false a missing type is every type.
func (c *call) failFilter(typeRequired bool) failQuery {
	var fq failQuery
	fq.day, _ = c.date("date", true)
	fq.end = fq.day
	if end, ok := c.date("date_end", false); ok {
		if end.Before(fq.day) {
			c.stop(paramError("date_end"))
		}
		fq.end = end
	}
	raw := c.str("type")
	if raw == "" && typeRequired {
		raw = c.requireStr("type")
	}
	fq.typ = -1
	if raw != "" {
		typ, ok := failTypes[raw]
		if !ok {
			n, err := strconv.Atoi(raw)
			if err != nil || (n != -1 && n != 5 && failNames[n] == "") {
				c.stop(paramError("type"))
			}
			typ = n
		}
		fq.typ = typ
	}
	switch {
	case c.str("task_id") != "":
		if fq.only = c.st.task(c.requireID("task_id")); fq.only == nil {
			c.stop(notFound("群发任务"))
		}
	case c.str("task_ident") != "":
		if fq.only = c.st.taskBySN(c.str("task_ident")); fq.only == nil {
			c.stop(notFound("任务批次"))
		}
	case typeRequired && fq.typ >= 1 && fq.typ <= 3:
		c.stop(paramError("task_id/task_ident"))
	}
	return fq
}

// failed is one failed address and the task it failed in.
type failed struct {
	o outcome
	t *task
}

// failures returns the failures the query selects, day by day, task by task.
func (c *call) failures(fq failQuery) []failed {
	var out []failed
	for d := fq.day; !d.After(fq.end); d = d.AddDate(0, 0, 1) {
		for _, r := range c.sentOn(d) {
			if fq.only != nil && r.t != fq.only {
				continue
			}
			for _, o := range r.outcomes {
				if o.fail != 0 && (fq.typ == -1 || o.fail == fq.typ) {
					out = append(out, failed{o, r.t})
				}
			}
		}
	}
	return out
}

// failExport answers the failed addresses of a day, or of the days up to
// date_end (§2.3): text, one a line; with out_type=xml a list with the
// error type and its description, as a production client reads it; with
// out_type=json the addresses alone, as another types it. Types 1, 2 and 3 need
// task_id or task_ident.
func (c *call) failExport() reply {
	fq := c.failFilter(true)
	outType := c.str("out_type")
	if outType != "" && outType != "txt" && outType != "text" && outType != "xml" && outType != "json" {
		c.stop(paramError("out_type"))
	}
	return failReply(outType, fq.day, c.failures(fq))
}

// failExportAll answers failexportall.php, which a production client calls
// with out_type=json: every failed address of the days (or of one task),
// as JSON rows of email, type and task_id, the numbers as strings.
func (c *call) failExportAll() reply {
	fq := c.failFilter(false)
	if ot := c.str("out_type"); ot != "" && ot != "json" {
		c.stop(paramError("out_type"))
	}
	type row struct {
		Email  string `json:"email"`
		Type   string `json:"type"`
		TaskID string `json:"task_id"`
	}
	rows := []row{}
	for _, f := range c.failures(fq) {
		rows = append(rows, row{f.o.rcpt.email, strconv.Itoa(f.o.fail), strconv.FormatInt(f.t.id, 10)})
	}
	b, _ := json.Marshal(rows)
	return reply{contentType: contentJSON, body: b}
}

func failReply(outType string, day time.Time, fails []failed) reply {
	switch outType {
	case "xml":
		d := newDoc("fail_recipient_list")
		for _, f := range fails {
			d.open("recipient").text("email", f.o.rcpt.email).int("error_type", int64(f.o.fail)).
				cdata("error_type_dec", failNames[f.o.fail]).close()
		}
		return d.reply()
	case "json":
		// Plain addresses: the public TypeScript client types this reply
		// as string[] (and failexportall.php's as objects), and the
		// document's text form holds the address alone
		// (docs/wire-format.md#failexport-json-shapes).
		rows := []string{}
		for _, f := range fails {
			rows = append(rows, f.o.rcpt.email)
		}
		b, _ := json.Marshal(rows)
		return reply{contentType: contentJSON, body: b}
	}
	lines := make([]string, len(fails))
	for i, f := range fails {
		lines[i] = f.o.rcpt.email
	}
	return textReply(fmt.Sprintf("fail_%s.txt", day.Format("20060102")), lines)
}
