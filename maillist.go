package bestedm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"time"

	"github.com/bestedm/bestedm-go/internal/xmlbind"
)

// MaillistService handles contact lists and their addresses (doc §4).
type MaillistService service

// mlScript serves every call of doc §4.
const mlScript = "mloperate.php"

// MaillistStatus says whether a contact list may be used.
type MaillistStatus string

// Values of MaillistStatus.
const (
	MaillistEnabled  MaillistStatus = "enabled"
	MaillistDisabled MaillistStatus = "disabled"
)

// Maillist is a contact list (doc §4.1, §4.2).
type Maillist struct {
	ID          int64          `xml:"id"`
	Name        string         `xml:"subject"`
	Description string         `xml:"description"`
	Count       int64          `xml:"count"` // number of addresses
	Status      MaillistStatus `xml:"status"`
	// InputStatus is sent by List on some servers but not documented; it
	// is kept as the server's text.
	InputStatus string `xml:"input_status"`
}

// MaillistParams are the fields of a contact list to create or change.
// Empty fields are not sent.
type MaillistParams struct {
	Name        string         `url:"subject,omitempty"`
	Status      MaillistStatus `url:"status,omitempty"`
	Description string         `url:"description,omitempty"`
}

// Subscriber is an address with a display name: a row of ExportSubscribers
// and an input of Subscribe.
type Subscriber struct {
	Email string
	Name  string // Subscribe: when empty, the server uses the address's local part
}

// Unsubscription is a row of ExportUnsubscribed.
type Unsubscription struct {
	Time  time.Time // when the address unsubscribed, in the client's zone
	Email string
}

// List returns every contact list of the account.
//
// API: mloperate.php?do=maillist-list (doc §4.1)
func (s *MaillistService) List(ctx context.Context) ([]Maillist, error) {
	return fetchList[Maillist](ctx, s.api(), get(mlScript, "maillist-list", nil), "maillist", "item")
}

// Get returns one contact list. When there is none with that id (a
// not-found status, or an empty reply) the error is a *NotFoundError.
//
// API: mloperate.php?do=maillist-detail (doc §4.2)
func (s *MaillistService) Get(ctx context.Context, id int64) (*Maillist, error) {
	if err := requireID("id", id); err != nil {
		return nil, err
	}
	r := get(mlScript, "maillist-detail", idQuery("id", id))
	m, err := fetchNew[Maillist](ctx, s.api(), r, "maillist")
	if err != nil {
		return nil, itemErr("maillist", byNum(id), err)
	}
	if m.ID == 0 {
		// The document does not say how an unknown id is answered; an
		// empty <maillist> is the shape an empty list takes elsewhere.
		return nil, s.api().notFound(r, "maillist", byNum(id))
	}
	return m, nil
}

// Create adds a contact list. p.Name is required, at most
// MaxListNameBytes of UTF-8 without control characters; Status defaults to
// MaillistEnabled (the document makes it a required parameter, so it is
// always sent). Result.ID is the new list's id. The document's reply
// carries only a status and a message, and production sends no id either:
// when the reply has none, Create finds the list by its name with a
// maillist-list call (the service keeps names unique;
// docs/wire-format.md#maillist-add-id). If that look-up fails, the list has
// still been created: Create returns the Result, with ID 0, together with
// an error saying so (wrapping ErrNotFound when no list has the name).
//
// API: mloperate.php?do=maillist-add (doc §4.3), and maillist-list (§4.1)
// when the reply has no id
func (s *MaillistService) Create(ctx context.Context, p *MaillistParams) (*Result, error) {
	params := MaillistParams{}
	if p != nil {
		params = *p
	}
	if err := requireString("subject", params.Name); err != nil {
		return nil, err
	}
	if err := checkStoredText("subject", params.Name, MaxListNameBytes); err != nil {
		return nil, err
	}
	if params.Status == "" {
		params.Status = MaillistEnabled
	}
	res, err := s.postParams(ctx, "maillist-add", url.Values{}, &params)
	if err != nil || res.ID != 0 {
		return res, err
	}
	if res.ID, err = s.findID(ctx, params.Name); err != nil {
		return res, fmt.Errorf("bestedm: maillist %q was created, but finding its id failed: %w", params.Name, err)
	}
	return res, nil
}

// findID returns the id of the list named name: the newest one, since a
// list of that name deleted and made again would have a higher id.
func (s *MaillistService) findID(ctx context.Context, name string) (int64, error) {
	lists, err := s.List(ctx)
	if err != nil {
		return 0, err
	}
	var id int64
	want := strings.TrimSpace(name)
	for _, l := range lists {
		if strings.TrimSpace(l.Name) == want && l.ID > id {
			id = l.ID
		}
	}
	if id == 0 {
		return 0, fmt.Errorf("no list has that name: %w", ErrNotFound)
	}
	return id, nil
}

// Update changes the set fields of a contact list; at least one is needed.
// A field cannot be cleared: empty fields are not sent.
//
// API: mloperate.php?do=maillist-edit (doc §4.4)
func (s *MaillistService) Update(ctx context.Context, id int64, p *MaillistParams) (*Result, error) {
	if err := requireID("id", id); err != nil {
		return nil, err
	}
	if p == nil || *p == (MaillistParams{}) {
		return nil, &ValidationError{Arg: "MaillistParams", Reason: "nothing to change: set at least one of subject, status and description"}
	}
	if p.Name != "" {
		if err := requireString("subject", p.Name); err != nil {
			return nil, err
		}
		if err := checkStoredText("subject", p.Name, MaxListNameBytes); err != nil {
			return nil, err
		}
	}
	res, err := s.postParams(ctx, "maillist-edit", idQuery("id", id), p)
	return res, itemErr("maillist", byNum(id), err)
}

// postParams checks p.Status and sends p as a form body, the form public
// clients use for maillist-add and maillist-edit (docs/wire-format.md#form-posts).
func (s *MaillistService) postParams(ctx context.Context, action string, query url.Values, p *MaillistParams) (*Result, error) {
	if p.Status != "" && p.Status != MaillistEnabled && p.Status != MaillistDisabled {
		return nil, &ValidationError{Field: "status", Reason: fmt.Sprintf("%q is neither enabled nor disabled", p.Status)}
	}
	form, err := s.api().encodeParams(p)
	if err != nil {
		return nil, err
	}
	return s.api().exec(ctx, postForm(mlScript, action, query, form))
}

// Delete removes a contact list.
//
// API: mloperate.php?do=maillist-del (doc §4.5)
func (s *MaillistService) Delete(ctx context.Context, id int64) (*Result, error) {
	if err := requireID("id", id); err != nil {
		return nil, err
	}
	return s.api().execItem(ctx, getWrite(mlScript, "maillist-del", idQuery("id", id)), "maillist", byNum(id))
}

// ExportSubscribers streams the addresses of a contact list, one
// "address<TAB>name" line each. Close the export, or range over its Rows.
//
// API: mloperate.php?do=subscription-export (doc §4.6)
func (s *MaillistService) ExportSubscribers(ctx context.Context, id int64) (*Export[Subscriber], error) {
	if err := requireID("id", id); err != nil {
		return nil, err
	}
	return openExport(ctx, s.api(), get(mlScript, "subscription-export", idQuery("id", id)), parseSubscriber)
}

// parseSubscriber reads "address<TAB>name"; the name may be missing, and
// extra columns are ignored as unknown XML elements are.
func parseSubscriber(f []string) (Subscriber, error) {
	if f[0] == "" {
		return Subscriber{}, errors.New("no address in the first column")
	}
	sub := Subscriber{Email: f[0]}
	if len(f) > 1 {
		sub.Name = f[1]
	}
	return sub, nil
}

// ExportUnsubscribed streams the addresses that left a contact list, one
// "time<TAB>address" line each. A line that is not a time and an address
// ends Rows with an error giving its line number.
//
// API: mloperate.php?do=unsubscribe-export (doc §4.7)
func (s *MaillistService) ExportUnsubscribed(ctx context.Context, id int64) (*Export[Unsubscription], error) {
	if err := requireID("id", id); err != nil {
		return nil, err
	}
	loc := s.api().loc
	parse := func(f []string) (Unsubscription, error) {
		if len(f) < 2 || f[1] == "" {
			return Unsubscription{}, fmt.Errorf("want \"time<TAB>address\", got %d field(s)", len(f))
		}
		t, err := xmlbind.ParseTime(f[0], loc)
		if err != nil {
			return Unsubscription{}, fmt.Errorf("cannot read time %q: %w", f[0], err)
		}
		return Unsubscription{Time: t, Email: f[1]}, nil
	}
	return openExport(ctx, s.api(), get(mlScript, "unsubscribe-export", idQuery("id", id)), parse)
}

// Subscribe adds subscribers to a list. One subscriber is sent as the
// address and name parameters; several as a "maillist" form body in the
// document's format 2, one "address<TAB>name" a line, where an empty name
// is replaced by the address's local part, the server's documented default.
// Names must not hold a tab or line break. The name of a single subscriber
// travels in its own parameter and may hold a comma or semicolon; with
// several, those separate entries in the batch formats and are refused.
//
// API: mloperate.php?do=ml-sub (doc §4.13)
func (s *MaillistService) Subscribe(ctx context.Context, listID int64, subs ...Subscriber) (*Result, error) {
	if err := requireID("list_id", listID); err != nil {
		return nil, err
	}
	if err := checkSubscribers(subs); err != nil {
		return nil, err
	}
	query := idQuery("list_id", listID)
	if len(subs) == 1 {
		query.Set("address", subs[0].Email)
		if subs[0].Name != "" {
			query.Set("name", subs[0].Name)
		}
		return s.api().exec(ctx, getWrite(mlScript, "ml-sub", query))
	}
	var sb strings.Builder
	for i, sub := range subs {
		if i > 0 {
			sb.WriteByte('\n')
		}
		name := sub.Name
		if name == "" {
			name, _, _ = strings.Cut(sub.Email, "@")
		}
		sb.WriteString(sub.Email + "\t" + name)
	}
	return s.api().exec(ctx, postForm(mlScript, "ml-sub", query, url.Values{"maillist": {sb.String()}}))
}

func checkSubscribers(subs []Subscriber) error {
	if len(subs) == 0 {
		return &ValidationError{Field: "address", Reason: "no subscriber given"}
	}
	for i, sub := range subs {
		if err := checkEmail("address", sub.Email); err != nil {
			return err
		}
		if strings.ContainsAny(sub.Name, "\t\r\n") {
			return &ValidationError{Field: "name", Reason: fmt.Sprintf("subscriber %d (%s): %q contains a tab or line break", i+1, sub.Email, sub.Name)}
		}
		if len(subs) > 1 && strings.ContainsAny(sub.Name, ",;") {
			return &ValidationError{Field: "name", Reason: fmt.Sprintf("subscriber %d (%s): %q contains a comma or semicolon, which separate entries when several subscribers are sent together", i+1, sub.Email, sub.Name)}
		}
	}
	return nil
}

// Unsubscribe removes addresses from a list. One address is sent as the
// address parameter; several as an "address" form body, one a line.
//
// API: mloperate.php?do=ml-unsub (doc §4.14)
func (s *MaillistService) Unsubscribe(ctx context.Context, listID int64, emails ...string) (*Result, error) {
	if err := requireID("list_id", listID); err != nil {
		return nil, err
	}
	if len(emails) == 0 {
		return nil, &ValidationError{Field: "address", Reason: "no address given"}
	}
	for _, e := range emails {
		if err := checkEmail("address", e); err != nil {
			return nil, err
		}
	}
	query := idQuery("list_id", listID)
	if len(emails) == 1 {
		query.Set("address", emails[0])
		return s.api().exec(ctx, getWrite(mlScript, "ml-unsub", query))
	}
	return s.api().exec(ctx, postForm(mlScript, "ml-unsub", query, url.Values{"address": {strings.Join(emails, "\n")}}))
}
