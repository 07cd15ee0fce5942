package bestedm

import (
	"bytes"
	"context"
	"encoding/xml"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// rawSetup is setup with the retry policy users get by default, on a clock
// that does not sleep.
func rawSetup(t *testing.T, opts ...Option) (*Client, *http.ServeMux, *fakeClock) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	c, err := NewClient(testUser, testPassword, append([]Option{WithBaseURL(srv.URL + apiPath)}, opts...)...)
	require.NoError(t, err)
	clk := &fakeClock{}
	c.clock = clk
	return c, mux, clk
}

// myTask is a caller's own struct for a reply the typed API decodes too,
// with the element the document does not list (listes).
type myTask struct {
	ID       int64     `xml:"id"`
	Sender   string    `xml:"sender_name"`
	Qty      int       `xml:"send_qty"`
	SendTime time.Time `xml:"send_time"`
	Lists    []myList  `xml:"listes>item"`
}

type myList struct {
	ID   int64  `xml:"list_id"`
	Name string `xml:"list_name"`
}

type myTaskList struct {
	XMLName xml.Name `xml:"task_list"`
	Tasks   []myTask `xml:"task"`
}

const rawTaskList = `<?xml version="1.0" encoding="UTF-8"?>
<task_list>
  <task>
    <id> 7 </id>
    <sender_name><![CDATA[Shop]]></sender_name>
    <send_qty></send_qty>
    <send_time>2024-05-20 09:30:00</send_time>
    <listes><item><list_id>16</list_id><list_name>A</list_name></item><item><list_id>17</list_id><list_name>B</list_name></item></listes>
    <unknown>x</unknown>
  </task>
  <task>
    <id>8</id>
    <sender_name>News</sender_name>
    <send_qty>40</send_qty>
    <send_time>0000-00-00 00:00:00</send_time>
  </task>
</task_list>
`

func TestDoSendsTheRequestAndBindsTheCallersStruct(t *testing.T) {
	t.Parallel()
	c, mux, _ := rawSetup(t)
	var hits atomic.Int32
	handle(t, mux, "task.php", []byte(rawTaskList), func(r *http.Request) {
		hits.Add(1)
		assert.Equal(t, apiPath+"task.php", r.URL.Path)
		testRequest(t, r, http.MethodGet, url.Values{"do": {"list-task"}, "id": {"7"}, "state": {"2"}, "tag": {"a", "b"}})
	})
	params := url.Values{"id": {"7"}, "state": {"2"}, "tag": {"a", "b"}}
	var got myTaskList
	err := c.Do(context.Background(), &Request{Script: "task.php", Action: "list-task", Params: params}, &got)
	require.NoError(t, err)
	assert.Equal(t, int32(1), hits.Load())
	assert.Equal(t, "task_list", got.XMLName.Local)
	require.Len(t, got.Tasks, 2)
	assert.Equal(t, myTask{ID: 7, Sender: "Shop", Qty: 0, SendTime: time.Date(2024, 5, 20, 9, 30, 0, 0, china), Lists: []myList{{16, "A"}, {17, "B"}}}, got.Tasks[0])
	assert.Equal(t, int64(8), got.Tasks[1].ID)
	assert.Equal(t, 40, got.Tasks[1].Qty)
	assert.True(t, got.Tasks[1].SendTime.IsZero(), "0000-00-00 00:00:00 is no time")
	assert.Equal(t, url.Values{"id": {"7"}, "state": {"2"}, "tag": {"a", "b"}}, params, "the caller's values are not modified")
}

func TestDoQueryAuthAndFormPost(t *testing.T) {
	t.Parallel()
	c, mux, _ := rawSetup(t, WithAuthMode(AuthQuery))
	handle(t, mux, "mloperate.php", []byte(`<result><status>success</status><data>添加成功</data><id>42</id></result>`), func(r *http.Request) {
		assert.Equal(t, http.MethodPost, r.Method)
		_, _, basic := r.BasicAuth()
		assert.False(t, basic, "no Basic auth in query mode")
		assert.Equal(t, url.Values{"username": {testUser}, "password": {HashPassword(testPassword)}, "do": {"maillist-add"}, "x": {"1"}}, r.URL.Query())
		assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
		body, _ := io.ReadAll(r.Body)
		form, _ := url.ParseQuery(string(body))
		assert.Equal(t, url.Values{"subject": {"新闻 & more"}, "status": {"enabled"}}, form)
	})
	var res Result
	err := c.Do(context.Background(), &Request{
		Script: "mloperate.php", Action: "maillist-add", Write: true,
		Params: url.Values{"x": {"1"}},
		Form:   url.Values{"subject": {"新闻 & more"}, "status": {"enabled"}},
	}, &res)
	require.NoError(t, err)
	assert.Equal(t, Result{Message: "添加成功", ID: 42}, res)
}

func TestDoDecodesGBK(t *testing.T) {
	t.Parallel()
	c, mux, _ := rawSetup(t)
	gbk := append([]byte(`<?xml version="1.0" encoding="GBK"?><customer><company>`), 0xd6, 0xd0, 0xce, 0xc4) // 中文
	gbk = append(gbk, []byte(`</company></customer>`)...)
	mux.HandleFunc(apiPath+"account.php", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=gbk")
		_, _ = w.Write(gbk)
	})
	var got struct {
		Company string `xml:"company"`
	}
	require.NoError(t, c.Do(context.Background(), &Request{Script: "account.php", Action: "customer-info"}, &got))
	assert.Equal(t, "中文", got.Company)
}

func TestDoErrorResultIsAPIError(t *testing.T) {
	t.Parallel()
	body := []byte(`<?xml version="1.0" encoding="UTF-8"?>` + "\r\n<result>\r\n  <status> param_error </status>\r\n  <data>missing date</data>\r\n</result>\r\n")
	for _, tc := range []struct {
		name string
		v    func() any
	}{
		{"struct with XMLName", func() any { return new(myTaskList) }},
		{"struct without XMLName", func() any {
			return new(struct {
				ID int64 `xml:"id"`
			})
		}},
		{"*Result", func() any { return new(Result) }},
		{"nil", func() any { return nil }},
		{"io.Writer", func() any { return new(bytes.Buffer) }},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux, _ := rawSetup(t)
			var hits atomic.Int32
			handle(t, mux, "stask.php", body, func(*http.Request) { hits.Add(1) })
			v := tc.v()
			err := c.Do(context.Background(), &Request{Script: "stask.php"}, v)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.Equal(t, StatusParamError, apiErr.Status)
			assert.Equal(t, "missing date", apiErr.Message)
			assert.True(t, errors.Is(err, ErrAPI))
			assert.Equal(t, int32(1), hits.Load(), "an API error is an answer: not retried")
			if b, ok := v.(*bytes.Buffer); ok {
				assert.Zero(t, b.Len(), "nothing written for an error reply")
			}
		})
	}
}

func TestDoSuccessResultIntoCallersStruct(t *testing.T) {
	t.Parallel()
	c, mux, _ := rawSetup(t)
	handle(t, mux, "task.php", []byte(`<result><status>success</status><data>ok</data><id>9</id><extra>e</extra></result>`), nil)
	var got struct {
		Status string `xml:"status"`
		ID     int64  `xml:"id"`
		Extra  string `xml:"extra"`
	}
	require.NoError(t, c.Do(context.Background(), &Request{Script: "task.php", Action: "add-task", Write: true}, &got))
	assert.Equal(t, "success", got.Status)
	assert.Equal(t, int64(9), got.ID)
	assert.Equal(t, "e", got.Extra)
}

func TestDoWrongRootIsDecodeError(t *testing.T) {
	t.Parallel()
	c, mux, _ := rawSetup(t)
	handle(t, mux, "task.php", []byte(`<maillist><item/></maillist>`), nil)
	err := c.Do(context.Background(), &Request{Script: "task.php", Action: "task-list"}, new(myTaskList))
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.Contains(t, de.Error(), "<maillist>")
	assert.True(t, errors.Is(err, ErrUnexpectedReply))
}

func TestDoCopiesTheBodyAsSent(t *testing.T) {
	t.Parallel()
	c, mux, _ := rawSetup(t)
	body := `[{"email":"a@example.com","type":"2","task_id":"7"}]`
	mux.HandleFunc(apiPath+"failexportall.php", func(w http.ResponseWriter, r *http.Request) {
		testRequest(t, r, http.MethodGet, url.Values{"out_type": {"json"}, "date": {"2024-05-20"}})
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, body)
	})
	var buf bytes.Buffer
	err := c.Do(context.Background(), &Request{Script: "failexportall.php", Params: url.Values{"out_type": {"json"}, "date": {"2024-05-20"}}}, &buf)
	require.NoError(t, err)
	assert.Equal(t, body, buf.String())
}

func TestRecordsStreams(t *testing.T) {
	t.Parallel()
	c, mux, _ := rawSetup(t)
	handle(t, mux, "task.php", []byte(rawTaskList), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, url.Values{"do": {"task-list"}})
	})
	var ids []int64
	for task, err := range Records[myTask](context.Background(), c, &Request{Script: "task.php", Action: "task-list"}, "task_list", "task") {
		require.NoError(t, err)
		ids = append(ids, task.ID)
	}
	assert.Equal(t, []int64{7, 8}, ids)
}

func TestRecordsStopsEarlyAndReportsAPIError(t *testing.T) {
	t.Parallel()
	c, mux, _ := rawSetup(t)
	handle(t, mux, "task.php", []byte(rawTaskList), nil)
	handle(t, mux, "stask.php", []byte(`<result><status>not_found</status><data>no task</data></result>`), nil)
	n := 0
	for _, err := range Records[myTask](context.Background(), c, &Request{Script: "task.php", Action: "task-list"}, "task_list", "task") {
		require.NoError(t, err)
		n++
		break
	}
	assert.Equal(t, 1, n)

	var errs []error
	for _, err := range Records[myTask](context.Background(), c, &Request{Script: "stask.php", Params: url.Values{"id": {"1"}}}, "data", "task") {
		errs = append(errs, err)
	}
	require.Len(t, errs, 1)
	var apiErr *APIError
	require.ErrorAs(t, errs[0], &apiErr)
	assert.Equal(t, StatusNotFound, apiErr.Status)
}

// A request marked Idempotent is retried under the default policy; the
// zero value is a write, and a write that reached the server is not sent
// again, whatever it answered.
func TestDoRetriesReadsNotWrites(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name       string
		idempotent bool
		form       url.Values
		wantHits   int32
		wantSleep  int
	}{
		{"idempotent GET", true, nil, 3, 2},
		{"idempotent POST", true, url.Values{"list_id": {"1"}}, 3, 2},
		{"zero value GET", false, nil, 1, 0},
		{"zero value POST", false, url.Values{"subject": {"s"}}, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux, clk := rawSetup(t)
			var hits atomic.Int32
			mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
				hits.Add(1)
				w.WriteHeader(http.StatusServiceUnavailable)
			})
			err := c.Do(context.Background(), &Request{Script: "mloperate.php", Action: "x", Idempotent: tc.idempotent, Form: tc.form}, nil)
			var he *HTTPError
			require.ErrorAs(t, err, &he)
			assert.Equal(t, http.StatusServiceUnavailable, he.StatusCode)
			assert.Equal(t, int(tc.wantHits), he.Attempts)
			assert.Equal(t, tc.wantHits, hits.Load(), "requests the server saw")
			assert.Len(t, clk.waits(), tc.wantSleep)
		})
	}
}

// A write the server may have received over a kept-alive connection that
// then dropped is not sent again by net/http either.
func TestDoWriteNotReplayedOnDroppedConnection(t *testing.T) {
	t.Parallel()
	c, mux, _ := rawSetup(t)
	var hits atomic.Int32
	mux.HandleFunc(apiPath+"task.php", func(w http.ResponseWriter, r *http.Request) {
		if hits.Add(1) == 1 {
			_, _ = io.WriteString(w, `<result><status>success</status><data>warm</data></result>`)
			return
		}
		hj, ok := w.(http.Hijacker)
		if !assert.True(t, ok) {
			return
		}
		conn, _, err := hj.Hijack()
		if assert.NoError(t, err) {
			conn.Close()
		}
	})
	ctx := context.Background()
	require.NoError(t, c.Do(ctx, &Request{Script: "task.php", Action: "list-task"}, nil))
	err := c.Do(ctx, &Request{Script: "task.php", Action: "add-task", Write: true}, nil)
	var re *RequestError
	require.ErrorAs(t, err, &re)
	assert.Equal(t, int32(2), hits.Load(), "the write reached the server once")
}

func TestDoValidatesBeforeSending(t *testing.T) {
	t.Parallel()
	c, mux, _ := rawSetup(t)
	var hits atomic.Int32
	mux.HandleFunc("/", func(http.ResponseWriter, *http.Request) { hits.Add(1) })
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		req   *Request
		v     any
		field string
	}{
		{"nil request", nil, nil, "req"},
		{"empty script", &Request{}, nil, "Request.Script"},
		{"blank script", &Request{Script: "  "}, nil, "Request.Script"},
		{"slash", &Request{Script: "../admin.php"}, nil, "Request.Script"},
		{"dir", &Request{Script: "sub/task.php"}, nil, "Request.Script"},
		{"dots", &Request{Script: "..task.php"}, nil, "Request.Script"},
		{"query", &Request{Script: "task.php?do=x"}, nil, "Request.Script"},
		{"fragment", &Request{Script: "task.php#x"}, nil, "Request.Script"},
		{"escape", &Request{Script: "task%2ephp"}, nil, "Request.Script"},
		{"backslash", &Request{Script: `a\b.php`}, nil, "Request.Script"},
		{"space", &Request{Script: "task .php"}, nil, "Request.Script"},
		{"control in action", &Request{Script: "task.php", Action: "a\nb"}, nil, "Request.Action"},
		{"do in params", &Request{Script: "task.php", Params: url.Values{"do": {"x"}}}, nil, "do"},
		{"password in params", &Request{Script: "task.php", Params: url.Values{"password": {"x"}}}, nil, "password"},
		{"username in form", &Request{Script: "task.php", Form: url.Values{"username": {"x"}}}, nil, "username"},
		{"non-pointer v", &Request{Script: "task.php"}, myTaskList{}, "v"},
		{"pointer to non-struct v", &Request{Script: "task.php"}, new(int), "v"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := c.Do(ctx, tc.req, tc.v)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			assertValidationName(t, ve, tc.field)
			assert.True(t, errors.Is(err, ErrValidation))
		})
	}
	err := c.Do(nil, //lint:ignore SA1012 a nil context is what is under test
		&Request{Script: "task.php"}, nil)
	assert.ErrorIs(t, err, ErrValidation)
	for _, seq := range []func(func(myTask, error) bool){
		Records[myTask](ctx, c, &Request{Script: "a/b"}, "r", "c"),
		Records[myTask](ctx, c, &Request{Script: "task.php"}, "", "c"),
	} {
		n := 0
		for _, err := range seq {
			assert.ErrorIs(t, err, ErrValidation)
			n++
		}
		assert.Equal(t, 1, n)
	}
	n := 0
	for _, err := range Records[string](ctx, c, &Request{Script: "task.php"}, "r", "c") {
		assert.ErrorIs(t, err, ErrValidation)
		n++
	}
	assert.Equal(t, 1, n)
	assert.Zero(t, hits.Load(), "nothing was sent")
}

func TestDoRedactsSecrets(t *testing.T) {
	t.Parallel()
	c, mux, _ := rawSetup(t, WithAuthMode(AuthQuery))
	handle(t, mux, "bs.php", []byte(`<result><status>param_error</status><data>bad password hunter22 for `+testUser+`</data></result>`), nil)
	err := c.Do(context.Background(), &Request{
		Script: "bs.php", Action: "mailbox-add", Write: true,
		Form: url.Values{"mailbox_password": {"hunter22"}}, Secrets: []string{"hunter22"},
	}, nil)
	require.Error(t, err)
	msg := err.Error()
	assert.NotContains(t, msg, "hunter22")
	assert.NotContains(t, msg, HashPassword(testPassword))
	assert.Contains(t, msg, "REDACTED")
}

func TestDoHonoursReplyCap(t *testing.T) {
	t.Parallel()
	c, mux, _ := rawSetup(t, WithMaxReplySize(1<<10))
	mux.HandleFunc(apiPath+"task.php", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "<task_list>"+strings.Repeat("<task><id>1</id></task>", 1000)+"</task_list>")
	})
	err := c.Do(context.Background(), &Request{Script: "task.php", Action: "task-list"}, new(myTaskList))
	assert.ErrorIs(t, err, ErrReplyTooLarge)
}
