package bestedmtest

import (
	"fmt"
	"math"
	"time"
)

// The statistics and tracking replies are not stored: they are derived, on
// every request, from a task's recipients by a deterministic generator keyed
// on (seed, task id, recipient index). Counters are aggregated from the
// per-recipient records, so every reply agrees with every other: opens only
// among delivered recipients, unique ≤ total, clickers ⊆ openers, and ratios
// = unique / send_count. Clicks are not bounded by opens: recorded
// production rows show one open and 9 to 33 clicks, within seconds, from a
// desktop abroad (a mail gateway that follows every link), and the
// generator makes such rows (docs/wire-format.md#open-detail-shapes).

// mix is SplitMix64 over the key parts: a stable pseudo-random number.
func mix(parts ...uint64) uint64 {
	var x uint64 = 0x9E3779B97F4A7C15
	for _, p := range parts {
		x ^= p + 0x9E3779B97F4A7C15 + (x << 6) + (x >> 2)
		x += 0x9E3779B97F4A7C15
		z := x
		z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9
		z = (z ^ (z >> 27)) * 0x94D049BB133111EB
		x = z ^ (z >> 31)
	}
	return x
}

// unit is mix mapped to [0, 1).
func unit(parts ...uint64) float64 {
	return float64(mix(parts...)>>11) / (1 << 53)
}

// Salts, one per decision, so decisions are independent.
const (
	saltFail uint64 = iota + 1
	saltFailType
	saltOpen
	saltOpenCount
	saltOpenAt
	saltOpenLast
	saltClick
	saltClickLink
	saltClickCount
	saltClickAt
	saltBrowser
	saltOS
	saltIP
	saltScanner
	saltPlace
)

// Failure types, as numbered by failexport.php (§2.3). 4 is not in the
// document: production code meets it and handles it as it handles 2, a
// failure that may pass (see the package documentation).
const (
	failNotExist    = 1
	failOverQuota   = 2
	failUserReject  = 3
	failTemporary   = 4
	failInvalidAddr = 8
	failFormatError = 9
)

var failNames = map[int]string{
	failNotExist:    "邮箱不存在",
	failOverQuota:   "邮箱空间满",
	failUserReject:  "用户拒收",
	failTemporary:   "临时失败",
	failInvalidAddr: "无效地址",
	failFormatError: "格式错误",
}

// linkClicks is one recipient's clicks on one link.
type linkClicks struct {
	link        link
	total       int64
	first, last time.Time
}

// outcome is what happened to one processed recipient.
type outcome struct {
	rcpt      recipient
	fail      int // 0: delivered
	opens     int64
	openFirst time.Time
	openLast  time.Time // zero when opened once, as the service leaves it
	clicks    []linkClicks
	browser   string
	os        string
	device    string
	ipFirst   string
	ipLast    string
	addrFirst string // where ipFirst is, "continent|country|region"
	addrLast  string // where ipLast is; empty with it
}

func (o *outcome) clickTotal() int64 {
	var n int64
	for _, c := range o.clicks {
		n += c.total
	}
	return n
}

func (o *outcome) clickSpan() (first, last time.Time) {
	for _, c := range o.clicks {
		if first.IsZero() || c.first.Before(first) {
			first = c.first
		}
		if c.last.After(last) {
			last = c.last
		}
	}
	return first, last
}

// run is a task as it stands at one instant.
type run struct {
	t          *task
	status     int
	start, end time.Time // zero until started / finished
	outcomes   []outcome // processed recipients only
}

// progress works out a task's effective status at now: a waiting task
// starts at its send time (status 2, "send now", at its creation), sends
// for t.duration, then is done. Held, paused and cancelled tasks never
// start. Only edits change the stored status.
func (s *Server) progress(t *task, now time.Time) *run {
	r := &run{t: t, status: t.status}
	if t.status != taskWaiting && t.status != taskSending {
		return r
	}
	start := t.sendTime
	if t.status == taskSending {
		start = t.created
	}
	if now.Before(start) {
		r.status = taskWaiting
		return r
	}
	r.start = start
	n := len(t.recipients)
	if elapsed := now.Sub(start); elapsed < t.duration {
		r.status = taskSending
		n = int(int64(n) * int64(elapsed) / int64(t.duration))
	} else {
		r.status = taskDone
		r.end = start.Add(t.duration)
	}
	r.outcomes = make([]outcome, n)
	for i := range r.outcomes {
		r.outcomes[i] = s.outcome(t, i, start, now)
	}
	return r
}

// sendDuration is how long sending n recipients takes: 100 ms each, at
// least a second and at most half an hour.
func sendDuration(n int) time.Duration {
	d := time.Duration(n) * 100 * time.Millisecond
	return min(max(d, time.Second), 30*time.Minute)
}

// agent is a browser, the system it runs on and the device class, as
// open-detail writes them: versions after the name, a trailing space where
// the service knows no version ("Android ", "Other "), as recorded.
type agent struct{ browser, os, device string }

var (
	desktops = []agent{
		{"Chrome 113.0.0", "Windows 10", "pc"}, {"Chrome 111.0.0", "Windows 7", "pc"},
		{"Chrome 89.0.4389", "Windows 10", "pc"}, {"Firefox 111.0", "Windows 7", "pc"},
		{"IE 11.0", "Windows 10", "pc"}, {"Chrome 75.0.3770", "Windows 8", "pc"},
		{"Safari 16.5", "Mac OS X 10.15.7", "pc"}, {"Other ", "Other ", "pc"},
	}
	phones = []agent{
		{"Chrome Mobile WebView 92.0.4515", "Android ", "mobile"},
		{"Chrome Mobile WebView 108.0.5359", "Android ", "mobile"},
		{"Mobile Safari UI/WKWebView 16.5", "iOS 16.5", "mobile"},
		{"Mobile Safari UI/WKWebView 14.8", "iOS 14.8", "mobile"},
	}
	// places are IP blocks and where the service places them.
	places = []struct{ block, addr string }{
		{"113.88", "亚洲|中国|广东深圳"}, {"117.136", "亚洲|中国|江苏苏州常熟"}, {"183.14", "亚洲|中国|广东东莞"},
		{"223.104", "亚洲|中国|北京北京"}, {"58.60", "亚洲|中国|上海上海"}, {"120.229", "亚洲|中国|广东深圳南山"},
		{"36.110", "亚洲|中国|山东"}, {"101.226", "亚洲|中国|河南郑州中原"},
	}
	// scannerPlaces are where the gateways that follow every link are.
	scannerPlaces = []struct{ block, addr string }{
		{"54.70", "北美洲|美国|波特兰"}, {"35.91", "北美洲|美国|"}, {"40.94", "北美洲|美国|"},
	}
)

func pick[T any](list []T, u uint64) T { return list[u%uint64(len(list))] }

// roll draws the generator's numbers for one recipient of one task.
type roll struct{ seed, task, idx uint64 }

// u is a number in [0, 1) for one decision about the recipient.
func (r roll) u(salt uint64, more ...uint64) float64 {
	return unit(append([]uint64{r.seed, r.task, r.idx, salt}, more...)...)
}

func (r roll) hash(salt uint64, more ...uint64) uint64 {
	return mix(append([]uint64{r.seed, r.task, r.idx, salt}, more...)...)
}

// rate is a task-wide rate in [lo, lo+span): how often the task's
// recipients fail, open, click. The index slot holds a value no recipient
// has, so the draw is independent of every recipient's.
func (r roll) rate(salt uint64, lo, span float64) float64 {
	return lo + span*unit(r.seed, r.task, math.MaxUint64, salt)
}

func (r roll) failure() int {
	if r.u(saltFail) >= r.rate(saltFail, 0.01, 0.05) {
		return 0
	}
	switch u := r.u(saltFailType); {
	case u < 0.45:
		return failNotExist
	case u < 0.55:
		return failOverQuota
	case u < 0.60:
		return failTemporary
	case u < 0.75:
		return failUserReject
	case u < 0.90:
		return failInvalidAddr
	}
	return failFormatError
}

// outcome derives recipient i of t. Event times spread from its delivery
// over at most two days, but never past now.
func (s *Server) outcome(t *task, i int, start, now time.Time) outcome {
	r := roll{s.st.seed, uint64(t.id), uint64(i)}
	o := outcome{rcpt: t.recipients[i], fail: r.failure()}
	if o.fail != 0 || t.trackStatus == 0 || r.u(saltOpen) >= r.rate(saltOpen, 0.12, 0.26) {
		return o
	}
	// after is a time within limit of from, a fraction u of the way, not
	// later than now.
	after := func(from time.Time, limit time.Duration, u float64) time.Time {
		return from.Add(time.Duration(u * float64(max(0, min(limit, now.Sub(from)))))).Truncate(time.Second)
	}
	delivered := start.Add(time.Duration(int64(t.duration) * int64(i) / int64(len(t.recipients))))
	u := r.u(saltOpenAt)
	clicker := t.trackStatus == 2 && len(t.links) > 0 && r.u(saltClick) < r.rate(saltClick, 0.15, 0.30)
	if clicker && r.u(saltScanner) < 0.3 {
		return r.scanner(o, t.links, delivered, now)
	}
	o.openFirst = after(delivered, 48*time.Hour, u*u) // most open early
	o.opens = 1 + geometric(r.u(saltOpenCount), 1.3, 15)
	if clicker {
		o.clicks = r.clicks(t.links, o.openFirst, after)
	}
	if o.opens > 1 {
		o.openLast = after(o.openFirst, 36*time.Hour, r.u(saltOpenLast))
	}
	a := pick(desktops, r.hash(saltBrowser))
	if r.hash(saltOS)%5 < 2 {
		a = pick(phones, r.hash(saltBrowser))
	}
	o.browser, o.os, o.device = a.browser, a.os, a.device
	o.ipFirst, o.addrFirst = ip(places, r.hash(saltIP))
	if o.opens > 1 {
		if h := r.hash(saltIP, 2); h%3 == 0 {
			o.ipLast, o.addrLast = o.ipFirst, o.addrFirst
		} else {
			o.ipLast, o.addrLast = ip(places, h)
		}
	}
	return o
}

// scanner is a recipient whose mail gateway fetched the message once and
// followed every link at once, as recorded: one open, 9 to 33 clicks from
// the open's second on, within four minutes, from a desktop abroad.
func (r roll) scanner(o outcome, links []link, delivered, now time.Time) outcome {
	o.openFirst = notAfter(delivered.Add(time.Duration(r.hash(saltOpenAt)%60)*time.Second), now).Truncate(time.Second)
	o.opens = 1
	total := 9 + int64(r.hash(saltClickCount)%25)
	span := time.Duration(r.hash(saltClickAt)%240) * time.Second
	for j, l := range links {
		n := total / int64(len(links))
		if int64(j) < total%int64(len(links)) {
			n++
		}
		if n == 0 {
			continue
		}
		last := notAfter(o.openFirst.Add(span*time.Duration(j+1)/time.Duration(len(links))), now).Truncate(time.Second)
		o.clicks = append(o.clicks, linkClicks{link: l, total: n, first: o.openFirst, last: last})
	}
	a := pick(desktops[:3], r.hash(saltBrowser))
	o.browser, o.os, o.device = a.browser, a.os, a.device
	o.ipFirst, o.addrFirst = ip(scannerPlaces, r.hash(saltIP))
	return o
}

// clicks draws a clicker's clicks: one link surely, each other with a
// chance of one in three, each a few times.
func (r roll) clicks(links []link, opened time.Time, after func(time.Time, time.Duration, float64) time.Time) []linkClicks {
	var out []linkClicks
	first := int(r.hash(saltClickLink) % uint64(len(links)))
	for j, l := range links {
		lj := uint64(j)
		if j != first && r.u(saltClickLink, lj) >= 0.35 {
			continue
		}
		c := linkClicks{link: l, total: 1 + geometric(r.u(saltClickCount, lj), 0.8, 6)}
		u := r.u(saltClickAt, lj)
		c.first = after(opened, 2*time.Hour, u)
		c.last = c.first
		if c.total > 1 {
			c.last = after(c.first, 24*time.Hour, u)
		}
		out = append(out, c)
	}
	return out
}

// geometric is a small count: 0 most often, rarely more than a few.
func geometric(u, mean float64, limit int64) int64 {
	n := int64(-math.Log(1-u) * mean)
	return min(n, limit)
}

// ip draws an address of one of the places and returns it with where the
// service places it.
func ip(from []struct{ block, addr string }, h uint64) (string, string) {
	p := pick(from, h)
	return fmt.Sprintf("%s.%d.%d", p.block, (h>>8)%254+1, (h>>16)%254+1), p.addr
}

// totals aggregates a run for the statistics and track replies.
type totals struct {
	planned, processed, failed, delivered int64
	byType                                map[int]int64
	openUnique, openTotal                 int64
	openFirst, openLast                   time.Time
	clickUnique, clickTotal               int64
	clickFirst, clickLast                 time.Time
}

func (r *run) totals() totals {
	tt := totals{planned: int64(len(r.t.recipients)), processed: int64(len(r.outcomes)), byType: map[int]int64{}}
	for i := range r.outcomes {
		o := &r.outcomes[i]
		if o.fail != 0 {
			tt.failed++
			tt.byType[o.fail]++
			continue
		}
		tt.delivered++
		if o.opens == 0 {
			continue
		}
		tt.openUnique++
		tt.openTotal += o.opens
		tt.openFirst = earliest(tt.openFirst, o.openFirst)
		tt.openLast = latest(tt.openLast, latest(o.openFirst, o.openLast))
		if len(o.clicks) > 0 {
			tt.clickUnique++
			tt.clickTotal += o.clickTotal()
			f, l := o.clickSpan()
			tt.clickFirst = earliest(tt.clickFirst, f)
			tt.clickLast = latest(tt.clickLast, l)
		}
	}
	return tt
}

// sent is what the statistics call actually sent: processed minus the
// addresses rejected before sending (invalid or malformed).
func (tt totals) sent() int64 {
	return tt.processed - tt.byType[failInvalidAddr] - tt.byType[failFormatError]
}

// bounced is the delivery failures after sending.
func (tt totals) bounced() int64 {
	return tt.byType[failNotExist] + tt.byType[failOverQuota] + tt.byType[failUserReject] + tt.byType[failTemporary]
}

// invalid is the addresses dropped before sending.
func (tt totals) invalid() int64 {
	return tt.byType[failInvalidAddr] + tt.byType[failFormatError]
}

// ratio is unique / sent as a percentage with two decimals, e.g. "23.57%".
func ratio(unique, sent int64) string {
	if sent == 0 {
		return "0.00%"
	}
	return fmt.Sprintf("%.2f%%", float64(unique)*100/float64(sent))
}

// notAfter returns t, or now when t is later.
func notAfter(t, now time.Time) time.Time {
	if t.After(now) {
		return now
	}
	return t
}

func earliest(a, b time.Time) time.Time {
	if a.IsZero() || (!b.IsZero() && b.Before(a)) {
		return b
	}
	return a
}

func latest(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

// linkTotals is one link's line in the overview and link-stat replies.
type linkTotals struct {
	link          link
	unique, total int64
	first, last   time.Time
}

func (r *run) linkTotals() []linkTotals {
	out := make([]linkTotals, len(r.t.links))
	for i, l := range r.t.links {
		out[i].link = l
	}
	for i := range r.outcomes {
		for _, c := range r.outcomes[i].clicks {
			for j := range out {
				if out[j].link.id == c.link.id {
					out[j].unique++
					out[j].total += c.total
					out[j].first = earliest(out[j].first, c.first)
					out[j].last = latest(out[j].last, c.last)
				}
			}
		}
	}
	return out
}
