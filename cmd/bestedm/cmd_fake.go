package main

import (
	"context"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/bestedm/bestedm-go/bestedmtest"
)

func newFakeCmd(a *app) *cobra.Command {
	var (
		addr string
		seed int64
	)
	cmd := &cobra.Command{
		Use:   "fake",
		Short: "Serve a fake of the API with generated data, for trying the tool without an account",
		Long: `fake serves the in-process fake of the bestedm API (package bestedmtest) until
interrupted, and prints the variables that point the tool at it:

  bestedm fake > fake.env &
  eval "$(grep ^export fake.env)"
  bestedm lists list

The data is generated from --seed and today's date; writes change it until the
server stops. The password printed is the fake's own, not a secret.`,
		Args: nArgs(),
		RunE: func(cmd *cobra.Command, _ []string) error {
			s, err := bestedmtest.Start(bestedmtest.WithAddr(addr), bestedmtest.WithSeed(seed))
			if err != nil {
				return err
			}
			cu := s.Customer()
			fmt.Fprintf(a.stdout, "# bestedm fake server, seed %d; stop it with Ctrl-C\n", seed)
			fmt.Fprintf(a.stdout, "export BESTEDM_BASE_URL=%s\n", s.URL())
			fmt.Fprintf(a.stdout, "export BESTEDM_USERNAME=%s\n", cu.Username)
			fmt.Fprintf(a.stdout, "export BESTEDM_PASSWORD=%s\n", cu.Password)
			if f, ok := a.stdout.(interface{ Sync() error }); ok {
				_ = f.Sync()
			}
			<-cmd.Context().Done()
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			return s.Shutdown(ctx)
		},
	}
	cmd.Flags().StringVar(&addr, "addr", "127.0.0.1:8080", "address to listen on (port 0: any free port)")
	cmd.Flags().Int64Var(&seed, "seed", 1, "seed of the generated data")
	return cmd
}
