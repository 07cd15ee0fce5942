package bestedm

import (
	"fmt"
	"io"
	"log/slog"
	"reflect"
	"time"
	"unicode/utf8"
)

// errNoClient is returned by every call made through the zero Client, a
// nil service or a service not obtained from a Client made by NewClient.
func errNoClient() error {
	return &ValidationError{Arg: "Client", Reason: "is not set up: create it with NewClient"}
}

// errNoExport is returned by a nil or zero Export, which no call returned.
func errNoExport() error {
	return &ValidationError{Arg: "Export", Reason: "is not open: it is returned by an export call"}
}

// unusableClient stands in for a missing Client behind a service: it
// builds parameters as a real one does (so argument errors still come
// first) and fails in do before anything is sent.
var unusableClient = &Client{
	creds:  &credentials{},
	logger: slog.New(discardHandler{}),
	loc:    time.FixedZone("UTC+8", 8*60*60),
}

// usable reports whether c was made by NewClient.
func (c *Client) usable() bool {
	return c != nil && c.http != nil && c.baseURL != nil && c.creds != nil
}

// orUnusable returns c, or unusableClient when c was not made by NewClient.
func orUnusable(c *Client) *Client {
	if !c.usable() {
		return unusableClient
	}
	return c
}

// api returns the service's client, never nil: calls through the zero
// Client's (nil) services fail cleanly instead of panicking.
func (s *AccountService) api() *Client {
	if s == nil {
		return unusableClient
	}
	return orUnusable(s.client)
}

func (s *StatisticService) api() *Client {
	if s == nil {
		return unusableClient
	}
	return orUnusable(s.client)
}

func (s *TaskService) api() *Client {
	if s == nil {
		return unusableClient
	}
	return orUnusable(s.client)
}

func (s *TrackService) api() *Client {
	if s == nil {
		return unusableClient
	}
	return orUnusable(s.client)
}

func (s *MaillistService) api() *Client {
	if s == nil {
		return unusableClient
	}
	return orUnusable(s.client)
}

func (s *TemplateService) api() *Client {
	if s == nil {
		return unusableClient
	}
	return orUnusable(s.client)
}

func (s *DomainService) api() *Client {
	if s == nil {
		return unusableClient
	}
	return orUnusable(s.client)
}

// isNilReader reports whether r is nil or a nil pointer (or map, slice,
// func, channel) in an interface, such as (*strings.Reader)(nil), which
// compares unequal to nil and panics when read.
func isNilReader(r io.Reader) bool {
	if r == nil {
		return true
	}
	switch v := reflect.ValueOf(r); v.Kind() {
	case reflect.Pointer, reflect.Map, reflect.Slice, reflect.Func, reflect.Chan, reflect.Interface:
		return v.IsNil()
	}
	return false
}

// checkFileName rejects a name the server would not read back as sent: a
// quote ends the quoted filename, a backslash is taken as an escape or a
// Windows path separator (the server keeps what follows it, or nothing),
// and control characters (CR, LF, NUL, tab, ESC, DEL) break the header or
// cut the name.
func checkFileName(field string, i int, name string) error {
	if !utf8.ValidString(name) {
		return &ValidationError{Field: field, Reason: fmt.Sprintf("file %d: name %q is not valid UTF-8", i+1, name)}
	}
	for _, r := range name {
		if r == '"' || r == '\\' || isControl(r) {
			return &ValidationError{Field: field, Reason: fmt.Sprintf("file %d: name %q contains a quote, a backslash or a control character", i+1, name)}
		}
	}
	return nil
}

// checkHeaderText rejects text that cannot be sent as a header value as
// is: control characters (CR and LF would end the header and start
// another), and bytes that are not UTF-8. arg names the Go option.
func checkHeaderText(arg, s string) error {
	if !utf8.ValidString(s) {
		return &ValidationError{Arg: arg, Reason: fmt.Sprintf("%q is not valid UTF-8", s)}
	}
	for _, r := range s {
		if isControl(r) {
			return &ValidationError{Arg: arg, Reason: fmt.Sprintf("%q contains a control character", s)}
		}
	}
	return nil
}

// isControl reports whether r is an ASCII or Latin-1 control character.
func isControl(r rune) bool { return r < 0x20 || (r >= 0x7f && r < 0xa0) }
