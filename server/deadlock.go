package server

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// The cluster's deadlock detector (TiKV's design): one waits-for graph,
// kept in memory by the node leading range 1, to which every node's
// waiters report their waits (kv/deadlock.go). A node that does not lead
// range 1 answers NotLeaderError, and callers go to range 1's leader as
// the TSO client does (cluster.go).
//
// Leadership is checked locally (LeaderTerm), with no quorum round: a
// deposed leader that does not know it yet may keep answering for a
// moment, so a cycle whose edges went to two detectors is found only once
// its waiters report again to the new one, or ends by lock_timeout or the
// holders' TTL. A new term starts with an empty graph; the waiters report
// their edges again before their next wait round (at most
// kvpb.MaxWaitLockMillis apart), so a cycle is found within a round.

// deadlockDetector is the detector this node runs while it leads range 1.
type deadlockDetector struct {
	s     *Server
	graph *kv.DeadlockGraph

	mu struct {
		sync.Mutex
		// term is range 1's term the graph's edges were reported in.
		term uint64
	}
}

func newDeadlockDetector(s *Server) *deadlockDetector {
	return &deadlockDetector{s: s, graph: kv.NewDeadlockGraph(0, 0)}
}

// leading returns the graph if this node leads range 1, emptied if it
// became leader since the last call; else a NotLeaderError.
func (d *deadlockDetector) leading() (*kv.DeadlockGraph, error) {
	term, ok := d.s.store.LeaderTerm(1)
	if !ok {
		e := &kvpb.NotLeaderError{RangeID: 1}
		if n, known := d.s.dist.LeaderHint(1); known && n != d.s.ident.NodeID {
			e.Leader.NodeID = n
		}
		return nil, e
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if term != d.mu.term {
		d.graph.Clear()
		d.mu.term = term
	}
	return d.graph, nil
}

func (d *deadlockDetector) detect(waiter, holder kvpb.Timestamp, key kvpb.Key) (bool, error) {
	g, err := d.leading()
	if err != nil {
		return false, err
	}
	return !g.Wait(waiter, holder, key), nil
}

func (d *deadlockDetector) finished(waiter kvpb.Timestamp) error {
	g, err := d.leading()
	if err != nil {
		return err
	}
	g.Done(waiter)
	return nil
}

// Detect implements rpc.DeadlockHandler.
func (h clusterHandler) Detect(_ context.Context, waiter, holder kvpb.Timestamp, key kvpb.Key) (bool, error) {
	if h.s.deadlock == nil {
		return false, errors.New("this node runs no deadlock detector")
	}
	return h.s.deadlock.detect(waiter, holder, key)
}

// Finished implements rpc.DeadlockHandler.
func (h clusterHandler) Finished(_ context.Context, waiter kvpb.Timestamp) error {
	if h.s.deadlock == nil {
		return errors.New("this node runs no deadlock detector")
	}
	return h.s.deadlock.finished(waiter)
}

// deadlockCallTimeout bounds a report to the detector, every attempt
// included.
const deadlockCallTimeout = 2 * time.Second

// deadlockAttempts bounds the attempts of one report: the local detector
// or the hinted leader, then the leader a NotLeaderError names or a
// fresh lookup finds.
const deadlockAttempts = 3

// deadlockClient is the kv.DeadlockDetector of a node in a cluster: the
// node's own detector when it leads range 1, else range 1's leader over
// RPC. When no detector answers it says "no deadlock", so the wait goes
// on and ends by lock_timeout or the holder's TTL.
type deadlockClient struct{ s *Server }

var _ kv.DeadlockDetector = deadlockClient{}

// Detect implements kv.DeadlockDetector.
func (c deadlockClient) Detect(ctx context.Context, waiter, holder kvpb.Timestamp, key kvpb.Key) (bool, error) {
	return c.call(ctx, waiter, holder, key, false)
}

// Finished implements kv.DeadlockDetector.
func (c deadlockClient) Finished(ctx context.Context, txn kvpb.Timestamp) {
	_, _ = c.call(ctx, txn, 0, nil, true)
}

func (c deadlockClient) call(parent context.Context, waiter, holder kvpb.Timestamp, key kvpb.Key, finished bool) (bool, error) {
	s := c.s
	ctx, cancel := context.WithTimeout(parent, deadlockCallTimeout)
	defer cancel()
	local := func() (bool, error) {
		if finished {
			return false, s.deadlock.finished(waiter)
		}
		return s.deadlock.detect(waiter, holder, key)
	}
	var next kvpb.NodeID // the leader a NotLeaderError named
	var lastErr error
	for range deadlockAttempts {
		if err := ctx.Err(); err != nil {
			break
		}
		if _, leads := s.store.LeaderTerm(1); leads {
			dl, err := local()
			if err == nil || !isNotLeader(err) {
				return dl, err
			}
			lastErr = err
			continue
		}
		node := next
		if node == 0 {
			var known bool
			if node, known = s.dist.LeaderHint(1); !known || node == s.ident.NodeID {
				// A read of range 1 through the DistSender finds its
				// leader.
				_, _, _ = kv.NewDB(s.dist, nil, kv.DBOptions{}).RawGet(ctx, kvpb.ClusterIDKey)
				lastErr = errors.New("range 1's leader is not known")
				continue
			}
		}
		next = 0
		addr, known := s.book.Get(node)
		if !known {
			lastErr = fmt.Errorf("no address for %s", node)
			continue
		}
		cl, err := s.dialer.Client(addr)
		if err != nil {
			lastErr = err
			continue
		}
		dl, err := cl.CallDeadlock(ctx, waiter, holder, key, finished)
		if err == nil {
			return dl, nil
		}
		lastErr = err
		var nl *kvpb.NotLeaderError
		if errors.As(err, &nl) && nl.Leader.NodeID != 0 && nl.Leader.NodeID != node {
			next = nl.Leader.NodeID
		}
	}
	if err := parent.Err(); err != nil {
		return false, err
	}
	return false, fmt.Errorf("deadlock detector unavailable: %w", lastErr)
}
