package raftstore

import (
	"bytes"

	"github.com/rangedb/rangedb/kv/kvpb"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
	"go.etcd.io/raft/v3/tracker"
)

// Quiescence: an idle range stops ticking, so ten thousand idle ranges on
// a store send no heartbeats and cost almost no CPU. The design follows
// CockroachDB's (https://www.cockroachlabs.com/blog/scaling-raft/).
//
//  1. At each tick, before ticking it, the scheduler asks an awake leader
//     whether it may quiesce (canQuiesceLocked): it has applied everything
//     committed, its log ends at the commit index, every voter and learner
//     is replicating with Match at that index and was recently active, no
//     proposal, read, membership change or leadership transfer is
//     pending, the range is not frozen by a merge, and it is not range 1
//     (the TSO's range, never idle). It then stops ticking and sends each
//     follower a heartbeat whose Context is quiesceMarker, carrying its
//     term and commit index.
//  2. A follower that gets such a heartbeat quiesces too when it follows
//     that leader in that term and has applied exactly up to the leader's
//     commit index, which is also the end of its log
//     (followerMayQuiesceLocked). Raft's answer to it is dropped: the
//     leader needs none. A follower that may not quiesce steps it as a
//     plain heartbeat, so its answer wakes the leader, which tries again
//     at its next tick.
//  3. A quiesced replica is skipped by tickAll: no Tick, no pass.
//  4. It wakes (unquiesceLocked) on a proposal, a read, a membership
//     change, a leadership transfer, a snapshot, and on every incoming
//     raft message but a quiesce heartbeat; and on Store.Wake and
//     Store.WakeAll, which the server calls when a node's liveness
//     changes: the followers of a range whose leader died then tick
//     again, time out and elect. A woken leader heartbeats at its next
//     tick, which wakes its followers.
//
// Safety does not rest on ticks: reads take a ReadIndex quorum round (its
// heartbeats wake the followers), writes commit through a quorum, and a
// message of a higher term wakes a quiesced leader, which steps down as
// raft says. What a quiesced range gives up is only the detection of a
// dead leader, which liveness (WakeAll) restores.

// quiesceMarker is the Context of a quiesce heartbeat (and of raft's answer
// to it).
var quiesceMarker = []byte("quiesce")

// isQuiesceMessage reports whether m is a quiesce heartbeat or the answer
// to one.
func isQuiesceMessage(m *raftpb.Message) bool {
	t := m.GetType()
	return (t == raftpb.MessageType_MsgHeartbeat || t == raftpb.MessageType_MsgHeartbeatResp) &&
		bytes.Equal(m.GetContext(), quiesceMarker)
}

// mayQuiesceLocked holds the conditions leader and followers share.
func (r *Replica) mayQuiesceLocked() bool {
	return !r.store.cfg.DisableQuiescence && r.rangeID != 1 &&
		!r.mu.stopped && !r.mu.destroyed && len(r.mu.desc.EndKey) > 0 &&
		!r.frozenLocked() && r.pendingLocked() == 0 && r.mu.pendingSnap == nil &&
		len(r.mu.storage.confState.GetVotersOutgoing()) == 0
}

// canQuiesceLocked reports whether r is a leader with nothing left to do
// (see the comment at the top of the file).
func (r *Replica) canQuiesceLocked() bool {
	if !r.mayQuiesceLocked() || !r.isLeaseholderLocked() || r.mu.rawNode.HasReady() {
		return false
	}
	st := r.mu.rawNode.Status()
	last := r.mu.storage.lastIndex
	if st.RaftState != raft.StateLeader || st.GetTerm() != r.mu.term || st.LeadTransferee != 0 ||
		st.GetCommit() != last || st.Applied != last || r.mu.applied.Index != last {
		return false
	}
	cs := r.mu.storage.confState
	if len(st.Progress) != len(cs.GetVoters())+len(cs.GetLearners()) {
		return false
	}
	for id, pr := range st.Progress {
		if pr.Match != last {
			return false
		}
		if id == st.ID {
			continue
		}
		if pr.State != tracker.StateReplicate || !pr.RecentActive {
			return false
		}
		if _, ok := r.replicaDescriptorLocked(id); !ok {
			return false
		}
	}
	return true
}

// replicaDescriptorLocked returns the descriptor of raft peer id.
func (r *Replica) replicaDescriptorLocked(id uint64) (kvpb.ReplicaDescriptor, bool) {
	for _, rd := range r.mu.desc.Replicas {
		if uint64(rd.ReplicaID) == id {
			return rd, true
		}
	}
	return kvpb.ReplicaDescriptor{}, false
}

// maybeQuiesceLocked quiesces an idle leader and returns the quiesce
// heartbeats for its followers; ok is false when r stays awake.
func (r *Replica) maybeQuiesceLocked() (msgs []*RaftMessage, ok bool) {
	if !r.canQuiesceLocked() {
		return nil, false
	}
	from, ok := r.replicaDescriptorLocked(uint64(r.replicaID))
	if !ok {
		return nil, false
	}
	commit, term, self := r.mu.storage.lastIndex, r.mu.term, uint64(r.replicaID)
	for _, rd := range r.mu.desc.Replicas {
		to := uint64(rd.ReplicaID)
		if to == self {
			continue
		}
		typ := raftpb.MessageType_MsgHeartbeat
		m := &raftpb.Message{Type: &typ, From: &self, To: &to, Term: &term, Commit: &commit,
			Context: quiesceMarker}
		msgs = append(msgs, &RaftMessage{RangeID: r.rangeID, From: from, To: rd, Message: m})
	}
	r.quiesceLocked()
	return msgs, true
}

// followerMayQuiesceLocked reports whether a follower getting the quiesce
// heartbeat m may quiesce: it follows m's sender in m's term and has
// applied exactly up to m's commit index, the end of its log.
func (r *Replica) followerMayQuiesceLocked(m *raftpb.Message) bool {
	if !r.mayQuiesceLocked() {
		return false
	}
	st := r.mu.rawNode.BasicStatus()
	c := m.GetCommit()
	return st.RaftState == raft.StateFollower && st.GetTerm() == m.GetTerm() && st.Lead == m.GetFrom() &&
		r.mu.applied.Index == c && r.mu.storage.lastIndex == c
}

// stepQuiesceHeartbeatLocked steps the quiesce heartbeat m into a follower
// and quiesces it if it may; otherwise it wakes r and steps m as a plain
// heartbeat, whose answer wakes the leader.
func (r *Replica) stepQuiesceHeartbeatLocked(m *raftpb.Message) error {
	if r.followerMayQuiesceLocked(m) {
		if err := r.mu.rawNode.Step(m); err != nil {
			r.unquiesceLocked()
			return err
		}
		r.quiesceLocked()
		return nil
	}
	r.unquiesceLocked()
	plain := &raftpb.Message{Type: m.Type, From: m.From, To: m.To, Term: m.Term, Commit: m.Commit}
	return r.mu.rawNode.Step(plain)
}

// quiesceLocked stops r's ticking.
func (r *Replica) quiesceLocked() {
	if !r.mu.quiesced {
		r.mu.quiesced = true
		r.quiesced.Store(true)
	}
}

// unquiesceLocked makes r tick again.
func (r *Replica) unquiesceLocked() {
	if r.mu.quiesced {
		r.mu.quiesced = false
		r.quiesced.Store(false)
	}
}

// Wake makes range id's replica tick again if it was quiesced (a no-op for
// a range this store does not hold).
func (s *Store) Wake(id kvpb.RangeID) {
	r, err := s.GetReplica(id)
	if err != nil {
		return
	}
	r.mu.Lock()
	r.unquiesceLocked()
	r.mu.Unlock()
}

// WakeAll wakes every quiesced replica of the store. The server calls it
// when a node's liveness changes: the followers of ranges a dead node led
// then time out and elect a new leader.
func (s *Store) WakeAll() {
	for _, r := range s.replicaList() {
		if r.quiesced.Load() {
			r.mu.Lock()
			r.unquiesceLocked()
			r.mu.Unlock()
		}
	}
}

// QuiescedCount returns how many of the store's replicas are quiesced.
func (s *Store) QuiescedCount() int {
	n := 0
	for _, r := range s.replicaList() {
		if r.quiesced.Load() {
			n++
		}
	}
	return n
}

// Quiesced reports whether range id's replica on this store is quiesced
// (then every replica of the range has everything its leader has).
func (s *Store) Quiesced(id kvpb.RangeID) bool {
	r, err := s.GetReplica(id)
	return err == nil && r.quiesced.Load()
}
