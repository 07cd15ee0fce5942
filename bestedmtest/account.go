package bestedmtest

// account.php (§1).

func (c *call) customerInfo() reply {
	u := c.cust
	d := newDoc("customer")
	d.int("id", u.id)
	d.text("username", u.username)
	d.cdata("company", u.company)
	d.cdata("contact", u.contact)
	d.text("phone", u.phone)
	d.text("mobile", u.mobile)
	d.text("email", u.email)
	d.text("im", u.im)
	d.cdata("address", u.address)
	return d.reply()
}

// serviceInfo reports the quota left: what was bought minus what every
// task sent so far was actually charged (§2.2 actual_deduc).
func (c *call) serviceInfo() reply {
	u := c.cust
	var used int64
	for _, t := range c.st.tasks {
		used += c.s.progress(t, c.now).totals().delivered
	}
	d := newDoc("service")
	d.int("id", u.id)
	d.text("service_status", u.serviceStatus)
	d.text("service_type", u.serviceType)
	d.text("send_type", u.sendType)
	d.date("beginning_date", u.beginning)
	d.date("expiration_date", u.expiration)
	d.int("qty_available", max(0, u.qtyBuyTotal-used))
	d.int("qty_buytotal", u.qtyBuyTotal)
	return d.reply()
}
