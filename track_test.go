package bestedm

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func trackAt(y int, mo time.Month, d, h, mi, s int) time.Time {
	return time.Date(y, mo, d, h, mi, s, 0, china)
}

var (
	trackSaleURL  = "http://www.example.com/spring-sale?utm_source=edm&id=362"
	trackUnsubURL = "http://www.example.com/unsubscribe"
)

func TestTrackOverview(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		task TaskRef
		want []string
	}{
		{"by id", TaskByID(362), []string{"do", "overview", "id", "362"}},
		{"by ident", TaskByIdent("20120302-362-F9B1E5"), []string{"do", "overview", "ident", "20120302-362-F9B1E5"}},
		{"both are sent", TaskRef{ID: 362, Ident: "20120302-362-F9B1E5"},
			[]string{"do", "overview", "id", "362", "ident", "20120302-362-F9B1E5"}},
		{"a blank ident is not sent", TaskRef{ID: 362, Ident: " "}, []string{"do", "overview", "id", "362"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "track.php", fixture(t, "track-overview.xml"), func(r *http.Request) {
				testRequest(t, r, http.MethodGet, q(tt.want...))
			})
			got, err := c.Track.Overview(bg, tt.task)
			require.NoError(t, err)
			assert.Equal(t, &TrackOverview{
				TrackID: 5120, TaskID: 362, TaskSN: "20120302-362-F9B1E5",
				SendCount: 5000, RealSendCount: 4888, ErrorSendCount: 112,
				OpenUnique: 1466, OpenTotal: 2310,
				OpenFirst: trackAt(2012, 3, 2, 10, 5, 17), OpenLast: trackAt(2012, 3, 9, 22, 41, 3),
				OpenRatio: 29.99, ClickRatio: 0,
				Links: []LinkStat{
					{LinkID: 801, URL: trackSaleURL},
					{LinkID: 802, URL: trackUnsubURL},
				},
			}, got)
		})
	}
}

func TestTrackOverviewNoLinks(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "track.php", fixture(t, "track-overview-nolinks.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "overview", "id", "363"))
	})
	got, err := c.Track.Overview(bg, TaskByID(363))
	require.NoError(t, err)
	assert.Equal(t, &TrackOverview{
		TrackID: 5121, TaskID: 363, TaskSN: "20120302-363-0A7C21",
		SendCount: 1200, RealSendCount: 1197, ErrorSendCount: 3,
		Links: []LinkStat{},
	}, got)
}

var trackWantOpens = []OpenDetail{
	{
		EmailID: 90001, Email: "li.wei@example.com", Browser: "Chrome 17.0", OS: "Windows 7",
		IPFirst: "113.88.12.40", IPLast: "113.88.12.41", OpenTotal: 3, ClickTotal: 1,
		OpenFirst: trackAt(2012, 3, 2, 10, 5, 17), OpenLast: trackAt(2012, 3, 3, 8, 30, 0),
		ClickFirst: trackAt(2012, 3, 2, 10, 6, 2), ClickLast: trackAt(2012, 3, 2, 10, 6, 2),
	},
	{
		EmailID: 90002, Email: "zhang.min@example.cn", Browser: "Safari", OS: "Android",
		IPFirst: "120.24.7.9", OpenTotal: 1,
		OpenFirst: trackAt(2012, 3, 9, 22, 41, 3), OpenLast: trackAt(2012, 3, 9, 22, 41, 3),
	},
}

var trackWantClicks = []ClickDetail{
	{
		ClickID: 70011, Email: "li.wei@example.com", URL: trackSaleURL, ClickUnique: 1, ClickTotal: 2,
		ClickFirst: trackAt(2012, 3, 2, 10, 6, 2), ClickLast: trackAt(2012, 3, 2, 10, 9, 45),
	},
	{
		ClickID: 70012, Email: "wang.fang@example.net", URL: trackSaleURL, ClickUnique: 1, ClickTotal: 1,
		ClickFirst: trackAt(2012, 3, 4, 16, 20, 0),
	},
}

func TestTrackOpens(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "track.php", fixture(t, "track-open-detail.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "open-detail", "ident", "20120302-362-F9B1E5"))
	})
	var got []OpenDetail
	for o, err := range c.Track.Opens(bg, TaskByIdent("20120302-362-F9B1E5")) {
		require.NoError(t, err)
		got = append(got, o)
	}
	assert.Equal(t, trackWantOpens, got)
}

func TestTrackClicks(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		linkID int64
		want   []string
	}{
		{"every link", 0, []string{"do", "click-detail", "id", "362"}},
		{"one link", 801, []string{"do", "click-detail", "id", "362", "link_id", "801"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "track.php", fixture(t, "track-click-detail.xml"), func(r *http.Request) {
				testRequest(t, r, http.MethodGet, q(tt.want...))
			})
			var got []ClickDetail
			for cl, err := range c.Track.Clicks(bg, TaskByID(362), tt.linkID) {
				require.NoError(t, err)
				got = append(got, cl)
			}
			assert.Equal(t, trackWantClicks, got)
		})
	}
}

// trackStreams runs the same stream tests on Opens and Clicks.
var trackStreams = []struct {
	name    string
	fixture string
	first   any
	collect func(c *Client, stopAfter int) ([]any, []error)
}{
	{"Opens", "track-open-detail.xml", trackWantOpens[0], func(c *Client, stopAfter int) ([]any, []error) {
		return trackCollect(c.Track.Opens(bg, TaskByID(362)), stopAfter)
	}},
	{"Clicks", "track-click-detail.xml", trackWantClicks[0], func(c *Client, stopAfter int) ([]any, []error) {
		return trackCollect(c.Track.Clicks(bg, TaskByID(362), 0), stopAfter)
	}},
}

// trackCollect ranges over seq, stopping after stopAfter records (0: never).
// Were the iterator to call yield after the loop stopped, the runtime would
// panic, so an early break is checked by the loop itself.
func trackCollect[T any](seq func(func(T, error) bool), stopAfter int) ([]any, []error) {
	var items []any
	var errs []error
	for v, err := range seq {
		if err != nil {
			errs = append(errs, err)
			continue
		}
		items = append(items, v)
		if len(items) == stopAfter {
			break
		}
	}
	return items, errs
}

func TestTrackStreamEarlyBreak(t *testing.T) {
	t.Parallel()
	for _, tt := range trackStreams {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "track.php", fixture(t, tt.fixture), nil)
			items, errs := tt.collect(c, 1)
			assert.Equal(t, []any{tt.first}, items)
			assert.Empty(t, errs)
		})
	}
}

func TestTrackStreamTruncated(t *testing.T) {
	t.Parallel()
	for _, tt := range trackStreams {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			body := fixture(t, tt.fixture)
			// The connection drops in the middle of the second record: the
			// first record arrives, then the loop must end with an error.
			cut := len(body) * 3 / 4
			mux.HandleFunc(apiPath+"track.php", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "text/xml; charset=utf-8")
				w.Header().Set("Content-Length", strconv.Itoa(len(body)))
				_, _ = w.Write(body[:cut])
			})
			items, errs := tt.collect(c, 0)
			assert.Equal(t, []any{tt.first}, items)
			require.Len(t, errs, 1, "a cut stream is an error, not a short list")
		})
	}
}

func TestTrackStreamMalformed(t *testing.T) {
	t.Parallel()
	for _, tt := range trackStreams {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			body := fixture(t, tt.fixture)
			// A well-delivered body that ends inside the second record.
			handle(t, mux, "track.php", body[:len(body)*3/4], nil)
			items, errs := tt.collect(c, 0)
			assert.Equal(t, []any{tt.first}, items)
			require.Len(t, errs, 1)
			var de *DecodeError
			assert.True(t, errors.As(errs[0], &de), "want *DecodeError, got %v", errs[0])
		})
	}
}

func TestTrackLinkStats(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name   string
		linkID int64
		want   []string
	}{
		{"every link", 0, []string{"do", "link-stat", "id", "362"}},
		{"one link", 802, []string{"do", "link-stat", "id", "362", "link_id", "802"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "track.php", fixture(t, "track-link-stat.xml"), func(r *http.Request) {
				testRequest(t, r, http.MethodGet, q(tt.want...))
			})
			got, err := c.Track.LinkStats(bg, TaskByID(362), tt.linkID)
			require.NoError(t, err)
			assert.Equal(t, []LinkStat{
				{LinkID: 801, URL: trackSaleURL, ClickUnique: 412, ClickTotal: 655,
					ClickFirst: trackAt(2012, 3, 2, 10, 6, 2), ClickLast: trackAt(2012, 3, 9, 21, 13, 50)},
				{LinkID: 802, URL: trackUnsubURL},
			}, got)
		})
	}
}

func TestTrackLinkStatsEmpty(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "track.php", fixture(t, "track-link-stat-empty.xml"), nil)
	got, err := c.Track.LinkStats(bg, TaskByIdent("20120302-363-0A7C21"), 0)
	require.NoError(t, err)
	assert.Equal(t, []LinkStat{}, got)
}

func TestTrackExport(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name string
		opts TrackExportOptions
		want []string
	}{
		{"all addresses", TrackExportOptions{TrackID: 5120}, []string{"track_id", "5120"}},
		{"every filter", TrackExportOptions{TrackID: 5120, ClickedOnly: true, LinkID: 801, EmailID: 90001},
			[]string{"track_id", "5120", "is_click", "1", "link_id", "801", "email_id", "90001"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			handleText(t, mux, "trackexport.php", fixture(t, "track-export.txt"), func(r *http.Request) {
				testRequest(t, r, http.MethodGet, q(tt.want...))
			})
			exp, err := c.Track.Export(bg, &tt.opts)
			require.NoError(t, err)
			var rows []TrackExportRow
			for row, err := range exp.Rows() {
				require.NoError(t, err)
				rows = append(rows, row)
			}
			assert.Equal(t, []TrackExportRow{
				{Fields: []string{"90001", "li.wei@example.com", "3", "1", "2012-03-02 10:05:17"}},
				{Fields: []string{"90002", "zhang.min@example.cn", "1", "0", "2012-03-09 22:41:03"}},
			}, rows)
		})
	}
}

// Read gives the reply's bytes exactly as sent, text or XML: nothing is
// lost by the sniffing.
func TestTrackExportRaw(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		fixture, contentType string
		serve                func(*testing.T, *http.ServeMux, string, []byte, func(*http.Request))
	}{
		{"track-export.txt", "text/plain; charset=utf-8", handleText},
		{"track-export.xml", "text/xml; charset=utf-8", handle},
	} {
		t.Run(tc.fixture, func(t *testing.T) {
			c, mux := setup(t)
			body := fixture(t, tc.fixture)
			tc.serve(t, mux, "trackexport.php", body, nil)
			exp, err := c.Track.Export(bg, &TrackExportOptions{TrackID: 5120})
			require.NoError(t, err)
			defer exp.Close()
			got, err := io.ReadAll(exp)
			require.NoError(t, err)
			assert.Equal(t, body, got)
			assert.Equal(t, tc.contentType, exp.ContentType())
		})
	}
}

func TestTrackExportXMLError(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handleText(t, mux, "trackexport.php", result("track_id_error", "跟踪统计不存在"), nil)
	exp, err := c.Track.Export(bg, &TrackExportOptions{TrackID: 5120})
	assert.Nil(t, exp)
	wantAPIError(t, err, "track_id_error")
}

func TestTrackValidation(t *testing.T) {
	t.Parallel()
	badRefs := []struct {
		name string
		task TaskRef
	}{
		{"empty ref", TaskRef{}},
		{"negative id", TaskByID(-1)},
		{"blank ident", TaskByIdent("  ")},
		{"negative id with ident", TaskRef{ID: -5, Ident: "20120302-362-F9B1E5"}},
	}
	type call func(c *Client) error
	var tests []struct {
		name  string
		call  call
		field string
	}
	add := func(name string, fn call, field string) {
		tests = append(tests, struct {
			name  string
			call  call
			field string
		}{name, fn, field})
	}
	for _, ref := range badRefs {
		task := ref.task
		add("Overview "+ref.name, func(c *Client) error { _, err := c.Track.Overview(bg, task); return err }, "id")
		add("Opens "+ref.name, func(c *Client) error { return trackFirstErr(c.Track.Opens(bg, task)) }, "id")
		add("Clicks "+ref.name, func(c *Client) error { return trackFirstErr(c.Track.Clicks(bg, task, 0)) }, "id")
		add("LinkStats "+ref.name, func(c *Client) error { _, err := c.Track.LinkStats(bg, task, 0); return err }, "id")
	}
	add("Clicks negative link", func(c *Client) error { return trackFirstErr(c.Track.Clicks(bg, TaskByID(362), -1)) }, "link_id")
	add("LinkStats negative link", func(c *Client) error { _, err := c.Track.LinkStats(bg, TaskByID(362), -1); return err }, "link_id")
	for _, tt := range []struct {
		name  string
		opts  *TrackExportOptions
		field string
	}{
		{"nil options", nil, "track_id"},
		{"no track id", &TrackExportOptions{ClickedOnly: true}, "track_id"},
		{"negative track id", &TrackExportOptions{TrackID: -1}, "track_id"},
		{"negative link id", &TrackExportOptions{TrackID: 5120, LinkID: -1}, "link_id"},
		{"negative email id", &TrackExportOptions{TrackID: 5120, EmailID: -1}, "email_id"},
	} {
		opts := tt.opts
		add("Export "+tt.name, func(c *Client) error { _, err := c.Track.Export(bg, opts); return err }, tt.field)
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			failHandler(t, mux)
			wantValidation(t, tt.call(c), tt.field)
		})
	}
}

// trackFirstErr ranges over seq and returns its first error; it fails if
// the sequence yields a record or more than one error.
func trackFirstErr[T any](seq func(func(T, error) bool)) error {
	var first error
	n := 0
	for _, err := range seq {
		n++
		if err == nil {
			return errors.New("got a record, want an error")
		}
		if first == nil {
			first = err
		}
	}
	if n != 1 {
		return errors.New("want exactly one error, got " + strconv.Itoa(n))
	}
	return first
}

func TestTrackAPIError(t *testing.T) {
	t.Parallel()
	tests := []struct {
		name, script string
		call         func(c *Client) error
	}{
		{"Overview", "track.php", func(c *Client) error { _, err := c.Track.Overview(bg, TaskByID(362)); return err }},
		{"Opens", "track.php", func(c *Client) error { return trackFirstErr(c.Track.Opens(bg, TaskByID(362))) }},
		{"Clicks", "track.php", func(c *Client) error { return trackFirstErr(c.Track.Clicks(bg, TaskByID(362), 801)) }},
		{"LinkStats", "track.php", func(c *Client) error { _, err := c.Track.LinkStats(bg, TaskByID(362), 0); return err }},
		{"Export", "trackexport.php", func(c *Client) error {
			_, err := c.Track.Export(bg, &TrackExportOptions{TrackID: 5120})
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, tt.script, result("task_not_exist", "任务不存在"), nil)
			wantAPIError(t, tt.call(c), "task_not_exist")
		})
	}
}

var trackExportNames = []string{"email_id", "email", "open_total", "click_total", "open_first"}

// A production client reads trackexport.php's reply as XML: it is rows,
// with their element names, not an error.
func TestTrackExportXML(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	body := fixture(t, "track-export.xml")
	handle(t, mux, "trackexport.php", body, func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("track_id", "5120", "is_click", "1"))
	})
	exp, err := c.Track.Export(bg, &TrackExportOptions{TrackID: 5120, ClickedOnly: true})
	require.NoError(t, err)
	rows, err := collect(t, exp.Rows())
	require.NoError(t, err)
	assert.Equal(t, []TrackExportRow{
		{Names: trackExportNames, Fields: []string{"90001", "li.wei@example.com", "3", "1", "2012-03-02 10:05:17"}},
		{Names: trackExportNames, Fields: []string{"90002", "zhang.min@example.cn", "1", "0", "2012-03-09 22:41:03"}},
	}, rows)
	email, ok := rows[1].Get("email")
	assert.True(t, ok)
	assert.Equal(t, "zhang.min@example.cn", email)
	_, ok = rows[1].Get("browser")
	assert.False(t, ok)
	_, ok = TrackExportRow{Fields: []string{"x"}}.Get("email")
	assert.False(t, ok, "a text row has no names")
}

// What a body opens as: the sniffing decides between text rows, XML rows,
// the server's error <result> and an HTML page.
func TestTrackExportSniffing(t *testing.T) {
	t.Parallel()
	for _, tt := range []struct {
		name, body string
		rows       int
		err        string // "api", "decode" or "" for rows
	}{
		{"text", "a@example.com\t1\r\nb@example.com\t2\r\n", 2, ""},
		{"XML with prolog, comment and BOM", "\xEF\xBB\xBF<?xml version=\"1.0\"?>\r\n<!-- export -->\r\n<list><row><email>a@example.com</email></row><total>1</total></list>", 1, ""},
		{"empty XML root", "<data>\r\n</data>\r\n", 0, ""},
		{"error result", string(result("not_found", "跟踪统计不存在")), 0, "api"},
		{"HTML page", "<!DOCTYPE html>\n<HTML><body>502 Bad Gateway</body></HTML>", 0, "decode"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "trackexport.php", []byte(tt.body), nil)
			exp, err := c.Track.Export(bg, &TrackExportOptions{TrackID: 5120})
			switch tt.err {
			case "api":
				wantAPIError(t, err, "not_found")
				return
			case "decode":
				var de *DecodeError
				require.ErrorAs(t, err, &de)
				return
			}
			require.NoError(t, err)
			rows, err := collect(t, exp.Rows())
			require.NoError(t, err)
			assert.Len(t, rows, tt.rows)
		})
	}
}

// An XML record whose fields are all empty is an error, not a row of
// blanks.
func TestTrackExportXMLEmptyRecord(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "trackexport.php", []byte("<data><user><email>a@example.com</email></user><user><email> </email></user></data>"), nil)
	exp, err := c.Track.Export(bg, &TrackExportOptions{TrackID: 5120})
	require.NoError(t, err)
	rows, err := collect(t, exp.Rows())
	assert.Len(t, rows, 1)
	require.Error(t, err)
	assert.Contains(t, err.Error(), "XML rows: row 2: <user>: a record with no values")
}

// FuzzTrackExport: whatever the body, Export either fails to open with a
// reply error (only for XML), or yields rows that are never blank; a text
// body yields one row per non-blank line unless a line is unreadable.
func FuzzTrackExport(f *testing.F) {
	for _, name := range []string{"track-export.txt", "track-export.xml"} {
		f.Add(fuzzFixture(f, name), uint8(0))
		f.Add(fuzzFixture(f, name), uint8(3))
	}
	for _, b := range [][]byte{nil, []byte("\r\n \r\n"), result("export_error", "无数据"), []byte("<html></html>"),
		[]byte("<data><user></user><n>1</n></data>"), []byte("<data><user><a>1</a></user>"), []byte("x\ty\tz"), []byte("\xef\xbb\xbf<result/>")} {
		f.Add(b, uint8(0))
	}
	f.Fuzz(func(t *testing.T, body []byte, ct uint8) {
		ctype := fuzzContentType(ct)
		cr := &cannedReply{ctype: ctype, body: body}
		e, err := cannedClient(t, cr).Track.Export(bg, &TrackExportOptions{TrackID: 5120})
		require.Equal(t, 1, cr.count(), "one request")
		if err != nil {
			require.True(t, looksXML(body), "only an XML reply fails to open: %v", err)
			checkReplyError(t, err)
			return
		}
		rows := 0
		var rowErr error
		for row, err := range e.Rows() {
			if err != nil {
				rowErr = err
				_ = err.Error()
				break
			}
			require.NotEmpty(t, row.Fields)
			nonEmpty := false
			for _, f := range row.Fields {
				nonEmpty = nonEmpty || f != ""
			}
			assert.True(t, nonEmpty, "a row has a non-empty field: %s", fmt.Sprint(row))
			if row.Names == nil {
				for _, f := range row.Fields {
					assertField(t, f, "field")
				}
			} else {
				assert.Len(t, row.Names, len(row.Fields))
			}
			rows++
		}
		if !looksXML(body) {
			want := refLines(body, ctype)
			if rowErr == nil {
				assert.Equal(t, want, rows, "one row per non-blank line")
			} else {
				assert.Less(t, rows, max(want, 1), "an error stops before the last line")
			}
		}
	})
}
