package bestedm_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
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
// in a test file, so these are compiled by go test. readmeIntro needs an
// account and is compiled, not run.

func readmeIntro(ctx context.Context) {
	client, err := bestedm.NewClient(os.Getenv("BESTEDM_USERNAME"), os.Getenv("BESTEDM_PASSWORD"))
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

var _ = readmeIntro

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
