package bestedm_test

import (
	"context"
	"errors"
	"fmt"
	"log"
	"net/http"
	"testing"

	"github.com/jarcoal/httpmock"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
)

// Code that uses the SDK can be tested without a server: the client sends
// everything through the *http.Client it is given, so an httpmock
// transport answers in its place. Responders are registered for the
// documented URLs (bestedm.DefaultBaseURL and the script), optionally with
// the do= action as the query.

// replyCustomer is account.php?do=customer-info's reply (doc §1.1).
const replyCustomer = `<?xml version="1.0" encoding="UTF-8"?>
<customer>
  <id>7</id>
  <username>demo</username>
  <company><![CDATA[深圳市示例科技有限公司]]></company>
  <email>wangwei@example.com</email>
</customer>`

// replyListExists is the <result> the API answers maillist-add with when
// the subject is taken.
const replyListExists = `<?xml version="1.0" encoding="UTF-8"?>
<result>
  <status>add_maillist_error</status>
  <data><![CDATA[联系人分类名称已存在]]></data>
</result>`

func ExampleWithHTTPClient_httpmock() {
	mock := httpmock.NewMockTransport()
	mock.RegisterResponder("GET", "https://api.bestedm.net/mm-ms/apinew/account.php",
		httpmock.NewStringResponder(200, replyCustomer))
	client, err := bestedm.NewClient("demo", "secret", bestedm.WithHTTPClient(&http.Client{Transport: mock}))
	if err != nil {
		log.Fatal(err)
	}

	me, err := client.Account.CustomerInfo(context.Background())
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(me.ID, me.Username, me.Company)
	fmt.Println(mock.GetCallCountInfo())
	// Output:
	// 7 demo 深圳市示例科技有限公司
	// map[GET https://api.bestedm.net/mm-ms/apinew/account.php:1]
}

func TestHTTPMock(t *testing.T) {
	mock := httpmock.NewMockTransport()
	// Without a query, a responder answers every do= of the script; with
	// one, only that action.
	mock.RegisterResponder(http.MethodGet, bestedm.DefaultBaseURL+"account.php",
		httpmock.NewStringResponder(http.StatusOK, replyCustomer))
	mock.RegisterResponderWithQuery(http.MethodPost, bestedm.DefaultBaseURL+"mloperate.php", "do=maillist-add",
		httpmock.NewStringResponder(http.StatusOK, replyListExists))

	client, err := bestedm.NewClient("demo", "secret", bestedm.WithHTTPClient(&http.Client{Transport: mock}))
	require.NoError(t, err)
	ctx := context.Background()

	me, err := client.Account.CustomerInfo(ctx)
	require.NoError(t, err)
	assert.Equal(t, &bestedm.Customer{ID: 7, Username: "demo", Company: "深圳市示例科技有限公司", Email: "wangwei@example.com"}, me)

	_, err = client.Maillist.Create(ctx, &bestedm.MaillistParams{Name: "新闻订阅", Status: bestedm.MaillistEnabled})
	var apiErr *bestedm.APIError
	require.True(t, errors.As(err, &apiErr), "want *bestedm.APIError, got %v", err)
	assert.Equal(t, bestedm.StatusAddMaillistError, apiErr.Status)
	assert.Equal(t, "联系人分类名称已存在", apiErr.Message)
	assert.Equal(t, http.StatusOK, apiErr.HTTPStatus)

	// Each call was made once: the error is the server's answer, not a
	// failure to retry, and writes are not retried anyway.
	assert.Equal(t, map[string]int{
		"GET " + bestedm.DefaultBaseURL + "account.php":                    1,
		"POST " + bestedm.DefaultBaseURL + "mloperate.php?do=maillist-add": 1,
	}, mock.GetCallCountInfo())
	assert.Equal(t, 2, mock.GetTotalCallCount())
}
