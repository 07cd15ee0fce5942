// Package demo connects the examples to a bestedm server: the real service
// when BESTEDM_USERNAME and BESTEDM_PASSWORD are set (and BESTEDM_BASE_URL,
// optionally), otherwise a fake one started in-process by package
// bestedmtest, so that every example runs with no account, no network and
// no arguments.
//
// The fake runs on a clock that stands still and moves only when an
// example calls Wait: a task "sent" by the fake is done in an instant, and
// two runs started at the same -fake-time print the same figures.
package demo

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"time"

	"github.com/bestedm/bestedm-go"
	"github.com/bestedm/bestedm-go/bestedmtest"
)

// China is the zone of the service's wall-clock times, the SDK's default.
var China = time.FixedZone("UTC+8", 8*60*60)

const timeLayout = "2006-01-02 15:04"

var fakeTime = flag.String("fake-time", "",
	`with the built-in fake server: when its clock starts, as "`+timeLayout+`" China time (default: now)`)

// clock is the fake's clock, nil against the real service. Client sets it
// once, before anything reads it.
var clock *bestedmtest.Clock

// Client returns a client for the real service or for the built-in fake
// server, and a function that stops what Client started. Its first line of
// output says which of the two it is. Call it once, after flag.Parse.
func Client() (*bestedm.Client, func(), error) {
	user, pass := os.Getenv("BESTEDM_USERNAME"), os.Getenv("BESTEDM_PASSWORD")
	switch {
	case user != "" && pass != "":
		return realClient(user, pass)
	case user != "" || pass != "":
		return nil, nil, errors.New("set both BESTEDM_USERNAME and BESTEDM_PASSWORD, or neither to use the built-in fake server")
	}
	return fakeClient()
}

func realClient(user, pass string) (*bestedm.Client, func(), error) {
	var opts []bestedm.Option
	if base := os.Getenv("BESTEDM_BASE_URL"); base != "" {
		opts = append(opts, bestedm.WithBaseURL(base))
	}
	c, err := bestedm.NewClient(user, pass, opts...)
	if err != nil {
		return nil, nil, fmt.Errorf("creating the client: %w", err)
	}
	fmt.Printf("BESTEDM_USERNAME is set: running against the bestedm service at %s as %s\n", c.BaseURL(), user)
	return c, func() {}, nil
}

func fakeClient() (*bestedm.Client, func(), error) {
	start := time.Now().In(China).Truncate(time.Second)
	if *fakeTime != "" {
		t, err := time.ParseInLocation(timeLayout, *fakeTime, China)
		if err != nil {
			return nil, nil, fmt.Errorf("-fake-time: want %q, got %q", timeLayout, *fakeTime)
		}
		start = t
	}
	clock = bestedmtest.NewClock(start)
	srv, err := bestedmtest.Start(bestedmtest.WithSeed(1), bestedmtest.WithClock(clock))
	if err != nil {
		return nil, nil, fmt.Errorf("starting the fake server: %w", err)
	}
	c, err := srv.NewClient()
	if err != nil {
		srv.Close()
		return nil, nil, fmt.Errorf("creating the client: %w", err)
	}
	fmt.Printf("no BESTEDM_USERNAME/BESTEDM_PASSWORD: running against the built-in fake server at %s (seed 1, clock at %s)\n",
		srv.URL(), start.Format(timeLayout))
	return c, func() { srv.Close() }, nil
}

// Fake reports whether Client started the built-in fake server.
func Fake() bool { return clock != nil }

// Now is the current time: the fake's clock, or the wall clock.
func Now() time.Time {
	if clock != nil {
		return clock.Now()
	}
	return time.Now().In(China)
}

// Wait lets d pass: on the fake's clock at once, against the real service
// by sleeping (and returning early with an error when ctx ends).
func Wait(ctx context.Context, d time.Duration) error {
	if clock != nil {
		clock.Advance(d)
		return ctx.Err()
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// CreateList creates a contact list and returns its id. The document's
// maillist-add reply carries no id (the fake sends one): when it is
// missing, the list is found by its subject.
func CreateList(ctx context.Context, client *bestedm.Client, p *bestedm.MaillistParams) (int64, error) {
	res, err := client.Maillist.Create(ctx, p)
	if err != nil {
		return 0, err
	}
	if res.ID != 0 {
		return res.ID, nil
	}
	lists, err := client.Maillist.List(ctx)
	if err != nil {
		return 0, err
	}
	for _, l := range lists {
		if l.Name == p.Name {
			return l.ID, nil
		}
	}
	return 0, fmt.Errorf("list %q was created but is not in the lists", p.Name)
}
