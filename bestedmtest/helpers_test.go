package bestedmtest

import (
	"bytes"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// testNow is the fixed clock of most tests: a Monday afternoon in China.
var testNow = time.Date(2024, 5, 20, 14, 30, 0, 0, chinaZone)

func fixedClock() *Clock { return NewClock(testNow) }

// newTest starts a server with the fixed clock.
func newTest(t *testing.T, opts ...ServerOption) *Server {
	t.Helper()
	return NewServer(t, append([]ServerOption{WithClock(fixedClock())}, opts...)...)
}

// resp is a reply read whole.
type resp struct {
	code   int
	header http.Header
	body   string
}

// api sends requests the way a client of the service would.
type api struct {
	t     *testing.T
	s     *Server
	creds Credentials
	mode  AuthScheme // AuthBasic, AuthQuery or AuthNone
	root  string     // API root; the server's URL by default
}

func customerAPI(t *testing.T, s *Server) *api {
	return &api{t: t, s: s, creds: s.Customer(), mode: AuthSchemeBasic}
}

func managerAPI(t *testing.T, s *Server) *api {
	return &api{t: t, s: s, creds: s.Manager(), mode: AuthSchemeBasic}
}

// kv builds url.Values from name, value pairs.
func kv(pairs ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		v.Add(pairs[i], pairs[i+1])
	}
	return v
}

func (a *api) url(script string, q url.Values) string {
	root := a.root
	if root == "" {
		root = a.s.URL()
	}
	vals := url.Values{}
	for k, v := range q {
		vals[k] = v
	}
	if a.mode == AuthSchemeQuery {
		vals.Set("username", a.creds.Username)
		vals.Set("password", a.creds.PasswordHash())
	}
	return root + script + "?" + vals.Encode()
}

func (a *api) send(req *http.Request) resp {
	a.t.Helper()
	r, err := a.trySend(req)
	require.NoError(a.t, err)
	return r
}

// trySend is send for goroutines other than the test's: it returns errors
// instead of failing the test.
func (a *api) trySend(req *http.Request) (resp, error) {
	if a.mode == AuthSchemeBasic {
		req.SetBasicAuth(a.creds.Username, a.creds.Password)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return resp{}, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return resp{code: res.StatusCode, header: res.Header, body: string(b)}, err
}

// get sends a GET with do= and the pairs in the query string.
func (a *api) get(script, do string, pairs ...string) resp {
	a.t.Helper()
	r, err := a.tryGet(script, do, pairs...)
	require.NoError(a.t, err)
	return r
}

func (a *api) tryGet(script, do string, pairs ...string) (resp, error) {
	q := kv(pairs...)
	if do != "" {
		q.Set("do", do)
	}
	req, err := http.NewRequest(http.MethodGet, a.url(script, q), nil)
	if err != nil {
		return resp{}, err
	}
	return a.trySend(req)
}

// post sends a form-encoded POST: query in the URL, form in the body.
func (a *api) post(script, do string, query, form url.Values) resp {
	a.t.Helper()
	if query == nil {
		query = url.Values{}
	}
	query.Set("do", do)
	req, err := http.NewRequest(http.MethodPost, a.url(script, query), strings.NewReader(form.Encode()))
	require.NoError(a.t, err)
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	return a.send(req)
}

type testFile struct{ field, name, content string }

// multipart sends a multipart POST with fields and files.
func (a *api) multipart(script, do string, query url.Values, fields url.Values, files ...testFile) resp {
	a.t.Helper()
	var buf bytes.Buffer
	mw := multipart.NewWriter(&buf)
	for k, vs := range fields {
		for _, v := range vs {
			require.NoError(a.t, mw.WriteField(k, v))
		}
	}
	for _, f := range files {
		w, err := mw.CreateFormFile(f.field, f.name)
		require.NoError(a.t, err)
		_, _ = w.Write([]byte(f.content))
	}
	require.NoError(a.t, mw.Close())
	if query == nil {
		query = url.Values{}
	}
	query.Set("do", do)
	req, err := http.NewRequest(http.MethodPost, a.url(script, query), &buf)
	require.NoError(a.t, err)
	req.Header.Set("Content-Type", mw.FormDataContentType())
	return a.send(req)
}

// node is a parsed XML element.
type node struct {
	XMLName  xml.Name
	Text     string `xml:",chardata"`
	Children []node `xml:",any"`
}

func (r resp) xml(t *testing.T) node {
	t.Helper()
	var n node
	require.NoError(t, xml.Unmarshal([]byte(r.body), &n), "body: %s", r.body)
	return n
}

// root is the name of the reply's root element.
func (r resp) root(t *testing.T) string { return r.xml(t).XMLName.Local }

// all returns the children named name.
func (n node) all(name string) []node {
	var out []node
	for _, c := range n.Children {
		if c.XMLName.Local == name {
			out = append(out, c)
		}
	}
	return out
}

// get returns the trimmed text of the first child named name ("" if none).
func (n node) get(name string) string {
	for _, c := range n.Children {
		if c.XMLName.Local == name {
			return strings.TrimSpace(c.Text)
		}
	}
	return ""
}

// child returns the first child named name.
func (n node) child(t *testing.T, name string) node {
	t.Helper()
	cs := n.all(name)
	require.NotEmpty(t, cs, "no <%s> in <%s>", name, n.XMLName.Local)
	return cs[0]
}

// result parses a <result> reply.
func (r resp) result(t *testing.T) (status, id, data string) {
	t.Helper()
	n := r.xml(t)
	require.Equal(t, "result", n.XMLName.Local, "body: %s", r.body)
	return n.get("status"), n.get("id"), n.get("data")
}

// ok asserts a success <result> and returns its <id>, or its <data>.
func (r resp) ok(t *testing.T) string {
	t.Helper()
	require.Equal(t, http.StatusOK, r.code, r.body)
	status, id, data := r.result(t)
	require.Equal(t, "success", status, "data: %s", data)
	if id != "" {
		return id
	}
	return data
}

// status asserts a non-success <result> and returns its status.
func (r resp) status(t *testing.T) string {
	t.Helper()
	status, _, _ := r.result(t)
	require.NotEqual(t, "success", status)
	return status
}

// lines splits a text export.
func (r resp) lines() []string {
	var out []string
	for _, l := range strings.Split(r.body, "\r\n") {
		if l != "" {
			out = append(out, l)
		}
	}
	return out
}

// listID finds a list's id by subject with maillist-list, as a client
// must after maillist-add, whose reply carries no id.
func (a *api) listID(t *testing.T, subject string) string {
	t.Helper()
	for _, it := range a.get("mloperate.php", "maillist-list").xml(t).all("item") {
		if it.get("subject") == subject {
			return it.get("id")
		}
	}
	t.Fatalf("no list %q", subject)
	return ""
}

// addedList asserts that a maillist-add reply is the document's (a
// success without <id>) and returns the new list's id, found by subject.
func (r resp) addedList(t *testing.T, a *api, subject string) string {
	t.Helper()
	r.ok(t)
	require.NotContains(t, r.body, "<id>", "maillist-add answers no id")
	return a.listID(t, subject)
}
