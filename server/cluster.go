package server

import (
	"context"
	crand "crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"math/rand/v2"
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

// changeReplicas changes desc's range's membership from this node's
// leader replica and, for a range other than range 1 (which writes its
// own), updates its meta entry.
func (s *Server) changeReplicas(ctx context.Context, desc *kvpb.RangeDescriptor, change raftstore.ReplicaChange, target kvpb.ReplicaDescriptor) error {
	nd, err := s.store.ChangeReplicas(ctx, desc.RangeID, change, target)
	if err != nil {
		return err
	}
	s.writeMeta(ctx, nd)
	return nil
}

// writeMeta writes nd's meta entry after a membership change (range 1
// writes its own); repairMeta does it later when this fails.
func (s *Server) writeMeta(ctx context.Context, nd *kvpb.RangeDescriptor) {
	if nd.RangeID != 1 {
		// Bounded: the change stands either way, and repairMeta rewrites
		// a stale entry within seconds.
		ctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		if err := updateMeta(ctx, s.db, *nd); err != nil {
			s.log.Warn("membership change: meta entry not written yet", "range", nd.RangeID, "err", err)
		}
	}
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
