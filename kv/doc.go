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
//   - Transactions (txn.go): a Txn reads at its start timestamp, buffers its
//     writes in memory (bounded: BufferTooLargeError beyond
//     DBOptions.MaxTxnBytes), and commits with Percolator's two phases:
//     prewrite every key (primary first), take commit_ts from the TSO,
//     commit the primary (the commit point), then the secondaries.
//     A read or prewrite that meets another transaction's lock asks the
//     lock's primary for the transaction's fate (CheckTxnStatus, which rolls
//     back a transaction whose TTL expired in TSO time), resolves the lock,
//     and retries; a live lock is waited on with a bounded backoff.
//
// What is not built yet: pessimistic locks taken during DML statements,
// 1PC, heartbeats of long transactions' primaries, asynchronous commit of
// secondaries, and a DistSender that splits a batch by range (a batch is
// sent to the range of its first key; a batch spanning ranges comes back as
// RangeKeyMismatchError).
package kv
