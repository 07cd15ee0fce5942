package bestedmtest

import (
	"net/http"
	"net/url"
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
	Form   url.Values // fields of a form-encoded or multipart body (not files)
	Files  []RecordedFile
	Header http.Header
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

// Requests returns a copy of every request received since the start or the
// last ClearRequests, oldest first (the most recent 50,000 at least, in a
// long-running program).
func (s *Server) Requests() []RecordedRequest {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	out := make([]RecordedRequest, len(s.recs))
	for i, r := range s.recs {
		r.Query = cloneValues(r.Query)
		r.Form = cloneValues(r.Form)
		r.Files = append([]RecordedFile(nil), r.Files...)
		r.Header = r.Header.Clone()
		out[i] = r
	}
	return out
}

// ClearRequests forgets the recorded requests, so that Requests shows only
// what comes after. Pending faults (see ClearFaults) and the data stay.
func (s *Server) ClearRequests() {
	s.recMu.Lock()
	defer s.recMu.Unlock()
	s.recs = nil
}

// maxRecords bounds the recorder for long-running programs: past twice
// this many, the oldest are forgotten.
const maxRecords = 50000

// record appends r; it is called with recMu held.
func (s *Server) record(r RecordedRequest) {
	if len(s.recs) >= 2*maxRecords {
		s.recs = append([]RecordedRequest(nil), s.recs[len(s.recs)-maxRecords:]...)
	}
	s.recs = append(s.recs, r)
}

func cloneValues(v url.Values) url.Values {
	out := make(url.Values, len(v))
	for k, vs := range v {
		out[k] = append([]string(nil), vs...)
	}
	return out
}
