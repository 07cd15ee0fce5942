package bestedm

import (
	"context"
	"errors"
	"iter"
	"net/url"
	"strings"
	"time"
)

// TrackService handles open and click tracking (doc §3).
type TrackService service

// TaskRef names a sending task for the tracking calls: by its id (the
// document's send_id) or by its batch number (ident). Build one with TaskID
// or TaskIdent. When both are set both are sent, and the server uses the
// ident (doc §3.1).
type TaskRef struct {
	ID    int64
	Ident string
}

// label names the task in errors: its id, or its ident when it has no id.
func (t TaskRef) label() string {
	if t.ID > 0 {
		return itoa(t.ID)
	}
	return strings.TrimSpace(t.Ident)
}

// TaskByID refers to a task by its id.
func TaskByID(id int64) TaskRef { return TaskRef{ID: id} }

// TaskByIdent refers to a task by its batch number, e.g. "20120302-362-F9B1E5".
func TaskByIdent(ident string) TaskRef { return TaskRef{Ident: ident} }

// params validates t and returns it as id and/or ident. A blank ident is
// not sent: the server would prefer it to a valid id.
func (t TaskRef) params() (url.Values, error) {
	if t.ID < 0 {
		return nil, requireID("id", t.ID)
	}
	ident := strings.TrimSpace(t.Ident)
	if t.ID == 0 && ident == "" {
		return nil, &ValidationError{Field: "id", Reason: "a task id or ident is required"}
	}
	v := url.Values{}
	if t.ID > 0 {
		v.Set("id", itoa(t.ID))
	}
	if ident != "" {
		v.Set("ident", ident)
	}
	return v, nil
}

// withLink returns the task's parameters plus link_id when linkID is not 0.
func (t TaskRef) withLink(linkID int64) (url.Values, error) {
	if linkID < 0 {
		return nil, requireID("link_id", linkID)
	}
	v, err := t.params()
	if err == nil && linkID > 0 {
		v.Set("link_id", itoa(linkID))
	}
	return v, err
}

// Ratios (OpenRatio, ClickRatio) are the number as sent, with a trailing %
// dropped: "12.5%" reads as 12.5. The document does not say whether the
// server sends a percentage or a fraction, so no scaling is done.

// TrackOverview is the tracking summary of one task (doc §3.1).
type TrackOverview struct {
	TrackID int64 `xml:"track_id"` // for Export
	// TaskID is the task's id, read from <task_id> (the document, the
	// TypeScript client) or <send_id> (a production client that reads no
	// task_id); docs/wire-format.md#overview-send-id.
	TaskID         int64      `xml:"task_id|send_id"`
	TaskSN         string     `xml:"task_sn"` // batch number
	SendCount      int64      `xml:"send_count"`
	RealSendCount  int64      `xml:"real_send_count"`  // sent successfully
	ErrorSendCount int64      `xml:"error_send_count"` // failed
	OpenUnique     int64      `xml:"open_unique"`
	OpenTotal      int64      `xml:"open_total"`
	OpenFirst      time.Time  `xml:"open_first"`
	OpenLast       time.Time  `xml:"open_last"`
	ClickUnique    int64      `xml:"click_unique"`
	ClickTotal     int64      `xml:"click_total"`
	ClickFirst     time.Time  `xml:"click_first"`
	ClickLast      time.Time  `xml:"click_last"`
	OpenRatio      float64    `xml:"open_ratio"`  // as sent; a trailing % is dropped
	ClickRatio     float64    `xml:"click_ratio"` // as sent; a trailing % is dropped
	Links          []LinkStat `xml:"link_statistic>link"`
}

// LinkStat is the click count of one tracked link (doc §3.1, §3.5).
type LinkStat struct {
	LinkID      int64     `xml:"link_id"`
	URL         string    `xml:"link"`
	ClickUnique int64     `xml:"click_unique"`
	ClickTotal  int64     `xml:"click_total"`
	ClickFirst  time.Time `xml:"click_first"`
	ClickLast   time.Time `xml:"click_last"`
}

// Device is the kind of device a recipient opened the mail on, as the
// service classifies it (open-detail's <device>; not in the document).
// Recorded replies hold DevicePC or DeviceMobile; other values are kept as
// sent.
type Device string

// Values of Device seen in production replies.
const (
	DevicePC     Device = "pc"
	DeviceMobile Device = "mobile"
)

// Location is where an IP address is, as the service looks it up:
// open-detail's <addr_first> and <addr_last> (not in the document). It is
// the text as sent, parts separated by "|": the continent, the country, then
// the province, city and district run together, e.g. "亚洲|中国|江苏苏州常熟"
// or "北美洲|美国|" (a part the service does not know is empty). The zero
// value is unset: addr_last is empty until a second open, like ip_last.
type Location string

// part returns the i-th "|"-separated part of l, trimmed.
func (l Location) part(i int) string {
	parts := strings.SplitN(string(l), "|", 3)
	if i >= len(parts) {
		return ""
	}
	return strings.TrimSpace(parts[i])
}

// IsZero reports whether l is unset.
func (l Location) IsZero() bool { return strings.TrimSpace(string(l)) == "" }

// Continent returns the first part, e.g. "亚洲".
func (l Location) Continent() string { return l.part(0) }

// Country returns the second part, e.g. "中国".
func (l Location) Country() string { return l.part(1) }

// Region returns the rest: the province, city and district as the service
// writes them, run together (e.g. "广东深圳南山"), or "" when it does not
// know them.
func (l Location) Region() string { return l.part(2) }

// OpenDetail is one recipient who opened the mail (doc §3.2). Production
// sends three elements the document does not list: Device, AddrFirst and
// AddrLast (docs/wire-format.md#open-detail-location).
type OpenDetail struct {
	EmailID int64  `xml:"email_id"` // for Export
	Email   string `xml:"email"`
	Browser string `xml:"browser"`
	OS      string `xml:"os"`
	Device  Device `xml:"device"`
	// AddrFirst is where IPFirst is; AddrLast where IPLast is (unset, like
	// IPLast, for a recipient who opened once).
	AddrFirst  Location  `xml:"addr_first"`
	IPFirst    string    `xml:"ip_first"`
	IPLast     string    `xml:"ip_last"`
	AddrLast   Location  `xml:"addr_last"`
	OpenTotal  int64     `xml:"open_total"`
	ClickTotal int64     `xml:"click_total"`
	OpenFirst  time.Time `xml:"open_first"`
	OpenLast   time.Time `xml:"open_last"`
	ClickFirst time.Time `xml:"click_first"`
	ClickLast  time.Time `xml:"click_last"`
}

// ClickDetail is one recipient's clicks on one link (doc §3.3).
type ClickDetail struct {
	ClickID     int64     `xml:"click_id"`
	Email       string    `xml:"email"`
	URL         string    `xml:"link"`
	ClickUnique int64     `xml:"click_unique"`
	ClickTotal  int64     `xml:"click_total"`
	ClickFirst  time.Time `xml:"click_first"`
	ClickLast   time.Time `xml:"click_last"`
}

// Overview returns the tracking summary of a task, with its links. When
// the server knows no such task, the error is a *NotFoundError; when the
// task exists but has no tracking (it was created without TrackStatus),
// the *NotFoundError's Kind is KindTracking and it also matches
// ErrNoTracking.
//
// API: track.php?do=overview (doc §3.1)
func (s *TrackService) Overview(ctx context.Context, task TaskRef) (*TrackOverview, error) {
	params, err := task.params()
	if err != nil {
		return nil, err
	}
	r := get("track.php", "overview", params)
	o, err := fetchData[TrackOverview](ctx, s.api(), r, "track")
	if errors.Is(err, errNoData) {
		// An empty <track>, as Maillist.Get reads an empty <maillist>: the
		// server knows no such task, or no tracking for it.
		return nil, s.api().trackingErr(ctx, task, s.api().notFound(r, "task", task.itemID()))
	}
	if err != nil {
		return nil, s.api().trackingErr(ctx, task, itemErr("task", task.itemID(), err))
	}
	if o.Links == nil {
		o.Links = []LinkStat{} // an empty <link_statistic>: no links, not unknown
	}
	return o, nil
}

// Opens yields the recipients who opened the task's mail. The reply is not
// paged and is as large as the campaign, so records are decoded one at a
// time as they arrive; an error (a bad argument included) ends the loop.
//
// API: track.php?do=open-detail (doc §3.2)
func (s *TrackService) Opens(ctx context.Context, task TaskRef) iter.Seq2[OpenDetail, error] {
	params, err := task.params()
	if err != nil {
		return trackErrSeq[OpenDetail](err)
	}
	return records[OpenDetail](ctx, s.api(), get("track.php", "open-detail", params), "data", "user")
}

// Clicks yields the task's clicks, of every link or, when linkID is not 0,
// of that link; streamed like Opens.
//
// API: track.php?do=click-detail (doc §3.3)
func (s *TrackService) Clicks(ctx context.Context, task TaskRef, linkID int64) iter.Seq2[ClickDetail, error] {
	params, err := task.withLink(linkID)
	if err != nil {
		return trackErrSeq[ClickDetail](err)
	}
	return records[ClickDetail](ctx, s.api(), get("track.php", "click-detail", params), "data", "click")
}

// LinkStats returns the click counts of the task's links or, when linkID is
// not 0, of that link.
//
// API: track.php?do=link-stat (doc §3.5)
func (s *TrackService) LinkStats(ctx context.Context, task TaskRef, linkID int64) ([]LinkStat, error) {
	params, err := task.withLink(linkID)
	if err != nil {
		return nil, err
	}
	return fetchList[LinkStat](ctx, s.api(), get("track.php", "link-stat", params), "data", "link")
}

// TrackExportOptions selects the tracked addresses to export (doc §3.4).
type TrackExportOptions struct {
	// TrackID is the task's tracking id (TrackOverview.TrackID). Required.
	TrackID int64 `url:"track_id"`
	// ClickedOnly exports only the addresses that clicked (is_click=1).
	// When false is_click is not sent: the document gives 0, "all
	// addresses", as its meaning, so leaving it out asks the same.
	ClickedOnly bool `url:"is_click,omitempty,int"`
	// LinkID exports the addresses that clicked this link; 0: not sent.
	LinkID int64 `url:"link_id,omitempty"`
	// EmailID exports this one address (OpenDetail.EmailID); 0: not sent.
	EmailID int64 `url:"email_id,omitempty"`
}

func (o *TrackExportOptions) validate() error {
	if o == nil {
		return &ValidationError{Field: "track_id", Reason: "options are required"}
	}
	if err := requireID("track_id", o.TrackID); err != nil {
		return err
	}
	if o.LinkID < 0 {
		return requireID("link_id", o.LinkID)
	}
	if o.EmailID < 0 {
		return requireID("email_id", o.EmailID)
	}
	return nil
}

// TrackExportRow is one row of a tracking export. The document does not
// give the export's format, and the public sources disagree: a production
// client reads the reply as XML, older readings take it for TAB-separated
// text. A row keeps what was sent, uninterpreted: from text, the line's
// fields (each trimmed of spaces) with Names nil; from XML, one child of the
// root, its child elements' names in Names and their texts in Fields. The
// fields seen so far are listed in docs/wire-format.md.
type TrackExportRow struct {
	Fields []string
	Names  []string // parallel to Fields for an XML row; nil for text
}

// Get returns the field named name (an XML row's element) and whether the
// row has it; a text row has no names.
func (r TrackExportRow) Get(name string) (string, bool) {
	for i, n := range r.Names {
		if n == name && i < len(r.Fields) {
			return r.Fields[i], true
		}
	}
	return "", false
}

// Export streams the tracked addresses of a task, from a text or an XML
// reply alike (the body is sniffed); Read gives the bytes exactly as sent.
//
// API: trackexport.php (doc §3.4)
func (s *TrackService) Export(ctx context.Context, opts *TrackExportOptions) (*Export[TrackExportRow], error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	params, err := s.api().encodeParams(opts)
	if err != nil {
		return nil, err
	}
	forms := &rowForms[TrackExportRow]{xmlRoot: notHTML, row: func(w wireRow) (TrackExportRow, error) {
		for _, v := range w.values {
			if v != "" {
				return TrackExportRow{Fields: w.values, Names: w.names}, nil
			}
		}
		return TrackExportRow{}, errors.New("a record with no values")
	}}
	return openExportForms(ctx, s.api(), get("trackexport.php", "", params), func(f []string) (TrackExportRow, error) {
		return TrackExportRow{Fields: f}, nil
	}, forms)
}

// trackErrSeq yields err once: how an iterator reports a bad argument.
func trackErrSeq[T any](err error) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		var zero T
		yield(zero, err)
	}
}
