// Package mvcc stores rangedb's multi-version data and the Percolator lock
// table in Pebble, and evaluates the KV requests of kv/kvpb against it. It
// knows nothing of raft or the network: raftstore hands it a reader and a
// writer, and it returns a response or a typed error (DESIGN.md §3–4).
//
// # Engine keys (enginekey.go, comparer.go)
//
// Every key in the store is an engine key:
//
//	versioned:   userKey ‖ 0x00 ‖ ts (8 bytes, big-endian) ‖ 0x09
//	unversioned: userKey ‖ 0x00
//
// The last byte is the suffix length including itself (0 = none), so
// EngineComparer's Split finds the prefix userKey ‖ 0x00 from the key alone
// and Pebble's bloom filters work per user key. Prefixes compare bytewise
// (which is user-key order); for one prefix the unversioned key comes first,
// then versions newest first, so SeekGE(EncodeKey(k, ts)) lands on the
// newest version at or below ts. The comparer's name,
// "rangedb.EngineComparer.v1", is persisted: never rename it.
//
// # Stored records (records.go)
//
// Every value starts with a format byte, distinct per record type:
//
//   - write record at EncodeKey(k, commitTs): kind (put, delete, rollback,
//     lock), start_ts of the writing transaction, value (put only). Readers
//     see put and delete; a delete reads as "not found". A rollback record
//     sits at EncodeKey(k, startTs) of the rolled-back transaction (TiKV's
//     write CF does the same) and a lock record is what an OpLock leaves at
//     commit; readers skip both, prewrites conflict with them.
//   - lock at EncodeKey(kvpb.LockKey(k), 0): op, primary, start_ts, ttl,
//     value. Lock keys sort as the keys they lock, so the locks of a span
//     are one contiguous span (kvpb.LockSpan).
//   - raw value at EncodeKey(k, 0): the bytes of a non-transactional key
//     (counters are 8 bytes big-endian). A raw value never shows in MVCC
//     reads of the same key, and has no history.
//
// # Percolator operations (read.go, write.go)
//
//   - Get/Scan at ts: a lock of a transaction started at or before ts (other
//     than OpLock) is a *kvpb.KeyLockedError (for Scan, the first such lock
//     in scan order within the part of the span it reads; one iterator walks
//     the lock span). Otherwise the newest put/delete with commit_ts <= ts.
//   - Prewrite: every key is checked first — another transaction's lock
//     (KeyLockedError), our own rollback (TxnAbortedError), any write record
//     at or after start_ts (WriteConflictError), an existing key for
//     OpInsert (KeyExistsError) — then all locks are written. Our own lock
//     is left as is, so a retried prewrite succeeds.
//   - Commit: each lock of start_ts becomes a write record at commit_ts and
//     is deleted. Without the lock, our commit record makes it a no-op; our
//     rollback record is TxnAbortedError; nothing is TxnLockNotFoundError.
//   - Rollback: deletes our locks and writes rollback records, also where no
//     lock was ever taken, so a late prewrite fails; a committed key is
//     ErrAlreadyCommitted.
//   - CheckTxnStatus on the primary: locked (with TTL), rolled back when the
//     TTL expired in TSO time (physical ms) or when the transaction left no
//     trace, or committed (with commit_ts).
//   - ResolveLock: commit or roll back a transaction's keys on behalf of a
//     reader that met its locks.
//   - RawGet, RawPut, RawCPut, Increment, RawDelete on unversioned keys;
//     ClearRange deletes a span's engine keys and its lock span with two
//     ranged deletes.
//
// A commit record is found by its start_ts by scanning the key's versions
// newest first, stopping below start_ts.
//
// # The EvalWrite contract
//
// EvalWrite runs at raft apply time on every replica, so it is
// deterministic: its result depends only on the reader's contents and the
// request — no clock, no randomness. It writes nothing when it fails:
// each request records its writes in a plan while it validates every key,
// and the plan reaches the pebble.Writer only on success. raftstore passes
// an indexed batch as the reader and a separate batch as the writer, and
// applies the writer into the indexed batch when there is no error; the
// reader does not observe the request's own writes.
//
// # Durability
//
// Open configures Pebble with EngineComparer and the caller's slog logger.
// Callers commit writes that must survive a crash with pebble.Sync; the
// crash test (vfs.NewCrashableMem + CrashClone) checks that synced writes
// survive and unsynced ones may not.
package mvcc
