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
// the wild (FIELD-NOTES): date or ident is required.
func (c *call) stask() reply {
	day, byDay := c.date("date", false)
	ident := c.str("ident")
	if !byDay && ident == "" {
		c.stop(paramError("date/ident"))
	}
	d := newDoc("data")
	for _, r := range c.sentOn(day) {
		if ident != "" && r.t.sn != ident {
			continue
		}
		tt := r.totals()
		d.open("task")
		d.int("task_id", r.t.id)
		d.date("task_date", r.start)
		d.text("task_ident", r.t.sn)
		d.int("total", tt.processed)
		d.int("failed", tt.failed)
		d.int("success", tt.delivered)
		d.int("actual", tt.delivered)
		d.int("email_not_exist", tt.byType[failNotExist])
		d.int("over_quota", tt.byType[failOverQuota])
		d.int("user_reject", tt.byType[failUserReject])
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
// -1 mean every type, and 5 (seen in the wild) is accepted but never
// generated.
var failTypes = map[string]int{
	"not_exist": failNotExist, "over_quota": failOverQuota, "user_reject": failUserReject,
	"invalid_addr": failInvalidAddr, "format_error": failFormatError, "all": -1,
}

// failExport answers the failed addresses of a day (§2.3): text, one a
// line, or with out_type=xml|json a list with the error type (FIELD-NOTES).
// Types 1, 2 and 3 need task_id or task_ident.
func (c *call) failExport() reply {
	day, _ := c.date("date", true)
	raw := c.requireStr("type")
	typ, ok := failTypes[raw]
	if !ok {
		n, err := strconv.Atoi(raw)
		if err != nil || (n != -1 && n != 5 && failNames[n] == "") {
			c.stop(paramError("type"))
		}
		typ = n
	}
	var only *task
	switch {
	case c.str("task_id") != "":
		if only = c.st.task(c.requireID("task_id")); only == nil {
			c.stop(notFound("群发任务"))
		}
	case c.str("task_ident") != "":
		if only = c.st.taskBySN(c.str("task_ident")); only == nil {
			c.stop(notFound("任务批次"))
		}
	case typ >= 1 && typ <= 3:
		c.stop(paramError("task_id/task_ident"))
	}
	outType := c.str("out_type")
	if outType != "" && outType != "txt" && outType != "text" && outType != "xml" && outType != "json" {
		c.stop(paramError("out_type"))
	}
	var fails []outcome
	for _, r := range c.sentOn(day) {
		if only != nil && r.t != only {
			continue
		}
		for _, o := range r.outcomes {
			if o.fail != 0 && (typ == -1 || o.fail == typ) {
				fails = append(fails, o)
			}
		}
	}
	return failReply(outType, day, fails)
}

func failReply(outType string, day time.Time, fails []outcome) reply {
	switch outType {
	case "xml":
		d := newDoc("fail_recipient_list")
		for _, o := range fails {
			d.open("recipient").text("email", o.rcpt.email).int("error_type", int64(o.fail)).
				cdata("error_type_dec", failNames[o.fail]).close()
		}
		return d.reply()
	case "json":
		type row struct {
			Email     string `json:"email"`
			ErrorType string `json:"error_type"`
			ErrorDec  string `json:"error_type_dec"`
		}
		rows := []row{}
		for _, o := range fails {
			rows = append(rows, row{o.rcpt.email, strconv.Itoa(o.fail), failNames[o.fail]})
		}
		b, _ := json.Marshal(rows)
		return reply{contentType: contentJSON, body: b}
	}
	lines := make([]string, len(fails))
	for i, o := range fails {
		lines[i] = o.rcpt.email
	}
	return textReply(fmt.Sprintf("fail_%s.txt", day.Format("20060102")), lines)
}
