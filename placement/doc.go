// Package placement is rangedb's placement driver: the cluster-wide brain
// that runs beside the leader of range 1 (the system range) and is idle on
// every other node, so there is no separate service to deploy (DESIGN.md §1,
// §6).
//
// # Scope
//
// The package's scope is everything that is decided once for the whole
// cluster:
//
//   - the timestamp oracle (TSO), which hands out the hybrid timestamps that
//     order every transaction (DESIGN.md §4);
//   - store and range heartbeats: capacity, used bytes, range and lease
//     counts and load from stores; size, key count and read/write rates from
//     range leaders;
//   - operators, made of steps (add learner, promote, remove replica,
//     transfer lease), each conditional on the range's generation so that a
//     stale driver is harmless, decided by checkers and balancers that split
//     by size and load, merge small neighbours, up-replicate, replace
//     replicas of dead stores, rebalance and decommission.
//
// The TSO is tso.go; the decisions are planner.go (Planner.Plan: a pure
// function of one round of store reports and the cluster settings, with
// a little memory between rounds), which the server's driver loop feeds
// and whose ops it carries out (server/placement.go). Ops are single
// steps — add a replica (learner, caught up, promoted), remove one,
// transfer leadership, split, merge — rather than multi-step operators:
// the next round plans the next step from what the last one left.
//
// # The TSO
//
// A TSO hands out kvpb.Timestamps (physical milliseconds << 18 | logical)
// that are unique and strictly increasing across leader changes, restarts
// and wall-clock steps. It runs on every node and serves only while the
// local replica of range 1 is the raft leader. It sees range 1 only through
// TSOStorage, which the server implements over raftstore; placement imports
// kv/kvpb and nothing else of rangedb.
//
// The TSO's state is a window: the raft term it was built in, the last
// timestamp handed out, and a high-water mark H' persisted at kvpb.TSOKey.
// Every timestamp handed out in a term is below that term's H'. So:
//
//  1. A leader whose term differs from the window's (a new leader, a
//     restarted node, a leader that lost and regained leadership) drops the
//     window, reads the persisted mark H, persists H' = max(now, H) + Window
//     with a conditional put guarded by H, and only then serves, starting
//     above H. Everything handed out before was below H.
//  2. A timestamp is max(now, last+1): the wall clock is a hint, and when it
//     is not ahead of the last timestamp the logical counter grows (its
//     overflow carries into the physical milliseconds). A clock stepped back
//     therefore never makes timestamps go back.
//  3. A timestamp whose physical part would reach H' is served only after a
//     further window has been persisted.
//  4. Requests are answered in batches. Each batch is answered only after a
//     ReadIndex quorum round issued after every request in it arrived, and
//     only if that round confirmed leadership in the window's term; so a
//     deposed leader, which cannot complete a quorum round in its old term,
//     never hands out a timestamp.
//
// Batching costs no goroutines: the caller that finds no round in flight
// runs the round itself; callers that arrive while a round is in flight
// join the next round and wait for it, and the first of them to notice that
// the previous round ended runs it. Every wait honors its caller's context.
// If a round's runner is cancelled, the other callers of that round rejoin
// the next one.
//
// When the local replica is not the leader, or leadership changed under a
// round, the TSO returns a *kvpb.NotLeaderError for range 1, so callers
// retry on another node.
package placement
