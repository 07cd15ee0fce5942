package bestedm

import (
	"context"
	"errors"
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

	SendCount  int64   `xml:"send_count"`  // messages counted in advance (预统计发送量)
	DeducCount float64 `xml:"deduc_count"` // points reserved in advance (预扣点)

	ActualSend  int64   `xml:"actual_send"`  // messages actually sent
	SendError   int64   `xml:"send_error"`   // deliveries that failed
	ActualDeduc float64 `xml:"actual_deduc"` // points actually deducted
}

// Overview returns the sending statistics of the day that date falls on in
// the client's time zone.
//
// API: statistic.php (doc §2.2)
func (s *StatisticService) Overview(ctx context.Context, date time.Time) (*DailyStatistic, error) {
	if err := requireDate("date", date); err != nil {
		return nil, err
	}
	r := get("statistic.php", "", url.Values{"date": {s.day(date)}})
	return fetchNew[DailyStatistic](ctx, s.api(), r, "statistic")
}

// day formats date as the server's calendar day.
func (s *StatisticService) day(date time.Time) string {
	return date.In(s.api().loc).Format("2006-01-02")
}

// FailureType is a kind of failed address, as failexport.php counts them.
// Other values than the constants exist (5 has been seen); any positive
// number is sent as is.
type FailureType int

// Values of FailureType (doc §2.3; FailureAll from real-world use).
const (
	FailureAll            FailureType = -1 // every kind; sent as type=all
	FailureNotExist       FailureType = 1  // the mailbox does not exist
	FailureOverQuota      FailureType = 2  // the mailbox is full
	FailureUserReject     FailureType = 3  // the recipient refused the mail
	FailureInvalidAddress FailureType = 8  // an invalid address
	FailureFormatError    FailureType = 9  // a malformed address
)

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

// ExportFailedOptions selects the failed addresses to export (doc §2.3).
type ExportFailedOptions struct {
	// Date is the sending day, in the client's time zone. Required.
	Date time.Time `url:"date" layout:"2006-01-02"`
	// Type is the kind of failure. Required.
	Type FailureType `url:"type"`
	// TaskID or TaskIdent (a batch number such as "20120302-362-F9B1E5")
	// limits the export to one task. One of them is required when Type is
	// FailureNotExist, FailureOverQuota or FailureUserReject; the document
	// does not require one for FailureAll, so neither does the SDK.
	TaskID    int64  `url:"task_id,omitempty"`
	TaskIdent string `url:"task_ident,omitempty"`
}

func (o *ExportFailedOptions) validate() error {
	if o == nil {
		return &ValidationError{Field: "date", Reason: "options are required"}
	}
	if err := requireDate("date", o.Date); err != nil {
		return err
	}
	if o.Type == 0 || o.Type < FailureAll {
		return &ValidationError{Field: "type", Reason: "must be a failure type (a FailureType constant)"}
	}
	if o.TaskID < 0 {
		return requireID("task_id", o.TaskID)
	}
	if o.Type.needsTask() && o.TaskID == 0 && strings.TrimSpace(o.TaskIdent) == "" {
		return &ValidationError{Field: "task_id", Reason: "task_id or task_ident is required for failure types 1, 2 and 3"}
	}
	return nil
}

// ExportFailed streams the failed addresses of a day; each row is one
// address. Close the export when done (ranging over Rows closes it).
//
// API: failexport.php (doc §2.3)
func (s *StatisticService) ExportFailed(ctx context.Context, opts *ExportFailedOptions) (*Export[string], error) {
	if err := opts.validate(); err != nil {
		return nil, err
	}
	params, err := s.api().encodeParams(opts)
	if err != nil {
		return nil, err
	}
	return openExport(ctx, s.api(), get("failexport.php", "", params), parseFailed)
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

// Batch is the delivery statistics of one sending batch (doc §2.4). The
// fields after UserReject are not in the document but sent by the server.
type Batch struct {
	TaskID        int64     `xml:"task_id"`
	TaskDate      time.Time `xml:"task_date"`
	TaskIdent     string    `xml:"task_ident"` // batch number, e.g. "20120302-362-F9B1E5"
	Total         int64     `xml:"total"`      // messages sent
	Failed        int64     `xml:"failed"`     // deliveries that failed
	Success       int64     `xml:"success"`    // deliveries that succeeded
	Actual        float64   `xml:"actual"`     // points actually deducted
	EmailNotExist int64     `xml:"email_not_exist"`
	OverQuota     int64     `xml:"over_quota"`
	UserReject    int64     `xml:"user_reject"`
	SendFailed    int64     `xml:"send_failed"`
	SpamContent   int64     `xml:"spam_content"`
	ConnectError  int64     `xml:"connect_error"`
	Rebate        float64   `xml:"rebate"` // points given back
	Point         float64   `xml:"point"`
}

// BatchesOptions selects batches (doc §2.4). The document marks neither
// field as required, but says nothing of what a call without both means;
// the SDK requires at least one so the answer is defined.
type BatchesOptions struct {
	Date  time.Time `url:"date,omitempty" layout:"2006-01-02"` // sending day, client's zone
	Ident string    `url:"ident,omitempty"`                    // batch number
}

// Batches returns the delivery statistics of the batches of a day, or of
// one batch.
//
// API: stask.php (doc §2.4)
func (s *StatisticService) Batches(ctx context.Context, opts *BatchesOptions) ([]Batch, error) {
	if opts == nil || (opts.Date.IsZero() && strings.TrimSpace(opts.Ident) == "") {
		return nil, &ValidationError{Field: "date", Reason: "date or ident is required"}
	}
	params, err := s.api().encodeParams(opts)
	if err != nil {
		return nil, err
	}
	return fetchList[Batch](ctx, s.api(), get("stask.php", "", params), "data", "task")
}

// Deduction is one kind of points deduction on a day (doc §2.5).
type Deduction struct {
	Date      time.Time `xml:"date"`
	Company   string    `xml:"company"`
	Deduction string    `xml:"deduction"` // the kind of deduction (扣点类型)
	SendNum   int64     `xml:"send_num"`  // messages sent
	Total     float64   `xml:"total"`     // points deducted in all
}

// Deductions returns the points deducted on the day that date falls on in
// the client's time zone.
//
// API: deduction.php (doc §2.5)
func (s *StatisticService) Deductions(ctx context.Context, date time.Time) ([]Deduction, error) {
	if err := requireDate("date", date); err != nil {
		return nil, err
	}
	r := get("deduction.php", "", url.Values{"date": {s.day(date)}})
	return fetchList[Deduction](ctx, s.api(), r, "data", "list")
}
