package kv

import (
	"bytes"
	"context"
	"sort"
	"sync"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// Pessimistic locking (DESIGN.md §4, TiDB's pessimistic mode): each DML
// statement of an explicit transaction locks the keys it wrote before it
// returns (LockKeys), so a conflict surfaces at the statement — after
// waiting for the transaction holding the key, as PostgreSQL waits —
// instead of at COMMIT. The first key locked becomes the transaction's
// primary; a heartbeat keeps the primary's TTL ahead of the clock while
// the transaction lives, so others resolve its locks only once it died.
// Statement savepoints let READ COMMITTED undo a statement's writes and
// run it again on a newer snapshot after a conflict.

// Savepoint marks the write buffer's state; RollbackToSavepoint returns to
// it, ReleaseSavepoint forgets it. Savepoints nest (release in reverse
// order).
func (t *Txn) Savepoint() int {
	t.savepoints++
	return len(t.undo)
}

// RollbackToSavepoint undoes every write buffered since sp was taken and
// releases sp. Pessimistic locks taken since stay (they are released at
// commit or rollback), as in TiDB.
func (t *Txn) RollbackToSavepoint(sp int) {
	for i := len(t.undo) - 1; i >= sp; i-- {
		u := t.undo[i]
		if cur, ok := t.writes[u.key]; ok {
			t.bytes -= int64(len(cur.Key) + len(cur.Value))
		}
		if u.had {
			t.writes[u.key] = u.prev
			t.bytes += int64(len(u.prev.Key) + len(u.prev.Value))
		} else {
			delete(t.writes, u.key)
		}
	}
	t.undo = t.undo[:sp]
	t.ReleaseSavepoint(sp)
}

// ReleaseSavepoint forgets sp, keeping the writes made since.
func (t *Txn) ReleaseSavepoint(int) {
	if t.savepoints > 0 {
		t.savepoints--
	}
	if t.savepoints == 0 {
		t.undo = t.undo[:0]
	}
}

// WrittenSince returns the keys written (not only locked) since sp, sorted.
func (t *Txn) WrittenSince(sp int) []kvpb.Key {
	seen := map[string]bool{}
	var keys []kvpb.Key
	for _, u := range t.undo[sp:] {
		if seen[u.key] {
			continue
		}
		seen[u.key] = true
		if m, ok := t.writes[u.key]; ok && !m.Op.IsLockOnly() {
			keys = append(keys, m.Key)
		}
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) < 0 })
	return keys
}

// undoEntry is what buffer changed for one key: its mutation before.
type undoEntry struct {
	key  string
	prev kvpb.Mutation
	had  bool
}

// RefreshReadTs moves the read snapshot to a fresh TSO timestamp (a READ
// COMMITTED statement run again after a conflict).
func (t *Txn) RefreshReadTs(ctx context.Context) error {
	ts, err := t.db.tso.Next(ctx)
	if err != nil {
		return err
	}
	t.SetReadTs(ts)
	return nil
}

// LockKeys takes pessimistic locks on keys for a statement that read at
// forUpdateTs, waiting while another transaction holds one. It fails with
// *kvpb.WriteConflictError when a key was written at or after forUpdateTs,
// and with *kvpb.DeadlockError when waiting would close a cycle of
// transactions waiting for each other.
func (t *Txn) LockKeys(ctx context.Context, keys []kvpb.Key, forUpdateTs kvpb.Timestamp) error {
	if t.done {
		return ErrTxnDone
	}
	var todo []kvpb.Key
	for _, k := range keys {
		if !t.locked[string(k)] {
			todo = append(todo, k)
		}
	}
	if len(todo) == 0 {
		return nil
	}
	if t.primary == nil {
		t.primary = append(kvpb.Key(nil), todo[0]...)
	}
	req := &kvpb.PessimisticLockRequest{
		Primary: t.primary, StartTs: t.startTs, ForUpdateTs: forUpdateTs,
		LockTTL: t.db.opts.LockTTLMillis, Keys: todo,
	}
	if _, err := t.sendBatchResolving(ctx, []kvpb.Request{req}); err != nil {
		if len(t.locked) == 0 {
			t.primary = nil // the primary was not locked either
		}
		return err
	}
	if t.locked == nil {
		t.locked = make(map[string]bool, len(todo))
	}
	for _, k := range todo {
		t.locked[string(k)] = true
	}
	t.maxForUpdateTs = max(t.maxForUpdateTs, forUpdateTs)
	if t.hb == nil {
		t.hb = startHeartbeat(t.db, t.primary, t.startTs)
	}
	return nil
}

// lockedKeys returns the pessimistically locked keys, sorted.
func (t *Txn) lockedKeys() []kvpb.Key {
	keys := make([]kvpb.Key, 0, len(t.locked))
	for k := range t.locked {
		keys = append(keys, kvpb.Key(k))
	}
	sort.Slice(keys, func(i, j int) bool { return bytes.Compare(keys[i], keys[j]) < 0 })
	return keys
}

// stopHeartbeat stops the heartbeat, if one runs, and waits for it.
func (t *Txn) stopHeartbeat() {
	if t.hb != nil {
		t.hb.stop()
		t.hb = nil
	}
}

// heartbeat extends a transaction's primary lock TTL every half TTL.
type heartbeat struct {
	done chan struct{}
	wg   sync.WaitGroup
}

func startHeartbeat(db *DB, primary kvpb.Key, startTs kvpb.Timestamp) *heartbeat {
	h := &heartbeat{done: make(chan struct{})}
	ttl := time.Duration(db.opts.LockTTLMillis) * time.Millisecond
	h.wg.Add(1)
	go func() {
		defer h.wg.Done()
		tick := time.NewTicker(ttl / 2)
		defer tick.Stop()
		for {
			select {
			case <-h.done:
				return
			case <-tick.C:
			}
			// The TTL counts from the start timestamp's physical time.
			alive := time.Since(startTs.GoTime()) + ttl
			ctx, cancel := context.WithTimeout(context.Background(), ttl/2)
			_, _ = db.Send(ctx, &kvpb.TxnHeartBeatRequest{Primary: primary, StartTs: startTs, TTL: uint64(alive.Milliseconds())})
			cancel()
		}
	}()
	return h
}

func (h *heartbeat) stop() {
	close(h.done)
	h.wg.Wait()
}
