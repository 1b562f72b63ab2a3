package raftstore

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/rangedb/rangedb/kv/kvpb"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// run is the scheduler goroutine: it wakes on a tick or a notification and
// runs a pass over the replicas that may have work, until ctx is cancelled
// or a pass fails: a storage error, or a panic (Pebble's fatal errors are
// panics), is fatal to the store, which stops serving (failure.go).
func (s *Store) run(ctx context.Context) {
	defer close(s.done)
	defer s.recoverFailure()
	ticker := time.NewTicker(s.cfg.TickInterval)
	defer ticker.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ticker.C:
			s.tickAll()
		case <-s.wake:
		}
		crashed, err := s.pass()
		if err != nil {
			s.fail(err, nil)
			return
		}
		if crashed {
			return
		}
	}
}

// replicaList returns the store's replicas, copied so that the caller
// may lock each without holding the store's lock.
func (s *Store) replicaList() []*Replica {
	s.mu.RLock()
	defer s.mu.RUnlock()
	reps := make([]*Replica, 0, len(s.mu.replicas))
	for _, r := range s.mu.replicas {
		reps = append(reps, r)
	}
	return reps
}

// tickAll ticks the raft clock of every replica that is not quiesced and
// queues it; an idle leader quiesces instead of ticking, and its quiesce
// heartbeats are sent (quiesce.go).
func (s *Store) tickAll() {
	reps := s.replicaList()
	ticked := reps[:0]
	var quiesce []*RaftMessage
	for _, r := range reps {
		if r.quiesced.Load() {
			continue
		}
		r.mu.Lock()
		if r.mu.quiesced {
			r.mu.Unlock()
			continue
		}
		if msgs, ok := r.maybeQuiesceLocked(); ok {
			r.mu.Unlock()
			quiesce = append(quiesce, msgs...)
			continue
		}
		r.mu.rawNode.Tick()
		r.mu.Unlock()
		s.ticks.Add(1)
		ticked = append(ticked, r)
	}
	s.sched.Lock()
	for _, r := range ticked {
		s.sched.dirty[r] = struct{}{}
	}
	s.sched.Unlock()
	if len(quiesce) > 0 && s.cfg.Transport != nil {
		s.cfg.Transport.Send(quiesce)
	}
}

// readyItem is one replica's Ready within a pass.
type readyItem struct {
	r                   *Replica
	rd                  raft.Ready
	lastIndex, lastTerm uint64
	// snap is the snapshot the Ready applies, decoded.
	snap *snapshotData
	// pending holds the files of the Ready's snapshot (snapstream.go).
	pending *pendingSnapshot
}

func (s *Store) crashAt(st Stage) bool {
	return s.cfg.Testing.CrashAt != nil && s.cfg.Testing.CrashAt(st)
}

// pass handles the Ready of every queued replica, in the order the raft
// contract demands:
//
//  1. append the entries and HardStates of all replicas in one batch,
//     committed with Sync when any Ready requires it (group commit);
//  2. send the messages, now that what they promise is durable;
//  3. apply the committed entries of all replicas in one batch together
//     with each replica's applied index (apply.go), then answer proposers;
//  4. Advance each RawNode, note ReadStates and leadership changes, answer
//     reads whose index is applied, and queue replicas with more work.
func (s *Store) pass() (crashed bool, err error) {
	s.expireSnapshots()
	s.sched.Lock()
	queued := make([]*Replica, 0, len(s.sched.dirty))
	for r := range s.sched.dirty {
		queued = append(queued, r)
	}
	clear(s.sched.dirty)
	s.sched.Unlock()

	var items []readyItem
	for _, r := range queued {
		// Ready reads the log from the engine; raft panics on a storage
		// error, and the deferred unlock keeps r.mu usable afterwards.
		func() {
			r.mu.Lock()
			defer r.mu.Unlock()
			if r.mu.destroyed {
				return // queued again before it left the routing
			}
			if !r.mu.rawNode.HasReady() {
				r.takePendingSnapshotLocked(nil)
				return
			}
			it := readyItem{r: r, rd: r.mu.rawNode.Ready()}
			it.pending = r.takePendingSnapshotLocked(&it.rd)
			items = append(items, it)
		}()
	}
	if len(items) == 0 {
		return false, nil
	}

	// 1. Append.
	err = s.appendReadies(items)
	for i := range items {
		if p := items[i].pending; p != nil {
			p.finish(err)
		}
	}
	if err != nil {
		return false, err
	}
	appended, applied := false, false
	for i := range items {
		appended = appended || len(items[i].rd.Entries) > 0
		applied = applied || len(items[i].rd.CommittedEntries) > 0
	}
	if appended && s.crashAt(StageAfterAppend) {
		return true, nil
	}

	// 2. Send.
	s.sendMessages(items)

	// 3. Apply.
	a := newApplier(s.cfg.Engine)
	for i := range items {
		if err := a.applyEntries(items[i].r, items[i].rd.CommittedEntries); err != nil {
			a.close()
			return false, err
		}
	}
	if err := a.finish(); err != nil {
		return false, err
	}
	if applied && s.crashAt(StageAfterApply) {
		return true, nil
	}
	a.deliver()
	// Replicas the pass removed from their range, now that the removal is
	// committed and its proposer answered (destroy.go).
	if err := s.destroyRemoved(a.removed); err != nil {
		return false, err
	}

	// 4. Advance.
	for i := range items {
		more, err := s.advance(&items[i])
		if err != nil {
			return false, err
		}
		if more {
			s.enqueue(items[i].r)
		}
	}
	return false, nil
}

// advance is step 4 of a pass for one replica: it reports whether the
// replica has another Ready. r.mu is released even if log truncation
// panics (Pebble's fatal errors are panics).
func (s *Store) advance(it *readyItem) (more bool, err error) {
	r := it.r
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mu.destroyed {
		return false, nil // its raft node and log are gone
	}
	for _, rs := range it.rd.ReadStates {
		if len(rs.RequestCtx) != 8 {
			continue
		}
		if rr, ok := r.mu.reads[binary.BigEndian.Uint64(rs.RequestCtx)]; ok && !rr.hasIndex {
			rr.index, rr.hasIndex = rs.Index, true
			r.mu.readsWithIndex++
		}
	}
	r.mu.rawNode.Advance(it.rd)
	r.afterReadyLocked()
	if err := r.maybeTruncateLogLocked(s.cfg.RaftLogKeep); err != nil {
		return false, err
	}
	return r.mu.rawNode.HasReady(), nil
}

// appendReadies writes the entries and HardStates of every Ready in one
// batch and installs the new log positions in each replica's storage.
func (s *Store) appendReadies(items []readyItem) error {
	b := s.cfg.Engine.NewBatch()
	defer b.Close()
	sync := false
	for i := range items {
		it := &items[i]
		rd := &it.rd
		if !raft.IsEmptySnap(rd.Snapshot) {
			if it.pending == nil {
				// Raft takes snapshots only from HandleSnapshot.
				return fmt.Errorf("raftstore: %s: a snapshot arrived without its files", it.r.rangeID)
			}
			sd, err := it.r.ingestSnapshot(it.pending, rd) // snapstream.go
			if err != nil {
				return err
			}
			it.snap = sd
			sync = true
			// The entries of the same Ready follow the snapshot.
			it.r.mu.Lock()
			it.r.installSnapshotLocked(sd, rd.Snapshot)
			it.r.mu.Unlock()
		}
		last, lastTerm, err := func() (uint64, uint64, error) {
			it.r.mu.Lock()
			defer it.r.mu.Unlock()
			return it.r.mu.storage.appendToBatch(b, rd.Entries)
		}()
		if err != nil {
			return err
		}
		it.lastIndex, it.lastTerm = last, lastTerm
		if !raft.IsEmptyHardState(rd.HardState) {
			if err := b.Set(engineKey(kvpb.RaftHardStateKey(it.r.rangeID)), encodeHardState(rd.HardState), nil); err != nil {
				return err
			}
		}
		sync = sync || rd.MustSync
	}
	if !b.Empty() {
		opts := pebble.NoSync
		if sync {
			opts = pebble.Sync
		}
		if err := b.Commit(opts); err != nil {
			return fmt.Errorf("raftstore: appending to raft logs: %w", err)
		}
	}
	for i := range items {
		it := &items[i]
		if it.snap != nil {
			s.setDescriptor(it.r, it.snap.desc)
			s.cfg.Logger.Info("raftstore: applied a snapshot", "range", it.r.rangeID, "index", it.rd.Snapshot.GetMetadata().GetIndex())
		}
		it.r.mu.Lock()
		it.r.mu.storage.setLast(it.lastIndex, it.lastTerm)
		if !raft.IsEmptyHardState(it.rd.HardState) {
			it.r.mu.storage.hardState = it.rd.HardState
		}
		it.r.mu.Unlock()
	}
	return nil
}

// sendMessages hands every outgoing message to the transport.
func (s *Store) sendMessages(items []readyItem) {
	var out []*RaftMessage
	for i := range items {
		it := &items[i]
		if len(it.rd.Messages) == 0 {
			continue
		}
		desc := it.r.Descriptor()
		for _, m := range it.rd.Messages {
			if isQuiesceMessage(m) && m.GetType() == raftpb.MessageType_MsgHeartbeatResp {
				continue // the answer to a quiesce heartbeat: the leader needs none
			}
			if m.GetType() == raftpb.MessageType_MsgSnap {
				// The transport streams it and reports how that ended
				// (ReportSnapshot); if the message is lost instead, the
				// snapshot expires unfetched and is reported failed.
				s.snapOut.noteSent(m)
			}
			rm := &RaftMessage{RangeID: it.r.rangeID, Message: m}
			for _, rd := range desc.Replicas {
				switch uint64(rd.ReplicaID) {
				case m.GetFrom():
					rm.From = rd
				case m.GetTo():
					rm.To = rd
				}
			}
			if rm.To.ReplicaID == 0 {
				it.r.mu.Lock()
				rm.To = it.r.mu.peers[m.GetTo()]
				it.r.mu.Unlock()
			}
			out = append(out, rm)
		}
	}
	if len(out) > 0 && s.cfg.Transport != nil {
		s.cfg.Transport.Send(out)
	}
}
