package raftstore

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/kv/mvcc"
)

// Lock waiters (TiKV's waiter manager): a transaction that meets another
// transaction's lock sends a WaitLockRequest for the lock's key to the
// range's leader, which parks it here until a command applied on this
// store releases or replaces that lock — Commit, Rollback, ResolveLock,
// OnePC or CheckTxnStatus of the lock's transaction on the key, or a
// ClearRange over it — or the wait's time is up. Waiters are woken by key
// and transaction, so a commit wakes only those waiting for it.
//
// A waiter is registered before the lock is looked up, and waiters are
// woken only after the apply batch that released the lock is committed to
// the engine, so a release is never missed: it either happened before the
// lookup (which then finds the lock gone) or wakes the waiter.
//
// Leadership is checked locally (no ReadIndex round): a wait is only a
// hint to retry, and every replica wakes its waiters when it applies a
// release, so a waiter parked on a deposed leader is still woken as long
// as that replica keeps applying, and at worst waits its WaitMillis.

// MaxLockWaiters bounds the waiters parked on one store; a WaitLockRequest
// beyond it is answered at once (the caller retries after its own short
// sleep).
const MaxLockWaiters = 10000

// lockWaiters are the waiters parked on a store, by key.
type lockWaiters struct {
	mu struct {
		sync.Mutex
		byKey map[string][]*lockWaiter
		n     int
	}
}

// lockWaiter is one parked WaitLockRequest: it waits for the lock of the
// transaction started at startTs. released is closed when it is woken.
type lockWaiter struct {
	startTs  kvpb.Timestamp
	released chan struct{}
	woken    bool
}

// lockRelease is what one applied command may have done to locks: released
// those of the transaction started at startTs on keys, or, for a
// ClearRange (all set), every lock in span.
type lockRelease struct {
	startTs kvpb.Timestamp
	keys    []kvpb.Key
	span    kvpb.Span
	all     bool
}

// releasesOf returns the locks an applied command's requests may have
// released or replaced. A prewrite replaces a pessimistic lock with one of
// the same transaction: its waiters keep waiting, so it is not one.
func releasesOf(reqs []kvpb.Request) []lockRelease {
	var out []lockRelease
	for _, req := range reqs {
		switch t := req.(type) {
		case *kvpb.CommitRequest:
			out = append(out, lockRelease{startTs: t.StartTs, keys: t.Keys})
		case *kvpb.RollbackRequest:
			out = append(out, lockRelease{startTs: t.StartTs, keys: t.Keys})
		case *kvpb.ResolveLockRequest:
			out = append(out, lockRelease{startTs: t.StartTs, keys: t.Keys})
		case *kvpb.CheckTxnStatusRequest:
			// It rolls back an expired primary lock.
			out = append(out, lockRelease{startTs: t.StartTs, keys: []kvpb.Key{t.Primary}})
		case *kvpb.OnePCRequest:
			keys := make([]kvpb.Key, len(t.Mutations))
			for i, m := range t.Mutations {
				keys[i] = m.Key
			}
			out = append(out, lockRelease{startTs: t.StartTs, keys: keys})
		case *kvpb.ClearRangeRequest:
			out = append(out, lockRelease{span: t.Span, all: true})
		}
	}
	return out
}

// add parks a waiter for the lock of startTs on key; it returns nil when
// MaxLockWaiters are parked already.
func (lw *lockWaiters) add(key kvpb.Key, startTs kvpb.Timestamp) *lockWaiter {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.mu.n >= MaxLockWaiters {
		return nil
	}
	if lw.mu.byKey == nil {
		lw.mu.byKey = make(map[string][]*lockWaiter)
	}
	w := &lockWaiter{startTs: startTs, released: make(chan struct{})}
	lw.mu.byKey[string(key)] = append(lw.mu.byKey[string(key)], w)
	lw.mu.n++
	return w
}

// remove unparks w, woken or not.
func (lw *lockWaiters) remove(key kvpb.Key, w *lockWaiter) {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	ws := lw.mu.byKey[string(key)]
	for i, o := range ws {
		if o == w {
			ws = append(ws[:i], ws[i+1:]...)
			lw.mu.n--
			break
		}
	}
	if len(ws) == 0 {
		delete(lw.mu.byKey, string(key))
	} else {
		lw.mu.byKey[string(key)] = ws
	}
}

// count returns how many waiters are parked.
func (lw *lockWaiters) count() int {
	lw.mu.Lock()
	defer lw.mu.Unlock()
	return lw.mu.n
}

// wake wakes the waiters of the locks rels released. It is called once
// the apply batch holding them is committed.
func (lw *lockWaiters) wake(rels []lockRelease) {
	if len(rels) == 0 {
		return
	}
	lw.mu.Lock()
	defer lw.mu.Unlock()
	if lw.mu.n == 0 {
		return
	}
	for _, rel := range rels {
		if rel.all {
			for k, ws := range lw.mu.byKey {
				if rel.span.ContainsKey(kvpb.Key(k)) {
					wakeLocked(ws, 0)
				}
			}
			continue
		}
		for _, k := range rel.keys {
			if ws, ok := lw.mu.byKey[string(k)]; ok {
				wakeLocked(ws, rel.startTs)
			}
		}
	}
}

// wakeLocked wakes the waiters of ws waiting for startTs (zero: all).
func wakeLocked(ws []*lockWaiter, startTs kvpb.Timestamp) {
	for _, w := range ws {
		if !w.woken && (startTs == 0 || w.startTs == startTs) {
			w.woken = true
			close(w.released)
		}
	}
}

// waitLock serves a WaitLockRequest on replica r: it answers at once when
// the lock is gone or held by another transaction, else parks until the
// lock is released, WaitMillis pass, ctx ends or the store stops.
func (s *Store) waitLock(ctx context.Context, r *Replica, req *kvpb.WaitLockRequest) (*kvpb.BatchResponse, error) {
	r.mu.Lock()
	var err error
	switch {
	case r.mu.stopped:
		err = r.stoppedErrorLocked()
	case !r.isLeaseholderLocked():
		err = r.notLeaderErrorLocked()
	}
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	answer := func(released bool) (*kvpb.BatchResponse, error) {
		return &kvpb.BatchResponse{Responses: []kvpb.Response{&kvpb.WaitLockResponse{Released: released}}}, nil
	}
	w := s.lockWaits.add(req.Key, req.LockStartTs)
	if w == nil {
		return answer(false) // full: the caller sleeps briefly and retries
	}
	defer s.lockWaits.remove(req.Key, w)
	holder, locked, err := lockHolder(s.cfg.Engine, req.Key)
	if err != nil {
		return nil, err
	}
	if !locked || holder != req.LockStartTs {
		return answer(true)
	}
	d := time.Duration(min(req.WaitMillis, kvpb.MaxWaitLockMillis)) * time.Millisecond
	if d <= 0 {
		return answer(false)
	}
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-w.released:
		return answer(true)
	case <-timer.C:
		return answer(false)
	case <-ctx.Done():
		return nil, ctx.Err()
	case <-s.failedCh:
		return nil, s.Failed()
	case <-s.done:
		return nil, ErrStopped
	}
}

// lockHolder returns the start timestamp of the transaction whose lock is
// on key in eng, if any. It asks mvcc's own conflict check: a pessimistic
// lock request of a transaction that cannot exist (start_ts 1: the TSO's
// timestamps are even) at the largest for_update_ts meets nothing but a
// lock, and its writes go to a batch that is thrown away.
func lockHolder(eng *pebble.DB, key kvpb.Key) (kvpb.Timestamp, bool, error) {
	b := eng.NewBatch()
	defer b.Close()
	_, err := mvcc.EvalWrite(eng, b, &kvpb.PessimisticLockRequest{
		Primary: key, StartTs: 1, ForUpdateTs: kvpb.MaxTimestamp, Keys: []kvpb.Key{key},
	})
	var le *kvpb.KeyLockedError
	switch {
	case err == nil:
		return 0, false, nil
	case errors.As(err, &le):
		return le.Lock.StartTs, true, nil
	default:
		return 0, false, err
	}
}
