// Command bestedm-fake serves the bestedmtest fake of the bestedm API, for
// trying the SDK, or any other client, without an account:
//
//	go run ./cmd/bestedm-fake -addr 127.0.0.1:8080 -seed 1
//
// It prints the base URL and the customer's and the administrator's
// credentials, and serves until SIGINT or SIGTERM.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/bestedm/bestedm-go/bestedmtest"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := run(ctx, os.Args[1:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "bestedm-fake:", err)
		os.Exit(2)
	}
}

// run starts the server, prints how to reach it, and serves until ctx ends;
// it then waits up to five seconds for requests in flight.
func run(ctx context.Context, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("bestedm-fake", flag.ContinueOnError)
	fs.SetOutput(stdout)
	addr := fs.String("addr", "127.0.0.1:8080", "address to listen on (port 0: any free port)")
	seed := fs.Int64("seed", 1, "seed of the generated data")
	recReqs := fs.Int("record-requests", bestedmtest.DefaultRecordLimit, "how many of the most recent requests the recorder keeps")
	recBody := fs.Int("record-body", bestedmtest.DefaultRecordBodyLimit, "how many bytes of each request's form values the recorder keeps")
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return nil
		}
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments: %v", fs.Args())
	}
	if *recReqs < 1 || *recBody < 1 {
		return fmt.Errorf("-record-requests and -record-body must be at least 1, got %d and %d", *recReqs, *recBody)
	}
	s, err := bestedmtest.Start(bestedmtest.WithAddr(*addr), bestedmtest.WithSeed(*seed),
		bestedmtest.WithRecordLimits(*recReqs, *recBody))
	if err != nil {
		return err
	}
	c, m := s.Customer(), s.Manager()
	fmt.Fprintf(stdout, "bestedm fake server, seed %d\n", *seed)
	fmt.Fprintf(stdout, "base URL: %s\n", s.URL())
	fmt.Fprintf(stdout, "customer: username=%s password=%s (md5 %s) customer_id=%d\n", c.Username, c.Password, c.PasswordHash(), c.CustomerID)
	fmt.Fprintf(stdout, "manager:  username=%s password=%s (md5 %s) customer_id=%d (with user_type=manager)\n", m.Username, m.Password, m.PasswordHash(), m.CustomerID)
	fmt.Fprintf(stdout, "recorder: the last %d requests, %d bytes of each body\n", *recReqs, *recBody)
	fmt.Fprintln(stdout, "serving; stop with Ctrl-C")

	<-ctx.Done()
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := s.Shutdown(sctx); err != nil {
		return fmt.Errorf("shutting down: %w", err)
	}
	fmt.Fprintln(stdout, "stopped")
	return nil
}
