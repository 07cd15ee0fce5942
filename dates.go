package bestedm

import "time"

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
