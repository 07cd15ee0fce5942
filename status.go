package bestedm

// Status is the identifier in the <status> element of a <result> reply
// that is not "success": APIError.Status. The constants are the ones the
// document lists (§4.3–§4.5) and the ones the API answers to every call
// (documented with bestedmtest, the fake server); a server may send
// others, which are kept as sent.
type Status string

// String returns the identifier as the server sent it.
func (s Status) String() string { return string(s) }

// Statuses of every call.
const (
	StatusAuthError        Status = "auth_error"         // wrong or missing credentials
	StatusPermissionDenied Status = "permission_denied"  // valid credentials, not allowed to make this call
	StatusParamError       Status = "param_error"        // a required parameter missing, or a value of the wrong form
	StatusNotFound         Status = "not_found"          // the id, task, domain or mailbox named does not exist
	StatusUnknownAction    Status = "unknown_action"     // a do= the script does not know
	StatusUnknownScript    Status = "unknown_script"     // a script that does not exist (HTTP 404)
	StatusMethodNotAllowed Status = "method_not_allowed" // a method other than GET and POST (HTTP 405)
	StatusRequestTooLarge  Status = "request_too_large"  // a body over the server's limit (HTTP 413)
)

// Statuses of the contact list calls (doc §4.3–§4.5).
const (
	StatusAddMaillistError    Status = "add_maillist_error"    // Maillist.Create failed; also a name already in use
	StatusAddDescribeError    Status = "add_describe_error"    // Maillist.Create could not store the description
	StatusUpdateMaillistError Status = "update_maillist_error" // Maillist.Update failed; also a name already in use
	StatusUpdateDescribeError Status = "update_describe_error" // Maillist.Update could not store the description
	StatusDeleteAddressError  Status = "delete_address_error"  // Maillist.Delete could not delete the list's addresses
	StatusDeleteDescribeError Status = "delete_describe_error" // Maillist.Delete could not delete the description
	StatusDeleteMaillistError Status = "delete_maillist_error" // Maillist.Delete could not delete the list
	StatusAddressExists       Status = "address_exists"        // an address already in that list (Maillist.AddAddress, UpdateAddress)
)

// Statuses of the task and domain calls.
const (
	StatusTaskStatusError Status = "task_status_error" // Task.Update of a task that has started, finished or was cancelled
	StatusDomainExists    Status = "domain_exists"     // Domain.Add of a domain the account already has
	StatusMailboxExists   Status = "mailbox_exists"    // Domain.AddMailbox of a mailbox that exists
)
