package bestedm

import (
	"context"
	"errors"
)

// One contract for an item that does not exist (CONTRIBUTING rule 12):
// Get, Update and Delete of one item return *NotFoundError, whether the
// server answered a not-found status or an empty reply.

// itemErr turns err, the failure of call r on the item kind/id, into
// *NotFoundError when the server said the item does not exist: an
// *APIError with a not-found status, or an empty reply. Other errors
// (and nil) are returned as they are.
func itemErr(kind, id string, err error) error {
	if err == nil {
		return nil
	}
	var ae *APIError
	if errors.As(err, &ae) && isNotFoundStatus(ae.Status) {
		return &NotFoundError{Call: ae.Call, Kind: kind, ID: id, Err: ae}
	}
	var de *DecodeError
	if errors.As(err, &de) && errors.Is(de.Err, errEmptyReply) {
		return &NotFoundError{Call: de.Call, Kind: kind, ID: id}
	}
	return err
}

// execItem is exec for a call that changes or deletes one item.
func (c *Client) execItem(ctx context.Context, r *request, kind, id string) (*Result, error) {
	res, err := c.exec(ctx, r)
	return res, itemErr(kind, id, err)
}

// notFound is the *NotFoundError of a read whose reply holds no item: an
// empty element, or a list without the id asked for.
func (c *Client) notFound(r *request, kind, id string) error {
	return &NotFoundError{Call: c.requestName(r), Kind: kind, ID: id}
}
