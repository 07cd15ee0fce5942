package bestedm

import (
	"context"
	"errors"
	"strings"
)

// One contract for an item that does not exist (CONTRIBUTING rule 12):
// Get, Update and Delete of one item return *NotFoundError, whether the
// server answered a not-found status or an empty reply.

// itemID names the item a call is about: its numeric id, if it has one,
// and the text an error shows.
type itemID struct {
	num  int64
	text string
}

// byNum is the itemID of an item the call gives a numeric id.
func byNum(id int64) itemID { return itemID{num: id, text: itoa(id)} }

// byName is the itemID of an item the call names (a domain, a mailbox, a
// task by batch number).
func byName(name string) itemID { return itemID{text: name} }

// itemID names the task in errors: by id, or by ident when it has no id.
func (t TaskRef) itemID() itemID {
	if t.ID > 0 {
		return byNum(t.ID)
	}
	return byName(t.label())
}

// itemErr turns err, the failure of call r on the item kind/id, into
// *NotFoundError when the server said the item does not exist: an
// *APIError with a not-found status, or an empty reply. Other errors
// (and nil) are returned as they are.
func itemErr(kind string, id itemID, err error) error {
	if err == nil {
		return nil
	}
	var ae *APIError
	if errors.As(err, &ae) && isNotFoundStatus(ae.Status) {
		return &NotFoundError{Call: ae.Call, Kind: kind, ID: id.text, IDNum: id.num, Err: ae}
	}
	var de *DecodeError
	if errors.As(err, &de) && errors.Is(de.Err, errEmptyReply) {
		return &NotFoundError{Call: de.Call, Kind: kind, ID: id.text, IDNum: id.num}
	}
	return err
}

// execItem is exec for a call that changes or deletes one item.
func (c *Client) execItem(ctx context.Context, r *request, kind string, id itemID) (*Result, error) {
	res, err := c.exec(ctx, r)
	return res, itemErr(kind, id, err)
}

// notFound is the *NotFoundError of a read whose reply holds no item: an
// empty element, or a list without the id asked for.
func (c *Client) notFound(r *request, kind string, id itemID) error {
	return &NotFoundError{Call: c.requestName(r), Kind: kind, ID: id.text, IDNum: id.num}
}

// KindTracking is the Kind of the *NotFoundError of a tracking call
// (Track.Overview) on a task that exists but has no tracking: it was
// created without TrackStatus. Such an error matches ErrNoTracking as well
// as ErrNotFound.
const KindTracking = "tracking"

// ErrNoTracking is matched by the *NotFoundError of a tracking call on a
// task that exists but has no tracking (Kind KindTracking), so that a
// program can tell it from a task that does not exist.
var ErrNoTracking = errors.New("bestedm: the task has no tracking")

// trackingErr turns err, the *NotFoundError of a tracking call on task,
// into one of Kind KindTracking when the task exists: the server answers
// the same not-found for a task it does not know and for one it keeps no
// tracking for (the fake says which only in its message, the document
// not at all), so the task is looked up with list-task, a read. If that
// lookup fails, err is returned as it was.
func (c *Client) trackingErr(ctx context.Context, task TaskRef, err error) error {
	var nf *NotFoundError
	if !errors.As(err, &nf) || nf.Kind != "task" || c.Task == nil {
		return err
	}
	found, ferr := c.Task.Find(ctx, &TaskFindOptions{ID: task.ID, Ident: strings.TrimSpace(task.Ident)})
	if ferr != nil || len(found) == 0 {
		return err
	}
	cp := *nf
	cp.Kind = KindTracking
	return &cp
}
