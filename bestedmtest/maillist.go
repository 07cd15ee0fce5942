package bestedmtest

import (
	"bytes"
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"golang.org/x/text/encoding/simplifiedchinese"
)

// mloperate.php (§4): contact lists, their addresses, subscriptions.

func (c *call) maillistList() reply {
	d := newDoc("maillist")
	for _, l := range c.st.lists {
		d.open("item")
		c.writeList(d, l)
		d.text("input_status", "0") // docs/wire-format.md#input-status: sent, not in the document
		d.close()
	}
	return d.reply()
}

func (c *call) writeList(d *doc, l *maillist) {
	d.int("id", l.id)
	d.cdata("subject", l.subject)
	d.cdata("description", l.description)
	d.int("count", c.st.countOf(l.id))
	d.text("status", l.status)
}

// mustList returns the list named by parameter name, or stops with
// param_error or not_found.
func (c *call) mustList(name string) *maillist {
	l := c.st.list(c.requireID(name))
	if l == nil {
		c.stop(notFound("联系人分类"))
	}
	return l
}

func (c *call) maillistDetail() reply {
	l := c.mustList("id")
	d := newDoc("maillist")
	c.writeList(d, l)
	return d.reply()
}

func (c *call) listStatus() (string, bool) {
	if !c.has("status") {
		return "", false
	}
	switch v := c.str("status"); v {
	case "enabled", "disabled":
		return v, true
	}
	c.stop(paramError("status"))
	return "", false
}

func (c *call) maillistAdd() reply {
	subject := c.requireStr("subject")
	c.requireStr("status")
	status, _ := c.listStatus()
	if c.st.listBySubject(subject) != nil {
		return fail(statusAddMaillistError, "联系人分类名称已存在")
	}
	l := &maillist{id: c.st.newListID(), subject: subject, description: c.param("description"), status: status, created: c.now}
	c.st.lists = append(c.st.lists, l)
	// No <id>: the document's reply has none and production sends none
	// (docs/wire-format.md); clients find the list by its subject.
	return result(statusSuccess, "添加联系人分类成功")
}

func (c *call) maillistEdit() reply {
	l := c.mustList("id")
	if !c.has("subject") && !c.has("status") && !c.has("description") {
		c.stop(paramError("subject/status/description"))
	}
	subject := l.subject
	if c.has("subject") {
		subject = c.requireStr("subject")
		if other := c.st.listBySubject(subject); other != nil && other != l {
			return fail(statusUpdMaillistError, "联系人分类名称已存在")
		}
	}
	if status, ok := c.listStatus(); ok {
		l.status = status
	}
	if c.has("description") {
		l.description = c.param("description")
	}
	l.subject = subject
	return result(statusSuccess, "修改联系人分类成功")
}

func (c *call) maillistDel() reply {
	l := c.mustList("id")
	c.st.lists = removeFunc(c.st.lists, func(x *maillist) bool { return x == l })
	c.st.dropAddrs(func(a *address) bool { return a.listID == l.id })
	c.st.unsubs = removeFunc(c.st.unsubs, func(u unsub) bool { return u.listID == l.id })
	return result(statusSuccess, "删除联系人分类成功")
}

// subscriptionExport writes "address<TAB>name" lines (§4.6).
func (c *call) subscriptionExport() reply {
	l := c.mustList("id")
	var lines []string
	for _, a := range c.st.addrsOf(l.id) {
		lines = append(lines, a.email+"\t"+a.fullname)
	}
	return textReply(fmt.Sprintf("subscription_%d.txt", l.id), lines)
}

// unsubscribeExport writes "time<TAB>address" lines (§4.7).
func (c *call) unsubscribeExport() reply {
	l := c.mustList("id")
	var lines []string
	for _, u := range c.st.unsubs {
		if u.listID == l.id {
			lines = append(lines, fmtTime(u.at)+"\t"+u.email)
		}
	}
	return textReply(fmt.Sprintf("unsubscribe_%d.txt", l.id), lines)
}

// addrList answers <data><total_num/><addr/>…</data> (§4.8 and
// docs/wire-format.md#ml-addr-list-total). An unknown list_id or address_id is an empty page.
func (c *call) addrList() reply {
	var listID int64 = -1
	if c.str("list_id") != "" {
		if listID = c.optInt("list_id", 0); listID < 0 {
			c.stop(paramError("list_id"))
		}
	}
	var addrID int64
	if c.str("address_id") != "" {
		addrID = c.requireID("address_id")
	}
	kw := strings.ToLower(c.str("keyword"))
	page, limit, paged := c.paging(50, false)
	// Count every match but keep only the page's: a list read page by
	// page must not allocate the whole list on every request.
	lo, hi := int64(0), int64(math.MaxInt64)
	if paged {
		lo = (page - 1) * limit
		hi = lo + limit
	}
	var window []*address
	n := int64(0)
	for _, a := range c.st.addrs {
		if (listID >= 0 && a.listID != listID) || (addrID != 0 && a.id != addrID) {
			continue
		}
		if kw != "" && !strings.Contains(strings.ToLower(a.email), kw) && !strings.Contains(strings.ToLower(a.fullname), kw) {
			continue
		}
		if n >= lo && n < hi {
			window = append(window, a)
		}
		n++
	}
	d := newDoc("data")
	d.int("total_num", n)
	for _, a := range window {
		writeAddr(d, a)
	}
	return d.reply()
}

// writeAddr writes one <addr> as production does
// (docs/wire-format.md#ml-addr-list-empty-elements): in the recorded order,
// <birthday> (not the document sample's <brithday>), an unset field as an
// empty element, var1…var5 always and var6…var10 up to the last one set.
func writeAddr(d *doc, a *address) {
	d.open("addr")
	d.int("id", a.id)
	d.int("list_id", a.listID)
	d.cdata("address", a.email)
	d.text("sex", a.sex)
	d.date("birthday", a.birthday)
	d.text("phone", a.phone)
	d.cdata("area", a.area)
	d.cdata("fullname", a.fullname)
	d.time("time", a.created)
	last := 5
	for i := len(a.vars); i > last; i-- {
		if a.vars[i-1] != "" {
			last = i
			break
		}
	}
	for i, v := range a.vars[:last] {
		if v == "" {
			d.text("var"+strconv.Itoa(i+1), "")
		} else {
			d.cdata("var"+strconv.Itoa(i+1), v)
		}
	}
	d.close()
}

// optList reads list_id for ml-addr-add: absent or 0 is "unclassified".
func (c *call) optList() int64 {
	id := c.optInt("list_id", 0)
	switch {
	case id < 0:
		c.stop(paramError("list_id"))
	case id > 0 && c.st.list(id) == nil:
		c.stop(notFound("联系人分类"))
	}
	return id
}

func (c *call) addrAdd() reply {
	listID := c.optList()
	if c.has("ml_addr") {
		return c.addrAddBatch(listID)
	}
	email := c.requireStr("address")
	if !validEmail(email) {
		c.stop(paramError("address"))
	}
	returnID := c.oneOf("return_id", 0, 0, 1)
	if c.st.addrIn(listID, email) != nil {
		return fail(statusAddressExists, "地址已存在: "+email)
	}
	a := &address{id: c.st.newAddrID(), listID: listID, email: email, created: c.now}
	c.setAddrFields(a)
	c.st.putAddr(a)
	if returnID == 1 {
		return result(statusSuccess, strconv.FormatInt(a.id, 10))
	}
	return result(statusSuccess, "添加地址成功")
}

// setAddrFields copies the optional address fields that are present.
func (c *call) setAddrFields(a *address) {
	if c.has("fullname") {
		a.fullname = c.str("fullname")
	}
	if c.has("sex") {
		a.sex = c.str("sex")
		if a.sex != "" && a.sex != "M" && a.sex != "F" {
			c.stop(paramError("sex"))
		}
	}
	if c.has("birthday") {
		a.birthday = time0(c.str("birthday"), func() { c.stop(paramError("birthday")) })
	}
	if c.has("phone") {
		a.phone = c.str("phone")
	}
	if c.has("area") {
		a.area = c.str("area")
	}
	for i := range a.vars {
		if name := "var" + strconv.Itoa(i+1); c.has(name) {
			a.vars[i] = c.str(name)
		}
	}
}

// time0 parses a birthday; "" and 0000-00-00 are unset.
func time0(v string, bad func()) (t time.Time) {
	if v == "" || v == zeroDate {
		return t
	}
	t, err := parseDate(v)
	if err != nil {
		bad()
	}
	return t
}

// importer adds parsed records to a list, skipping invalid and duplicate
// addresses, and counts what it did.
type importer struct {
	st                      *state
	listID                  int64
	now                     time.Time
	added, invalid, repeats int
}

func (im *importer) add(fields []string) {
	for i := range fields {
		// A copy of its own: a substring would keep the whole request
		// body alive as long as the address lives.
		fields[i] = strings.Clone(strings.TrimSpace(fields[i]))
	}
	email := fields[0]
	switch {
	case !validEmail(email):
		im.invalid++
		return
	case im.st.addrIn(im.listID, email) != nil:
		im.repeats++
		return
	}
	a := &address{id: im.st.newAddrID(), listID: im.listID, email: email, created: im.now}
	get := func(i int) string {
		if i < len(fields) {
			return fields[i]
		}
		return ""
	}
	a.fullname, a.phone, a.area = get(1), get(4), get(5)
	if s := get(2); s == "M" || s == "F" {
		a.sex = s
	}
	a.birthday = time0(get(3), func() {})
	for i := range a.vars {
		a.vars[i] = get(6 + i)
	}
	im.st.putAddr(a)
	im.added++
}

func (im *importer) summary(verb string) string {
	return fmt.Sprintf("%s %d 个地址，过滤无效地址 %d 个，重复地址 %d 个", verb, im.added, im.invalid, im.repeats)
}

// addrAddBatch reads ml_addr: records split by separate (default "\n",
// taken literally), fields by ";" (§4.9.2).
func (c *call) addrAddBatch(listID int64) reply {
	if t := c.param("addr_type"); t != "" && t != "string" {
		c.stop(paramError("addr_type"))
	}
	raw := c.param("ml_addr")
	if strings.TrimSpace(raw) == "" {
		c.stop(paramError("ml_addr"))
	}
	sep := c.param("separate")
	if sep == "" {
		sep = "\n"
	}
	im := &importer{st: c.st, listID: listID, now: c.now}
	for _, rec := range strings.Split(raw, sep) {
		if rec = strings.TrimSpace(rec); rec != "" {
			im.add(strings.Split(strings.TrimSuffix(rec, ";"), ";"))
		}
	}
	return result(statusSuccess, im.summary("成功添加"))
}

// addrAddFile imports the multipart file "file" at once (the real service
// queues it): one address a line, "address;name;sex;…" or
// "address<TAB>name". A UTF-8 BOM is dropped; non-UTF-8 text is read as GBK.
func (c *call) addrAddFile() reply {
	l := c.mustList("list_id")
	var file *upload
	for i := range c.files {
		if c.files[i].field == "file" {
			file = &c.files[i]
			break
		}
	}
	if file == nil {
		c.stop(paramError("file"))
	}
	data := bytes.TrimPrefix(file.data, []byte{0xEF, 0xBB, 0xBF})
	if !utf8.Valid(data) {
		if dec, err := simplifiedchinese.GBK.NewDecoder().Bytes(data); err == nil {
			data = dec
		}
	}
	im := &importer{st: c.st, listID: l.id, now: c.now}
	for _, line := range strings.Split(string(data), "\n") {
		line = strings.TrimSpace(line)
		switch {
		case line == "":
		case strings.Contains(line, "\t") && !strings.Contains(line, ";"):
			im.add(strings.SplitN(line, "\t", 2))
		default:
			im.add(strings.Split(strings.TrimSuffix(line, ";"), ";"))
		}
	}
	return result(statusSuccess, im.summary("文件导入完成：新增"))
}

func (c *call) mustAddr() *address {
	a := c.st.addr(c.requireID("id"))
	if a == nil {
		c.stop(notFound("地址"))
	}
	return a
}

var addrFields = []string{"address", "fullname", "sex", "birthday", "phone", "area",
	"var1", "var2", "var3", "var4", "var5", "var6", "var7", "var8", "var9", "var10"}

func (c *call) addrEdit() reply {
	a := c.mustAddr()
	changed := false
	for _, f := range addrFields {
		changed = changed || c.has(f)
	}
	if !changed {
		c.stop(paramError("address/fullname/…"))
	}
	cp := *a
	if c.has("address") {
		cp.email = c.requireStr("address")
		if !validEmail(cp.email) {
			c.stop(paramError("address"))
		}
		if other := c.st.addrIn(a.listID, cp.email); other != nil && other != a {
			return fail(statusAddressExists, "地址已存在: "+cp.email)
		}
	}
	c.setAddrFields(&cp)
	c.st.renameAddr(a, cp.email)
	*a = cp
	return result(statusSuccess, "修改地址成功")
}

func (c *call) addrDel() reply {
	a := c.mustAddr()
	c.st.dropAddrs(func(x *address) bool { return x == a })
	return result(statusSuccess, "删除地址成功")
}

// addrEmpty empties a list; list_id 0 empties the unclassified addresses.
func (c *call) addrEmpty() reply {
	c.requireStr("list_id")
	id := c.optInt("list_id", 0)
	if id < 0 {
		c.stop(paramError("list_id"))
	}
	if id > 0 && c.st.list(id) == nil {
		c.stop(notFound("联系人分类"))
	}
	n := c.st.dropAddrs(func(a *address) bool { return a.listID == id })
	return result(statusSuccess, fmt.Sprintf("清空联系人分类成功，删除 %d 个地址", n))
}

// subscribe adds one address (address, name) or a batch (maillist:
// "a@x, name; b@y, name;" or one "address<TAB or ,>name" a line, §4.13).
// Subscribing is idempotent, and takes the address off the list's
// unsubscribe record.
func (c *call) subscribe() reply {
	l := c.mustList("list_id")
	var recs [][2]string
	if batch := c.param("maillist"); strings.TrimSpace(batch) != "" {
		for _, rec := range strings.FieldsFunc(batch, func(r rune) bool { return r == ';' || r == '\n' }) {
			if rec = strings.TrimSpace(rec); rec != "" {
				email, name, _ := strings.Cut(strings.Replace(rec, "\t", ",", 1), ",")
				recs = append(recs, [2]string{strings.TrimSpace(email), strings.TrimSpace(name)})
			}
		}
	} else {
		email := c.requireStr("address")
		if !validEmail(email) {
			c.stop(paramError("address"))
		}
		recs = append(recs, [2]string{email, c.str("name")})
	}
	added, invalid, already := 0, 0, 0
	for _, r := range recs {
		email, name := r[0], r[1]
		switch {
		case !validEmail(email):
			invalid++
			continue
		case c.st.addrIn(l.id, email) != nil:
			already++
		default:
			if name == "" {
				name, _, _ = strings.Cut(email, "@")
			}
			c.st.putAddr(&address{id: c.st.newAddrID(), listID: l.id, email: email, fullname: name, created: c.now})
			added++
		}
		c.st.unsubs = removeFunc(c.st.unsubs, func(u unsub) bool { return u.listID == l.id && strings.EqualFold(u.email, email) })
	}
	return result(statusSuccess, fmt.Sprintf("成功订阅 %d 个地址，已订阅 %d 个，无效地址 %d 个", added, already, invalid))
}

// unsubscribe takes addresses ("a@x, b@y" or one a line, §4.14) off the
// list and records each in its unsubscribe export, members or not.
func (c *call) unsubscribe() reply {
	l := c.mustList("list_id")
	raw := c.requireStr("address")
	n := 0
	for _, email := range strings.FieldsFunc(raw, func(r rune) bool { return r == ',' || r == '\n' }) {
		email = strings.TrimSpace(email)
		if !validEmail(email) {
			continue
		}
		n++
		c.st.dropAddrs(func(a *address) bool { return a.listID == l.id && strings.EqualFold(a.email, email) })
		known := false
		for _, u := range c.st.unsubs {
			known = known || (u.listID == l.id && strings.EqualFold(u.email, email))
		}
		if !known {
			c.st.unsubs = append(c.st.unsubs, unsub{listID: l.id, email: email, at: c.now})
		}
	}
	if n == 0 {
		c.stop(paramError("address"))
	}
	return result(statusSuccess, fmt.Sprintf("成功退订 %d 个地址", n))
}
