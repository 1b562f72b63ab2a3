package server

import (
	"context"
	"fmt"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/raftstore"
)

// Consistency checks and membership hooks for tests and tools: they reach
// this node's store directly, never through the network.

// Serving reports whether the node has started serving and has not been
// stopped.
func (s *Server) Serving() bool {
	select {
	case <-s.ready:
		return s.stopCtx.Err() == nil
	default:
		return false
	}
}

// ComputeRangeChecksum starts a consistency checksum of range id on this
// node, which must lead the range (*kvpb.NotLeaderError otherwise): every
// replica computes it when it applies the command. It returns the
// checksum's id and the log index it is computed at (raftstore.Store.
// ComputeChecksum).
func (s *Server) ComputeRangeChecksum(ctx context.Context, id kvpb.RangeID) (checksumID, index uint64, err error) {
	if !s.Serving() {
		return 0, 0, raftstore.ErrStopped
	}
	return s.store.ComputeChecksum(ctx, id)
}

// RangeChecksum returns this node's checksum checksumID of range id and
// the index it was computed at; ok is false while the replica has not
// computed it (or never will: it is not a replica, or skipped the entry).
func (s *Server) RangeChecksum(id kvpb.RangeID, checksumID uint64) (sum []byte, index uint64, ok bool) {
	if !s.Serving() {
		return nil, 0, false
	}
	return s.store.Checksum(id, checksumID)
}

// RangeDescriptor returns this node's descriptor of range id, or
// *kvpb.RangeNotFoundError when the node holds no replica of it.
func (s *Server) RangeDescriptor(id kvpb.RangeID) (*kvpb.RangeDescriptor, error) {
	if !s.Serving() {
		return nil, raftstore.ErrStopped
	}
	return s.store.Descriptor(id)
}

// RemoveRangeReplica removes node's replica of range id; this node must
// lead the range (*kvpb.NotLeaderError otherwise). The removed replica is
// destroyed by its store once it applies the change. Asked to remove its
// own replica, the node hands the leadership to another voter instead and
// answers with a NotLeaderError naming it, for the caller to ask there:
// a leader removing itself would leave the range without one for an
// election timeout.
func (s *Server) RemoveRangeReplica(ctx context.Context, id kvpb.RangeID, node kvpb.NodeID) error {
	if !s.Serving() {
		return raftstore.ErrStopped
	}
	desc, err := s.store.Descriptor(id)
	if err != nil {
		return err
	}
	var target kvpb.ReplicaDescriptor
	for _, rd := range desc.Replicas {
		if rd.NodeID == node {
			target = rd
		}
	}
	if target.ReplicaID == 0 {
		return fmt.Errorf("range %s has no replica on node %s", id, node)
	}
	if target.StoreID == s.ident.StoreID {
		for _, rd := range desc.Replicas {
			if rd.StoreID != target.StoreID && !rd.Learner {
				if err := s.store.TransferLeadership(ctx, id, rd.StoreID); err != nil {
					return err
				}
				return &kvpb.NotLeaderError{RangeID: id, Leader: rd}
			}
		}
	}
	_, err = s.store.ChangeReplicas(ctx, id, raftstore.Remove, target)
	return err
}
