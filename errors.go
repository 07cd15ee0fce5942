package bestedm

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"strings"
	"time"
)

// Sentinel errors, for use with errors.Is. Each typed error below maps to
// one or more of them.
var (
	// ErrValidation is matched by every *ValidationError: the call was
	// rejected before anything was sent.
	ErrValidation = errors.New("bestedm: invalid argument")
	// ErrAPI is matched by every *APIError: the server answered with a
	// <result> whose status is not "success".
	ErrAPI = errors.New("bestedm: API error")
	// ErrUnauthorized is matched when the server refused the credentials:
	// by every *APIError with StatusAuthError, whatever its HTTP status
	// (the fake, and any httpmock reply, answer it with 200), and by an
	// *HTTPError or *APIError that came with HTTP status 401 or 403.
	ErrUnauthorized = errors.New("bestedm: unauthorized")
	// ErrRateLimited is matched by an *HTTPError with status 429.
	ErrRateLimited = errors.New("bestedm: rate limited")
	// ErrUnexpectedReply is matched by every *HTTPError and *DecodeError:
	// the server sent something other than the reply the document describes.
	ErrUnexpectedReply = errors.New("bestedm: unexpected reply")
	// ErrNotFound is matched when the item a call names does not exist:
	// by every *NotFoundError, and by an *APIError with a not-found status
	// (see APIError.Is).
	ErrNotFound = errors.New("bestedm: not found")
	// ErrReplyTooLarge is matched when a reply exceeds the configured
	// maximum size (see WithMaxReplySize).
	ErrReplyTooLarge = errors.New("bestedm: reply too large")
)

// ValidationError reports a bad argument, found before any request was sent.
// Exactly one of Field and Arg is set.
type ValidationError struct {
	// Field is the API parameter's name as the document spells it, e.g.
	// "list_id" or "send_time", when the bad input is sent as one.
	Field string
	// Arg names the bad input as Go code does when it is not an API
	// parameter: an argument ("ctx"), an option ("WithTimeout"), a field
	// or struct of the SDK ("AddressAddOptions.BatchSize",
	// "TaskUpdateParams"). Empty when Field is set.
	Arg    string
	Reason string
}

// Error names the parameter, or else the Go argument, and the reason:
// "bestedm: invalid list_id: must be a positive id, got 0",
// "bestedm: invalid WithTimeout: must be positive".
func (e *ValidationError) Error() string {
	name := e.Field
	if name == "" {
		name = e.Arg
	}
	return fmt.Sprintf("bestedm: invalid %s: %s", name, e.Reason)
}

// Is reports whether target is ErrValidation.
func (e *ValidationError) Is(target error) bool { return target == ErrValidation }

// APIError is a <result> reply whose status is not "success", such as
// "add_maillist_error".
type APIError struct {
	Status     Status // the status identifier, trimmed, e.g. StatusNotFound
	Message    string // the <data> text, if any
	HTTPStatus int
	Call       string // method and URL of the call, credentials redacted
}

// Error gives the call, the status identifier and the message.
func (e *APIError) Error() string {
	var sb strings.Builder
	sb.WriteString("bestedm: ")
	sb.WriteString(e.Call)
	sb.WriteString(": ")
	sb.WriteString(string(e.Status))
	if e.Message != "" {
		sb.WriteString(": ")
		sb.WriteString(e.Message)
	}
	return sb.String()
}

// Is reports whether target is ErrAPI, or an *APIError with the same Status
// (so errors.Is(err, &bestedm.APIError{Status: bestedm.StatusAddMaillistError}) works),
// ErrUnauthorized when its status is StatusAuthError or it came with HTTP
// 401 or 403, and ErrNotFound when
// its status says the item does not exist (StatusNotFound).
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrAPI:
		return true
	case ErrNotFound:
		return isNotFoundStatus(e.Status)
	case ErrUnauthorized:
		return e.Status == StatusAuthError || e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden
	}
	var t *APIError
	if errors.As(target, &t) && t != nil {
		return t.Status == e.Status
	}
	return false
}

// isNotFoundStatus reports whether a <result> status says that the item
// the call named does not exist. The document lists no status for it;
// "not_found" is the identifier the bestedmtest fake answers for an id,
// task, template, list, address, domain or mailbox that does not exist.
func isNotFoundStatus(status Status) bool { return status == StatusNotFound }

// NotFoundError reports that the item a call names does not exist. The
// server said so with a not-found status (Err is then the *APIError) or
// with an empty reply (Err is nil). It matches ErrNotFound; its message is
// "bestedm: <call>: <kind> <id> not found" (for Kind KindTracking:
// "bestedm: <call>: task <id> has no tracking (…)").
//
// ID is text, for every kind of item: a domain or a mailbox is named, not
// numbered, and a task may be named by its batch number. When the call was
// given a numeric id, IDNum holds it as a number (print it with %d);
// otherwise IDNum is 0.
type NotFoundError struct {
	Call  string // method and URL of the call, credentials redacted
	Kind  string // what was looked for: "task", "template", "maillist", …
	ID    string // its id as text ("7"), or its name for a domain, a mailbox, a task by batch number
	IDNum int64  // its numeric id (7) when the call was given one, else 0
	Err   error  // the *APIError the server answered, nil for an empty reply
}

// Error gives the call and the missing item; for KindTracking, the task
// that has no tracking.
func (e *NotFoundError) Error() string {
	if e.Kind == KindTracking {
		return fmt.Sprintf("bestedm: %s: task %s has no tracking (it exists, but was created without track_status)", e.Call, e.ID)
	}
	return fmt.Sprintf("bestedm: %s: %s %s not found", e.Call, e.Kind, e.ID)
}

// Unwrap returns the server's *APIError, if any.
func (e *NotFoundError) Unwrap() error { return e.Err }

// Is matches ErrNotFound, and ErrNoTracking when Kind is KindTracking.
func (e *NotFoundError) Is(target error) bool {
	return target == ErrNotFound || (target == ErrNoTracking && e.Kind == KindTracking)
}

// HTTPError is a reply with a non-2xx HTTP status.
type HTTPError struct {
	StatusCode  int
	ContentType string
	Snippet     string        // the start of the body, for diagnosis
	RetryAfter  time.Duration // from a Retry-After header, 0 if none
	Call        string        // method and URL, credentials redacted
	Attempts    int           // how many times the request was sent
}

// Error gives the call, the status, the content type and a snippet.
func (e *HTTPError) Error() string {
	s := fmt.Sprintf("bestedm: %s: HTTP %d %s", e.Call, e.StatusCode, http.StatusText(e.StatusCode))
	if e.ContentType != "" {
		s += " (" + e.ContentType + ")"
	}
	if e.Snippet != "" {
		s += ": " + fmt.Sprintf("%q", e.Snippet)
	}
	if e.Attempts > 1 {
		s += fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return s
}

// Is maps the status code to ErrUnauthorized and ErrRateLimited; every
// HTTPError also matches ErrUnexpectedReply.
func (e *HTTPError) Is(target error) bool {
	switch target {
	case ErrUnexpectedReply:
		return true
	case ErrUnauthorized:
		return e.StatusCode == http.StatusUnauthorized || e.StatusCode == http.StatusForbidden
	case ErrRateLimited:
		return e.StatusCode == http.StatusTooManyRequests
	}
	return false
}

// DecodeError is a 2xx reply whose body is not what the call expects: empty,
// HTML, truncated, the wrong root element, or a value that cannot be read.
type DecodeError struct {
	Call        string // method and URL, credentials redacted
	Expected    string // what was expected, e.g. "<maillist>"
	ContentType string
	Snippet     string // the start of the body
	Err         error  // the underlying cause
}

// Error says what was expected, what went wrong and how the body starts.
func (e *DecodeError) Error() string {
	s := fmt.Sprintf("bestedm: %s: expected %s", e.Call, e.Expected)
	if e.Err != nil {
		s += ": " + e.Err.Error()
	}
	if e.ContentType != "" {
		s += "; content type " + e.ContentType
	}
	s += fmt.Sprintf("; body starts %q", e.Snippet)
	return s
}

// Unwrap returns the cause.
func (e *DecodeError) Unwrap() error { return e.Err }

// Is matches ErrUnexpectedReply, and ErrTimeout when the body stopped
// arriving because time ran out.
func (e *DecodeError) Is(target error) bool {
	switch target {
	case ErrUnexpectedReply:
		return true
	case ErrTimeout:
		return isTimeout(e.Err)
	}
	return false
}

// RequestError is a failure to complete the HTTP exchange (dial, TLS,
// timeout, cancelled context, broken connection) after Attempts tries.
type RequestError struct {
	Call     string // method and URL, credentials redacted
	Attempts int
	Err      error // the last cause, with credentials redacted from URLs
}

// Error gives the call, the attempts made and the cause.
func (e *RequestError) Error() string {
	tries := ""
	if e.Attempts > 1 {
		tries = fmt.Sprintf(" (after %d attempts)", e.Attempts)
	}
	return fmt.Sprintf("bestedm: %s%s: %v", e.Call, tries, e.Err)
}

// Unwrap returns the cause, so errors.Is(err, context.Canceled) works.
func (e *RequestError) Unwrap() error { return e.Err }

// Is matches ErrTimeout when the exchange failed because time ran out.
func (e *RequestError) Is(target error) bool { return target == ErrTimeout && isTimeout(e.Err) }

// Timeout reports whether the exchange failed because time ran out, as
// net.Error's method does: the same test as errors.Is(err, ErrTimeout).
func (e *RequestError) Timeout() bool { return isTimeout(e.Err) }

// PagingError ends a paged iterator (Task.List, Maillist.ListAddresses,
// Domain.Mailboxes) whose server does not page as asked: a page that
// repeats the previous one (a server that ignores page=), or a page that
// holds items past the total its own reply reports. Without it such a
// server would make the loop fetch the same records forever. It matches
// ErrUnexpectedReply.
type PagingError struct {
	Page   int    // the page that broke the rule, counting from 1
	Reason string // what was wrong with it
}

// Error names the page and what was wrong with it.
func (e *PagingError) Error() string {
	return fmt.Sprintf("bestedm: unexpected reply: page %d: %s", e.Page, e.Reason)
}

// Is matches ErrUnexpectedReply.
func (e *PagingError) Is(target error) bool { return target == ErrUnexpectedReply }

// ErrTimeout is matched by every error of a call that ran out of time —
// the one check for a timeout, whichever clock ran out:
//
//	if errors.Is(err, bestedm.ErrTimeout) { … }
//
// It matches when the server stayed silent for longer than WithTimeout,
// when the caller's context deadline passed, and when the transport gave
// up on its own (net/http's Client.Timeout or a dial timeout: any cause
// with a Timeout() bool method that returns true, or
// os.ErrDeadlineExceeded). A cancelled context is not a timeout. The
// SDK's own timeout also matches context.DeadlineExceeded and
// os.ErrDeadlineExceeded, and *RequestError has the Timeout() bool method
// of net.Error.
var ErrTimeout = errors.New("bestedm: timeout")

// isTimeout reports whether err, a cause, says that time ran out.
func isTimeout(err error) bool {
	if err == nil {
		return false
	}
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, os.ErrDeadlineExceeded) {
		return true
	}
	var t interface{ Timeout() bool }
	return errors.As(err, &t) && t.Timeout()
}

// isTimeoutTarget reports whether target is a sentinel that the SDK's own
// timeout (errTimeout) matches.
func isTimeoutTarget(target error) bool {
	return target == ErrTimeout || target == context.DeadlineExceeded || target == os.ErrDeadlineExceeded
}
