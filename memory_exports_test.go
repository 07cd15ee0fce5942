package bestedm_test

import (
	"bufio"
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	bestedm "github.com/bestedm/bestedm-go"
)

// structuredExportServer streams n rows, generated as they are written:
// failexport.php as JSON, trackexport.php as XML.
func structuredExportServer(t *testing.T, n int) string {
	mux := http.NewServeMux()
	mux.HandleFunc(benchPath+"failexport.php", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		bw := bufio.NewWriter(w)
		bw.WriteString("[")
		for i := range n {
			if i > 0 {
				bw.WriteString(",\r\n")
			}
			fmt.Fprintf(bw, `{"email":"failed.address.%07d@mail.example.com","error_type":"%d","error_type_dec":"\u90ae\u7bb1\u7a7a\u95f4\u6ee1"}`, i, 1+i%4)
		}
		bw.WriteString("]")
		bw.Flush()
	})
	mux.HandleFunc(benchPath+"trackexport.php", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		bw := bufio.NewWriter(w)
		bw.WriteString("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<data>\r\n")
		for i := range n {
			fmt.Fprintf(bw, "<user><email_id>%d</email_id><email>opened.address.%07d@mail.example.com</email><open_total>3</open_total><open_first>2024-05-20 10:00:00</open_first></user>\r\n", i+1, i)
		}
		bw.WriteString("</data>\r\n")
		bw.Flush()
	})
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestMemoryPeakStructuredExports: JSON and XML export rows are decoded one
// at a time. At 200k rows the JSON body is about 25 MB and the XML body
// about 32 MB: held whole, with the decoded rows, either passes the
// ceiling.
func TestMemoryPeakStructuredExports(t *testing.T) {
	n := memTestRecords(t)
	c := newBenchClient(t, structuredExportServer(t, n))
	day := time.Date(2024, 5, 20, 0, 0, 0, 0, time.UTC)
	for _, tt := range []struct {
		name string
		run  func() (int, error)
	}{
		{"ExportFailures JSON", func() (int, error) {
			e, err := c.Statistic.ExportFailed(benchCtx, &bestedm.FailureExportOptions{Date: day, Type: bestedm.FailureAll})
			if err != nil {
				return 0, err
			}
			k := 0
			for f, err := range e.Rows() {
				if err != nil {
					return k, err
				}
				if f.Kind != bestedm.FailureType(1+k%4) || f.Email == "" {
					return k, fmt.Errorf("row %d: %+v", k, f)
				}
				k++
			}
			return k, nil
		}},
		{"Track.Export XML", func() (int, error) {
			e, err := c.Track.Export(benchCtx, &bestedm.TrackExportOptions{TrackID: 1})
			if err != nil {
				return 0, err
			}
			k := 0
			for r, err := range e.Rows() {
				if err != nil {
					return k, err
				}
				if id, _ := r.Get("email_id"); id != fmt.Sprint(k+1) {
					return k, fmt.Errorf("row %d: %+v", k, r)
				}
				k++
			}
			return k, nil
		}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			var rows int
			peak, err := measurePeak(func() error {
				var err error
				rows, err = tt.run()
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if rows != n {
				t.Fatalf("%d rows, want %d", rows, n)
			}
			t.Logf("%d rows: peak heap in use %.1f MiB", n, float64(peak)/(1<<20))
			if peak > memCeiling {
				t.Errorf("%d rows: peak heap in use %.1f MiB, want at most %d MiB", n, float64(peak)/(1<<20), memCeiling>>20)
			}
		})
	}
}
