package bestedm_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
)

// One subscriber's name travels in its own name parameter, so a comma or
// a semicolon in it is sent as written and kept by the server; with
// several subscribers, which share one batch body, they are refused before
// anything is sent.
func TestSubscribeNameSeparators(t *testing.T) {
	var mu sync.Mutex
	var sent []url.Values
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_ = r.ParseForm()
		mu.Lock()
		sent = append(sent, r.Form)
		mu.Unlock()
		_, _ = io.WriteString(w, "<result><status>success</status><data>成功订阅 1 个地址</data></result>")
	}))
	defer srv.Close()
	c, err := bestedm.NewClient("user", "pw", bestedm.WithBaseURL(srv.URL+"/mm-ms/apinew/"))
	require.NoError(t, err)
	ctx := context.Background()

	for _, name := range []string{"Li, Lei", "Li; Lei", "李雷, VIP; 2024"} {
		_, err := c.Maillist.Subscribe(ctx, 5, bestedm.Subscriber{Email: "li.lei@example.com", Name: name})
		require.NoError(t, err, name)
	}
	require.Len(t, sent, 3)
	for i, name := range []string{"Li, Lei", "Li; Lei", "李雷, VIP; 2024"} {
		assert.Equal(t, []string{name}, sent[i]["name"], "sent in its own parameter")
		assert.Equal(t, []string{"li.lei@example.com"}, sent[i]["address"])
		assert.Empty(t, sent[i]["maillist"])
	}

	two := func(name string) []bestedm.Subscriber {
		return []bestedm.Subscriber{{Email: "a@example.com", Name: name}, {Email: "b@example.com", Name: "B"}}
	}
	for _, name := range []string{"Li, Lei", "Li; Lei"} {
		_, err := c.Maillist.Subscribe(ctx, 5, two(name)...)
		var ve *bestedm.ValidationError
		require.ErrorAs(t, err, &ve, name)
		assert.Equal(t, "name", ve.Field)
	}
	for _, name := range []string{"Li\tLei", "Li\nLei"} {
		_, err := c.Maillist.Subscribe(ctx, 5, bestedm.Subscriber{Email: "a@example.com", Name: name})
		assert.ErrorIs(t, err, bestedm.ErrValidation, "a tab or line break is refused even alone: %q", name)
	}
	assert.Len(t, sent, 3, "nothing sent for a refused call")

	_, err = c.Maillist.Subscribe(ctx, 5, two("Han Meimei")...)
	require.NoError(t, err)
	require.Len(t, sent, 4)
	assert.Equal(t, []string{"a@example.com\tHan Meimei\nb@example.com\tB"}, sent[3]["maillist"])
}

// Against the fake: the name with separators is stored whole.
func TestSubscribeNameSeparatorsFake(t *testing.T) {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()
	lists, err := client.Maillist.List(ctx)
	require.NoError(t, err)
	require.NotEmpty(t, lists)
	listID := lists[0].ID
	const email = "li.lei.sub@example.com"
	_, err = client.Maillist.Subscribe(ctx, listID, bestedm.Subscriber{Email: email, Name: "李雷, VIP; 2024"})
	require.NoError(t, err)
	var got []string
	for a, err := range client.Maillist.ListAddresses(ctx, &bestedm.AddressListOptions{ListID: &listID}) {
		require.NoError(t, err)
		if a.Email == email {
			got = append(got, a.Name)
		}
	}
	assert.Equal(t, []string{"李雷, VIP; 2024"}, got)
}
