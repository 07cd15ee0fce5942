package bestedm

import (
	"fmt"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Checks run before a request is built: a bad argument fails with a
// *ValidationError that names the API parameter, and nothing is sent.

func requireID(field string, id int64) error {
	if id <= 0 {
		return &ValidationError{Field: field, Reason: fmt.Sprintf("must be a positive id, got %d", id)}
	}
	return nil
}

func requireString(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return &ValidationError{Field: field, Reason: "is required"}
	}
	return nil
}

func requireDate(field string, t time.Time) error {
	if t.IsZero() {
		return &ValidationError{Field: field, Reason: "is required (a non-zero time.Time)"}
	}
	return checkYear(field, t)
}

// checkEmail is a sanity check, not RFC 5322: one "@" with text on both
// sides, a domain of dot-separated labels (none empty), and no space,
// control character or separator of the API's formats (",;<>\"()[]\\").
// An apostrophe is allowed: o'brien@example.com is a real address.
func checkEmail(field, addr string) error {
	// One pass over the bytes: AddAddresses checks every address of a
	// million-row import, and Cut, Contains and Index each walked it again.
	at, ats, bad := -1, 0, -1
	for i := 0; i < len(addr); i++ {
		switch c := addr[i]; {
		case c == '@':
			at, ats = i, ats+1
		case bad < 0 && emailForbidden[c]:
			bad = i
		}
	}
	if ats != 1 || at == 0 || at == len(addr)-1 {
		return &ValidationError{Field: field, Reason: fmt.Sprintf("%q is not an email address", addr)}
	}
	if bad >= 0 {
		return &ValidationError{Field: field, Reason: fmt.Sprintf("%q contains %q, a space or separator", addr, addr[bad])}
	}
	if !dottedDomain(addr[at+1:]) {
		return &ValidationError{Field: field, Reason: fmt.Sprintf("%q is not an email address: the domain needs dot-separated names, such as example.com", addr)}
	}
	return nil
}

// dottedDomain reports whether d is names joined by single dots: at least
// one dot, none first, last or next to another.
func dottedDomain(d string) bool {
	if d == "" || d[0] == '.' || d[len(d)-1] == '.' {
		return false
	}
	dot := false
	for i := 1; i < len(d); i++ {
		if d[i] == '.' {
			if d[i-1] == '.' {
				return false
			}
			dot = true
		}
	}
	return dot
}

// emailForbidden says which bytes may not appear in an address: spaces,
// control characters and the separators of the API's formats. Bytes of
// multi-byte UTF-8 are all ≥ 0x80, so a byte loop sees no false match. A
// table, because AddAddresses checks every byte of every address.
var emailForbidden = func() (t [256]bool) {
	for c := range 0x20 {
		t[c] = true
	}
	for _, c := range []byte(" ,;<>\"()[]\\\x7f") {
		t[c] = true
	}
	return t
}()

// hasBatchSeparator reports whether s holds ";", CR or LF, which separate
// the fields and lines of the batch format. A byte loop: strings.ContainsAny
// builds a set on every call, which shows on a million addresses.
func hasBatchSeparator(s string) bool {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c == ';' || c == '\n' || c == '\r' {
			return true
		}
	}
	return false
}

// checkHostname is a sanity check that name looks like a domain name: at
// least two dot-separated labels of letters, digits and hyphens (Unicode
// letters too, for internationalised names), none empty, longer than 63
// bytes, or starting or ending with a hyphen.
func checkHostname(field, name string) error {
	bad := func(why string) error {
		return &ValidationError{Field: field, Reason: fmt.Sprintf("%q is not a domain name: %s", name, why)}
	}
	if name == "" {
		return &ValidationError{Field: field, Reason: "is required"}
	}
	if len(name) > 253 {
		return bad("longer than 253 bytes")
	}
	labels := strings.Split(name, ".")
	if len(labels) < 2 {
		return bad("needs at least two labels, such as example.com")
	}
	for _, l := range labels {
		if l == "" || len(l) > 63 {
			return bad("a label is empty or longer than 63 bytes")
		}
		if l[0] == '-' || l[len(l)-1] == '-' {
			return bad("a label starts or ends with a hyphen")
		}
		for _, r := range l {
			if r != '-' && !unicode.IsLetter(r) && !unicode.IsDigit(r) {
				return bad(fmt.Sprintf("%q is not allowed", r))
			}
		}
	}
	return nil
}

func checkPage(page, limit int) error {
	if page < 0 {
		return &ValidationError{Field: "page", Reason: "must not be negative"}
	}
	if limit < 0 {
		return &ValidationError{Field: "limit", Reason: "must not be negative"}
	}
	return nil
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

// firstInvalid returns the first non-nil error of errs: checks are listed
// in parameter order, so the first bad parameter is the one reported.
func firstInvalid(errs ...error) error {
	for _, err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}
