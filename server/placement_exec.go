package server

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/raftstore"
)

// The placement driver's hands on every node: a node answers a
// StoreReportRequest with its store's report and carries out the
// PlacementOps the driver sends it for the ranges its store leads. Both
// arrive through the node's Batch RPC (nodeSender) or, on the driver's
// own node, directly.

// nodeSender is the sender behind the node's Batch RPC: the store, plus
// the two node-level placement requests.
type nodeSender struct{ s *Server }

func (n nodeSender) Send(ctx context.Context, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	if len(ba.Requests) == 1 {
		switch req := ba.Requests[0].(type) {
		case *kvpb.StoreReportRequest:
			rep, err := n.s.storeReport(req)
			if err != nil {
				return nil, err
			}
			return &kvpb.BatchResponse{Responses: []kvpb.Response{&kvpb.StoreReportResponse{Report: rep}}}, nil
		case *kvpb.PlacementOpRequest:
			if err := n.s.execPlacementOp(ctx, req.Op); err != nil {
				return nil, err
			}
			return &kvpb.BatchResponse{Responses: []kvpb.Response{&kvpb.PlacementOpResponse{}}}, nil
		}
	}
	return n.s.store.Send(ctx, ba)
}

// rangeStatsTTL is how long a range's measured size is reused at most
// (ten driver rounds, at least a second): measuring scans the range.
const rangeStatsTTL = 10 * time.Second

// rangeStatsCache remembers the last size measurement of each range this
// store leads.
type rangeStatsCache struct {
	mu      sync.Mutex
	byRange map[kvpb.RangeID]rangeStats
}

type rangeStats struct {
	gen uint64
	at  time.Time
	// bytes and keys are live data; total counts every version.
	bytes, keys, total int64
	splitKey           kvpb.Key
}

// storeReport builds this store's report: counts, use, load, and the facts
// of every range it leads.
func (s *Server) storeReport(req *kvpb.StoreReportRequest) (kvpb.StoreReport, error) {
	if !s.Serving() {
		return kvpb.StoreReport{}, errors.New("node is not serving")
	}
	rep := kvpb.StoreReport{NodeID: s.ident.NodeID, StoreID: s.ident.StoreID, UsedBytes: s.engine.Metrics().DiskSpaceUsage()}
	if u, err := s.diskUsage()(); err == nil {
		rep.CapacityBytes, rep.AvailableBytes = u.TotalBytes, u.AvailBytes
	}
	loads := map[kvpb.RangeID]raftstore.RangeLoad{}
	for _, l := range s.store.RangeLoads() {
		loads[l.RangeID] = l
		rep.ReadsPerSec += l.ReadsPerSec
		rep.WritesPerSec += l.WritesPerSec
	}
	now := time.Now()
	led := map[kvpb.RangeID]bool{}
	for _, ri := range s.store.Replicas() {
		rep.Ranges++
		if !ri.Leader {
			continue
		}
		rep.Leaders++
		d := ri.Desc
		led[d.RangeID] = true
		rr := kvpb.RangeReport{Desc: d, Frozen: s.store.Frozen(d.RangeID)}
		if l, ok := loads[d.RangeID]; ok {
			rr.ReadsPerSec, rr.WritesPerSec = l.ReadsPerSec, l.WritesPerSec
			if req.WithSplitKeys && rr.ReadsPerSec+rr.WritesPerSec > req.SplitQPS {
				rr.LoadSplitKey = l.LoadSplitKey
			}
		}
		if st, err := s.rangeStats(d, now); err == nil {
			rr.Bytes, rr.Keys, rr.TotalBytes = st.bytes, st.keys, st.total
			if req.WithSplitKeys && st.bytes > req.SplitBytes {
				rr.SizeSplitKey = st.splitKey
			}
		} else {
			// Reported all the same (its replication matters more than
			// its size): without a size it neither splits nor merges.
			rr.Bytes, rr.Keys, rr.TotalBytes = -1, -1, -1
			s.log.Debug("placement report: range size unknown", "range", d.RangeID, "err", err)
		}
		if s.store.Quiesced(d.RangeID) {
			// Quiesced: every replica matched the leader's log.
		} else if match, commit, err := s.store.RaftStatus(d.RangeID); err == nil && match != nil {
			for _, r := range d.Replicas {
				if match[r.ReplicaID] < commit {
					rr.Behind = append(rr.Behind, r.StoreID)
				}
			}
		}
		rep.Leading = append(rep.Leading, rr)
	}
	s.rangeStats_.mu.Lock()
	for id := range s.rangeStats_.byRange {
		if !led[id] {
			delete(s.rangeStats_.byRange, id)
		}
	}
	s.rangeStats_.mu.Unlock()
	return rep, nil
}

// rangeStats returns range d's size, measured at most rangeStatsTTL ago at
// its generation.
func (s *Server) rangeStats(d kvpb.RangeDescriptor, now time.Time) (rangeStats, error) {
	c := &s.rangeStats_
	c.mu.Lock()
	st, ok := c.byRange[d.RangeID]
	c.mu.Unlock()
	ttl := min(rangeStatsTTL, max(time.Second, 10*cmp.Or(s.cfg.PlacementInterval, time.Second)))
	if ok && st.gen == d.Generation && now.Sub(st.at) < ttl {
		return st, nil
	}
	rs, err := s.store.RangeSize(d.RangeID)
	if err != nil {
		return rangeStats{}, err
	}
	st = rangeStats{gen: d.Generation, at: now, bytes: rs.LiveBytes, keys: rs.LiveKeys, total: rs.Bytes, splitKey: rs.SplitKey}
	c.mu.Lock()
	if c.byRange == nil {
		c.byRange = map[kvpb.RangeID]rangeStats{}
	}
	c.byRange[d.RangeID] = st
	c.mu.Unlock()
	return st, nil
}

// StaleOpError refuses a placement op decided over an older descriptor.
type StaleOpError struct {
	RangeID       kvpb.RangeID
	Want, Current uint64
}

func (e *StaleOpError) Error() string {
	return fmt.Sprintf("range %s changed since the decision: generation %d, decided at %d", e.RangeID, e.Current, e.Want)
}

// learnerCatchUp bounds how long an added learner may take to catch up
// before the add gives up and removes it.
const learnerCatchUp = 60 * time.Second

// execPlacementOp carries out op on the range this store leads, if the
// range is still at op's generation.
func (s *Server) execPlacementOp(ctx context.Context, op kvpb.PlacementOp) error {
	if !s.Serving() {
		return errors.New("node is not serving")
	}
	desc, err := s.store.Descriptor(op.RangeID)
	if err != nil {
		return err
	}
	if _, leads := s.store.LeaderTerm(op.RangeID); !leads {
		return &kvpb.NotLeaderError{RangeID: op.RangeID}
	}
	if desc.Generation != op.Generation {
		return &StaleOpError{RangeID: op.RangeID, Want: op.Generation, Current: desc.Generation}
	}
	switch op.Kind {
	case kvpb.OpAddReplica:
		return s.addReplica(ctx, desc, op.Target)
	case kvpb.OpRemoveReplica:
		rd, ok := desc.Replica(op.Target.StoreID)
		if !ok {
			return fmt.Errorf("range %s has no replica on store %s", op.RangeID, op.Target.StoreID)
		}
		if rd.StoreID == s.ident.StoreID {
			return fmt.Errorf("range %s: the leader does not remove its own replica (transfer the leadership first)", op.RangeID)
		}
		return s.changeReplicas(ctx, desc, raftstore.Remove, rd)
	case kvpb.OpTransferLeader:
		return s.store.TransferLeadership(ctx, op.RangeID, op.Target.StoreID)
	case kvpb.OpSplit:
		_, err := s.splitAt(ctx, op.SplitKey, op.Generation)
		return err
	case kvpb.OpMerge:
		rd, err := s.store.Descriptor(op.Right)
		if err != nil {
			return err
		}
		if rd.Generation != op.RightGeneration {
			return &StaleOpError{RangeID: op.Right, Want: op.RightGeneration, Current: rd.Generation}
		}
		_, err = s.mergeRanges(ctx, op.RangeID, op.Right)
		return err
	}
	return fmt.Errorf("placement op %s unknown", op.Kind)
}

// addReplica adds target as a learner of desc's range (unless one is there
// already), waits until it has caught up with the leader's commit index,
// and promotes it; a learner that does not catch up within learnerCatchUp
// is removed again.
func (s *Server) addReplica(ctx context.Context, desc *kvpb.RangeDescriptor, target kvpb.ReplicaDescriptor) error {
	nd := desc
	if rd, has := desc.Replica(target.StoreID); !has {
		var err error
		if nd, err = s.store.ChangeReplicas(ctx, desc.RangeID, raftstore.AddLearner, kvpb.ReplicaDescriptor{NodeID: target.NodeID, StoreID: target.StoreID}); err != nil {
			return err
		}
		s.writeMeta(ctx, nd)
	} else if !rd.Learner {
		return fmt.Errorf("range %s already has a voter on store %s", desc.RangeID, target.StoreID)
	}
	// (A learner there already is one an earlier add left: it is caught
	// up and promoted like a new one.)
	learner, ok := nd.Replica(target.StoreID)
	if !ok {
		return fmt.Errorf("range %s: the added learner on store %s is not in the new descriptor", desc.RangeID, target.StoreID)
	}
	wctx, cancel := context.WithTimeout(ctx, learnerCatchUp)
	defer cancel()
	for attempt := 0; ; attempt++ {
		match, commit, err := s.store.RaftStatus(desc.RangeID)
		if err == nil && match != nil && match[learner.ReplicaID] >= commit {
			break
		}
		if !kv.RetryBackoff(wctx, attempt) {
			// Gone nowhere: take the learner out again (a fresh deadline,
			// the op's may be spent).
			rctx, rcancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
			defer rcancel()
			if cur, derr := s.store.Descriptor(desc.RangeID); derr == nil {
				if rd, has := cur.Replica(target.StoreID); has && rd.Learner {
					_ = s.changeReplicas(rctx, cur, raftstore.Remove, rd)
				}
			}
			return fmt.Errorf("range %s: the learner on store %s did not catch up within %s", desc.RangeID, target.StoreID, learnerCatchUp)
		}
	}
	if err := s.changeReplicas(ctx, nd, raftstore.Promote, learner); err != nil {
		return err
	}
	s.log.Info(fmt.Sprintf("range %d has a new voter", desc.RangeID), "node", target.NodeID)
	return nil
}
