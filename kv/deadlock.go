package kv

import (
	"context"
	"sync"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// Deadlock detection (TiKV's design). Before each wait for another
// transaction's lock, the waiter reports the edge waiter → holder to a
// DeadlockDetector; the detector answers "deadlock" when that edge closes
// a cycle, and the waiter then fails with *kvpb.DeadlockError (SQL's
// 40P01) and rolls back, which frees the others. In a cluster there is
// one detector, beside range 1's leader (server/deadlock.go), so it sees
// the waits of every node's transactions; on a single node the DB keeps
// a DeadlockGraph of its own.
//
// Edges expire unless reported again: a waiter re-reports before each
// wait round (at most kvpb.MaxWaitLockMillis apart), so the edges of a
// waiter that went away without cleaning up, or that a new detector never
// heard of, vanish or appear within one round.

// DeadlockDetector decides whether a wait would close a cycle of
// transactions waiting for each other.
type DeadlockDetector interface {
	// Detect records that the transaction started at waiter waits for
	// the one started at holder, which locks key, unless that closes a
	// cycle: it then returns true and records nothing. An error means
	// the detector could not tell; the caller waits anyway (lock_timeout
	// or the holder's TTL still ends the wait).
	Detect(ctx context.Context, waiter, holder kvpb.Timestamp, key kvpb.Key) (bool, error)
	// Finished drops the edges of txn (it no longer waits), best effort.
	Finished(ctx context.Context, txn kvpb.Timestamp)
}

// DefaultDeadlockEdgeTTL is how long an edge lives unless reported again.
const DefaultDeadlockEdgeTTL = 5 * time.Second

// DefaultMaxDeadlockEdges bounds a DeadlockGraph.
const DefaultMaxDeadlockEdges = 100000

// DeadlockGraph is a waits-for graph of transactions, by start timestamp:
// the in-memory state of a deadlock detector. A transaction waits for one
// lock at a time, so each has at most one outgoing edge; reporting a new
// one replaces it. It is safe for concurrent use.
type DeadlockGraph struct {
	ttl      time.Duration
	maxEdges int
	now      func() time.Time

	mu struct {
		sync.Mutex
		edges map[kvpb.Timestamp]waitEdge
	}
}

// waitEdge is a waiter's edge: the holder it waits for, on key, and when
// the edge expires.
type waitEdge struct {
	holder  kvpb.Timestamp
	key     kvpb.Key
	expires time.Time
}

// NewDeadlockGraph returns an empty graph whose edges live ttl unless
// reported again, holding at most maxEdges (zero values: the defaults).
func NewDeadlockGraph(ttl time.Duration, maxEdges int) *DeadlockGraph {
	if ttl <= 0 {
		ttl = DefaultDeadlockEdgeTTL
	}
	if maxEdges <= 0 {
		maxEdges = DefaultMaxDeadlockEdges
	}
	g := &DeadlockGraph{ttl: ttl, maxEdges: maxEdges, now: time.Now}
	g.mu.edges = make(map[kvpb.Timestamp]waitEdge)
	return g
}

// Wait records the edge waiter → holder (on key), unless it closes a
// cycle: it then returns false and records nothing. When the graph is
// full even after dropping its expired edges, the edge is not recorded
// and Wait returns true: a deadlock it would have closed then ends by
// lock_timeout or TTL.
func (g *DeadlockGraph) Wait(waiter, holder kvpb.Timestamp, key kvpb.Key) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	now := g.now()
	for cur, n := holder, 0; n <= len(g.mu.edges); n++ {
		if cur == waiter {
			return false
		}
		e, ok := g.mu.edges[cur]
		if !ok || now.After(e.expires) {
			break
		}
		cur = e.holder
	}
	if _, ok := g.mu.edges[waiter]; !ok && len(g.mu.edges) >= g.maxEdges {
		for w, e := range g.mu.edges {
			if now.After(e.expires) {
				delete(g.mu.edges, w)
			}
		}
		if len(g.mu.edges) >= g.maxEdges {
			return true
		}
	}
	g.mu.edges[waiter] = waitEdge{holder: holder, key: append(kvpb.Key(nil), key...), expires: now.Add(g.ttl)}
	return true
}

// Done drops txn's edge.
func (g *DeadlockGraph) Done(txn kvpb.Timestamp) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.mu.edges, txn)
}

// Len returns how many edges the graph holds, expired ones included.
func (g *DeadlockGraph) Len() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.mu.edges)
}

// Clear drops every edge (a new detector starts empty).
func (g *DeadlockGraph) Clear() {
	g.mu.Lock()
	defer g.mu.Unlock()
	clear(g.mu.edges)
}

// localDetector is the DeadlockDetector of a DB that has none configured:
// a graph of this node's transactions only, enough on a single node.
type localDetector struct{ g *DeadlockGraph }

func (d localDetector) Detect(_ context.Context, waiter, holder kvpb.Timestamp, key kvpb.Key) (bool, error) {
	return !d.g.Wait(waiter, holder, key), nil
}

func (d localDetector) Finished(_ context.Context, txn kvpb.Timestamp) { d.g.Done(txn) }
