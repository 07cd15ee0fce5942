package bestedmtest

import (
	"fmt"
	"math/rand/v2"
	"regexp"
	"strings"
	"time"
)

// Generated data. Everything below comes from the seed and from the day the
// server starts (its clock, UTC+8): the same seed on the same day (or with a
// fixed clock, see WithClock) gives the same accounts, lists, templates and
// tasks, and so the same statistics.

var (
	surnames   = []string{"王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林", "罗"}
	surnamesPY = []string{"wang", "li", "zhang", "liu", "chen", "yang", "huang", "zhao", "wu", "zhou", "xu", "sun", "ma", "zhu", "hu", "guo", "he", "gao", "lin", "luo"}
	givens     = []string{"伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明", "超", "秀英", "华", "平"}
	givensPY   = []string{"wei", "fang", "na", "min", "jing", "li", "qiang", "lei", "jun", "yang", "yong", "yan", "jie", "juan", "tao", "ming", "chao", "xiuying", "hua", "ping"}
	mailHosts  = []string{"example.com", "example.net", "example.org", "mail.example.com", "corp.example.net"}
	areas      = []string{"北京市朝阳区", "上海市浦东新区", "广东省深圳市南山区", "浙江省杭州市西湖区", "四川省成都市武侯区", "江苏省南京市鼓楼区", ""}
	levels     = []string{"金卡会员", "银卡会员", "普通会员"}
)

const (
	defaultCustomerUser = "demo"
	defaultCustomerPass = "demo-secret"
	defaultManagerUser  = "admin"
	defaultManagerPass  = "admin-secret"
)

// newState builds the generated data for seed as of now.
func newState(seed int64, now time.Time) *state {
	rng := rand.New(rand.NewPCG(uint64(seed), 0x6265737465646d)) // "bestedm"
	st := &state{seed: uint64(seed)}
	today := startOfDay(now)
	cid := int64(100 + rng.IntN(900))
	st.customers = []*customer{{
		id: cid, username: defaultCustomerUser, password: defaultCustomerPass,
		company: "深圳市示例科技有限公司", contact: "王伟", phone: "0755-8612" + digits(rng, 4),
		mobile: "139" + digits(rng, 8), email: "wangwei@example.com", im: "QQ:" + digits(rng, 9),
		address: "广东省深圳市南山区科技园中路 3 号", serviceStatus: "enabled", serviceType: "all",
		sendType: "local", beginning: today.AddDate(-1, 0, -rng.IntN(200)), qtyBuyTotal: 500000,
	}, {
		// A second customer, reachable only in manager mode.
		id: cid + 1, username: "other", password: "other-secret", company: "杭州示例贸易有限公司",
		serviceStatus: "enabled", serviceType: "day", sendType: "remote", beginning: today.AddDate(0, -3, 0),
		expiration: today.AddDate(1, 0, 0), qtyBuyTotal: 100000,
	}}
	st.manager.username, st.manager.password = defaultManagerUser, defaultManagerPass
	st.next = counters{
		list: int64(10 + rng.IntN(40)), addr: int64(100000 + rng.IntN(50000)), tpl: int64(50 + rng.IntN(50)),
		subject: int64(300 + rng.IntN(100)), atta: int64(800 + rng.IntN(100)), task: int64(19000 + rng.IntN(1000)),
		track: int64(7000 + rng.IntN(1000)), link: int64(40000 + rng.IntN(1000)),
	}
	st.seedDomains(cid)
	st.seedLists(rng, today)
	st.seedTemplates(today)
	st.seedTasks(today, now)
	return st
}

func startOfDay(t time.Time) time.Time {
	t = t.In(chinaZone)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, chinaZone)
}

func digits(rng *rand.Rand, n int) string {
	var b strings.Builder
	for i := 0; i < n; i++ {
		b.WriteByte(byte('0' + rng.IntN(10)))
	}
	return b.String()
}

func (st *state) seedDomains(cid int64) {
	st.domains = []*domain{
		{0, "edm.example.net"},
		{cid, "mail.example.com"},
		{cid, "news.example.com"},
		{cid + 1, "shop.example.org"},
	}
	st.mailboxes = []*mailbox{
		{cid, "mail.example.com", "service", "S3rvice!"},
		{cid, "mail.example.com", "marketing", "M4rketing!"},
		{cid, "news.example.com", "news", "N3ws!"},
		{cid + 1, "shop.example.org", "sales", "S4les!"},
	}
}

func (st *state) newListID() int64 { st.next.list++; return st.next.list }
func (st *state) newAddrID() int64 { st.next.addr++; return st.next.addr }

func (st *state) seedLists(rng *rand.Rand, today time.Time) {
	specs := []struct {
		subject, description, status string
		size                         int
		vars                         bool
	}{
		{"新闻订阅", "官网订阅用户，每周发送新闻简报", "enabled", 120, false},
		{"VIP 客户", "年消费满 1 万元的会员", "enabled", 25, true},
		{"展会联系人", "2023 深圳礼品展收集的名片", "disabled", 8, false},
		{"测试分类", "", "enabled", 0, false},
	}
	for i, sp := range specs {
		l := &maillist{id: st.newListID(), subject: sp.subject, description: sp.description, status: sp.status,
			created: today.AddDate(0, -6+i, 0).Add(10 * time.Hour)}
		st.lists = append(st.lists, l)
		st.seedAddrs(rng, l.id, sp.size, sp.vars, l.created)
	}
	st.seedAddrs(rng, 0, 5, false, today.AddDate(0, -1, 0))
	// Some readers of the first list left it.
	first := st.lists[0]
	for i := 0; i < 4; i++ {
		st.unsubs = append(st.unsubs, unsub{listID: first.id, email: st.fakeEmail(rng, i+900),
			at: today.AddDate(0, 0, -20+3*i).Add(time.Duration(9+i)*time.Hour + time.Duration(rng.IntN(3600))*time.Second)})
	}
}

func (st *state) fakeEmail(rng *rand.Rand, n int) string {
	s, g := rng.IntN(len(surnamesPY)), rng.IntN(len(givensPY))
	return fmt.Sprintf("%s.%s%d@%s", givensPY[g], surnamesPY[s], n, pick(mailHosts, uint64(rng.IntN(100))))
}

func (st *state) seedAddrs(rng *rand.Rand, listID int64, n int, vars bool, from time.Time) {
	for i := 0; i < n; i++ {
		s, g := rng.IntN(len(surnames)), rng.IntN(len(givens))
		a := &address{
			id: st.newAddrID(), listID: listID,
			email:    fmt.Sprintf("%s.%s%d@%s", givensPY[g], surnamesPY[s], i+1, mailHosts[rng.IntN(len(mailHosts))]),
			fullname: surnames[s] + givens[g],
			created:  from.Add(time.Duration(i)*37*time.Minute + time.Duration(rng.IntN(60))*time.Second),
			area:     areas[rng.IntN(len(areas))],
		}
		if rng.IntN(3) > 0 {
			a.phone = "13" + digits(rng, 9)
		}
		if rng.IntN(2) == 0 {
			a.birthday = time.Date(1965+rng.IntN(40), time.Month(1+rng.IntN(12)), 1+rng.IntN(28), 0, 0, 0, 0, chinaZone)
		}
		switch rng.IntN(3) {
		case 0:
			a.sex = "M"
		case 1:
			a.sex = "F"
		}
		if vars {
			a.vars[0] = levels[rng.IntN(len(levels))]
			a.vars[1] = fmt.Sprintf("%d", 1000+rng.IntN(90000))
		}
		st.putAddr(a)
	}
}

func (st *state) newTemplate(name, subjects, content, text, encoding string, at time.Time) *template {
	st.next.tpl++
	t := &template{id: st.next.tpl, name: name, content: content, textContent: text, encoding: encoding, created: at}
	t.subjects = st.newSubjects(subjects)
	return t
}

// newSubjects splits subjects on "|" (§5.2) and numbers each one.
func (st *state) newSubjects(subjects string) []subject {
	var out []subject
	for _, s := range strings.Split(subjects, "|") {
		if s = strings.TrimSpace(s); s != "" {
			st.next.subject++
			out = append(out, subject{id: st.next.subject, name: s})
		}
	}
	return out
}

func (st *state) newAttachment(name string, size int64) attachment {
	st.next.atta++
	return attachment{id: st.next.atta, name: name, size: size}
}

func (st *state) seedTemplates(today time.Time) {
	spring := st.newTemplate("春季新品推荐", "春季新品上市，全场 8 折|{$fullname}，您的专属春季优惠已到账",
		`<html><body><h1>春季新品上市</h1><p>尊敬的 {$fullname}：</p>`+
			`<p><a href="https://www.example.com/spring?utm_source=edm">查看新品</a> · `+
			`<a href="https://www.example.com/coupon?id=spring">领取优惠券</a> · `+
			`<a href="https://shop.example.com/">进入商城</a></p></body></html>`,
		"春季新品上市，访问 https://www.example.com/spring 查看详情。", "base64", today.AddDate(0, -2, 0).Add(15*time.Hour))
	monthly := st.newTemplate("会员月刊", "会员月刊：本月精选",
		`<html><body><p>本月精选内容：</p><a href="https://www.example.com/monthly">阅读全文</a> `+
			`<a href="https://www.example.com/member">会员中心</a></body></html>`,
		"", "quoted-printable", today.AddDate(0, -1, -3).Add(11*time.Hour))
	monthly.attachments = []attachment{st.newAttachment("会员手册.pdf", 248713)}
	monthly.updated = today.AddDate(0, 0, -12).Add(16*time.Hour + 5*time.Minute)
	notice := st.newTemplate("系统通知（纯文本）", "服务升级通知",
		"尊敬的用户：\n我们将于本周六凌晨进行系统升级，期间服务暂停两小时。\n", "", "base64", today.AddDate(0, 0, -15).Add(9*time.Hour))
	st.templates = []*template{spring, monthly, notice}
}

// hrefs finds the links of an HTML template: the links a task tracks.
var hrefs = regexp.MustCompile(`(?i)href\s*=\s*["']?(https?://[^"'\s>]+)`)

func (st *state) linksOf(tplIDs []int64) []link {
	var out []link
	seen := map[string]bool{}
	for _, id := range tplIDs {
		t := st.template(id)
		if t == nil {
			continue
		}
		for _, m := range hrefs.FindAllStringSubmatch(t.content, -1) {
			if !seen[m[1]] {
				seen[m[1]] = true
				st.next.link++
				out = append(out, link{id: st.next.link, url: m[1]})
			}
		}
	}
	return out
}

func (st *state) seedTasks(today, now time.Time) {
	news, vip, fair := st.lists[0], st.lists[1], st.lists[2]
	spring, monthly, notice := st.templates[0], st.templates[1], st.templates[2]
	at := func(days, hour, minute int) time.Time {
		return today.AddDate(0, 0, days).Add(time.Duration(hour)*time.Hour + time.Duration(minute)*time.Minute)
	}
	specs := []struct {
		when    time.Time
		tpls    []*template
		list    *maillist
		account string
		domain  string
		status  int
		track   int
		qty     int64
	}{
		{at(-9, 10, 0), []*template{monthly}, news, "news@news.example.com", "", taskWaiting, 1, 0},
		{at(-8, 14, 30), []*template{spring}, vip, "all", "mail.example.com", taskWaiting, 2, 0},
		{at(-6, 9, 0), []*template{spring, monthly}, news, "marketing@mail.example.com", "", taskWaiting, 2, 0},
		{at(-5, 20, 0), []*template{notice}, news, "all", "all", taskWaiting, 0, 0},
		{at(-3, 11, 15), []*template{spring}, news, "marketing@mail.example.com", "", taskWaiting, 2, 60},
		{at(-2, 16, 0), []*template{monthly}, vip, "service@mail.example.com", "", taskPaused, 1, 0},
		{at(-1, 10, 0), []*template{spring}, vip, "marketing@mail.example.com", "", taskWaiting, 2, 0},
		{at(-1, 15, 0), []*template{notice}, fair, "service@mail.example.com", "", taskCancelled, 0, 0},
		{now.Add(-30 * time.Minute).Truncate(time.Minute), []*template{spring}, news, "marketing@mail.example.com", "", taskWaiting, 2, 0},
		{at(1, 10, 0), []*template{monthly}, news, "news@news.example.com", "", taskWaiting, 1, 0},
		{at(3, 9, 30), []*template{spring}, vip, "all", "mail.example.com", taskHold, 2, 0},
	}
	for i, sp := range specs {
		ids := make([]int64, len(sp.tpls))
		for j, t := range sp.tpls {
			ids[j] = t.id
		}
		t := st.newTask(ids, sp.list, sp.qty, sp.when.Add(-time.Duration(20+i)*time.Hour))
		t.sendAccount, t.sendDomain, t.sendFullname = sp.account, sp.domain, "示例科技"
		t.status, t.sendTime, t.trackStatus, t.subsLink = sp.status, sp.when, sp.track, 1
		if i == 8 {
			// Still sending when the server starts: a slow, large send.
			t.duration = 3 * time.Hour
		}
		st.tasks = append(st.tasks, t)
	}
}

// newTask numbers a task and fixes its recipients and tracked links.
func (st *state) newTask(tplIDs []int64, l *maillist, qty int64, created time.Time) *task {
	st.next.task++
	st.next.track++
	t := &task{id: st.next.task, trackID: st.next.track, tplIDs: tplIDs, created: created, sendQty: qty}
	for _, id := range tplIDs {
		t.tplNames = append(t.tplNames, st.template(id).name)
	}
	t.sn = fmt.Sprintf("%s-%d-%06X", created.In(chinaZone).Format("20060102"), st.main().id, mix(st.seed, uint64(t.id))&0xFFFFFF)
	st.setList(t, l, qty)
	t.links = st.linksOf(tplIDs)
	return t
}

// setList (re)fixes a task's recipients: the list's addresses by id, the
// first qty of them when qty > 0 (from the t.sendQtyStart-th on, counting
// from 1, when that is set).
func (st *state) setList(t *task, l *maillist, qty int64, more ...*maillist) {
	t.listID, t.listName, t.sendQty = l.id, l.subject, qty
	t.moreLists = nil
	for _, m := range more {
		t.moreLists = append(t.moreLists, m.id)
	}
	t.recipients = t.recipients[:0]
	seen := map[string]bool{}
	skip := max(0, t.sendQtyStart-1) // send_qty_start counts from 1
	if qty == 0 {
		skip = 0
	}
	for _, lid := range append([]int64{l.id}, t.moreLists...) {
		for _, a := range st.addrsOf(lid) {
			if qty > 0 && int64(len(t.recipients)) >= qty {
				break
			}
			if skip > 0 {
				skip--
				continue
			}
			// An address in two of the lists is sent to once.
			if key := strings.ToLower(a.email); !seen[key] {
				seen[key] = true
				t.recipients = append(t.recipients, recipient{addrID: a.id, email: a.email})
			}
		}
	}
	t.duration = sendDuration(len(t.recipients))
}
