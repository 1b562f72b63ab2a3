package server

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/server/rpc"
)

// This file is node liveness: every cluster node heartbeats its record at
// kvpb.NodeLivenessKey (raw, unversioned, in range 1) so that any node can
// tell live nodes from dead ones, and `rangedb node decommission` marks a
// node's record so that the placement driver (placement.go) moves its
// replicas away. A heartbeat is a conditional put on the value the node just read:
// a membership another node wrote in between fails it, and the next
// attempt keeps that membership.

// maxLivenessRecords bounds the records one read gathers (one request
// per node id, in one batch).
const maxLivenessRecords = 4096

// watchLiveness reads every node's liveness record each
// LivenessHeartbeatInterval and wakes every quiesced replica of the store
// (raftstore/quiesce.go) when a node's liveness changed — it stopped being
// live, came back, or restarted (a new epoch): the followers of ranges a
// dead node led then tick again and elect a new leader.
func (s *Server) watchLiveness(ctx context.Context) {
	t := time.NewTicker(s.cfg.LivenessHeartbeatInterval)
	defer t.Stop()
	type state struct {
		live  bool
		epoch uint64
	}
	last := map[kvpb.NodeID]state{}
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		rctx, cancel := context.WithTimeout(ctx, s.cfg.LivenessTTL)
		recs, err := readLiveness(rctx, s.sender)
		cancel()
		if err != nil {
			continue
		}
		now := time.Now()
		changed := false
		for id, l := range recs {
			st := state{live: l.Live(now), epoch: l.Epoch}
			if old, ok := last[id]; ok && old != st {
				changed = true
			}
			last[id] = st
		}
		if changed {
			s.store.WakeAll()
		}
	}
}

// heartbeatLiveness heartbeats this node's liveness record every
// LivenessHeartbeatInterval until ctx ends.
func (s *Server) heartbeatLiveness(ctx context.Context) {
	t := time.NewTicker(s.cfg.LivenessHeartbeatInterval)
	defer t.Stop()
	// The first heartbeat of this process starts a new epoch.
	newEpoch := true
	failing := false
	for {
		// A heartbeat that takes longer than the TTL would write an
		// expiration already near its end: give up and try afresh.
		hctx, cancel := context.WithTimeout(ctx, s.cfg.LivenessTTL)
		err := s.heartbeatOnce(hctx, newEpoch)
		cancel()
		switch {
		case err == nil:
			newEpoch = false
			if failing {
				s.log.Info("liveness heartbeats succeed again")
			}
			failing = false
		case ctx.Err() != nil:
			return
		case !failing:
			// Once per run of failures: range 1 may be without a leader
			// for a while, and the log should say so once, not every
			// second.
			s.log.Warn("liveness heartbeat failed", "err", err)
			failing = true
		}
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
	}
}

// heartbeatOnce extends this node's liveness record to now+LivenessTTL
// with a fresh report of its store, keeping the membership it finds.
func (s *Server) heartbeatOnce(ctx context.Context, newEpoch bool) error {
	raw := kv.NewDB(s.sender, nil, kv.DBOptions{})
	key := kvpb.NodeLivenessKey(s.ident.NodeID)
	ranges, leaders := s.store.ReplicaCounts()
	used := s.engine.Metrics().DiskSpaceUsage()
	// A conflict is another node's write (a decommission): re-read once
	// or twice rather than wait for the next tick.
	for range 3 {
		prev, found, err := raw.RawGet(ctx, key)
		if err != nil {
			return err
		}
		now := time.Now()
		rec := kvpb.Liveness{NodeID: s.ident.NodeID, Epoch: 1, Membership: kvpb.MembershipActive}
		if found {
			old, err := kvpb.UnmarshalLiveness(prev)
			if err != nil {
				return err
			}
			rec.Epoch, rec.Membership = old.Epoch, old.Membership
			if newEpoch || !old.Live(now) {
				rec.Epoch++
			}
		}
		rec.Address = s.advertiseAddr()
		rec.Expiration = now.Add(s.cfg.LivenessTTL).UnixNano()
		rec.Ranges, rec.Leaders, rec.UsedBytes = uint32(ranges), uint32(leaders), used
		err = raw.RawCPut(ctx, key, rec.Marshal(), prev, found)
		var cf *kvpb.ConditionFailedError
		if errors.As(err, &cf) {
			continue
		}
		return err
	}
	return errors.New("liveness record changed under three heartbeats in a row")
}

// readLiveness returns every node's liveness record, read through sender:
// the ids 1..the node id counter (node ids are never reused), in one
// batch. A node that joined but never heartbeated has none.
func readLiveness(ctx context.Context, sender kv.Sender) (map[kvpb.NodeID]kvpb.Liveness, error) {
	v, found, err := kv.NewDB(sender, nil, kv.DBOptions{}).RawGet(ctx, kvpb.NodeIDGeneratorKey)
	if err != nil || !found {
		return nil, err
	}
	if len(v) != 8 {
		return nil, fmt.Errorf("node id counter holds %d bytes", len(v))
	}
	n := min(binary.BigEndian.Uint64(v), maxLivenessRecords)
	if n == 0 {
		return nil, nil
	}
	reqs := make([]kvpb.Request, 0, n)
	for id := range n {
		reqs = append(reqs, &kvpb.RawGetRequest{Key: kvpb.NodeLivenessKey(kvpb.NodeID(id + 1))})
	}
	br, err := sender.Send(ctx, &kvpb.BatchRequest{Requests: reqs})
	if err != nil {
		return nil, err
	}
	if len(br.Responses) != len(reqs) {
		return nil, fmt.Errorf("reading liveness: %d answers to %d requests", len(br.Responses), len(reqs))
	}
	out := make(map[kvpb.NodeID]kvpb.Liveness, n)
	for _, resp := range br.Responses {
		r, ok := resp.(*kvpb.RawGetResponse)
		if !ok || !r.Found {
			continue
		}
		l, err := kvpb.UnmarshalLiveness(r.Value)
		if err != nil {
			return nil, err
		}
		out[l.NodeID] = l
	}
	return out, nil
}

// readRange1Descriptor reads range 1's descriptor from its meta entry
// (range 1 starts the keyspace; its entry is the first of /Meta).
func readRange1Descriptor(ctx context.Context, sender kv.Sender) (*kvpb.RangeDescriptor, error) {
	d, err := lookupMeta(ctx, kv.NewDB(sender, nil, kv.DBOptions{}), kvpb.KeyMin)
	if err != nil {
		return nil, err
	}
	return &d, nil
}

// livenessOf is the liveness column of `rangedb node status`. A
// decommissioning node is "decommissioned" once it holds no replica,
// whether or not it still runs.
func livenessOf(l kvpb.Liveness, holdsReplica bool, now time.Time) string {
	switch {
	case l.Membership == kvpb.MembershipDecommissioned,
		l.Membership == kvpb.MembershipDecommissioning && !holdsReplica:
		return "decommissioned"
	case l.Membership == kvpb.MembershipDecommissioning:
		return "decommissioning"
	case l.Live(now):
		return "live"
	default:
		return "dead"
	}
}

func nodeStatusOf(l kvpb.Liveness, desc *kvpb.RangeDescriptor, now time.Time) rpc.NodeStatus {
	_, holds := desc.Replica(kvpb.StoreID(l.NodeID))
	return rpc.NodeStatus{
		NodeID: l.NodeID, Address: l.Address, Liveness: livenessOf(l, holds, now),
		Expiration: time.Unix(0, l.Expiration), Ranges: int(l.Ranges), Leaders: int(l.Leaders),
		UsedBytes: l.UsedBytes, Decommissioning: l.Membership != kvpb.MembershipActive,
	}
}

// localStatus is the one row of a --single-node node, which keeps no
// liveness record: it is live as long as it answers.
func (s *Server) localStatus() rpc.NodeStatus {
	ranges, leaders := s.store.ReplicaCounts()
	return rpc.NodeStatus{NodeID: s.ident.NodeID, Address: s.advertiseAddr(), Liveness: "live",
		Ranges: ranges, Leaders: leaders, UsedBytes: s.engine.Metrics().DiskSpaceUsage()}
}

// NodeStatus implements rpc.ClusterHandler: one row per liveness record.
func (h clusterHandler) NodeStatus(ctx context.Context) ([]rpc.NodeStatus, error) {
	s := h.s
	select {
	case <-s.ready:
	default:
		return nil, rpc.ErrNotInCluster
	}
	if s.cfg.SingleNode {
		return []rpc.NodeStatus{s.localStatus()}, nil
	}
	recs, err := readLiveness(ctx, s.sender)
	if err != nil {
		return nil, fmt.Errorf("reading liveness records: %w", err)
	}
	desc, err := readRange1Descriptor(ctx, s.sender)
	if err != nil {
		return nil, fmt.Errorf("reading range 1's descriptor: %w", err)
	}
	now := time.Now()
	out := make([]rpc.NodeStatus, 0, len(recs))
	for _, l := range recs {
		out = append(out, nodeStatusOf(l, desc, now))
	}
	slices.SortFunc(out, func(a, b rpc.NodeStatus) int { return int(a.NodeID) - int(b.NodeID) })
	return out, nil
}

// Decommission implements rpc.ClusterHandler: it marks the node's record
// decommissioning (a no-op when it already is), or with recommission
// active again, conditional on the record it read so that a heartbeat in
// between is not lost, nor it.
func (h clusterHandler) Decommission(ctx context.Context, id kvpb.NodeID, recommission bool) (rpc.NodeStatus, error) {
	s := h.s
	select {
	case <-s.ready:
	default:
		return rpc.NodeStatus{}, rpc.ErrNotInCluster
	}
	if s.cfg.SingleNode {
		return rpc.NodeStatus{}, errors.New("this node runs --single-node: it has no other node to move its replicas to")
	}
	raw := kv.NewDB(s.sender, nil, kv.DBOptions{})
	key := kvpb.NodeLivenessKey(id)
	var rec kvpb.Liveness
	for attempt := 0; ; attempt++ {
		prev, found, err := raw.RawGet(ctx, key)
		if err != nil {
			return rpc.NodeStatus{}, err
		}
		if !found {
			return rpc.NodeStatus{}, fmt.Errorf("node %d: %w (no liveness record)", id, rpc.ErrUnknownNode)
		}
		if rec, err = kvpb.UnmarshalLiveness(prev); err != nil {
			return rpc.NodeStatus{}, err
		}
		want := kvpb.MembershipDecommissioning
		if recommission {
			want = kvpb.MembershipActive
		}
		if (rec.Membership != kvpb.MembershipActive) == !recommission {
			break // already so
		}
		rec.Membership = want
		err = raw.RawCPut(ctx, key, rec.Marshal(), prev, true)
		var cf *kvpb.ConditionFailedError
		if errors.As(err, &cf) && attempt < 10 {
			continue // a heartbeat came first
		}
		if err != nil {
			return rpc.NodeStatus{}, err
		}
		s.log.Info("node membership changed", "target", id, "membership", want)
		break
	}
	desc, err := readRange1Descriptor(ctx, s.sender)
	if err != nil {
		return rpc.NodeStatus{}, fmt.Errorf("reading range 1's descriptor: %w", err)
	}
	return nodeStatusOf(rec, desc, time.Now()), nil
}
