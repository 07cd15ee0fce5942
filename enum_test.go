package bestedm

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/google/go-querystring/query"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// encoded returns what go-querystring sends for v in a field tagged
// "k,omitempty", as the SDK's parameter structs tag their enums; "" when
// the field is not sent.
func encoded[T any](t *testing.T, v T) (string, bool) {
	t.Helper()
	q, err := query.Values(struct {
		K T `url:"k,omitempty"`
	}{v})
	require.NoError(t, err)
	_, sent := q["k"]
	return q.Get("k"), sent
}

// Every constant of every enum has a name, and every enum that is sent is
// encoded as the server spells it, by its own EncodeValues; the zero value
// is not sent.
func TestEnumStringAndEncoding(t *testing.T) {
	type row struct {
		value     fmt.Stringer
		str, wire string // wire "" when the type is never sent
		encode    func(t *testing.T) (string, bool)
	}
	enc := func(v any) func(t *testing.T) (string, bool) {
		return func(t *testing.T) (string, bool) {
			switch v := v.(type) {
			case SendStatus:
				return encoded(t, v)
			case TaskStatus:
				return encoded(t, v)
			case TrackStatus:
				return encoded(t, v)
			case FailureType:
				return encoded(t, v)
			case ExportFormat:
				return encoded(t, v)
			case MaillistStatus:
				return encoded(t, v)
			case TransferEncoding:
				return encoded(t, v)
			}
			t.Fatalf("no encoding for %T", v)
			return "", false
		}
	}
	rows := []row{
		{SendCancelled, "cancelled", "-3", enc(SendCancelled)},
		{SendPaused, "paused", "-2", enc(SendPaused)},
		{SendHeld, "held", "-1", enc(SendHeld)},
		{SendWaiting, "waiting", "1", enc(SendWaiting)},
		{SendInProgress, "sending", "2", enc(SendInProgress)},
		{SendFinished, "finished", "3", enc(SendFinished)},
		{SendStatus(7), "SendStatus(7)", "7", enc(SendStatus(7))},
		{TaskHold, "hold", "-1", enc(TaskHold)},
		{TaskWaiting, "waiting", "1", enc(TaskWaiting)},
		{TaskSendNow, "send now", "2", enc(TaskSendNow)},
		{TaskStatus(5), "TaskStatus(5)", "5", enc(TaskStatus(5))},
		{TrackOpens, "opens", "1", enc(TrackOpens)},
		{TrackOpensAndClicks, "opens and clicks", "2", enc(TrackOpensAndClicks)},
		{FailureAll, "all", "all", enc(FailureAll)},
		{FailureNotExist, "not_exist", "1", enc(FailureNotExist)},
		{FailureOverQuota, "over_quota", "2", enc(FailureOverQuota)},
		{FailureUserReject, "user_reject", "3", enc(FailureUserReject)},
		{FailureTemporary, "temporary", "4", enc(FailureTemporary)},
		{FailureType(5), "FailureType(5)", "5", enc(FailureType(5))},
		{FailureInvalidAddress, "invalid_addr", "8", enc(FailureInvalidAddress)},
		{FailureFormatError, "format_error", "9", enc(FailureFormatError)},
		{FormatJSON, "json", "json", enc(FormatJSON)},
		{FormatXML, "xml", "xml", enc(FormatXML)},
		{MaillistEnabled, "enabled", "enabled", enc(MaillistEnabled)},
		{MaillistDisabled, "disabled", "disabled", enc(MaillistDisabled)},
		{EncodingBase64, "base64", "base64", enc(EncodingBase64)},
		{EncodingQuotedPrintable, "quoted-printable", "quoted-printable", enc(EncodingQuotedPrintable)},
		// Read from replies only: a name, no encoding.
		{TrackNone, "none", "", nil},
		{RecipientsList, "list", "", nil},
		{RecipientsSubscription, "subscription", "", nil},
		{RecipientSource(3), "RecipientSource(3)", "", nil},
		{FailureType(0), "unknown", "", nil},
		{SexMale, "M", "", nil},
		{SexFemale, "F", "", nil},
		{SenderScopeAll, "all", "", nil},
		{SenderScopeDomain, "domain", "", nil},
		{SenderScopeAddress, "address", "", nil},
		{ServiceEnabled, "enabled", "", nil},
		{ServiceDisabled, "disabled", "", nil},
		{ServiceTypeTotal, "all", "", nil},
		{ServiceTypeDaily, "day", "", nil},
		{SendRemote, "remote", "", nil},
		{SendLocal, "local", "", nil},
		{AuthBasic, "basic", "", nil},
		{AuthQuery, "query", "", nil},
	}
	for _, r := range rows {
		t.Run(fmt.Sprintf("%T/%s", r.value, r.str), func(t *testing.T) {
			assert.Equal(t, r.str, r.value.String())
			assert.Equal(t, r.str, fmt.Sprint(r.value), "%v prints the name")
			if r.encode == nil {
				return
			}
			got, sent := r.encode(t)
			assert.True(t, sent)
			assert.Equal(t, r.wire, got)
		})
	}

	// The zero value of every sent enum is not sent.
	for name, zero := range map[string]func(t *testing.T) (string, bool){
		"SendStatus": enc(SendStatus(0)), "TaskStatus": enc(TaskStatus(0)), "TrackStatus": enc(TrackNone),
		"FailureType": enc(FailureType(0)), "ExportFormat": enc(ExportFormat("")),
		"MaillistStatus": enc(MaillistStatus("")), "TransferEncoding": enc(TransferEncoding("")),
	} {
		_, sent := zero(t)
		assert.False(t, sent, "%s zero value", name)
	}
	// FormatText is the document's form, asked for by sending nothing.
	_, sent := encoded(t, FormatText)
	assert.False(t, sent, "FormatText")
	// Behind a pointer (TaskUpdateParams), TrackNone is sent, to switch
	// tracking off; a nil pointer is not sent.
	got, sent := encoded(t, Ptr(TrackNone))
	assert.True(t, sent)
	assert.Equal(t, "0", got)
	_, sent = encoded[*TrackStatus](t, nil)
	assert.False(t, sent)
}

// The send_account and send_domain values that mean every sender are the
// document's "all".
func TestSendAllConstants(t *testing.T) {
	assert.Equal(t, "all", SendAccountAll)
	assert.Equal(t, "all", SendDomainAll)
	q, err := (&Client{}).encodeParams(&TaskUpdateParams{SendDomain: SendDomainAll, SendAccount: SendAccountAll})
	require.NoError(t, err)
	assert.Equal(t, url.Values{"send_domain": {"all"}, "send_account": {"all"}}, q)
}
