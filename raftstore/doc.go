// Package raftstore replicates ranges with Raft: one Store per Pebble
// engine, one Replica per range replica, all driven by one scheduler
// goroutine (DESIGN.md §5). It sits on kv/mvcc (command evaluation, engine
// keys) and kv/kvpb (keys, requests, errors), and serves the kv.Sender
// contract with Store.Send.
//
// # Pieces, by file
//
//   - store.go: Store — the router (range id → Replica, and key → Replica
//     through descriptors sorted by end key), lifecycle (NewStore, Start,
//     Stop), Send, LeaderTerm, ReadIndex, HandleRaftMessage.
//   - replica.go: Replica — wraps an etcd raft.RawNode (CheckQuorum, PreVote,
//     ReadOnlySafe, no proposal forwarding) and the callers waiting on it:
//     pending proposals and ReadIndex requests, both bounded.
//   - scheduler.go: the scheduler goroutine and its pass.
//   - apply.go: deterministic application of committed entries.
//   - storage.go: raft.Storage over Pebble for one replica.
//   - command.go: the raft command envelope.
//   - destroy.go: destroying a replica removed from its range, its
//     tombstone, TransferLeadership.
//   - checksum.go: consistency checksums (ComputeChecksum, Checksum).
//   - state.go: the key layout of replica-local records and their codecs.
//   - bootstrap.go: WriteInitialState.
//   - eval.go: the glue to kv/mvcc.
//   - diskmon.go: the disk monitor — refuses writes with
//     kvpb.DiskFullError, before they are proposed, while the engine's
//     filesystem has less free space than Config.DiskReserve.
//   - snapshot.go, snapstream.go: the spans a snapshot covers, membership
//     changes; snapshots held for sending, streamed as SSTs, received into
//     files and ingested.
//   - split.go, merge.go: splits, and merges (subsume freezes the right
//     range, every replica applies the subsume, the left range widens;
//     see merge.go's comment for the protocol and its recovery).
//   - quiesce.go: quiescence — an idle range's leader stops ticking and
//     tells its followers to stop too (a heartbeat whose Context is
//     "quiesce"); any request or raft message wakes it, and so do
//     Store.Wake and Store.WakeAll (called on liveness changes).
//     Config.DisableQuiescence turns it off; range 1 never quiesces.
//   - failure.go: fail-stop — a storage failure makes the store fail every
//     request with kvpb.StoreFailedError and calls Config.OnFatal.
//
// # Key layout
//
// Every record is an unversioned engine key (mvcc.EncodeKey(k, 0)) whose
// value starts with a format byte:
//
//	/Local/RangeID/<id>/u/rfth     HardState (term, vote, commit)
//	/Local/RangeID/<id>/u/rftl<i>  raft log entry i (term, index, type, data)
//	/Local/RangeID/<id>/u/rftt     truncated state (index, term)
//	/Local/RangeID/<id>/u/rftb     tombstone: smallest replica id allowed
//	/Local/RangeID/<id>/r/appl     applied state (index, term)
//	/Local/RangeID/<id>/r/desc     range descriptor (mvcc raw value)
//	/Local/RangeID/<id>/r/frzn     frozen record of a subsumed range
//	/Local/Range/<start>/rdsc      range descriptor copy (mvcc raw value)
//	/Meta/<end>                    range descriptor, addressing (raw value)
//
// WriteInitialState writes a range's initial state in one synced batch: the
// three descriptor copies, an empty log truncated at (10, 5), HardState
// {Term: 5, Commit: 10} and applied state (10, 5).
//
// # The scheduler pass
//
// One goroutine wakes on a ticker (ticking every replica) or on a
// notification (capacity-1 channel plus a set of queued replicas). A pass
// takes the Ready of every queued replica that has one, then:
//
//  1. appends the entries and HardStates of all of them in one Pebble batch,
//     committed with Sync when any Ready requires it (group commit); entries
//     replacing a log suffix delete the old tail; the cached last index and
//     term move only after the commit;
//  2. sends the messages through the Transport (after they are durable);
//  3. applies the committed entries of all replicas in one indexed batch
//     with each replica's applied state (apply.go), commits it without Sync
//     (the synced log can redo it, and the applied index travels in the same
//     batch as the effects, so nothing applies twice), then answers the
//     proposers;
//  4. records ReadStates, calls Advance, refreshes the cached leadership,
//     fails waiters that cannot succeed any more (a term change makes a
//     pending proposal's result ambiguous), answers reads whose index is
//     applied, and re-queues replicas that have more work.
//
// A storage error in a pass, or a panic (Pebble raises its fatal errors,
// such as a failed WAL write, as panics), is fatal to the store: the
// scheduler exits, every waiter and every later request fails at once with
// *kvpb.StoreFailedError, and Config.OnFatal is called (failure.go).
//
// # Disk space
//
// The disk monitor (diskmon.go) reads the filesystem's free space every
// Config.DiskCheckInterval; below Config.DiskReserve, Send refuses every
// batch that adds data (prewrites, one-phase commits, pessimistic locks)
// with *kvpb.DiskFullError before proposing it, so Pebble never meets a
// full disk; reads, commits, rollbacks and the node's small bookkeeping
// writes go on, and below a quarter of the reserve every write is refused.
// The state clears by itself when space is freed.
//
// # Writes
//
// A write batch is proposed on the leader as one command: format byte,
// uvarint proposal id, kvpb.EncodeRequests. At apply every replica evaluates
// each request with mvcc.EvalWrite against the pass batch (so it sees
// earlier commands of the pass); a command whose requests all succeed is
// merged into the pass batch, a failing one writes nothing and its error —
// the typed kvpb error, unchanged — goes to the proposer. A multi-request
// command, whose later requests must read its earlier writes, is evaluated
// straight into a freshly committed pass batch, which is discarded on
// failure. The proposer is answered when its own replica has applied the
// entry; proposal ids start at a random value per Store so entries proposed
// before a restart never match new waiters.
//
// # Reads
//
// Reads are served only by a leader that has applied an entry of its
// current term (LeaderTerm). Each read batch takes a ReadIndex
// (raft.ReadOnlySafe: a heartbeat quorum round; never lease-based, which
// would trust ticks) — a range whose only voter is the leader skips the
// round and takes its commit index — waits until applied ≥ the read
// index, registers its timestamp with the replica's concurrency manager
// (concurrency.go: a read at or above a pending one-phase commit's
// commit_ts on one of its keys waits for it), and evaluates with
// mvcc.EvalRead on a Pebble snapshot. Store.ReadIndex exposes the same
// round to the TSO, returning the term it confirmed. A WaitLockRequest is
// a read that parks until a command applied on the store releases a
// given lock (lockwait.go), checked by the leader without a round.
//
// # One-phase commits and the log
//
// A one-phase commit's commit_ts is picked by the leader when it proposes
// the command, above every timestamp it has served a read at (raised from
// the TSO once per term) and odd, so it never equals a TSO timestamp. After
// each pass a replica truncates its raft log up to its applied index once
// Config.RaftLogKeep applied entries precede it — a leader no further than
// the quorum's match index; a follower that fell behind is caught up by a
// snapshot.
//
// # Snapshots and membership (snapshot.go, snapstream.go)
//
// Storage.Snapshot takes a Pebble snapshot at the applied index (under
// the replica's lock, so the index cannot move) and holds it under an id
// (at most maxOutgoingSnapshots, released once streamed or when unfetched
// for snapshotFetchTimeout, which reports it failed so raft retries);
// raft's Snapshot.Data is only a header: format, id, descriptor. The
// MsgSnap goes through Config.Transport like any message; the transport
// streams it beside the raft stream with StreamSnapshot (one SST per
// replicated span, each with a range deletion over the whole span, in
// SnapshotChunkSize pieces) and tells raft the outcome (ReportSnapshot).
// The receiver collects the files (NewIncomingSnapshot: at most
// MaxIncomingSnapshots at once, bounded in size, under
// Config.SnapshotDir, emptied at start) and HandleSnapshot steps the
// MsgSnap; the Ready that carries it ingests the files together with one
// more SST holding the new raft state (log deleted, HardState, truncated
// state) in one atomic pebble.DB.Ingest, so a crash leaves the old state
// or the new one whole. A snapshot raft refuses releases its files. A
// store creates an uninitialized replica (no descriptor, an empty raft
// configuration) for the first message of a range it does not have.
// ChangeReplicas proposes a ConfChangeV2 whose context is the new
// descriptor (a learner added, promoted, or a replica removed), applied
// with its entry on every replica: raft's configuration, the descriptor
// copies and the key routing.
//
// # Removal and tombstones (destroy.go)
//
// A replica that applies the membership change removing it is destroyed
// by its store after the pass's apply batch commits and its proposers are
// answered (between steps 3 and 4 of the pass): it fails its waiters
// (reads with RangeNotFoundError, which the DistSender retries elsewhere;
// proposals with ErrAmbiguousResult), and one synced batch deletes every
// span it held (snapshotSpans and the raft state) with range deletions
// and writes the tombstone, the smallest replica id the store may create
// for the range again (removed id + 1, or NextReplicaID); then it leaves
// the routing. A message or snapshot for a replica id below the tombstone
// creates nothing; a replica re-added with a new id is created as any new
// one. Start skips destroyed ranges and finishes a destruction a crash
// interrupted. A leader may remove itself (the range then waits an
// election timeout for a new one); callers should move the leadership
// first with TransferLeadership.
//
// # Consistency checksums (checksum.go)
//
// ComputeChecksum proposes a checksum command (its own format byte, a
// random checksum id) on the leader; every replica applying it hashes
// (SHA-256) the range's replicated spans, except the applied-state record,
// read through the pass's apply batch, so at exactly the entry's index.
// A replica keeps its last 16 sums in memory; Checksum returns one. The
// hash runs inside the pass and scans the range: meant for tests and
// modest ranges.
//
// # Limits
//
// Everything is bounded: a replica's proposals and reads in flight
// (Config.MaxPendingProposals, then ErrTooManyPending), the command size,
// raft's uncommitted log size and committed entries per Ready, the
// notification channel. Every wait honours its ctx.
//
// # Not built yet
//
// Snapshots of a replica whose key bounds changed (refused until splits
// exist); checking a received snapshot's files before raft takes it (keys
// within their spans — today a file Ingest refuses fails the store);
// a replica GC for a replica that never applied its removal (cut off when
// it committed, it lives on); splits and merges, and leases. The key → replica index is a sorted slice; a B-tree
// comes with splits.
package raftstore
