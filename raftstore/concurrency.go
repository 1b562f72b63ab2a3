package raftstore

import (
	"bytes"
	"context"
	"slices"
	"sync"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// concurrency is a leader replica's bookkeeping for one-phase commits
// (DESIGN.md §4): the largest timestamp it has served a read at, and the
// in-memory locks of the one-phase commits it has proposed and not yet
// applied. TiKV's concurrency manager plays the same part for its 1PC and
// async commit.
//
// The leader picks a one-phase commit's commit_ts itself, with no TSO round
// and no lock written through raft, so it must make sure no reader missed
// the write:
//   - a read registered before the commit_ts is picked has a timestamp at
//     or below maxReadTs, and the commit_ts is above it: the read could
//     not have seen the write anyway;
//   - a read registered after, at or above the commit_ts, on one of the
//     keys, finds the in-memory lock and waits until the command is applied
//     (or known never to apply) before it takes its engine snapshot.
//
// Both happen under mu, so each read falls in exactly one of the cases.
// The commit_ts is odd (kvpb.OnePCCommitTs) and every TSO timestamp is
// even, so it never collides with another transaction's start_ts.
type concurrency struct {
	mu sync.Mutex
	// maxReadTs is the largest timestamp a read was served at since this
	// replica last became leader, or the floor it was raised to then.
	maxReadTs kvpb.Timestamp
	// floorTerm is the term in which maxReadTs was raised to a fresh TSO
	// timestamp; one-phase commits are proposed only in that term.
	floorTerm uint64
	// pending are the in-memory locks, by proposal id.
	pending map[uint64]*memLocks
}

// memLocks are one proposed one-phase commit's keys, sorted.
type memLocks struct {
	commitTs kvpb.Timestamp
	keys     []kvpb.Key
	released chan struct{}
}

func (l *memLocks) blocks(req kvpb.Request) bool {
	var ts kvpb.Timestamp
	var span kvpb.Span
	switch r := req.(type) {
	case *kvpb.GetRequest:
		ts, span = r.Ts, kvpb.Span{Key: r.Key}
	case *kvpb.ScanRequest:
		ts, span = r.Ts, r.Span
	default:
		return false
	}
	if ts < l.commitTs {
		return false
	}
	i, _ := slices.BinarySearchFunc(l.keys, span.Key, func(a, b kvpb.Key) int { return bytes.Compare(a, b) })
	if i == len(l.keys) {
		return false
	}
	if len(span.EndKey) == 0 {
		return l.keys[i].Equal(span.Key)
	}
	return l.keys[i].Compare(span.EndKey) < 0
}

func newConcurrency() *concurrency {
	return &concurrency{pending: make(map[uint64]*memLocks)}
}

// floorNeeded reports whether maxReadTs must first be raised to a fresh TSO
// timestamp for term: reads served by an earlier leader (or by this
// replica before a restart) are not in maxReadTs, but all of them were at
// timestamps the TSO had handed out before that fresh one.
func (c *concurrency) floorNeeded(term uint64) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.floorTerm != term
}

// raiseFloor raises maxReadTs to ts, fetched after leadership in term was
// established.
func (c *concurrency) raiseFloor(term uint64, ts kvpb.Timestamp) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.maxReadTs = max(c.maxReadTs, ts)
	c.floorTerm = term
}

// lockForCommit picks the commit_ts of a one-phase commit that must
// commit above above (its start_ts, or its largest for_update_ts) and
// takes in-memory locks on its keys until release(id). ok is false when
// the floor of term is not established.
func (c *concurrency) lockForCommit(term, id uint64, above kvpb.Timestamp, muts []kvpb.Mutation) (commitTs kvpb.Timestamp, ok bool) {
	keys := make([]kvpb.Key, len(muts))
	for i, m := range muts {
		keys[i] = m.Key
	}
	slices.SortFunc(keys, func(a, b kvpb.Key) int { return bytes.Compare(a, b) })
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.floorTerm != term {
		return 0, false
	}
	commitTs = kvpb.OnePCCommitTs(max(c.maxReadTs, above))
	c.pending[id] = &memLocks{commitTs: commitTs, keys: keys, released: make(chan struct{})}
	return commitTs, true
}

// release drops the in-memory locks of proposal id, once its command is
// applied or can no longer apply here.
func (c *concurrency) release(id uint64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if l, ok := c.pending[id]; ok {
		close(l.released)
		delete(c.pending, id)
	}
}

// releaseAll drops every in-memory lock: the replica stopped, or lost
// leadership (it serves no reads then, and must raise its floor again
// before it proposes another one-phase commit).
func (c *concurrency) releaseAll() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for id, l := range c.pending {
		close(l.released)
		delete(c.pending, id)
	}
	c.floorTerm = 0
}

// beforeRead registers the reads of reqs (raising maxReadTs) and waits
// until no in-memory lock at or below a read's timestamp covers its keys.
// The caller takes its engine snapshot after it returns.
func (c *concurrency) beforeRead(ctx context.Context, reqs []kvpb.Request) error {
	for {
		c.mu.Lock()
		for _, req := range reqs {
			switch r := req.(type) {
			case *kvpb.GetRequest:
				c.maxReadTs = max(c.maxReadTs, r.Ts)
			case *kvpb.ScanRequest:
				c.maxReadTs = max(c.maxReadTs, r.Ts)
			}
		}
		var wait chan struct{}
		for _, l := range c.pending {
			for _, req := range reqs {
				if l.blocks(req) {
					wait = l.released
					break
				}
			}
			if wait != nil {
				break
			}
		}
		c.mu.Unlock()
		if wait == nil {
			return nil
		}
		select {
		case <-wait:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}
