package bestedmtest

import (
	"bytes"
	"encoding/xml"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// Wire constants shared by every reply.
const (
	xmlProlog   = `<?xml version="1.0" encoding="UTF-8"?>`
	crlf        = "\r\n"
	contentXML  = "text/xml; charset=utf-8"
	contentText = "text/plain; charset=utf-8"
	contentJSON = "application/json; charset=utf-8"
	timeLayout  = "2006-01-02 15:04:05"
	dateLayout  = "2006-01-02"
	zeroTime    = "0000-00-00 00:00:00"
	zeroDate    = "0000-00-00"
)

// Status identifiers of <result> replies. The document names some of them
// (success, add_maillist_error, …); the rest are the fake's choice, listed
// in the package documentation.
const (
	statusSuccess          = "success"
	statusAuthError        = "auth_error"
	statusPermissionDenied = "permission_denied"
	statusParamError       = "param_error"
	statusNotFound         = "not_found"
	statusUnknownAction    = "unknown_action"
	statusUnknownScript    = "unknown_script"
	statusMethodNotAllowed = "method_not_allowed"
	statusAddressExists    = "address_exists"
	statusDomainExists     = "domain_exists"
	statusMailboxExists    = "mailbox_exists"
	statusTaskStatusError  = "task_status_error"
	statusAddMaillistError = "add_maillist_error"
	statusUpdMaillistError = "update_maillist_error"
)

// reply is what a handler answers, before any fault rewrites it.
type reply struct {
	code        int
	contentType string
	header      http.Header
	body        []byte
}

// doc writes an XML reply the way the service does: the UTF-8 prolog, one
// element a line, CRLF line ends, two-space indentation.
type doc struct {
	buf   bytes.Buffer
	depth int
	stack []string
}

func newDoc(root string) *doc {
	d := &doc{}
	d.buf.WriteString(xmlProlog)
	d.buf.WriteString(crlf)
	d.open(root)
	return d
}

func (d *doc) indent() {
	for i := 0; i < d.depth; i++ {
		d.buf.WriteString("  ")
	}
}

// open starts an element that holds other elements.
func (d *doc) open(name string) *doc {
	d.indent()
	d.buf.WriteString("<" + name + ">" + crlf)
	d.depth++
	d.stack = append(d.stack, name)
	return d
}

// close ends the innermost open element.
func (d *doc) close() *doc {
	name := d.stack[len(d.stack)-1]
	d.stack = d.stack[:len(d.stack)-1]
	d.depth--
	d.indent()
	d.buf.WriteString("</" + name + ">" + crlf)
	return d
}

// text writes <name>escaped text</name>.
func (d *doc) text(name, value string) *doc {
	d.indent()
	d.buf.WriteString("<" + name + ">")
	_ = xml.EscapeText(&d.buf, []byte(value))
	d.buf.WriteString("</" + name + ">" + crlf)
	return d
}

// cdata writes <name><![CDATA[text]]></name>; an empty value is written as
// an empty element, as the service does.
func (d *doc) cdata(name, value string) *doc {
	if value == "" {
		return d.text(name, "")
	}
	d.indent()
	d.buf.WriteString("<" + name + "><![CDATA[")
	// "]]>" cannot appear inside a CDATA section: split it in two.
	d.buf.WriteString(strings.ReplaceAll(value, "]]>", "]]]]><![CDATA[>"))
	d.buf.WriteString("]]></" + name + ">" + crlf)
	return d
}

func (d *doc) int(name string, v int64) *doc { return d.text(name, strconv.FormatInt(v, 10)) }

// time writes a UTC+8 wall-clock time, or 0000-00-00 00:00:00 when unset.
func (d *doc) time(name string, t time.Time) *doc { return d.text(name, fmtTime(t)) }

// date writes a UTC+8 date, or 0000-00-00 when unset.
func (d *doc) date(name string, t time.Time) *doc { return d.text(name, fmtDate(t)) }

// reply closes every open element and returns the finished reply.
func (d *doc) reply() reply {
	for len(d.stack) > 0 {
		d.close()
	}
	return reply{code: http.StatusOK, contentType: contentXML, body: d.buf.Bytes()}
}

func fmtTime(t time.Time) string {
	if t.IsZero() {
		return zeroTime
	}
	return t.In(chinaZone).Format(timeLayout)
}

func fmtDate(t time.Time) string {
	if t.IsZero() {
		return zeroDate
	}
	return t.In(chinaZone).Format(dateLayout)
}

// result builds <result><status>…</status>[<id>…</id>]<data>…</data></result>.
func result(status, data string) reply {
	return resultID(status, 0, data)
}

// resultID is result with an <id> element (add-task and maillist-add).
func resultID(status string, id int64, data string) reply {
	d := newDoc("result")
	d.text("status", status)
	if id != 0 {
		d.int("id", id)
	}
	d.cdata("data", data)
	return d.reply()
}

// fail is a non-success result answered with HTTP 200, the way a PHP
// script reports an application error.
func fail(status, format string) reply { return result(status, format) }

func paramError(name string) reply {
	return fail(statusParamError, "参数错误: "+name)
}

func notFound(what string) reply {
	return fail(statusNotFound, what+"不存在")
}

// textReply is a plain-text export: lines joined with CRLF.
func textReply(filename string, lines []string) reply {
	var b bytes.Buffer
	for _, l := range lines {
		b.WriteString(l)
		b.WriteString(crlf)
	}
	h := http.Header{}
	h.Set("Content-Disposition", `attachment; filename="`+filename+`"`)
	return reply{code: http.StatusOK, contentType: contentText, header: h, body: b.Bytes()}
}
