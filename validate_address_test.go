package bestedm

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// TestAddressValidate is the rule AddAddresses applies to every address,
// public so that an importer can set a bad row aside instead of losing the
// batch: field named, reason given, nothing else rejected.
func TestAddressValidate(t *testing.T) {
	for _, tc := range []struct {
		name  string
		a     Address
		field string // "" when valid
		want  string // part of the reason
	}{
		{"plain", Address{Email: "lin.wei@example.com"}, "", ""},
		{"every field", Address{Email: "a@mail.example.cn", Name: "林伟", Sex: SexFemale,
			Birthday: time.Date(1986, 8, 15, 0, 0, 0, 0, time.UTC), Phone: "13528775736", Area: "深圳",
			Var1: "VIP", Var10: "x"}, "", ""},
		{"apostrophe", Address{Email: "o'brien@example.com"}, "", ""},
		{"plus and hyphen", Address{Email: "li+news@my-host.example.com"}, "", ""},
		{"unicode local part", Address{Email: "林伟@example.cn"}, "", ""},
		{"semicolon allowed nowhere", Address{Email: "a@example.com", Name: "林;伟"}, "fullname", `"林;伟" contains ";"`},
		{"line break in var7", Address{Email: "a@example.com", Var7: "a\nb"}, "var7", "line break"},
		{"CR in area", Address{Email: "a@example.com", Area: "a\rb"}, "area", "line break"},
		{"no email", Address{Name: "x"}, "address", "is not an email address"},
		{"no at", Address{Email: "lin.wei.example.com"}, "address", "is not an email address"},
		{"two ats", Address{Email: "a@b@example.com"}, "address", "is not an email address"},
		{"empty local", Address{Email: "@example.com"}, "address", "is not an email address"},
		{"dotless domain", Address{Email: "root@localhost"}, "address", "such as example.com"},
		{"leading dot", Address{Email: "a@.example.com"}, "address", "such as example.com"},
		{"trailing dot", Address{Email: "a@example.com."}, "address", "such as example.com"},
		{"double dot", Address{Email: "a@example..com"}, "address", "such as example.com"},
		{"space", Address{Email: "a b@example.com"}, "address", `contains ' '`},
		{"tab", Address{Email: "a\t@example.com"}, "address", `contains '\t'`},
		{"NUL", Address{Email: "a\x00@example.com"}, "address", `contains '\x00'`},
		{"DEL", Address{Email: "a\x7f@example.com"}, "address", `contains '\x7f'`},
		{"comma", Address{Email: "a,b@example.com"}, "address", `contains ','`},
		{"angle bracket", Address{Email: "<a@example.com>"}, "address", `contains '<'`},
		{"quote", Address{Email: `"a"@example.com`}, "address", `contains '"'`},
		{"parenthesis", Address{Email: "a(b)@example.com"}, "address", `contains '('`},
		{"square bracket", Address{Email: "a@[127.0.0.1]"}, "address", `contains '['`},
		{"backslash", Address{Email: `a\b@example.com`}, "address", `contains '\\'`},
		{"sex lower case", Address{Email: "a@example.com", Sex: "m"}, "sex", "neither M nor F"},
		// What production stores but cannot give back (issue 16 item 8).
		{"BEL in name", Address{Email: "a@example.com", Name: "a\x07b"}, "fullname", `control character '\a'`},
		{"ESC in var3", Address{Email: "a@example.com", Var3: "\x1b[1mBOLD"}, "var3", `control character '\x1b'`},
		{"NUL in phone", Address{Email: "a@example.com", Phone: "1\x00"}, "phone", `control character '\x00'`},
		{"C1 control in area", Address{Email: "a@example.com", Area: "a\u0085"}, "area", `control character '\u0085'`},
		{"invalid UTF-8 in name", Address{Email: "a@example.com", Name: "caf\xe9"}, "fullname", "not valid UTF-8"},
		{"oversize name", Address{Email: "a@example.com", Name: strings.Repeat("x", MaxFieldBytes+1)}, "fullname", "longer than"},
		{"tab in name is text", Address{Email: "a@example.com", Name: "a\tb"}, "", ""},
		{"longest name", Address{Email: "a@example.com", Name: strings.Repeat("x", MaxFieldBytes)}, "", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.a.Validate()
			if tc.field == "" {
				assert.NoError(t, err)
				return
			}
			var ve *ValidationError
			require.True(t, errors.As(err, &ve), "%v", err)
			assert.Equal(t, tc.field, ve.Field)
			assert.Contains(t, ve.Reason, tc.want)
			assert.ErrorIs(t, err, ErrValidation)
		})
	}
}

// TestAddAddressesAppliesValidate: a row Validate refuses stops
// AddAddresses before its batch is sent, with the same field and reason,
// and the address's number and (for other fields) its e-mail in front.
func TestAddAddressesAppliesValidate(t *testing.T) {
	c, mux := setup(t)
	failHandler(t, mux)
	for _, bad := range []Address{{Email: "root@localhost"}, {Email: "a@example.com", Var2: "x;y"}} {
		want := bad.Validate()
		require.Error(t, want)
		_, err := c.Maillist.AddAddresses(bg, 1, func(yield func(Address) bool) {
			_ = yield(Address{Email: "ok@example.com"}) && yield(bad)
		}, nil)
		var ve, wve *ValidationError
		require.ErrorAs(t, err, &ve)
		require.ErrorAs(t, want, &wve)
		assert.Equal(t, wve.Field, ve.Field)
		assert.Contains(t, ve.Reason, wve.Reason)
		assert.Contains(t, ve.Reason, "address 2")
		if wve.Field != "address" {
			assert.Contains(t, ve.Reason, "address 2 (a@example.com): ")
		}
	}
}
