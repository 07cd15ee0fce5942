package bestedm_test

// The replies and requests production clients recorded, as collected in
// docs/wire-format.md, checked against the SDK and against the fake.
//
// Every fixture under testdata/recorded was written for this repository
// from the facts of a recording (element names, their order, which are
// empty, the kind of value each holds, CRLF line ends); the addresses,
// ids and names in them are made up. For each reply shape the test checks
// that the SDK decodes the fixture into the values it holds, and that the
// fake answers the same call with records of the same shape: the same
// elements, in the same order. For each request shape it sends the request
// to the fake as the production client sent it and checks that the fake
// takes it, and that the SDK sends the same parameters.

import (
	"bytes"
	"context"
	"encoding/json"
	"encoding/xml"
	"io"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var recChina = time.FixedZone("UTC+8", 8*60*60)

func recAt(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, recChina)
}

// recordedFixture reads testdata/recorded/name.
func recordedFixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", "recorded", name))
	require.NoError(t, err)
	return b
}

// serveFixture starts a server that answers every request with body and
// returns a client of it.
func serveFixture(t *testing.T, body []byte) *bestedm.Client {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write(body)
	}))
	t.Cleanup(srv.Close)
	c, err := bestedm.NewClient("demo", "secret", bestedm.WithBaseURL(srv.URL+"/mm-ms/apinew/"),
		bestedm.WithRetry(bestedm.RetryPolicy{}), bestedm.WithLocation(recChina))
	require.NoError(t, err)
	return c
}

// recordShapes returns, for each record (a child of root named child), the
// names of its child elements in order.
func recordShapes(t *testing.T, body []byte, child string) [][]string {
	t.Helper()
	d := xml.NewDecoder(strings.NewReader(string(body)))
	var out [][]string
	depth := 0
	var cur []string
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		require.NoError(t, err)
		switch e := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && e.Name.Local == child {
				cur = []string{}
			} else if depth == 3 && cur != nil {
				cur = append(cur, e.Name.Local)
			}
		case xml.EndElement:
			if depth == 2 && cur != nil {
				out = append(out, cur)
				cur = nil
			}
			depth--
		}
	}
	return out
}

// fakeGet sends a GET to the fake as a production client does (Basic auth,
// parameters in the query) and returns the body; it fails on a non-200.
func fakeGet(t *testing.T, s *bestedmtest.Server, script string, q url.Values) []byte {
	t.Helper()
	return fakeDo(t, s, http.MethodGet, script, q, "", nil)
}

func fakeDo(t *testing.T, s *bestedmtest.Server, method, script string, q url.Values, contentType string, body io.Reader) []byte {
	t.Helper()
	req, err := http.NewRequest(method, s.URL()+script+"?"+q.Encode(), body)
	require.NoError(t, err)
	if contentType != "" {
		req.Header.Set("Content-Type", contentType)
	}
	login := s.Customer()
	req.SetBasicAuth(login.Username, login.Password)
	resp, err := http.DefaultClient.Do(req)
	require.NoError(t, err)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	require.NoError(t, err)
	require.Equal(t, http.StatusOK, resp.StatusCode, "%s", b)
	return b
}

var recNow = time.Date(2024, 5, 20, 14, 30, 0, 0, recChina)

// recFake starts the fake on a fixed clock.
func recFake(t *testing.T) *bestedmtest.Server {
	return bestedmtest.NewServer(t, bestedmtest.WithSeed(1), bestedmtest.WithClock(bestedmtest.NewClock(recNow)))
}

// trackedTask returns a task of the fake that has finished sending with
// open and click tracking, and has clicks.
func trackedTask(t *testing.T, s *bestedmtest.Server) int64 {
	t.Helper()
	c := s.Client()
	for _, tk := range s.Tasks() {
		if tk.TrackStatus != int(bestedm.TrackOpensAndClicks) {
			continue
		}
		ov, err := c.Track.Overview(context.Background(), bestedm.TaskByID(tk.ID))
		if err == nil && ov.ClickTotal > 0 {
			return tk.ID
		}
	}
	t.Fatal("the fake has no tracked task with clicks")
	return 0
}

// recordedReplies are the reply shapes production clients recorded.
var recordedReplies = []struct {
	name    string
	anchor  string // its entry in docs/wire-format.md
	fixture string
	root    string // the record element, "" for a single-record reply
	// decode reads the fixture with the SDK and checks what it holds.
	decode func(t *testing.T, c *bestedm.Client)
	// fake returns the fake's reply to the same call.
	fake func(t *testing.T, s *bestedmtest.Server) []byte
}{
	{
		name: "open-detail", anchor: "open-detail-location", fixture: "track-open-detail.xml", root: "user",
		decode: func(t *testing.T, c *bestedm.Client) {
			var got []bestedm.OpenDetail
			for o, err := range c.Track.Opens(context.Background(), bestedm.TaskByID(362)) {
				require.NoError(t, err)
				got = append(got, o)
			}
			require.Len(t, got, 4)
			assert.Equal(t, bestedm.OpenDetail{
				EmailID: 14, Email: "wang.lei@example.cn", Browser: "Chrome Mobile WebView 92.0.4515", OS: "Android",
				Device: bestedm.DeviceMobile, AddrFirst: "亚洲|中国|北京北京", IPFirst: "203.0.113.93",
				OpenTotal: 1, OpenFirst: recAt(2023, 6, 13, 9, 50, 43),
			}, got[0])
			assert.Equal(t, "亚洲", got[0].AddrFirst.Continent())
			assert.Equal(t, "中国", got[0].AddrFirst.Country())
			assert.Equal(t, "北京北京", got[0].AddrFirst.Region())
			assert.True(t, got[0].AddrLast.IsZero())
			// A link scanner: one open, ten clicks.
			assert.Equal(t, bestedm.DevicePC, got[1].Device)
			assert.Equal(t, int64(1), got[1].OpenTotal)
			assert.Equal(t, int64(10), got[1].ClickTotal)
			assert.Equal(t, "美国", got[1].AddrFirst.Country())
			assert.Empty(t, got[1].AddrFirst.Region())
			// Two opens from one place, one click whose click_last stays unset.
			assert.Equal(t, got[2].AddrFirst, got[2].AddrLast)
			assert.Equal(t, "江苏苏州常熟", got[2].AddrLast.Region())
			assert.Equal(t, int64(1), got[2].ClickTotal)
			assert.Equal(t, recAt(2023, 6, 13, 10, 39, 42), got[2].ClickFirst)
			assert.True(t, got[2].ClickLast.IsZero())
			assert.Equal(t, "Other", got[3].Browser)
		},
		fake: func(t *testing.T, s *bestedmtest.Server) []byte {
			return fakeGet(t, s, "track.php", url.Values{"do": {"open-detail"}, "id": {strconv.FormatInt(trackedTask(t, s), 10)}})
		},
	},
	{
		name: "overview by send_id", anchor: "overview-send-id", fixture: "track-overview-send-id.xml",
		decode: func(t *testing.T, c *bestedm.Client) {
			ov, err := c.Track.Overview(context.Background(), bestedm.TaskByID(1021544))
			require.NoError(t, err)
			assert.Equal(t, int64(1021544), ov.TaskID, "the task's id from <send_id>")
			assert.Equal(t, int64(5121), ov.TrackID)
			assert.Equal(t, "20230613-362-0A1B2C", ov.TaskSN)
			assert.Equal(t, int64(197), ov.ClickTotal)
			require.Len(t, ov.Links, 1)
		},
	},
	{
		name: "ml-addr-list", anchor: "ml-addr-list-empty-elements", fixture: "maillist-ml-addr-list.xml", root: "addr",
		decode: func(t *testing.T, c *bestedm.Client) {
			page, err := c.Maillist.ListAddressesPage(context.Background(), &bestedm.AddressListOptions{ListID: bestedm.Ptr[int64](3299551)})
			require.NoError(t, err)
			assert.Equal(t, int64(5700), page.Total)
			require.Len(t, page.Items, 1)
			assert.Equal(t, bestedm.Address{
				ID: 153189, ListID: 3299551, Email: "zhou.yu@example.cn", Name: "周宇",
				Birthday: time.Date(2014, 12, 20, 0, 0, 0, 0, recChina), Area: "地区",
				Time: recAt(2024, 3, 11, 13, 43, 15), Var2: "创始人", Var4: "示例公司", Var5: "crm-10001",
			}, page.Items[0], "an empty element is unset")
		},
		fake: func(t *testing.T, s *bestedmtest.Server) []byte {
			return fakeGet(t, s, "mloperate.php", url.Values{"do": {"ml-addr-list"}, "list_id": {strconv.FormatInt(s.Lists()[0].ID, 10)}})
		},
	},
}

func TestRecordedReplies(t *testing.T) {
	for _, tt := range recordedReplies {
		t.Run(tt.name, func(t *testing.T) {
			body := recordedFixture(t, tt.fixture)
			t.Run("sdk", func(t *testing.T) { tt.decode(t, serveFixture(t, body)) })
			if tt.fake == nil {
				return
			}
			t.Run("fake", func(t *testing.T) {
				want := recordShapes(t, body, tt.root)
				require.NotEmpty(t, want)
				got := recordShapes(t, tt.fake(t, recFake(t)), tt.root)
				require.NotEmpty(t, got, "the fake sent no records")
				for i, g := range got {
					assert.Equal(t, want[0], g, "record %d has the recorded elements, in the recorded order (docs/wire-format.md#%s)", i, tt.anchor)
				}
			})
		})
	}
}

// lastRequest returns the fake's most recent request to script.
func lastRequest(t *testing.T, s *bestedmtest.Server, script string) bestedmtest.RecordedRequest {
	t.Helper()
	reqs := s.Requests()
	for i := len(reqs) - 1; i >= 0; i-- {
		if reqs[i].Script == script {
			return reqs[i]
		}
	}
	t.Fatalf("no request to %s", script)
	return bestedmtest.RecordedRequest{}
}

// paramNames returns the sorted names of q, less do= and credentials.
func paramNames(q url.Values) []string {
	var out []string
	for k := range q {
		if k != "do" && k != "username" && k != "password" {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// multipartBody builds a multipart body with the fields and the files, each
// file under its own part name.
func multipartBody(t *testing.T, files [][2]string) (string, io.Reader) {
	t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for _, f := range files {
		part, err := w.CreateFormFile(f[0], f[1])
		require.NoError(t, err)
		_, err = part.Write([]byte("content of " + f[1]))
		require.NoError(t, err)
	}
	require.NoError(t, w.Close())
	return w.FormDataContentType(), &buf
}

// recordedRequests are the requests production clients are known to send.
// Each is sent to the fake as the client sent it (the fake must take it as
// production did), then the SDK's call for the same thing is made against
// the fake, and the parameters it sent are compared with the client's.
var recordedRequests = []struct {
	name   string
	anchor string
	// raw sends the production client's request and checks the reply.
	raw func(t *testing.T, s *bestedmtest.Server)
	// sdk makes the SDK's call and returns the parameter names production
	// sent; nil when the SDK deliberately differs (the anchor says why).
	sdk func(t *testing.T, s *bestedmtest.Server, c *bestedm.Client) []string
}{
	{
		name: "add-task for now (PHP module)", anchor: "add-task-send-now",
		raw: func(t *testing.T, s *bestedmtest.Server) {
			mb, list, tpl := s.Mailboxes()[0].Address, s.Lists()[0].ID, s.Templates()[0].ID
			domain := mb[strings.IndexByte(mb, '@')+1:]
			body := fakeGet(t, s, "task.php", url.Values{"do": {"add-task"}, "tpl_id": {strconv.FormatInt(tpl, 10)},
				"send_domain": {domain}, "send_account": {mb}, "send_fullname": {"示例社区"},
				"maillist_id": {strconv.FormatInt(list, 10)}, "send_qty": {"1"}, "send_qty_start": {"1"}, "status": {"2"}})
			var res struct {
				Status string `xml:"status"`
				ID     int64  `xml:"id"`
			}
			require.NoError(t, xml.Unmarshal(body, &res), "%s", body)
			assert.Equal(t, "success", res.Status, "%s", body)
			assert.Positive(t, res.ID)
		},
		sdk: func(t *testing.T, s *bestedmtest.Server, c *bestedm.Client) []string {
			mb := s.Mailboxes()[0].Address
			_, err := c.Task.Create(context.Background(), &bestedm.TaskParams{
				TemplateIDs: []int64{s.Templates()[0].ID}, SendDomain: mb[strings.IndexByte(mb, '@')+1:], SendAccount: mb,
				SendFullname: "示例社区", MaillistID: s.Lists()[0].ID, SendQty: 1, SendQtyStart: 1, Status: bestedm.TaskSendNow,
			})
			require.NoError(t, err)
			return []string{"maillist_id", "send_account", "send_domain", "send_fullname", "send_qty", "send_qty_start", "status", "tpl_id"}
		},
	},
	{
		name: "ml-addr-empty (PHP module)", anchor: "get-writes",
		raw: func(t *testing.T, s *bestedmtest.Server) {
			body := fakeGet(t, s, "mloperate.php", url.Values{"do": {"ml-addr-empty"}, "list_id": {strconv.FormatInt(s.Lists()[0].ID, 10)}})
			assert.Contains(t, string(body), "<status>success</status>")
			assert.Empty(t, s.Addresses(s.Lists()[0].ID))
		},
		sdk: func(t *testing.T, s *bestedmtest.Server, c *bestedm.Client) []string {
			_, err := c.Maillist.Empty(context.Background(), s.Lists()[1].ID)
			require.NoError(t, err)
			return []string{"list_id"}
		},
	},
	{
		name: "tpl-attachment-add, two files under file (C# project)", anchor: "attachment-field",
		raw: func(t *testing.T, s *bestedmtest.Server) {
			tpl := s.Templates()[0]
			ctype, body := multipartBody(t, [][2]string{{"file", "a.pdf"}, {"file", "b.xlsx"}})
			reply := fakeDo(t, s, http.MethodPost, "template.php",
				url.Values{"do": {"tpl-attachment-add"}, "tpl_id": {strconv.FormatInt(tpl.ID, 10)}}, ctype, body)
			assert.Contains(t, string(reply), "<status>success</status>")
		},
		sdk: func(t *testing.T, s *bestedmtest.Server, c *bestedm.Client) []string {
			tpl := s.Templates()[1].ID
			s.ClearRequests()
			_, err := c.Template.AddAttachments(context.Background(), tpl,
				bestedm.File{Name: "a.pdf", Content: strings.NewReader("a")}, bestedm.File{Name: "b.xlsx", Content: strings.NewReader("b")})
			require.NoError(t, err)
			for _, r := range s.Requests() {
				for _, f := range r.Files {
					assert.Equal(t, "file", f.Field, "the part name production sends")
				}
			}
			return []string{"tpl_id"}
		},
	},
	{
		name: "failexport as XML over days (Python module)", anchor: "failexport-formats",
		raw: func(t *testing.T, s *bestedmtest.Server) {
			body := fakeGet(t, s, "failexport.php", url.Values{"date": {"2024-05-15"}, "date_end": {"2024-05-15"}, "type": {"all"}, "out_type": {"xml"}})
			shapes := recordShapes(t, body, "recipient")
			require.NotEmpty(t, shapes)
			assert.Equal(t, []string{"email", "error_type", "error_type_dec"}, shapes[0], "the elements the client reads")
		},
		sdk: func(t *testing.T, s *bestedmtest.Server, c *bestedm.Client) []string {
			day := time.Date(2024, 5, 15, 0, 0, 0, 0, recChina)
			exp, err := c.Statistic.ExportFailed(context.Background(), &bestedm.FailureExportOptions{Date: day, DateEnd: day, Type: bestedm.FailureAll})
			require.NoError(t, err)
			n := 0
			for row, err := range exp.Rows() {
				require.NoError(t, err)
				assert.NotZero(t, row.Kind, "XML rows carry the kind")
				n++
			}
			assert.Positive(t, n)
			return []string{"date", "date_end", "out_type", "type"}
		},
	},
	{
		name: "failexport as JSON (TypeScript client)", anchor: "failexport-json-shapes",
		raw: func(t *testing.T, s *bestedmtest.Server) {
			body := fakeGet(t, s, "failexport.php", url.Values{"out_type": {"json"}, "date": {"2024-05-15"}, "type": {"all"}})
			var rows []string
			require.NoError(t, json.Unmarshal(body, &rows), "%s", body)
			assert.NotEmpty(t, rows, "plain addresses, as the client types them")
		},
		sdk: func(t *testing.T, s *bestedmtest.Server, c *bestedm.Client) []string {
			exp, err := c.Statistic.ExportFailed(context.Background(), &bestedm.FailureExportOptions{
				Date: time.Date(2024, 5, 15, 0, 0, 0, 0, recChina), Type: bestedm.FailureAll, Format: bestedm.FormatJSON})
			require.NoError(t, err)
			for row, err := range exp.Rows() {
				require.NoError(t, err)
				assert.NotEmpty(t, row.Email)
			}
			return []string{"date", "out_type", "type"}
		},
	},
	{
		name: "failexportall as JSON (TypeScript client)", anchor: "failexport-json-shapes",
		raw: func(t *testing.T, s *bestedmtest.Server) {
			body := fakeGet(t, s, "failexportall.php", url.Values{"out_type": {"json"}, "date": {"2024-05-15"}, "type": {"all"}})
			var objs []map[string]any
			require.NoError(t, json.Unmarshal(body, &objs), "%s", body)
			require.NotEmpty(t, objs)
			raw := objs[0]
			assert.Len(t, raw, 3)
			for _, k := range []string{"email", "type", "task_id"} {
				assert.IsType(t, "", raw[k], "%s is a string, as the client types it", k)
			}
		},
		sdk: func(t *testing.T, s *bestedmtest.Server, c *bestedm.Client) []string {
			exp, err := c.Statistic.ExportAllFailures(context.Background(), &bestedm.FailureExportOptions{Date: time.Date(2024, 5, 15, 0, 0, 0, 0, recChina)})
			require.NoError(t, err)
			for row, err := range exp.Rows() {
				require.NoError(t, err)
				assert.NotZero(t, row.Kind)
				assert.Positive(t, row.TaskID)
			}
			return []string{"date", "out_type", "type"}
		},
	},
}

func TestRecordedRequests(t *testing.T) {
	for _, tt := range recordedRequests {
		t.Run(tt.name, func(t *testing.T) {
			s := recFake(t)
			t.Run("fake takes it", func(t *testing.T) { tt.raw(t, s) })
			if tt.sdk == nil {
				return
			}
			t.Run("sdk sends it", func(t *testing.T) {
				s := recFake(t)
				c := s.Client(bestedm.WithLocation(recChina))
				want := tt.sdk(t, s, c)
				req := lastRequest(t, s, lastScriptOf(t, s))
				assert.Equal(t, want, paramNames(req.Query), "docs/wire-format.md#%s", tt.anchor)
			})
		})
	}
}

// lastScriptOf is the script of the fake's most recent request.
func lastScriptOf(t *testing.T, s *bestedmtest.Server) string {
	t.Helper()
	reqs := s.Requests()
	require.NotEmpty(t, reqs)
	return reqs[len(reqs)-1].Script
}
