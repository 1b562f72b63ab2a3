package server

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// Merges from the node's side: raftstore.Store.MergeRanges runs the raft
// part (subsume the right range, wait until each of its replicas applied
// that, merge it into the left one: raftstore/merge.go) from this node,
// which must lead both ranges; here the replicas are waited for over the
// node RPCs, the meta entries are rewritten through range 1 (the left
// and right entries replaced by the merged one in one batch: updateMeta),
// and finishMerges rolls forward a merge whose coordinator died after
// the subsume.

// mergeRanges merges range rightID into its left neighbour leftID, both
// led by this node and co-located (checked by the store: a plain error
// or *kvpb.NotLeaderError, nothing done), and returns the merged
// descriptor. Meta entries are written at once when possible, else by
// repairMeta later. An error after the subsume leaves the right range
// frozen: finishMerges (or another call) completes it.
func (s *Server) mergeRanges(ctx context.Context, leftID, rightID kvpb.RangeID) (*kvpb.RangeDescriptor, error) {
	if !s.Serving() {
		return nil, errors.New("node is not serving")
	}
	m, err := s.store.MergeRanges(ctx, leftID, rightID, s.waitApplied)
	if err != nil {
		return nil, err
	}
	if err := updateMeta(ctx, s.db, *m); err != nil {
		// The merge stands; repairMeta writes the entry later.
		s.log.Warn("merge: meta entries not written yet", "range", m.RangeID, "err", err)
	}
	return m, nil
}

// waitApplied waits until node's replica of range id applied index,
// asking it (WaitAppliedRequest, up to a second each time) until ctx ends.
func (s *Server) waitApplied(ctx context.Context, node kvpb.NodeID, id kvpb.RangeID, index uint64) error {
	for attempt := 0; ; attempt++ {
		err := func() error {
			actx, cancel := context.WithTimeout(ctx, 3*time.Second)
			defer cancel()
			br, err := s.sendToNode(actx, node, &kvpb.BatchRequest{RangeID: id,
				Requests: []kvpb.Request{&kvpb.WaitAppliedRequest{RangeID: id, Index: index, WaitMillis: 1000}}})
			if err != nil {
				return err
			}
			if len(br.Responses) != 1 {
				return fmt.Errorf("wait applied answered %d responses", len(br.Responses))
			}
			if a := br.Responses[0].(*kvpb.WaitAppliedResponse).Applied; a < index {
				return fmt.Errorf("node %s applied %s up to %d, not yet %d", node, id, a, index)
			}
			return nil
		}()
		if err == nil {
			return nil
		}
		if ctx.Err() != nil {
			return fmt.Errorf("%w (last: %v)", ctx.Err(), err)
		}
		if !kv.RetryBackoff(ctx, attempt) {
			return ctx.Err()
		}
	}
}

// mergeRecoveryAge is how long a range must have been seen frozen before
// finishMerges completes its merge (its coordinator normally does within
// a second).
const mergeRecoveryAge = 3 * time.Second

// finishMerges looks every interval for ranges this node leads that are
// frozen by a merge, and, once one has been frozen for mergeRecoveryAge,
// finishes its merge into the range this node leads that ends where it
// starts (raftstore.Store.MergeRanges skips the subsume then).
func (s *Server) finishMerges(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	seen := map[kvpb.RangeID]time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		s.finishMergesOnce(ctx, seen, time.Now())
	}
}

func (s *Server) finishMergesOnce(ctx context.Context, seen map[kvpb.RangeID]time.Time, now time.Time) {
	reps := s.store.Replicas()
	frozen := map[kvpb.RangeID]bool{}
	for _, ri := range reps {
		id := ri.Desc.RangeID
		if _, ok := s.store.FrozenLeft(id); !ok || !ri.Leader {
			continue
		}
		frozen[id] = true
		first, ok := seen[id]
		if !ok {
			seen[id] = now
			continue
		}
		if now.Sub(first) < mergeRecoveryAge {
			continue
		}
		for _, l := range reps {
			if !l.Leader || !l.Desc.EndKey.Equal(ri.Desc.StartKey) {
				continue
			}
			mctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			m, err := s.mergeRanges(mctx, l.Desc.RangeID, id)
			cancel()
			if err != nil {
				s.log.Warn("merge recovery", "left", l.Desc.RangeID, "right", id, "err", err)
			} else {
				s.log.Info("merge recovery: finished", "range", m.RangeID, "merged", id)
			}
		}
	}
	for id := range seen {
		if !frozen[id] {
			delete(seen, id)
		}
	}
}
