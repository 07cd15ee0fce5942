package bestedm

import (
	"fmt"
	"reflect"
	"strings"
	"time"
)

// A calendar day and an instant are sent differently (CONTRIBUTING rule 9).
// A day (date, date_end, the task_date filters, a birthday) has no instant:
// the caller means the year, month and day written in the time.Time, in its
// own location, and converting it to the server's zone would move midnight
// of 2 March in UTC+9 to 1 March. An instant (a task's send time) is a
// moment, so it is converted to the server's wall clock (WithLocation).

// calendarDay formats t as the day the caller wrote, in t's own location.
func calendarDay(t time.Time) string { return t.Format(time.DateOnly) }

// dayBefore reports whether day a is before day b, comparing the
// calendar days as written, not instants.
func dayBefore(a, b time.Time) bool {
	ay, am, ad := a.Date()
	by, bm, bd := b.Date()
	if ay != by {
		return ay < by
	}
	if am != bm {
		return am < bm
	}
	return ad < bd
}

// isInstantLayout reports whether a `layout` tag formats a time of day, so
// the value is an instant to convert to the server's zone; without a layout
// tag go-querystring writes RFC 3339, an instant too.
func isInstantLayout(layout string) bool {
	if layout == "" {
		return true
	}
	midnight := time.Date(2001, 2, 3, 0, 0, 0, 0, time.UTC)
	afternoon := time.Date(2001, 2, 3, 13, 14, 15, 0, time.UTC)
	return midnight.Format(layout) != afternoon.Format(layout)
}

// checkYear refuses a time whose year a date on the wire cannot hold:
// Go writes year 0 as "0000", year -1 as "-0001" and year 10000 as
// "10000", which no server reads as the caller meant. The check is on the
// time as it is sent: a calendar day as written, an instant after it is
// moved to the server's zone (which can carry 31 December 9999 into 10000).
func checkYear(field string, t time.Time) error {
	if y := t.Year(); y < 1 || y > 9999 {
		return &ValidationError{Field: field, Reason: fmt.Sprintf("year %d is outside 0001–9999, the years a date is written in", y)}
	}
	return nil
}

var timeType = reflect.TypeFor[time.Time]()

// checkTimes applies checkYear to every non-zero time.Time field of the
// parameter struct v (as encodeParams is about to send it), naming the
// field by its url tag.
func checkTimes(v reflect.Value) error {
	if v.Kind() != reflect.Struct {
		return nil
	}
	for i := 0; i < v.NumField(); i++ {
		f := v.Field(i)
		if f.Type() != timeType || !f.CanInterface() {
			continue
		}
		t := f.Interface().(time.Time)
		if t.IsZero() {
			continue
		}
		name, _, _ := strings.Cut(v.Type().Field(i).Tag.Get("url"), ",")
		if name == "" || name == "-" {
			continue
		}
		if err := checkYear(name, t); err != nil {
			return err
		}
	}
	return nil
}
