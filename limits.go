package bestedm

import (
	"errors"
	"fmt"

	"github.com/bestedm/bestedm-go/internal/xmlbind"
)

// defaultMaxRecordSize bounds one record (see WithMaxRecordSize).
const defaultMaxRecordSize = xmlbind.DefaultRecord

// LimitError reports a reply that broke one of the bounds that keep a
// client's memory in check, whatever the reply's shape. It is the Err of a
// *DecodeError (or of the error a stream yields) and matches
// ErrReplyTooLarge.
type LimitError struct {
	// Limit names the bound: "reply size", "decoded size", "record size",
	// "text size", "tag size", "attributes" or "nesting depth".
	Limit string
	// Max is the bound's value: bytes, attributes per tag, or levels.
	Max int64
	// Option is the option that sets the bound, or "" for a fixed one.
	Option string
}

// Error names the limit, its value and the option that sets it.
func (e *LimitError) Error() string {
	unit := "bytes"
	switch e.Limit {
	case "attributes":
		unit = "per tag"
	case "nesting depth":
		unit = "levels"
	}
	s := fmt.Sprintf("%v: %s limit %d %s exceeded", ErrReplyTooLarge, e.Limit, e.Max, unit)
	if e.Option != "" {
		s += " (see " + e.Option + ")"
	}
	return s
}

// Is matches ErrReplyTooLarge.
func (e *LimitError) Is(target error) bool { return target == ErrReplyTooLarge }

// WithMaxRecordSize bounds, in bytes, one record of any reply — a list's
// item, one field of a single-object reply, one line of an export — and any
// text, comment or other token between records (default 4 MiB). A reply
// that breaks it ends in a *DecodeError whose *LimitError names the limit.
// Memory held while decoding grows with n: about four times n at worst.
func WithMaxRecordSize(n int64) Option {
	return func(o *clientOptions) error {
		if n <= 0 {
			return &ValidationError{Arg: "WithMaxRecordSize", Reason: "must be positive"}
		}
		o.maxRecord = n
		return nil
	}
}

// limitError turns a bound the reply broke into a *LimitError, or returns
// nil when err is no such thing.
func (c *Client) limitError(err error) *LimitError {
	var xl *xmlbind.LimitError
	var le *LimitError
	switch {
	case errors.As(err, &le):
		return le
	case errors.As(err, &xl):
		le := &LimitError{Limit: xl.Limit, Max: xl.Max}
		if xl.Limit == "record size" || xl.Limit == "text size" {
			le.Option = "WithMaxRecordSize"
		}
		return le
	case errors.Is(err, ErrReplyTooLarge):
		return &LimitError{Limit: "reply size", Max: c.maxReply, Option: "WithMaxReplySize"}
	}
	return nil
}
