package bestedmtest

import (
	"strings"
)

// bs.php (§7): sender domains and their mailboxes. In manager mode
// (user_type=manager, the administrator's credentials) customer_id names the
// customer acted for; a customer may only name itself.

func (c *call) bsCustomer() *customer {
	switch c.str("user_type") {
	case "", "customer", "manager":
	default:
		c.stop(paramError("user_type"))
	}
	if c.manager {
		u := c.st.customerByID(c.requireID("customer_id"))
		if u == nil {
			c.stop(notFound("客户"))
		}
		return u
	}
	if v := c.str("customer_id"); v != "" && v != c.cust.idString() {
		c.stop(fail(statusPermissionDenied, "不能操作其他客户的数据"))
	}
	return c.cust
}

func (u *customer) idString() string { return itoa(u.id) }

// domainList lists the system domains (customer_id 0) and the customer's.
func (c *call) domainList() reply {
	u := c.bsCustomer()
	d := newDoc("domain_list")
	for _, dm := range c.st.domainsOf(u.id) {
		d.open("data").int("customer_id", dm.customerID).text("domain", dm.name).close()
	}
	return d.reply()
}

func (c *call) domainParam() string {
	v := strings.ToLower(c.requireStr("domain"))
	if !validDomain(v) {
		c.stop(paramError("domain"))
	}
	return v
}

func (c *call) domainAdd() reply {
	u := c.bsCustomer()
	name := c.domainParam()
	if c.st.anyDomain(name) != nil {
		return fail(statusDomainExists, "域名已存在: "+name)
	}
	c.st.domains = append(c.st.domains, &domain{customerID: u.id, name: name})
	return result(statusSuccess, "添加域名成功")
}

func (c *call) domainDel() reply {
	u := c.bsCustomer()
	name := c.domainParam()
	dm := c.st.domain(u.id, name)
	if dm == nil {
		c.stop(notFound("域名 " + name))
	}
	c.st.domains = removeFunc(c.st.domains, func(x *domain) bool { return x == dm })
	c.st.mailboxes = removeFunc(c.st.mailboxes, func(m *mailbox) bool { return m.customerID == u.id && m.domain == dm.name })
	return result(statusSuccess, "删除域名成功")
}

// mailboxList lists the customer's mailboxes, of one domain if given;
// paged (30 a page by default) when page is given.
func (c *call) mailboxList() reply {
	u := c.bsCustomer()
	dom := strings.ToLower(c.str("domain"))
	page, limit, paged := c.paging(30, false)
	var match []*mailbox
	for _, m := range c.st.mailboxes {
		if m.customerID == u.id && (dom == "" || m.domain == dom) {
			match = append(match, m)
		}
	}
	d := newDoc("mailbox_list")
	from, to := pageBounds(len(match), page, limit, paged)
	for _, m := range match[from:to] {
		d.open("data").int("customer_id", m.customerID).text("domain", m.domain).
			text("name", m.name).text("mailbox", m.address()).close()
	}
	return d.reply()
}

// mailboxParam reads mailbox and returns the customer's mailbox with that
// address (nil if none) and the parsed parts.
func (c *call) mailboxParam(u *customer) (m *mailbox, name, dom string) {
	addr := strings.ToLower(c.requireStr("mailbox"))
	if !validEmail(addr) {
		c.stop(paramError("mailbox"))
	}
	name, dom, _ = strings.Cut(addr, "@")
	return c.st.mailbox(u.id, addr), name, dom
}

func (c *call) mailboxAdd() reply {
	u := c.bsCustomer()
	m, name, dom := c.mailboxParam(u)
	pwd := c.requireStr("pwd")
	if c.st.domain(u.id, dom) == nil {
		c.stop(notFound("域名 " + dom))
	}
	if m != nil {
		return fail(statusMailboxExists, "邮箱帐号已存在: "+m.address())
	}
	c.st.mailboxes = append(c.st.mailboxes, &mailbox{customerID: u.id, domain: dom, name: name, pwd: pwd})
	return result(statusSuccess, "添加邮箱帐号成功")
}

func (c *call) mailboxDel() reply {
	u := c.bsCustomer()
	m, _, _ := c.mailboxParam(u)
	if m == nil {
		c.stop(notFound("邮箱帐号"))
	}
	c.st.mailboxes = removeFunc(c.st.mailboxes, func(x *mailbox) bool { return x == m })
	return result(statusSuccess, "删除邮箱帐号成功")
}

func (c *call) mailboxEdit() reply {
	u := c.bsCustomer()
	m, _, _ := c.mailboxParam(u)
	pwd := c.requireStr("pwd")
	if m == nil {
		c.stop(notFound("邮箱帐号"))
	}
	m.pwd = pwd
	return result(statusSuccess, "修改邮箱帐号成功")
}
