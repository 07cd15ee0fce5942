package bestedmtest

import (
	"sync"
	"time"
)

// Clock is a clock that moves only when told to. Pass it to WithClock:
// tasks on the fake start, send and finish by it, so a test decides when a
// campaign has been delivered and its tracking numbers exist; and Delay
// faults wait on it, so a test releases a delayed request with Advance
// instead of sleeping. A clock that is never moved is a fixed clock.
// It is safe for concurrent use (the server reads it from its goroutines).
type Clock struct {
	mu      sync.Mutex
	now     time.Time
	waiters []*clockWaiter
	changed chan struct{} // closed and replaced when waiters are added; nil until BlockUntil asks
}

type clockWaiter struct {
	until time.Time
	ch    chan struct{} // closed when the clock reaches until
}

// NewClock returns a clock standing at start.
func NewClock(start time.Time) *Clock { return &Clock{now: start} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Set moves the clock to t, releasing the delays that end by t. Moving it
// back releases nothing.
func (c *Clock) Set(t time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = t
	c.release()
}

// Advance moves the clock forward by d, releasing the delays that end by
// the new time.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
	c.release()
}

// BlockUntil blocks until at least n requests wait on the clock (in a Delay
// fault). A test calls it between sending a delayed request from another
// goroutine and moving the clock, so the move cannot come before the
// request arrives.
func (c *Clock) BlockUntil(n int) {
	for {
		c.mu.Lock()
		if len(c.waiters) >= n {
			c.mu.Unlock()
			return
		}
		if c.changed == nil {
			c.changed = make(chan struct{})
		}
		ch := c.changed
		c.mu.Unlock()
		<-ch
	}
}

// after returns a channel closed once the clock has moved d past its
// current time, and a function that withdraws the wait (for a request
// whose client left first).
func (c *Clock) after(d time.Duration) (<-chan struct{}, func()) {
	c.mu.Lock()
	defer c.mu.Unlock()
	w := &clockWaiter{until: c.now.Add(d), ch: make(chan struct{})}
	if d <= 0 {
		close(w.ch)
		return w.ch, func() {}
	}
	c.waiters = append(c.waiters, w)
	if c.changed != nil {
		close(c.changed)
		c.changed = nil
	}
	return w.ch, func() {
		c.mu.Lock()
		defer c.mu.Unlock()
		c.waiters = removeFunc(c.waiters, func(x *clockWaiter) bool { return x == w })
	}
}

// release wakes the waiters whose time has come; it is called with mu held.
func (c *Clock) release() {
	c.waiters = removeFunc(c.waiters, func(w *clockWaiter) bool {
		if w.until.After(c.now) {
			return false
		}
		close(w.ch)
		return true
	})
}
