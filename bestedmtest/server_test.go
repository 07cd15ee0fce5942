package bestedmtest

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// with runs f on the server's state under its lock.
func with[T any](s *Server, f func(st *state) T) T {
	s.mu.Lock()
	defer s.mu.Unlock()
	return f(s.st)
}

func id(n int64) string { return strconv.FormatInt(n, 10) }

func TestServerURLAndCredentials(t *testing.T) {
	s := newTest(t)
	assert.True(t, strings.HasPrefix(s.URL(), "http://127.0.0.1:"), s.URL())
	assert.True(t, strings.HasSuffix(s.URL(), "/mm-ms/apinew/"), s.URL())
	c, m := s.Customer(), s.Manager()
	assert.NotEmpty(t, c.Username)
	assert.NotEmpty(t, c.Password)
	assert.NotEqual(t, c.Username, m.Username)
	assert.Equal(t, c.CustomerID, m.CustomerID, "the manager acts for the customer by default")
	assert.Len(t, c.PasswordHash(), 32)
}

func TestAuth(t *testing.T) {
	s := newTest(t)
	cust := s.Customer()
	tests := []struct {
		name     string
		mode     AuthScheme
		creds    Credentials
		script   string
		pairs    []string
		code     int
		status   string // "" for a <customer> reply
		challeng bool
	}{
		{name: "basic", mode: AuthSchemeBasic, creds: cust, code: 200},
		{name: "query md5", mode: AuthSchemeQuery, creds: cust, code: 200},
		{name: "basic wrong password", mode: AuthSchemeBasic, creds: Credentials{Username: cust.Username, Password: "nope"}, code: 401, status: "auth_error", challeng: true},
		{name: "basic unknown user", mode: AuthSchemeBasic, creds: Credentials{Username: "ghost", Password: cust.Password}, code: 401, status: "auth_error", challeng: true},
		{name: "no credentials", mode: AuthSchemeNone, code: 401, status: "auth_error", challeng: true},
		{name: "query wrong password", mode: AuthSchemeQuery, creds: Credentials{Username: cust.Username, Password: "nope"}, code: 200, status: "auth_error"},
		{name: "manager on a customer call", mode: AuthSchemeBasic, creds: s.Manager(), code: 200, status: "permission_denied"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := &api{t: t, s: s, creds: tc.creds, mode: tc.mode}
			r := a.get("account.php", "customer-info")
			assert.Equal(t, tc.code, r.code, r.body)
			assert.Equal(t, "text/xml; charset=utf-8", r.header.Get("Content-Type"))
			if tc.status == "" {
				n := r.xml(t)
				assert.Equal(t, "customer", n.XMLName.Local)
				assert.Equal(t, id(cust.CustomerID), n.get("id"))
				return
			}
			assert.Equal(t, tc.status, r.status(t))
			assert.Equal(t, tc.challeng, r.header.Get("WWW-Authenticate") != "")
		})
	}

	t.Run("query mode needs the hash, not the password", func(t *testing.T) {
		a := customerAPI(t, s)
		a.mode = AuthSchemeNone
		r := a.get("account.php", "customer-info", "username", cust.Username, "password", cust.Password)
		assert.Equal(t, 200, r.code)
		assert.Equal(t, "auth_error", r.status(t))
		r = a.get("account.php", "customer-info", "username", cust.Username, "password", strings.ToUpper(cust.PasswordHash()))
		assert.Equal(t, "auth_error", r.status(t), "the hash is lower-case hex")
	})
	t.Run("basic auth wins over the query string", func(t *testing.T) {
		a := customerAPI(t, s)
		r := a.get("account.php", "customer-info", "username", "ghost", "password", "0123")
		assert.Equal(t, "customer", r.root(t))
	})
	t.Run("customer on an administrator call", func(t *testing.T) {
		r := customerAPI(t, s).get("bs.php", "domain-add", "customer_id", id(cust.CustomerID), "domain", "x.example.com")
		assert.Equal(t, "permission_denied", r.status(t))
	})
	t.Run("customer claiming manager mode", func(t *testing.T) {
		r := customerAPI(t, s).get("bs.php", "domain-list", "user_type", "manager", "customer_id", id(cust.CustomerID))
		assert.Equal(t, "permission_denied", r.status(t))
	})
	t.Run("manager mode, query string auth", func(t *testing.T) {
		a := managerAPI(t, s)
		a.mode = AuthSchemeQuery
		r := a.get("bs.php", "domain-list", "user_type", "manager", "customer_id", id(cust.CustomerID))
		assert.Equal(t, "domain_list", r.root(t))
	})
	t.Run("legacy path", func(t *testing.T) {
		a := customerAPI(t, s)
		a.root = strings.Replace(s.URL(), "/apinew/", "/api/", 1)
		assert.Equal(t, "customer", a.get("account.php", "customer-info").root(t))
	})
}

// TestEveryCall makes each of the 45 documented calls once, in an order
// where each write works on what earlier steps created, and checks the
// reply's root element (or, for exports, that text came back).
func TestEveryCall(t *testing.T) {
	s := newTest(t)
	a, m := customerAPI(t, s), managerAPI(t, s)
	cust := s.Customer()
	seed := with(s, func(st *state) map[string]int64 {
		return map[string]int64{
			"list": st.lists[0].id, "vip": st.lists[1].id, "tpl": st.templates[0].id,
			"tracked": st.tasks[2].id, "track": st.tasks[2].trackID, "waiting": st.tasks[9].id,
		}
	})
	var newList, newAddr, newTpl, newTask string
	const text, jsonRows = "text", "json"
	steps := []struct {
		script, do, root string
		run              func() resp
	}{
		{"account.php", "customer-info", "customer", func() resp { return a.get("account.php", "customer-info") }},
		{"account.php", "service-info", "service", func() resp { return a.get("account.php", "service-info") }},
		{"task.php", "list-task", "task_list", func() resp { return a.get("task.php", "list-task", "date", "2024-05-14") }},
		{"statistic.php", "", "statistic", func() resp { return a.get("statistic.php", "", "date", "2024-05-14") }},
		{"failexport.php", "", text, func() resp { return a.get("failexport.php", "", "date", "2024-05-15", "type", "all") }},
		{"failexportall.php", "", jsonRows, func() resp {
			return a.get("failexportall.php", "", "date", "2024-05-15", "out_type", "json")
		}},
		{"stask.php", "", "data", func() resp { return a.get("stask.php", "", "date", "2024-05-14") }},
		{"deduction.php", "", "data", func() resp { return a.get("deduction.php", "", "date", "2024-05-14") }},
		{"track.php", "overview", "track", func() resp { return a.get("track.php", "overview", "id", id(seed["tracked"])) }},
		{"track.php", "open-detail", "data", func() resp { return a.get("track.php", "open-detail", "id", id(seed["tracked"])) }},
		{"track.php", "click-detail", "data", func() resp { return a.get("track.php", "click-detail", "id", id(seed["tracked"])) }},
		{"trackexport.php", "", "data", func() resp { return a.get("trackexport.php", "", "track_id", id(seed["track"])) }},
		{"track.php", "link-stat", "data", func() resp { return a.get("track.php", "link-stat", "id", id(seed["tracked"])) }},
		{"mloperate.php", "maillist-list", "maillist", func() resp { return a.get("mloperate.php", "maillist-list") }},
		{"mloperate.php", "maillist-detail", "maillist", func() resp { return a.get("mloperate.php", "maillist-detail", "id", id(seed["list"])) }},
		{"mloperate.php", "maillist-add", "result", func() resp {
			r := a.post("mloperate.php", "maillist-add", nil, kv("subject", "新分类", "status", "enabled", "description", "说明"))
			newList = r.addedList(t, a, "新分类")
			return r
		}},
		{"mloperate.php", "maillist-edit", "result", func() resp {
			return a.post("mloperate.php", "maillist-edit", kv("id", newList), kv("description", "新的说明"))
		}},
		{"mloperate.php", "subscription-export", text, func() resp { return a.get("mloperate.php", "subscription-export", "id", id(seed["list"])) }},
		{"mloperate.php", "unsubscribe-export", text, func() resp { return a.get("mloperate.php", "unsubscribe-export", "id", id(seed["list"])) }},
		{"mloperate.php", "ml-addr-list", "data", func() resp { return a.get("mloperate.php", "ml-addr-list", "list_id", id(seed["list"])) }},
		{"mloperate.php", "ml-addr-add", "result", func() resp {
			r := a.get("mloperate.php", "ml-addr-add", "list_id", newList, "address", "one@example.com", "return_id", "1")
			newAddr = r.ok(t)
			return r
		}},
		{"mloperate.php", "ml-addr-add", "result", func() resp {
			return a.post("mloperate.php", "ml-addr-add", kv("list_id", newList), kv("ml_addr", "two@example.com;二\nthree@example.com;三"))
		}},
		{"mloperate.php", "ml-addr-add-file", "result", func() resp {
			return a.multipart("mloperate.php", "ml-addr-add-file", kv("list_id", newList), nil,
				testFile{"file", "list.txt", "four@example.com\t四\r\nfive@example.com;五;F\r\n"})
		}},
		{"mloperate.php", "ml-addr-edit", "result", func() resp { return a.get("mloperate.php", "ml-addr-edit", "id", newAddr, "fullname", "一") }},
		{"mloperate.php", "ml-addr-del", "result", func() resp { return a.get("mloperate.php", "ml-addr-del", "id", newAddr) }},
		{"mloperate.php", "ml-sub", "result", func() resp { return a.get("mloperate.php", "ml-sub", "list_id", newList, "address", "six@example.com") }},
		{"mloperate.php", "ml-unsub", "result", func() resp {
			return a.post("mloperate.php", "ml-unsub", kv("list_id", newList), kv("address", "six@example.com"))
		}},
		{"mloperate.php", "ml-addr-empty", "result", func() resp { return a.get("mloperate.php", "ml-addr-empty", "list_id", newList) }},
		{"mloperate.php", "maillist-del", "result", func() resp { return a.get("mloperate.php", "maillist-del", "id", newList) }},
		{"template.php", "add-tpl", "result", func() resp {
			r := a.multipart("template.php", "add-tpl", nil, kv("name", "模板", "subject", "主题一|主题二", "content", "<p>hi</p>"),
				testFile{"file[]", "a.txt", "A"}, testFile{"file[]", "b.txt", "BB"})
			newTpl = r.ok(t)
			return r
		}},
		{"template.php", "list-tpl", "template_list", func() resp { return a.get("template.php", "list-tpl") }},
		{"template.php", "edit-tpl", "result", func() resp { return a.post("template.php", "edit-tpl", nil, kv("tpl_id", newTpl, "name", "改名")) }},
		{"template.php", "tpl-attachment-add", "result", func() resp {
			return a.multipart("template.php", "tpl-attachment-add", kv("tpl_id", newTpl), nil, testFile{"file", "c.txt", "CCC"})
		}},
		{"template.php", "tpl-attachment-del", "result", func() resp {
			return a.get("template.php", "tpl-attachment-del", "tpl_id", newTpl, "attachment_id", "all")
		}},
		{"task.php", "add-task", "result", func() resp {
			r := a.get("task.php", "add-task", "tpl_id", newTpl+","+id(seed["tpl"]), "send_account", "service@mail.example.com",
				"maillist_id", id(seed["vip"]), "time", "2024-5-21 9:00")
			newTask = r.ok(t)
			return r
		}},
		{"template.php", "del-tpl", "result", func() resp { return a.get("template.php", "del-tpl", "tpl_id", newTpl) }},
		{"task.php", "task-list", "task_list", func() resp { return a.get("task.php", "task-list") }},
		{"task.php", "edit-task", "result", func() resp { return a.get("task.php", "edit-task", "id", newTask, "send_status", "-1") }},
		{"task.php", "del-task", "result", func() resp { return a.get("task.php", "del-task", "id", newTask) }},
		{"bs.php", "domain-list", "domain_list", func() resp { return a.get("bs.php", "domain-list") }},
		{"bs.php", "domain-add", "result", func() resp {
			return m.get("bs.php", "domain-add", "customer_id", id(cust.CustomerID), "domain", "promo.example.com")
		}},
		{"bs.php", "mailbox-list", "mailbox_list", func() resp { return a.get("bs.php", "mailbox-list") }},
		{"bs.php", "mailbox-add", "result", func() resp {
			return a.get("bs.php", "mailbox-add", "mailbox", "hi@promo.example.com", "pwd", "pw123456")
		}},
		{"bs.php", "mailbox-edit", "result", func() resp {
			return a.get("bs.php", "mailbox-edit", "mailbox", "hi@promo.example.com", "pwd", "pw654321")
		}},
		{"bs.php", "mailbox-del", "result", func() resp { return a.get("bs.php", "mailbox-del", "mailbox", "hi@promo.example.com") }},
		{"bs.php", "domain-del", "result", func() resp {
			return m.get("bs.php", "domain-del", "customer_id", id(cust.CustomerID), "domain", "promo.example.com")
		}},
	}
	require.Len(t, steps, 46, "the document's 45 calls and failexportall.php")
	covered := map[string]bool{}
	for _, st := range steps {
		name := st.script + "?do=" + st.do
		r := st.run()
		covered[st.script+" "+st.do] = true
		require.Equal(t, http.StatusOK, r.code, "%s: %s", name, r.body)
		if st.root == text {
			assert.Equal(t, "text/plain; charset=utf-8", r.header.Get("Content-Type"), name)
			assert.NotContains(t, r.body, "<", name)
			continue
		}
		if st.root == jsonRows {
			assert.Equal(t, "application/json; charset=utf-8", r.header.Get("Content-Type"), name)
			assert.True(t, strings.HasPrefix(r.body, `[{"email":"`), "%s: %s", name, r.body)
			continue
		}
		assert.Equal(t, "text/xml; charset=utf-8", r.header.Get("Content-Type"), name)
		assert.True(t, strings.HasPrefix(r.body, `<?xml version="1.0" encoding="UTF-8"?>`+"\r\n"), name)
		assert.Equal(t, st.root, r.root(t), "%s: %s", name, r.body)
		if st.root == "result" {
			r.ok(t)
		}
	}
	for script, rt := range routes {
		for do := range rt {
			assert.True(t, covered[script+" "+do], "%s do=%s not exercised", script, do)
		}
	}
}

// TestErrors checks that a bad request gets a non-success <result>, never
// made-up data.
func TestErrors(t *testing.T) {
	s := newTest(t)
	a := customerAPI(t, s)
	list := with(s, func(st *state) int64 { return st.lists[0].id })
	tpl := with(s, func(st *state) string { return id(st.templates[0].id) })
	done := with(s, func(st *state) string { return id(st.tasks[0].id) })
	untracked := with(s, func(st *state) string { return id(st.tasks[3].id) })
	track := with(s, func(st *state) string { return id(st.tasks[2].trackID) })
	tests := []struct {
		name, script, do string
		pairs            []string
		status           string
		code             int
	}{
		{"unknown do", "mloperate.php", "maillist-frobnicate", nil, "unknown_action", 200},
		{"missing do", "mloperate.php", "", nil, "param_error", 200},
		{"unknown script", "nothing.php", "x", nil, "unknown_script", 404},
		{"detail without id", "mloperate.php", "maillist-detail", nil, "param_error", 200},
		{"detail bad id", "mloperate.php", "maillist-detail", []string{"id", "abc"}, "param_error", 200},
		{"detail unknown id", "mloperate.php", "maillist-detail", []string{"id", "999999"}, "not_found", 200},
		{"maillist-add without status", "mloperate.php", "maillist-add", []string{"subject", "x"}, "param_error", 200},
		{"maillist-add bad status", "mloperate.php", "maillist-add", []string{"subject", "x", "status", "on"}, "param_error", 200},
		{"maillist-add existing subject", "mloperate.php", "maillist-add", []string{"subject", "新闻订阅", "status", "enabled"}, "add_maillist_error", 200},
		{"maillist-edit nothing", "mloperate.php", "maillist-edit", []string{"id", id(list)}, "param_error", 200},
		{"maillist-del unknown", "mloperate.php", "maillist-del", []string{"id", "999999"}, "not_found", 200},
		{"export unknown list", "mloperate.php", "subscription-export", []string{"id", "999999"}, "not_found", 200},
		{"unsub export without id", "mloperate.php", "unsubscribe-export", nil, "param_error", 200},
		{"addr-add bad address", "mloperate.php", "ml-addr-add", []string{"list_id", id(list), "address", "not-an-address"}, "param_error", 200},
		{"addr-add unknown list", "mloperate.php", "ml-addr-add", []string{"list_id", "999999", "address", "a@example.com"}, "not_found", 200},
		{"addr-add-file without file", "mloperate.php", "ml-addr-add-file", []string{"list_id", id(list)}, "param_error", 200},
		{"addr-edit unknown", "mloperate.php", "ml-addr-edit", []string{"id", "1", "fullname", "x"}, "not_found", 200},
		{"addr-del without id", "mloperate.php", "ml-addr-del", nil, "param_error", 200},
		{"addr-empty without list", "mloperate.php", "ml-addr-empty", nil, "param_error", 200},
		{"addr-list bad page", "mloperate.php", "ml-addr-list", []string{"page", "0"}, "param_error", 200},
		{"sub without address", "mloperate.php", "ml-sub", []string{"list_id", id(list)}, "param_error", 200},
		{"unsub without list", "mloperate.php", "ml-unsub", []string{"address", "a@example.com"}, "param_error", 200},
		{"add-tpl without content", "template.php", "add-tpl", []string{"name", "n", "subject", "s"}, "param_error", 200},
		{"list-tpl bad id", "template.php", "list-tpl", []string{"tpl_id", "x"}, "param_error", 200},
		{"edit-tpl nothing to change", "template.php", "edit-tpl", []string{"tpl_id", tpl}, "param_error", 200},
		{"del-tpl unknown", "template.php", "del-tpl", []string{"tpl_id", "999999"}, "not_found", 200},
		{"attachment-del unknown", "template.php", "tpl-attachment-del", []string{"tpl_id", tpl, "attachment_id", "1"}, "not_found", 200},
		{"add-task without time", "task.php", "add-task", []string{"tpl_id", tpl, "send_account", "a@example.com", "maillist_id", id(list)}, "param_error", 200},
		{"add-task unknown template", "task.php", "add-task", []string{"tpl_id", "1", "send_account", "a@example.com", "maillist_id", id(list), "time", "2024-6-1 10:00"}, "not_found", 200},
		{"add-task unknown list", "task.php", "add-task", []string{"tpl_id", tpl, "send_account", "a@example.com", "maillist_id", "999999", "time", "2024-6-1 10:00"}, "not_found", 200},
		{"add-task all without domain", "task.php", "add-task", []string{"tpl_id", tpl, "send_account", "all", "maillist_id", id(list), "time", "2024-6-1 10:00"}, "param_error", 200},
		{"add-task bad time", "task.php", "add-task", []string{"tpl_id", tpl, "send_account", "a@example.com", "maillist_id", id(list), "time", "tomorrow"}, "param_error", 200},
		{"edit-task finished", "task.php", "edit-task", []string{"id", done, "send_status", "-1"}, "task_status_error", 200},
		{"del-task unknown", "task.php", "del-task", []string{"id", "1"}, "not_found", 200},
		{"task-list bad status", "task.php", "task-list", []string{"send_status", "9"}, "param_error", 200},
		{"list-task without date", "task.php", "list-task", nil, "param_error", 200},
		{"statistic bad date", "statistic.php", "", []string{"date", "20240514"}, "param_error", 200},
		{"failexport without type", "failexport.php", "", []string{"date", "2024-05-14"}, "param_error", 200},
		{"failexport bad type", "failexport.php", "", []string{"date", "2024-05-14", "type", "bounced"}, "param_error", 200},
		{"failexport type 1 without task", "failexport.php", "", []string{"date", "2024-05-14", "type", "1"}, "param_error", 200},
		{"failexport not_exist without task", "failexport.php", "", []string{"date", "2024-05-14", "type", "not_exist"}, "param_error", 200},
		{"failexport unknown task", "failexport.php", "", []string{"date", "2024-05-14", "type", "2", "task_id", "1"}, "not_found", 200},
		{"stask without date or ident", "stask.php", "", nil, "param_error", 200},
		{"deduction without date", "deduction.php", "", nil, "param_error", 200},
		{"track without id", "track.php", "overview", nil, "param_error", 200},
		{"track unknown ident", "track.php", "open-detail", []string{"ident", "nope"}, "not_found", 200},
		{"track untracked task", "track.php", "overview", []string{"id", untracked}, "not_found", 200},
		{"trackexport without track_id", "trackexport.php", "", nil, "param_error", 200},
		{"trackexport bad is_click", "trackexport.php", "", []string{"track_id", track, "is_click", "2"}, "param_error", 200},
		{"mailbox-add without pwd", "bs.php", "mailbox-add", []string{"mailbox", "x@mail.example.com"}, "param_error", 200},
		{"mailbox-add foreign domain", "bs.php", "mailbox-add", []string{"mailbox", "x@elsewhere.example", "pwd", "p"}, "not_found", 200},
		{"mailbox-add existing", "bs.php", "mailbox-add", []string{"mailbox", "service@mail.example.com", "pwd", "p"}, "mailbox_exists", 200},
		{"mailbox-del unknown", "bs.php", "mailbox-del", []string{"mailbox", "nobody@mail.example.com"}, "not_found", 200},
		{"mailbox-list other customer", "bs.php", "mailbox-list", []string{"customer_id", "1"}, "permission_denied", 200},
		{"bad user_type", "bs.php", "domain-list", []string{"user_type", "root"}, "param_error", 200},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := a.get(tc.script, tc.do, tc.pairs...)
			assert.Equal(t, tc.code, r.code, r.body)
			assert.Equal(t, tc.status, r.status(t), r.body)
		})
	}
	t.Run("method not allowed", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodDelete, a.url("mloperate.php", kv("do", "maillist-list")), nil)
		require.NoError(t, err)
		r := a.send(req)
		assert.Equal(t, http.StatusMethodNotAllowed, r.code)
		assert.Equal(t, "method_not_allowed", r.status(t))
	})
	t.Run("path outside the API", func(t *testing.T) {
		a := customerAPI(t, s)
		a.root = strings.TrimSuffix(s.URL(), "mm-ms/apinew/")
		r := a.get("account.php", "customer-info")
		assert.Equal(t, http.StatusNotFound, r.code)
		assert.Equal(t, "unknown_script", r.status(t))
	})
	t.Run("manager mode without customer_id", func(t *testing.T) {
		r := managerAPI(t, s).get("bs.php", "mailbox-list", "user_type", "manager")
		assert.Equal(t, "param_error", r.status(t))
	})
	t.Run("manager mode, unknown customer", func(t *testing.T) {
		r := managerAPI(t, s).get("bs.php", "mailbox-list", "user_type", "manager", "customer_id", "1")
		assert.Equal(t, "not_found", r.status(t))
	})
	t.Run("malformed multipart body", func(t *testing.T) {
		req, err := http.NewRequest(http.MethodPost, a.url("template.php", kv("do", "add-tpl")), strings.NewReader("garbage"))
		require.NoError(t, err)
		req.Header.Set("Content-Type", "multipart/form-data; boundary=xyz")
		r := a.send(req)
		assert.Equal(t, http.StatusBadRequest, r.code)
		assert.Equal(t, "param_error", r.status(t))
	})
	t.Run("no state changed", func(t *testing.T) {
		n := with(s, func(st *state) int { return len(st.lists) + len(st.addrs) + len(st.tasks) + len(st.templates) })
		assert.Equal(t, 4+158+11+3, n)
	})
}

// TestDeterministic: the same seed and clock give the same replies; another
// seed gives other data.
func TestDeterministic(t *testing.T) {
	calls := [][]string{
		{"account.php", "customer-info"}, {"mloperate.php", "ml-addr-list"}, {"task.php", "task-list"},
		{"template.php", "list-tpl"}, {"stask.php", "", "date", "2024-05-17"},
	}
	body := func(s *Server) string {
		var b strings.Builder
		a := customerAPI(t, s)
		for _, c := range calls {
			b.WriteString(a.get(c[0], c[1], c[2:]...).body)
		}
		ov := with(s, func(st *state) int64 { return st.tasks[2].id })
		b.WriteString(a.get("track.php", "open-detail", "id", id(ov)).body)
		return b.String()
	}
	one, two, other := body(newTest(t, WithSeed(7))), body(newTest(t, WithSeed(7))), body(newTest(t, WithSeed(8)))
	assert.Equal(t, one, two)
	assert.NotEqual(t, one, other)
}
