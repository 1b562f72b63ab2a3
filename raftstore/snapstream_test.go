package raftstore

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// pipeTransport connects stores in one process: messages are stepped in
// directly, snapshots are streamed (StreamSnapshot → IncomingSnapshot →
// HandleSnapshot) on goroutines the test waits for.
type pipeTransport struct {
	mu     sync.Mutex
	stores map[kvpb.StoreID]*Store
	wg     sync.WaitGroup
	chunks atomic.Int64
	snaps  atomic.Int64
	// drop, when set, drops the messages it returns true for.
	drop atomic.Pointer[func(*RaftMessage) bool]
}

func (p *pipeTransport) store(id kvpb.StoreID) *Store {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.stores[id]
}

func (p *pipeTransport) Send(msgs []*RaftMessage) {
	for _, m := range msgs {
		from, to := p.store(m.From.StoreID), p.store(m.To.StoreID)
		if to == nil {
			continue
		}
		if d := p.drop.Load(); d != nil && (*d)(m) {
			continue
		}
		if m.Message.GetType() != raftpb.MessageType_MsgSnap {
			_ = to.HandleRaftMessage(context.Background(), m)
			continue
		}
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			from.ReportSnapshot(m, p.stream(from, to, m) == nil)
		}()
	}
}

func (p *pipeTransport) stream(from, to *Store, m *RaftMessage) error {
	in, err := to.NewIncomingSnapshot()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = from.StreamSnapshot(ctx, m, func(file int, data []byte) error {
		p.chunks.Add(1)
		return in.Write(file, data)
	})
	if err != nil {
		in.Close()
		return err
	}
	p.snaps.Add(1)
	return to.HandleSnapshot(ctx, m, in)
}

// TestSnapshotIngest adds a learner on a second store, which has keys of
// its own in the range's span, and catches it up by a snapshot of several
// MB: the receiver ends up with exactly the sender's keys, consistent raft
// state, and keeps both across a restart.
func TestSnapshotIngest(t *testing.T) {
	fs1, fs2 := vfs.NewMem(), vfs.NewMem()
	eng1, eng2 := openTestEngine(t, "", fs1), openTestEngine(t, "", fs2)
	defer func() { _ = eng1.Close() }()
	if err := WriteInitialState(eng1, range1()); err != nil {
		t.Fatal(err)
	}
	// A key the receiver holds that the snapshot does not.
	junk := engineKey(key("junk"))
	if err := eng2.Set(junk, []byte("stale"), pebble.Sync); err != nil {
		t.Fatal(err)
	}
	tr := &pipeTransport{stores: map[kvpb.StoreID]*Store{}}
	s1 := startStoreWith(t, Config{Engine: eng1, TickInterval: 10 * time.Millisecond, Transport: tr,
		RaftLogKeep: 4, SnapshotFS: fs1, SnapshotDir: "snapshots"})
	s2, err := NewStore(Config{NodeID: 2, StoreID: 2, Engine: eng2, TickInterval: 10 * time.Millisecond, Transport: tr,
		Logger: testLogger(), SnapshotFS: fs2, SnapshotDir: "snapshots"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	tr.mu.Lock()
	tr.stores[1], tr.stores[2] = s1, s2
	tr.mu.Unlock()

	// 40 values of 128 KiB: a 5 MiB snapshot, twenty-odd chunks.
	// Random, so that compression keeps the size.
	val := make([]byte, 128<<10)
	rng := rand.New(rand.NewPCG(1, 2))
	for i := range val {
		val[i] = byte(rng.Uint32())
	}
	for i := range 40 {
		send(t, s1, &kvpb.RawPutRequest{Key: key(fmt.Sprintf("k%02d", i)), Value: append([]byte{byte(i)}, val...)})
	}
	if _, err := s1.ChangeReplicas(testCtx(t), 1, AddLearner, kvpb.ReplicaDescriptor{NodeID: 2, StoreID: 2}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(20 * time.Second)
	for {
		d, err := s2.Descriptor(1)
		if err == nil && len(d.EndKey) > 0 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the learner was not initialized (%v)", err)
		}
		time.Sleep(5 * time.Millisecond)
	}
	s2.Stop()
	s1.Stop()
	tr.wg.Wait()
	if tr.snaps.Load() == 0 || tr.chunks.Load() < 15 {
		t.Fatalf("%d snapshots in %d chunks", tr.snaps.Load(), tr.chunks.Load())
	}

	check := func(eng *pebble.DB) {
		t.Helper()
		for i := range 40 {
			k := engineKey(key(fmt.Sprintf("k%02d", i)))
			v, closer, err := eng.Get(k)
			if err != nil {
				t.Fatalf("k%02d: %v", i, err)
			}
			want, closer1, err := eng1.Get(k)
			if err != nil {
				t.Fatalf("k%02d on the sender: %v", i, err)
			}
			if !bytes.Equal(v, want) {
				t.Fatalf("k%02d holds %d bytes, the sender %d", i, len(v), len(want))
			}
			_, _ = closer.Close(), closer1.Close()
		}
		if _, _, err := eng.Get(junk); err != pebble.ErrNotFound {
			t.Fatalf("the receiver's own key survived the snapshot: %v", err)
		}
		p1, p2 := readPersisted(t, eng1, 1), readPersisted(t, eng, 1)
		if p2.truncated.Index == 0 || p2.applied.Index < p2.truncated.Index || p2.lastIndex < p2.applied.Index ||
			p2.hardCommit < p2.applied.Index || p2.applied.Index > p1.applied.Index {
			t.Fatalf("receiver raft state %+v (sender %+v)", p2, p1)
		}
		if ls, _ := fs2.List("snapshots"); len(ls) != 0 {
			t.Fatalf("snapshot files left: %v", ls)
		}
	}
	check(eng2)

	// Restart the receiver from what its filesystem holds.
	if err := eng2.Close(); err != nil {
		t.Fatal(err)
	}
	eng2 = openTestEngine(t, "", fs2)
	defer func() { _ = eng2.Close() }()
	check(eng2)
	s2, err = NewStore(Config{NodeID: 2, StoreID: 2, Engine: eng2, TickInterval: 10 * time.Millisecond,
		Logger: testLogger(), SnapshotFS: fs2, SnapshotDir: "snapshots"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s2.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s2.Stop()
	if d, err := s2.Descriptor(1); err != nil || len(d.Replicas) != 2 {
		t.Fatalf("after a restart: %v, %v", d, err)
	}
}

// TestSnapshotRejectedReleasesFiles steps a snapshot older than what the
// replica has: raft refuses it, and its files are removed.
func TestSnapshotRejectedReleasesFiles(t *testing.T) {
	fs := vfs.NewMem()
	eng := openTestEngine(t, "", fs)
	defer func() { _ = eng.Close() }()
	if err := WriteInitialState(eng, range1()); err != nil {
		t.Fatal(err)
	}
	s := startStoreWith(t, Config{Engine: eng, TickInterval: 10 * time.Millisecond, SnapshotFS: fs, SnapshotDir: "snapshots"})
	send(t, s, &kvpb.RawPutRequest{Key: key("a"), Value: []byte("1")})
	r, err := s.GetReplica(1)
	if err != nil {
		t.Fatal(err)
	}
	r.mu.Lock()
	snap, err := r.mu.storage.Snapshot()
	r.mu.Unlock()
	if err != nil {
		t.Fatal(err)
	}
	// Make it stale: more writes after it was taken.
	send(t, s, &kvpb.RawPutRequest{Key: key("b"), Value: []byte("2")})
	m := &RaftMessage{RangeID: 1, From: range1().Replicas[0], To: range1().Replicas[0]}
	typ, id := raftpb.MessageType_MsgSnap, uint64(1)
	m.Message = &raftpb.Message{Type: &typ, From: &id, To: &id, Snapshot: snap}
	in, err := s.NewIncomingSnapshot()
	if err != nil {
		t.Fatal(err)
	}
	err = s.StreamSnapshot(testCtx(t), m, func(file int, data []byte) error { return in.Write(file, data) })
	if err != nil {
		t.Fatal(err)
	}
	if err := s.HandleSnapshot(testCtx(t), m, in); err == nil {
		t.Fatal("a stale snapshot was applied")
	}
	if ls, _ := fs.List("snapshots"); len(ls) != 0 {
		t.Fatalf("snapshot files left: %v", ls)
	}
	if v, ok := rawGet(t, s, "b"); !ok || string(v) != "2" {
		t.Fatalf("b = %q, %v", v, ok)
	}
}

// TestOutgoingSnapshotBounds: the store holds a bounded number of
// snapshots, and one never fetched (its message was lost) is released when
// it expires and handed back to be reported failed.
func TestOutgoingSnapshotBounds(t *testing.T) {
	eng := openTestEngine(t, "", vfs.NewMem())
	defer func() { _ = eng.Close() }()
	if err := WriteInitialState(eng, range1()); err != nil {
		t.Fatal(err)
	}
	var o outgoingSnapshots
	defer o.expire(time.Time{}, true)
	var snaps []*raftpb.Snapshot
	for range maxOutgoingSnapshots {
		snap, err := o.capture(eng, 1)
		if err != nil {
			t.Fatal(err)
		}
		snaps = append(snaps, snap)
	}
	if _, err := o.capture(eng, 1); err != raft.ErrSnapshotTemporarilyUnavailable {
		t.Fatalf("past the bound: %v", err)
	}
	sd, err := decodeSnapshotHeader(snaps[0].GetData())
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := o.fetch(sd.id); !ok {
		t.Fatal("a held snapshot cannot be fetched")
	}
	if _, ok := o.fetch(sd.id); ok {
		t.Fatal("a snapshot was fetched twice")
	}
	if lost := o.expire(time.Now(), false); len(lost) != 0 {
		t.Fatalf("%d snapshots expired early", len(lost))
	}
	lost := o.expire(time.Now().Add(snapshotFetchTimeout+time.Second), false)
	if len(lost) != maxOutgoingSnapshots-1 {
		t.Fatalf("%d snapshots expired, want the %d unfetched", len(lost), maxOutgoingSnapshots-1)
	}
	o.release(sd.id)
	if len(o.m) != 0 {
		t.Fatalf("%d snapshots still held", len(o.m))
	}
}
