// Package bestedm is a client for the bestedm mass-email (EDM) API of
// U-Mail, version 3.0: contact lists and addresses, templates, sending
// tasks, sender domains and mailboxes, delivery statistics and tracking.
//
// Create one Client per account and share it; it is safe for concurrent use:
//
//	client, err := bestedm.NewClient("username", "password")
//	if err != nil { … }
//	lists, err := client.Maillist.List(ctx)
//
// Services mirror the sections of the vendor's document: client.Account
// (§1), client.Statistic (§2), client.Task (§2.1, §5.1, §6), client.Track
// (§3), client.Maillist (§4), client.Template (§5) and client.Domain (§7).
// Every method takes a context.Context first and names the call it makes in
// its documentation.
//
// # Authentication
//
// By default credentials go in an HTTP Basic Authorization header with the
// plain password, the mode production clients use. WithAuthMode(AuthQuery)
// sends username and the MD5 of the password in the query string instead,
// and WithPasswordHash accepts the MD5 hash in place of the password.
//
// # Errors
//
// Bad arguments fail before anything is sent, with *ValidationError. A
// <result> reply whose status is not "success" is an *APIError carrying the
// status identifier. A non-2xx reply is an *HTTPError and a body that is not
// the expected XML a *DecodeError, both with a snippet of what came back; a
// failed exchange is a *RequestError. Credentials never appear in errors or
// logs. Sentinels such as ErrValidation, ErrAPI and ErrNotFound work with
// errors.Is.
//
// # Lists, iterators and exports
//
// A method named for many items returns every one: a slice when one reply
// holds them all,
// an iter.Seq2[T, error] when they come in pages (Task.List,
// Maillist.ListAddresses, Domain.Mailboxes: the next page is fetched
// as the loop needs it) or as one huge reply (Track.Opens,
// Track.Clicks: decoded one record at a time). The same name with Page
// (Task.ListPage, Maillist.ListAddressesPage, Domain.MailboxesPage)
// returns one *Page for callers that page themselves. Exports return an
// *Export that is both the raw body (an io.ReadCloser) and, through Rows,
// an iterator of parsed rows.
//
// # Any call
//
// A parameter, element or call the typed API does not model is reached
// with a Request: Client.Do binds the reply into the caller's struct (or
// copies it to an io.Writer), Records streams a list's records, both
// through the same authentication, retries, limits and error types.
//
// # Times
//
// Server times are wall-clock times in China (UTC+8); they are read into
// time.Time in that zone, and dates in requests are written in it.
// WithLocation changes the zone. "0000-00-00 00:00:00" reads as the zero
// time.Time.
//
// # Testing
//
// Package bestedmtest runs a stateful fake of the whole API in-process:
// bestedmtest.NewServer in a test, bestedmtest.Start (and Close) in a
// program; its Server.Client returns a Client pointed at it. The
// package-level example walks a whole campaign against it.
package bestedm
