package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/raftstore"
)

// Hooks for tests and tools on a cluster of many ranges: like those of
// consistency.go they read this node's store directly, never through the
// network, and answer nothing (or raftstore.ErrStopped) on a node that is
// not serving.

// RangeIDs returns the ids of the ranges this node's store holds an
// initialized replica of, voter or learner, in key order. A replica still
// waiting for its first snapshot is left out.
func (s *Server) RangeIDs() []kvpb.RangeID {
	if !s.Serving() {
		return nil
	}
	reps := s.store.Replicas()
	out := make([]kvpb.RangeID, 0, len(reps))
	for _, ri := range reps {
		out = append(out, ri.Desc.RangeID)
	}
	return out
}

// LeadsRange reports whether this node's replica of range id leads it
// (raftstore.Store.LeaderTerm: it leads and has applied an entry of its
// term).
func (s *Server) LeadsRange(id kvpb.RangeID) bool {
	if !s.Serving() {
		return false
	}
	_, ok := s.store.LeaderTerm(id)
	return ok
}

// TransferRangeLeadership hands the leadership of range id, which this
// node must lead (*kvpb.NotLeaderError otherwise), to the voter on node
// target, and waits until this replica sees it lead or the transfer gives
// up (raftstore.Store.TransferLeadership).
func (s *Server) TransferRangeLeadership(ctx context.Context, id kvpb.RangeID, target kvpb.NodeID) error {
	if !s.Serving() {
		return raftstore.ErrStopped
	}
	desc, err := s.store.Descriptor(id)
	if err != nil {
		return err
	}
	for _, rd := range desc.Replicas {
		if rd.NodeID == target && !rd.Learner {
			return s.store.TransferLeadership(ctx, id, rd.StoreID)
		}
	}
	return fmt.Errorf("range %s has no voter on node %s", id, target)
}

// RangeProgress returns, on range id's leader, how far each node's
// replica has the log (its match index) and the commit index; nil
// elsewhere. Range1Progress is RangeProgress(1).
func (s *Server) RangeProgress(id kvpb.RangeID) (map[kvpb.NodeID]uint64, uint64) {
	if !s.Serving() {
		return nil, 0
	}
	match, commit, err := s.store.RaftStatus(id)
	if err != nil || match == nil {
		return nil, commit
	}
	desc, err := s.store.Descriptor(id)
	if err != nil {
		return nil, commit
	}
	out := map[kvpb.NodeID]uint64{}
	for _, rd := range desc.Replicas {
		out[rd.NodeID] = match[rd.ReplicaID]
	}
	return out, commit
}

// MergeRangesForTesting merges range rightID into its left neighbour
// leftID from this node, which must lead both, co-located
// (mergeRanges), and returns the merged descriptor.
func (s *Server) MergeRangesForTesting(ctx context.Context, leftID, rightID kvpb.RangeID) (*kvpb.RangeDescriptor, error) {
	return s.mergeRanges(ctx, leftID, rightID)
}

// SubsumeRangeForTesting freezes range rightID for a merge into leftID
// (raftstore.Store.Subsume) and stops there, as a coordinator dying
// after the subsume would: the merge recovery (finishMerges) must finish
// it.
func (s *Server) SubsumeRangeForTesting(ctx context.Context, leftID, rightID kvpb.RangeID) error {
	if !s.Serving() {
		return raftstore.ErrStopped
	}
	_, err := s.store.Subsume(ctx, leftID, rightID)
	return err
}

// RangeFrozen reports whether this node's replica of range id is frozen
// by a merge (raftstore.Store.Frozen).
func (s *Server) RangeFrozen(id kvpb.RangeID) bool {
	return s.Serving() && s.store.Frozen(id)
}

// RangeLiveBytes measures the live data of this store's replica of range
// id (what the placement driver splits and merges by).
func (s *Server) RangeLiveBytes(id kvpb.RangeID) (int64, error) {
	if s.store == nil {
		return 0, errors.New("no store")
	}
	rs, err := s.store.RangeSize(id)
	return rs.LiveBytes, err
}

// ReplicaCounts returns how many replicas this store holds and leads.
func (s *Server) ReplicaCounts() (replicas, leaders int) {
	if s.store == nil {
		return 0, 0
	}
	return s.store.ReplicaCounts()
}

// PlacementActive reports whether this node's placement driver decides.
func (s *Server) PlacementActive() bool {
	return s.placement != nil && s.placement.activeTerm.Load() != 0
}

// PausePlacementForTesting stops this node's placement driver from
// deciding, and waits (up to ctx) until none of its ops runs: the ranges
// then stay as they are (tests that compare replicas, say).
func (s *Server) PausePlacementForTesting(ctx context.Context) error {
	d := s.placement
	if d == nil {
		return nil
	}
	d.paused.Store(true)
	for {
		d.flight.mu.Lock()
		n := len(d.flight.running)
		d.flight.mu.Unlock()
		if n == 0 {
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
}
