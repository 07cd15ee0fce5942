package bestedm

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

var trackExportNames = []string{"email_id", "email", "open_total", "click_total", "open_first"}

// A production client reads trackexport.php's reply as XML: it is rows,
// with their element names, not an error.
func TestTrackExportXML(t *testing.T) {
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
