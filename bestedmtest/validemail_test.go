package bestedmtest

import (
	"testing"

	"github.com/stretchr/testify/assert"
)

// TestValidEmail: the addresses the fake takes and refuses, server side
// (a file import or a batch counts the refused ones as invalid).
func TestValidEmail(t *testing.T) {
	for e, want := range map[string]bool{
		"lin.wei@example.com": true, "o'brien@example.com": true, "li+news@my-host.example.cn": true, "林伟@example.cn": true,
		"": false, "a": false, "a@": false, "@example.com": false, "a@b@example.com": false, "root@localhost": false,
		"a@.example.com": false, "a@example.com.": false, "a@example..com": false, "a b@example.com": false,
		"a\t@example.com": false, "a\x00@example.com": false, "a\x7f@example.com": false, "a,b@example.com": false,
		"a;b@example.com": false, "<a@example.com>": false, `"a"@example.com`: false, "a(b)@example.com": false,
		"a@[127.0.0.1]": false, `a\b@example.com`: false, "a\n@example.com": false,
	} {
		assert.Equal(t, want, validEmail(e), "%q", e)
	}
	assert.True(t, validDomain("mail.example.cn"))
	assert.False(t, validDomain("localhost"))
}
