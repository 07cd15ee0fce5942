// Package bestedmtest is a stateful, in-process fake of the bestedm (U-Mail
// EDM) API V3.0, for testing code that uses the SDK — or any other client —
// without an account or a network.
//
// A test starts one with NewServer and talks to it through an SDK client:
//
//	s := bestedmtest.NewServer(t)              // closed when the test ends
//	c := s.Client()                            // the customer account; an invalid option fails the test
//	lists, err := c.Maillist.List(ctx)
//
// Programs use Start and Close, or the bestedm-fake command; there Client
// panics on an invalid option, and NewClient returns the error instead. All 45 calls of
// the document are served, from memory, under /mm-ms/apinew/ and the older
// /mm-ms/api/, and failexportall.php, which production clients call; the
// server is safe for concurrent use.
//
// # Data
//
// A server starts with generated data that depends only on the seed
// (WithSeed, default 1) and on the day of its clock at start (WithClock,
// default real time; times are UTC+8 wall clock): a customer account and the
// administrator (Customer, Manager), a second customer reachable only in
// manager mode (id Customer().CustomerID+1), four contact lists (120, 25, 8
// and 0 addresses) plus five unclassified addresses, three templates, eleven
// tasks from nine days ago to three days ahead (finished, sending, waiting,
// held, paused, cancelled), sender domains and mailboxes.
//
// A test seeds and inspects that state directly too, without the API:
// AddList, AddAddress, AddTemplate, AddTask, AddDomain and AddMailbox put
// data in (a mistake fails the test, or panics on a server from Start), and
// Lists, Addresses, Templates, Tasks, Domains and Mailboxes return copies
// of it as Stored* values.
//
// Writes change that state, and reads show it. Tasks move by the clock: a
// waiting task starts at its send time (status 2, "send now", at its
// creation), sends 100 ms a recipient (one second to thirty minutes in all),
// then is done (3). Held (-1), paused (-2) and cancelled (-3) tasks never
// start. A task's recipients and tracked links (the href URLs of its
// templates) are fixed when it is created or its list or templates edited.
//
// Statistics and tracking are not stored: they are derived on each request
// from the task's recipients by a deterministic generator keyed on the
// seed, the task and the recipient. Every count is an aggregate of the same
// per-recipient records, so the replies agree: a task's send_count is its
// recipients handled so far; error_count/error_send_count its failures
// (types 1, 2, 3, 4, 8, 9); real_send_count = send_count − failures; only
// delivered recipients open, clickers are openers, a recipient's clicks
// never exceed its opens; open_ratio and click_ratio are unique ÷
// send_count as a percentage with two decimals and a % sign ("11.67%").
// Event times fall between delivery and now. Daily statistics count the
// tasks that started that day: ws_qty tasks, ws_count handled, ws_error
// failures, send_count and deduc_count recipients planned, actual_send =
// handled − invalid − malformed, send_error = types 1+2+3+4, actual_deduc =
// delivered; the quota left (service-info) is the quota bought minus every
// task's actual_deduc.
//
// # Wire format
//
// Replies follow the document's XML shapes: a `<?xml version="1.0"
// encoding="UTF-8"?>` prolog, one element a line with CRLF line ends and
// two-space indentation, CDATA on free text (names, subjects,
// descriptions, content, company and postal address, ml-addr-list's
// address, fullname and area, links, <result>'s data), plain escaped text
// elsewhere, "0000-00-00 00:00:00" for unset times and "0000-00-00" for
// unset dates, an empty root element for an empty list, and Content-Type
// "text/xml; charset=utf-8". Exports are "text/plain; charset=utf-8" with
// CRLF line ends and a Content-Disposition attachment header; failexport.php
// with out_type=json and failexportall.php are "application/json;
// charset=utf-8"; trackexport.php is XML (see below).
//
// Where the document is silent the fake chooses, as below; the SDK must
// survive these choices, not rely on them.
//
// Authentication: HTTP Basic auth with the plain password, or the query
// parameters username and password = lower-case hex MD5 of the password
// (an upper-case hash or the plain password in the query is refused).
// Basic auth wins when both are sent. username, password and do are read
// from the query string only; every other parameter from the query string
// or the POST body (form-encoded or multipart), the body winning.
// Wrong or missing credentials answer <result> status auth_error, with HTTP
// 401 and a WWW-Authenticate Basic challenge when Basic auth was used or
// nothing was sent, and with HTTP 200 in query-string mode. Right
// credentials for the wrong realm — the administrator on a customer call,
// a customer on domain-add, domain-del or user_type=manager — answer
// permission_denied (HTTP 200).
//
// Errors are <result> replies with HTTP 200 unless said otherwise:
//
//	auth_error          wrong or missing credentials (401 unless query mode)
//	permission_denied   valid credentials, not allowed; or a customer naming another customer_id
//	param_error         a required parameter missing or empty, or a value of the wrong form
//	                    (HTTP 400 for a body that cannot be parsed)
//	not_found           an id, ident, track_id, domain or mailbox that does not exist;
//	                    also track.php/trackexport.php for a task without tracking
//	unknown_action      a do= the script does not know (a missing do= is param_error)
//	unknown_script      a script that does not exist, or a path outside the API (HTTP 404)
//	method_not_allowed  anything but GET and POST (HTTP 405)
//	request_too_large   a body over 64 MiB (HTTP 413)
//	add_maillist_error / update_maillist_error  a list subject already in use
//	address_exists      ml-addr-add or ml-addr-edit with an address already in that list
//	domain_exists, mailbox_exists  domain-add, mailbox-add of an existing one
//	task_status_error   edit-task of a task that has started (sending or done) or was cancelled
//	server_error        a bug in the fake (HTTP 500)
//
// Parameters: ids are positive decimal integers; dates are YYYY-MM-DD
// (one-digit month and day accepted); task times are "2012-7-4 16:08",
// seconds optional. Lists filtered by an id that does not exist (task-list
// id, list-tpl tpl_id, ml-addr-list list_id/address_id, stask.php ident,
// click-detail and link-stat link_id) are empty, not errors; operations on
// one (get, edit, delete, export, track) are not_found. Lists are ordered
// by id.
//
// Paging: ml-addr-list and mailbox-list are paged only when page is given
// (limit 50 and 30 by default); task-list when page or limit is given
// (limit 30). page and limit must be ≥ 1. ml-addr-list always starts with
// <total_num>, the number of matches on all pages, even when it is 0.
//
// Per call:
//   - maillist-list items carry an extra <input_status>0</input_status>.
//   - maillist-add answers a status and a message, no id, as the document
//     (§4.3) shows and as production does: the public TypeScript client
//     (zswang/bestedm-api, src/index.ts, maillistAdd) types the reply as
//     status and data only, and no public client reads an id from it.
//     add-task answers the new task's id in <id> (documented, §5.1);
//     add-tpl the new template's id as the whole of <data> (documented,
//     §5.2); ml-addr-add with return_id=1 the new address's id (§4.9.1).
//     domain-add and mailbox-add, whose reply the document does not show,
//     answer a message. Other success messages are never a bare number.
//   - maillist-edit needs at least one of subject, status, description;
//     maillist-del also deletes the list's addresses and unsubscribe record.
//   - ml-addr-add without ml_addr adds one address; list_id absent or 0 is
//     "unclassified". With ml_addr (a batch) records are split on separate
//     (default "\n", taken literally; only addr_type=string), fields on ";"
//     (address;name;sex;birthday;phone;area;var1…var10); invalid and
//     duplicate addresses are skipped and counted in the message.
//   - ml-addr-add-file reads the multipart field "file" and imports at once
//     (the real service queues it): one address a line, "address<TAB>name"
//     when the line has a TAB and no ";", the ";" format otherwise; a UTF-8
//     BOM is dropped, non-UTF-8 text is read as GBK; invalid and duplicate
//     addresses are dropped.
//   - ml-addr-edit needs at least one field; ml-addr-empty list_id=0
//     empties the unclassified addresses.
//   - ml-addr-list records follow a recorded production reply: <birthday>
//     (the document's sample spells <brithday>; the SDK reads both), every
//     unset field as an empty element (<sex></sex>), var1…var5 always and
//     var6…var10 up to the last one set. Task lists send send_qty_remak, the
//     document sample's spelling, where its prose says send_qty_remark.
//   - ml-sub batches (maillist) are split on ";" and newlines, each record
//     on its first TAB or ","; the name defaults to the local part.
//     Subscribing an address already in the list succeeds and changes
//     nothing; subscribing takes the address off the list's unsubscribe
//     record. ml-unsub splits address on "," and newlines, removes each
//     from the list and records it (time now) for unsubscribe-export,
//     members or not; no valid address at all is param_error.
//   - add-tpl and tpl-attachment-add take files under "file" or "file[]";
//     content_type is "html" when the content has a tag, else "text";
//     updated is 0000-00-00 00:00:00 until the template is edited; edit-tpl
//     needs one of name, subject, content, and a new subject replaces them
//     all; tpl-attachment-del without attachment_id deletes all.
//   - add-task: send_account "all" needs send_domain (a domain or "all");
//     a send_domain that is not one of the customer's or the system's is
//     not_found; status is 1, -1 or 2; track_status 0, 1 or 2; subs_link 0
//     or 1. edit-task reads the time from send_time, or from time as the
//     document's example sends it; send_status is 1 or -1.
//   - list-task (§2.1) takes date, id, ident (the task's sn) or state (its
//     send_status), at least one, all applied together: the public
//     TypeScript client (src/index.ts, listTask) sends id, ident and state
//     without a date. tpl_id and list_id hold every id of the task,
//     comma-separated ("16,17", the form add-task takes;
//     docs/wire-format.md#several-ids); tpl_name is the first template's name.
//   - add-task and edit-task take several lists in maillist_id ("5,8"); the
//     task sends once to each address of their union. task-list then adds
//     <listes><item><list_id/><list_name/></item>…</listes> and list_id
//     holds every id, as the TypeScript client's ITask (src/index.ts)
//     shows; a task of one list has no <listes>.
//     task-list's acct_domain and acct_address appear only for acct_type
//     domain and address; sender is the address for acct_type address,
//     empty otherwise.
//   - stask.php needs date, ident or id (a task id: zswang/bestedm-api's
//     stask sends it), which filter together, and adds to each row
//     totalsum (the batch's recipients), invalid (types 8 and 9) and
//     rubbish (always 0: the fake classes nothing as junk) — the fields of
//     that client's ITaskInfo — and send_failed, spam_content,
//     connect_error, rebate and point (docs/wire-format.md#stask-fields).
//     deduction.php answers one row a task, deduction "web群发".
//   - failexport.php type is a name or number of the document's five, 4,
//     "all" or -1 (every type), or 5 (accepted, never generated); types 1,
//     2, 3 need task_id or task_ident, which filter together with date.
//     date_end (white-shiro-bai/ghost_sa sends it) extends the export to
//     the days from date to date_end. out_type=xml answers
//     <fail_recipient_list><recipient> with email, error_type and
//     error_type_dec (the elements ghost_sa reads); out_type=json a JSON
//     array of the addresses alone, as zswang/bestedm-api types that reply
//     (string[]; its failexportall.php reply, objects).
//   - Failure type 4 is generated, one failure in twenty, named "临时失败"
//     and counted with the delivery failures (send_error, send_failed):
//     ghost_sa meets kind 4 in production and handles it as it handles 2
//     (mailbox full), a failure that may pass. The name is the fake's.
//   - failexportall.php (not in the document; zswang/bestedm-api calls it
//     with out_type=json, date and type) answers a JSON array of {email,
//     type, task_id} — the shape that client declares — for every failure
//     of the days, of every type unless type says otherwise; date_end,
//     task_id and task_ident as for failexport.php; out_type other than
//     json is param_error.
//   - track.php: ident wins over id; open-detail lists recipients who opened,
//     email_id being the address id; open_last is 0000-00-00 00:00:00 and
//     ip_last empty when a recipient opened once; some os values carry a
//     trailing space ("Android "), as seen in the wild.
//   - trackexport.php (format undocumented) answers XML, because
//     zswang/bestedm-api parses its reply with xml2js: <data> with one
//     <user> per recipient who opened, holding email_id, email,
//     open_total, click_total, open_first, open_last, click_first,
//     click_last. That element set is the fake's choice (open-detail's
//     vocabulary): no public source shows production's. is_click=1 keeps
//     clickers, link_id those who clicked that link, email_id one address
//     id.
//   - bs.php: domain-list shows the system domains (customer_id 0) then the
//     customer's; mailbox-add needs a domain of the customer's own;
//     domain-del deletes its mailboxes. A domain can belong to one customer.
//
// # Failures
//
// Fail injects a failure into the next n requests that match a script and
// do= action, FailAlways into every one until ClearFaults: an HTTP status with an nginx error page (with Retry-After if
// asked), a delay, a dropped connection, a connection dropped mid-body, a
// truncated body, a body broken by a PHP warning, an empty body, a body
// re-encoded as GBK (charset declared in Content-Type and in the prolog),
// or a body prefixed with a UTF-8 BOM. Status faults stop the request
// before the service sees it; the others let it take effect first, as a
// reply lost on its way back does.
//
// # Time
//
// Without WithClock the server runs on real time. With WithClock(c) it
// runs on the *Clock c, which moves only by c.Advance and c.Set: tasks
// start, send and finish by it, and a Delay fault waits until it has moved
// by the delay, so a test of a slow reply sends the request, calls
// c.BlockUntil(1) to know it is waiting, then c.Advance(d) — no real sleep.
//
// # Requests
//
// Requests returns the requests received since the start or the last
// ClearRequests — method, path, script, action, query, form fields, file
// names and sizes, headers, AuthScheme, user name and the fault applied —
// for asserting what a client sent. The recorder is bounded, so the fake
// can run long tours and benchmarks: it keeps the most recent
// DefaultRecordLimit requests and DefaultRecordBodyLimit bytes of each
// request's form values (BodySize and BodyTruncated say what was cut);
// WithRecordLimits changes both.
package bestedmtest
