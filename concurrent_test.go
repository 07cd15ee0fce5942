package bestedm

import (
	"bytes"
	"context"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// allServicesServer answers every call the concurrency test makes, by
// script and do=, with its fixture, and counts the requests.
func allServicesServer(t *testing.T, mux *http.ServeMux) *atomic.Int64 {
	t.Helper()
	replies := map[string][]byte{}
	for key, name := range map[string]string{
		"account.php customer-info":         "account-customer-info.xml",
		"account.php service-info":          "account-service-info.xml",
		"statistic.php ":                    "statistic-overview.xml",
		"stask.php ":                        "statistic-batches.xml",
		"deduction.php ":                    "statistic-deductions.xml",
		"failexport.php ":                   "statistic-failexport.txt",
		"track.php overview":                "track-overview.xml",
		"track.php open-detail":             "track-open-detail.xml",
		"track.php click-detail":            "track-click-detail.xml",
		"track.php link-stat":               "track-link-stat.xml",
		"trackexport.php ":                  "track-export.txt",
		"mloperate.php maillist-list":       "maillist-list.xml",
		"mloperate.php maillist-detail":     "maillist-detail.xml",
		"mloperate.php ml-addr-list":        "maillist-ml-addr-list.xml",
		"mloperate.php subscription-export": "maillist-subscription-export.txt",
		"task.php task-list":                "task-task-list.xml",
		"task.php list-task":                "task-list-task.xml",
		"task.php add-task":                 "task-add-task.xml",
		"template.php list-tpl":             "template-list-tpl.xml",
		"template.php add-tpl":              "template-add-tpl.xml",
		"bs.php domain-list":                "domain-list.xml",
		"bs.php mailbox-list":               "domain-mailbox-list.xml",
	} {
		replies[key] = fixture(t, name)
	}
	ok := result("success", "1")
	for _, key := range []string{"mloperate.php ml-addr-add", "mloperate.php maillist-del", "bs.php mailbox-add"} {
		replies[key] = ok
	}
	var count atomic.Int64
	mux.HandleFunc(apiPath, func(w http.ResponseWriter, r *http.Request) {
		count.Add(1)
		if user, pass, _ := r.BasicAuth(); user != testUser || pass != testPassword {
			http.Error(w, "bad credentials", http.StatusUnauthorized)
			return
		}
		if r.Method == http.MethodPost {
			// Read uploads and forms whole, as PHP does before the script runs.
			if err := r.ParseMultipartForm(1 << 20); err != nil && err != http.ErrNotMultipart {
				http.Error(w, err.Error(), http.StatusBadRequest)
				return
			}
		}
		key := strings.TrimPrefix(r.URL.Path, apiPath) + " " + r.URL.Query().Get("do")
		body, found := replies[key]
		if !found {
			http.Error(w, "no reply for "+key, http.StatusNotFound)
			return
		}
		_, _ = w.Write(body)
	})
	return &count
}

// countRows ranges over an export's rows.
func countRows[T any](e *Export[T], err error) error {
	if err != nil {
		return err
	}
	n := 0
	for _, err := range e.Rows() {
		if err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("no rows")
	}
	return nil
}

// countSeq ranges over an iterator and requires at least one record.
func countSeq[T any](seq func(func(T, error) bool)) error {
	n := 0
	for _, err := range seq {
		if err != nil {
			return err
		}
		n++
	}
	if n == 0 {
		return fmt.Errorf("no records")
	}
	return nil
}

// One Client is shared by 50 goroutines that each call every service;
// under -race this checks that nothing in a call writes shared state, and
// every call must succeed.
func TestConcurrentCallsEveryService(t *testing.T) {
	c, mux := setup(t)
	count := allServicesServer(t, mux)
	day := time.Date(2012, 3, 2, 0, 0, 0, 0, china)
	calls := []struct {
		name string
		call func(ctx context.Context) error
	}{
		{"Account.CustomerInfo", func(ctx context.Context) error { _, err := c.Account.CustomerInfo(ctx); return err }},
		{"Account.ServiceInfo", func(ctx context.Context) error { _, err := c.Account.ServiceInfo(ctx); return err }},
		{"Statistic.Overview", func(ctx context.Context) error { _, err := c.Statistic.Overview(ctx, day); return err }},
		{"Statistic.Batches", func(ctx context.Context) error {
			_, err := c.Statistic.Batches(ctx, &BatchListOptions{Date: day})
			return err
		}},
		{"Statistic.Deductions", func(ctx context.Context) error { _, err := c.Statistic.Deductions(ctx, day); return err }},
		{"Statistic.ExportFailed text", func(ctx context.Context) error {
			return countRows(c.Statistic.ExportFailed(ctx, &FailureExportOptions{Date: day, Type: FailureAll, Format: FormatText}))
		}},
		{"Track.Overview", func(ctx context.Context) error { _, err := c.Track.Overview(ctx, TaskByID(362)); return err }},
		{"Track.Opens", func(ctx context.Context) error { return countSeq(c.Track.Opens(ctx, TaskByID(362))) }},
		{"Track.Clicks", func(ctx context.Context) error { return countSeq(c.Track.Clicks(ctx, TaskByID(362), 0)) }},
		{"Track.LinkStats", func(ctx context.Context) error { _, err := c.Track.LinkStats(ctx, TaskByID(362), 0); return err }},
		{"Track.Export", func(ctx context.Context) error {
			return countRows(c.Track.Export(ctx, &TrackExportOptions{TrackID: 5120}))
		}},
		{"Maillist.List", func(ctx context.Context) error { _, err := c.Maillist.List(ctx); return err }},
		{"Maillist.Get", func(ctx context.Context) error { _, err := c.Maillist.Get(ctx, 101); return err }},
		{"Maillist.ListAddresses", func(ctx context.Context) error {
			_, err := c.Maillist.ListAddressesPage(ctx, &AddressListOptions{ListID: Ptr[int64](101)})
			return err
		}},
		{"Maillist.ExportSubscribers", func(ctx context.Context) error { return countRows(c.Maillist.ExportSubscribers(ctx, 101)) }},
		{"Maillist.AddAddresses", func(ctx context.Context) error {
			_, err := c.Maillist.AddAddresses(ctx, 101, slices.Values([]Address{{Email: "a@example.com"}, {Email: "b@example.com"}}), &AddressAddOptions{BatchSize: 1})
			return err
		}},
		{"Maillist.Delete", func(ctx context.Context) error { _, err := c.Maillist.Delete(ctx, 101); return err }},
		{"Task.List", func(ctx context.Context) error {
			_, err := c.Task.ListPage(ctx, &TaskListOptions{Page: 1, Limit: 30})
			return err
		}},
		{"Task.Find", func(ctx context.Context) error { _, err := c.Task.Find(ctx, &TaskFindOptions{Date: day}); return err }},
		{"Task.Create", func(ctx context.Context) error {
			_, err := c.Task.Create(ctx, &TaskParams{TemplateIDs: []int64{3}, SendAccount: "sales@example.com", MaillistID: 101, Time: day})
			return err
		}},
		{"Template.List", func(ctx context.Context) error { _, err := c.Template.List(ctx); return err }},
		{"Template.Create", func(ctx context.Context) error {
			_, err := c.Template.Create(ctx, &TemplateParams{Name: "n", Subjects: []string{"s"}, Content: "<p>c</p>",
				Attachments: []File{{Name: "a.txt", Content: bytes.NewReader([]byte("attachment"))}}})
			return err
		}},
		{"Domain.List", func(ctx context.Context) error { _, err := c.Domain.List(ctx); return err }},
		{"Domain.ForCustomer.Mailboxes", func(ctx context.Context) error {
			_, err := c.Domain.ForCustomer(1024).MailboxesPage(ctx, &MailboxListOptions{Page: 1})
			return err
		}},
		{"Domain.AddMailbox", func(ctx context.Context) error {
			_, err := c.Domain.AddMailbox(ctx, "sales@example.com", "mailbox-pw")
			return err
		}},
	}
	const goroutines = 50
	var wg sync.WaitGroup
	var ok atomic.Int64
	errs := make(chan error, goroutines*len(calls))
	for g := 0; g < goroutines; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			// Each goroutine starts at another call, so that every service
			// is in flight at the same time.
			for i := range calls {
				tc := calls[(g+i)%len(calls)]
				if err := tc.call(bg); err != nil {
					errs <- fmt.Errorf("goroutine %d: %s: %w", g, tc.name, err)
					continue
				}
				ok.Add(1)
			}
		}(g)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	require.Equal(t, int64(goroutines*len(calls)), ok.Load(), "every call succeeded")
	// AddAddresses sends one request per batch of one: two requests.
	assert.Equal(t, int64(goroutines*(len(calls)+1)), count.Load(), "requests")
}
