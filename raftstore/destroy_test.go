package raftstore

import (
	"bytes"
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"go.etcd.io/raft/v3/raftpb"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// testStores is n stores in one process joined by a pipeTransport; store
// i+1 runs on engs[i], and store 1 holds range 1 alone at first.
type testStores struct {
	t    *testing.T
	tr   *pipeTransport
	fss  []vfs.FS
	engs []*pebble.DB
	// configure, when set, adjusts each store's Config before it starts.
	configure func(*Config)
}

func newTestStores(t *testing.T, n int) *testStores {
	t.Helper()
	return newTestStoresWith(t, n, nil)
}

// newTestStoresWith is newTestStores with configure applied to every
// store's Config.
func newTestStoresWith(t *testing.T, n int, configure func(*Config)) *testStores {
	t.Helper()
	ts := &testStores{t: t, tr: &pipeTransport{stores: map[kvpb.StoreID]*Store{}}, configure: configure}
	for range n {
		fs := vfs.NewMem()
		ts.fss = append(ts.fss, fs)
		ts.engs = append(ts.engs, openTestEngine(t, "", fs))
	}
	if err := WriteInitialState(ts.engs[0], range1()); err != nil {
		t.Fatal(err)
	}
	// Cleanups run last registered first: the stores stop (and the
	// snapshot goroutines end) before the engines close.
	t.Cleanup(func() {
		for _, e := range ts.engs {
			_ = e.Close()
		}
	})
	t.Cleanup(func() {
		for i := range n {
			if s := ts.store(i); s != nil {
				s.Stop()
			}
		}
		ts.tr.wg.Wait()
	})
	for i := range n {
		ts.start(i)
	}
	waitLeader(t, ts.store(0), 1)
	return ts
}

// newThreeVoters is three stores with a voter of range 1 each.
func newThreeVoters(t *testing.T) *testStores {
	t.Helper()
	ts := newTestStores(t, 3)
	ts.addVoter(1)
	ts.addVoter(2)
	return ts
}

// start starts (or restarts) store i+1 on its engine.
func (ts *testStores) start(i int) *Store {
	ts.t.Helper()
	id := kvpb.StoreID(i + 1)
	cfg := Config{NodeID: kvpb.NodeID(id), StoreID: id, Engine: ts.engs[i], TickInterval: 10 * time.Millisecond,
		Transport: ts.tr, Logger: testLogger(), SnapshotFS: ts.fss[i], SnapshotDir: "snapshots"}
	if ts.configure != nil {
		ts.configure(&cfg)
	}
	s, err := NewStore(cfg)
	if err != nil {
		ts.t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		ts.t.Fatal(err)
	}
	ts.tr.mu.Lock()
	ts.tr.stores[id] = s
	ts.tr.mu.Unlock()
	return s
}

func (ts *testStores) store(i int) *Store { return ts.tr.store(kvpb.StoreID(i + 1)) }

// leader returns the index of the store leading range 1.
func (ts *testStores) leader() int {
	ts.t.Helper()
	var idx int
	ts.eventually("range 1 has a leader", func() bool {
		for i := range ts.engs {
			if s := ts.store(i); s != nil {
				if _, ok := s.LeaderTerm(1); ok {
					idx = i
					return true
				}
			}
		}
		return false
	})
	return idx
}

// addVoter adds a voter of range 1 on store i+1, from the leader.
func (ts *testStores) addVoter(i int) {
	ts.t.Helper()
	target := kvpb.ReplicaDescriptor{NodeID: kvpb.NodeID(i + 1), StoreID: kvpb.StoreID(i + 1)}
	l := ts.store(ts.leader())
	if _, err := l.ChangeReplicas(testCtx(ts.t), 1, AddLearner, target); err != nil {
		ts.t.Fatal(err)
	}
	ts.eventually("the learner is initialized", func() bool {
		d, err := ts.store(i).Descriptor(1)
		return err == nil && len(d.EndKey) > 0
	})
	if _, err := l.ChangeReplicas(testCtx(ts.t), 1, Promote, target); err != nil {
		ts.t.Fatal(err)
	}
}

func (ts *testStores) eventually(what string, cond func() bool) {
	ts.t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			ts.t.Fatalf("timed out waiting: %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// engineKeys lists every key of eng.
func engineKeys(t *testing.T, eng *pebble.DB) [][]byte {
	t.Helper()
	it, err := eng.NewIter(nil)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = it.Close() }()
	var out [][]byte
	for valid := it.First(); valid; valid = it.Next() {
		out = append(out, bytes.Clone(it.Key()))
	}
	return out
}

// lateHeartbeat is a message from replica 1 of range 1 to replica rid on
// store i+1.
func lateHeartbeat(i int, rid kvpb.ReplicaID) *RaftMessage {
	typ, from, to, term := raftpb.MessageType_MsgHeartbeat, uint64(1), uint64(rid), uint64(1000)
	return &RaftMessage{RangeID: 1, From: range1().Replicas[0],
		To:      kvpb.ReplicaDescriptor{NodeID: kvpb.NodeID(i + 1), StoreID: kvpb.StoreID(i + 1), ReplicaID: rid},
		Message: &raftpb.Message{Type: &typ, From: &from, To: &to, Term: &term}}
}

// TestRemovedReplicaIsDestroyed removes the replica of range 1 on the third
// of three stores: the store destroys it, keeping only the tombstone; a
// late message for it creates nothing, before and after a restart; the
// range goes on with two voters; and adding the store again (a new
// replica id) creates a replica that catches up.
func TestRemovedReplicaIsDestroyed(t *testing.T) {
	ts := newThreeVoters(t)
	s1 := ts.store(0)
	send(t, s1, &kvpb.RawPutRequest{Key: key("a"), Value: []byte("1")})
	ts.eventually("store 3 applied the write", func() bool {
		_, ok, _ := getValue(ts.engs[2], key("a"))
		return ok
	})

	d, err := s1.ChangeReplicas(testCtx(t), 1, Remove, kvpb.ReplicaDescriptor{StoreID: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(d.Replicas) != 2 || d.NextReplicaID != 4 {
		t.Fatalf("descriptor after the removal: %v", d)
	}
	ts.eventually("store 3 destroyed its replica", func() bool {
		_, err := ts.store(2).GetReplica(1)
		return err != nil
	})
	checkOnlyTombstone := func() {
		t.Helper()
		keys := engineKeys(t, ts.engs[2])
		if len(keys) != 1 || !bytes.Equal(keys[0], engineKey(kvpb.RaftReplicaTombstoneKey(1))) {
			t.Fatalf("store 3 holds %d keys after the removal, want only the tombstone: %q", len(keys), keys)
		}
		if next, err := loadTombstone(ts.engs[2], 1); err != nil || next != 4 {
			t.Fatalf("tombstone %d, %v; want 4", next, err)
		}
	}
	checkOnlyTombstone()

	// A late message for the removed replica (id 3) creates nothing.
	refused := func() {
		t.Helper()
		err := ts.store(2).HandleRaftMessage(context.Background(), lateHeartbeat(2, 3))
		var rnf *kvpb.RangeNotFoundError
		if !errors.As(err, &rnf) {
			t.Fatalf("a late message for the removed replica: %v", err)
		}
		if _, err := ts.store(2).GetReplica(1); err == nil {
			t.Fatal("a late message re-created the removed replica")
		}
	}
	refused()

	// The two remaining voters serve.
	send(t, s1, &kvpb.RawPutRequest{Key: key("b"), Value: []byte("2")})
	if v, ok := rawGet(t, s1, "b"); !ok || string(v) != "2" {
		t.Fatalf("b = %q, %v", v, ok)
	}

	// The tombstone survives a restart, and the store starts without the
	// range.
	ts.store(2).Stop()
	s3 := ts.start(2)
	if _, err := s3.GetReplica(1); err == nil {
		t.Fatal("the destroyed replica came back with a restart")
	}
	refused()
	checkOnlyTombstone()

	// Added again, the store gets replica id 4, which the tombstone
	// allows, and catches up.
	ts.addVoter(2)
	ts.eventually("the re-added replica has the data", func() bool {
		v, ok, _ := getValue(ts.engs[2], key("b"))
		return ok && len(v) > 0
	})
	if d, err := s3.Descriptor(1); err != nil || len(d.Replicas) != 3 {
		t.Fatalf("re-added replica's descriptor %v, %v", d, err)
	}
	if rd, _ := s1.Descriptor(1); rd.Replicas[2].ReplicaID != 4 {
		t.Fatalf("re-added replica has id %d", rd.Replicas[2].ReplicaID)
	}
	// A late message for the old replica does not reach the new one.
	err = s3.HandleRaftMessage(context.Background(), lateHeartbeat(2, 3))
	if rnf := (*kvpb.RangeNotFoundError)(nil); !errors.As(err, &rnf) {
		t.Fatalf("a late message for the old replica, to the new one: %v", err)
	}
}

// TestLeaderRemovesItself: the leader proposes its own removal. It is
// destroyed once the change applies (its proposer still gets the new
// descriptor), the other two elect a leader and serve, and the old
// leader's store refuses requests for the range with RangeNotFoundError.
// Then a leader handed its leadership first (TransferLeadership) is
// removed by its successor.
func TestLeaderRemovesItself(t *testing.T) {
	ts := newThreeVoters(t)
	s1 := ts.store(0)
	send(t, s1, &kvpb.RawPutRequest{Key: key("a"), Value: []byte("1")})
	d, err := s1.ChangeReplicas(testCtx(t), 1, Remove, kvpb.ReplicaDescriptor{StoreID: 1})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := d.Replica(1); ok || len(d.Replicas) != 2 {
		t.Fatalf("descriptor after the removal: %v", d)
	}
	ts.eventually("store 1 destroyed its replica", func() bool {
		_, err := s1.GetReplica(1)
		return err != nil
	})
	_, err = s1.Send(testCtx(t), &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: key("a")}}})
	var rnf *kvpb.RangeNotFoundError
	if !errors.As(err, &rnf) {
		t.Fatalf("a read on the destroyed leader's store: %v", err)
	}
	l := ts.leader()
	if l == 0 {
		t.Fatal("the destroyed replica leads")
	}
	if v, ok := rawGet(t, ts.store(l), "a"); !ok || string(v) != "1" {
		t.Fatalf("a = %q, %v on the new leader", v, ok)
	}

	// The polite way: move the leadership, then remove.
	other := 3 - l // the stores left are 1 and 2 (indexes)
	if err := ts.store(l).TransferLeadership(testCtx(t), 1, kvpb.StoreID(other+1)); err != nil {
		t.Fatal(err)
	}
	waitLeader(t, ts.store(other), 1)
	if _, err := ts.store(other).ChangeReplicas(testCtx(t), 1, Remove, kvpb.ReplicaDescriptor{StoreID: kvpb.StoreID(l + 1)}); err != nil {
		t.Fatal(err)
	}
	ts.eventually("the old leader destroyed its replica", func() bool {
		_, err := ts.store(l).GetReplica(1)
		return err != nil
	})
	send(t, ts.store(other), &kvpb.RawPutRequest{Key: key("b"), Value: []byte("2")})
}

// TestStartFinishesAnInterruptedDestroy: a store whose engine holds a
// descriptor that no longer lists it (a crash came between the removal's
// apply batch and the destruction) destroys the data when it starts.
func TestStartFinishesAnInterruptedDestroy(t *testing.T) {
	eng := openTestEngine(t, "", vfs.NewMem())
	defer func() { _ = eng.Close() }()
	d := range1()
	d.Replicas = []kvpb.ReplicaDescriptor{{NodeID: 2, StoreID: 2, ReplicaID: 2}}
	d.NextReplicaID = 3
	if err := WriteInitialState(eng, d); err != nil {
		t.Fatal(err)
	}
	if err := eng.Set(engineKey(key("a")), []byte("x"), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	s, err := NewStore(Config{NodeID: 1, StoreID: 1, Engine: eng, Logger: testLogger()})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Stop()
	keys := engineKeys(t, eng)
	if len(keys) != 1 || !bytes.Equal(keys[0], engineKey(kvpb.RaftReplicaTombstoneKey(1))) {
		t.Fatalf("%d keys left: %q", len(keys), keys)
	}
	if next, err := loadTombstone(eng, 1); err != nil || next != 3 {
		t.Fatalf("tombstone %d, %v; want 3", next, err)
	}
}
