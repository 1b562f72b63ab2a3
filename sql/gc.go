package sql

import (
	"context"
	"log/slog"
	"sync"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// spanGC clears the spans of dropped tables and indexes once no
// transaction of this node can still read them.
//
// DROP TABLE and DROP INDEX remove the descriptor in their transaction; a
// transaction that started before that commit still sees the old
// descriptor and would read the table or index through it. Clearing the
// span at once would show such a reader an empty table — a wrong answer
// where PostgreSQL (whose DROP waits for readers' locks) shows the rows. So
// a clear waits until every open transaction started after the drop
// committed. Sessions register their transactions (register/unregister);
// enqueue clears at once when nothing older is open, and otherwise the
// session whose transaction was the last one in the way clears it when it
// unregisters (no goroutine of its own: the cost lands on the session that
// ends the last blocking transaction, once).
//
// rangedb runs one node's sessions against one store today; with several
// nodes the oldest open transaction becomes a cluster-wide fact (a
// protected timestamp), which is when this moves into a job.
type spanGC struct {
	db  *kv.DB
	log *slog.Logger

	mu struct {
		sync.Mutex
		// active counts open transactions by start timestamp; a
		// registration in progress holds timestamp 0, which blocks every
		// clear until it knows its timestamp.
		active  map[*txnToken]kvpb.Timestamp
		pending []pendingClear
	}
}

// maxPendingClears bounds the queue; past it a span is left as garbage
// (logged), never cleared early.
const maxPendingClears = 10000

type pendingClear struct {
	span  kvpb.Span
	after kvpb.Timestamp // the drop's commit timestamp
	what  string
}

// txnToken identifies one registered transaction. It is not zero-sized:
// pointers to zero-sized values need not be distinct.
type txnToken struct{ _ byte }

func newSpanGC(db *kv.DB, log *slog.Logger) *spanGC {
	g := &spanGC{db: db, log: log}
	g.mu.active = map[*txnToken]kvpb.Timestamp{}
	return g
}

// register records a transaction that is about to start; set its start
// timestamp with started, and end it with unregister.
func (g *spanGC) register() *txnToken {
	t := &txnToken{}
	g.mu.Lock()
	g.mu.active[t] = 0
	g.mu.Unlock()
	return t
}

// started records the registered transaction's start timestamp.
func (g *spanGC) started(t *txnToken, ts kvpb.Timestamp) {
	g.mu.Lock()
	if _, ok := g.mu.active[t]; ok {
		g.mu.active[t] = ts
	}
	g.mu.Unlock()
}

// unregister ends a transaction's registration (nil is ignored) and
// clears the spans it was the last to hold back.
func (g *spanGC) unregister(t *txnToken) {
	if t == nil {
		return
	}
	g.mu.Lock()
	delete(g.mu.active, t)
	var ready []pendingClear
	if len(g.mu.pending) > 0 {
		ready = g.readyLocked()
	}
	g.mu.Unlock()
	g.clear(context.Background(), ready)
}

// readyLocked splits the pending clears into those no open transaction
// can read and the rest.
func (g *spanGC) readyLocked() []pendingClear {
	var ready, keep []pendingClear
	for _, p := range g.mu.pending {
		blocked := false
		for _, ts := range g.mu.active {
			if ts == 0 || ts < p.after {
				blocked = true
				break
			}
		}
		if blocked {
			keep = append(keep, p)
		} else {
			ready = append(ready, p)
		}
	}
	g.mu.pending = keep
	return ready
}

// enqueue schedules span to be cleared once every transaction that started
// before after (the drop's commit timestamp) has ended; when none is open
// it is cleared now.
func (g *spanGC) enqueue(ctx context.Context, span kvpb.Span, after kvpb.Timestamp, what string) {
	g.mu.Lock()
	if len(g.mu.pending) >= maxPendingClears {
		g.mu.Unlock()
		g.log.Warn("too many spans waiting to be cleared; leaving this one as garbage", "what", what, "span", span)
		return
	}
	g.mu.pending = append(g.mu.pending, pendingClear{span: span, after: after, what: what})
	ready := g.readyLocked()
	g.mu.Unlock()
	g.clear(ctx, ready)
}

func (g *spanGC) clear(ctx context.Context, ready []pendingClear) {
	for _, p := range ready {
		cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postCommitTimeout)
		if err := g.db.ClearRange(cctx, p.span); err != nil {
			// Nothing reaches the span any more: a failure only leaves
			// garbage behind.
			g.log.Warn("clearing a dropped span failed", "what", p.what, "span", p.span, "err", err)
		}
		cancel()
	}
}
