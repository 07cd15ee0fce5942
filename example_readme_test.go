package bestedm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
)

// The functions below hold README.md's snippets that are not part of an
// Example: readme_test.go checks that every Go block of the README appears
// in a test file, so these are compiled by go test, and the tests below run
// them against the fake.

// readmeIntro is the README's first program: it reads the credentials and
// the base URL from the environment, as the examples and the CLI do, so
// that it talks to `bestedm fake` after `eval "$(grep ^export fake.env)"`.
func readmeIntro() {
	ctx := context.Background()
	// BESTEDM_USERNAME, BESTEDM_PASSWORD and, when set, BESTEDM_BASE_URL.
	client, err := bestedm.NewClientFromEnv()
	if err != nil {
		log.Fatal(err)
	}
	svc, err := client.Account.ServiceInfo(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("messages left:", svc.QuotaLeft)

	lists, err := client.Maillist.List(ctx)
	if err != nil {
		log.Fatal(err)
	}
	for _, l := range lists {
		fmt.Println(l.ID, l.Name, l.Count)
	}
}

// TestReadmeIntro runs the README's first program with the variables that
// `bestedm fake` prints: both of its calls reach the fake, not the
// production host.
func TestReadmeIntro(t *testing.T) {
	srv := bestedmtest.NewServer(t)
	login := srv.Customer()
	t.Setenv("BESTEDM_BASE_URL", srv.URL())
	t.Setenv("BESTEDM_USERNAME", login.Username)
	t.Setenv("BESTEDM_PASSWORD", login.Password)
	out := stdoutOf(t, readmeIntro) // log.Fatal, ending the test binary, on any error
	assert.Contains(t, out, "messages left: ")
	assert.Contains(t, out, "35 新闻订阅 ", "the fake's first list")
	var calls []string
	for _, r := range srv.Requests() {
		calls = append(calls, r.Script+"?do="+r.Action)
	}
	assert.Equal(t, []string{"account.php?do=service-info", "mloperate.php?do=maillist-list"}, calls)
}

// stdoutOf runs f and returns what it printed on os.Stdout.
func stdoutOf(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	require.NoError(t, err)
	saved := os.Stdout
	os.Stdout = w
	defer func() { os.Stdout = saved }()
	done := make(chan []byte)
	go func() {
		b, _ := io.ReadAll(r)
		done <- b
	}()
	f()
	require.NoError(t, w.Close())
	return string(<-done)
}

// report says what went wrong in a way a program can act on.
func report(err error) string {
	var ve *bestedm.ValidationError
	var apiErr *bestedm.APIError
	switch {
	case err == nil:
		return "ok"
	case errors.As(err, &ve):
		return "bad input, nothing sent: " + ve.Reason
	case errors.Is(err, bestedm.ErrUnauthorized): // any auth_error, whatever the HTTP status
		return "wrong user name or password"
	case errors.Is(err, bestedm.ErrTimeout): // WithTimeout, a context deadline or net/http's own
		return "timed out"
	case errors.Is(err, bestedm.ErrNotFound): // before *APIError: not_found is one too
		return "not found"
	case errors.As(err, &apiErr):
		return "refused by the service: " + string(apiErr.Status)
	default:
		return "failed: " + err.Error() // *RequestError, *HTTPError or *DecodeError
	}
}

// Example_errors is the README's error handling: one function that tells
// the kinds of failure apart, on five calls that fail in five ways.
func Example_errors() {
	srv, client := startFake()
	defer srv.Close()
	ctx := context.Background()

	_, err := client.Task.Get(ctx, 7)
	fmt.Println(report(err))
	_, err = client.Maillist.Create(ctx, &bestedm.MaillistParams{Name: "新闻订阅", Status: bestedm.MaillistEnabled})
	fmt.Println(report(err))
	_, err = client.Maillist.AddAddress(ctx, 35, bestedm.Address{Email: "li.lei.example.com"})
	fmt.Println(report(err))
	stranger, _ := bestedm.NewClient("demo", "not-the-password", bestedm.WithBaseURL(client.BaseURL().String()))
	_, err = stranger.Account.CustomerInfo(ctx)
	fmt.Println(report(err))
	late, cancel := context.WithTimeout(ctx, -time.Second) // a deadline already gone
	defer cancel()
	_, err = client.Account.CustomerInfo(late)
	fmt.Println(report(err))
	// Output:
	// not found
	// refused by the service: add_maillist_error
	// bad input, nothing sent: "li.lei.example.com" is not an email address
	// wrong user name or password
	// timed out
}

// readmeRawBody copies a reply that is not XML, as sent, into a buffer.
func readmeRawBody(ctx context.Context, client *bestedm.Client) (*bytes.Buffer, error) {
	var buf bytes.Buffer
	err := client.Do(ctx, &bestedm.Request{Script: "failexportall.php",
		Params: url.Values{"out_type": {"json"}, "date": {"2024-05-20"}}}, &buf) // any io.Writer
	return &buf, err
}

func TestReadmeRawBody(t *testing.T) {
	srv, client := startFake()
	defer srv.Close()
	buf, err := readmeRawBody(context.Background(), client)
	require.NoError(t, err)
	assert.Equal(t, byte('['), bytes.TrimSpace(buf.Bytes())[0], "failexportall.php answers a JSON array: %.80s", buf.String())
}

func TestNewsletter(t *testing.T) {
	srv := bestedmtest.NewServer(t)                          // closed when the test ends
	client := srv.Client()                                   // an invalid option fails the test
	lists, err := client.Maillist.List(context.Background()) // your code, using client
	if err != nil {
		t.Fatal(err)
	}
	if len(lists) != 4 || len(srv.Requests()) != 1 { // srv.Requests() is what was sent
		t.Errorf("got %d lists in %d requests, want 4 in 1", len(lists), len(srv.Requests()))
	}
}

func TestReadmeFaults(t *testing.T) {
	srv := bestedmtest.NewServer(t)
	client := srv.Client(bestedm.WithRetry(bestedm.RetryPolicy{}))
	ctx := context.Background()
	var err error

	srv.Fail(bestedmtest.Match{Script: "track.php", Action: "open-detail"}, 1, bestedmtest.TruncatedBody())
	srv.Fail(bestedmtest.Match{}, 2, bestedmtest.HTTPStatusRetryAfter(503, time.Second))
	srv.FailAlways(bestedmtest.Match{Script: "stask.php"}, bestedmtest.Delay(time.Minute)) // until ClearFaults; on WithClock, clock.Advance releases it

	// The account call matches only the catch-all: two 503s, then a reply.
	for range 2 {
		_, err = client.Account.CustomerInfo(ctx)
		assert.True(t, errors.Is(err, bestedm.ErrUnexpectedReply), "want a 503 *HTTPError, got %v", err)
	}
	_, err = client.Account.CustomerInfo(ctx)
	assert.NoError(t, err)
}
