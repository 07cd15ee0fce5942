package bestedm

import (
	"errors"
	"fmt"
	"net/http"
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
	// ErrUnauthorized is matched by an *HTTPError, or an *APIError, that came
	// with HTTP status 401 or 403.
	ErrUnauthorized = errors.New("bestedm: unauthorized")
	// ErrRateLimited is matched by an *HTTPError with status 429.
	ErrRateLimited = errors.New("bestedm: rate limited")
	// ErrUnexpectedReply is matched by every *HTTPError and *DecodeError:
	// the server sent something other than the reply the document describes.
	ErrUnexpectedReply = errors.New("bestedm: unexpected reply")
	// ErrNotFound is returned, wrapped as "bestedm: not found: task 7", by
	// Get methods when the server's list holds no item with that id.
	ErrNotFound = errors.New("bestedm: not found")
	// ErrReplyTooLarge is matched when a reply exceeds the configured
	// maximum size (see WithMaxReplySize).
	ErrReplyTooLarge = errors.New("bestedm: reply too large")
)

// ValidationError reports a bad argument, found before any request was sent.
type ValidationError struct {
	Field  string // the API parameter name, e.g. "list_id"
	Reason string
}

// Error names the parameter and the reason.
func (e *ValidationError) Error() string {
	return fmt.Sprintf("bestedm: invalid %s: %s", e.Field, e.Reason)
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
// and ErrUnauthorized when it came with HTTP 401 or 403.
func (e *APIError) Is(target error) bool {
	switch target {
	case ErrAPI:
		return true
	case ErrUnauthorized:
		return e.HTTPStatus == http.StatusUnauthorized || e.HTTPStatus == http.StatusForbidden
	}
	var t *APIError
	if errors.As(target, &t) && t != nil {
		return t.Status == e.Status
	}
	return false
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

// Is matches ErrUnexpectedReply.
func (e *DecodeError) Is(target error) bool { return target == ErrUnexpectedReply }

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
