package raftstore

import (
	"bytes"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/rangedb/rangedb/kv/kvpb"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// Splits (DESIGN.md §5).
//
// A split is one raft command on the left range (kvpb.AdminSplitRequest,
// alone in its entry). Every replica applies it the same way, from its
// descriptor at that log position:
//
//   - the left descriptor ends at the split key, the right one, with the
//     new range id chosen by the proposer, covers [split key, old end)
//     with the same replicas (and replica ids); both get the old
//     generation + 1;
//   - in one batch, with the entry's applied index: both descriptors'
//     local copies, and the right range's initial raft state (an empty log
//     truncated at (initialIndex, initialTerm), its applied state) — the
//     right replica keeps the term and vote of a replica an early message
//     already created on this store, which is then initialized in place;
//   - when the left range holds /Meta (range 1), both meta entries too;
//     otherwise its leader's store updates them through range 1 afterwards
//     (the caller of the split, and the meta repair of server);
//   - once the batch is committed, the left replica routes only its half,
//     the right replica is created from the engine and routed, and, if the
//     left replica leads, it campaigns at once so the right range has a
//     leader where the left had one.
//
// The data of the right half stay where they are: engine keys are by user
// key, so the right range owns them as soon as its descriptor exists. Its
// leader raises the one-phase commit read floor from the TSO in its first
// term (concurrency.floorNeeded), and also inherits the left's maxReadTs.
// Commands proposed to the left range before the split and applied after
// it are checked against the left's new bounds at apply and fail with
// RangeKeyMismatchError (nothing written), so the client re-routes them.

// validateSplit checks req against desc and returns the two descriptors.
func validateSplit(desc *kvpb.RangeDescriptor, req *kvpb.AdminSplitRequest) (left, right *kvpb.RangeDescriptor, err error) {
	k := req.SplitKey
	if bytes.Compare(k, kvpb.SystemMax) < 0 {
		return nil, nil, fmt.Errorf("raftstore: split key %s is below %s: range 1 keeps /Meta and /System", k, kvpb.SystemMax)
	}
	if !desc.ContainsKey(k) || bytes.Equal(k, desc.StartKey) {
		return nil, nil, &kvpb.RangeKeyMismatchError{Key: k, Ranges: []kvpb.RangeDescriptor{*desc}}
	}
	if req.Generation != 0 && req.Generation != desc.Generation {
		return nil, nil, fmt.Errorf("raftstore: split of %s expected generation %d, found %d", desc.RangeID, req.Generation, desc.Generation)
	}
	if req.RightRangeID <= 1 {
		return nil, nil, fmt.Errorf("raftstore: split of %s: invalid new range id %s", desc.RangeID, req.RightRangeID)
	}
	l, r := *desc, *desc
	l.EndKey = append(kvpb.Key(nil), k...)
	l.Generation++
	l.Replicas = append([]kvpb.ReplicaDescriptor(nil), desc.Replicas...)
	r.RangeID = req.RightRangeID
	r.StartKey = append(kvpb.Key(nil), k...)
	r.Generation++
	r.Replicas = append([]kvpb.ReplicaDescriptor(nil), desc.Replicas...)
	return &l, &r, nil
}

// applySplit applies a split entry of r at pos. evalErr is the command's
// refusal (nothing written); err a storage failure.
func (a *applier) applySplit(r *Replica, pos logPosition, proposalID uint64, req *kvpb.AdminSplitRequest) error {
	// What came before must be installed: the split reads r's descriptor.
	if err := a.flush(); err != nil {
		return err
	}
	s := r.store
	old := r.Descriptor()
	left, right, evalErr := validateSplit(old, req)
	if evalErr != nil {
		a.results = append(a.results, applyResult{r: r, proposalID: proposalID, res: proposalResult{err: evalErr}})
		return nil
	}
	rd, _ := right.Replica(s.cfg.StoreID)
	refused, err := func() (bool, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		return s.tombstoneRefusesLocked(right.RangeID, rd.ReplicaID)
	}()
	if err != nil {
		return err
	}
	if existing, err := s.GetReplica(right.RangeID); err == nil && len(existing.Descriptor().EndKey) > 0 {
		// Initialized already (a snapshot, if one ever got past the
		// overlap check): its state is newer than the split's.
		refused = true
	}
	b := a.b
	for _, d := range []*kvpb.RangeDescriptor{left, right} {
		// The meta entries are range 1's data: written whatever this
		// store does with the right-hand replica.
		if mk := kvpb.MetaKey(d.EndKey); old.ContainsKey(mk) {
			if err := putDescriptor(b, mk, d); err != nil {
				return err
			}
		}
		if d == right && refused {
			continue
		}
		for _, k := range []kvpb.Key{kvpb.RangeDescriptorLocalKey(d.RangeID), kvpb.RangeDescriptorKey(d.StartKey)} {
			if err := putDescriptor(b, k, d); err != nil {
				return err
			}
		}
	}
	if !refused {
		if err := writeSplitRaftState(b, right.RangeID); err != nil {
			return err
		}
	}
	// The split entry itself is applied with this batch.
	a.applied[r] = pos
	a.descs = append(a.descs, pendingDesc{r: r, desc: left})
	a.results = append(a.results, applyResult{r: r, proposalID: proposalID,
		res: proposalResult{resp: &kvpb.BatchResponse{Responses: []kvpb.Response{&kvpb.AdminSplitResponse{Left: *left, Right: *right}}}}})
	if err := a.flush(); err != nil {
		return err
	}
	if refused {
		// This store's replica of the right range was removed already
		// (it lives on elsewhere; its keys here belong to no replica), or
		// exists with newer state.
		s.cfg.Logger.Warn("raftstore: split: right-hand replica not created: removed or initialized before the split applied", "range", right.RangeID)
		return nil
	}
	return s.installSplitRight(r, right)
}

// writeSplitRaftState writes the right range's initial raft state into b:
// the log starts empty after (initialIndex, initialTerm), commit there; the
// term and vote of an uninitialized replica already on this store are kept.
func writeSplitRaftState(b *pebble.Batch, id kvpb.RangeID) error {
	hs, err := loadHardState(b, id)
	if err != nil {
		return err
	}
	term, vote, commit := hs.GetTerm(), hs.GetVote(), hs.GetCommit()
	if term < initialTerm {
		term, vote = initialTerm, 0
	}
	commit = max(commit, initialIndex)
	pos := logPosition{Index: initialIndex, Term: initialTerm}
	for _, kv := range []struct {
		key kvpb.Key
		val []byte
	}{
		{kvpb.RaftTruncatedStateKey(id), encodeLogPosition(truncStateFormat, pos)},
		{kvpb.RaftHardStateKey(id), encodeHardState(&raftpb.HardState{Term: &term, Vote: &vote, Commit: &commit})},
		{kvpb.RangeAppliedStateKey(id), encodeLogPosition(appliedFormat, pos)},
	} {
		if err := b.Set(engineKey(kv.key), kv.val, nil); err != nil {
			return err
		}
	}
	return nil
}

// installSplitRight creates the right-hand replica of a split that left
// (r) applied, from the state the split's batch committed, replacing an
// uninitialized replica of that range, and routes it.
func (s *Store) installSplitRight(left *Replica, right *kvpb.RangeDescriptor) error {
	nr, err := newReplica(s, right)
	if err != nil {
		return err
	}
	left.conc.mu.Lock()
	inherited := left.conc.maxReadTs
	left.conc.mu.Unlock()
	nr.conc.mu.Lock()
	nr.conc.maxReadTs = max(nr.conc.maxReadTs, inherited)
	nr.conc.mu.Unlock()
	left.mu.Lock()
	leading := left.mu.raftState == raft.StateLeader
	left.mu.Unlock()

	s.mu.Lock()
	if old, ok := s.mu.replicas[right.RangeID]; ok {
		// An early message made it; its raft state is in the engine (what
		// was not persisted was not promised to anyone either).
		old.mu.Lock()
		old.takePendingSnapshotLocked(nil) // refused: the split initializes it
		old.mu.stopped, old.mu.destroyed = true, true
		old.failWaitersLocked(ErrStopped, ErrStopped)
		for id, p := range old.mu.peers {
			nr.mu.peers[id] = p
		}
		old.mu.Unlock()
	}
	s.addReplicaLocked(nr, right)
	s.mu.Unlock()
	if leading {
		nr.mu.Lock()
		err := nr.mu.rawNode.Campaign()
		nr.mu.Unlock()
		if err != nil {
			return fmt.Errorf("raftstore: %s campaign after split: %w", right.RangeID, err)
		}
	}
	s.enqueue(nr)
	s.cfg.Logger.Info("raftstore: split", "left", left.rangeID, "right", right.RangeID, "key", right.StartKey)
	return nil
}

// overlapping returns the descriptor of an initialized replica of this
// store, other than desc's range, whose span overlaps desc's, or nil.
func (s *Store) overlapping(desc *kvpb.RangeDescriptor) *kvpb.RangeDescriptor {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, e := range s.mu.byEnd {
		d := e.desc
		if d.RangeID != desc.RangeID && bytes.Compare(d.StartKey, desc.EndKey) < 0 && bytes.Compare(desc.StartKey, d.EndKey) < 0 {
			return d
		}
	}
	return nil
}
