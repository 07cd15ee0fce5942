package bestedm

import (
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// statDay is the calendar day 2012-03-02 written in UTC at 23:00, already
// March 3rd in China: requests send the day as written, "2012-03-02".
var statDay = time.Date(2012, 3, 2, 23, 0, 0, 0, time.UTC)

func TestStatisticOverview(t *testing.T) {
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
	c, mux := setup(t)
	handleText(t, mux, "failexport.php", result("date_error", "日期格式错误"), nil)
	exp, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: statDay, Type: FailureFormatError})
	assert.Nil(t, exp)
	wantAPIError(t, err, "date_error")
}

func TestStatisticExportFailuresTextValidation(t *testing.T) {
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
