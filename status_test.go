package bestedm

import (
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Every status constant is the identifier the server sends.
func TestStatusConstants(t *testing.T) {
	for c, want := range map[Status]string{
		StatusAuthError: "auth_error", StatusPermissionDenied: "permission_denied",
		StatusParamError: "param_error", StatusNotFound: "not_found",
		StatusUnknownAction: "unknown_action", StatusUnknownScript: "unknown_script",
		StatusMethodNotAllowed: "method_not_allowed", StatusRequestTooLarge: "request_too_large",
		StatusAddMaillistError: "add_maillist_error", StatusAddDescribeError: "add_describe_error",
		StatusUpdateMaillistError: "update_maillist_error", StatusUpdateDescribeError: "update_describe_error",
		StatusDeleteAddressError: "delete_address_error", StatusDeleteDescribeError: "delete_describe_error",
		StatusDeleteMaillistError: "delete_maillist_error", StatusAddressExists: "address_exists",
		StatusTaskStatusError: "task_status_error", StatusDomainExists: "domain_exists",
		StatusMailboxExists: "mailbox_exists",
	} {
		assert.Equal(t, want, string(c))
		assert.Equal(t, want, c.String())
	}
}

// Each status the document lists for §4.3–§4.5 comes back as its
// constant, comparable with == and matched by errors.Is.
func TestStatusDocumentedMaillistErrors(t *testing.T) {
	t.Parallel()
	create := func(c *Client) error {
		_, err := c.Maillist.Create(bg, &MaillistParams{Name: "x", Status: MaillistEnabled, Description: "d"})
		return err
	}
	update := func(c *Client) error {
		_, err := c.Maillist.Update(bg, 5, &MaillistParams{Description: "d"})
		return err
	}
	del := func(c *Client) error { _, err := c.Maillist.Delete(bg, 5); return err }
	for _, tc := range []struct {
		status Status
		call   func(c *Client) error
	}{
		{StatusAddMaillistError, create}, {StatusAddDescribeError, create},
		{StatusUpdateMaillistError, update}, {StatusUpdateDescribeError, update},
		{StatusDeleteAddressError, del}, {StatusDeleteDescribeError, del}, {StatusDeleteMaillistError, del},
	} {
		t.Run(string(tc.status), func(t *testing.T) {
			c, mux := setup(t)
			handle(t, mux, "mloperate.php", result(string(tc.status), "出错了"), nil)
			err := tc.call(c)
			var apiErr *APIError
			require.ErrorAs(t, err, &apiErr)
			assert.True(t, apiErr.Status == tc.status, "got %q", apiErr.Status)
			assert.ErrorIs(t, err, &APIError{Status: tc.status})
			assert.ErrorIs(t, err, ErrAPI)
		})
	}
}
