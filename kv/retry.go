package kv

import (
	"context"
	"math/rand/v2"
	"time"
)

// RetryBackoff waits before restart n (from 0) of a transaction that
// failed with a retryable conflict: exponential with full jitter, capped at
// 100ms, so transactions contending for one row spread out instead of
// colliding again. It returns false when ctx ends first.
func RetryBackoff(ctx context.Context, n int) bool {
	d := time.Millisecond << min(n, 7)
	if d > 100*time.Millisecond {
		d = 100 * time.Millisecond
	}
	t := time.NewTimer(time.Duration(rand.Int64N(int64(d)) + 1))
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}
