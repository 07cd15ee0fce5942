package bestedm

import (
	"errors"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statDay is the calendar day 2012-03-02 written in UTC at 23:00, already
// March 3rd in China: requests send the day as written, "2012-03-02".
var statDay = time.Date(2012, 3, 2, 23, 0, 0, 0, time.UTC)

func TestStatisticOverview(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "statistic.php", fixture(t, "statistic-overview.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("date", "2012-03-02"))
	})
	got, err := c.Statistic.Overview(bg, statDay)
	require.NoError(t, err)
	assert.Equal(t, &DailyStatistic{
		Date:   time.Date(2012, 3, 2, 0, 0, 0, 0, china),
		WebQty: 12000, WebError: 0, WebCount: 12000,
		InvalidAddr: 120, FormatError: 8,
		SendCount: 11872, ReservedPoints: 11872,
		ActualSend: 11837, SendError: 163, DeductedPoints: 11837.5,
	}, got)
}

// The document's text form: one address a line, asked for with
// FormatText, which sends no out_type.
func TestStatisticExportFailuresText(t *testing.T) {
	t.Parallel()
	body := fixture(t, "statistic-failexport.txt")
	tests := []struct {
		name string
		opts FailureExportOptions
		want []string // query key/values
	}{
		{"by task id", FailureExportOptions{Date: statDay, Type: FailureNotExist, TaskID: 362},
			[]string{"date", "2012-03-02", "type", "1", "task_id", "362"}},
		{"by task ident", FailureExportOptions{Date: statDay, Type: FailureUserReject, TaskIdent: "20120302-362-F9B1E5"},
			[]string{"date", "2012-03-02", "type", "3", "task_ident", "20120302-362-F9B1E5"}},
		{"all types, no task", FailureExportOptions{Date: statDay, Type: FailureAll},
			[]string{"date", "2012-03-02", "type", "all"}},
		{"format errors, no task", FailureExportOptions{Date: statDay, Type: FailureFormatError},
			[]string{"date", "2012-03-02", "type", "9"}},
		{"undocumented type", FailureExportOptions{Date: statDay, Type: FailureType(5)},
			[]string{"date", "2012-03-02", "type", "5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			handleText(t, mux, "failexport.php", body, func(r *http.Request) {
				testRequest(t, r, http.MethodGet, q(tt.want...))
			})
			opts := tt.opts
			opts.Format = FormatText
			exp, err := c.Statistic.ExportFailed(bg, &opts)
			require.NoError(t, err)
			var rows []string
			for row, err := range exp.Rows() {
				require.NoError(t, err)
				rows = append(rows, row.Email)
			}
			assert.Equal(t, []string{"nobody@example.com", "full.box@example.cn", "rejects@example.net"}, rows)
			assert.Equal(t, "text/plain; charset=utf-8", exp.ContentType())
			assert.Equal(t, tt.opts.Date, opts.Date, "the caller's options are not modified")
			assert.Equal(t, time.UTC, opts.Date.Location())
		})
	}
}

func TestStatisticExportFailuresTextRaw(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	body := fixture(t, "statistic-failexport.txt")
	handleText(t, mux, "failexport.php", body, nil)
	exp, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, Type: FailureInvalidAddress, Format: FormatText})
	require.NoError(t, err)
	defer exp.Close()
	got, err := io.ReadAll(exp)
	require.NoError(t, err)
	assert.Equal(t, body, got, "Read gives the bytes exactly as sent, CRLF included")
}

func TestStatisticExportFailuresTextXMLError(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handleText(t, mux, "failexport.php", result("date_error", "日期格式错误"), nil)
	exp, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, Type: FailureFormatError})
	assert.Nil(t, exp)
	wantAPIError(t, err, "date_error")
}

func TestStatisticExportFailuresTextValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		opts  *FailureExportOptions
		field string
	}{
		{"nil options", nil, "date"},
		{"no date", &FailureExportOptions{Type: FailureFormatError}, "date"},
		{"no type", &FailureExportOptions{Date: statDay}, "type"},
		{"negative type", &FailureExportOptions{Date: statDay, Type: -2}, "type"},
		{"negative task id", &FailureExportOptions{Date: statDay, Type: FailureFormatError, TaskID: -1}, "task_id"},
		{"not exist without task", &FailureExportOptions{Date: statDay, Type: FailureNotExist}, "task_id"},
		{"over quota without task", &FailureExportOptions{Date: statDay, Type: FailureOverQuota}, "task_id"},
		{"user reject with blank ident", &FailureExportOptions{Date: statDay, Type: FailureUserReject, TaskIdent: "  "}, "task_id"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			failHandler(t, mux)
			exp, err := c.Statistic.ExportFailed(bg, tt.opts)
			assert.Nil(t, exp)
			wantValidation(t, err, tt.field)
		})
	}
}

func TestStatisticBatches(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "stask.php", fixture(t, "statistic-batches.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("date", "2012-03-02", "ident", "20120302-362-F9B1E5"))
	})
	got, err := c.Statistic.Batches(bg, &BatchListOptions{Date: statDay, Ident: "20120302-362-F9B1E5"})
	require.NoError(t, err)
	assert.Equal(t, []BatchStat{
		{
			TaskID: 362, TaskDate: time.Date(2012, 3, 2, 0, 0, 0, 0, china), TaskIdent: "20120302-362-F9B1E5",
			Total: 5000, Failed: 112, Success: 4888, DeductedPoints: 4888,
			EmailNotExist: 70, OverQuota: 25, UserReject: 17, RefundedPoints: 112, Points: 4888,
		},
		{
			TaskID: 363, TaskIdent: "20120302-363-0A7C21",
			Total: 1200, Failed: 3, Success: 1197, DeductedPoints: 1198.5,
			EmailNotExist: 1, SendFailed: 1, SpamContent: 1, ConnectError: 1, RefundedPoints: 1.5, Points: 1200,
		},
	}, got)
}

func TestStatisticBatchesOneParam(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts BatchListOptions
		want []string
	}{
		{"date only", BatchListOptions{Date: statDay}, []string{"date", "2012-03-02"}},
		{"ident only", BatchListOptions{Ident: "20120302-362-F9B1E5"}, []string{"ident", "20120302-362-F9B1E5"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "stask.php", []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<data>\r\n</data>\r\n"), func(r *http.Request) {
				testRequest(t, r, http.MethodGet, q(tt.want...))
			})
			got, err := c.Statistic.Batches(bg, &tt.opts)
			require.NoError(t, err)
			assert.Equal(t, []BatchStat{}, got, "an empty root is an empty, non-nil slice")
		})
	}
}

func TestStatisticDeductions(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "deduction.php", fixture(t, "statistic-deductions.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("date", "2012-03-02"))
	})
	got, err := c.Statistic.Deductions(bg, statDay)
	require.NoError(t, err)
	assert.Equal(t, []Deduction{
		{Date: time.Date(2012, 3, 2, 0, 0, 0, 0, china), Company: "深圳市福洽科技有限公司", Kind: "群发扣点", SendNum: 11837, Total: 11837},
		{Company: "深圳市福洽科技有限公司", Kind: "失败返点", Total: -163.5},
	}, got)
}

func TestStatisticValidation(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name  string
		call  func(c *Client) error
		field string
	}{
		{"Overview zero date", func(c *Client) error { _, err := c.Statistic.Overview(bg, time.Time{}); return err }, "date"},
		{"Deductions zero date", func(c *Client) error { _, err := c.Statistic.Deductions(bg, time.Time{}); return err }, "date"},
		{"Batches nil options", func(c *Client) error { _, err := c.Statistic.Batches(bg, nil); return err }, "date"},
		{"Batches no date or ident", func(c *Client) error {
			_, err := c.Statistic.Batches(bg, &BatchListOptions{Ident: " "})
			return err
		}, "date"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			failHandler(t, mux)
			wantValidation(t, tt.call(c), tt.field)
		})
	}
}

func TestStatisticAPIError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, script string
		call         func(c *Client) error
	}{
		{"Overview", "statistic.php", func(c *Client) error { _, err := c.Statistic.Overview(bg, statDay); return err }},
		{"Batches", "stask.php", func(c *Client) error {
			_, err := c.Statistic.Batches(bg, &BatchListOptions{Date: statDay})
			return err
		}},
		{"Deductions", "deduction.php", func(c *Client) error { _, err := c.Statistic.Deductions(bg, statDay); return err }},
		{"ExportFailures", "failexport.php", func(c *Client) error {
			_, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, Type: FailureAll})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, tt.script, result("auth_error", "用户名或密码错误"), nil)
			wantAPIError(t, tt.call(c), "auth_error")
		})
	}
}

// statDayEnd is three days after statDay, the same way across midnight UTC.
var statDayEnd = statDay.AddDate(0, 0, 3)

// wantFailures are the rows of testdata/statistic-failexport.json and .xml.
var wantFailures = []FailedAddress{
	{Email: "nobody@example.com", Kind: FailureNotExist, Description: "邮箱不存在"},
	{Email: "full.box@example.cn", Kind: FailureOverQuota, Description: "邮箱空间满"},
	{Email: "slow.host@example.net", Kind: FailureTemporary, Description: "临时失败"},
	{Email: "rejects@example.net", Kind: FailureUserReject},
}

// serveAs answers script with body under contentType, after check.
func serveAs(t *testing.T, mux *http.ServeMux, script, contentType string, body []byte, check func(r *http.Request)) {
	t.Helper()
	mux.HandleFunc(apiPath+script, func(w http.ResponseWriter, r *http.Request) {
		if check != nil {
			check(r)
		}
		w.Header().Set("Content-Type", contentType)
		_, _ = w.Write(body)
	})
}

func allRows[T any](t *testing.T, e *Export[T], err error) []T {
	t.Helper()
	require.NoError(t, err)
	rows, err := collect(t, e.Rows())
	require.NoError(t, err)
	return rows
}

func TestStatisticExportFailures(t *testing.T) {
	t.Parallel()
	jsonBody := fixture(t, "statistic-failexport.json")
	xmlBody := fixture(t, "statistic-failexport.xml")
	textBody := fixture(t, "statistic-failexport.txt")
	textRows := func(kind FailureType) []FailedAddress {
		return []FailedAddress{{Email: "nobody@example.com", Kind: kind}, {Email: "full.box@example.cn", Kind: kind}, {Email: "rejects@example.net", Kind: kind}}
	}
	tests := []struct {
		name  string
		opts  FailureExportOptions
		query []string
		ctype string
		body  []byte
		want  []FailedAddress
	}{
		// XML by default: the form a production client reads every day, the
		// one known to carry each address's kind (docs/wire-format.md#failexport-json-shapes).
		{"XML by default", FailureExportOptions{Date: statDay, Type: FailureAll},
			[]string{"date", "2012-03-02", "type", "all", "out_type", "xml"}, "text/xml; charset=utf-8", xmlBody, wantFailures},
		{"a range of days", FailureExportOptions{Date: statDay, DateEnd: statDayEnd, Type: FailureAll},
			[]string{"date", "2012-03-02", "date_end", "2012-03-05", "type", "all", "out_type", "xml"}, "text/xml", xmlBody, wantFailures},
		{"JSON asked for", FailureExportOptions{Date: statDay, Type: FailureAll, Format: FormatJSON},
			[]string{"date", "2012-03-02", "type", "all", "out_type", "json"}, "application/json", jsonBody, wantFailures},
		{"XML answered to a JSON request", FailureExportOptions{Date: statDay, Type: FailureAll, Format: FormatJSON},
			[]string{"date", "2012-03-02", "type", "all", "out_type", "json"}, "text/xml", xmlBody, wantFailures},
		{"text asked for: the kind is the one asked", FailureExportOptions{Date: statDay, Type: FailureTemporary, TaskID: 362, Format: FormatText},
			[]string{"date", "2012-03-02", "type", "4", "task_id", "362"}, "text/plain", textBody, textRows(FailureTemporary)},
		{"text for every kind: the kind is unknown", FailureExportOptions{Date: statDay, Type: FailureAll},
			[]string{"date", "2012-03-02", "type", "all", "out_type", "xml"}, "text/plain", textBody, textRows(0)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			serveAs(t, mux, "failexport.php", tt.ctype, tt.body, func(r *http.Request) {
				testRequest(t, r, http.MethodGet, q(tt.query...))
			})
			opts := tt.opts
			exp, err := c.Statistic.ExportFailed(bg, &opts)
			got := allRows(t, exp, err)
			assert.Equal(t, tt.want, got)
			assert.Equal(t, tt.opts, opts, "the caller's options are not modified")
		})
	}
}

// ExportFailures reads the address of a JSON or XML row alike, even when
// the server labels it text/html.
func TestStatisticExportFailuresAddresses(t *testing.T) {
	t.Parallel()
	emails := []string{"nobody@example.com", "full.box@example.cn", "slow.host@example.net", "rejects@example.net"}
	for _, tt := range []struct {
		name   string
		format ExportFormat
		query  []string
		body   []byte
	}{
		{"JSON", FormatJSON, []string{"date", "2012-03-02", "date_end", "2012-03-05", "type", "all", "out_type", "json"}, fixture(t, "statistic-failexport.json")},
		{"XML", FormatXML, []string{"date", "2012-03-02", "date_end", "2012-03-05", "type", "all", "out_type", "xml"}, fixture(t, "statistic-failexport.xml")},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			serveAs(t, mux, "failexport.php", "text/html", tt.body, func(r *http.Request) {
				testRequest(t, r, http.MethodGet, q(tt.query...))
			})
			exp, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, DateEnd: statDayEnd, Type: FailureAll, Format: tt.format})
			var got []string
			for _, row := range allRows(t, exp, err) {
				got = append(got, row.Email)
			}
			assert.Equal(t, emails, got)
		})
	}
}

// Read gives the JSON bytes exactly as sent, whichever rows they hold.
func TestStatisticExportFailuresRaw(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	body := fixture(t, "statistic-failexport.json")
	serveAs(t, mux, "failexport.php", "application/json", body, nil)
	exp, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, Type: FailureAll})
	require.NoError(t, err)
	defer exp.Close()
	got, err := io.ReadAll(exp)
	require.NoError(t, err)
	assert.Equal(t, body, got)
	assert.Equal(t, "application/json", exp.ContentType())
}

func TestStatisticExportAllFailures(t *testing.T) {
	t.Parallel()
	want := []FailedAddress{
		{Email: "nobody@example.com", Kind: FailureNotExist, TaskID: 362},
		{Email: "full.box@example.cn", Kind: FailureOverQuota, TaskID: 362},
		{Email: "slow.host@example.net", Kind: FailureTemporary, TaskID: 363},
		{Email: "bad-address", Kind: FailureFormatError},
	}
	tests := []struct {
		name  string
		opts  FailureExportOptions
		query []string
	}{
		{"a day, every kind", FailureExportOptions{Date: statDay},
			[]string{"date", "2012-03-02", "type", "all", "out_type", "json"}},
		{"a task, over days", FailureExportOptions{Date: statDay, DateEnd: statDayEnd, TaskIdent: "20120302-362-F9B1E5"},
			[]string{"date", "2012-03-02", "date_end", "2012-03-05", "type", "all", "task_ident", "20120302-362-F9B1E5", "out_type", "json"}},
		{"one kind of a task by id", FailureExportOptions{Date: statDay, Type: FailureOverQuota, TaskID: 362},
			[]string{"date", "2012-03-02", "type", "2", "task_id", "362", "out_type", "json"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			serveAs(t, mux, "failexportall.php", "application/json", fixture(t, "statistic-failexportall.json"), func(r *http.Request) {
				testRequest(t, r, http.MethodGet, q(tt.query...))
			})
			opts := tt.opts
			exp, err := c.Statistic.ExportAllFailures(bg, &opts)
			assert.Equal(t, want, allRows(t, exp, err))
			assert.Equal(t, tt.opts, opts, "the caller's options are not modified")
		})
	}
}

// The kind is error_type in failexport.php and type in failexportall.php:
// both spellings reach FailedAddress.Kind, in JSON and in XML.
func TestFailedAddressKindSpellings(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct{ name, ctype, body string }{
		{"JSON error_type", "application/json", `[{"email":"a@example.com","error_type":"2"}]`},
		{"JSON type", "application/json", `[{"email":"a@example.com","type":2}]`},
		{"JSON name", "application/json", `[{"email":"a@example.com","type":"over_quota"}]`},
		{"XML error_type", "text/xml", "<fail_recipient_list><recipient><email>a@example.com</email><error_type>2</error_type></recipient></fail_recipient_list>"},
		{"XML type", "text/xml", "<fail_recipient_list><recipient><type> 2 </type><email>a@example.com</email></recipient></fail_recipient_list>"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			serveAs(t, mux, "failexport.php", tt.ctype, []byte(tt.body), nil)
			exp, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, Type: FailureAll})
			got := allRows(t, exp, err)
			assert.Equal(t, []FailedAddress{{Email: "a@example.com", Kind: FailureOverQuota}}, got)
		})
	}
}

// The JSON forms PHP produces: a list, an object keyed by index (an array
// with gaps), null; rows of bare addresses; nested values skipped.
func TestExportJSONShapes(t *testing.T) {
	t.Parallel()
	a := FailedAddress{Email: "a@example.com", Kind: FailureNotExist}
	b := FailedAddress{Email: "b@example.com"}
	for _, tt := range []struct {
		name, body string
		want       []FailedAddress
	}{
		{"list", `[{"email":"a@example.com","error_type":1},{"email":"b@example.com"}]`, []FailedAddress{a, b}},
		{"keyed object", "\xEF\xBB\xBF {\"0\":{\"email\":\"a@example.com\",\"error_type\":\"1\"},\"5\":{\"email\":\"b@example.com\"}}", []FailedAddress{a, b}},
		{"bare strings", `["a@example.com", "b@example.com"]`, []FailedAddress{{Email: "a@example.com"}, b}},
		{"nested values skipped", `[{"meta":{"x":[1,{"y":2}]},"email":"a@example.com","error_type":1,"ok":true}]`, []FailedAddress{a}},
		{"empty list", `[]`, nil},
		{"empty object", `{}`, nil},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			serveAs(t, mux, "failexport.php", "application/json", []byte(tt.body), nil)
			exp, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, Type: FailureAll})
			got := allRows(t, exp, err)
			assert.Equal(t, tt.want, got)
		})
	}
}

// A row that cannot be read ends the rows with an error naming it, after
// the rows before it; nothing is a zero row with a nil error.
func TestExportStructuredRowErrors(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, ctype, body string
		rows              int
		msg               string
	}{
		{"no email", "application/json", `[{"email":"a@example.com"},{"error_type":"1"}]`, 1, "JSON rows: row 2: no email"},
		{"bad kind", "application/json", `[{"email":"a@example.com","error_type":"full"}]`, 0, `row 1: "full" is not a failure type`},
		{"bad task id", "application/json", `[{"email":"a@example.com","task_id":"x"}]`, 0, `task_id "x" is not an id`},
		{"not an object", "application/json", `[{"email":"a@example.com"},7]`, 1, "row 2: got 7, not an object"},
		{"not rows", "application/json", `{"status":"error"}`, 0, `row 1: got an object with key "status", not a list of rows`},
		{"cut short", "application/json", `[{"email":"a@example.com"},{"email":"b@exa`, 1, "row 2: body ended early"},
		{"data after", "application/json", `[{"email":"a@example.com"}] [1]`, 1, "data after the rows"},
		{"XML record without email", "text/xml", "<fail_recipient_list><recipient><error_type>1</error_type></recipient></fail_recipient_list>", 0, "XML rows: row 1: <recipient>: no email"},
		{"XML cut short", "text/xml", "<fail_recipient_list><recipient><email>a@example.com</email></recipient><recipient><email>b@", 1, "row 2: "},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			serveAs(t, mux, "failexport.php", tt.ctype, []byte(tt.body), nil)
			exp, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, Type: FailureAll})
			require.NoError(t, err)
			rows, err := collect(t, exp.Rows())
			require.Error(t, err)
			assert.Len(t, rows, tt.rows)
			assert.Contains(t, err.Error(), tt.msg)
			assert.Contains(t, err.Error(), "failexport.php", "the error names the call")
		})
	}
}

// An XML <result> is the server's error even where XML rows are expected;
// an XML root the call does not take as rows is a *DecodeError.
func TestExportFailuresXMLErrors(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	serveAs(t, mux, "failexport.php", "text/xml", result("date_error", "日期格式错误"), nil)
	exp, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, Type: FailureAll})
	assert.Nil(t, exp)
	wantAPIError(t, err, "date_error")

	c, mux = setup(t)
	serveAs(t, mux, "failexportall.php", "text/html", []byte("<!DOCTYPE html>\n<html><body>502</body></html>"), nil)
	exp, err = c.Statistic.ExportAllFailures(bg, &FailureExportOptions{Date: statDay})
	assert.Nil(t, exp)
	var de *DecodeError
	require.ErrorAs(t, err, &de)

	c, mux = setup(t)
	serveAs(t, mux, "failexport.php", "text/xml", []byte("<?xml version=\"1.0\"?><task_list></task_list>"), nil)
	exp, err = c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, Type: FailureAll})
	assert.Nil(t, exp)
	require.ErrorAs(t, err, &de)
	assert.Contains(t, err.Error(), "task_list")
}

// A row larger than WithMaxRecordSize is a *LimitError, read no further
// than the cap: the body is produced lazily and would never end.
func TestExportJSONRowTooLarge(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc(apiPath+"failexport.php", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `[{"email":"a@example.com"},{"email":"`)
		_, _ = io.Copy(w, io.LimitReader(endlessA{}, 64<<20))
	})
	exp, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, Type: FailureAll})
	require.NoError(t, err)
	rows, err := collect(t, exp.Rows())
	assert.Len(t, rows, 1)
	var le *LimitError
	require.ErrorAs(t, err, &le)
	assert.Equal(t, "record size", le.Limit)
	assert.Equal(t, int64(4<<20), le.Max)
	assert.ErrorIs(t, err, ErrReplyTooLarge)
}

// endlessA reads as an endless run of "a".
type endlessA struct{}

func (endlessA) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 'a'
	}
	return len(p), nil
}

// A connection broken in the middle of JSON rows is a *RequestError, not a
// decode error.
func TestExportJSONBrokenMidStream(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc(apiPath+"failexport.php", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Content-Length", "1000")
		_, _ = io.WriteString(w, `[{"email":"a@example.com"},{"email":"b@exam`)
	})
	exp, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, Type: FailureAll})
	require.NoError(t, err)
	rows, err := collect(t, exp.Rows())
	assert.Len(t, rows, 1)
	var re *RequestError
	require.ErrorAs(t, err, &re, "got %v", err)
}

func TestStatisticExportFailuresValidation(t *testing.T) {
	t.Parallel()
	type call func(c *Client, o *FailureExportOptions) error
	failures := func(c *Client, o *FailureExportOptions) error {
		_, err := c.Statistic.ExportFailed(bg, o)
		return err
	}
	all := func(c *Client, o *FailureExportOptions) error {
		_, err := c.Statistic.ExportAllFailures(bg, o)
		return err
	}
	tests := []struct {
		name  string
		call  call
		opts  *FailureExportOptions
		field string
	}{
		{"ExportFailures nil options", failures, nil, "date"},
		{"ExportFailures no type", failures, &FailureExportOptions{Date: statDay}, "type"},
		{"ExportFailures over quota without task", failures, &FailureExportOptions{Date: statDay, Type: FailureOverQuota}, "task_id"},
		{"ExportFailures end before start", failures, &FailureExportOptions{Date: statDay, DateEnd: statDay.AddDate(0, 0, -1), Type: FailureAll}, "date_end"},
		{"ExportFailures unknown format", failures, &FailureExportOptions{Date: statDay, Type: FailureAll, Format: "csv"}, "out_type"},
		{"ExportAllFailures nil options", all, nil, "date"},
		{"ExportAllFailures no date", all, &FailureExportOptions{TaskID: 362}, "date"},
		{"ExportAllFailures negative task id", all, &FailureExportOptions{Date: statDay, TaskID: -1}, "task_id"},
		{"ExportAllFailures negative type", all, &FailureExportOptions{Date: statDay, Type: -3}, "type"},
		{"ExportAllFailures end before start", all, &FailureExportOptions{Date: statDay, DateEnd: statDay.AddDate(0, -1, 0)}, "date_end"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			failHandler(t, mux)
			wantValidation(t, tt.call(c, tt.opts), tt.field)
		})
	}
}

func TestStatisticBatchesByTaskID(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name  string
		opts  BatchListOptions
		query []string
	}{
		{"id only", BatchListOptions{TaskID: 362}, []string{"id", "362"}},
		{"id and date", BatchListOptions{TaskID: 362, Date: statDay}, []string{"id", "362", "date", "2012-03-02"}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "stask.php", fixture(t, "statistic-batches-id.xml"), func(r *http.Request) {
				testRequest(t, r, http.MethodGet, q(tt.query...))
			})
			got, err := c.Statistic.Batches(bg, &tt.opts)
			require.NoError(t, err)
			assert.Equal(t, []BatchStat{{
				TaskID: 362, TaskDate: time.Date(2012, 3, 2, 0, 0, 0, 0, china), TaskIdent: "20120302-362-F9B1E5",
				TotalSum: 5120, Total: 5000, Invalid: 120, Failed: 112, Success: 4888, EmailNotExist: 70, DeductedPoints: 4888,
				OverQuota: 25, UserReject: 17, Rubbish: 3,
			}}, got)
		})
	}
}

func TestStatisticBatchesTaskIDValidation(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	failHandler(t, mux)
	_, err := c.Statistic.Batches(bg, &BatchListOptions{TaskID: -362})
	wantValidation(t, err, "id")
	_, err = c.Statistic.Batches(bg, &BatchListOptions{Ident: " "})
	wantValidation(t, err, "date")
	assert.True(t, errors.Is(err, ErrValidation))
}

// FailureTemporary is sent as its number, like the documented kinds.
func TestFailureTypeEncoding(t *testing.T) {
	t.Parallel()
	for typ, want := range map[FailureType]string{FailureTemporary: "4", FailureAll: "all", FailureType(5): "5"} {
		c, mux := setup(t)
		handleText(t, mux, "failexport.php", []byte("a@example.com\n"), func(r *http.Request) {
			assert.Equal(t, want, r.URL.Query().Get("type"))
			assert.False(t, strings.Contains(r.URL.RawQuery, "out_type"), "text is asked for by sending nothing")
		})
		exp, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, Type: typ, TaskID: 362, Format: FormatText})
		got := allRows(t, exp, err)
		kind := typ
		if typ == FailureAll {
			kind = 0 // a text row of every kind does not say which
		}
		assert.Equal(t, []FailedAddress{{Email: "a@example.com", Kind: kind}}, got)
	}
}

// FuzzExportFailures: whatever the body, ExportFailures either fails to
// open with a reply error (only for XML), or yields rows that each carry
// an address, until a row it cannot read.
func FuzzExportFailures(f *testing.F) {
	for _, name := range []string{"statistic-failexport.json", "statistic-failexport.xml", "statistic-failexport.txt", "statistic-failexportall.json"} {
		f.Add(fuzzFixture(f, name), uint8(0))
		f.Add(fuzzFixture(f, name), uint8(3))
	}
	for _, b := range []string{"", "null", "{}", `{"0":"a@b"}`, `{"status":"x"}`, `[1,[2],{"a":{}}]`, `[{"email":""}]`, "<fail_recipient_list/>", "<result><status>x</status></result>"} {
		f.Add([]byte(b), uint8(0))
	}
	f.Fuzz(func(t *testing.T, body []byte, ct uint8) {
		cr := &cannedReply{ctype: fuzzContentType(ct), body: body}
		e, err := cannedClient(t, cr).Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, Type: FailureAll})
		require.Equal(t, 1, cr.count(), "one request")
		if err != nil {
			require.True(t, looksXML(body), "only an XML reply fails to open: %v", err)
			checkReplyError(t, err)
			return
		}
		for row, err := range e.Rows() {
			if err != nil {
				_ = err.Error()
				break
			}
			assert.NotEmpty(t, row.Email, "a row has an address")
			assert.GreaterOrEqual(t, row.Kind, FailureType(0))
			assert.GreaterOrEqual(t, row.TaskID, int64(0))
		}
	})
}

// Both calls read both JSON shapes: plain address strings (the public
// TypeScript client's type for failexport.php) and objects (its type for
// failexportall.php). A plain string carries no kind: it is the kind asked
// for, as from the text form (docs/wire-format.md#failexport-json-shapes).
func TestFailureExportsBothShapes(t *testing.T) {
	t.Parallel()
	plain := `["a@example.com","b@example.com"]`
	objects := `[{"email":"a@example.com","type":"2","task_id":"362"},{"email":"b@example.com","error_type":"2","error_type_dec":"邮箱空间满"}]`
	calls := []struct {
		script string
		call   func(c *Client, o *FailureExportOptions) (*Export[FailedAddress], error)
	}{
		{"failexport.php", func(c *Client, o *FailureExportOptions) (*Export[FailedAddress], error) {
			return c.Statistic.ExportFailed(bg, o)
		}},
		{"failexportall.php", func(c *Client, o *FailureExportOptions) (*Export[FailedAddress], error) {
			return c.Statistic.ExportAllFailures(bg, o)
		}},
	}
	for _, call := range calls {
		for _, tt := range []struct {
			name string
			body string
			kind FailureType
			want []FailedAddress
		}{
			{"strings, one kind", plain, FailureOverQuota,
				[]FailedAddress{{Email: "a@example.com", Kind: FailureOverQuota}, {Email: "b@example.com", Kind: FailureOverQuota}}},
			{"strings, every kind", plain, FailureAll, []FailedAddress{{Email: "a@example.com"}, {Email: "b@example.com"}}},
			{"objects", objects, FailureAll, []FailedAddress{{Email: "a@example.com", Kind: FailureOverQuota, TaskID: 362},
				{Email: "b@example.com", Kind: FailureOverQuota, Description: "邮箱空间满"}}},
		} {
			t.Run(call.script+" "+tt.name, func(t *testing.T) {
				c, mux := setup(t)
				serveAs(t, mux, call.script, "application/json", []byte(tt.body), nil)
				opts := &FailureExportOptions{Date: statDay, Type: tt.kind, TaskID: 362}
				exp, err := call.call(c, opts)
				assert.Equal(t, tt.want, allRows(t, exp, err))
			})
		}
	}
}
