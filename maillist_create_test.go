package bestedm

import (
	"errors"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// When the look-up after an id-less maillist-add fails, the caller still
// learns that the list was created: the Result comes back with the error.
func TestMaillistCreateLookupFails(t *testing.T) {
	for _, tc := range []struct {
		name     string
		list     []byte
		wantErr  error
		wantCall int32
	}{
		{"no list has the subject", []byte("<maillist><item><id>7</id><subject>Other</subject></item></maillist>"), ErrNotFound, 2},
		{"list call fails", result("auth_error", "x"), ErrAPI, 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, mux := setup(t)
			var n atomic.Int32
			mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) {
				n.Add(1)
				if r.URL.Query().Get("do") == "maillist-list" {
					_, _ = w.Write(tc.list)
					return
				}
				_, _ = w.Write(result("success", "添加联系人分类成功"))
			})
			got, err := c.Maillist.Create(bg, &MaillistParams{Name: "News", Status: MaillistEnabled})
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.wantErr), "err %v", err)
			assert.Contains(t, err.Error(), `maillist "News" was created`)
			require.NotNil(t, got)
			assert.Equal(t, &Result{Message: "添加联系人分类成功"}, got)
			assert.Equal(t, tc.wantCall, n.Load())
		})
	}
}

// The document's sample reply spells <brithday>, its parameter list
// birthday: both fill Address.Birthday.
func TestAddressBirthdayBothSpellings(t *testing.T) {
	c, mux := setup(t)
	handle(t, mux, "mloperate.php", []byte("<data><total_num>2</total_num>"+
		"<addr><id>1</id><address>a@example.com</address><brithday>1986-08-15</brithday></addr>"+
		"<addr><id>2</id><address>b@example.com</address><birthday>1988-04-08</birthday></addr></data>"), nil)
	p, err := c.Maillist.ListAddressesPage(bg, nil)
	require.NoError(t, err)
	require.Len(t, p.Items, 2)
	assert.Equal(t, "1986-08-15", p.Items[0].Birthday.Format(time.DateOnly))
	assert.Equal(t, "1988-04-08", p.Items[1].Birthday.Format(time.DateOnly))
}

// A list name production would store but not give back (a control
// character, invalid UTF-8, an endless name) is refused before anything is
// sent: created, it made maillist-list unreadable for the whole account
// (issue 16 item 8).
func TestMaillistNameRefused(t *testing.T) {
	for _, tc := range []struct{ name, want string }{
		{"Promo \x1b[1mBOLD", `control character '\x1b'`},
		{"a\x07b", `control character '\a'`},
		{"caf\xe9", "not valid UTF-8"},
		{strings.Repeat("名", MaxListNameBytes/3+1), "longer than"},
	} {
		c, mux := setup(t)
		var n atomic.Int32
		mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) { n.Add(1) })
		_, err := c.Maillist.Create(bg, &MaillistParams{Name: tc.name})
		var ve *ValidationError
		require.True(t, errors.As(err, &ve), "%q: %v", tc.name, err)
		assert.Equal(t, "subject", ve.Field)
		assert.Contains(t, ve.Reason, tc.want)
		_, err = c.Maillist.Update(bg, 7, &MaillistParams{Name: tc.name})
		assert.ErrorIs(t, err, ErrValidation)
		assert.Zero(t, n.Load(), "nothing sent")
	}
	c, _ := setup(t)
	_, err := c.Maillist.Create(bg, &MaillistParams{Name: strings.Repeat("名", MaxListNameBytes/3)})
	assert.NotErrorIs(t, err, ErrValidation, "the longest name passes the check")
}

// AddAddress sends fields as parameters, where ";" is fine, but a control
// character is refused there too.
func TestAddAddressRefusesControlCharacters(t *testing.T) {
	c, mux := setup(t)
	var n atomic.Int32
	mux.HandleFunc(apiPath+"mloperate.php", func(w http.ResponseWriter, r *http.Request) { n.Add(1) })
	_, err := c.Maillist.AddAddress(bg, 3, Address{Email: "a@example.com", Name: "a\x01b"})
	var ve *ValidationError
	require.True(t, errors.As(err, &ve), "%v", err)
	assert.Equal(t, "fullname", ve.Field)
	_, err = c.Maillist.UpdateAddress(bg, 3, Address{Var1: "caf\xe9"})
	assert.ErrorIs(t, err, ErrValidation)
	assert.Zero(t, n.Load())
}
