package bestedm_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	bestedm "github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// A value stored with a control character or a byte that is not UTF-8
// comes back in every reply that holds it; XML cannot carry either, and
// encoding/xml stopped the whole reply at it, so one such address made
// its list unreadable. Replies are read tolerantly: the
// value shows U+FFFD where it was damaged, and everything else reads.
func TestReplyToleratesIllegalCharacters(t *testing.T) {
	srv := bestedmtest.NewServer(t)
	client := srv.Client()
	ctx := context.Background()
	lists, err := client.Maillist.List(ctx)
	require.NoError(t, err)
	list := lists[0].ID
	for _, name := range []string{"a\x07b", "\x1b[1mBOLD", "caf\xe9", "nul\x00"} {
		srv.AddAddress(bestedmtest.StoredAddress{ListID: list, Email: "x" + strings.Map(func(r rune) rune {
			if r < 'a' || r > 'z' {
				return -1
			}
			return r
		}, name) + "@example.com", Name: name})
	}
	var damaged int
	n := 0
	for a, err := range client.Maillist.ListAddresses(ctx, &bestedm.AddressListOptions{ListID: &list}) {
		require.NoError(t, err, "the list reads whole")
		n++
		if strings.Contains(a.Name, "\uFFFD") {
			damaged++
		}
	}
	assert.Equal(t, 4, damaged, "each damaged name shows U+FFFD")
	assert.Equal(t, int(lists[0].Count)+4, n, "every address of the list")

	page, err := client.Maillist.ListAddressesPage(ctx, &bestedm.AddressListOptions{ListID: &list, Limit: 500})
	require.NoError(t, err, "a page decoded whole reads too")
	assert.Len(t, page.Items, n)
}

// idServer answers every call with body (and maillist-list with one list
// named "News", id 12), counting arrivals.
func idServer(t *testing.T, body string) (*bestedm.Client, *atomic.Int32) {
	t.Helper()
	var arrivals atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		arrivals.Add(1)
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		if r.URL.Query().Get("do") == "maillist-list" {
			_, _ = io.WriteString(w, "<maillist><item><id>12</id><subject>News</subject><status>enabled</status></item></maillist>")
			return
		}
		_, _ = io.WriteString(w, body)
	}))
	t.Cleanup(srv.Close)
	c, err := bestedm.NewClient("user", "pw", bestedm.WithBaseURL(srv.URL+"/mm-ms/apinew/"))
	require.NoError(t, err)
	return c, &arrivals
}

func success(inner string) string {
	return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<result>\r\n<status>success</status>\r\n" + inner + "\r\n</result>\r\n"
}

// Result.ID comes only from where the document puts the call's id:
// add-task's <id> (doc §5.1), add-tpl's and ml-addr-add's <data> (doc §5.2,
// §4.9.1; <id> too), maillist-add's <id> or the list looked up by name.
// A call that promises an id and gets none fails with a *DecodeError;
// every other call leaves ID 0, even when <data> is a number.
func TestResultIDPerCall(t *testing.T) {
	ctx := context.Background()
	when := time.Date(2030, 1, 2, 3, 4, 0, 0, time.UTC)
	creates := map[string]func(c *bestedm.Client) (*bestedm.Result, error){
		"Task.Create": func(c *bestedm.Client) (*bestedm.Result, error) {
			return c.Task.Create(ctx, &bestedm.TaskParams{TemplateIDs: []int64{16}, SendAccount: "a@example.com", MaillistID: 5, Time: when})
		},
		"Template.Create": func(c *bestedm.Client) (*bestedm.Result, error) {
			return c.Template.Create(ctx, &bestedm.TemplateParams{Name: "n", Subjects: []string{"s"}, Content: "<p>c</p>"})
		},
		"Maillist.AddAddress": func(c *bestedm.Client) (*bestedm.Result, error) {
			return c.Maillist.AddAddress(ctx, 5, bestedm.Address{Email: "a@example.com"})
		},
		"Maillist.Create": func(c *bestedm.Client) (*bestedm.Result, error) {
			return c.Maillist.Create(ctx, &bestedm.MaillistParams{Name: "News", Status: bestedm.MaillistEnabled})
		},
	}
	tests := []struct {
		call     string
		body     string
		wantID   int64 // 0 with noID: a *DecodeError
		noID     bool
		arrivals int32
	}{
		{"Task.Create", success("<id>99</id><data><![CDATA[添加群发任务成功! ]]></data>"), 99, false, 1},
		{"Task.Create", success("<data>4711</data>"), 0, true, 1}, // §5.1 puts the id in <id>
		{"Task.Create", success("<data>添加群发任务成功!</data>"), 0, true, 1},
		{"Template.Create", success("<data>67</data>"), 67, false, 1},
		{"Template.Create", success("<id>68</id><data>上传成功</data>"), 68, false, 1},
		{"Template.Create", success("<data>上传成功</data>"), 0, true, 1},
		{"Maillist.AddAddress", success("<data>5001</data>"), 5001, false, 1},
		{"Maillist.AddAddress", success("<id>5002</id><data>添加成功</data>"), 5002, false, 1},
		{"Maillist.AddAddress", success("<data>添加成功</data>"), 0, true, 1},
		{"Maillist.Create", success("<id>13</id><data>添加成功</data>"), 13, false, 1},
		// No <id>: a numeric <data> is not one; the list is looked up by name.
		{"Maillist.Create", success("<data>77</data>"), 12, false, 2},
		{"Maillist.Create", success("<data>添加联系人分类成功</data>"), 12, false, 2},
	}
	for i, tt := range tests {
		t.Run(tt.call+"/"+strconv.Itoa(i), func(t *testing.T) {
			c, arrivals := idServer(t, tt.body)
			res, err := creates[tt.call](c)
			assert.Equal(t, tt.arrivals, arrivals.Load(), "arrivals")
			if tt.noID {
				var de *bestedm.DecodeError
				require.ErrorAs(t, err, &de)
				assert.Nil(t, res)
				assert.ErrorIs(t, err, bestedm.ErrUnexpectedReply)
				assert.Contains(t, err.Error(), "no id came back")
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.wantID, res.ID)
		})
	}
}

// A delete, an update or another write that answers a number in <data>
// returns it as the message, never as an id.
func TestResultIDNotFromData(t *testing.T) {
	ctx := context.Background()
	calls := map[string]func(c *bestedm.Client) (*bestedm.Result, error){
		"Maillist.Delete": func(c *bestedm.Client) (*bestedm.Result, error) { return c.Maillist.Delete(ctx, 5) },
		"Maillist.Update": func(c *bestedm.Client) (*bestedm.Result, error) {
			return c.Maillist.Update(ctx, 5, &bestedm.MaillistParams{Description: "d"})
		},
		"Maillist.UpdateAddress": func(c *bestedm.Client) (*bestedm.Result, error) {
			return c.Maillist.UpdateAddress(ctx, 5, bestedm.Address{Name: "x"})
		},
		"Maillist.DeleteAddress": func(c *bestedm.Client) (*bestedm.Result, error) { return c.Maillist.DeleteAddress(ctx, 5) },
		"Maillist.Empty":         func(c *bestedm.Client) (*bestedm.Result, error) { return c.Maillist.Empty(ctx, 5) },
		"Maillist.Subscribe": func(c *bestedm.Client) (*bestedm.Result, error) {
			return c.Maillist.Subscribe(ctx, 5, bestedm.Subscriber{Email: "a@example.com"})
		},
		"Task.Update": func(c *bestedm.Client) (*bestedm.Result, error) {
			return c.Task.Update(ctx, 5, &bestedm.TaskUpdateParams{SendFullname: "x"})
		},
		"Task.Delete":     func(c *bestedm.Client) (*bestedm.Result, error) { return c.Task.Delete(ctx, 5) },
		"Template.Delete": func(c *bestedm.Client) (*bestedm.Result, error) { return c.Template.Delete(ctx, 5) },
		"Template.Update": func(c *bestedm.Client) (*bestedm.Result, error) {
			return c.Template.Update(ctx, 5, &bestedm.TemplateUpdateParams{Name: "n"})
		},
		"Template.DeleteAttachment": func(c *bestedm.Client) (*bestedm.Result, error) { return c.Template.DeleteAttachment(ctx, 5, 3) },
		"Domain.DeleteMailbox":      func(c *bestedm.Client) (*bestedm.Result, error) { return c.Domain.DeleteMailbox(ctx, "a@example.com") },
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			c, arrivals := idServer(t, success("<data>1</data>"))
			res, err := call(c)
			require.NoError(t, err)
			assert.Equal(t, &bestedm.Result{Message: "1"}, res)
			assert.Equal(t, int32(1), arrivals.Load())
		})
	}
}
