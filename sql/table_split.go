package sql

import (
	"context"
	"log/slog"
	"sync"
	"time"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// tableSplitter gives each new table its own range: once CREATE TABLE
// commits, the range holding /Table/<id> is split there
// (RangeAdmin.SplitAt(kvpb.TableKeyPrefix(id))), so a table's rows never
// share a range with another table's and SHOW TABLE … REGIONS starts at
// the table.
//
// The split is an optimisation, never a condition of the CREATE TABLE: the
// first attempt runs in the committing session with a short deadline
// (firstTimeout); if it fails, the key is queued for a background worker
// and the statement completes. The worker is one goroutine owned by the
// Engine, started when the queue becomes non-empty and gone when it is
// empty again; it retries each key with a deadline (retryTimeout) and
// exponential backoff up to maxSplitAttempts, logging failures. The queue
// is bounded (maxPendingSplits): past it a split is dropped with a warning
// — the table then shares a range until the range is split for size.
// Engine.Close stops the worker and waits for it.
type tableSplitter struct {
	admin kv.RangeAdmin
	log   *slog.Logger

	// firstTimeout bounds the synchronous attempt, retryTimeout each
	// background one; backoff is the first wait between rounds, doubled
	// up to maxBackoff. Tests shorten them.
	firstTimeout, retryTimeout time.Duration
	backoff, maxBackoff        time.Duration

	// ctx is cancelled by close, stopping the worker's attempt and wait.
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu struct {
		sync.Mutex
		pending []pendingSplit
		// running is set while the worker goroutine exists.
		running bool
		closed  bool
	}
}

// maxPendingSplits bounds the splits waiting for the background worker.
const maxPendingSplits = 1000

// maxSplitAttempts bounds the background attempts at one split.
const maxSplitAttempts = 10

type pendingSplit struct {
	key      kvpb.Key
	what     string
	attempts int
}

func newTableSplitter(admin kv.RangeAdmin, log *slog.Logger) *tableSplitter {
	ctx, cancel := context.WithCancel(context.Background())
	return &tableSplitter{
		admin: admin, log: log,
		firstTimeout: 2 * time.Second, retryTimeout: 10 * time.Second,
		backoff: time.Second, maxBackoff: 30 * time.Second,
		ctx: ctx, cancel: cancel,
	}
}

// splitTable splits at the start of table id (named name in logs): one
// attempt now, bounded by firstTimeout and independent of ctx's
// cancellation, then in the background. It never fails.
func (t *tableSplitter) splitTable(ctx context.Context, id uint64, name string) {
	if t.admin == nil {
		return
	}
	key := kvpb.TableKeyPrefix(id)
	cctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), t.firstTimeout)
	_, err := t.admin.SplitAt(cctx, key)
	cancel()
	if err == nil {
		return
	}
	what := "table " + name
	t.log.Info("splitting a new table's range failed; retrying in the background", "what", what, "key", key, "err", err)
	t.enqueue(pendingSplit{key: key, what: what, attempts: 1})
}

// enqueue queues p for the worker, starting it if needed.
func (t *tableSplitter) enqueue(p pendingSplit) {
	t.mu.Lock()
	defer t.mu.Unlock()
	if t.mu.closed {
		t.log.Warn("engine closing; dropping a table split", "what", p.what, "key", p.key)
		return
	}
	if len(t.mu.pending) >= maxPendingSplits {
		t.log.Warn("too many table splits waiting; dropping this one", "what", p.what, "key", p.key)
		return
	}
	t.mu.pending = append(t.mu.pending, p)
	if !t.mu.running {
		t.mu.running = true
		t.wg.Add(1)
		go t.run()
	}
}

// run is the worker: it takes the queued splits, tries each once, waits
// the backoff if some failed, and exits when the queue is empty or the
// splitter is closed.
func (t *tableSplitter) run() {
	defer t.wg.Done()
	backoff := t.backoff
	for {
		t.mu.Lock()
		if t.mu.closed || len(t.mu.pending) == 0 {
			t.mu.running = false
			t.mu.Unlock()
			return
		}
		batch := t.mu.pending
		t.mu.pending = nil
		t.mu.Unlock()

		var retry []pendingSplit
		for i, p := range batch {
			if t.ctx.Err() != nil {
				retry = append(retry, batch[i:]...)
				break
			}
			cctx, cancel := context.WithTimeout(t.ctx, t.retryTimeout)
			_, err := t.admin.SplitAt(cctx, p.key)
			cancel()
			if err == nil {
				t.log.Info("split a new table's range", "what", p.what, "key", p.key, "attempts", p.attempts+1)
				continue
			}
			p.attempts++
			if p.attempts >= maxSplitAttempts {
				t.log.Warn("giving up splitting a new table's range", "what", p.what, "key", p.key, "attempts", p.attempts, "err", err)
				continue
			}
			t.log.Info("splitting a new table's range failed", "what", p.what, "key", p.key, "attempts", p.attempts, "err", err)
			retry = append(retry, p)
		}
		if len(retry) == 0 {
			backoff = t.backoff
			continue
		}
		t.mu.Lock()
		// Keep the queue bounded: newer splits queued meanwhile go after
		// the retries, the excess is dropped.
		all := append(retry, t.mu.pending...)
		if len(all) > maxPendingSplits {
			t.log.Warn("too many table splits waiting; dropping some", "dropped", len(all)-maxPendingSplits)
			all = all[:maxPendingSplits]
		}
		t.mu.pending = all
		t.mu.Unlock()
		timer := time.NewTimer(backoff)
		select {
		case <-timer.C:
		case <-t.ctx.Done():
			timer.Stop()
		}
		backoff = min(2*backoff, t.maxBackoff)
	}
}

// close stops the worker and waits for it; later splits are dropped.
func (t *tableSplitter) close() {
	t.mu.Lock()
	t.mu.closed = true
	t.mu.Unlock()
	t.cancel()
	t.wg.Wait()
}

// pendingCount returns the number of queued splits (tests).
func (t *tableSplitter) pendingCount() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.mu.pending)
}
