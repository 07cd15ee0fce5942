package bestedm

import (
	"context"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// Test credentials; the hash is HashPassword(testPassword).
const (
	testUser     = "demo"
	testPassword = "s3cret-pass"
	apiPath      = "/mm-ms/apinew/"
)

var china = time.FixedZone("UTC+8", 8*60*60)

// setup starts a server whose mux answers under apiPath (not the root, so a
// URL built absolute instead of relative to the base fails) and returns a
// client pointed at it with retries off.
func setup(t *testing.T, opts ...Option) (*Client, *http.ServeMux) {
	t.Helper()
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	all := append([]Option{WithBaseURL(srv.URL + apiPath), WithRetry(RetryPolicy{})}, opts...)
	c, err := NewClient(testUser, testPassword, all...)
	require.NoError(t, err)
	return c, mux
}

// fixture returns testdata/name.
func fixture(t *testing.T, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

// handle serves script on mux: check inspects the request, then body is
// written as the reply.
func handle(t *testing.T, mux *http.ServeMux, script string, body []byte, check func(r *http.Request)) {
	t.Helper()
	mux.HandleFunc(apiPath+script, func(w http.ResponseWriter, r *http.Request) {
		if check != nil {
			check(r)
		}
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		_, _ = w.Write(body)
	})
}

// testRequest asserts the method, the Basic auth credentials and the exact
// query string (every parameter, do= included) of r.
func testRequest(t *testing.T, r *http.Request, method string, query url.Values) {
	t.Helper()
	assert.Equal(t, method, r.Method, "HTTP method")
	user, pass, ok := r.BasicAuth()
	assert.True(t, ok, "Basic auth header")
	assert.Equal(t, testUser, user)
	assert.Equal(t, testPassword, pass)
	if query == nil {
		query = url.Values{}
	}
	assert.Equal(t, query, r.URL.Query(), "query parameters")
}

// testForm asserts the exact form-encoded POST body of r. It reports with
// assert, so a handler can call it.
func testForm(t *testing.T, r *http.Request, want url.Values) {
	t.Helper()
	assert.Equal(t, "application/x-www-form-urlencoded", r.Header.Get("Content-Type"))
	b, err := io.ReadAll(r.Body)
	if !assert.NoError(t, err) {
		return
	}
	got, err := url.ParseQuery(string(b))
	if !assert.NoError(t, err) {
		return
	}
	assert.Equal(t, want, got, "form body")
}

// part is one multipart/form-data part as received.
type part struct {
	Field, FileName, Content string
}

// readMultipart returns the parts of a multipart/form-data request body. It
// reports with assert, so a handler can call it; on an error it returns nil.
func readMultipart(t *testing.T, r *http.Request) []part {
	t.Helper()
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if !assert.NoError(t, err) || !assert.Equal(t, "multipart/form-data", mt) {
		return nil
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	var parts []part
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return parts
		}
		if !assert.NoError(t, err) {
			return nil
		}
		b, err := io.ReadAll(p)
		if !assert.NoError(t, err) {
			return nil
		}
		parts = append(parts, part{Field: p.FormName(), FileName: p.FileName(), Content: string(b)})
	}
}

// q builds url.Values from key/value pairs.
func q(kv ...string) url.Values {
	v := url.Values{}
	for i := 0; i+1 < len(kv); i += 2 {
		v.Add(kv[i], kv[i+1])
	}
	return v
}

// failHandler fails the test if the server is reached: used to prove that
// invalid input sends nothing.
func failHandler(t *testing.T, mux *http.ServeMux) {
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		t.Errorf("unexpected request %s %s", r.Method, r.URL)
	})
}

// result is a <result> reply body.
func result(status, data string) []byte {
	return []byte("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n<result>\r\n<status>" + status + "</status>\r\n<data><![CDATA[" + data + "]]></data>\r\n</result>\r\n")
}

var bg = context.Background()

// handleText serves script with a plain-text body, as the exports answer.
func handleText(t *testing.T, mux *http.ServeMux, script string, body []byte, check func(r *http.Request)) {
	t.Helper()
	mux.HandleFunc(apiPath+script, func(w http.ResponseWriter, r *http.Request) {
		if check != nil {
			check(r)
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write(body)
	})
}

// wantValidation asserts that err is a *ValidationError for field.
func wantValidation(t *testing.T, err error, field string) {
	t.Helper()
	var ve *ValidationError
	require.True(t, errors.As(err, &ve), "want *ValidationError, got %v", err)
	assertValidationName(t, ve, field)
}

// wantAPIError asserts that err wraps an *APIError with status.
func wantAPIError(t *testing.T, err error, status Status) {
	t.Helper()
	var ae *APIError
	require.True(t, errors.As(err, &ae), "want *APIError, got %v", err)
	assert.Equal(t, status, ae.Status)
}

// raceEnabled reports whether the test binary was built with -race, which
// go test records in the build settings.
func raceEnabled() bool {
	bi, ok := debug.ReadBuildInfo()
	if !ok {
		return false
	}
	for _, s := range bi.Settings {
		if s.Key == "-race" {
			return s.Value == "true"
		}
	}
	return false
}

// RaceEnabled is raceEnabled for the external test package (memory_test.go).
var RaceEnabled = raceEnabled
