package bestedmtest

import (
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/bestedm/bestedm-go"
)

// TestValidEmailAgreesWithSDK: the fake counts as invalid exactly the
// addresses the SDK's Address.Validate refuses, so a test against the fake
// never sees the server drop an address the SDK let through, nor the
// reverse.
func TestValidEmailAgreesWithSDK(t *testing.T) {
	for _, e := range []string{
		"lin.wei@example.com", "o'brien@example.com", "li+news@my-host.example.cn", "林伟@example.cn",
		"", "a", "a@", "@example.com", "a@b@example.com", "root@localhost", "a@.example.com",
		"a@example.com.", "a@example..com", "a b@example.com", "a\t@example.com", "a\x00@example.com",
		"a\x7f@example.com", "a,b@example.com", "a;b@example.com", "<a@example.com>", `"a"@example.com`,
		"a(b)@example.com", "a@[127.0.0.1]", `a\b@example.com`, "a\n@example.com",
	} {
		sdk := (&bestedm.Address{Email: e}).Validate() == nil
		assert.Equal(t, sdk, validEmail(e), "%q: SDK accepts %v", e, sdk)
	}
}
