package bestedm

import (
	"net/url"
	"strconv"
)

// Every enumeration has a String method and, when it is sent, its own
// EncodeValues (go-querystring's Encoder), which writes the value the
// server expects: the number of an integer enum, the text of a string one.
// The fields that hold them are tagged omitempty, so the zero value is not
// sent and the server applies its default. String of an integer enum is a
// name for people (logs, %v); String of a string enum is its wire text.

// enumName is the String of an integer value that has no name.
func enumName(typ string, n int) string {
	return typ + "(" + strconv.Itoa(n) + ")"
}

// String returns the state's name: "cancelled", "paused", "held",
// "waiting", "sending" or "finished".
func (s SendStatus) String() string {
	switch s {
	case SendCancelled:
		return "cancelled"
	case SendPaused:
		return "paused"
	case SendHeld:
		return "held"
	case SendWaiting:
		return "waiting"
	case SendInProgress:
		return "sending"
	case SendFinished:
		return "finished"
	}
	return enumName("SendStatus", int(s))
}

// EncodeValues sends the state as its number (doc §6.1).
func (s SendStatus) EncodeValues(key string, v *url.Values) error {
	v.Set(key, strconv.Itoa(int(s)))
	return nil
}

// String returns "none", "opens" or "opens and clicks".
func (t TrackStatus) String() string {
	switch t {
	case TrackNone:
		return "none"
	case TrackOpens:
		return "opens"
	case TrackOpensAndClicks:
		return "opens and clicks"
	}
	return enumName("TrackStatus", int(t))
}

// EncodeValues sends the value as its number. TrackNone is sent as 0 when
// the field is a pointer (TaskUpdateParams), to switch tracking off.
func (t TrackStatus) EncodeValues(key string, v *url.Values) error {
	v.Set(key, strconv.Itoa(int(t)))
	return nil
}

// String returns "hold", "waiting" or "send now".
func (s TaskStatus) String() string {
	switch s {
	case TaskHold:
		return "hold"
	case TaskWaiting:
		return "waiting"
	case TaskSendNow:
		return "send now"
	}
	return enumName("TaskStatus", int(s))
}

// EncodeValues sends the status as its number (doc §5.1).
func (s TaskStatus) EncodeValues(key string, v *url.Values) error {
	v.Set(key, strconv.Itoa(int(s)))
	return nil
}

// String returns "list" or "subscription".
func (r RecipientSource) String() string {
	switch r {
	case RecipientsList:
		return "list"
	case RecipientsSubscription:
		return "subscription"
	}
	return enumName("RecipientSource", int(r))
}

// String returns the kind's name as the document spells it ("all",
// "not_exist", "over_quota", "user_reject", "invalid_addr",
// "format_error"), "temporary" for FailureTemporary, and "unknown" for 0.
func (t FailureType) String() string {
	switch t {
	case 0:
		return "unknown"
	case FailureAll:
		return "all"
	case FailureNotExist:
		return "not_exist"
	case FailureOverQuota:
		return "over_quota"
	case FailureUserReject:
		return "user_reject"
	case FailureTemporary:
		return "temporary"
	case FailureInvalidAddress:
		return "invalid_addr"
	case FailureFormatError:
		return "format_error"
	}
	return enumName("FailureType", int(t))
}

// String returns the format's name, "" for the zero value.
func (f ExportFormat) String() string { return string(f) }

// String returns the status as the server spells it.
func (s MaillistStatus) String() string { return string(s) }

// EncodeValues sends the status as the server spells it.
func (s MaillistStatus) EncodeValues(key string, v *url.Values) error {
	v.Set(key, string(s))
	return nil
}

// String returns "M" or "F".
func (s Sex) String() string { return string(s) }

// String returns the encoding as the server spells it.
func (e TransferEncoding) String() string { return string(e) }

// EncodeValues sends the encoding as the server spells it.
func (e TransferEncoding) EncodeValues(key string, v *url.Values) error {
	v.Set(key, string(e))
	return nil
}

// String returns "all", "domain" or "address".
func (s SenderScope) String() string { return string(s) }

// String returns "enabled" or "disabled".
func (s ServiceStatus) String() string { return string(s) }

// String returns "all" or "day".
func (t ServiceType) String() string { return string(t) }

// String returns "remote" or "local".
func (t SendType) String() string { return string(t) }
