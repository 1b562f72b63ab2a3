package placement

import (
	"sync"
	"time"
)

// Clock is the wall clock the TSO reads. It is a hint only: the TSO never
// hands out a timestamp below one it handed out before, whatever the clock
// says.
type Clock interface {
	Now() time.Time
}

// SystemClock is the operating system's wall clock.
type SystemClock struct{}

// Now returns time.Now().
func (SystemClock) Now() time.Time { return time.Now() }

// ManualClock is a Clock that moves only when told to, for tests. It is safe
// for concurrent use.
type ManualClock struct {
	mu struct {
		sync.Mutex
		now time.Time
	}
}

// NewManualClock returns a ManualClock reading now.
func NewManualClock(now time.Time) *ManualClock {
	c := &ManualClock{}
	c.mu.now = now
	return c
}

// Now returns the clock's current reading.
func (c *ManualClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.mu.now
}

// Set sets the clock to now, which may be earlier than its current reading.
func (c *ManualClock) Set(now time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mu.now = now
}

// Advance moves the clock by d, which may be negative.
func (c *ManualClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mu.now = c.mu.now.Add(d)
}
