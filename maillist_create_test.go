package bestedm

import (
	"errors"
	"net/http"
	"sync/atomic"
	"testing"

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
			got, err := c.Maillist.Create(bg, &MaillistParams{Subject: "News", Status: MaillistEnabled})
			require.Error(t, err)
			assert.True(t, errors.Is(err, tc.wantErr), "err %v", err)
			assert.Contains(t, err.Error(), `maillist "News" was created`)
			require.NotNil(t, got)
			assert.Equal(t, &Result{Status: "success", Message: "添加联系人分类成功"}, got)
			assert.Equal(t, tc.wantCall, n.Load())
		})
	}
}
