package bestedmtest

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestRecorder(t *testing.T) {
	s := newTest(t)
	cust := s.Customer()
	a := customerAPI(t, s)
	tpl := with(s, func(st *state) string { return id(st.templates[0].id) })

	a.multipart("template.php", "tpl-attachment-add", kv("tpl_id", tpl), kv("note", "两个附件"),
		testFile{"file[]", "a.pdf", "12345"}, testFile{"file[]", "b.txt", "xy"}).ok(t)
	q := customerAPI(t, s)
	q.mode = AuthSchemeQuery
	q.post("mloperate.php", "maillist-add", kv("extra", "1"), kv("subject", "记录", "status", "enabled")).ok(t)
	s.Fail(Match{Script: "account.php"}, 1, HTTPStatus(502))
	anon := &api{t: t, s: s, mode: AuthSchemeNone}
	anon.get("account.php", "customer-info")

	recs := s.Requests()
	require.Len(t, recs, 3)
	r := recs[0]
	assert.Equal(t, http.MethodPost, r.Method)
	assert.Equal(t, "/mm-ms/apinew/template.php", r.Path)
	assert.Equal(t, "template.php", r.Script)
	assert.Equal(t, "tpl-attachment-add", r.Action)
	assert.Equal(t, url.Values{"do": {"tpl-attachment-add"}, "tpl_id": {tpl}}, r.Query)
	assert.Equal(t, url.Values{"note": {"两个附件"}}, r.Form)
	assert.Equal(t, []RecordedFile{{Field: "file[]", Name: "a.pdf", Size: 5}, {Field: "file[]", Name: "b.txt", Size: 2}}, r.Files)
	assert.Equal(t, AuthSchemeBasic, r.Auth)
	assert.Equal(t, cust.Username, r.Username)
	assert.Contains(t, r.Header.Get("Content-Type"), "multipart/form-data")
	assert.Empty(t, r.Fault)

	r = recs[1]
	assert.Equal(t, AuthSchemeQuery, r.Auth)
	assert.Equal(t, cust.Username, r.Username)
	assert.Equal(t, cust.PasswordHash(), r.Query.Get("password"))
	assert.Equal(t, "1", r.Query.Get("extra"))
	assert.Equal(t, url.Values{"subject": {"记录"}, "status": {"enabled"}}, r.Form)
	assert.Empty(t, r.Files)

	r = recs[2]
	assert.Equal(t, AuthSchemeNone, r.Auth)
	assert.Empty(t, r.Username)
	assert.Equal(t, "http 502", r.Fault)

	// Requests returns a copy.
	recs[0].Query.Set("do", "changed")
	recs[0].Files[0].Name = "changed"
	assert.Equal(t, "tpl-attachment-add", s.Requests()[0].Query.Get("do"))
	assert.Equal(t, "a.pdf", s.Requests()[0].Files[0].Name)

	s.ClearRequests()
	assert.Empty(t, s.Requests())
	a.get("mloperate.php", "maillist-list")
	assert.Len(t, s.Requests(), 1)
}

// TestConcurrentUse runs writers, readers, fault injection and the
// recorder at once; run it with -race.
func TestConcurrentUse(t *testing.T) {
	s := newTest(t)
	ca := customerAPI(t, s)
	list := ca.post("mloperate.php", "maillist-add", nil, kv("subject", "并发", "status", "enabled")).addedList(t, ca, "并发")
	const workers, each = 8, 15
	var wg sync.WaitGroup
	errs := make(chan error, workers*each*3)
	overview := with(s, func(st *state) string { return id(st.tasks[2].id) })
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			a := customerAPI(t, s)
			check := func(what string, r resp, err error, want string) {
				if err != nil || r.code != 200 || !strings.Contains(r.body, want) {
					errs <- fmt.Errorf("%s: %v %d %s", what, err, r.code, r.body)
				}
			}
			for i := 0; i < each; i++ {
				r, err := a.tryGet("mloperate.php", "ml-addr-add", "list_id", list, "address", fmt.Sprintf("w%d.n%d@example.com", w, i))
				check("add", r, err, "<status>success</status>")
				r, err = a.tryGet("mloperate.php", "ml-addr-list", "list_id", list, "page", "1", "limit", "5")
				check("list", r, err, "<total_num>")
				r, err = a.tryGet("track.php", "overview", "id", overview)
				check("overview", r, err, "<open_ratio>")
				if i%5 == 0 {
					s.Fail(Match{Script: "stask.php"}, 1, HTTPStatus(503))
					_ = s.Requests()
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	total, _ := addrs(t, customerAPI(t, s).get("mloperate.php", "ml-addr-list", "list_id", list))
	assert.Equal(t, fmt.Sprint(workers*each), total)
	assert.Len(t, s.Requests(), 2+workers*each*3+1) // maillist-add and the look-up of its id
}
