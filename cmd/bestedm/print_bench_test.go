package main

import (
	"io"
	"testing"
	"time"

	"github.com/bestedm/bestedm-go"
)

// BenchmarkPrintOpenRow prints one `track opens -F csv` row: as the CLI
// does now (RFC 3339 at full precision, cells checked for formulas), and
// as it did before the output contract (times to the minute, unchecked), for the
// ratio of the two in one run.
func BenchmarkPrintOpenRow(b *testing.B) {
	loc := time.FixedZone("CST", 8*3600)
	o := bestedm.OpenDetail{Email: "lin.wei@example.com", Browser: "Chrome", OS: "Windows 10", IPFirst: "1.2.3.4",
		OpenTotal: 3, ClickTotal: 1, OpenFirst: time.Date(2026, 12, 1, 9, 0, 5, 0, loc), OpenLast: time.Date(2026, 12, 2, 10, 3, 7, 0, loc)}
	b.Run("now", func(b *testing.B) {
		p := newPrinter(io.Discard, "csv", "email", "open_total", "click_total", "open_first", "open_last", "browser", "os", "ip")
		b.ReportAllocs()
		for range b.N {
			v := openView{o.Email, o.OpenTotal, o.ClickTotal, jtime(o.OpenFirst), jtime(o.OpenLast), o.Browser, o.OS, o.IPFirst}
			_ = printRow(p, v, v.Email, itoa(v.Opens), itoa(v.Clicks), p.tcell(o.OpenFirst), p.tcell(o.OpenLast), v.Browser, v.OS, v.IP)
		}
	})
	b.Run("before", func(b *testing.B) {
		p := newPrinter(io.Discard, "csv", "email", "open_total", "click_total", "open_first", "open_last", "browser", "os", "ip")
		p.raw = true
		b.ReportAllocs()
		for range b.N {
			_ = printRow(p, o, o.Email, itoa(o.OpenTotal), itoa(o.ClickTotal), tstr(o.OpenFirst), tstr(o.OpenLast), o.Browser, o.OS, o.IPFirst)
		}
	})
}
