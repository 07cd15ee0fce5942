package bestedm_test

// Benchmarks of the SDK. Every target is a ratio measured in the same run
// (the machine is shared and noisy, so absolute times mean little): the SDK
// and the hand-written net/http + encoding/xml equivalent run alternately
// inside one benchmark function and the ratio is reported with
// b.ReportMetric. Nothing here asserts a time. See BENCHMARKS.md for the
// command, the machine and the results.

import (
	"bufio"
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"runtime/metrics"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	bestedm "github.com/bestedm/bestedm-go"
)

const (
	benchUser = "demo"
	benchPass = "s3cret-pass"
	benchPath = "/mm-ms/apinew/"
)

var benchCtx = context.Background()

// ---------------------------------------------------------------------------
// Replies, generated record by record (a 1M-record reply is ~600 MB: it is
// never held in memory on either side of the connection).

var xmlProlog = []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n")

// appendOpen appends the i-th <user> of an open-detail reply (doc §3.2):
// CDATA on text fields, CRLF line ends, and a never-clicked recipient's
// 0000-00-00 times on every third record.
func appendOpen(b []byte, i int) []byte {
	b = append(b, "<user>\r\n<email_id>"...)
	b = strconv.AppendInt(b, int64(90000+i), 10)
	b = append(b, "</email_id>\r\n<email><![CDATA[user"...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, "@example.com]]></email>\r\n<browser><![CDATA[Chrome 17.0]]></browser>\r\n<os><![CDATA[Windows 7]]></os>\r\n<ip_first>113.88.12."...)
	b = strconv.AppendInt(b, int64(i%256), 10)
	b = append(b, "</ip_first>\r\n<ip_last>120.24.7."...)
	b = strconv.AppendInt(b, int64(i%200), 10)
	b = append(b, "</ip_last>\r\n<open_total>"...)
	b = strconv.AppendInt(b, int64(1+i%7), 10)
	b = append(b, "</open_total>\r\n<click_total>"...)
	b = strconv.AppendInt(b, int64(i%3), 10)
	b = append(b, "</click_total>\r\n<open_first>2012-03-02 10:05:"...)
	b = append2(b, i%60)
	b = append(b, "</open_first>\r\n<open_last>2012-03-03 08:"...)
	b = append2(b, i%60)
	b = append(b, ":00</open_last>\r\n"...)
	if i%3 == 0 {
		b = append(b, "<click_first>0000-00-00 00:00:00</click_first>\r\n<click_last>0000-00-00 00:00:00</click_last>\r\n"...)
	} else {
		b = append(b, "<click_first>2012-03-02 10:06:02</click_first>\r\n<click_last>2012-03-04 18:16:"...)
		b = append2(b, i%60)
		b = append(b, "</click_last>\r\n"...)
	}
	return append(b, "</user>\r\n"...)
}

// appendAddr appends the i-th <addr> of an address-list reply (doc §4.8).
func appendAddr(b []byte, i int) []byte {
	b = append(b, "<addr>\r\n<id>"...)
	b = strconv.AppendInt(b, int64(i+1), 10)
	b = append(b, "</id>\r\n<list_id>101</list_id>\r\n<address><![CDATA[user"...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, "@example.com]]></address>\r\n<fullname><![CDATA[林伟"...)
	b = strconv.AppendInt(b, int64(i%1000), 10)
	b = append(b, "]]></fullname>\r\n<sex>M</sex>\r\n"...)
	if i%4 == 0 {
		b = append(b, "<brithday>0000-00-00</brithday>\r\n"...)
	} else {
		b = append(b, "<brithday>1986-08-"...)
		b = append2(b, 1+i%28)
		b = append(b, "</brithday>\r\n"...)
	}
	b = append(b, "<phone>135287"...)
	b = strconv.AppendInt(b, int64(10000+i%90000), 10)
	b = append(b, "</phone>\r\n<area><![CDATA[深圳市福田区]]></area>\r\n<time>2024-03-02 12:30:"...)
	b = append2(b, i%60)
	b = append(b, "</time>\r\n<var1><![CDATA[VIP]]></var1>\r\n<var2>金卡</var2>\r\n<var3></var3>\r\n<var4>"...)
	b = strconv.AppendInt(b, int64(i%10), 10)
	b = append(b, "</var4>\r\n<var5></var5>\r\n<var6></var6>\r\n<var7>seven</var7>\r\n<var8></var8>\r\n<var9></var9>\r\n<var10>ten</var10>\r\n</addr>\r\n"...)
	return b
}

func append2(b []byte, n int) []byte { return append(b, byte('0'+n/10), byte('0'+n%10)) }

// appendExportLine appends the i-th "address<TAB>name" line of §4.6.
func appendExportLine(b []byte, i int) []byte {
	b = append(b, "user"...)
	b = strconv.AppendInt(b, int64(i), 10)
	b = append(b, "@example.com\t林伟"...)
	b = strconv.AppendInt(b, int64(i%1000), 10)
	return append(b, "\r\n"...)
}

// writeRecords writes head, n records from gen and tail to w, through one
// reused buffer.
func writeRecords(w io.Writer, head, tail []byte, from, n int, gen func([]byte, int) []byte) error {
	bw := bufio.NewWriterSize(w, 32<<10)
	if _, err := bw.Write(head); err != nil {
		return err
	}
	rec := make([]byte, 0, 1024)
	for i := from; i < from+n; i++ {
		rec = gen(rec[:0], i)
		if _, err := bw.Write(rec); err != nil {
			return err
		}
	}
	if _, err := bw.Write(tail); err != nil {
		return err
	}
	return bw.Flush()
}

var (
	opensHead = append(append([]byte{}, xmlProlog...), "<data>\r\n"...)
	dataTail  = []byte("</data>\r\n")
)

func addrsHead(total int64) []byte {
	return []byte(fmt.Sprintf("%s<data>\r\n<total_num>%d</total_num>\r\n", xmlProlog, total))
}

// genBody builds a reply in memory, for the in-process decode benchmarks.
func genBody(head, tail []byte, n int, gen func([]byte, int) []byte) []byte {
	var buf bytes.Buffer
	_ = writeRecords(&buf, head, tail, 0, n, gen)
	return buf.Bytes()
}

var customerReply = []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<customer>\r\n<id>1024</id>\r\n<username>demo</username>\r\n" +
	"<company><![CDATA[深圳市福洽科技有限公司]]></company>\r\n<contact><![CDATA[林先生]]></contact>\r\n<phone>0755-61302888</phone>\r\n" +
	"<mobile>13528775736</mobile>\r\n<email>demo@example.com</email>\r\n<im></im>\r\n<address><![CDATA[深圳市福田区科技园中路 3 号]]></address>\r\n</customer>\r\n")

// ---------------------------------------------------------------------------
// The loopback server. Sizes ride in the request, so one server serves every
// benchmark: open-detail returns id (the task id) records, ml-addr-list pages through
// list_id addresses (1000 when absent), subscription-export writes id lines
// and ml-addr-add counts the addresses it receives.

type benchServer struct {
	*httptest.Server
	dials     atomic.Int64 // connections accepted
	bytesOut  atomic.Int64 // reply bytes written
	bytesIn   atomic.Int64 // request body bytes read
	addrsSeen atomic.Int64 // addresses received by ml-addr-add
}

func newBenchServer(tb testing.TB) *benchServer {
	s := &benchServer{}
	mux := http.NewServeMux()
	mux.HandleFunc(benchPath+"account.php", func(w http.ResponseWriter, r *http.Request) {
		s.reply(w, customerReply)
	})
	mux.HandleFunc(benchPath+"track.php", func(w http.ResponseWriter, r *http.Request) {
		n, _ := strconv.Atoi(r.URL.Query().Get("id"))
		s.stream(w, opensHead, dataTail, 0, n, appendOpen)
	})
	mux.HandleFunc(benchPath+"mloperate.php", s.maillist)
	s.Server = httptest.NewUnstartedServer(mux)
	s.Config.ConnState = func(_ net.Conn, st http.ConnState) {
		if st == http.StateNew {
			s.dials.Add(1)
		}
	}
	s.Start()
	tb.Cleanup(s.Close)
	return s
}

func (s *benchServer) maillist(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	switch q.Get("do") {
	case "ml-addr-list":
		total := int64(1000)
		if v := q.Get("list_id"); v != "" {
			total, _ = strconv.ParseInt(v, 10, 64)
		}
		page, _ := strconv.ParseInt(q.Get("page"), 10, 64)
		limit, _ := strconv.ParseInt(q.Get("limit"), 10, 64)
		page, limit = max(page, 1), max(limit, 1)
		from := min((page-1)*limit, total)
		s.stream(w, addrsHead(total), dataTail, int(from), int(min(limit, total-from)), appendAddr)
	case "subscription-export":
		n, _ := strconv.Atoi(q.Get("id"))
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		s.write(w, func(cw io.Writer) error { return writeRecords(cw, nil, nil, 0, n, appendExportLine) })
	case "ml-addr-add":
		cr := &countingReader{r: r.Body}
		r.Body = io.NopCloser(cr)
		if err := r.ParseForm(); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		s.bytesIn.Add(cr.n)
		s.addrsSeen.Add(int64(strings.Count(r.PostForm.Get("ml_addr"), "\n") + 1))
		s.reply(w, []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<result>\r\n<status>success</status>\r\n<data><![CDATA[添加成功]]></data>\r\n</result>\r\n"))
	default:
		http.NotFound(w, r)
	}
}

func (s *benchServer) reply(w http.ResponseWriter, body []byte) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	n, _ := w.Write(body)
	s.bytesOut.Add(int64(n))
}

func (s *benchServer) stream(w http.ResponseWriter, head, tail []byte, from, n int, gen func([]byte, int) []byte) {
	w.Header().Set("Content-Type", "text/xml; charset=utf-8")
	s.write(w, func(cw io.Writer) error { return writeRecords(cw, head, tail, from, n, gen) })
}

func (s *benchServer) write(w io.Writer, fn func(io.Writer) error) {
	cw := &countingWriter{w: w}
	_ = fn(cw)
	s.bytesOut.Add(cw.n)
}

type countingWriter struct {
	w io.Writer
	n int64
}

func (c *countingWriter) Write(p []byte) (int, error) {
	n, err := c.w.Write(p)
	c.n += int64(n)
	return n, err
}

type countingReader struct {
	r io.Reader
	n int64
}

func (c *countingReader) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}

func newBenchClient(tb testing.TB, base string, opts ...bestedm.Option) *bestedm.Client {
	tb.Helper()
	all := append([]bestedm.Option{bestedm.WithBaseURL(base + benchPath), bestedm.WithMaxReplySize(1 << 30)}, opts...)
	c, err := bestedm.NewClient(benchUser, benchPass, all...)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// rawHTTPClient is what a careful hand-written client would use: one
// shared http.Client whose transport keeps enough idle connections.
func rawHTTPClient() *http.Client {
	t := http.DefaultTransport.(*http.Transport).Clone()
	t.MaxIdleConns = 256
	t.MaxIdleConnsPerHost = 128
	return &http.Client{Transport: t}
}

// ---------------------------------------------------------------------------
// The hand-written equivalents: net/http + encoding/xml, into structs of the
// same fields. encoding/xml cannot read the server's wall-clock times, so
// wallTime does what any hand-written client must.

type wallTime struct{ time.Time }

var benchZone = time.FixedZone("UTC+8", 8*3600)

func (t *wallTime) UnmarshalText(b []byte) error {
	s := strings.TrimSpace(string(b))
	if s == "" || strings.HasPrefix(s, "0000-00-00") {
		t.Time = time.Time{}
		return nil
	}
	layout := "2006-01-02 15:04:05"
	if len(s) == len("2006-01-02") {
		layout = "2006-01-02"
	}
	v, err := time.ParseInLocation(layout, s, benchZone)
	t.Time = v
	return err
}

type rawCustomer struct {
	ID       int64  `xml:"id"`
	Username string `xml:"username"`
	Company  string `xml:"company"`
	Contact  string `xml:"contact"`
	Phone    string `xml:"phone"`
	Mobile   string `xml:"mobile"`
	Email    string `xml:"email"`
	IM       string `xml:"im"`
	Address  string `xml:"address"`
}

type rawAddr struct {
	ID       int64    `xml:"id"`
	ListID   int64    `xml:"list_id"`
	Email    string   `xml:"address"`
	Name     string   `xml:"fullname"`
	Sex      string   `xml:"sex"`
	Birthday wallTime `xml:"brithday"`
	Phone    string   `xml:"phone"`
	Area     string   `xml:"area"`
	Time     wallTime `xml:"time"`
	Var1     string   `xml:"var1"`
	Var2     string   `xml:"var2"`
	Var3     string   `xml:"var3"`
	Var4     string   `xml:"var4"`
	Var5     string   `xml:"var5"`
	Var6     string   `xml:"var6"`
	Var7     string   `xml:"var7"`
	Var8     string   `xml:"var8"`
	Var9     string   `xml:"var9"`
	Var10    string   `xml:"var10"`
}

type rawAddrPage struct {
	Total int64     `xml:"total_num"`
	Addrs []rawAddr `xml:"addr"`
}

type rawOpen struct {
	EmailID    int64    `xml:"email_id"`
	Email      string   `xml:"email"`
	Browser    string   `xml:"browser"`
	OS         string   `xml:"os"`
	IPFirst    string   `xml:"ip_first"`
	IPLast     string   `xml:"ip_last"`
	OpenTotal  int64    `xml:"open_total"`
	ClickTotal int64    `xml:"click_total"`
	OpenFirst  wallTime `xml:"open_first"`
	OpenLast   wallTime `xml:"open_last"`
	ClickFirst wallTime `xml:"click_first"`
	ClickLast  wallTime `xml:"click_last"`
}

type rawOpens struct {
	Users []rawOpen `xml:"user"`
}

// rawGet is one hand-written GET: URL, Basic auth, status check, decode.
func rawGet(ctx context.Context, hc *http.Client, base, script string, q url.Values, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+benchPath+script+"?"+q.Encode(), nil)
	if err != nil {
		return err
	}
	req.SetBasicAuth(benchUser, benchPass)
	resp, err := hc.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("HTTP %d", resp.StatusCode)
	}
	return xml.NewDecoder(resp.Body).Decode(v)
}

// ---------------------------------------------------------------------------
// Paired measurement: a and b run alternately (each goes first every other
// time), each call timed on its own and its allocations counted from the
// runtime's cumulative counters (which the loopback server's allocations
// also reach: they are the same for both sides).
//
// Times are compared by their medians: on a shared machine a call now and
// then loses the CPU for milliseconds, and a few such stalls move a mean of
// 100 µs calls by more than the 10% being measured. The ratio of the means
// is reported too, as mean-ratio.

var allocSamples = []metrics.Sample{{Name: "/gc/heap/allocs:objects"}, {Name: "/gc/heap/tiny/allocs:objects"}}

func mallocs() uint64 {
	metrics.Read(allocSamples)
	return allocSamples[0].Value.Uint64() + allocSamples[1].Value.Uint64()
}

type pairResult struct {
	aNs, bNs, meanRatio, aAllocs, bAllocs float64
}

func runPaired(b *testing.B, fa, fb func() error) pairResult {
	var tAllocs [2]uint64
	var tNs [2]time.Duration
	ds := [2][]time.Duration{make([]time.Duration, 0, b.N), make([]time.Duration, 0, b.N)}
	fns := [2]func() error{fa, fb}
	one := func(k int) {
		m0 := mallocs()
		t0 := time.Now()
		if err := fns[k](); err != nil {
			b.Fatal(err)
		}
		d := time.Since(t0)
		tAllocs[k] += mallocs() - m0
		tNs[k] += d
		ds[k] = append(ds[k], d)
	}
	for _, f := range fns { // warm up connections and caches
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		first := i % 2
		one(first)
		one(1 - first)
	}
	n := float64(b.N)
	return pairResult{
		aNs: float64(medianDuration(ds[0])), bNs: float64(medianDuration(ds[1])),
		meanRatio: float64(tNs[0]) / float64(tNs[1]),
		aAllocs:   float64(tAllocs[0]) / n, bAllocs: float64(tAllocs[1]) / n,
	}
}

func medianDuration(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

func (p pairResult) report(b *testing.B) {
	b.ReportMetric(p.aNs, "sdk-ns/call")
	b.ReportMetric(p.bNs, "raw-ns/call")
	b.ReportMetric(p.aNs/p.bNs, "time-ratio")
	b.ReportMetric(p.meanRatio, "mean-ratio")
	b.ReportMetric(p.aAllocs, "sdk-allocs/call")
	b.ReportMetric(p.bAllocs, "raw-allocs/call")
	b.ReportMetric(p.aAllocs-p.bAllocs, "extra-allocs/call")
}

// ---------------------------------------------------------------------------
// 1. Per-call overhead (targets: time-ratio ≤ 1.10, extra-allocs ≤ 20).

func BenchmarkOverhead(b *testing.B) {
	srv := newBenchServer(b)
	c := newBenchClient(b, srv.URL)
	hc := rawHTTPClient()

	b.Run("CustomerInfo", func(b *testing.B) {
		q := url.Values{"do": {"customer-info"}}
		runPaired(b, func() error {
			_, err := c.Account.CustomerInfo(benchCtx)
			return err
		}, func() error {
			var v rawCustomer
			return rawGet(benchCtx, hc, srv.URL, "account.php", q, &v)
		}).report(b)
	})
	// The same call with no network: both sides read the reply from
	// memory, so the ratio is the SDK's own CPU cost per call against the
	// hand-written path's, which a loopback round trip otherwise dilutes.
	b.Run("CustomerInfo/in-memory", func(b *testing.B) {
		body := benchFixture(b, "account-customer-info.xml")
		mc := memClient(b, body)
		mhc := &http.Client{Transport: bytesTransport{body}}
		q := url.Values{"do": {"customer-info"}}
		runPaired(b, func() error {
			_, err := mc.Account.CustomerInfo(benchCtx)
			return err
		}, func() error {
			var v rawCustomer
			return rawGet(benchCtx, mhc, "http://bench.invalid", "account.php", q, &v)
		}).report(b)
	})
	b.Run("ListAddresses50", func(b *testing.B) {
		opts := &bestedm.AddressListOptions{Page: 1, Limit: 50}
		q := url.Values{"do": {"ml-addr-list"}, "page": {"1"}, "limit": {"50"}}
		runPaired(b, func() error {
			p, err := c.Maillist.ListAddressesPage(benchCtx, opts)
			if err == nil && len(p.Items) != 50 {
				err = fmt.Errorf("got %d addresses", len(p.Items))
			}
			return err
		}, func() error {
			var v rawAddrPage
			err := rawGet(benchCtx, hc, srv.URL, "mloperate.php", q, &v)
			if err == nil && len(v.Addrs) != 50 {
				err = fmt.Errorf("got %d addresses", len(v.Addrs))
			}
			return err
		}).report(b)
	})
}

// ---------------------------------------------------------------------------
// 3. Decode throughput (target: ≥ 4× encoding/xml.Unmarshal).
//
// The SDK side is the whole client path (request, response, charset,
// fast-path decoding into the public types) fed by bytesTransport, an
// in-process http.RoundTripper that serves the reply from memory, so TCP
// and the server's cost are not measured. The encoding/xml side is
// xml.Unmarshal of the same bytes into the raw structs above. A third,
// informative, side streams the same bytes with xml.Decoder.DecodeElement
// record by record, which is what Unmarshal's rival really is for a
// streamed reply.

type bytesTransport struct{ body []byte }

func (t bytesTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	return &http.Response{
		StatusCode:    http.StatusOK,
		Proto:         "HTTP/1.1",
		ProtoMajor:    1,
		ProtoMinor:    1,
		Header:        http.Header{"Content-Type": {"text/xml; charset=utf-8"}},
		Body:          io.NopCloser(bytes.NewReader(t.body)),
		ContentLength: int64(len(t.body)),
		Request:       req,
	}, nil
}

// benchFixture reads a reply from testdata.
func benchFixture(b *testing.B, name string) []byte {
	body, err := os.ReadFile("testdata/" + name)
	if err != nil {
		b.Fatal(err)
	}
	return body
}

func memClient(b *testing.B, body []byte) *bestedm.Client {
	return newBenchClient(b, "http://bench.invalid", bestedm.WithHTTPClient(&http.Client{Transport: bytesTransport{body}}))
}

// streamXML decodes each <child> of body with encoding/xml, one at a time.
func streamXML[T any](body []byte, child string) (int, error) {
	d := xml.NewDecoder(bytes.NewReader(body))
	n := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return n, nil
		}
		if err != nil {
			return n, err
		}
		if se, ok := tok.(xml.StartElement); ok && se.Name.Local == child {
			var v T
			if err := d.DecodeElement(&v, &se); err != nil {
				return n, err
			}
			n++
		}
	}
}

var benchSizes = []struct {
	name string
	n    int
}{{"1k", 1_000}, {"100k", 100_000}}

func BenchmarkDecode(b *testing.B) {
	for _, size := range benchSizes {
		n := size.n
		b.Run("Opens/"+size.name, func(b *testing.B) {
			body := genBody(opensHead, dataTail, n, appendOpen)
			c := memClient(b, body)
			sdk := func() error {
				k := 0
				for _, err := range c.Track.Opens(benchCtx, bestedm.TaskByID(1)) {
					if err != nil {
						return err
					}
					k++
				}
				return wantCount(k, n)
			}
			unmarshal := func() error {
				var v rawOpens
				if err := xml.Unmarshal(body, &v); err != nil {
					return err
				}
				return wantCount(len(v.Users), n)
			}
			stream := func() error {
				k, err := streamXML[rawOpen](body, "user")
				if err == nil {
					err = wantCount(k, n)
				}
				return err
			}
			runDecodes(b, len(body), sdk, unmarshal, stream)
		})
		b.Run("Addresses/"+size.name, func(b *testing.B) {
			body := genBody(addrsHead(int64(n)), dataTail, n, appendAddr)
			c := memClient(b, body)
			opts := &bestedm.AddressListOptions{Page: 1, Limit: n}
			sdk := func() error {
				p, err := c.Maillist.ListAddressesPage(benchCtx, opts)
				if err != nil {
					return err
				}
				return wantCount(len(p.Items), n)
			}
			unmarshal := func() error {
				var v rawAddrPage
				if err := xml.Unmarshal(body, &v); err != nil {
					return err
				}
				return wantCount(len(v.Addrs), n)
			}
			stream := func() error {
				k, err := streamXML[rawAddr](body, "addr")
				if err == nil {
					err = wantCount(k, n)
				}
				return err
			}
			runDecodes(b, len(body), sdk, unmarshal, stream)
		})
	}
}

func wantCount(got, want int) error {
	if got != want {
		return fmt.Errorf("decoded %d records, want %d", got, want)
	}
	return nil
}

// runDecodes runs each decoder on its own ("sdk", "unmarshal": MB/s from
// b.SetBytes), then the three alternately in "vs" (rotating which goes
// first), which reports each one's MB/s and the SDK's speed-ups measured
// under the same conditions.
func runDecodes(b *testing.B, size int, sdk, unmarshal, stream func() error) {
	fns := []func() error{sdk, unmarshal, stream}
	for _, f := range fns {
		if err := f(); err != nil {
			b.Fatal(err)
		}
	}
	for _, one := range []struct {
		name string
		fn   func() error
	}{{"sdk", sdk}, {"unmarshal", unmarshal}} {
		b.Run(one.name, func(b *testing.B) {
			b.SetBytes(int64(size))
			b.ReportAllocs()
			for i := 0; i < b.N; i++ {
				if err := one.fn(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
	b.Run("vs", func(b *testing.B) {
		var ns [3]time.Duration
		for i := 0; i < b.N; i++ {
			for j := range fns {
				k := (i + j) % len(fns)
				t0 := time.Now()
				if err := fns[k](); err != nil {
					b.Fatal(err)
				}
				ns[k] += time.Since(t0)
			}
		}
		mbps := func(d time.Duration) float64 { return float64(size) * float64(b.N) / d.Seconds() / 1e6 }
		b.ReportMetric(mbps(ns[0]), "sdk-MB/s")
		b.ReportMetric(mbps(ns[1]), "unmarshal-MB/s")
		b.ReportMetric(mbps(ns[2]), "xmlstream-MB/s")
		b.ReportMetric(float64(ns[1])/float64(ns[0]), "x-unmarshal")
		b.ReportMetric(float64(ns[2])/float64(ns[0]), "x-xmlstream")
	})
}

// ---------------------------------------------------------------------------
// 2. Memory at any size (target: peak heap ≤ 16 MiB), through the loopback
// server. peak-MiB is the highest heap in use (runtime/metrics, sampled
// every millisecond) during the call, the loopback server included; MB/s is
// the end-to-end rate of the bytes on the wire.

var memSizes = []struct {
	name string
	n    int
}{{"1k", 1_000}, {"100k", 100_000}, {"1M", 1_000_000}}

func BenchmarkMemory(b *testing.B) {
	srv := newBenchServer(b)
	c := newBenchClient(b, srv.URL)
	for _, sc := range memScenarios {
		for _, size := range memSizes {
			b.Run(sc.name+"/"+size.name, func(b *testing.B) {
				var peak uint64
				var bytes int64
				for i := 0; i < b.N; i++ {
					in, out := srv.bytesIn.Load(), srv.bytesOut.Load()
					p, err := measurePeak(func() error { return sc.run(c, srv, size.n) })
					if err != nil {
						b.Fatal(err)
					}
					peak = max(peak, p)
					bytes = srv.bytesIn.Load() - in + srv.bytesOut.Load() - out
				}
				b.SetBytes(bytes)
				b.ReportMetric(float64(peak)/(1<<20), "peak-MiB")
			})
		}
	}
}

// ---------------------------------------------------------------------------
// 4. Concurrency (targets: throughput ratio ≥ 0.9; no dial per request).
//
// 64 goroutines share one Client, then the same load runs on one raw
// http.Client with a tuned transport, alternately in rounds of 256 requests
// (at least 8 rounds each). throughput-ratio is the median over pairs of
// adjacent rounds of raw time / SDK time, robust to bursts of load from
// other processes; total-ratio is the same over the whole run. Both are
// warmed up first (64 connections each); dials are counted with the
// server's ConnState hook during the measured rounds only.

const benchWorkers = 64

func BenchmarkConcurrency(b *testing.B) {
	srv := newBenchServer(b)
	c := newBenchClient(b, srv.URL)
	hc := rawHTTPClient()
	q := url.Values{"do": {"customer-info"}}
	sdk := func() error { _, err := c.Account.CustomerInfo(benchCtx); return err }
	raw := func() error { var v rawCustomer; return rawGet(benchCtx, hc, srv.URL, "account.php", q, &v) }
	fns := [2]func() error{sdk, raw}
	for _, f := range fns {
		if err := hammer(benchWorkers*4, f); err != nil {
			b.Fatal(err)
		}
	}
	// Rounds of 4 requests per goroutine: many short rounds, so that
	// bursts of load from other processes and GC cycles fall on both.
	const round = benchWorkers * 4
	rounds := max(b.N/round, 8)
	var elapsed [2]time.Duration
	var dials [2]int64
	ratios := make([]float64, 0, rounds)
	b.ResetTimer()
	for r := 0; r < rounds; r++ {
		var d [2]time.Duration
		for j := 0; j < 2; j++ {
			k := (r + j) % 2
			d0 := srv.dials.Load()
			t0 := time.Now()
			if err := hammer(round, fns[k]); err != nil {
				b.Fatal(err)
			}
			d[k] = time.Since(t0)
			dials[k] += srv.dials.Load() - d0
		}
		elapsed[0] += d[0]
		elapsed[1] += d[1]
		ratios = append(ratios, d[1].Seconds()/d[0].Seconds())
	}
	slices.Sort(ratios)
	total := float64(round * rounds)
	b.ReportMetric(total/elapsed[0].Seconds(), "sdk-req/s")
	b.ReportMetric(total/elapsed[1].Seconds(), "raw-req/s")
	b.ReportMetric(ratios[len(ratios)/2], "throughput-ratio")
	b.ReportMetric(elapsed[1].Seconds()/elapsed[0].Seconds(), "total-ratio")
	b.ReportMetric(float64(dials[0])*1000/total, "sdk-dials/1k")
	b.ReportMetric(float64(dials[1])*1000/total, "raw-dials/1k")
}

// hammer makes n calls of f from benchWorkers goroutines.
func hammer(n int, f func() error) error {
	var next atomic.Int64
	var wg sync.WaitGroup
	errs := make(chan error, benchWorkers)
	for w := 0; w < benchWorkers; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for next.Add(1) <= int64(n) {
				if err := f(); err != nil {
					errs <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	return <-errs // nil when closed and empty
}

// TestConcurrentCallsReuseConnections: 64 goroutines sharing one Client
// keep reusing their connections. While they ramp up the transport may
// dial a few spare connections (a request takes whichever connection is
// ready first), so the first wave is allowed up to two per goroutine; the
// second wave must dial none.
func TestConcurrentCallsReuseConnections(t *testing.T) {
	srv := newBenchServer(t)
	c := newBenchClient(t, srv.URL)
	const calls = benchWorkers * 16
	call := func() error { _, err := c.Account.CustomerInfo(benchCtx); return err }
	if err := hammer(calls, call); err != nil {
		t.Fatal(err)
	}
	first := srv.dials.Load()
	if first > 2*benchWorkers {
		t.Errorf("%d calls from %d goroutines dialled %d connections, want at most %d", calls, benchWorkers, first, 2*benchWorkers)
	}
	if err := hammer(calls, call); err != nil {
		t.Fatal(err)
	}
	if d := srv.dials.Load() - first; d != 0 {
		t.Errorf("%d more calls dialled %d new connections, want 0", calls, d)
	}
}
