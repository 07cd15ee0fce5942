package bestedmtest

import (
	"net/http"
	"net/url"
	"sort"
	"strings"
	"unicode/utf8"
)

// AuthScheme is how a recorded request carried credentials. It is the
// server's observation; bestedm.AuthMode is the client's setting.
type AuthScheme string

// Values of AuthScheme.
const (
	AuthSchemeNone  AuthScheme = "none"  // no credentials
	AuthSchemeBasic AuthScheme = "basic" // an HTTP Basic Authorization header (it wins over query credentials)
	AuthSchemeQuery AuthScheme = "query" // username and password in the query string
)

// RecordedRequest is one request as the server received it, whatever the
// server then answered (errors and injected faults included).
type RecordedRequest struct {
	Method string
	Path   string // URL path, e.g. "/mm-ms/apinew/mloperate.php"
	Script string // the last path element, e.g. "mloperate.php"
	Action string // the do= query parameter, "" if none
	Query  url.Values
	// Form holds the fields of a form-encoded or multipart body (not the
	// files), each value cut to what is left of the server's body limit
	// (DefaultRecordBodyLimit bytes unless WithRecordLimits says
	// otherwise), on a character boundary: a recorder that kept every
	// body whole held gigabytes after a few large uploads.
	Form url.Values
	// BodySize is the size of the body as received (its Content-Length,
	// or the bytes read when the client sent none); BodyTruncated says
	// that Form holds only a prefix of it.
	BodySize      int64
	BodyTruncated bool
	Files         []RecordedFile
	Header        http.Header
	// Auth is how credentials came; Username is the user they named
	// (whether or not the password was right).
	Auth     AuthScheme
	Username string
	// Fault describes the injected fault applied to this request, "" if none.
	Fault string
}

// RecordedFile is one file part of a multipart body.
type RecordedFile struct {
	Field string // the form field, "file" or "file[]"
	Name  string // the file name the client sent
	Size  int64
}

// Default limits of the recorder (see WithRecordLimits).
const (
	// DefaultRecordLimit is how many requests the recorder keeps: past it,
	// the oldest are forgotten.
	DefaultRecordLimit = 10000
	// DefaultRecordBodyLimit is how many bytes of a request's form values
	// the recorder keeps, all fields together.
	DefaultRecordBodyLimit = 8 << 10
)

// WithRecordLimits bounds what the server remembers of the requests it
// received (Requests): the most recent requests of them (default
// DefaultRecordLimit), and bodyBytes of each request's form values (default
// DefaultRecordBodyLimit). A value of 0 or less keeps the default. With
// the defaults, the recorder holds at most about 100 MB however long the
// server runs and however large the requests, so the fake can serve long
// tours and benchmarks.
func WithRecordLimits(requests, bodyBytes int) ServerOption {
	return func(c *config) {
		if requests > 0 {
			c.recordLimit = requests
		}
		if bodyBytes > 0 {
			c.recordBodyLimit = bodyBytes
		}
	}
}

// recorder is a ring of the most recent requests.
type recorder struct {
	limit, bodyLimit int
	ring             []RecordedRequest // len ≤ limit
	next             int               // where the next record goes once the ring is full
}

// add records r, forgetting the oldest once the ring is full.
func (rc *recorder) add(r RecordedRequest) {
	if len(rc.ring) < rc.limit {
		rc.ring = append(rc.ring, r)
		return
	}
	rc.ring[rc.next] = r
	rc.next = (rc.next + 1) % rc.limit
}

// each calls fn for each record, oldest first.
func (rc *recorder) each(fn func(RecordedRequest)) {
	for i := range rc.ring {
		fn(rc.ring[(rc.next+i)%len(rc.ring)])
	}
}

// Requests returns a copy of the requests received since the start or the
// last ClearRequests, oldest first: the most recent of them, up to the
// limit of WithRecordLimits (DefaultRecordLimit by default).
func (s *Server) Requests() []RecordedRequest {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	out := make([]RecordedRequest, 0, len(s.recs.ring))
	s.recs.each(func(r RecordedRequest) {
		r.Query = cloneValues(r.Query)
		r.Form = cloneValues(r.Form)
		r.Files = append([]RecordedFile(nil), r.Files...)
		r.Header = r.Header.Clone()
		out = append(out, r)
	})
	return out
}

// ClearRequests forgets the recorded requests, so that Requests shows only
// what comes after. Pending faults (see ClearFaults) and the data stay.
func (s *Server) ClearRequests() {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	s.recs.ring, s.recs.next = nil, 0
}

// record appends r; it is called with recMu held.
func (s *Server) record(r RecordedRequest) { s.recs.add(r) }

// boundedForm copies form, keeping at most limit bytes of its values in
// all, each cut on a character boundary, in copies of their own so that
// the request's strings can be freed. It reports whether anything was cut.
func boundedForm(form url.Values, limit int) (url.Values, bool) {
	out := make(url.Values, len(form))
	left, cut := limit, false
	for _, k := range sortedKeys(form) {
		// The key is a substring of the whole body as parsed: keeping it
		// would keep the body.
		key := strings.Clone(k)
		for _, v := range form[k] {
			if len(v) > left {
				n := left
				for n > 0 && !utf8.RuneStart(v[n]) {
					n--
				}
				v, cut = v[:n], true
			}
			left -= len(v)
			out[key] = append(out[key], strings.Clone(v))
		}
	}
	return out, cut
}

func sortedKeys(v url.Values) []string {
	keys := make([]string, 0, len(v))
	for k := range v {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
