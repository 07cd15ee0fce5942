package bestedm

import (
	"math/rand/v2"
	"net/url"
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestFormEncodeIsValuesEncode: formEncode writes exactly what
// url.Values.Encode does (and so what the server has always received),
// for every byte value and for random forms of several keys and values,
// UTF-8 or not, with its first allocation the final size.
func TestFormEncodeIsValuesEncode(t *testing.T) {
	all := make([]byte, 256)
	for i := range all {
		all[i] = byte(i)
	}
	forms := []url.Values{
		{},
		{"ml_addr": {""}},
		{"ml_addr": {string(all)}},
		{"ml_addr": {"a@example.com;林伟;M;1986-08-15\nb@example.com;B b;F"}, "list_id": {"1"}, "a b": {"x", "y&z=1"}},
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 500 {
		v := url.Values{}
		for range r.IntN(4) {
			k := randomText(r, 8)
			for range 1 + r.IntN(3) {
				v[k] = append(v[k], randomText(r, 64))
			}
		}
		forms = append(forms, v)
	}
	for _, v := range forms {
		got := formEncode(v)
		assert.Equal(t, v.Encode(), string(got), "%q", v)
		assert.Equal(t, len(got), cap(got), "%q: one allocation of the exact size", v)
	}
}

// randomText is up to n bytes: ASCII, CJK in UTF-8, or any byte.
func randomText(r *rand.Rand, n int) string {
	var b []byte
	for range r.IntN(n + 1) {
		switch r.IntN(3) {
		case 0:
			b = append(b, byte(' '+r.IntN(95)))
		case 1:
			b = append(b, string(rune(0x4e00+r.IntN(0x5000)))...)
		default:
			b = append(b, byte(r.IntN(256)))
		}
	}
	return string(b)
}
