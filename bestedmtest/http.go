package bestedmtest

import (
	"crypto/md5"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// maxBody bounds a request body; a larger one is refused with 413.
const maxBody = 64 << 20

// upload is one file of a multipart body.
type upload struct {
	field, name string
	data        []byte
}

// ServeHTTP answers one API request: it records it, applies an injected
// fault if one matches, authenticates, and dispatches on script and do=.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	c, inAPI, bodyErr := s.receive(w, r)
	f, faulty := s.admit(c)
	if faulty && !s.preFault(w, r, f) {
		return
	}
	var rep reply
	switch {
	case !inAPI:
		rep = unknownScript(r.URL.Path)
		rep.code = http.StatusNotFound
	case bodyErr != nil:
		rep = bodyErrorReply(bodyErr)
	default:
		rep = s.dispatch(c)
	}
	if faulty {
		switch f.kind {
		case faultDrop:
			hijackAndClose(w, nil)
			return
		case faultDropMidBody:
			hijackAndClose(w, &rep)
			return
		}
		rep = rewrite(f, rep, c.script)
	}
	write(w, rep)
}

// receive reads the request line and body into a call.
func (s *Server) receive(w http.ResponseWriter, r *http.Request) (c *call, inAPI bool, bodyErr error) {
	script, inAPI := splitPath(r.URL.Path)
	if script == "" {
		script = r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	}
	query := r.URL.Query()
	c = &call{s: s, req: r, query: query, script: script, action: query.Get("do")}
	return c, inAPI, c.readBody(w)
}

// admit records the request and takes the fault meant for it, if any.
func (s *Server) admit(c *call) (Fault, bool) {
	rec := RecordedRequest{Method: c.req.Method, Path: c.req.URL.Path, Script: c.script, Action: c.action,
		Query: cloneValues(c.query), Header: c.req.Header.Clone(), BodySize: c.bodySize}
	rec.Form, rec.BodyTruncated = boundedForm(c.form, s.recs.bodyLimit)
	rec.Auth, rec.Username = authOf(c.req, c.query)
	for _, f := range c.files {
		rec.Files = append(rec.Files, RecordedFile{Field: f.field, Name: f.name, Size: int64(len(f.data))})
	}
	s.recMu.Lock()
	defer s.recMu.Unlock()
	f, faulty := s.takeFault(c.script, c.action)
	if faulty {
		rec.Fault = f.String()
	}
	s.record(rec)
	return f, faulty
}

// preFault applies the faults that act before the request is handled. It
// returns false when the request must not be handled: a status fault
// answered it, or the client left during a delay.
func (s *Server) preFault(w http.ResponseWriter, r *http.Request, f Fault) bool {
	switch f.kind {
	case faultStatus:
		write(w, statusPage(f))
		return false
	case faultDelay:
		return s.wait(r.Context(), f.delay)
	}
	return true
}

func write(w http.ResponseWriter, rep reply) {
	for k, vs := range rep.header {
		w.Header()[k] = vs
	}
	if rep.contentType != "" {
		w.Header().Set("Content-Type", rep.contentType)
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(rep.body)))
	if rep.code == 0 {
		rep.code = http.StatusOK
	}
	w.WriteHeader(rep.code)
	_, _ = w.Write(rep.body)
}

// hijackAndClose takes the connection over; with a reply, it first writes
// the headers (announcing the full length) and half of the body.
func hijackAndClose(w http.ResponseWriter, rep *reply) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler) // HTTP/2: net/http resets the stream
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	if rep != nil {
		fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n\r\n",
			rep.code, http.StatusText(rep.code), rep.contentType, len(rep.body))
		_, _ = buf.Write(rep.body[:len(rep.body)/2])
		_ = buf.Flush()
	}
}

// authOf says how r carries credentials and whose: Basic auth wins over the
// query string.
func authOf(r *http.Request, q url.Values) (AuthScheme, string) {
	if user, _, ok := r.BasicAuth(); ok {
		return AuthSchemeBasic, user
	}
	if q.Has("username") || q.Has("password") {
		return AuthSchemeQuery, q.Get("username")
	}
	return AuthSchemeNone, ""
}

// errTooLarge marks a body over maxBody.
var errTooLarge = errors.New("request body too large")

// readBody parses a form-encoded or multipart POST body into c.form and
// c.files, keeping the parts in order.
func (c *call) readBody(w http.ResponseWriter) error {
	c.form = url.Values{}
	r := c.req
	if r.Body == nil || r.Method == http.MethodGet || r.Method == http.MethodHead {
		return nil
	}
	counted := &countingReader{r: http.MaxBytesReader(w, r.Body, maxBody)}
	r.Body = counted
	defer func() { c.bodySize = counted.n }()
	mt, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch mt {
	case "application/x-www-form-urlencoded":
		b, err := io.ReadAll(r.Body)
		if err != nil {
			return tooLarge(err)
		}
		v, err := url.ParseQuery(string(b))
		if err != nil {
			return fmt.Errorf("form body: %w", err)
		}
		c.form = v
	case "multipart/form-data":
		if params["boundary"] == "" {
			return errors.New("multipart body without a boundary")
		}
		mr, err := r.MultipartReader()
		if err != nil {
			return fmt.Errorf("multipart body: %w", err)
		}
		for {
			p, err := mr.NextPart()
			if err == io.EOF {
				break
			}
			if err != nil {
				return tooLarge(fmt.Errorf("multipart body: %w", err))
			}
			data, err := io.ReadAll(p)
			if err != nil {
				return tooLarge(fmt.Errorf("multipart body: %w", err))
			}
			switch {
			case p.FileName() != "":
				c.files = append(c.files, upload{field: p.FormName(), name: p.FileName(), data: data})
			case p.FormName() != "":
				c.form.Add(p.FormName(), string(data))
			}
		}
	default:
		_, _ = io.Copy(io.Discard, r.Body)
	}
	return nil
}

// countingReader counts the bytes read through it.
type countingReader struct {
	r io.ReadCloser
	n int64
}

func (cr *countingReader) Read(p []byte) (int, error) {
	n, err := cr.r.Read(p)
	cr.n += int64(n)
	return n, err
}

func (cr *countingReader) Close() error { return cr.r.Close() }

func tooLarge(err error) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return errTooLarge
	}
	return err
}

func bodyErrorReply(err error) reply {
	if errors.Is(err, errTooLarge) {
		rep := fail("request_too_large", "请求内容过大")
		rep.code = http.StatusRequestEntityTooLarge
		return rep
	}
	rep := fail(statusParamError, "无法解析请求内容: "+err.Error())
	rep.code = http.StatusBadRequest
	return rep
}

func unknownScript(name string) reply {
	return fail(statusUnknownScript, "接口不存在: "+name)
}

// route is one script's handlers by do= action; a script that takes no
// do= has the single action "".
type route map[string]func(*call) reply

var routes = map[string]route{
	"account.php": {
		"customer-info": (*call).customerInfo,
		"service-info":  (*call).serviceInfo,
	},
	"task.php": {
		"list-task": (*call).listTaskByDate,
		"task-list": (*call).taskList,
		"add-task":  (*call).addTask,
		"edit-task": (*call).editTask,
		"del-task":  (*call).delTask,
	},
	"statistic.php":     {"": (*call).statistic},
	"failexport.php":    {"": (*call).failExport},
	"failexportall.php": {"": (*call).failExportAll},
	"stask.php":         {"": (*call).stask},
	"deduction.php":     {"": (*call).deduction},
	"trackexport.php":   {"": (*call).trackExport},
	"track.php": {
		"overview":     (*call).trackOverview,
		"open-detail":  (*call).trackOpens,
		"click-detail": (*call).trackClicks,
		"link-stat":    (*call).trackLinks,
	},
	"mloperate.php": {
		"maillist-list":       (*call).maillistList,
		"maillist-detail":     (*call).maillistDetail,
		"maillist-add":        (*call).maillistAdd,
		"maillist-edit":       (*call).maillistEdit,
		"maillist-del":        (*call).maillistDel,
		"subscription-export": (*call).subscriptionExport,
		"unsubscribe-export":  (*call).unsubscribeExport,
		"ml-addr-list":        (*call).addrList,
		"ml-addr-add":         (*call).addrAdd,
		"ml-addr-add-file":    (*call).addrAddFile,
		"ml-addr-edit":        (*call).addrEdit,
		"ml-addr-del":         (*call).addrDel,
		"ml-addr-empty":       (*call).addrEmpty,
		"ml-sub":              (*call).subscribe,
		"ml-unsub":            (*call).unsubscribe,
	},
	"template.php": {
		"add-tpl":            (*call).tplAdd,
		"list-tpl":           (*call).tplList,
		"del-tpl":            (*call).tplDel,
		"edit-tpl":           (*call).tplEdit,
		"tpl-attachment-add": (*call).tplAttachmentAdd,
		"tpl-attachment-del": (*call).tplAttachmentDel,
	},
	"bs.php": {
		"domain-list":  (*call).domainList,
		"domain-add":   (*call).domainAdd,
		"domain-del":   (*call).domainDel,
		"mailbox-list": (*call).mailboxList,
		"mailbox-add":  (*call).mailboxAdd,
		"mailbox-del":  (*call).mailboxDel,
		"mailbox-edit": (*call).mailboxEdit,
	},
}

// dispatch checks the method, the credentials and the action, then runs the
// handler under the state lock.
func (s *Server) dispatch(c *call) (rep reply) {
	rt, ok := routes[c.script]
	if !ok {
		rep = unknownScript(c.script)
		rep.code = http.StatusNotFound
		return rep
	}
	if c.req.Method != http.MethodGet && c.req.Method != http.MethodPost {
		rep = fail(statusMethodNotAllowed, "不支持的请求方法: "+c.req.Method)
		rep.code = http.StatusMethodNotAllowed
		rep.header = http.Header{"Allow": {"GET, POST"}}
		return rep
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	c.st, c.now = s.st, s.now()
	defer func() {
		if v := recover(); v != nil {
			a, ok := v.(abort)
			if !ok {
				a = abort{fail("server_error", fmt.Sprint("内部错误: ", v))}
				a.rep.code = http.StatusInternalServerError
			}
			rep = a.rep
		}
	}()
	c.authenticate()
	if _, noAction := rt[""]; noAction {
		return rt[""](c)
	}
	if c.action == "" {
		c.stop(paramError("do"))
	}
	h, ok := rt[c.action]
	if !ok {
		c.stop(fail(statusUnknownAction, "未知的操作: "+c.action))
	}
	return h(c)
}

// adminOnly are the actions that need the administrator's credentials
// whatever user_type says (§7.2, §7.3).
var adminOnly = map[string]bool{"domain-add": true, "domain-del": true}

// authenticate checks the credentials against the realm the call needs:
// the administrator for bs.php in manager mode and for domain-add/del, the
// customer otherwise. Wrong or missing credentials are auth_error (HTTP 401
// with a Basic challenge unless the query-string mode was used, which gets
// HTTP 200); right credentials for the other realm are permission_denied.
func (c *call) authenticate() {
	wantManager := c.script == "bs.php" && (c.param("user_type") == "manager" || adminOnly[c.action])
	mode, user := authOf(c.req, c.query)
	var pass string
	switch mode {
	case AuthSchemeBasic:
		_, pass, _ = c.req.BasicAuth()
	case AuthSchemeQuery:
		pass = c.query.Get("password")
	}
	isCustomer, isManager := c.checkCreds(mode, user, pass)
	switch {
	case wantManager && isManager, !wantManager && isCustomer:
	case wantManager && isCustomer:
		c.stop(fail(statusPermissionDenied, "需要管理员帐号"))
	case !wantManager && isManager:
		c.stop(fail(statusPermissionDenied, "管理员帐号不能调用客户接口"))
	default:
		rep := fail(statusAuthError, "用户名或密码错误")
		if mode != AuthSchemeQuery {
			rep.code = http.StatusUnauthorized
			rep.header = http.Header{"Www-Authenticate": {`Basic realm="bestedm API"`}}
		}
		c.stop(rep)
	}
	c.manager = isManager
	if isCustomer {
		c.cust = c.st.main()
	}
}

// checkCreds compares in constant time: Basic auth carries the plain
// password, the query string its lower-case hex MD5.
func (c *call) checkCreds(mode AuthScheme, user, pass string) (customer, manager bool) {
	if mode == AuthSchemeNone || user == "" {
		return false, false
	}
	match := func(wantUser, wantPass string) bool {
		if mode == AuthSchemeQuery {
			sum := md5.Sum([]byte(wantPass))
			wantPass = hex.EncodeToString(sum[:])
		}
		return user == wantUser && subtle.ConstantTimeCompare([]byte(pass), []byte(wantPass)) == 1
	}
	m := c.st.main()
	return match(m.username, m.password), match(c.st.manager.username, c.st.manager.password)
}
