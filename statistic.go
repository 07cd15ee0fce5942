package bestedm

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// StatisticService handles sending statistics (doc §2).
type StatisticService service

// Amounts of points (扣点) are float64 throughout: the document never says
// they are whole numbers, and a fractional rate would otherwise fail the
// whole reply. Whole numbers read as usual.

// DailyStatistic is the sending overview of one day (doc §2.2).
type DailyStatistic struct {
	Date time.Time `xml:"date"`

	// Web sending (web 发送统计).
	WebQty   int64 `xml:"ws_qty"`   // messages in the day's web tasks
	WebError int64 `xml:"ws_error"` // web messages that failed
	WebCount int64 `xml:"ws_count"` // web messages sent

	InvalidAddr int64 `xml:"invalid_addr"` // invalid addresses
	FormatError int64 `xml:"format_error"` // addresses with a format error

	SendCount      int64   `xml:"send_count"`  // messages counted in advance (预统计发送量)
	ReservedPoints float64 `xml:"deduc_count"` // points reserved in advance (预扣点)

	ActualSend     int64   `xml:"actual_send"`  // messages actually sent
	SendError      int64   `xml:"send_error"`   // deliveries that failed
	DeductedPoints float64 `xml:"actual_deduc"` // points actually deducted
}

// Overview returns the sending statistics of one calendar day: date's year,
// month and day as written, in its own location (not converted to the
// server's zone).
//
// API: statistic.php (doc §2.2)
func (s *StatisticService) Overview(ctx context.Context, date time.Time) (*DailyStatistic, error) {
	if err := requireDate("date", date); err != nil {
		return nil, err
	}
	r := get("statistic.php", "", url.Values{"date": {s.day(date)}})
	return fetchNew[DailyStatistic](ctx, s.api(), r, "statistic")
}

// day formats date as the calendar day the caller wrote (see dates.go).
func (s *StatisticService) day(date time.Time) string {
	return calendarDay(date)
}

// FailureType is a kind of failed address, as failexport.php counts them.
// Other values than the constants exist (5 has been seen); any positive
// number is sent as is. The zero value is "no kind": not a filter (Type is
// required by ExportFailures, so a forgotten one is refused rather than
// widened to every kind) and, in a row, a kind the reply does not say.
// Every kind is FailureAll, which EncodeValues sends as type=all.
type FailureType int

// Values of FailureType (doc §2.3; FailureAll and FailureTemporary from
// real-world use, see docs/wire-format.md).
const (
	FailureAll            FailureType = -1 // every kind; sent as type=all
	FailureNotExist       FailureType = 1  // the mailbox does not exist
	FailureOverQuota      FailureType = 2  // the mailbox is full
	FailureUserReject     FailureType = 3  // the recipient refused the mail
	FailureTemporary      FailureType = 4  // a failure that may pass: production code treats it as it treats a full mailbox
	FailureInvalidAddress FailureType = 8  // an invalid address
	FailureFormatError    FailureType = 9  // a malformed address
)

// failureNames are the names the document gives the kinds besides their
// numbers (§2.3); a reply may carry either.
var failureNames = map[string]FailureType{
	"all": FailureAll, "not_exist": FailureNotExist, "over_quota": FailureOverQuota,
	"user_reject": FailureUserReject, "invalid_addr": FailureInvalidAddress, "format_error": FailureFormatError,
}

// parseFailureType reads a kind as a reply sends it: a number or one of
// the document's names; "" is 0, unknown.
func parseFailureType(s string) (FailureType, error) {
	if s == "" {
		return 0, nil
	}
	if t, ok := failureNames[strings.ToLower(s)]; ok {
		return t, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < int(FailureAll) {
		return 0, fmt.Errorf("%q is not a failure type", s)
	}
	return FailureType(n), nil
}

// ExportFormat is the form of failexport.php's reply, sent as out_type. The
// document knows only text; production clients ask for XML, whose rows
// carry each address's failure kind and its description, and JSON, whose
// rows a client types as plain addresses (docs/wire-format.md#failexport-json-shapes).
type ExportFormat string

// Values of ExportFormat. The zero value is the methods' default: XML for
// ExportFailed, JSON for ExportAllFailures (the forms production clients
// ask those scripts for).
const (
	FormatText ExportFormat = "text" // one address a line; out_type is not sent
	FormatJSON ExportFormat = "json" // out_type=json
	FormatXML  ExportFormat = "xml"  // out_type=xml
)

// EncodeValues sends out_type for JSON and XML only: text is the
// document's form, asked for by sending nothing.
func (f ExportFormat) EncodeValues(key string, v *url.Values) error {
	if f == FormatJSON || f == FormatXML {
		v.Set(key, string(f))
	}
	return nil
}

func (f ExportFormat) validate() error {
	switch f {
	case "", FormatText, FormatJSON, FormatXML:
		return nil
	}
	return &ValidationError{Field: "out_type", Reason: fmt.Sprintf("%q is not an export format (FormatText, FormatJSON or FormatXML)", string(f))}
}

// EncodeValues sends the type as its number, or "all" for FailureAll.
// The document also accepts names such as "not_exist"; the numbers are
// sent because they cover the undocumented kinds too.
func (t FailureType) EncodeValues(key string, v *url.Values) error {
	if t == FailureAll {
		v.Set(key, "all")
	} else {
		v.Set(key, strconv.Itoa(int(t)))
	}
	return nil
}

// needsTask reports whether the document requires a task for this type.
func (t FailureType) needsTask() bool {
	return t == FailureNotExist || t == FailureOverQuota || t == FailureUserReject
}

// FailureExportOptions selects the failed addresses to export (doc §2.3).
type FailureExportOptions struct {
	// Date is the sending day, sent as written (its year, month and day in
	// its own location, not converted). Required.
	Date time.Time `url:"date" layout:"2006-01-02"`
	// DateEnd, when set, makes the export cover the days from Date to
	// DateEnd, both included (date_end: not in the document, sent by a
	// production client). It must not be before Date.
	DateEnd time.Time `url:"date_end,omitempty" layout:"2006-01-02"`
	// Type is the kind of failure: required by ExportFailures, where
	// FailureAll asks for every kind; ExportAllFailures sends type=all
	// when it is 0.
	Type FailureType `url:"type,omitempty"`
	// TaskID or TaskIdent (a batch number such as "20120302-362-F9B1E5")
	// limits the export to one task. One of them is required when Type is
	// FailureNotExist, FailureOverQuota or FailureUserReject; the document
	// does not require one for FailureAll, so neither does the SDK.
	TaskID    int64  `url:"task_id,omitempty"`
	TaskIdent string `url:"task_ident,omitempty"`
	// Format is the form asked for (out_type). The rows are the same
	// whatever the server answers: the body is sniffed.
	Format ExportFormat `url:"out_type,omitempty"`
}

func (o *FailureExportOptions) validate() error {
	if o == nil {
		return &ValidationError{Field: "date", Reason: "options are required"}
	}
	if err := o.validateCommon(); err != nil {
		return err
	}
	if o.Type == 0 {
		return &ValidationError{Field: "type", Reason: "must be a failure type (a FailureType constant)"}
	}
	if o.Type.needsTask() && o.TaskID == 0 && strings.TrimSpace(o.TaskIdent) == "" {
		return &ValidationError{Field: "task_id", Reason: "task_id or task_ident is required for failure types 1, 2 and 3"}
	}
	return nil
}

// validateCommon checks what every failed-address export needs.
func (o *FailureExportOptions) validateCommon() error {
	if err := requireDate("date", o.Date); err != nil {
		return err
	}
	if !o.DateEnd.IsZero() && dayBefore(o.DateEnd, o.Date) {
		return &ValidationError{Field: "date_end", Reason: "must not be before date"}
	}
	if o.Type < FailureAll {
		return &ValidationError{Field: "type", Reason: "must be a failure type (a FailureType constant)"}
	}
	if o.TaskID < 0 {
		return requireID("task_id", o.TaskID)
	}
	return o.Format.validate()
}

// FailedAddress is one failed address with its kind, as failexport.php
// (out_type=json|xml) and failexportall.php send them.
type FailedAddress struct {
	Email string
	// Kind is error_type (failexport.php) or type (failexportall.php); 0
	// when the reply does not say, as in a text export of several kinds.
	Kind FailureType
	// Description is the server's wording of the kind (error_type_dec,
	// e.g. "邮箱空间满"), when sent.
	Description string
	// TaskID is the task the address failed in (failexportall.php's
	// task_id); 0 when not sent.
	TaskID int64
}

// ExportFailed streams the failed addresses of a day (or of the days up
// to DateEnd) with their kinds, so a full mailbox can be told from a dead
// one in one call. It asks for XML unless opts.Format says otherwise: the
// form a production client reads with each address's kind (FormatText asks
// for the document's form, one address a line; FormatJSON for JSON, which
// a production client types as plain addresses). It reads whichever of
// XML, JSON objects, JSON strings or text comes back; from text or a plain
// string, Kind is opts.Type when that is a single kind. Read gives the
// bytes as sent.
// Close the export when done (ranging over Rows closes it).
//
// API: failexport.php?out_type=xml (doc §2.3; out_type and date_end from
// production clients, see docs/wire-format.md)
func (s *StatisticService) ExportFailed(ctx context.Context, opts *FailureExportOptions) (*Export[FailedAddress], error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	o := *opts
	if o.Format == "" {
		o.Format = FormatXML
	}
	return s.exportFailures(ctx, "failexport.php", o, isFailRoot)
}

// ExportAllFailures streams every failed address of a day (or of the days
// up to DateEnd), of every kind, each with its kind and task; TaskID or
// TaskIdent narrows it to one task. Type is optional: 0 sends type=all.
//
// API: failexportall.php?out_type=json (not in the document: a production
// client calls it, see docs/wire-format.md)
func (s *StatisticService) ExportAllFailures(ctx context.Context, opts *FailureExportOptions) (*Export[FailedAddress], error) {
	if opts == nil {
		return nil, &ValidationError{Field: "date", Reason: "options are required"}
	}
	if err := opts.validateCommon(); err != nil {
		return nil, err
	}
	o := *opts
	if o.Type == 0 {
		o.Type = FailureAll
	}
	return s.exportFailures(ctx, "failexportall.php", o, notHTML)
}

// exportFailures opens a failed-address export with typed rows; o is the
// caller's options, copied.
func (s *StatisticService) exportFailures(ctx context.Context, script string, o FailureExportOptions, xmlRoot func(string) bool) (*Export[FailedAddress], error) {
	if o.Format == "" {
		o.Format = FormatJSON
	}
	params, err := s.api().encodeParams(&o)
	if err != nil {
		return nil, err
	}
	kind := o.Type
	if kind == FailureAll {
		kind = 0
	}
	parse := func(f []string) (FailedAddress, error) {
		email, err := parseFailed(f)
		return FailedAddress{Email: email, Kind: kind}, err
	}
	row := func(w wireRow) (FailedAddress, error) {
		f, err := failedFromRow(w)
		if err == nil && len(w.names) == 1 && w.names[0] == "" {
			// A plain address string, as a production client types
			// failexport.php's JSON: like a text line, it is of the kind
			// asked for (docs/wire-format.md#failexport-json-shapes).
			f.Kind = kind
		}
		return f, err
	}
	forms := &rowForms[FailedAddress]{json: true, xmlRoot: xmlRoot, row: row}
	return openExportForms(ctx, s.api(), get(script, "", params), parse, forms)
}

// isFailRoot is failexport.php's XML root (out_type=xml).
func isFailRoot(root string) bool { return root == "fail_recipient_list" }

// failedFromRow reads a JSON or XML row of a failed-address export. The
// kind is error_type in failexport.php and type in failexportall.php: both
// are read. A bare JSON string is the address alone.
func failedFromRow(w wireRow) (FailedAddress, error) {
	f := FailedAddress{
		Email:       w.get("email", ""),
		Description: w.get("error_type_dec"),
	}
	if f.Email == "" {
		return f, errors.New("no email")
	}
	kind, err := parseFailureType(w.get("error_type", "type"))
	if err != nil {
		return f, err
	}
	f.Kind = kind
	if id := w.get("task_id"); id != "" {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil || n < 0 {
			return f, fmt.Errorf("task_id %q is not an id", id)
		}
		f.TaskID = n
	}
	return f, nil
}

// parseFailed reads a line of failexport.php: an address in the first
// column. A line whose first column is blank ("<TAB>x") is not an address:
// yielding "" would hand the caller an empty row with no error.
func parseFailed(f []string) (string, error) {
	if f[0] == "" {
		return "", errors.New("no address in the first column")
	}
	return f[0], nil
}

// BatchStat is the delivery statistics of one sending batch (doc §2.4). The
// fields after UserReject are not in the document but sent by the server.
type BatchStat struct {
	TaskID         int64     `xml:"task_id"`
	TaskDate       time.Time `xml:"task_date"`
	TaskIdent      string    `xml:"task_ident"` // batch number, e.g. "20120302-362-F9B1E5"
	Total          int64     `xml:"total"`      // messages sent
	Failed         int64     `xml:"failed"`     // deliveries that failed
	Success        int64     `xml:"success"`    // deliveries that succeeded
	DeductedPoints float64   `xml:"actual"`     // points actually deducted
	EmailNotExist  int64     `xml:"email_not_exist"`
	OverQuota      int64     `xml:"over_quota"`
	UserReject     int64     `xml:"user_reject"`
	SendFailed     int64     `xml:"send_failed"`
	SpamContent    int64     `xml:"spam_content"`
	ConnectError   int64     `xml:"connect_error"`
	RefundedPoints float64   `xml:"rebate"` // points given back
	Points         float64   `xml:"point"`

	// Sent by the server and read by a production client, not in the
	// document; the meanings are read from the names (docs/wire-format.md).
	TotalSum int64 `xml:"totalsum"` // every address of the batch
	Invalid  int64 `xml:"invalid"`  // addresses dropped as invalid before sending
	Rubbish  int64 `xml:"rubbish"`  // messages classed as junk (垃圾)
}

// BatchListOptions selects batches (doc §2.4). The document marks neither
// field as required, but says nothing of what a call without both means;
// the SDK requires at least one (or TaskID) so the answer is defined.
type BatchListOptions struct {
	Date  time.Time `url:"date,omitempty" layout:"2006-01-02"` // sending day, as written
	Ident string    `url:"ident,omitempty"`                    // batch number
	// TaskID selects one task's batch by its id (id: not in the document,
	// sent by a production client).
	TaskID int64 `url:"id,omitempty"`
}

// Batches returns the delivery statistics of the batches of a day, or of
// one batch (by ident or task id).
//
// API: stask.php (doc §2.4; id from a production client)
func (s *StatisticService) Batches(ctx context.Context, opts *BatchListOptions) ([]BatchStat, error) {
	if opts == nil || (opts.Date.IsZero() && strings.TrimSpace(opts.Ident) == "" && opts.TaskID == 0) {
		return nil, &ValidationError{Field: "date", Reason: "date, ident or task id is required"}
	}
	if opts.TaskID < 0 {
		return nil, requireID("id", opts.TaskID)
	}
	params, err := s.api().encodeParams(opts)
	if err != nil {
		return nil, err
	}
	return fetchList[BatchStat](ctx, s.api(), get("stask.php", "", params), "data", "task")
}

// Deduction is one kind of points deduction on a day (doc §2.5).
type Deduction struct {
	Date    time.Time `xml:"date"`
	Company string    `xml:"company"`
	Kind    string    `xml:"deduction"` // the kind of deduction (扣点类型)
	SendNum int64     `xml:"send_num"`  // messages sent
	Total   float64   `xml:"total"`     // points deducted in all
}

// Deductions returns the points deducted on one calendar day: date's
// year, month and day as written, in its own location.
//
// API: deduction.php (doc §2.5)
func (s *StatisticService) Deductions(ctx context.Context, date time.Time) ([]Deduction, error) {
	if err := requireDate("date", date); err != nil {
		return nil, err
	}
	r := get("deduction.php", "", url.Values{"date": {s.day(date)}})
	return fetchList[Deduction](ctx, s.api(), r, "data", "list")
}
