package bestedm

import (
	"context"
	"time"
)

// AccountService reads the account's details (doc §1).
type AccountService service

// Customer is the account holder (doc §1.1).
type Customer struct {
	ID       int64  `xml:"id"`
	Username string `xml:"username"`
	Company  string `xml:"company"`
	Contact  string `xml:"contact"`
	Phone    string `xml:"phone"`
	Mobile   string `xml:"mobile"`
	Email    string `xml:"email"`
	IM       string `xml:"im"`
	Address  string `xml:"address"`
}

// ServiceStatus says whether the account may send (doc §1.2).
type ServiceStatus string

// Values of ServiceStatus.
const (
	ServiceEnabled  ServiceStatus = "enabled"
	ServiceDisabled ServiceStatus = "disabled"
)

// ServiceType says how the sending quota is counted.
type ServiceType string

// Values of ServiceType.
const (
	ServiceTypeTotal ServiceType = "all" // a total number of messages
	ServiceTypeDaily ServiceType = "day" // a number of messages per day
)

// SendType says whose servers deliver the mail.
type SendType string

// Values of SendType.
const (
	SendRemote SendType = "remote" // the customer's own servers
	SendLocal  SendType = "local"  // the platform's servers
)

// ServiceInfo is the account's sending service and quota (doc §1.2).
type ServiceInfo struct {
	ID             int64         `xml:"id"`
	Status         ServiceStatus `xml:"service_status"`
	Type           ServiceType   `xml:"service_type"`
	SendType       SendType      `xml:"send_type"`
	BeginningDate  time.Time     `xml:"beginning_date"`
	ExpirationDate time.Time     `xml:"expiration_date"`
	QuotaLeft      int64         `xml:"qty_available"`
	QuotaBought    int64         `xml:"qty_buytotal"`
}

// CustomerInfo returns the account holder's details.
//
// API: account.php?do=customer-info (doc §1.1)
func (s *AccountService) CustomerInfo(ctx context.Context) (*Customer, error) {
	// The authenticated account always exists: an empty <customer> is
	// not an account without details but a broken reply.
	return fetchData[Customer](ctx, s.api(), get("account.php", "customer-info", nil), "customer")
}

// ServiceInfo returns the state of the sending service and the quota left.
//
// API: account.php?do=service-info (doc §1.2)
func (s *AccountService) ServiceInfo(ctx context.Context) (*ServiceInfo, error) {
	return fetchData[ServiceInfo](ctx, s.api(), get("account.php", "service-info", nil), "service")
}
