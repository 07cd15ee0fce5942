package bestedm

import (
	"context"
	"fmt"
	"iter"
	"net/url"
	"strconv"
	"strings"
)

// DomainService manages sender domains and their mailboxes (doc §7).
//
// Its calls act on the account whose credentials the client holds. An
// administrator can act for one of its customers instead: see ForCustomer.
type DomainService struct {
	client     *Client
	customerID int64 // set by ForCustomer: act as manager for this customer
	manager    bool  // ForCustomer was called; customerID is then checked on every call
}

// ForCustomer returns a copy of s that acts as administrator for the
// customer customerID ("manager mode", doc §7): every call of the copy adds
// user_type=manager&customer_id=customerID, and the server then checks the
// client's credentials as the administrator's, not the customer's. The
// client must therefore be created with the administrator's username and
// password.
//
// s itself is not changed (client.Domain stays in customer mode), so one
// administrator client can serve several customers at once:
//
//	acme := client.Domain.ForCustomer(1024)
//	domains, err := acme.List(ctx)
//
// A customerID that is not positive does not panic: every call of the copy
// fails with a *ValidationError for customer_id before anything is sent.
func (s *DomainService) ForCustomer(customerID int64) *DomainService {
	var cp DomainService
	if s != nil {
		cp = *s
	}
	cp.customerID, cp.manager = customerID, true
	return &cp
}

// Domain is a sender domain (doc §7.1).
type Domain struct {
	// CustomerID is the owner; 0 marks a system domain, open to every customer.
	CustomerID int64  `xml:"customer_id"`
	Name       string `xml:"domain"` // e.g. "example.com"
}

// IsSystem reports whether d is a system domain (customer id 0).
func (d Domain) IsSystem() bool { return d.CustomerID == 0 }

// Mailbox is a sender account under a domain (doc §7.4).
type Mailbox struct {
	CustomerID int64  `xml:"customer_id"`
	Domain     string `xml:"domain"`  // e.g. "example.com"
	Name       string `xml:"name"`    // the account name, e.g. "sales"
	Address    string `xml:"mailbox"` // the full address, e.g. "sales@example.com"
}

// MailboxListOptions selects the mailboxes Domain.MailboxesPage returns. A nil
// *MailboxListOptions lists every mailbox of every domain in one reply.
type MailboxListOptions struct {
	// Domain limits the list to one domain, such as "example.com".
	Domain string `url:"domain,omitempty"`
	// Page asks for one page, counted from 1. Without it the server
	// returns the whole list and ignores Limit (doc §7.4).
	Page int `url:"page,omitempty"`
	// Limit is the number of mailboxes a page; the server's default is 30.
	Limit int `url:"limit,omitempty"`
}

// defaultMailboxLimit is the server's page size for mailbox-list (doc §7.4).
const defaultMailboxLimit = 30

// List returns the sender domains of the customer, system domains
// (CustomerID 0) included.
//
// API: bs.php?do=domain-list (doc §7.1)
func (s *DomainService) List(ctx context.Context) ([]Domain, error) {
	q, err := s.params()
	if err != nil {
		return nil, err
	}
	return fetchList[Domain](ctx, s.api(), get("bs.php", "domain-list", q), "domain_list", "data")
}

// Add adds domain (a host name such as "example.com") to the customer
// customerID. Only an administrator may call it: the client must hold the
// administrator's credentials. customerID is explicit because the document
// makes it a required parameter of this call in either mode.
//
// API: bs.php?do=domain-add (doc §7.2)
func (s *DomainService) Add(ctx context.Context, customerID int64, domain string) (*Result, error) {
	r, err := s.domainRequest("domain-add", customerID, domain)
	if err != nil {
		return nil, err
	}
	return s.api().exec(ctx, r)
}

// Delete removes domain from the customer customerID. Only an
// administrator may call it, as for Add.
//
// API: bs.php?do=domain-del (doc §7.3)
func (s *DomainService) Delete(ctx context.Context, customerID int64, domain string) (*Result, error) {
	r, err := s.domainRequest("domain-del", customerID, domain)
	if err != nil {
		return nil, err
	}
	return s.api().execItem(ctx, r, "domain", domain)
}

// MailboxesPage returns the mailboxes selected by opts: one page when
// opts.Page is set, otherwise all of them. Page.Total is set, and
// Page.TotalKnown true, only if the server sends a total (the document
// shows none).
//
// API: bs.php?do=mailbox-list (doc §7.4)
func (s *DomainService) MailboxesPage(ctx context.Context, opts *MailboxListOptions) (*Page[Mailbox], error) {
	return s.mailboxesPage(ctx, opts, keepList)
}

// mailboxesPage is MailboxesPage within the budget k (keepPage for the
// pages Mailboxes yields and drops).
func (s *DomainService) mailboxesPage(ctx context.Context, opts *MailboxListOptions, k keep) (*Page[Mailbox], error) {
	r, err := s.mailboxListRequest(opts)
	if err != nil {
		return nil, err
	}
	return fetchPage[Mailbox](ctx, s.api(), r, "mailbox_list", "data", k)
}

// Mailboxes yields every mailbox selected by opts, fetching pages of
// opts.Limit (default 30) from opts.Page (or 1) on until a short page. opts
// is copied, never modified; an error ends the sequence.
//
// API: bs.php?do=mailbox-list (doc §7.4)
func (s *DomainService) Mailboxes(ctx context.Context, opts *MailboxListOptions) iter.Seq2[Mailbox, error] {
	var o MailboxListOptions
	if opts != nil {
		o = *opts
	}
	if o.Limit == 0 {
		o.Limit = defaultMailboxLimit
	}
	return pages(o.Page, o.Limit, func(page int) (*Page[Mailbox], error) {
		po := o
		po.Page = page
		p, err := s.mailboxesPage(ctx, &po, keepPage)
		return p, err
	})
}

// AddMailbox creates the mailbox (a full address, such as
// "sales@example.com") with password, under one of the customer's domains.
//
// The document shows the password in the query string, but also lets
// parameters go by POST: it is sent in a form-encoded POST body (with do=
// in the query), because URLs end up in proxy and server access logs. It is
// also redacted from any error this call returns, even if the server
// echoes it.
//
// API: bs.php?do=mailbox-add (doc §7.5)
func (s *DomainService) AddMailbox(ctx context.Context, mailbox, password string) (*Result, error) {
	r, err := s.passwordRequest("mailbox-add", mailbox, password)
	if err != nil {
		return nil, err
	}
	return s.api().exec(ctx, r)
}

// UpdateMailbox sets a new password for mailbox. As in AddMailbox, the
// password travels in a POST body, never in a URL, and never shows in an
// error.
//
// API: bs.php?do=mailbox-edit (doc §7.7)
func (s *DomainService) UpdateMailbox(ctx context.Context, mailbox, password string) (*Result, error) {
	r, err := s.passwordRequest("mailbox-edit", mailbox, password)
	if err != nil {
		return nil, err
	}
	return s.api().execItem(ctx, r, "mailbox", mailbox)
}

// DeleteMailbox removes mailbox (a full address).
//
// API: bs.php?do=mailbox-del (doc §7.6)
func (s *DomainService) DeleteMailbox(ctx context.Context, mailbox string) (*Result, error) {
	q, err := s.params()
	if err != nil {
		return nil, err
	}
	if err := checkEmail("mailbox", mailbox); err != nil {
		return nil, err
	}
	q.Set("mailbox", mailbox)
	return s.api().execItem(ctx, getWrite("bs.php", "mailbox-del", q), "mailbox", mailbox)
}

// params returns the parameters every call carries: none in customer mode
// (the server's default user_type), user_type and customer_id in manager
// mode.
func (s *DomainService) params() (url.Values, error) {
	if s == nil {
		return nil, errNoClient()
	}
	q := url.Values{}
	if !s.manager {
		return q, nil
	}
	if err := requireID("customer_id", s.customerID); err != nil {
		return nil, err
	}
	q.Set("user_type", "manager")
	q.Set("customer_id", itoa(s.customerID))
	return q, nil
}

// domainRequest builds domain-add and domain-del. In manager mode the
// explicit customerID must be the one given to ForCustomer: two different
// ids in one call would leave it to the server to pick one.
func (s *DomainService) domainRequest(action string, customerID int64, domain string) (*request, error) {
	q, err := s.params()
	if err != nil {
		return nil, err
	}
	if err := requireID("customer_id", customerID); err != nil {
		return nil, err
	}
	if s.manager && customerID != s.customerID {
		return nil, &ValidationError{Field: "customer_id", Reason: fmt.Sprintf("is %d, but this service acts for customer %d (ForCustomer)", customerID, s.customerID)}
	}
	if err := checkHostname("domain", domain); err != nil {
		return nil, err
	}
	q.Set("customer_id", itoa(customerID))
	q.Set("domain", domain)
	return getWrite("bs.php", action, q), nil
}

func (s *DomainService) mailboxListRequest(opts *MailboxListOptions) (*request, error) {
	q, err := s.params()
	if err != nil {
		return nil, err
	}
	var o MailboxListOptions
	if opts != nil {
		o = *opts
	}
	if err := checkPage(o.Page, o.Limit); err != nil {
		return nil, err
	}
	if o.Domain != "" {
		if err := checkHostname("domain", o.Domain); err != nil {
			return nil, err
		}
	}
	v, err := s.api().encodeParams(&o)
	if err != nil {
		return nil, err
	}
	for k, vals := range q {
		v[k] = vals
	}
	return get("bs.php", "mailbox-list", v), nil
}

// passwordRequest builds mailbox-add and mailbox-edit: do= (and the manager
// parameters) in the query, mailbox and pwd in a form body. The password is
// marked as a request secret, so the plumbing redacts it from errors.
func (s *DomainService) passwordRequest(action, mailbox, password string) (*request, error) {
	q, err := s.params()
	if err != nil {
		return nil, err
	}
	if err := checkEmail("mailbox", mailbox); err != nil {
		// The arguments may have been swapped: never quote the password,
		// as typed or as %q escaped it.
		if ve, ok := err.(*ValidationError); ok && password != "" {
			quoted := strconv.Quote(password)
			ve.Reason = strings.ReplaceAll(ve.Reason, quoted[1:len(quoted)-1], "REDACTED")
			ve.Reason = strings.ReplaceAll(ve.Reason, password, "REDACTED")
		}
		return nil, err
	}
	if err := requireString("pwd", password); err != nil {
		return nil, err
	}
	r := postForm("bs.php", action, q, url.Values{"mailbox": {mailbox}, "pwd": {password}})
	r.secrets = []string{password}
	return r, nil
}
