package raftstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"go.etcd.io/raft/v3"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// Merges: split's inverse (after CockroachDB's range-merge RFC, our own
// code). Two adjacent ranges L = [a, b) and R = [b, c), neither range 1,
// whose replicas are on exactly the same stores, all voters, both led
// from this store, become one range [a, c) with L's id. Store.MergeRanges
// runs it, from L's and R's leader:
//
//  1. Subsume: an AdminSubsumeRequest (R's generation) is proposed to R.
//     From the proposal on, R's leader takes no new proposal or read
//     (r.mu.freezing: *kvpb.RangeFrozenError, which kv.DistSender retries
//     for a while); when it applies, in a synced batch with its applied
//     index, every R replica writes a frozen record (rangeFrozenKey: the
//     left range's id and the subsume index) and from then on refuses
//     every read and write — at Send, at proposal, after a read's
//     beforeRead, and at apply, where any command ordered after the
//     subsume fails deterministically, so R's state is final at the
//     subsume index on every replica. A restart keeps it frozen. The
//     response carries that index and the leader's maxReadTs.
//  2. Wait: every replica of R, on every store, has applied the subsume
//     index (kvpb.WaitAppliedRequest through the node RPCs; the local one
//     directly). Since the subsume batch is synced, that is durable.
//  3. Merge: an AdminMergeRequest (L's generation, R's descriptor, the
//     subsume index, R's maxReadTs) is proposed to L. Every L replica
//     applies it: with a different L generation, or a right side that is
//     not L's co-located neighbour, it fails deterministically, writing
//     nothing. Otherwise the store's R replica must exist, be frozen at
//     that subsume index, have applied it and span [b, c) at R's
//     generation — if not the store fails (fail-stop) rather than lose
//     R's data. Then, in one synced batch with the entry's applied index:
//     L's descriptor copies become [a, c) at generation max(L, R) + 1,
//     R's /Local/RangeID state (log, HardState, applied state,
//     descriptor, frozen record) and its /Local/Range descriptor copy are
//     deleted, and R gets the merged tombstone (no replica id is ever
//     allowed again, so a late message creates nothing). After the
//     commit R's replica stops (its waiters get RangeFrozenError: nothing
//     of theirs applied) and leaves the routing, and L routes [a, c). The
//     data stay where they are: engine keys and /Local/Lock/<key> are by
//     user key. L inherits R's maxReadTs and must raise its one-phase
//     read floor from the TSO again (floorTerm reset), so no one-phase
//     commit on R's old keys lands at or below a read R served.
//
// Once R is subsumed the merge only rolls forward: a frozen R stays
// frozen until merged, and MergeRanges called again for it (the server's
// recovery loop does, from the node that leads R and its left neighbour)
// skips step 1 and runs steps 2–3. The placement driver must therefore
// not change L's or R's membership, nor split L, while R is frozen
// (Store.Frozen tells): an L replica on a store without R's replica would
// fail that store. ChangeReplicas refuses both (R frozen, or the range to
// L's right frozen on this store) as a backstop, not a guarantee. Meta entries (range 1) are the caller's to rewrite, as
// for a split; a request still routed to R is answered by the store with
// a RangeKeyMismatchError carrying the merged descriptor
// (mergedMismatch).
//
// Not handled: an L follower that misses the merge entry in its log and
// needs a snapshot of the wider range refuses it (snapstream.go) and
// stays behind until the log reaches it again.

// mergedTombstone is the tombstone of a range merged away: no replica id
// is at or above it, so the store never creates the range again.
const mergedTombstone = kvpb.ReplicaID(math.MaxUint64)

// frozenFormat is the format byte of the frozen record.
const frozenFormat byte = 1

// rangeFrozenKey is /Local/RangeID/<id>/r/frzn: the frozen record of a
// subsumed range (replicated, so a snapshot carries it).
func rangeFrozenKey(id kvpb.RangeID) kvpb.Key {
	return append(kvpb.RangeIDReplicatedPrefix(id), "frzn"...)
}

// frozenState is a subsumed range's frozen record.
type frozenState struct {
	left  kvpb.RangeID
	index uint64
}

func (f *frozenState) encode() []byte {
	var w kvpb.Writer
	w.Byte(frozenFormat)
	w.Uvarint(uint64(f.left))
	w.Uvarint(f.index)
	return w.Bytes()
}

// loadFrozen reads range id's frozen record; nil when it is not frozen.
func loadFrozen(r pebble.Reader, id kvpb.RangeID) (*frozenState, error) {
	v, ok, err := getValue(r, rangeFrozenKey(id))
	if err != nil || !ok {
		return nil, err
	}
	rd := kvpb.NewReader(v)
	if f := rd.Byte(); rd.Err() == nil && f != frozenFormat {
		return nil, fmt.Errorf("raftstore: frozen record format %d unknown", f)
	}
	f := &frozenState{left: kvpb.RangeID(rd.Uvarint()), index: rd.Uvarint()}
	if rd.Err() != nil {
		return nil, fmt.Errorf("raftstore: decoding frozen record: %w", rd.Err())
	}
	return f, nil
}

// frozenLocked reports whether r takes no new work for a merge. r.mu is
// held.
func (r *Replica) frozenLocked() bool { return r.mu.freezing || r.mu.frozen != nil }

func (r *Replica) frozen() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.frozenLocked()
}

// subsumed reports whether r applied its subsume: every later command is
// refused at apply (freezing, the proposer's state, does not count there).
func (r *Replica) subsumed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mu.frozen != nil
}

// Frozen reports whether this store's replica of range id is subsumed by
// a merge that has not completed here (or its subsume is being proposed):
// the placement driver must then leave the range, and its left
// neighbour, alone.
func (s *Store) Frozen(id kvpb.RangeID) bool {
	r, err := s.GetReplica(id)
	return err == nil && r.frozen()
}

// FrozenLeft returns the range a frozen range id is being merged into.
func (s *Store) FrozenLeft(id kvpb.RangeID) (kvpb.RangeID, bool) {
	r, err := s.GetReplica(id)
	if err != nil {
		return 0, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mu.frozen == nil {
		return 0, false
	}
	return r.mu.frozen.left, true
}

// rightNeighbourFrozen reports whether this store's replica of the range
// starting where d ends is frozen (its merge into d's range is pending).
func (s *Store) rightNeighbourFrozen(d *kvpb.RangeDescriptor) bool {
	if len(d.EndKey) == 0 {
		return false
	}
	o := s.replicaForKey(d.EndKey)
	return o != nil && o.Descriptor().StartKey.Equal(d.EndKey) && o.frozen()
}

// checkMergeable checks that r can be merged into l: neither is range 1,
// they are adjacent, and their replicas are on the same stores, all
// voters.
func checkMergeable(l, r *kvpb.RangeDescriptor) error {
	if l.RangeID == 1 || r.RangeID == 1 {
		return errors.New("raftstore: range 1 is never merged")
	}
	if l.RangeID == r.RangeID {
		return fmt.Errorf("raftstore: cannot merge %s with itself", l.RangeID)
	}
	if !l.EndKey.Equal(r.StartKey) || len(l.EndKey) == 0 {
		return fmt.Errorf("raftstore: %s and %s are not adjacent", l, r)
	}
	if len(l.Replicas) != len(r.Replicas) {
		return fmt.Errorf("raftstore: %s and %s are not co-located", l, r)
	}
	for _, rd := range l.Replicas {
		o, ok := r.Replica(rd.StoreID)
		if !ok || rd.Learner || o.Learner || o.NodeID != rd.NodeID {
			return fmt.Errorf("raftstore: %s and %s are not co-located voters", l, r)
		}
	}
	return nil
}

// MergeRanges merges range rightID into its left neighbour leftID (steps
// 1–3 above) and returns the merged descriptor. This store's replicas
// must lead both ranges and the ranges must be co-located voters
// (checked: a plain error, or *kvpb.NotLeaderError, with nothing done).
// waitApplied must return once the replica of rangeID on node has
// applied index (it is called for every other store's replica). An error
// after the subsume leaves the right range frozen: call MergeRanges again
// (it then skips the subsume). The caller updates meta.
func (s *Store) MergeRanges(ctx context.Context, leftID, rightID kvpb.RangeID,
	waitApplied func(ctx context.Context, node kvpb.NodeID, rangeID kvpb.RangeID, index uint64) error) (*kvpb.RangeDescriptor, error) {
	if err := s.Failed(); err != nil {
		return nil, err
	}
	l, err := s.GetReplica(leftID)
	if err != nil {
		return nil, err
	}
	r, err := s.GetReplica(rightID)
	if err != nil {
		return nil, err
	}
	ld, rd := l.Descriptor(), r.Descriptor()
	if err := checkMergeable(ld, rd); err != nil {
		return nil, err
	}
	if err := s.checkLeads(l); err != nil {
		return nil, err
	}
	if l.frozen() {
		return nil, fmt.Errorf("raftstore: %s is itself being merged into its left neighbour", leftID)
	}
	sub, err := s.subsume(ctx, l, r)
	if err != nil {
		return nil, err
	}
	for _, rep := range sub.Desc.Replicas {
		var err error
		if rep.StoreID == s.cfg.StoreID {
			err = r.waitAppliedLocal(ctx, sub.Index)
		} else {
			err = waitApplied(ctx, rep.NodeID, rightID, sub.Index)
		}
		if err != nil {
			return nil, fmt.Errorf("raftstore: merge of %s into %s: waiting for %s on node %s to apply the subsume: %w (the range stays frozen)",
				rightID, leftID, rightID, rep.NodeID, err)
		}
	}
	ld = l.Descriptor()
	if err := checkMergeable(ld, &sub.Desc); err != nil {
		return nil, fmt.Errorf("%w (the right range stays frozen)", err)
	}
	br, err := l.propose(ctx, []kvpb.Request{&kvpb.AdminMergeRequest{LeftGeneration: ld.Generation, RightDesc: sub.Desc,
		SubsumeIndex: sub.Index, RightMaxReadTs: sub.MaxReadTs}})
	if err != nil {
		return nil, err
	}
	m := br.Responses[0].(*kvpb.AdminMergeResponse).Merged
	return &m, nil
}

// Subsume runs step 1 alone: it freezes range rightID for a merge into
// leftID (same checks as MergeRanges) and returns the subsume's index and
// the leader's maxReadTs. A range frozen already answers its frozen
// record. The merge must then be finished (MergeRanges, or the server's
// recovery); it exists on its own for tests of that recovery.
func (s *Store) Subsume(ctx context.Context, leftID, rightID kvpb.RangeID) (*kvpb.AdminSubsumeResponse, error) {
	l, err := s.GetReplica(leftID)
	if err != nil {
		return nil, err
	}
	r, err := s.GetReplica(rightID)
	if err != nil {
		return nil, err
	}
	if err := checkMergeable(l.Descriptor(), r.Descriptor()); err != nil {
		return nil, err
	}
	if err := s.checkLeads(l); err != nil {
		return nil, err
	}
	sub, err := s.subsume(ctx, l, r)
	if err != nil {
		return nil, err
	}
	return &sub, nil
}

// subsume is step 1 for r into l, or, when r is frozen already, its
// frozen record.
func (s *Store) subsume(ctx context.Context, l, r *Replica) (kvpb.AdminSubsumeResponse, error) {
	r.mu.Lock()
	f, rd := r.mu.frozen, r.mu.desc
	r.mu.Unlock()
	if f != nil {
		// Subsumed before (a merge that stopped half-way): finish it.
		r.conc.mu.Lock()
		defer r.conc.mu.Unlock()
		return kvpb.AdminSubsumeResponse{Desc: *rd, Index: f.index, MaxReadTs: r.conc.maxReadTs}, nil
	}
	if err := s.checkLeads(r); err != nil {
		return kvpb.AdminSubsumeResponse{}, err
	}
	resp, err := r.proposeSubsume(ctx, &kvpb.AdminSubsumeRequest{Generation: rd.Generation, LeftRangeID: l.rangeID})
	if err != nil {
		return kvpb.AdminSubsumeResponse{}, err
	}
	return *resp, nil
}

// checkLeads returns nil if r leads its range and applied an entry of its
// term, else its NotLeaderError.
func (s *Store) checkLeads(r *Replica) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.mu.stopped {
		return r.stoppedErrorLocked()
	}
	if !r.isLeaseholderLocked() {
		return r.notLeaderErrorLocked()
	}
	return nil
}

// proposeSubsume proposes req on r, its leader, which takes no other
// proposal or read from then on (freezing) until it fails or applies (and
// the replica is frozen for good).
func (r *Replica) proposeSubsume(ctx context.Context, req *kvpb.AdminSubsumeRequest) (*kvpb.AdminSubsumeResponse, error) {
	s := r.store
	id := s.nextID()
	data := encodeCommand(id, []kvpb.Request{req})
	p := &proposal{id: id, done: make(chan proposalResult, 1)}
	if err := func() error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := r.admitProposalLocked(); err != nil {
			return err
		}
		r.mu.freezing = true
		if err := r.proposeLocked(p, data); err != nil {
			r.mu.freezing = false
			return err
		}
		return nil
	}(); err != nil {
		return nil, err
	}
	s.enqueue(r)
	res := r.await(ctx, p)
	r.mu.Lock()
	r.mu.freezing = false // frozen, if it applied
	r.mu.Unlock()
	if res.err != nil {
		return nil, res.err
	}
	return res.resp.Responses[0].(*kvpb.AdminSubsumeResponse), nil
}

// waitAppliedLocal waits until r applied index.
func (r *Replica) waitAppliedLocal(ctx context.Context, index uint64) error {
	for {
		r.mu.Lock()
		applied, destroyed := r.mu.applied.Index, r.mu.destroyed
		r.mu.Unlock()
		if applied >= index {
			return nil
		}
		if destroyed {
			return &kvpb.RangeNotFoundError{RangeID: r.rangeID, StoreID: r.store.cfg.StoreID}
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-r.store.failedCh:
			return r.store.Failed()
		case <-time.After(2 * time.Millisecond):
		}
	}
}

// waitApplied serves a WaitAppliedRequest on any replica, leader or not.
func (s *Store) waitApplied(ctx context.Context, req *kvpb.WaitAppliedRequest) (*kvpb.BatchResponse, error) {
	answer := func(applied uint64) (*kvpb.BatchResponse, error) {
		return &kvpb.BatchResponse{Responses: []kvpb.Response{&kvpb.WaitAppliedResponse{Applied: applied}}}, nil
	}
	r, err := s.GetReplica(req.RangeID)
	if err != nil {
		if next, terr := loadTombstone(s.cfg.Engine, req.RangeID); terr == nil && next == mergedTombstone {
			return answer(req.Index) // merged here: it applied everything
		}
		return nil, err
	}
	wait := time.Duration(min(req.WaitMillis, kvpb.MaxWaitAppliedMillis)) * time.Millisecond
	wctx, cancel := context.WithTimeout(ctx, wait)
	defer cancel()
	err = r.waitAppliedLocal(wctx, req.Index)
	if err == nil || (errors.Is(err, context.DeadlineExceeded) && ctx.Err() == nil) {
		r.mu.Lock()
		applied := r.mu.applied.Index
		r.mu.Unlock()
		return answer(applied)
	}
	var rnf *kvpb.RangeNotFoundError
	if errors.As(err, &rnf) {
		// Destroyed meanwhile: merged (or removed) here.
		if next, terr := loadTombstone(s.cfg.Engine, req.RangeID); terr == nil && next == mergedTombstone {
			return answer(req.Index)
		}
	}
	return nil, err
}

// mergedMismatch answers a batch addressed to a range this store merged
// away: a RangeKeyMismatchError with the descriptor of the replica now
// holding the batch's first key, or nil when there is none.
func (s *Store) mergedMismatch(ba *kvpb.BatchRequest) error {
	next, err := loadTombstone(s.cfg.Engine, ba.RangeID)
	if err != nil || next != mergedTombstone {
		return nil
	}
	k := ba.Requests[0].Header()
	o := s.replicaForKey(k)
	if o == nil {
		return nil
	}
	d := o.Descriptor()
	if len(d.EndKey) == 0 {
		return nil
	}
	return &kvpb.RangeKeyMismatchError{Key: k, Ranges: []kvpb.RangeDescriptor{*d}}
}

// applySubsume applies a subsume entry of r at pos: r is frozen from this
// entry on, on every replica.
func (a *applier) applySubsume(r *Replica, pos logPosition, proposalID uint64, req *kvpb.AdminSubsumeRequest) error {
	if err := a.flush(); err != nil {
		return err
	}
	desc := r.Descriptor()
	var evalErr error
	switch {
	case desc.RangeID == 1:
		evalErr = errors.New("raftstore: range 1 is never merged")
	case req.Generation != desc.Generation:
		evalErr = fmt.Errorf("raftstore: subsume of %s expected generation %d, found %d", desc.RangeID, req.Generation, desc.Generation)
	case req.LeftRangeID == 0 || req.LeftRangeID == desc.RangeID:
		evalErr = fmt.Errorf("raftstore: subsume of %s into %s", desc.RangeID, req.LeftRangeID)
	}
	if evalErr != nil {
		a.results = append(a.results, applyResult{r: r, proposalID: proposalID, res: proposalResult{err: evalErr}})
		return nil
	}
	f := &frozenState{left: req.LeftRangeID, index: pos.Index}
	if err := a.b.Set(engineKey(rangeFrozenKey(r.rangeID)), f.encode(), nil); err != nil {
		return err
	}
	a.applied[r] = pos
	// Synced: a WaitAppliedRequest answered from applied ≥ index then
	// means the freeze is durable, so no restart can bring back an
	// unfrozen R under a merged L.
	if err := a.flushWith(pebble.Sync); err != nil {
		return err
	}
	r.mu.Lock()
	r.mu.frozen = f
	r.mu.Unlock()
	r.conc.mu.Lock()
	maxRead := r.conc.maxReadTs
	r.conc.mu.Unlock()
	a.results = append(a.results, applyResult{r: r, proposalID: proposalID, res: proposalResult{resp: &kvpb.BatchResponse{
		Responses: []kvpb.Response{&kvpb.AdminSubsumeResponse{Desc: *desc, Index: pos.Index, MaxReadTs: maxRead}}}}})
	r.store.cfg.Logger.Info("raftstore: range frozen for a merge", "range", r.rangeID, "left", req.LeftRangeID, "index", pos.Index)
	return nil
}

// applyMerge applies a merge entry of l at pos (see above).
func (a *applier) applyMerge(l *Replica, pos logPosition, proposalID uint64, req *kvpb.AdminMergeRequest) error {
	if err := a.flush(); err != nil {
		return err
	}
	s := l.store
	ld := l.Descriptor()
	rd := &req.RightDesc
	var evalErr error
	if req.LeftGeneration != ld.Generation {
		evalErr = fmt.Errorf("raftstore: merge into %s expected generation %d, found %d", ld.RangeID, req.LeftGeneration, ld.Generation)
	} else {
		evalErr = checkMergeable(ld, rd)
	}
	if evalErr != nil {
		a.results = append(a.results, applyResult{r: l, proposalID: proposalID, res: proposalResult{err: evalErr}})
		return nil
	}
	// From here on a mismatch is not the command's fault but a broken
	// precondition of this store: failing it keeps R's data.
	rr, err := s.GetReplica(rd.RangeID)
	if err != nil {
		return fmt.Errorf("raftstore: merge of %s into %s at index %d: store %s has no replica of %s",
			rd.RangeID, ld.RangeID, pos.Index, s.cfg.StoreID, rd.RangeID)
	}
	rr.mu.Lock()
	f, applied, cur, destroyed := rr.mu.frozen, rr.mu.applied, rr.mu.desc, rr.mu.destroyed
	rr.mu.Unlock()
	if destroyed || f == nil || f.index != req.SubsumeIndex || applied.Index < req.SubsumeIndex ||
		!cur.StartKey.Equal(rd.StartKey) || !cur.EndKey.Equal(rd.EndKey) || cur.Generation != rd.Generation {
		return fmt.Errorf("raftstore: merge of %s into %s at index %d: store %s's replica of %s is not frozen at subsume index %d "+
			"(frozen %v, applied %d, %s)", rd.RangeID, ld.RangeID, pos.Index, s.cfg.StoreID, rd.RangeID, req.SubsumeIndex, f, applied.Index, cur)
	}
	m := *ld
	m.EndKey = append(kvpb.Key(nil), rd.EndKey...)
	m.Generation = max(ld.Generation, rd.Generation) + 1
	m.Replicas = slices.Clone(ld.Replicas)
	b := a.b
	for _, k := range []kvpb.Key{kvpb.RangeDescriptorLocalKey(m.RangeID), kvpb.RangeDescriptorKey(m.StartKey)} {
		if err := putDescriptor(b, k, &m); err != nil {
			return err
		}
	}
	if err := b.Delete(engineKey(kvpb.RangeDescriptorKey(rd.StartKey)), nil); err != nil {
		return err
	}
	span := kvpb.RangeIDPrefixSpan(rd.RangeID)
	if err := b.DeleteRange(engineKey(span.Key), engineKey(span.EndKey), nil); err != nil {
		return err
	}
	// Later in the batch than the deletion of its span: it survives.
	if err := b.Set(engineKey(kvpb.RaftReplicaTombstoneKey(rd.RangeID)), encodeTombstone(mergedTombstone), nil); err != nil {
		return err
	}
	if a.merged == nil {
		a.merged = make(map[*Replica]bool)
	}
	a.merged[rr] = true
	a.applied[l] = pos
	a.results = append(a.results, applyResult{r: l, proposalID: proposalID,
		res: proposalResult{resp: &kvpb.BatchResponse{Responses: []kvpb.Response{&kvpb.AdminMergeResponse{Merged: m}}}}})
	if err := a.flushWith(pebble.Sync); err != nil {
		return err
	}
	s.installMerge(l, rr, &m, req.RightMaxReadTs)
	return nil
}

// installMerge makes a committed merge the store's state in memory: rr
// stops and leaves the routing, l routes the merged span m and inherits
// rr's read timestamps.
func (s *Store) installMerge(l, rr *Replica, m *kvpb.RangeDescriptor, rightMaxRead kvpb.Timestamp) {
	rr.mu.Lock()
	rr.takePendingSnapshotLocked(nil)
	rr.mu.stopped, rr.mu.destroyed = true, true
	rr.mu.raftState = raft.StateFollower
	// Nothing pending on rr can apply any more (it would be refused as
	// frozen anywhere): a definite, retryable failure.
	frozenErr := &kvpb.RangeFrozenError{RangeID: rr.rangeID}
	rr.failWaitersLocked(frozenErr, frozenErr)
	rr.mu.Unlock()
	rr.conc.mu.Lock()
	inherited := max(rr.conc.maxReadTs, rightMaxRead)
	rr.conc.mu.Unlock()

	l.conc.mu.Lock()
	l.conc.maxReadTs = max(l.conc.maxReadTs, inherited)
	// Reads R's earlier leaders served are not all in maxReadTs: the
	// next one-phase commit raises the floor from the TSO first.
	l.conc.floorTerm = 0
	l.conc.mu.Unlock()
	l.mu.Lock()
	l.mu.desc = m
	l.mu.Unlock()

	s.mu.Lock()
	if s.mu.replicas[rr.rangeID] == rr {
		delete(s.mu.replicas, rr.rangeID)
	}
	s.mu.byEnd = slices.DeleteFunc(s.mu.byEnd, func(e routeEntry) bool { return e.r == rr || e.r == l })
	s.addReplicaLocked(l, m)
	s.mu.Unlock()
	s.sched.Lock()
	delete(s.sched.dirty, rr)
	s.sched.Unlock()
	s.cfg.Logger.Info("raftstore: merged", "left", l.rangeID, "right", rr.rangeID, "span", kvpb.Span{Key: m.StartKey, EndKey: m.EndKey}.String())
}
