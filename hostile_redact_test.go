package bestedm

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"encoding/xml"
	"errors"
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// The attacker's server echoes every encoding of every secret into every
// place of a reply; every error that comes back, every error it wraps
// (however far down), every field of each and every log record must hold
// none of them.

// Passwords of every length class, with the characters encodings treat
// specially. None holds Q, Z or J: see echoMark.
var redactShapes = []string{"a", "&", `<"'`, `%+:`, "s3cret-pass", `P&<>"'%+ :w0rd`}

// echoMark brackets each echo, so that a secret too short to search for
// (one letter) is told apart from the same letter in the SDK's own words:
// the echo leaks if the bracketed text comes back.
const echoL, echoR = "QZJ", "JZQ"

// encodings returns s as a server may echo it.
func encodings(s string) []string {
	var dec, hexLo, hexUp, pctUp, pctLo, qp strings.Builder
	for _, r := range s {
		fmt.Fprintf(&dec, "&#%d;", r)
		fmt.Fprintf(&hexLo, "&#x%x;", r)
		fmt.Fprintf(&hexUp, "&#X%X;", r)
	}
	for i := 0; i < len(s); i++ {
		fmt.Fprintf(&pctUp, "%%%02X", s[i])
		fmt.Fprintf(&pctLo, "%%%02x", s[i])
		fmt.Fprintf(&qp, "=%02X", s[i])
	}
	var xmlEsc bytes.Buffer
	_ = xml.EscapeText(&xmlEsc, []byte(s))
	php := strings.NewReplacer("&", "&amp;", "<", "&lt;", ">", "&gt;", `"`, "&quot;", "'", "&#039;").Replace(s)
	js, _ := json.Marshal(s)
	q := strconv.Quote(s)
	out := []string{
		s, xmlEsc.String(), html.EscapeString(s), php, dec.String(), hexLo.String(), hexUp.String(),
		url.QueryEscape(s), url.PathEscape(s), pctUp.String(), pctLo.String(), qp.String(),
		q[1 : len(q)-1], string(js[1 : len(js)-1]),
		html.EscapeString(url.QueryEscape(s)), url.QueryEscape(html.EscapeString(s)),
	}
	return dedupe(out)
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

// mixedCase alternates the case of hex letters.
func mixedCase(s string) string {
	b := []byte(s)
	for i := range b {
		if i%2 == 0 {
			b[i] = byte(strings.ToUpper(string(b[i]))[0])
		}
	}
	return string(b)
}

// secretEchoes is one secret and every echo of it.
type secretEchoes struct {
	name   string
	secret string
	short  bool
	fold   bool // hex: any case
	echoes []string
}

func echoesOf(name, secret string, fold bool) secretEchoes {
	se := secretEchoes{name: name, secret: secret, fold: fold, short: utf8.RuneCountInString(secret) < 8}
	if fold {
		for _, v := range []string{strings.ToLower(secret), strings.ToUpper(secret), mixedCase(secret)} {
			se.echoes = append(se.echoes, encodings(v)...)
		}
		se.echoes = dedupe(se.echoes)
	} else {
		se.echoes = encodings(secret)
	}
	return se
}

// hostileServer answers each request as told by kind, echoing payload.
type hostileServer struct {
	mu      sync.Mutex
	kind    string
	payload string
}

func (h *hostileServer) set(kind, payload string) {
	h.mu.Lock()
	h.kind, h.payload = kind, payload
	h.mu.Unlock()
}

func (h *hostileServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.mu.Lock()
	kind, p := h.kind, h.payload
	h.mu.Unlock()
	body, _ := io.ReadAll(r.Body)
	echo := "Authorization: " + r.Header.Get("Authorization") + "\nURL: " + r.URL.String() +
		"\nRequestURI: " + r.RequestURI + "\nBody: " + string(body) + "\n" + p
	if strings.HasSuffix(r.URL.Path, "/redirected.php") {
		kind = "echo500"
	}
	xmlReply := func(status int, s string) {
		w.Header().Set("Content-Type", "text/xml; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\r\n"+s)
	}
	switch kind {
	case "id":
		xmlReply(200, "<result><status>success</status><id>"+p+"</id></result>")
	case "idCDATA":
		xmlReply(200, "<result><status>success</status><id><![CDATA["+p+"]]></id></result>")
	case "api200":
		xmlReply(200, "<result><status><![CDATA["+p+"]]></status><data><![CDATA["+p+"]]></data></result>")
	case "api401":
		xmlReply(401, "<result><status><![CDATA["+p+"]]></status><data><![CDATA["+p+"]]></data></result>")
	case "apiRaw":
		xmlReply(200, "<result><status>"+p+"</status><data>"+p+"</data></result>")
	case "entity":
		xmlReply(200, "<result><status>x</status><data>&"+p+";</data></result>")
	case "root":
		xmlReply(200, "<"+p+"/>")
	case "total":
		xmlReply(200, "<mailbox_list><total_num>"+p+"</total_num></mailbox_list>")
	case "record":
		xmlReply(200, "<data><user><email_id>"+p+"</email_id></user></data>")
	case "html200", "html500":
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(map[string]int{"html200": 200, "html500": 500}[kind])
		_, _ = io.WriteString(w, "<html><body>"+p+"</body></html>")
	case "echo200", "echo500":
		w.Header().Set("Content-Type", "text/plain")
		w.WriteHeader(map[string]int{"echo200": 200, "echo500": 500}[kind])
		_, _ = io.WriteString(w, echo)
	case "export":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = io.WriteString(w, "2012-03-02 10:05:17\tok@example.com\n"+p+"\tuser@example.com\n")
	case "ctype":
		w.Header().Set("Content-Type", "text/html; x="+p)
		w.WriteHeader(500)
	case "redirect":
		w.Header().Set("Location", apiPath+"redirected.php?x="+p)
		w.WriteHeader(http.StatusFound)
	case "offhost":
		w.Header().Set("Location", "http://"+p+".example/")
		w.WriteHeader(http.StatusFound)
	}
}

var hostileKinds = []string{"id", "idCDATA", "api200", "api401", "apiRaw", "entity", "root", "total",
	"record", "export", "html200", "html500", "echo200", "echo500", "ctype", "redirect", "offhost"}

// hostileCalls are calls of every shape: a GET write, a form POST carrying
// a mailbox password, a read (retried), a paged list, a stream, a text
// export.
func hostileCalls(mailboxPassword string) []func(ctx context.Context, c *Client) error {
	return []func(ctx context.Context, c *Client) error{
		func(ctx context.Context, c *Client) error { _, err := c.Maillist.Delete(ctx, 5); return err },
		func(ctx context.Context, c *Client) error {
			_, err := c.Domain.AddMailbox(ctx, "box@example.com", mailboxPassword)
			return err
		},
		func(ctx context.Context, c *Client) error { _, err := c.Account.CustomerInfo(ctx); return err },
		func(ctx context.Context, c *Client) error { _, err := c.Domain.MailboxesPage(ctx, nil); return err },
		func(ctx context.Context, c *Client) error {
			for _, err := range c.Track.Opens(ctx, TaskByID(362)) {
				if err != nil {
					return err
				}
			}
			return nil
		},
		func(ctx context.Context, c *Client) error {
			ex, err := c.Maillist.ExportUnsubscribed(ctx, 5)
			if err != nil {
				return err
			}
			for _, err := range ex.Rows() {
				if err != nil {
					return err
				}
			}
			return nil
		},
	}
}

// errorTexts returns every text an error chain shows: each error's
// Error(), its %v, %+v, %#v, %s and %q, and every string field (exported
// or not) of each.
func errorTexts(err error) []string {
	var out []string
	seen := map[error]bool{}
	queue := []error{err}
	for len(queue) > 0 {
		e := queue[0]
		queue = queue[1:]
		if e == nil {
			continue
		}
		if reflect.TypeOf(e).Comparable() {
			if seen[e] {
				continue
			}
			seen[e] = true
		}
		out = append(out, e.Error())
		for _, verb := range []string{"%v", "%+v", "%#v", "%s", "%q"} {
			out = append(out, fmt.Sprintf(verb, e))
		}
		out = append(out, stringFields(reflect.ValueOf(e), 0)...)
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			queue = append(queue, u.Unwrap())
		case interface{ Unwrap() []error }:
			queue = append(queue, u.Unwrap()...)
		}
	}
	return out
}

func stringFields(v reflect.Value, depth int) []string {
	if depth > 3 {
		return nil
	}
	switch v.Kind() {
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			return nil
		}
		return stringFields(v.Elem(), depth+1)
	case reflect.String:
		return []string{v.String()}
	case reflect.Struct:
		var out []string
		for i := 0; i < v.NumField(); i++ {
			out = append(out, stringFields(v.Field(i), depth+1)...)
		}
		return out
	case reflect.Slice:
		var out []string
		for i := 0; i < v.Len() && i < 16; i++ {
			out = append(out, stringFields(v.Index(i), depth+1)...)
		}
		return out
	}
	return nil
}

// needle is one text that must not appear.
type needle struct {
	what, s string
	fold    bool // compare lower-cased
}

// needlesOf lists every echo of secrets, as is and Go-quoted (as %q and
// %#v show it); for a secret too short to search for, the bracketed echo.
func needlesOf(secrets []secretEchoes) []needle {
	var out []needle
	for _, se := range secrets {
		for _, e := range se.echoes {
			n := e
			if se.short {
				n = echoL + e + echoR
			}
			q := strconv.Quote(n)
			for _, v := range dedupe([]string{n, q[1 : len(q)-1]}) {
				if se.fold {
					v = strings.ToLower(v)
				}
				out = append(out, needle{what: se.name + " as " + strconv.Quote(v), s: v, fold: se.fold})
			}
		}
	}
	return out
}

// leaks returns the first needle text shows, or "".
func leaks(text string, needles []needle) string {
	lower := strings.ToLower(text)
	for _, n := range needles {
		if strings.Contains(text, n.s) || n.fold && strings.Contains(lower, n.s) {
			return n.what
		}
	}
	return ""
}

func TestHostileRedaction(t *testing.T) {
	for mi, mode := range []AuthMode{AuthBasic, AuthQuery} {
		for _, pw := range redactShapes {
			mi, mode, pw := mi, mode, pw
			t.Run(fmt.Sprintf("%s/%q", mode, pw), func(t *testing.T) {
				t.Parallel()
				hs := &hostileServer{}
				srv := httptest.NewServer(hs)
				defer srv.Close()
				var logs bytes.Buffer
				logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
				// The default retry policy, on a clock that does not sleep.
				c, err := NewClient(testUser, pw, WithBaseURL(srv.URL+apiPath), WithAuthMode(mode), WithLogger(logger))
				require.NoError(t, err)
				c.clock = &fakeClock{}
				defer c.http.CloseIdleConnections()

				_, first := utf8.DecodeRuneInString(pw)
				mailboxPw := "9" + pw[first:]
				secrets := []secretEchoes{
					echoesOf("password", pw, false),
					echoesOf("md5", HashPassword(pw), true),
					echoesOf("basic token", base64.StdEncoding.EncodeToString([]byte(testUser+":"+pw)), false),
					echoesOf("mailbox password", mailboxPw, false),
				}
				calls := hostileCalls(mailboxPw)
				accountNeedles, allNeedles := needlesOf(secrets[:3]), needlesOf(secrets)
				var failed, checked, n int
				for k, kind := range hostileKinds {
					for _, se := range secrets {
						for i, e := range se.echoes {
							if (i+k)%2 != mi {
								// The two auth modes share the echoes out.
								continue
							}
							n++
							call, checks := calls[n%len(calls)], accountNeedles
							if se.name == "mailbox password" || n%len(calls) == 1 {
								// Only the call that sends it knows it.
								call, checks = calls[1], allNeedles
							}
							hs.set(kind, echoL+e+echoR)
							logs.Reset()
							err := call(bg, c)
							if err == nil {
								continue
							}
							checked++
							texts := append(errorTexts(err), logs.String())
							for _, text := range texts {
								if what := leaks(text, checks); what != "" {
									failed++
									if failed <= 5 {
										t.Errorf("%s echoing %s %q: %s leaks in %q (error %T)", kind, se.name, e, what, text, err)
									}
									break
								}
							}
						}
					}
				}
				t.Logf("%d calls, %d errors checked, %d leaked", n, checked, failed)
				assert.Zero(t, failed, "errors that leak a secret")
				assert.Greater(t, checked, n/2, "most hostile replies fail")
			})
		}
	}
}

// Errors keep their meaning when redacted: the types and sentinels a
// caller tests for are still found.
func TestHostileRedactionKeepsTypes(t *testing.T) {
	hs := &hostileServer{}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	c, err := NewClient(testUser, "a", WithBaseURL(srv.URL+apiPath))
	require.NoError(t, err)
	c.clock = &fakeClock{}
	defer c.http.CloseIdleConnections()

	hs.set("id", echoL+"a"+echoR)
	_, err = c.Maillist.Delete(bg, 5)
	var de *DecodeError
	require.ErrorAs(t, err, &de)
	assert.ErrorIs(t, err, ErrUnexpectedReply)
	var fe interface{ Unwrap() error }
	assert.True(t, errors.As(err, &fe))
	assert.NotContains(t, err.Error(), echoL+"a"+echoR)
	assert.Contains(t, err.Error(), "REDACTED")

	hs.set("api401", echoL+"a"+echoR)
	_, err = c.Maillist.Delete(bg, 5)
	var ae *APIError
	require.ErrorAs(t, err, &ae)
	assert.Equal(t, Status("REDACTED"), ae.Status, "a status holding a short secret is withheld whole")
	assert.ErrorIs(t, err, ErrUnauthorized)
}

// A snippet is cut at snippetSize bytes, which may fall inside an echoed
// secret, or inside the escape of one of its characters: what is left of
// the secret at the cut is dropped too.
func TestHostileRedactionCutSnippet(t *testing.T) {
	const pw = "s3cret-pass"
	c, err := NewClient(testUser, pw)
	require.NoError(t, err)
	filler := strings.Repeat("x", snippetSize)
	for _, tail := range []string{
		"s3cr",                    // as is
		"&#115;&#51;&#99;&#114;",  // decimal references
		"&#115;&#51;&#99;&#11",    // cut inside one
		"%73%33%63%7",             // percent-encoded, cut inside one
		`\u0073\u0033\u0063\u007`, // JSON-quoted, cut inside one
	} {
		body := filler[:snippetSize-len(tail)] + tail + "et-pass and more"
		got := c.snippetFor(nil, []byte(body))
		assert.Equal(t, filler[:snippetSize-len(tail)]+"REDACTED", got, "cut %q", tail)
	}
}

// The SDK's own words are not searched for a short password (they say
// nothing about it), while the server's text holding it is withheld whole.
func TestHostileRedactionShortRule(t *testing.T) {
	c, err := NewClient(testUser, "a")
	require.NoError(t, err)
	r := c.redactorFor(nil, nil)
	assert.Equal(t, "GET http://h/mm-ms/apinew/api.php?do=list", r.trusted("GET http://h/mm-ms/apinew/api.php?do=list"))
	assert.Equal(t, "REDACTED", r.untrusted("名称 &#97; 已存在"))
	assert.Equal(t, "名称已存在", r.untrusted("名称已存在"), "text without the secret is kept")
	// The call's own URL in a lower layer's message stays readable.
	req, err := http.NewRequest(http.MethodGet, "http://h/mm-ms/apinew/x.php?do=list", nil)
	require.NoError(t, err)
	assert.Equal(t, "bestedm: GET http://h/mm-ms/apinew/x.php?do=listREDACTED",
		c.redactorFor(req, nil).untrusted("bestedm: GET http://h/mm-ms/apinew/x.php?do=list: line 2: &#97;"))
	// A long secret is cut out where it is, in any encoding and letter case.
	h := HashPassword("a")
	assert.Equal(t, "md5=REDACTED;", r.untrusted("md5="+mixedCase(h)+";"))
	assert.Equal(t, "x REDACTED y", r.untrusted("x "+url.QueryEscape(html.EscapeString(strings.ToUpper(h)))+" y"))
}

// A Request's Secrets are kept out of every error and log record wherever
// the request carries them: in Params (the URL: the error's Call, the log's
// call, a *url.Error) as well as in Form; 3 to 19 characters, every reply
// kind, connection refused included. Before, a secret in Params showed,
// query-escaped, in every error's Call.
func TestRequestSecretsInEveryPart(t *testing.T) {
	hs := &hostileServer{}
	srv := httptest.NewServer(hs)
	defer srv.Close()
	refused := httptest.NewServer(http.NotFoundHandler())
	refusedURL := refused.URL
	refused.Close()
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	kinds := append([]string{"refused"}, hostileKinds...)
	var checked, failed int
	for _, secret := range []string{"k9z", "Tr0ub4dor", "s3cret/&=+ x", "correct horse batt3"} {
		se := echoesOf("request secret", secret, false)
		needles := needlesOf([]secretEchoes{se})
		for _, part := range []string{"Params", "Form", "Params+Form"} {
			req := &Request{Script: "bs.php", Action: "mailbox-add", Secrets: []string{secret}, Params: url.Values{}}
			if strings.Contains(part, "Params") {
				req.Params.Set("pwd", "x"+secret+"y") // not a parameter redactURL knows by name alone
				req.Params.Set("token", secret)
			}
			if strings.Contains(part, "Form") {
				req.Form = url.Values{"secret": {secret}}
			}
			for _, kind := range kinds {
				for _, idempotent := range []bool{false, true} {
					base := srv.URL
					if kind == "refused" {
						base = refusedURL
					}
					c, err := NewClient(testUser, "account-pass", WithBaseURL(base+apiPath), WithLogger(logger))
					require.NoError(t, err)
					c.clock = &fakeClock{}
					hs.set(kind, echoL+secret+echoR)
					logs.Reset()
					r := *req
					r.Idempotent = idempotent
					for _, v := range []any{nil, &struct {
						ID string `xml:"id"`
					}{}, io.Discard} {
						err = c.Do(bg, &r, v)
						if err == nil {
							continue
						}
						checked++
						for _, text := range append(errorTexts(err), logs.String()) {
							if what := leaks(text, needles); what != "" {
								failed++
								if failed <= 5 {
									t.Errorf("%s in %s, reply %s, into %T: %s leaks in %q", secret, part, kind, v, what, text)
								}
								break
							}
						}
					}
					c.http.CloseIdleConnections()
				}
			}
		}
	}
	t.Logf("%d errors checked, %d leaked", checked, failed)
	assert.Zero(t, failed, "errors or log records that leak a request's secret")
	assert.Greater(t, checked, 300, "errors checked")
}
