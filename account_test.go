package bestedm

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestAccountCustomerInfo(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "account.php", fixture(t, "account-customer-info.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "customer-info"))
	})
	got, err := c.Account.CustomerInfo(bg)
	require.NoError(t, err)
	assert.Equal(t, &Customer{
		ID: 1024, Username: "demo", Company: "深圳市福洽科技有限公司", Contact: "林先生",
		Phone: "0755-61302888", Mobile: "13528775736", Email: "demo@example.com",
		Address: "深圳市福田区科技园中路 3 号",
	}, got)
}

func TestAccountServiceInfo(t *testing.T) {
	t.Parallel()
	c, mux := setup(t)
	handle(t, mux, "account.php", fixture(t, "account-service-info.xml"), func(r *http.Request) {
		testRequest(t, r, http.MethodGet, q("do", "service-info"))
	})
	got, err := c.Account.ServiceInfo(bg)
	require.NoError(t, err)
	assert.Equal(t, &ServiceInfo{
		ID: 1024, Status: ServiceEnabled, Type: ServiceTypeTotal, SendType: SendLocal,
		BeginningDate: time.Date(2012, 3, 2, 0, 0, 0, 0, china),
		QuotaLeft:     98500, QuotaBought: 100000,
	}, got)
	assert.True(t, got.ExpirationDate.IsZero(), "0000-00-00 is the zero time")
}
