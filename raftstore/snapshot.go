package raftstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"time"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// Snapshots and membership changes: what lets a range gain replicas on
// other stores.
//
//   - A snapshot is the range's replicated state at its applied index:
//     every engine key of the range's spans (snapshotSpans: the
//     replicated range-id keys, the range-local keys, the lock table and
//     the user keys of [StartKey, EndKey)), read from one Pebble snapshot
//     the sender holds for a while (snapstream.go). Raft's Snapshot.Data
//     is only a header naming it; the transport streams the spans as SST
//     files, each with a range deletion over its whole span, and the
//     receiver ingests them atomically, so a crash leaves either the old
//     state or the new one.
//   - A replica learns of a range from its first message (an
//     uninitialized replica: no descriptor, no key span, an empty raft
//     configuration, so it never campaigns) and becomes a real one when a
//     snapshot applies.
//   - ChangeReplicas proposes a ConfChangeV2 whose context is the new
//     descriptor; every replica applies both atomically with the
//     command's index: raft's membership, the descriptor copies, the
//     routing. A new replica joins as a learner, and is promoted to voter
//     once it has caught up.

// engineSpan is a span of engine keys.
type engineSpan struct{ start, end []byte }

// snapshotSpans returns the engine spans holding desc's replicated state.
func snapshotSpans(desc *kvpb.RangeDescriptor) []engineSpan {
	rid := kvpb.RangeIDReplicatedPrefix(desc.RangeID)
	rangeLocal := func(k kvpb.Key) kvpb.Key {
		return kvpb.EncodeBytesAscending(kvpb.Key{kvpb.LocalPrefix[0], 'k'}, k)
	}
	locks := kvpb.LockSpan(kvpb.Span{Key: desc.StartKey, EndKey: desc.EndKey})
	spans := []kvpb.Span{
		{Key: rid, EndKey: kvpb.PrefixEnd(rid)},
		{Key: rangeLocal(desc.StartKey), EndKey: rangeLocal(desc.EndKey)},
		locks,
		{Key: desc.StartKey, EndKey: desc.EndKey},
	}
	out := make([]engineSpan, len(spans))
	for i, s := range spans {
		out[i] = engineSpan{start: engineKey(s.Key), end: engineKey(s.EndKey)}
	}
	return out
}

// installSnapshotLocked makes an applied snapshot the replica's state in
// memory. r.mu is held.
func (r *Replica) installSnapshotLocked(sd *snapshotData, snap *raftpb.Snapshot) {
	pos := logPosition{Index: snap.GetMetadata().GetIndex(), Term: snap.GetMetadata().GetTerm()}
	st := r.mu.storage
	st.truncated = pos
	st.setLast(pos.Index, pos.Term)
	st.confState = snap.GetMetadata().GetConfState()
	r.mu.applied = pos
	r.mu.desc = sd.desc
	// The snapshot carries a subsumed range's frozen record (merge.go);
	// unreadable, the replica stays frozen to be safe.
	if f, err := loadFrozen(r.store.cfg.Engine, r.rangeID); err != nil {
		r.mu.frozen = &frozenState{}
	} else {
		r.mu.frozen = f
	}
}

// setDescriptor routes the store's keys of the replica's range by desc.
func (s *Store) setDescriptor(r *Replica, desc *kvpb.RangeDescriptor) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range s.mu.byEnd {
		if s.mu.byEnd[i].r == r {
			s.mu.byEnd = append(s.mu.byEnd[:i], s.mu.byEnd[i+1:]...)
			break
		}
	}
	s.addReplicaLocked(r, desc)
}

// uninitializedReplica creates the replica a message addresses on this
// store for a range the store does not know yet.
func (s *Store) uninitializedReplica(m *RaftMessage) (*Replica, error) {
	if m.To.StoreID != s.cfg.StoreID || m.To.ReplicaID == 0 {
		return nil, &kvpb.RangeNotFoundError{RangeID: m.RangeID, StoreID: s.cfg.StoreID}
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if r, ok := s.mu.replicas[m.RangeID]; ok {
		return r, nil
	}
	if s.mu.stopped || !s.mu.started {
		return nil, ErrStopped
	}
	// A late message for a replica this store destroyed (destroy.go).
	if refused, err := s.tombstoneRefusesLocked(m.RangeID, m.To.ReplicaID); err != nil || refused {
		if err == nil {
			err = &kvpb.RangeNotFoundError{RangeID: m.RangeID, StoreID: s.cfg.StoreID}
		}
		return nil, err
	}
	desc := &kvpb.RangeDescriptor{RangeID: m.RangeID, Replicas: []kvpb.ReplicaDescriptor{m.To}}
	r, err := newReplicaWith(s, desc, false)
	if err != nil {
		return nil, err
	}
	s.mu.replicas[r.rangeID] = r // not routed by key until initialized
	s.cfg.Logger.Info("raftstore: created an uninitialized replica", "range", m.RangeID, "replica", m.To.ReplicaID)
	return r, nil
}

// ChangeReplicas changes the membership of range id from its leader:
// add (a new replica on add.NodeID/add.StoreID, as a learner), promote
// (the learner with add's StoreID becomes a voter) or remove. It returns
// the new descriptor once this replica applied the change. A removed
// replica is destroyed by its store when it applies the change
// (destroy.go); a leader may remove itself, but the range then has no
// leader for an election timeout: move the leadership first
// (TransferLeadership).
func (s *Store) ChangeReplicas(ctx context.Context, id kvpb.RangeID, change ReplicaChange, target kvpb.ReplicaDescriptor) (*kvpb.RangeDescriptor, error) {
	r, err := s.GetReplica(id)
	if err != nil {
		return nil, err
	}
	if s.rightNeighbourFrozen(r.Descriptor()) {
		// merge.go: the frozen range is merged into this one next, on
		// the same stores.
		return nil, fmt.Errorf("raftstore: %s: the range to its right is frozen for a merge into it", id)
	}
	r.mu.Lock()
	if !r.isLeaseholderLocked() {
		err := r.notLeaderErrorLocked()
		r.mu.Unlock()
		return nil, err
	}
	if r.frozenLocked() {
		r.mu.Unlock()
		return nil, &kvpb.RangeFrozenError{RangeID: id} // merge.go: membership is fixed until merged
	}
	old := r.mu.desc
	nd := *old
	nd.Replicas = append([]kvpb.ReplicaDescriptor(nil), old.Replicas...)
	nd.Generation++
	var cc raftpb.ConfChangeSingle
	switch change {
	case AddLearner:
		if _, ok := old.Replica(target.StoreID); ok {
			r.mu.Unlock()
			return nil, fmt.Errorf("raftstore: %s already has a replica on store %s", id, target.StoreID)
		}
		target.ReplicaID, target.Learner = nd.NextReplicaID, true
		nd.NextReplicaID++
		nd.Replicas = append(nd.Replicas, target)
		t := raftpb.ConfChangeType_ConfChangeAddLearnerNode
		rid := uint64(target.ReplicaID)
		cc = raftpb.ConfChangeSingle{Type: &t, NodeId: &rid}
	case Promote, Remove:
		i := -1
		for j, rd := range nd.Replicas {
			if rd.StoreID == target.StoreID {
				i = j
			}
		}
		if i < 0 {
			r.mu.Unlock()
			return nil, fmt.Errorf("raftstore: %s has no replica on store %s", id, target.StoreID)
		}
		rid := uint64(nd.Replicas[i].ReplicaID)
		t := raftpb.ConfChangeType_ConfChangeAddNode
		if change == Remove {
			t = raftpb.ConfChangeType_ConfChangeRemoveNode
			nd.Replicas = append(nd.Replicas[:i], nd.Replicas[i+1:]...)
		} else {
			nd.Replicas[i].Learner = false
		}
		cc = raftpb.ConfChangeSingle{Type: &t, NodeId: &rid}
	}
	ccv2 := &raftpb.ConfChangeV2{Changes: []*raftpb.ConfChangeSingle{&cc}, Context: nd.Marshal()}
	r.unquiesceLocked()
	err = r.mu.rawNode.ProposeConfChange(ccv2)
	r.mu.Unlock()
	if err != nil {
		return nil, err
	}
	s.enqueue(r)
	// Raft keeps one membership change pending at a time (and drops a
	// second one silently): wait until ours applied, or it is clear it
	// will not.
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		d := r.Descriptor()
		if d.Generation >= nd.Generation {
			if bytes.Equal(d.Marshal(), nd.Marshal()) {
				return d, nil
			}
			return nil, errors.New("raftstore: a concurrent membership change won")
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-time.After(5 * time.Millisecond):
		}
	}
	return nil, fmt.Errorf("raftstore: %s: membership change did not apply", id)
}

// ReplicaChange is a kind of membership change.
type ReplicaChange int

// The membership changes.
const (
	AddLearner ReplicaChange = iota
	Promote
	Remove
)

// applyConfChange applies a membership change entry: raft's configuration,
// and, when the entry carries one, the new descriptor (written into the
// apply batch with the entry's index). A change that removes r itself
// marks it for destruction after the batch commits (destroy.go).
func (a *applier) applyConfChange(r *Replica, cc raftpb.ConfChangeI) error {
	var nd *kvpb.RangeDescriptor
	if v2, ok := cc.(*raftpb.ConfChangeV2); ok && len(v2.GetContext()) > 0 {
		d, err := kvpb.UnmarshalRangeDescriptor(v2.GetContext())
		if err != nil {
			return fmt.Errorf("raftstore: %s: membership change context: %w", r.rangeID, err)
		}
		nd = d
	}
	r.mu.Lock()
	old := r.mu.desc
	if nd != nil && nd.Generation != old.Generation+1 {
		// Proposed over a descriptor that has changed since (a split, a
		// merge or another change applied in between): refused, alike on
		// every replica, so raft's membership and the descriptor never
		// part. Raft still needs the entry applied: as a change of node
		// 0, which raft skips (as CockroachDB does with a rejected
		// membership change; an empty ConfChangeV2 would mean "leave the
		// joint configuration", and panic outside one). The proposer sees the generation move
		// without its descriptor (ChangeReplicas' error).
		cs := r.mu.rawNode.ApplyConfChange(noopConfChange())
		r.mu.storage.confState = cs
		r.mu.Unlock()
		return nil
	}
	cs := r.mu.rawNode.ApplyConfChange(cc)
	r.mu.storage.confState = cs
	r.mu.Unlock()
	if nd == nil {
		return nil
	}
	keys := []kvpb.Key{kvpb.RangeDescriptorLocalKey(nd.RangeID), kvpb.RangeDescriptorKey(nd.StartKey)}
	if mk := kvpb.MetaKey(nd.EndKey); old.ContainsKey(mk) {
		// Range 1 addresses itself; any other range's meta entry lives in
		// range 1 and is updated through it (server's meta repair).
		keys = append(keys, mk)
	}
	for _, k := range keys {
		if err := putDescriptor(a.b, k, nd); err != nil {
			return err
		}
	}
	a.descs = append(a.descs, pendingDesc{r: r, desc: nd})
	if removedBy(nd, r.replicaID) {
		if a.removed == nil {
			a.removed = make(map[*Replica]kvpb.ReplicaID)
		}
		a.removed[r] = tombstoneFor(r.replicaID, nd)
	}
	return nil
}

// noopConfChange is a membership change raft applies as nothing: its one
// change names node 0, which etcd raft's confchange skips by design.
func noopConfChange() *raftpb.ConfChangeV2 {
	t := raftpb.ConfChangeType_ConfChangeAddNode
	zero := uint64(0)
	return &raftpb.ConfChangeV2{Changes: []*raftpb.ConfChangeSingle{{Type: &t, NodeId: &zero}}}
}

// pendingDesc is a descriptor an apply batch wrote, installed in memory
// once the batch commits.
type pendingDesc struct {
	r    *Replica
	desc *kvpb.RangeDescriptor
}

// RaftStatus returns the progress of each peer of range id, by replica id,
// as its leader sees it (nil on a follower), and the commit index.
func (s *Store) RaftStatus(id kvpb.RangeID) (match map[kvpb.ReplicaID]uint64, commit uint64, err error) {
	r, err := s.GetReplica(id)
	if err != nil {
		return nil, 0, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.mu.rawNode.Status()
	if st.RaftState != raft.StateLeader {
		return nil, st.GetCommit(), nil
	}
	match = make(map[kvpb.ReplicaID]uint64, len(st.Progress))
	for pid, pr := range st.Progress {
		match[kvpb.ReplicaID(pid)] = pr.Match
	}
	return match, st.GetCommit(), nil
}
