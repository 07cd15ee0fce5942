package bestedm

import (
	"bytes"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Edge cases of replies and arguments, each pinned by a test of its own.

// A failexport.php line whose first column is blank is an error naming the
// line, not an empty address with a nil error.
func TestExportFailuresTextBlankFirstColumn(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	mux.HandleFunc(apiPath+"failexport.php", func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.WriteString(w, "nobody@example.com\r\n\tfull.box@example.cn\r\n")
	})
	e, err := c.Statistic.ExportFailed(bg, &FailureExportOptions{Date: fuzzDate, Type: FailureAll, Format: FormatText})
	require.NoError(t, err)
	var rows []string
	var last error
	for row, err := range e.Rows() {
		if err != nil {
			last = err
			break
		}
		rows = append(rows, row.Email)
	}
	assert.Equal(t, []string{"nobody@example.com"}, rows)
	require.Error(t, last)
	assert.Contains(t, last.Error(), "line 2: no address in the first column")
}

// A reply that always carries data but whose element sets no field is a
// *DecodeError, not a zero value with a nil error; an empty <track> is a
// task the server does not know. An empty <statistic> stays a day with
// nothing sent.
func TestEmptyElementReplies(t *testing.T) {
	t.Parallel()
	for _, body := range []string{"<customer></customer>", "<customer/>", "<customer>\r\n<unknown>1</unknown>\r\n</customer>"} {
		c, mux := setup(t)
		handle(t, mux, "account.php", []byte(body), nil)
		got, err := c.Account.CustomerInfo(bg)
		assert.Nil(t, got, body)
		var de *DecodeError
		require.ErrorAs(t, err, &de, body)
		assert.ErrorIs(t, err, errNoData)
		assert.Contains(t, err.Error(), "expected <customer>: no data in it")
	}

	c, mux := setup(t)
	handle(t, mux, "account.php", []byte("<service>\r\n</service>"), nil)
	_, err := c.Account.ServiceInfo(bg)
	assert.ErrorIs(t, err, ErrUnexpectedReply)

	c, mux = setup(t)
	handle(t, mux, "track.php", []byte("<?xml version=\"1.0\"?>\r\n<track>\r\n<link_statistic></link_statistic>\r\n</track>"), nil)
	o, err := c.Track.Overview(bg, TaskByIdent("20120302-999-000000"))
	assert.Nil(t, o)
	assert.ErrorIs(t, err, ErrNotFound)
	assert.Regexp(t, `^bestedm: GET http://127\.0\.0\.1:\d+/mm-ms/apinew/track\.php\?do=overview&ident=20120302-999-000000: task 20120302-999-000000 not found$`, err.Error())

	c, mux = setup(t)
	handle(t, mux, "statistic.php", []byte("<statistic></statistic>"), nil)
	st, err := c.Statistic.Overview(bg, fuzzDate)
	require.NoError(t, err)
	assert.Equal(t, &DailyStatistic{}, st)
}

// A list record that sets no field ends the list with an error, in lists
// and in streams (after the records before it), instead of a zero record.
func TestEmptyListRecord(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<maillist>\r\n<item><id>1</id></item>\r\n<item>\r\n</item>\r\n</maillist>"), nil)
	got, err := c.Maillist.List(bg)
	assert.Nil(t, got)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, errNoData)
	assert.Contains(t, err.Error(), "expected <maillist>: a <item> with no data in it")

	c, mux = setup(t)
	handle(t, mux, "track.php", []byte("<data><user><email>a@example.com</email></user><user><unknown>x</unknown></user><user><email>b@example.com</email></user></data>"), nil)
	var emails []string
	var last error
	for o, err := range c.Track.Opens(bg, TaskByID(1)) {
		if err != nil {
			last = err
			break
		}
		emails = append(emails, o.Email)
	}
	assert.Equal(t, []string{"a@example.com"}, emails)
	assert.ErrorIs(t, last, errNoData)

	// A negative total is no count of matches.
	c, mux = setup(t)
	handle(t, mux, "mloperate.php", []byte("<data><total_num>-3</total_num><addr><id>1</id></addr></data>"), nil)
	_, err = c.Maillist.ListAddressesPage(bg, nil)
	require.ErrorAs(t, err, &de)
	assert.Contains(t, err.Error(), `element <total_num>: cannot read "-3": negative`)

	// An empty list is still an empty list.
	c, mux = setup(t)
	handle(t, mux, "mloperate.php", []byte("<maillist>\r\n</maillist>"), nil)
	got, err = c.Maillist.List(bg)
	require.NoError(t, err)
	assert.Equal(t, []Maillist{}, got)
}

// The errors of streams and text exports are redacted like every other
// reply error: a record or a line that echoes the credentials, in either
// auth mode, shows them neither in the error nor in the debug log.
func TestRedactionStreamsAndExports(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name   string
		script string
		reply  func(echo string) string
		call   func(c *Client) error
	}{
		{"opens: bad value", "track.php", func(e string) string {
			return "<data><user><email_id>1</email_id></user><user><email_id>" + e + "</email_id></user></data>"
		}, func(c *Client) error { return firstErr(c.Track.Opens(bg, TaskByID(1))) }},
		{"clicks: api error", "track.php", func(e string) string { return string(result("auth_error", e)) },
			func(c *Client) error { return firstErr(c.Track.Clicks(bg, TaskByID(1), 0)) }},
		{"unsubscribed: bad time", "mloperate.php", func(e string) string { return "2024-03-02 12:30:05\ta@example.com\r\n" + e + "\tb@example.com\r\n" },
			func(c *Client) error { return rowsErr(c.Maillist.ExportUnsubscribed(bg, 1)) }},
		{"subscribers: html", "mloperate.php", func(e string) string { return "<html><body>" + e + "</body></html>" },
			func(c *Client) error { return rowsErr(c.Maillist.ExportSubscribers(bg, 1)) }},
		{"track export: api error", "trackexport.php", func(e string) string { return string(result("export_error", e)) },
			func(c *Client) error { return rowsErr(c.Track.Export(bg, &TrackExportOptions{TrackID: 1})) }},
	}
	for _, mode := range []AuthMode{AuthBasic, AuthQuery} {
		for _, tc := range cases {
			t.Run(mode.String()+"/"+tc.name, func(t *testing.T) {
				var logs bytes.Buffer
				c, mux := setup(t, WithAuthMode(mode), WithLogger(slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))))
				mux.HandleFunc(apiPath+tc.script, func(w http.ResponseWriter, r *http.Request) {
					_, _ = io.WriteString(w, tc.reply(echo(r)))
				})
				err := tc.call(c)
				require.Error(t, err)
				for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
					assertNoSecret(t, fmt.Sprintf(verb, err), verb)
				}
				assertNoSecret(t, logs.String(), "logs")
				assert.Contains(t, err.Error(), "REDACTED")
			})
		}
	}
}

// rowsErr opens an export and returns the first error of its rows.
func rowsErr[T any](e *Export[T], err error) error {
	if err != nil {
		return err
	}
	return firstErr(e.Rows())
}
