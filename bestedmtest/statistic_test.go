package bestedmtest

import (
	"encoding/json"
	"fmt"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func num(t *testing.T, n node, name string) int64 {
	t.Helper()
	v, err := strconv.ParseInt(n.get(name), 10, 64)
	require.NoError(t, err, "<%s> of <%s>", name, n.XMLName.Local)
	return v
}

func when(t *testing.T, s string) time.Time {
	t.Helper()
	if s == zeroTime {
		return time.Time{}
	}
	v, err := time.ParseInLocation(timeLayout, s, chinaZone)
	require.NoError(t, err)
	return v
}

// TestTrackingIsConsistent checks every tracked task's replies against each
// other and against the task list.
func TestTrackingIsConsistent(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)
	tasks := a.get("task.php", "task-list").xml(t).all("task")
	checked := 0
	var shapes trackShapes
	for _, tk := range tasks {
		if tk.get("track_status") == "0" {
			continue
		}
		t.Run(tk.get("id"), func(t *testing.T) {
			checkTracking(t, a, tk, &shapes)
			checked++
		})
	}
	assert.GreaterOrEqual(t, checked, 8)
	// Recorded open-detail rows (docs/wire-format.md#open-detail-shapes):
	// one open and 9 to 33 clicks, and one click whose click_last stays unset.
	assert.Positive(t, shapes.moreClicksThanOpens, "rows with click_total above open_total")
	assert.Positive(t, shapes.singleClicks, "rows with a single click")
}

// trackShapes counts, over the tasks checked, the recorded shapes the
// generator must produce.
type trackShapes struct{ moreClicksThanOpens, singleClicks int }

func checkTracking(t *testing.T, a *api, tk node, shapes *trackShapes) {
	taskID := tk.get("id")
	ov := a.get("track.php", "overview", "id", taskID).xml(t)
	require.Equal(t, "track", ov.XMLName.Local)
	assert.Equal(t, taskID, ov.get("task_id"))
	assert.Equal(t, taskID, ov.get("send_id"), "the element a production client reads (docs/wire-format.md#overview-send-id)")
	assert.Equal(t, ov.XMLName.Local, a.get("track.php", "overview", "ident", tk.get("sn"), "id", "1").root(t), "ident wins over id")
	sent, real, failed := num(t, ov, "send_count"), num(t, ov, "real_send_count"), num(t, ov, "error_send_count")
	assert.Equal(t, num(t, tk, "send_count"), sent)
	assert.Equal(t, num(t, tk, "error_count"), failed)
	assert.Equal(t, sent, real+failed)
	ou, ot, cu, ct := num(t, ov, "open_unique"), num(t, ov, "open_total"), num(t, ov, "click_unique"), num(t, ov, "click_total")
	assert.LessOrEqual(t, ou, real)
	assert.LessOrEqual(t, ou, ot)
	assert.LessOrEqual(t, cu, ou)
	assert.LessOrEqual(t, cu, ct)
	if sent > 0 {
		assert.Equal(t, fmt.Sprintf("%.2f%%", float64(ou)*100/float64(sent)), ov.get("open_ratio"))
		assert.Equal(t, fmt.Sprintf("%.2f%%", float64(cu)*100/float64(sent)), ov.get("click_ratio"))
	}
	if tk.get("track_status") == "1" {
		assert.Zero(t, ct, "track_status 1 tracks opens only")
	}

	users := a.get("track.php", "open-detail", "id", taskID).xml(t).all("user")
	assert.Len(t, users, int(ou))
	var sumOpen, sumClick, clickers int64
	start := when(t, tk.get("time_start"))
	for _, u := range users {
		o, c := num(t, u, "open_total"), num(t, u, "click_total")
		sumOpen += o
		sumClick += c
		if c > o {
			shapes.moreClicksThanOpens++
		}
		if c == 1 {
			shapes.singleClicks++
			assert.Equal(t, zeroTime, u.get("click_last"), "click_last stays unset after a single click, as recorded")
		} else if c > 1 {
			assert.False(t, when(t, u.get("click_last")).Before(when(t, u.get("click_first"))))
		}
		assert.Contains(t, []string{"pc", "mobile"}, u.get("device"))
		assert.NotEmpty(t, u.get("addr_first"))
		assert.Equal(t, o == 1, u.get("addr_last") == "", "addr_last is empty after one open, like ip_last")
		first := when(t, u.get("open_first"))
		assert.False(t, first.Before(start), "opened before sending")
		assert.False(t, first.After(testNow), "opened in the future")
		if o == 1 {
			assert.Equal(t, zeroTime, u.get("open_last"))
			assert.Empty(t, u.get("ip_last"))
		} else {
			assert.False(t, when(t, u.get("open_last")).Before(first))
		}
		if c > 0 {
			clickers++
		} else {
			assert.Equal(t, zeroTime, u.get("click_first"))
		}
	}
	assert.Equal(t, ot, sumOpen)
	assert.Equal(t, ct, sumClick)
	assert.Equal(t, cu, clickers)
	if ou > 0 {
		assert.Equal(t, ov.get("open_first"), minOf(t, users, "open_first"))
	}

	clicks := a.get("track.php", "click-detail", "id", taskID).xml(t).all("click")
	var sumClicks int64
	perLink := map[string]int64{}
	for _, c := range clicks {
		sumClicks += num(t, c, "click_total")
		perLink[c.get("link")]++
	}
	assert.Equal(t, ct, sumClicks)
	links := a.get("track.php", "link-stat", "id", taskID).xml(t).all("link")
	overviewLinks := ov.child(t, "link_statistic").all("link")
	assert.Equal(t, len(overviewLinks), len(links))
	var sumLinks int64
	for i, l := range links {
		sumLinks += num(t, l, "click_total")
		assert.Equal(t, perLink[l.get("link")], num(t, l, "click_unique"))
		assert.Equal(t, overviewLinks[i].get("click_total"), l.get("click_total"))
		one := a.get("track.php", "link-stat", "id", taskID, "link_id", l.get("link_id")).xml(t).all("link")
		require.Len(t, one, 1)
		assert.Len(t, a.get("track.php", "click-detail", "id", taskID, "link_id", l.get("link_id")).xml(t).all("click"), int(perLink[l.get("link")]))
	}
	assert.Equal(t, ct, sumLinks)

	trackID := ov.get("track_id")
	assert.Len(t, a.get("trackexport.php", "", "track_id", trackID).xml(t).all("user"), int(ou))
	assert.Len(t, a.get("trackexport.php", "", "track_id", trackID, "is_click", "1").xml(t).all("user"), int(cu))
	if len(users) > 0 {
		rows := a.get("trackexport.php", "", "track_id", trackID, "email_id", users[0].get("email_id")).xml(t).all("user")
		require.Len(t, rows, 1)
		for _, name := range []string{"email_id", "email", "open_total", "click_total", "open_first", "open_last", "click_first", "click_last"} {
			assert.Equal(t, users[0].get(name), rows[0].get(name), name)
		}
	}
}

func minOf(t *testing.T, ns []node, name string) string {
	m := ns[0].get(name)
	for _, n := range ns {
		if v := n.get(name); v < m {
			m = v
		}
	}
	return m
}

// TestStatisticsAreConsistent checks the daily statistics against the
// batches, the deductions, the failed-address export and the quota.
func TestStatisticsAreConsistent(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)
	var charged, days int64
	for d := testNow.AddDate(0, 0, -12); !d.After(testNow.AddDate(0, 0, 3)); d = d.AddDate(0, 0, 1) {
		date := d.Format(dateLayout)
		st := a.get("statistic.php", "", "date", date).xml(t)
		require.Equal(t, "statistic", st.XMLName.Local)
		assert.Equal(t, date, st.get("date"))
		rows := a.get("stask.php", "", "date", date).xml(t).all("task")
		assert.Equal(t, num(t, st, "ws_qty"), int64(len(rows)), date)
		var total, failed, actual, notExist, quota, reject, invalid int64
		for _, r := range rows {
			invalid += num(t, r, "invalid")
			assert.Equal(t, num(t, r, "failed"), num(t, r, "send_failed")+num(t, r, "invalid"))
			assert.LessOrEqual(t, num(t, r, "total"), num(t, r, "totalsum"), "handled so far, of the whole batch")
			byID := a.get("stask.php", "", "id", r.get("task_id")).xml(t).all("task")
			require.Len(t, byID, 1)
			assert.Equal(t, r.get("task_ident"), byID[0].get("task_ident"))
			total += num(t, r, "total")
			failed += num(t, r, "failed")
			actual += num(t, r, "actual")
			notExist += num(t, r, "email_not_exist")
			quota += num(t, r, "over_quota")
			reject += num(t, r, "user_reject")
			assert.Equal(t, num(t, r, "total"), num(t, r, "failed")+num(t, r, "success"))
			assert.Equal(t, date, r.get("task_date"))
			one := a.get("stask.php", "", "ident", r.get("task_ident")).xml(t).all("task")
			require.Len(t, one, 1)
			assert.Equal(t, r.get("task_id"), one[0].get("task_id"))
			for typ, want := range map[string]int64{"1": num(t, r, "email_not_exist"), "over_quota": num(t, r, "over_quota"), "3": num(t, r, "user_reject")} {
				got := a.get("failexport.php", "", "date", date, "type", typ, "task_id", r.get("task_id")).lines()
				assert.Len(t, got, int(want), "type %s", typ)
				got = a.get("failexport.php", "", "date", date, "type", typ, "task_ident", r.get("task_ident")).lines()
				assert.Len(t, got, int(want), "type %s by ident", typ)
			}
		}
		assert.Equal(t, num(t, st, "ws_count"), total)
		assert.Equal(t, num(t, st, "ws_error"), failed)
		assert.Equal(t, num(t, st, "actual_deduc"), actual)
		temporary := int64(len(a.get("failexport.php", "", "date", date, "type", "4").lines()))
		assert.Equal(t, num(t, st, "send_error"), notExist+quota+reject+temporary)
		assert.Equal(t, num(t, st, "invalid_addr")+num(t, st, "format_error"), invalid, "stask's invalid")
		assert.Equal(t, num(t, st, "actual_send"), total-num(t, st, "invalid_addr")-num(t, st, "format_error"))
		assert.Len(t, a.get("failexport.php", "", "date", date, "type", "all").lines(), int(failed))
		assert.Len(t, a.get("failexport.php", "", "date", date, "type", "-1").lines(), int(failed))
		assert.Len(t, a.get("failexport.php", "", "date", date, "type", "invalid_addr").lines(), int(num(t, st, "invalid_addr")))
		assert.Len(t, a.get("failexport.php", "", "date", date, "type", "9").lines(), int(num(t, st, "format_error")))
		xml := a.get("failexport.php", "", "date", date, "type", "all", "out_type", "xml").xml(t)
		assert.Equal(t, "fail_recipient_list", xml.XMLName.Local)
		assert.Len(t, xml.all("recipient"), int(failed))

		ded := a.get("deduction.php", "", "date", date).xml(t).all("list")
		assert.Len(t, ded, len(rows))
		var dedTotal int64
		for _, r := range ded {
			dedTotal += num(t, r, "total")
		}
		assert.Equal(t, actual, dedTotal)
		charged += actual
		if len(rows) > 0 {
			days++
		}
	}
	assert.GreaterOrEqual(t, days, int64(6), "the seed sends on several days")
	svc := a.get("account.php", "service-info").xml(t)
	assert.Equal(t, num(t, svc, "qty_buytotal")-charged, num(t, svc, "qty_available"))
}

func TestFailExportJSON(t *testing.T) {
	s := newTest(t)
	r := customerAPI(t, s).get("failexport.php", "", "date", "2024-05-15", "type", "all", "out_type", "json")
	assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"))
	// Plain addresses, as the public TypeScript client types this reply
	// (docs/wire-format.md#failexport-json-shapes); failexportall.php sends
	// objects.
	var plain []string
	require.NoError(t, json.Unmarshal([]byte(r.body), &plain), r.body)
	assert.Equal(t, customerAPI(t, s).get("failexport.php", "", "date", "2024-05-15", "type", "all").lines(), plain)
	var objects []map[string]string
	all := customerAPI(t, s).get("failexportall.php", "", "date", "2024-05-15", "type", "all", "out_type", "json")
	require.NoError(t, json.Unmarshal([]byte(all.body), &objects), all.body)
	require.Len(t, objects, len(plain))
	assert.NotEmpty(t, objects[0]["type"])
	r = customerAPI(t, s).get("failexport.php", "", "date", "2024-05-30", "type", "all", "out_type", "json")
	assert.Equal(t, "[]", r.body)
	assert.Equal(t, "param_error", customerAPI(t, s).get("failexport.php", "", "date", "2024-05-15", "type", "all", "out_type", "csv").status(t))
}
