package kv

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime"
	"sort"
	"sync/atomic"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// ErrTxnDone is returned by operations on a committed or rolled-back Txn.
var ErrTxnDone = errors.New("kv: transaction already finished")

// Txn is a Percolator transaction. Reads see the snapshot at the read
// timestamp (the start timestamp unless SetReadTs moves it) merged with the
// transaction's own buffered writes. Writes are buffered until Commit.
//
// A Txn is not safe for concurrent use; one SQL session drives it.
type Txn struct {
	db      *DB
	startTs kvpb.Timestamp
	readTs  kvpb.Timestamp
	// writes is the write buffer, by key.
	writes map[string]kvpb.Mutation
	bytes  int64
	done   bool
	// CommitTs is set once Commit succeeded.
	commitTs kvpb.Timestamp

	// undo records what buffer changed while a savepoint is held.
	undo       []undoEntry
	savepoints int
	// Pessimistic locking (pessimistic.go): the primary (the first key
	// locked), the keys locked, the largest for_update_ts they were
	// locked at, and the heartbeat of the primary's TTL.
	primary        kvpb.Key
	locked         map[string]bool
	maxForUpdateTs kvpb.Timestamp
	hb             *heartbeat
	// lockTimeout bounds one wait for another transaction's lock (0: none).
	lockTimeout time.Duration
	// mem is what the write buffer holds of DBOptions.Memory.
	mem *txnMemory
}

// txnMemoryChunk is the step a write buffer reserves node memory in.
const txnMemoryChunk = 1 << 20

// txnMemory is a transaction's reservation from the node's pool. It is
// released when the transaction ends, or — should a caller drop a
// transaction without ending it — when the Txn is garbage collected.
type txnMemory struct {
	pool     MemoryPool
	reserved atomic.Int64
}

func (m *txnMemory) release() {
	if n := m.reserved.Swap(0); n > 0 {
		m.pool.Release(n)
	}
}

// reserveMemory makes the reservation cover n bytes of write buffer.
func (t *Txn) reserveMemory(n int64) error {
	pool := t.db.opts.Memory
	if pool == nil {
		return nil
	}
	if t.mem == nil {
		t.mem = &txnMemory{pool: pool}
		runtime.AddCleanup(t, func(m *txnMemory) { m.release() }, t.mem)
	}
	have := t.mem.reserved.Load()
	if n <= have {
		return nil
	}
	more := (n - have + txnMemoryChunk - 1) / txnMemoryChunk * txnMemoryChunk
	if err := pool.Reserve(more); err != nil {
		return err
	}
	t.mem.reserved.Add(more)
	return nil
}

func (t *Txn) releaseMemory() {
	if t.mem != nil {
		t.mem.release()
	}
}

// SetLockTimeout bounds how long one request waits for another
// transaction's lock before failing with *kvpb.LockWaitTimeoutError
// (PostgreSQL's lock_timeout); 0 waits until the context ends.
func (t *Txn) SetLockTimeout(d time.Duration) { t.lockTimeout = d }

// LockTimeout returns the lock timeout SetLockTimeout set.
func (t *Txn) LockTimeout() time.Duration { return t.lockTimeout }

// NewTxn starts a transaction at a fresh TSO timestamp.
func (db *DB) NewTxn(ctx context.Context) (*Txn, error) {
	ts, err := db.tso.Next(ctx)
	if err != nil {
		return nil, err
	}
	return &Txn{db: db, startTs: ts, readTs: ts, writes: map[string]kvpb.Mutation{}}, nil
}

// Txn runs fn in a transaction and commits it, restarting the whole
// transaction (with a new start timestamp) when it fails with a retryable
// conflict, up to DBOptions.MaxRetries times. fn must be safe to re-run.
func (db *DB) Txn(ctx context.Context, fn func(ctx context.Context, txn *Txn) error) error {
	var err error
	for attempt := 0; attempt <= db.opts.MaxRetries; attempt++ {
		var txn *Txn
		txn, err = db.NewTxn(ctx)
		if err != nil {
			return err
		}
		if err = fn(ctx, txn); err == nil {
			err = txn.Commit(ctx)
		} else {
			_ = txn.Rollback(ctx)
		}
		if err == nil || !IsRetryable(err) {
			return err
		}
	}
	return err
}

// IsRetryable reports whether err means "restart the transaction on a newer
// snapshot and it may succeed".
func IsRetryable(err error) bool {
	var wc *kvpb.WriteConflictError
	var ab *kvpb.TxnAbortedError
	return errors.As(err, &wc) || errors.As(err, &ab)
}

// StartTs returns the transaction's start timestamp.
func (t *Txn) StartTs() kvpb.Timestamp { return t.startTs }

// ReadTs returns the timestamp reads are served at.
func (t *Txn) ReadTs() kvpb.Timestamp { return t.readTs }

// SetReadTs moves the read snapshot (READ COMMITTED takes a new one per
// statement). ts must not be below the start timestamp.
func (t *Txn) SetReadTs(ts kvpb.Timestamp) {
	if ts >= t.startTs {
		t.readTs = ts
	}
}

// CommitTs returns the commit timestamp once Commit succeeded.
func (t *Txn) CommitTs() kvpb.Timestamp { return t.commitTs }

// HasWrites reports whether the transaction buffered any write.
func (t *Txn) HasWrites() bool { return len(t.writes) > 0 }

// Get reads key: the transaction's own write if it has one, else the
// snapshot.
func (t *Txn) Get(ctx context.Context, key kvpb.Key) ([]byte, bool, error) {
	if t.done {
		return nil, false, ErrTxnDone
	}
	if m, ok := t.writes[string(key)]; ok {
		switch m.Op {
		case kvpb.OpPut, kvpb.OpInsert:
			return m.Value, true, nil
		case kvpb.OpDelete:
			return nil, false, nil
		}
	}
	resp, err := t.sendResolving(ctx, &kvpb.GetRequest{Key: key, Ts: t.readTs})
	if err != nil {
		return nil, false, err
	}
	r := resp.(*kvpb.GetResponse)
	return r.Value, r.Found, nil
}

// HasWrite reports whether the transaction buffered a write (of any kind
// but a lock) of key: its reads of key answer from the buffer.
func (t *Txn) HasWrite(key kvpb.Key) bool {
	m, ok := t.writes[string(key)]
	return ok && !m.Op.IsLockOnly()
}

// ExistsMany reads whether each of keys has a value in the snapshot, all
// in one batch (one round to the range instead of one per key). It does
// not look at the transaction's own writes: callers ask HasWrite first.
func (t *Txn) ExistsMany(ctx context.Context, keys []kvpb.Key) ([]bool, error) {
	if t.done {
		return nil, ErrTxnDone
	}
	if len(keys) == 0 {
		return nil, nil
	}
	reqs := make([]kvpb.Request, len(keys))
	for i, k := range keys {
		reqs[i] = &kvpb.GetRequest{Key: k, Ts: t.readTs}
	}
	resps, err := t.sendBatchResolving(ctx, reqs)
	if err != nil {
		return nil, err
	}
	found := make([]bool, len(keys))
	for i, r := range resps {
		found[i] = r.(*kvpb.GetResponse).Found
	}
	return found, nil
}

// Scan reads up to maxKeys (0 = all) rows of span in key order, stopping
// early once maxBytes (0 = no limit) of keys and values are read, merging
// the snapshot with the transaction's own writes. It returns the rows and,
// when a limit cut it short, the span that remains.
func (t *Txn) Scan(ctx context.Context, span kvpb.Span, maxKeys, maxBytes int64) ([]kvpb.KeyValue, *kvpb.Span, error) {
	if t.done {
		return nil, nil, ErrTxnDone
	}
	resp, err := t.sendResolving(ctx, &kvpb.ScanRequest{Span: span, Ts: t.readTs, MaxKeys: maxKeys, MaxBytes: maxBytes})
	if err != nil {
		return nil, nil, err
	}
	sr := resp.(*kvpb.ScanResponse)
	rows, resume := sr.Rows, sr.ResumeSpan
	if len(t.writes) == 0 {
		return rows, resume, nil
	}
	// The buffered writes that fall in the part of the span the scan covered.
	covered := span
	if resume != nil {
		covered.EndKey = resume.Key
	}
	var own []kvpb.Mutation
	for _, m := range t.writes {
		if !m.Op.IsLockOnly() && covered.ContainsKey(m.Key) {
			own = append(own, m)
		}
	}
	if len(own) == 0 {
		return rows, resume, nil
	}
	sort.Slice(own, func(i, j int) bool { return bytes.Compare(own[i].Key, own[j].Key) < 0 })
	merged := make([]kvpb.KeyValue, 0, len(rows)+len(own))
	i, j := 0, 0
	for i < len(rows) || j < len(own) {
		switch {
		case j == len(own) || (i < len(rows) && bytes.Compare(rows[i].Key, own[j].Key) < 0):
			merged = append(merged, rows[i])
			i++
		default:
			if i < len(rows) && bytes.Equal(rows[i].Key, own[j].Key) {
				i++ // our write shadows the snapshot's version
			}
			if own[j].Op != kvpb.OpDelete {
				merged = append(merged, kvpb.KeyValue{Key: own[j].Key, Value: own[j].Value})
			}
			j++
		}
	}
	return merged, resume, nil
}

func (t *Txn) buffer(m kvpb.Mutation) error {
	if t.done {
		return ErrTxnDone
	}
	k := string(m.Key)
	if t.savepoints > 0 {
		old, had := t.writes[k]
		t.undo = append(t.undo, undoEntry{key: k, prev: old, had: had})
	}
	if old, ok := t.writes[k]; ok {
		t.bytes -= int64(len(old.Key) + len(old.Value))
		// Insert after our own delete is a put: the delete proved the key
		// is ours to write. Put over our own insert stays an insert.
		switch {
		case m.Op == kvpb.OpInsert && old.Op == kvpb.OpDelete:
			m.Op = kvpb.OpPut
		case m.Op == kvpb.OpPut && old.Op == kvpb.OpInsert:
			m.Op = kvpb.OpInsert
		case m.Op == kvpb.OpDelete && old.Op == kvpb.OpInsert:
			// The key did not exist before this transaction: deleting our
			// own insert leaves nothing to write.
			delete(t.writes, k)
			return nil
		}
	}
	n := int64(len(m.Key) + len(m.Value))
	if t.bytes+n > t.db.opts.MaxTxnBytes {
		return &kvpb.BufferTooLargeError{Limit: t.db.opts.MaxTxnBytes}
	}
	if err := t.reserveMemory(t.bytes + n); err != nil {
		return err
	}
	t.bytes += n
	m.Key = append(kvpb.Key(nil), m.Key...)
	m.Value = append([]byte(nil), m.Value...)
	t.writes[k] = m
	return nil
}

// Put buffers a write of value at key.
func (t *Txn) Put(key kvpb.Key, value []byte) error {
	return t.buffer(kvpb.Mutation{Op: kvpb.OpPut, Key: key, Value: value})
}

// Insert buffers a write of value at key that fails at commit with
// *kvpb.KeyExistsError if a committed version of key exists. Callers that
// need the error at the statement check with Get first.
func (t *Txn) Insert(key kvpb.Key, value []byte) error {
	return t.buffer(kvpb.Mutation{Op: kvpb.OpInsert, Key: key, Value: value})
}

// Lock buffers a lock-only mutation (kvpb.OpLock) on key: it writes
// nothing, but the commit's prewrite conflicts with any write to key
// committed after the transaction started (and a later writer conflicts
// with this transaction's lock record), so two transactions that both
// lock or write key cannot both commit with overlapping lifetimes. A key
// the transaction already writes keeps its write; a shared lock becomes
// exclusive.
func (t *Txn) Lock(key kvpb.Key) error {
	if t.done {
		return ErrTxnDone
	}
	if m, ok := t.writes[string(key)]; ok && m.Op != kvpb.OpSharedLock {
		return nil
	}
	return t.buffer(kvpb.Mutation{Op: kvpb.OpLock, Key: key})
}

// LockShared buffers a shared lock-only mutation (kvpb.OpSharedLock) on
// key: like Lock, except that transactions holding only shared locks on
// key do not conflict with one another. A key the transaction already
// writes or locks keeps that stronger mutation.
func (t *Txn) LockShared(key kvpb.Key) error {
	if t.done {
		return ErrTxnDone
	}
	if _, ok := t.writes[string(key)]; ok {
		return nil
	}
	return t.buffer(kvpb.Mutation{Op: kvpb.OpSharedLock, Key: key})
}

// Delete buffers a delete of key.
func (t *Txn) Delete(key kvpb.Key) error {
	return t.buffer(kvpb.Mutation{Op: kvpb.OpDelete, Key: key})
}

// Commit commits the transaction's writes. When they all lie in one range
// it first tries a one-phase commit: one raft command, with the commit_ts
// chosen by the range (DESIGN.md §4). Otherwise, or when the range cannot
// take it, it runs Percolator's two phases; on an error before their
// commit point every prewritten lock is rolled back. The error is returned
// unchanged (IsRetryable tells whether a restart may succeed).
func (t *Txn) Commit(ctx context.Context) error {
	if t.done {
		return ErrTxnDone
	}
	t.done = true
	defer t.releaseMemory()
	defer t.stopHeartbeat()
	if len(t.writes) == 0 {
		// Nothing to commit; rows locked by SELECT … FOR UPDATE are
		// released now rather than left for their TTL.
		if len(t.locked) > 0 {
			t.cleanup(t.lockedKeys())
		}
		return nil
	}
	muts := make([]kvpb.Mutation, 0, len(t.writes)+len(t.locked))
	for _, m := range t.writes {
		muts = append(muts, m)
	}
	// A key locked pessimistically but not written (its statement was
	// undone) still needs its lock turned into something: a lock-only
	// mutation.
	for k := range t.locked {
		if _, ok := t.writes[k]; !ok {
			muts = append(muts, kvpb.Mutation{Op: kvpb.OpLock, Key: kvpb.Key(k)})
		}
	}
	sort.Slice(muts, func(i, j int) bool { return bytes.Compare(muts[i].Key, muts[j].Key) < 0 })
	// Shared locks (a table's schema lock, which every writer of the
	// table takes) are never the primary and are prewritten last: a
	// writer then holds one only while it commits, waiting for nothing,
	// so writers waiting on each other's rows can never close a cycle
	// through it.
	shared := 0
	for i := range muts {
		if muts[i].Op == kvpb.OpSharedLock {
			shared++
		}
	}
	if shared > 0 && shared < len(muts) {
		sort.SliceStable(muts, func(i, j int) bool {
			return muts[i].Op != kvpb.OpSharedLock && muts[j].Op == kvpb.OpSharedLock
		})
	}
	if t.primary != nil {
		// The primary of the pessimistic locks stays the primary.
		for i := range muts {
			if muts[i].Key.Equal(t.primary) {
				muts[0], muts[i] = muts[i], muts[0]
				break
			}
		}
	}
	if !t.db.opts.DisableOnePC && mutationBytes(muts) <= maxOnePCBytes {
		resp, err := t.sendResolving(ctx, &kvpb.OnePCRequest{StartTs: t.startTs, MinCommitTs: t.maxForUpdateTs, Mutations: muts})
		var unavailable *kvpb.OnePCUnavailableError
		var mismatch *kvpb.RangeKeyMismatchError
		switch {
		case err == nil:
			t.commitTs = resp.(*kvpb.OnePCResponse).CommitTs
			return nil
		case errors.As(err, &unavailable), errors.As(err, &mismatch):
			// Nothing was written: commit in two phases.
		default:
			if len(t.locked) > 0 && refused(err) {
				t.cleanup(t.lockedKeys())
			}
			return err
		}
	}
	return t.commitTwoPhase(ctx, muts)
}

// refused reports whether err is a typed refusal of a request, which then
// did not apply (rather than an unknown outcome).
func refused(err error) bool {
	var (
		wc *kvpb.WriteConflictError
		ke *kvpb.KeyExistsError
		ab *kvpb.TxnAbortedError
	)
	return errors.As(err, &wc) || errors.As(err, &ke) || errors.As(err, &ab)
}

// commitTwoPhase runs Percolator's prewrite and commit over muts; the first
// is the primary.
func (t *Txn) commitTwoPhase(ctx context.Context, muts []kvpb.Mutation) error {
	primary := muts[0].Key
	keys := make([]kvpb.Key, len(muts))
	for i, m := range muts {
		keys[i] = m.Key
	}
	// Prewrite: the primary first, then the secondaries.
	pre := func(ms []kvpb.Mutation) error {
		for _, c := range chunkMutations(ms) { // chunk.go
			if _, err := t.sendResolving(ctx, &kvpb.PrewriteRequest{
				Primary: primary, StartTs: t.startTs, LockTTL: t.db.opts.LockTTLMillis, Mutations: c,
			}); err != nil {
				return err
			}
		}
		return nil
	}
	// The shared locks, last in muts (Commit), go after the rest.
	tail := len(muts)
	for tail > 1 && muts[tail-1].Op == kvpb.OpSharedLock {
		tail--
	}
	err := pre(muts[:1])
	if err == nil && tail > 1 {
		err = pre(muts[1:tail])
	}
	if err == nil && tail < len(muts) {
		err = pre(muts[tail:])
	}
	if err != nil {
		t.cleanup(keys)
		if !refused(err) && ctx.Err() == nil {
			// Before the commit point nothing is committed, whatever a
			// prewrite's outcome (a leader that changed under it, say):
			// the transaction is rolled back and may run again.
			return fmt.Errorf("%w: a prewrite failed: %v", &kvpb.TxnAbortedError{Key: primary, StartTs: t.startTs}, err)
		}
		return err
	}
	commitTs, err := t.db.tso.Next(ctx)
	if err != nil {
		t.cleanup(keys)
		return err
	}
	// The commit point: the primary's lock becomes a committed version.
	if _, err := t.db.Send(ctx, &kvpb.CommitRequest{StartTs: t.startTs, CommitTs: commitTs, Keys: keys[:1]}); err != nil {
		// The outcome is unknown only if the request may have applied;
		// a typed refusal means it did not.
		var ab *kvpb.TxnAbortedError
		if errors.As(err, &ab) {
			t.cleanup(keys)
		}
		return err
	}
	t.commitTs = commitTs
	// Secondaries: the transaction is committed whatever happens here; a
	// reader that meets a leftover lock resolves it through the primary.
	if len(keys) > 1 {
		t.db.commitSecondaries(ctx, t.startTs, commitTs, keys[1:])
	}
	return nil
}

// cleanup rolls back every lock the transaction may hold, best effort: a
// lock left behind is rolled back by the next reader once its TTL expires.
func (t *Txn) cleanup(keys []kvpb.Key) {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	for _, c := range chunkKeys(keys) {
		_, _ = t.db.Send(ctx, &kvpb.RollbackRequest{StartTs: t.startTs, Keys: c})
	}
}

// Rollback abandons the transaction. Nothing was written before Commit but
// pessimistic locks, which are released here so that their waiters go on
// at once.
func (t *Txn) Rollback(ctx context.Context) error {
	wasDone := t.done
	t.done = true
	t.writes = nil
	t.releaseMemory()
	t.stopHeartbeat()
	if !wasDone && len(t.locked) > 0 {
		t.cleanup(t.lockedKeys())
	}
	return nil
}

// sendResolving sends req, resolving the locks it meets: a lock whose
// transaction committed or was rolled back is resolved at once; a live one
// is waited for at its range's leader (WaitLockRequest) until it goes, the
// lock timeout passes, or ctx ends.
func (t *Txn) sendResolving(ctx context.Context, req kvpb.Request) (kvpb.Response, error) {
	resps, err := t.sendBatchResolving(ctx, []kvpb.Request{req})
	if err != nil {
		return nil, err
	}
	return resps[0], nil
}

// sendBatchResolving is sendResolving for a batch of requests, which the
// sender serves together (reads: from one snapshot); a lock met by any of
// them is resolved, or waited for, and the whole batch is sent again.
// Before each wait the edge "we wait for the lock's transaction" goes to
// the deadlock detector, which fails the wait with *kvpb.DeadlockError
// when it closes a cycle; once done waiting the edge is dropped.
func (t *Txn) sendBatchResolving(ctx context.Context, reqs []kvpb.Request) ([]kvpb.Response, error) {
	var waitStart time.Time
	waited := false
	defer func() {
		if waited {
			dctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), deadlockCallTimeout)
			t.db.deadlock.Finished(dctx, t.startTs)
			cancel()
		}
	}()
	for attempt := 0; ; attempt++ {
		br, err := t.db.sender.Send(ctx, &kvpb.BatchRequest{Requests: reqs})
		var le *kvpb.KeyLockedError
		if !errors.As(err, &le) {
			if err != nil {
				return nil, err
			}
			if len(br.Responses) != len(reqs) {
				return nil, fmt.Errorf("kv: a batch of %d requests returned %d responses", len(reqs), len(br.Responses))
			}
			return br.Responses, nil
		}
		if le.Lock.StartTs == t.startTs {
			// Our own lock from an earlier, failed commit attempt.
			return nil, fmt.Errorf("kv: transaction meets its own lock on %s", le.Lock.Key)
		}
		resolved, err := t.db.resolveLock(ctx, le.Lock)
		if err != nil {
			return nil, err
		}
		if resolved {
			continue
		}
		if !waited {
			waited, waitStart = true, time.Now()
		}
		wait := kvpb.MaxWaitLockMillis * time.Millisecond
		if t.lockTimeout > 0 {
			left := t.lockTimeout - time.Since(waitStart)
			if left <= 0 {
				return nil, &kvpb.LockWaitTimeoutError{Key: le.Lock.Key}
			}
			wait = min(wait, left)
		}
		// A detector slow to answer delays the wait by at most its length.
		dctx, cancel := context.WithTimeout(ctx, min(deadlockCallTimeout, wait))
		deadlock, err := t.db.deadlock.Detect(dctx, t.startTs, le.Lock.StartTs, le.Lock.Key)
		cancel()
		if err != nil && ctx.Err() != nil {
			return nil, ctx.Err()
		}
		// Another error: the detector could not tell; wait anyway.
		if deadlock {
			return nil, &kvpb.DeadlockError{Key: le.Lock.Key, HolderStartTs: le.Lock.StartTs}
		}
		if err := t.db.waitLock(ctx, le.Lock, wait); err != nil {
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			// The leader could not park us (full, an older node, a
			// range moving): a short sleep instead.
			if !sleepCtx(ctx, min(2*time.Millisecond<<min(attempt, 5), wait)) {
				return nil, ctx.Err()
			}
		}
	}
}

// deadlockCallTimeout bounds one call to the deadlock detector.
const deadlockCallTimeout = 2 * time.Second

// waitLock waits, at the leader of lock's range, up to d for lock to be
// released (kvpb.WaitLockRequest). It returns nil when the wait ended,
// whether or not the lock went (the caller looks again), and an error
// when the leader could not park it (the caller then sleeps a little).
func (db *DB) waitLock(ctx context.Context, lock kvpb.LockInfo, d time.Duration) error {
	ms := uint64((d + time.Millisecond - 1) / time.Millisecond)
	// The leader answers by WaitMillis; the deadline covers a leader that
	// does not.
	wctx, cancel := context.WithTimeout(ctx, d+deadlockCallTimeout)
	defer cancel()
	start := time.Now()
	resp, err := db.Send(wctx, &kvpb.WaitLockRequest{Key: lock.Key, LockStartTs: lock.StartTs, WaitMillis: max(ms, 1)})
	if err != nil {
		return err
	}
	if !resp.(*kvpb.WaitLockResponse).Released && time.Since(start) < d/2 {
		return errNotParked
	}
	return nil
}

// errNotParked is a WaitLockRequest answered at once without the lock
// gone: the leader had no room for another waiter.
var errNotParked = errors.New("kv: the lock's leader could not park the wait")

// sleepCtx sleeps d, or until ctx ends (false).
func sleepCtx(ctx context.Context, d time.Duration) bool {
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case <-ctx.Done():
		return false
	case <-timer.C:
		return true
	}
}

// resolveLock asks the lock's primary for its transaction's fate and
// resolves the lock accordingly. It returns false when the transaction is
// still alive (the caller waits).
func (db *DB) resolveLock(ctx context.Context, lock kvpb.LockInfo) (bool, error) {
	now, err := db.tso.Next(ctx)
	if err != nil {
		return false, err
	}
	resp, err := db.Send(ctx, &kvpb.CheckTxnStatusRequest{Primary: lock.Primary, StartTs: lock.StartTs, CurrentTs: now})
	if err != nil {
		return false, err
	}
	st := resp.(*kvpb.CheckTxnStatusResponse)
	var commitTs kvpb.Timestamp
	switch st.Status {
	case kvpb.TxnStatusLocked:
		return false, nil
	case kvpb.TxnStatusCommitted:
		commitTs = st.CommitTs
	case kvpb.TxnStatusRolledBack:
	}
	if _, err := db.Send(ctx, &kvpb.ResolveLockRequest{StartTs: lock.StartTs, CommitTs: commitTs, Keys: []kvpb.Key{lock.Key}}); err != nil {
		return false, err
	}
	return true, nil
}
