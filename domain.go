package bestedm

// DomainService manages sender domains and their mailboxes (doc §7).
type DomainService struct {
	client     *Client
	customerID int64 // set by ForCustomer: act as manager for this customer
}
