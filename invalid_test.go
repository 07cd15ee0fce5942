package bestedm

import (
	"context"
	"errors"
	"iter"
	"net/http"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// firstErr returns the first error an iterator yields.
func firstErr[T any](seq iter.Seq2[T, error]) error {
	for _, err := range seq {
		if err != nil {
			return err
		}
	}
	return nil
}

// Every invalid call, in every service, fails with a *ValidationError
// naming the API parameter, and sends nothing: the server counts requests.
func TestInvalidCallsSendNothing(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	var requests atomic.Int32
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		requests.Add(1)
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
	})
	day := time.Date(2024, 3, 2, 0, 0, 0, 0, china)
	okTask := func() *TaskParams {
		return &TaskParams{TemplateIDs: []int64{3}, SendAccount: "sales@example.com", MaillistID: 101, Time: day}
	}
	okTpl := func() *TemplateParams {
		return &TemplateParams{Name: "n", Subjects: []string{"s"}, Content: "<p>c</p>"}
	}
	addrs := func(a ...Address) iter.Seq[Address] { return slices.Values(a) }
	tests := []struct {
		name  string
		field string
		call  func(ctx context.Context) error
	}{
		// Account (§1): the context is the only argument.
		{"account: nil context", "ctx", func(context.Context) error {
			_, err := c.Account.CustomerInfo(nil) //lint:ignore SA1012 a nil context is what is tested
			return err
		}},

		// Statistic (§2).
		{"overview: zero date", "date", func(ctx context.Context) error { _, err := c.Statistic.Overview(ctx, time.Time{}); return err }},
		{"deductions: zero date", "date", func(ctx context.Context) error { _, err := c.Statistic.Deductions(ctx, time.Time{}); return err }},
		{"batches: no options", "date", func(ctx context.Context) error { _, err := c.Statistic.Batches(ctx, nil); return err }},
		{"batches: blank ident and zero date", "date", func(ctx context.Context) error {
			_, err := c.Statistic.Batches(ctx, &BatchListOptions{Ident: "  "})
			return err
		}},
		{"export failed: no options", "date", func(ctx context.Context) error { _, err := c.Statistic.ExportFailed(ctx, nil); return err }},
		{"export failed: zero type", "type", func(ctx context.Context) error {
			_, err := c.Statistic.ExportFailed(ctx, &FailureExportOptions{Date: day})
			return err
		}},
		{"export failed: unknown type", "type", func(ctx context.Context) error {
			_, err := c.Statistic.ExportFailed(ctx, &FailureExportOptions{Date: day, Type: -7})
			return err
		}},
		{"export failed: type 1 without a task", "task_id", func(ctx context.Context) error {
			_, err := c.Statistic.ExportFailed(ctx, &FailureExportOptions{Date: day, Type: FailureNotExist})
			return err
		}},
		{"export failed: negative task id", "task_id", func(ctx context.Context) error {
			_, err := c.Statistic.ExportFailed(ctx, &FailureExportOptions{Date: day, Type: FailureAll, TaskID: -1})
			return err
		}},

		// Track (§3).
		{"track overview: empty TaskRef", "id", func(ctx context.Context) error { _, err := c.Track.Overview(ctx, TaskRef{}); return err }},
		{"track overview: negative id", "id", func(ctx context.Context) error { _, err := c.Track.Overview(ctx, TaskByID(-5)); return err }},
		{"opens: blank ident", "id", func(ctx context.Context) error { return firstErr(c.Track.Opens(ctx, TaskByIdent(" \t"))) }},
		{"clicks: negative link", "link_id", func(ctx context.Context) error { return firstErr(c.Track.Clicks(ctx, TaskByID(1), -1)) }},
		{"link stats: bad TaskRef", "id", func(ctx context.Context) error {
			_, err := c.Track.LinkStats(ctx, TaskRef{ID: -1, Ident: "x"}, 0)
			return err
		}},
		{"track export: no options", "track_id", func(ctx context.Context) error { _, err := c.Track.Export(ctx, nil); return err }},
		{"track export: zero track id", "track_id", func(ctx context.Context) error {
			_, err := c.Track.Export(ctx, &TrackExportOptions{LinkID: 3})
			return err
		}},
		{"track export: negative email id", "email_id", func(ctx context.Context) error {
			_, err := c.Track.Export(ctx, &TrackExportOptions{TrackID: 1, EmailID: -2})
			return err
		}},

		// Maillist (§4).
		{"maillist get: zero id", "id", func(ctx context.Context) error { _, err := c.Maillist.Get(ctx, 0); return err }},
		{"maillist create: no subject", "subject", func(ctx context.Context) error {
			_, err := c.Maillist.Create(ctx, &MaillistParams{Status: MaillistEnabled})
			return err
		}},
		{"maillist create: unknown status", "status", func(ctx context.Context) error {
			_, err := c.Maillist.Create(ctx, &MaillistParams{Name: "s", Status: "paused"})
			return err
		}},
		{"maillist update: nothing to change", "MaillistParams", func(ctx context.Context) error { _, err := c.Maillist.Update(ctx, 1, nil); return err }},
		{"maillist delete: negative id", "id", func(ctx context.Context) error { _, err := c.Maillist.Delete(ctx, -1); return err }},
		{"export subscribers: zero id", "id", func(ctx context.Context) error { _, err := c.Maillist.ExportSubscribers(ctx, 0); return err }},
		{"export unsubscribed: negative id", "id", func(ctx context.Context) error {
			_, err := c.Maillist.ExportUnsubscribed(ctx, -3)
			return err
		}},
		{"subscribe: no subscriber", "address", func(ctx context.Context) error { _, err := c.Maillist.Subscribe(ctx, 1); return err }},
		{"subscribe: address without @", "address", func(ctx context.Context) error {
			_, err := c.Maillist.Subscribe(ctx, 1, Subscriber{Email: "lin.wei.example.com"})
			return err
		}},
		{"subscribe: separator in a name", "name", func(ctx context.Context) error {
			_, err := c.Maillist.Subscribe(ctx, 1, Subscriber{Email: "a@example.com"}, Subscriber{Email: "b@example.com", Name: "张;三"})
			return err
		}},
		{"unsubscribe: zero list", "list_id", func(ctx context.Context) error { _, err := c.Maillist.Unsubscribe(ctx, 0, "a@example.com"); return err }},
		{"unsubscribe: no address", "address", func(ctx context.Context) error { _, err := c.Maillist.Unsubscribe(ctx, 1); return err }},
		{"list addresses: negative list", "list_id", func(ctx context.Context) error {
			_, err := c.Maillist.ListAddressesPage(ctx, &AddressListOptions{ListID: Ptr[int64](-1)})
			return err
		}},
		{"list addresses: negative page", "page", func(ctx context.Context) error {
			_, err := c.Maillist.ListAddressesPage(ctx, &AddressListOptions{Page: -1})
			return err
		}},
		{"list addresses iter: negative limit", "limit", func(ctx context.Context) error {
			return firstErr(c.Maillist.ListAddresses(ctx, &AddressListOptions{Limit: -5}))
		}},
		{"add address: unknown sex", "sex", func(ctx context.Context) error {
			_, err := c.Maillist.AddAddress(ctx, 1, Address{Email: "a@example.com", Sex: "X"})
			return err
		}},
		{"add address: empty address", "address", func(ctx context.Context) error { _, err := c.Maillist.AddAddress(ctx, 1, Address{}); return err }},
		{"add addresses: ';' in a name", "fullname", func(ctx context.Context) error {
			_, err := c.Maillist.AddAddresses(ctx, 1, addrs(Address{Email: "a@example.com", Name: "a;b"}), nil)
			return err
		}},
		{"add addresses: newline in var3", "var3", func(ctx context.Context) error {
			_, err := c.Maillist.AddAddresses(ctx, 1, addrs(Address{Email: "a@example.com"}, Address{Email: "b@example.com", Var3: "x\ny"}), nil)
			return err
		}},
		{"add addresses: empty batch", "ml_addr", func(ctx context.Context) error {
			_, err := c.Maillist.AddAddresses(ctx, 1, addrs(), nil)
			return err
		}},
		{"add addresses: nil sequence", "ml_addr", func(ctx context.Context) error {
			_, err := c.Maillist.AddAddresses(ctx, 1, nil, nil)
			return err
		}},
		{"add addresses: batch too large", "AddressAddOptions.BatchSize", func(ctx context.Context) error {
			_, err := c.Maillist.AddAddresses(ctx, 1, addrs(Address{Email: "a@example.com"}), &AddressAddOptions{BatchSize: MaxBatchSize + 1})
			return err
		}},
		{"update address: nothing to change", "Address", func(ctx context.Context) error { _, err := c.Maillist.UpdateAddress(ctx, 9, Address{}); return err }},
		{"import file: no content", "file", func(ctx context.Context) error {
			_, err := c.Maillist.ImportFile(ctx, 1, File{Name: "list.csv"})
			return err
		}},
		{"empty: zero list", "list_id", func(ctx context.Context) error { _, err := c.Maillist.Empty(ctx, 0); return err }},
		{"delete address: zero id", "id", func(ctx context.Context) error { _, err := c.Maillist.DeleteAddress(ctx, 0); return err }},

		// Task (§2.1, §5.1, §6).
		{"tasks by date: zero date", "TaskFindOptions", func(ctx context.Context) error {
			_, err := c.Task.Find(ctx, &TaskFindOptions{Date: time.Time{}})
			return err
		}},
		{"task list: unknown status", "send_status", func(ctx context.Context) error {
			_, err := c.Task.ListPage(ctx, &TaskListOptions{SendStatus: 7})
			return err
		}},
		{"task list iter: negative page", "page", func(ctx context.Context) error {
			return firstErr(c.Task.List(ctx, &TaskListOptions{Page: -2}))
		}},
		{"task get: zero id", "id", func(ctx context.Context) error { _, err := c.Task.Get(ctx, 0); return err }},
		{"task create: empty template list", "tpl_id", func(ctx context.Context) error {
			p := okTask()
			p.TemplateIDs = []int64{}
			_, err := c.Task.Create(ctx, p)
			return err
		}},
		{"task create: zero template id", "tpl_id", func(ctx context.Context) error {
			p := okTask()
			p.TemplateIDs = []int64{3, 0}
			_, err := c.Task.Create(ctx, p)
			return err
		}},
		{"task create: sender without @", "send_account", func(ctx context.Context) error {
			p := okTask()
			p.SendAccount = "sales"
			_, err := c.Task.Create(ctx, p)
			return err
		}},
		{"task create: all domains, one account", "send_domain", func(ctx context.Context) error {
			p := okTask()
			p.SendDomain = "all"
			_, err := c.Task.Create(ctx, p)
			return err
		}},
		{"task create: zero time", "time", func(ctx context.Context) error {
			p := okTask()
			p.Time = time.Time{}
			_, err := c.Task.Create(ctx, p)
			return err
		}},
		{"task create: unknown status", "status", func(ctx context.Context) error {
			p := okTask()
			p.Status = 3
			_, err := c.Task.Create(ctx, p)
			return err
		}},
		{"task create: negative quantity", "send_qty", func(ctx context.Context) error {
			p := okTask()
			p.SendQty = -1
			_, err := c.Task.Create(ctx, p)
			return err
		}},
		{"task update: status not hold or wait", "send_status", func(ctx context.Context) error {
			_, err := c.Task.Update(ctx, 1, &TaskUpdateParams{SendStatus: SendFinished})
			return err
		}},
		{"task update: bad reply-to", "send_replyto", func(ctx context.Context) error {
			_, err := c.Task.Update(ctx, 1, &TaskUpdateParams{SendReplyTo: "nobody"})
			return err
		}},
		{"task update: nothing to change", "TaskUpdateParams", func(ctx context.Context) error {
			_, err := c.Task.Update(ctx, 1, &TaskUpdateParams{})
			return err
		}},
		{"task delete: negative id", "id", func(ctx context.Context) error { _, err := c.Task.Delete(ctx, -9); return err }},

		// Template (§5).
		{"template create: no subject", "subject", func(ctx context.Context) error {
			p := okTpl()
			p.Subjects = nil
			_, err := c.Template.Create(ctx, p)
			return err
		}},
		{"template create: '|' in a subject", "subject", func(ctx context.Context) error {
			p := okTpl()
			p.Subjects = []string{"a|b"}
			_, err := c.Template.Create(ctx, p)
			return err
		}},
		{"template create: unknown encoding", "encoding", func(ctx context.Context) error {
			p := okTpl()
			p.Encoding = "7bit"
			_, err := c.Template.Create(ctx, p)
			return err
		}},
		{"template create: quote in a file name", "file", func(ctx context.Context) error {
			p := okTpl()
			p.Attachments = []File{{Name: `a".pdf`, Content: strings.NewReader("x")}}
			_, err := c.Template.Create(ctx, p)
			return err
		}},
		{"template get: zero id", "tpl_id", func(ctx context.Context) error { _, err := c.Template.Get(ctx, 0); return err }},
		{"template update: nothing to change", "TemplateUpdateParams", func(ctx context.Context) error {
			_, err := c.Template.Update(ctx, 1, &TemplateUpdateParams{Encoding: EncodingBase64})
			return err
		}},
		{"add attachments: no file", "file", func(ctx context.Context) error { _, err := c.Template.AddAttachments(ctx, 1); return err }},
		{"delete attachment: zero attachment id", "attachment_id", func(ctx context.Context) error {
			_, err := c.Template.DeleteAttachment(ctx, 1, 0)
			return err
		}},
		{"delete attachment: negative attachment id", "attachment_id", func(ctx context.Context) error {
			_, err := c.Template.DeleteAttachment(ctx, 1, -2)
			return err
		}},
		{"template delete: zero id", "tpl_id", func(ctx context.Context) error { _, err := c.Template.Delete(ctx, 0); return err }},

		// Domain (§7).
		{"domain list: manager mode without a customer", "customer_id", func(ctx context.Context) error {
			_, err := c.Domain.ForCustomer(0).List(ctx)
			return err
		}},
		{"domain add: zero customer", "customer_id", func(ctx context.Context) error { _, err := c.Domain.Add(ctx, 0, "example.com"); return err }},
		{"domain add: not a domain", "domain", func(ctx context.Context) error { _, err := c.Domain.Add(ctx, 1, "localhost"); return err }},
		{"domain delete: other customer than ForCustomer", "customer_id", func(ctx context.Context) error {
			_, err := c.Domain.ForCustomer(5).Delete(ctx, 6, "example.com")
			return err
		}},
		{"mailboxes: negative page", "page", func(ctx context.Context) error {
			_, err := c.Domain.MailboxesPage(ctx, &MailboxListOptions{Page: -1})
			return err
		}},
		{"mailboxes iter: bad domain", "domain", func(ctx context.Context) error {
			return firstErr(c.Domain.Mailboxes(ctx, &MailboxListOptions{Domain: "bad domain"}))
		}},
		{"add mailbox: empty mailbox", "mailbox", func(ctx context.Context) error { _, err := c.Domain.AddMailbox(ctx, "", "pw-123456"); return err }},
		{"add mailbox: empty password", "pwd", func(ctx context.Context) error {
			_, err := c.Domain.AddMailbox(ctx, "sales@example.com", "")
			return err
		}},
		{"update mailbox: mailbox without @", "mailbox", func(ctx context.Context) error {
			_, err := c.Domain.UpdateMailbox(ctx, "sales", "pw-123456")
			return err
		}},
		{"delete mailbox: empty mailbox", "mailbox", func(ctx context.Context) error { _, err := c.Domain.DeleteMailbox(ctx, ""); return err }},
	}
	require.GreaterOrEqual(t, len(tests), 30)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(bg)
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "want *ValidationError, got %T: %v", err, err)
			assertValidationName(t, ve, tt.field)
			assert.ErrorIs(t, err, ErrValidation)
			assert.NotEmpty(t, ve.Reason)
		})
	}
	assert.Equal(t, int32(0), requests.Load(), "no invalid call reached the server")
}
