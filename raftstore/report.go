package raftstore

import (
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/kv/mvcc"
	"go.etcd.io/raft/v3"
)

// ReplicaCounts returns how many initialized replicas the store holds and
// how many of them lead their range (as of each one's last Ready): what a
// node reports in its liveness record. A replica still waiting for its
// first snapshot holds no data yet and is not counted.
func (s *Store) ReplicaCounts() (replicas, leaders int) {
	for _, r := range s.replicaList() {
		r.mu.Lock()
		if !r.mu.destroyed && len(r.mu.desc.EndKey) > 0 {
			replicas++
			if r.mu.raftState == raft.StateLeader {
				leaders++
			}
		}
		r.mu.Unlock()
	}
	return replicas, leaders
}

// ReplicaInfo is one initialized replica of the store as the node's range
// listings and meta repair see it.
type ReplicaInfo struct {
	Desc kvpb.RangeDescriptor
	// Leader is true when the replica leads its range and has applied an
	// entry of its term (it may serve).
	Leader bool
	// LeaderReplica is the raft id of the leader it knows (0: none).
	LeaderReplica kvpb.ReplicaID
	// WrittenBytes and ReadBytes count what this replica proposed and
	// what its reads returned since it was loaded: the range's traffic
	// while it leads.
	WrittenBytes, ReadBytes int64
}

// Replicas lists the store's initialized replicas in key order.
func (s *Store) Replicas() []ReplicaInfo {
	s.mu.RLock()
	entries := append([]routeEntry(nil), s.mu.byEnd...)
	s.mu.RUnlock()
	out := make([]ReplicaInfo, 0, len(entries))
	for _, e := range entries {
		r := e.r
		r.mu.Lock()
		if !r.mu.destroyed && len(r.mu.desc.EndKey) > 0 {
			out = append(out, ReplicaInfo{Desc: *r.mu.desc, Leader: r.isLeaseholderLocked(), LeaderReplica: kvpb.ReplicaID(r.mu.leader),
				WrittenBytes: r.writtenBytes.Load(), ReadBytes: r.readBytes.Load()})
		}
		r.mu.Unlock()
	}
	return out
}

// RangeStats estimates the size of range id's user data on this store:
// bytes on disk (Pebble's estimate, which counts whole files overlapping
// the span) and the number of live row keys, counted up to maxKeys (0: no
// limit).
func (s *Store) RangeStats(id kvpb.RangeID, maxKeys int64) (bytes, keys int64, err error) {
	r, err := s.GetReplica(id)
	if err != nil {
		return 0, 0, err
	}
	d := r.Descriptor()
	if len(d.EndKey) == 0 {
		return 0, 0, &kvpb.RangeNotFoundError{RangeID: id, StoreID: s.cfg.StoreID}
	}
	start, end := engineKey(d.StartKey), engineKey(d.EndKey)
	u, err := s.cfg.Engine.EstimateDiskUsage(start, end)
	if err != nil {
		return 0, 0, err
	}
	keys, err = mvcc.CountKeys(s.cfg.Engine, kvpb.Span{Key: d.StartKey, EndKey: d.EndKey}, maxKeys)
	return int64(u), keys, err
}
