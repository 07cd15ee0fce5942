package main

import (
	"bufio"
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
)

// TestPrintRowBoxesOnlyForJSON: a streamed record printed as CSV or a
// table costs no allocation of its own (the value is not copied to the
// heap as an interface, which cost a tenth of `track opens -O csv`).
// Allocation counts, not times: they do not depend on the machine's load.
func TestPrintRowBoxesOnlyForJSON(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	o := bestedm.OpenDetail{EmailID: 7, Email: "lin.wei@example.com", Browser: "Chrome", OS: "Windows", IPFirst: "1.2.3.4",
		OpenTotal: 3, OpenFirst: time.Date(2026, 12, 1, 9, 0, 0, 0, time.UTC)}
	cells := []string{o.Email, "3", "0", "2026-12-01 09:00", "-", o.Browser, o.OS, o.IPFirst}
	for _, format := range []string{"csv", "table"} {
		p := newPrinter(io.Discard, format, "EMAIL", "OPENS", "CLICKS", "FIRST_OPEN", "LAST_OPEN", "BROWSER", "OS", "IP")
		withRecord := testing.AllocsPerRun(tableFlushRows, func() { _ = printRow(p, o, cells...) })
		withNothing := testing.AllocsPerRun(tableFlushRows, func() { _ = printRow(p, struct{}{}, cells...) })
		assert.Equal(t, withNothing, withRecord, "%s: allocations per row with the record and without", format)
		if format == "csv" {
			assert.Zero(t, withRecord, "csv: allocations per row")
		}
	}
}

// TestImportRowAllocations: reading and mapping a CSV row allocates once,
// the row's text (one string, which the fields slice); nothing per cell
// or per check.
func TestImportRowAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector allocates")
	}
	const rows = 2000
	var b strings.Builder
	b.WriteString("email,name,phone,area\n")
	for i := range rows {
		a := benchAddress(i)
		b.WriteString(a.Email + "," + a.Name + "," + a.Phone + "," + a.Area + "\n")
	}
	text := b.String()
	var rd *recordReader
	var cols []int
	setup := func() {
		rd = newRecordReader(bufio.NewReaderSize(strings.NewReader(text), maxLineBytes), ',', false, 0, 0)
		h, err := rd.readHeader()
		require.NoError(t, err)
		cols, _, err = mapColumns(h, "")
		require.NoError(t, err)
	}
	setup()
	perRow := testing.AllocsPerRun(rows-1, func() {
		rec, err := rd.next()
		if errors.Is(err, io.EOF) {
			setup()
			return
		}
		ad, reason := rowAddress(rec, cols, 4)
		if reason != "" || ad.Email == "" {
			t.Errorf("row %q: %s", rec.raw, reason)
		}
	})
	assert.LessOrEqual(t, perRow, 1.0, "allocations per row")
}
