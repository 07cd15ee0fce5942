package bestedmtest

import (
	"fmt"
	"regexp"
	"strconv"
)

// template.php (§5.2–§5.7).

func (c *call) encodingParam() string {
	switch v := c.str("encoding"); v {
	case "", "base64", "quoted-printable":
		return v
	}
	c.stop(paramError("encoding"))
	return ""
}

// attachments turns the files under "file" or "file[]" into attachments.
func (c *call) attachments() []attachment {
	var out []attachment
	for _, f := range c.files {
		if f.field == "file" || f.field == "file[]" {
			out = append(out, c.st.newAttachment(f.name, int64(len(f.data))))
		}
	}
	return out
}

// tplAdd answers the new template's id in <data> (§5.2: "成功返回新建模板的 id 值").
func (c *call) tplAdd() reply {
	name := c.requireStr("name")
	subjects := c.requireStr("subject")
	c.requireStr("content")
	enc := c.encodingParam()
	t := c.st.newTemplate(name, subjects, c.param("content"), c.param("text_content"), enc, c.now)
	if len(t.subjects) == 0 {
		c.stop(paramError("subject"))
	}
	t.attachments = c.attachments()
	c.st.templates = append(c.st.templates, t)
	return result(statusSuccess, strconv.FormatInt(t.id, 10))
}

var htmlTag = regexp.MustCompile(`<[a-zA-Z!/]`)

// tplList lists every template, or the one tpl_id names (an unknown id is
// an empty list).
func (c *call) tplList() reply {
	var id int64
	if c.str("tpl_id") != "" {
		id = c.requireID("tpl_id")
	}
	d := newDoc("template_list")
	for _, t := range c.st.templates {
		if id != 0 && t.id != id {
			continue
		}
		d.open("template")
		d.int("id", t.id)
		d.int("user_id", c.cust.id)
		d.cdata("name", t.name)
		for _, s := range t.subjects {
			d.open("subject").int("id", s.id).cdata("name", s.name).close()
		}
		d.cdata("content", t.content)
		ct := "text"
		if htmlTag.MatchString(t.content) {
			ct = "html"
		}
		d.text("content_type", ct)
		d.open("attachments")
		for _, a := range t.attachments {
			d.open("attachment").int("atta_id", a.id).cdata("atta_name", a.name).close()
		}
		d.close()
		d.time("created", t.created)
		d.time("updated", t.updated)
		d.close()
	}
	return d.reply()
}

func (c *call) mustTemplate() *template {
	t := c.st.template(c.requireID("tpl_id"))
	if t == nil {
		c.stop(notFound("模板"))
	}
	return t
}

func (c *call) tplDel() reply {
	t := c.mustTemplate()
	c.st.templates = removeFunc(c.st.templates, func(x *template) bool { return x == t })
	return result(statusSuccess, "删除模板成功")
}

// tplEdit changes a template; one of name, subject, content is required
// (§5.5), and a new subject list replaces the old one.
func (c *call) tplEdit() reply {
	t := c.mustTemplate()
	name, subjects, content := c.str("name"), c.str("subject"), c.str("content")
	if name == "" && subjects == "" && content == "" {
		c.stop(paramError("name/subject/content"))
	}
	enc := c.encodingParam()
	if subjects != "" {
		s := c.st.newSubjects(subjects)
		if len(s) == 0 {
			c.stop(paramError("subject"))
		}
		t.subjects = s
	}
	if name != "" {
		t.name = name
	}
	if content != "" {
		t.content = c.param("content")
	}
	if c.has("text_content") {
		t.textContent = c.param("text_content")
	}
	if enc != "" {
		t.encoding = enc
	}
	t.updated = c.now
	return result(statusSuccess, "修改模板成功")
}

func (c *call) tplAttachmentAdd() reply {
	t := c.mustTemplate()
	added := c.attachments()
	if len(added) == 0 {
		c.stop(paramError("file"))
	}
	t.attachments = append(t.attachments, added...)
	t.updated = c.now
	return result(statusSuccess, fmt.Sprintf("上传附件成功，共 %d 个", len(added)))
}

// tplAttachmentDel deletes one attachment, or all of them when
// attachment_id is absent or "all" (§5.7).
func (c *call) tplAttachmentDel() reply {
	t := c.mustTemplate()
	if v := c.str("attachment_id"); v == "" || v == "all" {
		n := len(t.attachments)
		t.attachments = nil
		t.updated = c.now
		return result(statusSuccess, fmt.Sprintf("删除附件成功，共 %d 个", n))
	}
	id := c.requireID("attachment_id")
	n := len(t.attachments)
	t.attachments = removeFunc(t.attachments, func(a attachment) bool { return a.id == id })
	if len(t.attachments) == n {
		c.stop(notFound("附件"))
	}
	t.updated = c.now
	return result(statusSuccess, "删除附件成功，共 1 个")
}
