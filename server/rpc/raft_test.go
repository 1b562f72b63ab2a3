package rpc_test

import (
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"go.uber.org/goleak"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/kv/mvcc"
	"github.com/rangedb/rangedb/raftstore"
	"github.com/rangedb/rangedb/server/rpc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

// testNode is one store with its RPC server and raft transport.
type testNode struct {
	id        kvpb.NodeID
	store     *raftstore.Store
	srv       *rpc.Server
	transport *rpc.Transport
	addr      string
	stopOnce  sync.Once
}

func (n *testNode) stop() {
	n.stopOnce.Do(func() {
		n.srv.Stop()
		n.transport.Stop()
		n.store.Stop()
	})
}

// TestRaftOverRPC replicates range 1 over three stores whose raft
// messages travel through gRPC: writes through the leader are read back
// through a new leader after the old one is stopped; a follower answers
// NotLeader naming the leader.
func TestRaftOverRPC(t *testing.T) {
	nodes := startThree(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	leader := waitForLeader(t, nodes)

	// Writes through the leader's RPC address.
	c, err := rpc.Dial(leader.addr)
	if err != nil {
		t.Fatal(err)
	}
	db := kv.NewDB(c, nil, kv.DBOptions{})
	for i := range 50 {
		if _, err := db.Increment(ctx, kvpb.SystemKey("counter"), 1); err != nil {
			t.Fatalf("increment %d: %v", i, err)
		}
	}
	_ = c.Close()

	// A follower refuses, naming the leader.
	var follower *testNode
	for _, n := range nodes {
		if n != leader {
			follower = n
		}
	}
	fc, err := rpc.Dial(follower.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer fc.Close()
	_, err = fc.Send(ctx, &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: kvpb.SystemKey("counter")}}})
	var nl *kvpb.NotLeaderError
	if !errors.As(err, &nl) || nl.Leader.NodeID != leader.id {
		t.Fatalf("follower: %v, want NotLeader naming n%d", err, leader.id)
	}

	// Stop the leader: the others elect one that has every write.
	leader.stop()
	var rest []*testNode
	for _, n := range nodes {
		if n != leader {
			rest = append(rest, n)
		}
	}
	next := waitForLeader(t, rest)
	nc, err := rpc.Dial(next.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	v, err := kv.NewDB(nc, nil, kv.DBOptions{}).Increment(ctx, kvpb.SystemKey("counter"), 1)
	if err != nil || v != 51 {
		t.Fatalf("after failover: %d %v, want 51", v, err)
	}
}

// testDialer dials the test nodes by id.
type testDialer struct {
	mu      sync.Mutex
	addrs   map[kvpb.NodeID]string
	clients map[kvpb.NodeID]*rpc.Client
}

func (d *testDialer) Dial(id kvpb.NodeID) (kv.Sender, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if c := d.clients[id]; c != nil {
		return c, nil
	}
	c, err := rpc.Dial(d.addrs[id])
	if err != nil {
		return nil, err
	}
	d.clients[id] = c
	return c, nil
}

func (d *testDialer) Nodes() []kvpb.NodeID { return []kvpb.NodeID{1, 2, 3} }

func (d *testDialer) close() {
	for _, c := range d.clients {
		_ = c.Close()
	}
}

// TestDistSenderFollowsTheLeader: a DistSender finds range 1's leader
// among three nodes, follows it across a failover, and loses no
// acknowledged increment.
func TestDistSenderFollowsTheLeader(t *testing.T) {
	nodes := startThree(t)
	d := &testDialer{addrs: map[kvpb.NodeID]string{}, clients: map[kvpb.NodeID]*rpc.Client{}}
	for _, n := range nodes {
		d.addrs[n.id] = n.addr
	}
	defer d.close()
	ds := kv.NewDistSender(d, kv.DistSenderOptions{Timeout: 15 * time.Second})
	db := kv.NewDB(ds, nil, kv.DBOptions{})
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	acked := int64(0)
	incr := func() {
		t.Helper()
		v, err := db.Increment(ctx, kvpb.SystemKey("c"), 1)
		var amb *kv.AmbiguousResultError
		if errors.As(err, &amb) {
			return // unknown outcome: not acknowledged
		}
		if err != nil {
			t.Fatalf("increment: %v", err)
		}
		acked++
		if v < acked {
			t.Fatalf("counter %d below the %d acknowledged increments", v, acked)
		}
	}
	for range 20 {
		incr()
	}
	leader, ok := ds.LeaderHint(1)
	if !ok {
		t.Fatal("no leader learned")
	}
	nodes[leader-1].stop()
	for range 20 {
		incr()
	}
	if next, _ := ds.LeaderHint(1); next == leader {
		t.Fatalf("still routing to the stopped n%d", leader)
	}
	v, _, err := db.RawGet(ctx, kvpb.SystemKey("c"))
	if err != nil || int64(binary.BigEndian.Uint64(v)) < acked {
		t.Fatalf("final counter %x (%v), acknowledged %d", v, err, acked)
	}
}

// waitForLeader returns the node whose store leads range 1.
func waitForLeader(t *testing.T, nodes []*testNode) *testNode {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		for _, n := range nodes {
			if _, ok := n.store.LeaderTerm(1); ok {
				return n
			}
		}
		time.Sleep(10 * time.Millisecond)
	}
	t.Fatal("no leader")
	return nil
}

// testNet is the address book of a test's nodes.
type testNet struct {
	mu    sync.Mutex
	addrs map[kvpb.NodeID]string
}

func newTestNet() *testNet { return &testNet{addrs: map[kvpb.NodeID]string{}} }

func (tn *testNet) resolve(id kvpb.NodeID) (string, bool) {
	tn.mu.Lock()
	defer tn.mu.Unlock()
	a, ok := tn.addrs[id]
	return a, ok
}

// node builds node i on an in-memory engine (holding bootstrap's initial
// state when it is not nil): its store (not started; logKeep 0 takes the
// default), raft transport and RPC server, serving on loopback until the
// test ends.
func (tn *testNet) node(t *testing.T, i int, log *slog.Logger, bootstrap *kvpb.RangeDescriptor, logKeep uint64) (*testNode, *pebble.DB) {
	t.Helper()
	fs := vfs.NewMem()
	eng, err := mvcc.Open("", fs, log)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = eng.Close() })
	if bootstrap != nil {
		if err := raftstore.WriteInitialState(eng, *bootstrap); err != nil {
			t.Fatal(err)
		}
	}
	n := &testNode{id: kvpb.NodeID(i), transport: rpc.NewTransport(tn.resolve, log)}
	n.store, err = raftstore.NewStore(raftstore.Config{NodeID: n.id, StoreID: kvpb.StoreID(i), Engine: eng,
		TickInterval: 10 * time.Millisecond, Transport: n.transport, Logger: log, RaftLogKeep: logKeep,
		SnapshotFS: fs, SnapshotDir: "snapshots"})
	if err != nil {
		t.Fatal(err)
	}
	n.transport.SetSnapshotSource(n.store)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	n.addr = ln.Addr().String()
	n.srv = rpc.NewServer(n.store, n.store, nil)
	done := make(chan struct{})
	go func() {
		defer close(done)
		_ = n.srv.Serve(ln)
	}()
	t.Cleanup(func() { n.stop(); <-done })
	tn.mu.Lock()
	tn.addrs[n.id] = n.addr
	tn.mu.Unlock()
	return n, eng
}

// startThree starts three stores replicating range 1, each with its RPC
// server and raft transport; they stop when the test ends.
func startThree(t *testing.T) []*testNode {
	t.Helper()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	desc := kvpb.RangeDescriptor{RangeID: 1, StartKey: kvpb.KeyMin, EndKey: kvpb.KeyMax, NextReplicaID: 4, Generation: 1}
	for i := 1; i <= 3; i++ {
		desc.Replicas = append(desc.Replicas, kvpb.ReplicaDescriptor{NodeID: kvpb.NodeID(i), StoreID: kvpb.StoreID(i), ReplicaID: kvpb.ReplicaID(i)})
	}
	tn := newTestNet()
	var nodes []*testNode
	for i := 1; i <= 3; i++ {
		n, _ := tn.node(t, i, log, &desc, 0)
		nodes = append(nodes, n)
	}
	for _, n := range nodes {
		if err := n.store.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
	}
	return nodes
}

// TestUpReplicationWithSnapshots grows range 1 from one replica to three:
// each new replica is created by the leader's first message, initialized
// by a snapshot (SST files streamed beside the raft stream, over 4 MiB of
// incompressible values, so many chunks), added as a learner and promoted
// once caught up; the data arrive intact and survive losing the first
// node.
func TestUpReplicationWithSnapshots(t *testing.T) {
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	if os.Getenv("RANGEDB_TEST_LOGS") != "" {
		log = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	desc := kvpb.RangeDescriptor{RangeID: 1, StartKey: kvpb.KeyMin, EndKey: kvpb.KeyMax, NextReplicaID: 2, Generation: 1,
		Replicas: []kvpb.ReplicaDescriptor{{NodeID: 1, StoreID: 1, ReplicaID: 1}}}
	tn := newTestNet()
	var nodes []*testNode
	var engs []*pebble.DB
	for i := 1; i <= 3; i++ {
		var bootstrap *kvpb.RangeDescriptor
		if i == 1 {
			bootstrap = &desc
		}
		n, eng := tn.node(t, i, log, bootstrap, 4)
		if err := n.store.Start(context.Background()); err != nil {
			t.Fatal(err)
		}
		nodes = append(nodes, n)
		engs = append(engs, eng)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	waitForLeader(t, nodes[:1])
	db := kv.NewDB(nodes[0].store, nil, kv.DBOptions{})
	// Enough writes that the log is truncated past its start: the new
	// replicas can only be initialized by a snapshot.
	for range 40 {
		if _, err := db.Increment(ctx, kvpb.SystemKey("c"), 1); err != nil {
			t.Fatal(err)
		}
	}
	// And 4 MiB of incompressible values: a snapshot of many chunks.
	big := make([]byte, 4<<20)
	_, _ = rand.NewChaCha8([32]byte{1}).Read(big) // never fails
	for i := 0; i < len(big); i += 256 << 10 {
		req := &kvpb.RawPutRequest{Key: kvpb.SystemKey(fmt.Sprintf("big/%08d", i)), Value: big[i : i+256<<10]}
		if _, err := nodes[0].store.Send(ctx, &kvpb.BatchRequest{Requests: []kvpb.Request{req}}); err != nil {
			t.Fatal(err)
		}
	}
	for _, n := range nodes[1:] {
		target := kvpb.ReplicaDescriptor{NodeID: n.id, StoreID: kvpb.StoreID(n.id)}
		d, err := nodes[0].store.ChangeReplicas(ctx, 1, raftstore.AddLearner, target)
		if err != nil {
			t.Fatalf("add learner on n%d: %v", n.id, err)
		}
		rd, _ := d.Replica(target.StoreID)
		deadline := time.Now().Add(20 * time.Second)
		for {
			match, commit, err := nodes[0].store.RaftStatus(1)
			if err != nil {
				t.Fatal(err)
			}
			if match[rd.ReplicaID] >= commit {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("learner on n%d did not catch up: match %d, commit %d", n.id, match[rd.ReplicaID], commit)
			}
			time.Sleep(10 * time.Millisecond)
		}
		if _, err := nodes[0].store.ChangeReplicas(ctx, 1, raftstore.Promote, target); err != nil {
			t.Fatalf("promote n%d: %v", n.id, err)
		}
	}
	for _, n := range nodes {
		d, err := n.store.Descriptor(1)
		if err != nil {
			t.Fatalf("n%d: %v", n.id, err)
		}
		if len(d.Replicas) != 3 {
			t.Fatalf("n%d sees %v", n.id, d)
		}
	}
	// The snapshots arrived intact.
	for i, eng := range engs {
		lo, hi := mvcc.EncodeKey(kvpb.SystemKey("big/"), 0), mvcc.EncodeKey(kvpb.SystemKey("big0"), 0)
		it, err := eng.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
		if err != nil {
			t.Fatal(err)
		}
		var got []byte
		for valid := it.First(); valid; valid = it.Next() {
			got = append(got, it.Value()...)
		}
		_ = it.Close()
		if !bytes.Contains(got, big[len(big)-1024:]) || len(got) < len(big) {
			t.Fatalf("n%d holds %d bytes of the big values", i+1, len(got))
		}
	}
	if _, err := db.Increment(ctx, kvpb.SystemKey("c"), 1); err != nil {
		t.Fatal(err)
	}
	nodes[0].stop()
	next := waitForLeader(t, nodes[1:])
	v, err := kv.NewDB(next.store, nil, kv.DBOptions{}).Increment(ctx, kvpb.SystemKey("c"), 1)
	if err != nil || v != 42 {
		t.Fatalf("after losing n1: %d %v, want 42", v, err)
	}
}
