package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go/bestedmtest"
)

type fakeOptions struct {
	app   *app
	Addr  string
	Seed  int64
	Speed float64
}

func newCmdFake(a *app, runF func(*fakeOptions) error) *cobra.Command {
	opts := &fakeOptions{app: a}
	cmd := &cobra.Command{
		Use:   "fake",
		Short: "Serve a fake of the API with generated data, for trying the tool without an account",
		Long: `fake serves the in-process fake of the bestedm API (package bestedmtest) until
interrupted, and prints the variables that point the tool at it:

  bestedm fake > fake.env &
  eval "$(grep ^export fake.env)"
  bestedm lists list

The data is generated from --seed and today's date; writes change it until the
server stops. The password printed is the fake's own, not a secret.

--speed runs the fake's clock faster than real time, so a task can be watched
as it is sent and finishes: with --speed 600 a minute passes every 0.1 s.`,
		Args: nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			if opts.Speed <= 0 {
				return usagef("--speed must be positive, not %v", opts.Speed)
			}
			return runner(runF, func(o *fakeOptions) error { return fakeRun(cmd.Context(), o) })(opts)
		},
	}
	cmd.Flags().StringVar(&opts.Addr, "addr", "127.0.0.1:8080", "address to listen on (port 0: any free port)")
	cmd.Flags().Int64Var(&opts.Seed, "seed", 1, "seed of the generated data")
	cmd.Flags().Float64Var(&opts.Speed, "speed", 1, "how many times faster than real time the fake's clock runs")
	return cmd
}

// fakeClockTick is how often a sped-up clock is moved.
const fakeClockTick = 100 * time.Millisecond

func fakeRun(ctx context.Context, opts *fakeOptions) error {
	a := opts.app
	start := time.Now()
	clock := bestedmtest.NewClock(start)
	s, err := bestedmtest.Start(bestedmtest.WithAddr(opts.Addr), bestedmtest.WithSeed(opts.Seed), bestedmtest.WithClock(clock))
	if err != nil {
		return err
	}
	cu := s.Customer()
	fmt.Fprintf(a.stdout, "# bestedm fake server, seed %d, clock speed %v; stop it with Ctrl-C\n", opts.Seed, opts.Speed)
	fmt.Fprintf(a.stdout, "export BESTEDM_BASE_URL=%s\n", s.URL())
	fmt.Fprintf(a.stdout, "export BESTEDM_USERNAME=%s\n", cu.Username)
	fmt.Fprintf(a.stdout, "export BESTEDM_PASSWORD=%s\n", cu.Password)
	if f, ok := a.stdout.(interface{ Sync() error }); ok {
		_ = f.Sync()
	}
	tick := time.NewTicker(fakeClockTick)
	defer tick.Stop()
	for done := false; !done; {
		select {
		case <-ctx.Done():
			done = true
		case now := <-tick.C:
			elapsed := time.Duration(float64(now.Sub(start)) * opts.Speed)
			clock.Set(start.Add(elapsed))
		}
	}
	sctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return s.Shutdown(sctx)
}
