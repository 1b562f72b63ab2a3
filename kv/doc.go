// Package kv is the client side of rangedb's key-value layer: the only way
// from SQL to data (DESIGN.md §8).
//
// A DB sends kvpb.BatchRequests through a Sender — an interface that server
// implements by calling the local raftstore.Store directly (and, once there
// are several nodes, over gRPC) — and takes timestamps from a
// TimestampOracle (placement's TSO). On it:
//
//   - Non-transactional operations on unversioned keys (RawGet, RawPut,
//     RawCPut, Increment, ClearRange): counters, the TSO high-water mark,
//     schema bookkeeping. They need no timestamp and grow no history.
//   - Transactions (txn.go): a Txn reads at its start timestamp (or a
//     statement's, SetReadTs), buffers its writes in memory (bounded:
//     BufferTooLargeError beyond DBOptions.MaxTxnBytes; statement
//     savepoints undo part of it), and commits in one raft command when
//     its keys lie in one range (OnePCRequest: the range picks the
//     commit_ts), else with Percolator's two phases: prewrite every key
//     (primary first), take commit_ts from the TSO, commit the primary
//     (the commit point), then the secondaries.
//   - Pessimistic locks (pessimistic.go): LockKeys locks a statement's
//     keys at its read timestamp; the first locks the primary, whose TTL a
//     heartbeat keeps ahead while the transaction lives; the commit turns
//     the locks into the writes and a rollback releases them.
//
// A read, lock or prewrite that meets another transaction's lock asks the
// lock's primary for the transaction's fate (CheckTxnStatus, which rolls
// back a transaction whose TTL expired in TSO time), resolves the lock,
// and retries; a live lock is waited on at its range's leader
// (WaitLockRequest, woken when that lock is released) within the lock
// timeout, and a wait that closes a cycle of waiting transactions, as the
// DeadlockDetector (deadlock.go; one per cluster, beside range 1's
// leader) sees them, is a DeadlockError.
//
// DistSender (dist.go) is the Sender of a node in a cluster: it sends a
// batch to its range's leader through a NodeDialer, follows NotLeader
// hints in one step, retries reads on a silent node and reports a write
// whose node went silent as an AmbiguousResultError.
//
// What is not built yet: asynchronous commit of secondaries, and
// splitting a batch by range in the DistSender (a batch is sent to the
// range of its first key — every batch addresses range 1 until ranges
// split; a batch spanning ranges comes back as RangeKeyMismatchError, and
// a one-phase commit then falls back to two phases).
package kv
