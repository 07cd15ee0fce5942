package bestedmtest

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bestedm/bestedm-go"
)

// APIPath is the path of the API root the server answers under; LegacyPath,
// the older root the document says still works, is served too.
const (
	APIPath    = "/mm-ms/apinew/"
	LegacyPath = "/mm-ms/api/"
)

// Server is a running fake bestedm service. It is safe for concurrent use.
type Server struct {
	mu    sync.Mutex // guards st
	st    *state
	clock *Clock     // nil: real time
	tb    testing.TB // nil for a server from Start

	recMu  sync.Mutex // guards recs and faults
	recs   recorder
	faults []*faultRule

	srv       *http.Server
	ln        net.Listener
	base      string
	done      chan struct{}
	serveErr  error // set by the serving goroutine before done closes
	closeOnce sync.Once
	closeErr  error
}

// Credentials are an account's login: the plain password (for HTTP Basic
// auth) and the customer id the account is or acts for.
type Credentials struct {
	Username   string
	Password   string
	CustomerID int64
}

// PasswordHash returns the lower-case hex MD5 of the password, what the
// query-string mode sends.
func (c Credentials) PasswordHash() string { return bestedm.HashPassword(c.Password) }

// ServerOption configures a Server.
type ServerOption func(*config)

type config struct {
	seed                         int64
	addr                         string
	clock                        *Clock
	recordLimit, recordBodyLimit int
}

// WithSeed sets the seed of the generated data (default 1). The same seed
// on the same day gives the same accounts, lists, templates, tasks and
// statistics.
func WithSeed(seed int64) ServerOption { return func(c *config) { c.seed = seed } }

// WithAddr sets the address to listen on (default "127.0.0.1:0", a free
// port on the loopback interface).
func WithAddr(addr string) ServerOption { return func(c *config) { c.addr = addr } }

// WithClock runs the server on c instead of real time (the default). The
// generated data is laid out around the clock's day at start; tasks start,
// send and finish by it; and Delay faults wait until it has moved by their
// duration. A clock that is never moved makes every reply reproducible; one
// moved with Advance makes time pass in a test without sleeping.
func WithClock(c *Clock) ServerOption {
	return func(cfg *config) {
		if c != nil {
			cfg.clock = c
		}
	}
}

// NewServer starts a server for a test or benchmark; it is closed when tb
// and its subtests finish, and Client reports a failure through tb.
func NewServer(tb testing.TB, opts ...ServerOption) *Server {
	tb.Helper()
	s, err := Start(opts...)
	if err != nil {
		tb.Fatalf("bestedmtest: %v", err)
	}
	s.tb = tb
	tb.Cleanup(func() { _ = s.Close() })
	return s
}

// Start starts a server, for programs; stop it with Close or Shutdown.
// Client panics on an invalid option there; NewClient returns the error.
func Start(opts ...ServerOption) (*Server, error) {
	cfg := config{seed: 1, addr: "127.0.0.1:0", recordLimit: DefaultRecordLimit, recordBodyLimit: DefaultRecordBodyLimit}
	for _, o := range opts {
		if o != nil {
			o(&cfg)
		}
	}
	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return nil, fmt.Errorf("listening on %s: %w", cfg.addr, err)
	}
	s := &Server{
		clock: cfg.clock,
		recs:  recorder{limit: cfg.recordLimit, bodyLimit: cfg.recordBodyLimit},
		ln:    ln,
		base:  "http://" + ln.Addr().String() + APIPath,
		done:  make(chan struct{}),
	}
	s.st = newState(cfg.seed, s.now())
	s.srv = &http.Server{Handler: s, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		defer close(s.done)
		if err := s.srv.Serve(ln); err != nil && !errors.Is(err, http.ErrServerClosed) {
			s.serveErr = err
		}
	}()
	return s, nil
}

// URL returns the API root, "http://127.0.0.1:<port>/mm-ms/apinew/".
func (s *Server) URL() string { return s.base }

// Customer returns the customer account's credentials.
func (s *Server) Customer() Credentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	c := s.st.main()
	return Credentials{Username: c.username, Password: c.password, CustomerID: c.id}
}

// Manager returns the administrator's credentials, for manager mode (§7);
// CustomerID is the customer account's id, the customer_id to act for.
func (s *Server) Manager() Credentials {
	s.mu.Lock()
	defer s.mu.Unlock()
	return Credentials{Username: s.st.manager.username, Password: s.st.manager.password, CustomerID: s.st.main().id}
}

// Client returns an SDK client logged in as the customer, pointed at the
// server; opts are applied after the base URL, so they may override it.
// Only an invalid option makes it fail: on a server from NewServer that
// fails the test (call Client from the test's goroutine), on one from
// Start it panics. A program that takes options from its input and wants
// the error uses NewClient.
func (s *Server) Client(opts ...bestedm.Option) *bestedm.Client {
	if s.tb != nil {
		s.tb.Helper()
	}
	return s.must(s.NewClient(opts...))
}

// ManagerClient is Client logged in as the administrator, for manager
// mode (§7).
func (s *Server) ManagerClient(opts ...bestedm.Option) *bestedm.Client {
	if s.tb != nil {
		s.tb.Helper()
	}
	return s.must(s.NewManagerClient(opts...))
}

// NewClient is Client returning the error instead of failing the test or
// panicking.
func (s *Server) NewClient(opts ...bestedm.Option) (*bestedm.Client, error) {
	return s.newClient(s.Customer(), opts)
}

// NewManagerClient is ManagerClient returning the error instead of failing
// the test or panicking.
func (s *Server) NewManagerClient(opts ...bestedm.Option) (*bestedm.Client, error) {
	return s.newClient(s.Manager(), opts)
}

func (s *Server) newClient(c Credentials, opts []bestedm.Option) (*bestedm.Client, error) {
	return bestedm.NewClient(c.Username, c.Password, append([]bestedm.Option{bestedm.WithBaseURL(s.URL())}, opts...)...)
}

func (s *Server) must(c *bestedm.Client, err error) *bestedm.Client {
	if err == nil {
		return c
	}
	if s.tb != nil {
		s.tb.Helper()
		s.tb.Fatalf("bestedmtest: client: %v", err)
		return nil
	}
	panic(fmt.Sprintf("bestedmtest: client: %v (NewClient returns this error instead of panicking)", err))
}

// Close stops the server at once, cutting open connections. It is safe to
// call more than once.
func (s *Server) Close() error {
	s.closeOnce.Do(func() {
		s.closeErr = s.srv.Close()
		<-s.done
		if s.closeErr == nil {
			s.closeErr = s.serveErr
		}
	})
	return s.closeErr
}

// Shutdown stops the server gracefully: it stops accepting, waits for the
// requests in flight until ctx ends, then closes.
func (s *Server) Shutdown(ctx context.Context) error {
	err := s.srv.Shutdown(ctx)
	if cerr := s.Close(); err == nil {
		err = cerr
	}
	return err
}

func (s *Server) now() time.Time {
	if s.clock == nil {
		return time.Now().In(chinaZone)
	}
	return s.clock.Now().In(chinaZone)
}

// wait waits d on the server's clock, or until ctx ends; it reports
// whether the full d passed.
func (s *Server) wait(ctx context.Context, d time.Duration) bool {
	if s.clock == nil {
		t := time.NewTimer(d)
		defer t.Stop()
		select {
		case <-t.C:
			return true
		case <-ctx.Done():
			return false
		}
	}
	ch, stop := s.clock.after(d)
	select {
	case <-ch:
		return true
	case <-ctx.Done():
		stop()
		return false
	}
}

// splitPath returns the script of an API path, and whether the path is under
// one of the two API roots.
func splitPath(p string) (script string, ok bool) {
	for _, root := range []string{APIPath, LegacyPath} {
		if rest, found := strings.CutPrefix(p, root); found && rest != "" && !strings.Contains(rest, "/") {
			return rest, true
		}
	}
	return "", false
}
