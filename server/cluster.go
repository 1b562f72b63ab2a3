package server

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/kv/mvcc"
	"github.com/rangedb/rangedb/raftstore"
	"github.com/rangedb/rangedb/server/rpc"
)

// This file is a node's membership in a cluster (Config.SingleNode
// false): its identity, kept at kvpb.StoreIdentKey in its own store;
// `rangedb init`, which bootstraps range 1 on the first node; Join, which
// gives every other node an id from the /System counter; the address
// books the nodes trade; and the TSO client of a node that does not lead
// range 1.

// readIdent returns the store's identity, if it has one.
func readIdent(eng *pebble.DB) (kvpb.StoreIdent, bool, error) {
	v, closer, err := eng.Get(mvcc.EncodeKey(kvpb.StoreIdentKey, 0))
	if errors.Is(err, pebble.ErrNotFound) {
		return kvpb.StoreIdent{}, false, nil
	}
	if err != nil {
		return kvpb.StoreIdent{}, false, err
	}
	defer closer.Close()
	id, err := kvpb.UnmarshalStoreIdent(v)
	return id, err == nil, err
}

// writeIdent persists the store's identity (synced).
func writeIdent(eng *pebble.DB, id kvpb.StoreIdent) error {
	return eng.Set(mvcc.EncodeKey(kvpb.StoreIdentKey, 0), id.Marshal(), pebble.Sync)
}

func newClusterID() string {
	var b [16]byte
	_, _ = crand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// initResult answers an Init call.
type initResult struct {
	clusterID string
	err       error
}

// clusterHandler implements rpc.ClusterHandler for the server.
type clusterHandler struct{ s *Server }

// Init implements rpc.ClusterHandler: it hands the request to the node's
// start, which is waiting for an identity (awaitIdentity).
func (h clusterHandler) Init(ctx context.Context) (string, error) {
	s := h.s
	if s.cfg.SingleNode {
		return "", errors.New("this node runs --single-node: there is no cluster to initialize")
	}
	reply := make(chan initResult, 1)
	select {
	case s.initReq <- reply:
	case <-s.identified:
		return "", errors.New("cluster has already been initialized")
	case <-ctx.Done():
		return "", ctx.Err()
	}
	select {
	case r := <-reply:
		return r.clusterID, r.err
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

// Join implements rpc.ClusterHandler: a new node's id comes from the
// /System counter, so no two nodes ever get the same one.
func (h clusterHandler) Join(ctx context.Context, addr string) (kvpb.StoreIdent, error) {
	s := h.s
	select {
	case <-s.ready:
	default:
		return kvpb.StoreIdent{}, errors.New("this node is not part of a cluster yet")
	}
	raw := kv.NewDB(s.sender, nil, kv.DBOptions{})
	n, err := raw.Increment(ctx, kvpb.NodeIDGeneratorKey, 1)
	if err != nil {
		return kvpb.StoreIdent{}, err
	}
	id := kvpb.StoreIdent{ClusterID: s.ident.ClusterID, NodeID: kvpb.NodeID(n), StoreID: kvpb.StoreID(n)}
	s.log.Info("node joined", "joiner", id.NodeID, "addr", addr)
	return id, nil
}

// Timestamps implements rpc.ClusterHandler.
func (h clusterHandler) Timestamps(ctx context.Context, n int) (kvpb.Timestamp, error) {
	select {
	case <-h.s.ready:
	default:
		return 0, rpc.ErrNotInCluster
	}
	return h.s.tso.NextN(ctx, n)
}

// awaitIdentity waits, logging so, until `rangedb init` bootstraps a
// cluster on this node or a node of --join lets it join.
func (s *Server) awaitIdentity(ctx context.Context) (kvpb.StoreIdent, bool, error) {
	s.log.Info("waiting for `rangedb init` or for a node of --join to answer", "join", s.cfg.Join, "listen", s.ListenAddr())
	nextLog := time.Now().Add(10 * time.Second)
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		for _, addr := range s.cfg.Join {
			if addr == s.advertiseAddr() {
				continue
			}
			c, err := s.dialer.Client(addr)
			if err != nil {
				continue
			}
			jctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			id, err := c.CallJoin(jctx, s.advertiseAddr(), s.book)
			cancel()
			if err == nil {
				return id, false, nil
			}
			s.log.Debug("join attempt failed", "addr", addr, "err", err)
		}
		if time.Now().After(nextLog) {
			s.log.Info("still waiting for `rangedb init` or a node of --join", "join", s.cfg.Join)
			nextLog = time.Now().Add(10 * time.Second)
		}
		select {
		case reply := <-s.initReq:
			id := kvpb.StoreIdent{ClusterID: newClusterID(), NodeID: 1, StoreID: 1}
			s.pendingInit = reply
			return id, true, nil
		case <-tick.C:
		case <-ctx.Done():
			return kvpb.StoreIdent{}, false, ctx.Err()
		}
	}
}

// advertiseAddr is the address other nodes reach this one at.
func (s *Server) advertiseAddr() string {
	if s.cfg.AdvertiseAddr != "" {
		return s.cfg.AdvertiseAddr
	}
	return s.ListenAddr()
}

// gossip trades address books with a known node every second, so that
// every node learns every other's address.
func (s *Server) gossip(ctx context.Context) {
	t := time.NewTicker(time.Second)
	defer t.Stop()
	for first := true; ; first = false {
		if !first {
			select {
			case <-t.C:
			case <-ctx.Done():
				return
			}
		}
		var addrs []string
		for _, id := range s.book.IDs() {
			if id == s.ident.NodeID {
				continue
			}
			if a, ok := s.book.Get(id); ok {
				addrs = append(addrs, a)
			}
		}
		addrs = append(addrs, s.cfg.Join...)
		if len(addrs) == 0 {
			continue
		}
		addr := addrs[rand.IntN(len(addrs))]
		if addr == s.advertiseAddr() {
			continue
		}
		c, err := s.dialer.Client(addr)
		if err != nil {
			continue
		}
		gctx, cancel := context.WithTimeout(ctx, 2*time.Second)
		_ = c.ExchangeNodes(gctx, s.book)
		cancel()
	}
}

// tsoClient is the TimestampOracle of a node in a cluster: the local TSO
// when this node leads range 1, else range 1's leader over RPC (found as
// the DistSender finds it).
type tsoClient struct{ s *Server }

func (c tsoClient) Next(parent context.Context) (kvpb.Timestamp, error) {
	s := c.s
	if _, ok := s.store.LeaderTerm(1); ok {
		// A leader deposed without knowing it (a process resumed after
		// a pause) learns it in the TSO's quorum round: then ask the
		// new leader rather than fail the statement.
		if ts, err := s.tso.Next(parent); !isNotLeader(err) {
			return ts, err
		}
	}
	deadline := time.Now().Add(10 * time.Second)
	ctx, cancel := context.WithDeadline(parent, deadline)
	defer cancel()
	var lastErr error
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		ts, done, err := c.attempt(ctx)
		if done {
			return ts, err
		}
		lastErr = err
		// No leader known, or the hint is stale (NotLeader, or the node
		// is gone or silent): a read through the DistSender finds the
		// leader again.
		rctx, rcancel := context.WithTimeout(ctx, 5*time.Second)
		_, _, _ = kv.NewDB(s.dist, nil, kv.DBOptions{}).RawGet(rctx, kvpb.ClusterIDKey)
		rcancel()
		if !kv.RetryBackoff(ctx, min(attempt, 7)) {
			break
		}
	}
	return 0, tsoUnavailable(parent, lastErr)
}

// attempt asks range 1's leader as this node knows it (itself, or the
// DistSender's hint) for one timestamp; done is false when another
// attempt, after finding the leader again, may succeed.
func (c tsoClient) attempt(ctx context.Context) (ts kvpb.Timestamp, done bool, err error) {
	s := c.s
	if _, leads := s.store.LeaderTerm(1); leads {
		ts, err := s.tso.Next(ctx)
		return ts, !isNotLeader(err), err
	}
	node, known := s.dist.LeaderHint(1)
	if !known || node == s.ident.NodeID {
		return 0, false, errors.New("range 1's leader is not known")
	}
	addr, known := s.book.Get(node)
	if !known {
		return 0, false, fmt.Errorf("no address for %s", node)
	}
	cl, err := s.dialer.Client(addr)
	if err != nil {
		return 0, false, err
	}
	// A TSO call is a quorum round: one that takes long is a leader that
	// went silent (a frozen process keeps its connections open).
	actx, cancel := context.WithTimeout(ctx, tsoAttemptTimeout)
	defer cancel()
	ts, err = cl.CallTimestamps(actx, 1)
	return ts, err == nil, err
}

func isNotLeader(err error) bool {
	var nl *kvpb.NotLeaderError
	return errors.As(err, &nl)
}

// tsoAttemptTimeout bounds one timestamp call to range 1's leader.
const tsoAttemptTimeout = 2 * time.Second

// tsoUnavailable is the error of a timestamp that could not be had: the
// caller's own cancellation, or range 1's unavailability.
func tsoUnavailable(parent context.Context, lastErr error) error {
	if err := parent.Err(); err != nil {
		return err
	}
	// Not wrapped: an inner deadline must not read as the statement's.
	return fmt.Errorf("no timestamp from range 1's leader: range r1 is unavailable (last error: %v)", lastErr)
}

// replicationFactor is how many voters range 1 gets once enough nodes
// have joined (the placement driver will own this).
const replicationFactor = 3

// learnerTimeout is how long a learner may take to catch up before it is
// removed (its node may be gone).
const learnerTimeout = 30 * time.Second

// replicate runs beside every range leader of this node: for each range
// it leads, it adds a replica on a node that has none while the range has
// fewer than replicationFactor (or fewer than the live, active nodes there
// are), as a learner, promotes each learner once it has caught up, and
// removes a learner that does not within learnerTimeout. It moves replicas
// off a decommissioning node: a replacement first, then the removal (after
// handing the range's leadership away when the leaving replica is this
// one). Nodes come from the liveness records (liveness.go), and from the
// address book for a node that has none yet. One change per range at a
// time, every one conditional on the descriptor's generation
// (raftstore.ChangeReplicas); a range other than range 1 then has its meta
// entry rewritten (ranges.go). The placement driver will replace this.
func (s *Server) replicate(ctx context.Context) {
	t := time.NewTicker(250 * time.Millisecond)
	defer t.Stop()
	learnerSince := map[learnerKey]time.Time{}
	for {
		select {
		case <-t.C:
		case <-ctx.Done():
			return
		}
		var leading []kvpb.RangeDescriptor
		for _, ri := range s.store.Replicas() {
			if ri.Leader {
				leading = append(leading, ri.Desc)
			}
		}
		if len(leading) == 0 {
			clear(learnerSince)
			continue
		}
		cctx, cancel := context.WithTimeout(ctx, 15*time.Second)
		view := nodeView{now: time.Now()}
		// Without the records (range 1 busy, or just elected), the
		// address book alone decides, as before liveness existed.
		if recs, err := readLiveness(cctx, s.sender); err == nil {
			view.recs = recs
		}
		for i := range leading {
			if cctx.Err() != nil {
				break
			}
			s.replicateOnce(cctx, &leading[i], view, learnerSince)
		}
		cancel()
	}
}

// learnerKey names a learner: its range and store.
type learnerKey struct {
	rangeID kvpb.RangeID
	store   kvpb.StoreID
}

// changeReplicas changes desc's range's membership from this node's
// leader replica and, for a range other than range 1 (which writes its
// own), updates its meta entry.
func (s *Server) changeReplicas(ctx context.Context, desc *kvpb.RangeDescriptor, change raftstore.ReplicaChange, target kvpb.ReplicaDescriptor) error {
	nd, err := s.store.ChangeReplicas(ctx, desc.RangeID, change, target)
	if err != nil {
		return err
	}
	if desc.RangeID != 1 {
		if err := updateMeta(ctx, s.db, *nd); err != nil {
			s.log.Warn("membership change: meta entry not written yet", "range", desc.RangeID, "err", err)
		}
	}
	return nil
}

func (s *Server) replicateOnce(ctx context.Context, desc *kvpb.RangeDescriptor, view nodeView, learnerSince map[learnerKey]time.Time) {
	for _, rd := range desc.Replicas {
		if !rd.Learner {
			continue
		}
		if view.leaving(rd.NodeID) {
			// A learner on a decommissioning node is no replacement.
			if err := s.changeReplicas(ctx, desc, raftstore.Remove, rd); err != nil {
				s.log.Warn(fmt.Sprintf("removing a learner of range %d on a decommissioning node", desc.RangeID), "node", rd.NodeID, "err", err)
				return
			}
			delete(learnerSince, learnerKey{desc.RangeID, rd.StoreID})
			s.log.Info(fmt.Sprintf("removed a learner of range %d on a decommissioning node", desc.RangeID), "node", rd.NodeID)
			return
		}
		match, commit, err := s.store.RaftStatus(desc.RangeID)
		if err != nil {
			return
		}
		since, ok := learnerSince[learnerKey{desc.RangeID, rd.StoreID}]
		if !ok {
			since = time.Now()
			learnerSince[learnerKey{desc.RangeID, rd.StoreID}] = since
		}
		switch {
		case match[rd.ReplicaID] >= commit:
			if err := s.changeReplicas(ctx, desc, raftstore.Promote, rd); err != nil {
				s.log.Warn(fmt.Sprintf("promoting a replica of range %d", desc.RangeID), "node", rd.NodeID, "err", err)
				return
			}
			delete(learnerSince, learnerKey{desc.RangeID, rd.StoreID})
			s.log.Info(fmt.Sprintf("range %d has a new voter", desc.RangeID), "node", rd.NodeID)
		case time.Since(since) > learnerTimeout:
			if err := s.changeReplicas(ctx, desc, raftstore.Remove, rd); err != nil {
				s.log.Warn(fmt.Sprintf("removing a learner of range %d", desc.RangeID), "node", rd.NodeID, "err", err)
				return
			}
			delete(learnerSince, learnerKey{desc.RangeID, rd.StoreID})
			s.log.Warn(fmt.Sprintf("removed a learner of range %d that did not catch up", desc.RangeID), "node", rd.NodeID)
		}
		return // one change at a time
	}
	// Every replica is a voter from here on.
	ids := s.book.IDs()
	for id, l := range view.recs {
		// A node known only from its record is reachable at its address.
		if _, ok := s.book.Get(id); !ok && l.Address != "" {
			s.book.Set(id, l.Address)
			ids = append(ids, id)
		}
	}
	slices.Sort(ids)
	ids = slices.Compact(ids)
	usable := 0
	for _, id := range ids {
		if view.usable(id) {
			usable++
		}
	}
	want := min(replicationFactor, usable)
	if s.moveOffLeaving(ctx, desc, view, want) {
		return
	}
	// A replica on a decommissioning node counts for nothing: it is
	// about to go.
	staying := 0
	for _, rd := range desc.Replicas {
		if !view.leaving(rd.NodeID) {
			staying++
		}
	}
	if staying >= want {
		return
	}
	for _, id := range ids {
		if _, has := desc.Replica(kvpb.StoreID(id)); has || !view.usable(id) {
			continue
		}
		target := kvpb.ReplicaDescriptor{NodeID: id, StoreID: kvpb.StoreID(id)}
		if err := s.changeReplicas(ctx, desc, raftstore.AddLearner, target); err != nil {
			s.log.Warn(fmt.Sprintf("adding a replica of range %d", desc.RangeID), "node", id, "err", err)
			return
		}
		s.log.Info(fmt.Sprintf("adding a replica of range %d", desc.RangeID), "node", id)
		return
	}
}

// moveOffLeaving handles range 1's replicas on decommissioning nodes: it
// removes one once the others are enough (want of them on live, active
// nodes, a quorum of the voters left live), handing the leadership away
// first when the leaving replica is this one. It returns false when
// nothing leaves, or when a replacement must come first (the caller adds
// it like any missing replica).
func (s *Server) moveOffLeaving(ctx context.Context, desc *kvpb.RangeDescriptor, view nodeView, want int) bool {
	var leaving *kvpb.ReplicaDescriptor
	for i := range desc.Replicas {
		if view.leaving(desc.Replicas[i].NodeID) {
			leaving = &desc.Replicas[i]
			break
		}
	}
	if leaving == nil {
		return false
	}
	var rest []kvpb.ReplicaDescriptor
	live := 0
	for _, rd := range desc.Replicas {
		if rd.StoreID == leaving.StoreID {
			continue
		}
		rest = append(rest, rd)
		if !view.leaving(rd.NodeID) && view.usable(rd.NodeID) {
			live++
		}
	}
	if live < max(want, 1) || 2*live <= len(rest) {
		// A replacement first; with no node to put it on, wait rather
		// than leave range 1 short of a quorum.
		return false
	}
	if leaving.StoreID == s.ident.StoreID {
		target, ok := s.transferTarget(desc, rest, view)
		if !ok {
			return true
		}
		s.log.Info(fmt.Sprintf("handing range %d's leadership away before leaving it", desc.RangeID), "to", target)
		if err := s.store.TransferLeadership(ctx, desc.RangeID, target); err != nil {
			s.log.Warn(fmt.Sprintf("transferring range %d's leadership", desc.RangeID), "to", target, "err", err)
		}
		return true
	}
	if err := s.changeReplicas(ctx, desc, raftstore.Remove, *leaving); err != nil {
		s.log.Warn(fmt.Sprintf("removing the replica of range %d on a decommissioning node", desc.RangeID), "node", leaving.NodeID, "err", err)
		return true
	}
	s.log.Info(fmt.Sprintf("removed the replica of range %d on a decommissioning node", desc.RangeID), "node", leaving.NodeID)
	return true
}

// transferTarget picks the voter of rest on a live, active node that has
// the most of range 1's log, so the transfer is quick.
func (s *Server) transferTarget(desc *kvpb.RangeDescriptor, rest []kvpb.ReplicaDescriptor, view nodeView) (kvpb.StoreID, bool) {
	match, _, err := s.store.RaftStatus(desc.RangeID)
	if err != nil {
		return 0, false
	}
	var best kvpb.ReplicaDescriptor
	found := false
	for _, rd := range rest {
		if rd.Learner || view.leaving(rd.NodeID) || !view.usable(rd.NodeID) {
			continue
		}
		if !found || match[rd.ReplicaID] > match[best.ReplicaID] {
			best, found = rd, true
		}
	}
	return best.StoreID, found
}

// LeadsRange1 reports whether this node leads range 1 (tests, tools).
func (s *Server) LeadsRange1() bool {
	if s.store == nil {
		return false
	}
	_, ok := s.store.LeaderTerm(1)
	return ok
}

// HoldsVoterOfRange1 reports whether this node's store holds a voting,
// initialized replica of range 1 (tests, tools).
func (s *Server) HoldsVoterOfRange1() bool {
	if s.store == nil {
		return false
	}
	d, err := s.store.Descriptor(1)
	if err != nil || len(d.EndKey) == 0 {
		return false
	}
	rd, ok := d.Replica(s.ident.StoreID)
	return ok && !rd.Learner
}

// Range1Progress is RangeProgress(1) (testing_hooks.go).
func (s *Server) Range1Progress() (map[kvpb.NodeID]uint64, uint64) {
	if s.store == nil {
		return nil, 0
	}
	return s.RangeProgress(1)
}

// NodeID returns the node's id (0 before it joined a cluster).
func (s *Server) NodeID() kvpb.NodeID { return s.ident.NodeID }
