package bestedmtest

import (
	"sync"
	"time"
)

// Clock is a clock that moves only when told to. Pass its Now to
// WithClock: tasks on the fake start, send and finish by it, so a test
// decides when a campaign has been delivered and its tracking numbers exist.
// It is safe for concurrent use (the server reads it from its goroutines).
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock returns a clock standing at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}
