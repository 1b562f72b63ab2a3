package raftstore

import (
	"errors"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/rangedb/rangedb/kv/kvpb"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

func mkEntry(index, term uint64, data string) *raftpb.Entry {
	typ := raftpb.EntryNormal
	return &raftpb.Entry{Index: &index, Term: &term, Type: &typ, Data: []byte(data)}
}

// newTestStorage bootstraps range 1 and appends entries 11..20, entry i at
// term 5 + (i-10)/4.
func newTestStorage(t *testing.T) (*pebble.DB, *replicaStorage) {
	t.Helper()
	eng := openTestEngine(t, "", vfs.NewMem())
	t.Cleanup(func() { eng.Close() })
	desc := range1()
	if err := WriteInitialState(eng, desc); err != nil {
		t.Fatal(err)
	}
	st, err := loadReplicaStorage(eng, &desc)
	if err != nil {
		t.Fatal(err)
	}
	var ents []*raftpb.Entry
	for i := uint64(11); i <= 20; i++ {
		ents = append(ents, mkEntry(i, 5+(i-10)/4, "0123456789"))
	}
	appendEntries(t, eng, st, ents)
	return eng, st
}

func appendEntries(t *testing.T, eng *pebble.DB, st *replicaStorage, ents []*raftpb.Entry) {
	t.Helper()
	b := eng.NewBatch()
	defer b.Close()
	last, term, err := st.appendToBatch(b, ents)
	if err != nil {
		t.Fatal(err)
	}
	if err := b.Commit(pebble.Sync); err != nil {
		t.Fatal(err)
	}
	st.setLast(last, term)
}

func TestStorageBounds(t *testing.T) {
	eng, st := newTestStorage(t)
	if fi, _ := st.FirstIndex(); fi != 11 {
		t.Errorf("FirstIndex = %d", fi)
	}
	if li, _ := st.LastIndex(); li != 20 {
		t.Errorf("LastIndex = %d", li)
	}
	for _, tc := range []struct {
		i    uint64
		term uint64
		err  error
	}{
		{9, 0, raft.ErrCompacted},
		{10, 5, nil}, // the truncated entry keeps its term
		{11, 5, nil},
		{14, 6, nil},
		{20, 7, nil},
		{21, 0, raft.ErrUnavailable},
	} {
		term, err := st.Term(tc.i)
		if !errors.Is(err, tc.err) || term != tc.term {
			t.Errorf("Term(%d) = %d, %v; want %d, %v", tc.i, term, err, tc.term, tc.err)
		}
	}
	for _, tc := range []struct {
		lo, hi, maxSize uint64
		n               int
		err             error
	}{
		{10, 12, 1 << 20, 0, raft.ErrCompacted},
		{11, 21, 1 << 20, 10, nil},
		{11, 22, 1 << 20, 0, raft.ErrUnavailable},
		{15, 18, 1 << 20, 3, nil},
		{15, 15, 1 << 20, 0, nil},
		{11, 21, 0, 1, nil},  // at least one entry
		{11, 21, 40, 2, nil}, // an entry record is ~16 bytes
	} {
		ents, err := st.Entries(tc.lo, tc.hi, tc.maxSize)
		if !errors.Is(err, tc.err) || len(ents) != tc.n {
			t.Errorf("Entries(%d, %d, %d) = %d entries, %v; want %d, %v", tc.lo, tc.hi, tc.maxSize, len(ents), err, tc.n, tc.err)
			continue
		}
		for j, e := range ents {
			if e.GetIndex() != tc.lo+uint64(j) || string(e.GetData()) != "0123456789" {
				t.Errorf("Entries(%d, %d)[%d] = %v", tc.lo, tc.hi, j, e)
			}
		}
	}

	// Appending at 15 replaces the tail: 17..20 are gone.
	appendEntries(t, eng, st, []*raftpb.Entry{mkEntry(15, 8, "a"), mkEntry(16, 8, "b")})
	if li, _ := st.LastIndex(); li != 16 {
		t.Errorf("LastIndex after overwrite = %d", li)
	}
	if term, _ := st.Term(16); term != 8 {
		t.Errorf("Term(16) = %d", term)
	}
	if _, err := st.Entries(15, 18, 1<<20); !errors.Is(err, raft.ErrUnavailable) {
		t.Errorf("Entries past the new tail: %v", err)
	}
	if _, ok, _ := getValue(eng, kvpb.RaftLogKey(1, 17)); ok {
		t.Error("entry 17 survived the overwrite")
	}
	// The storage reloaded from the engine agrees.
	desc := range1()
	st2, err := loadReplicaStorage(eng, &desc)
	if err != nil {
		t.Fatal(err)
	}
	if st2.lastIndex != 16 || st2.lastTerm != 8 || st2.truncated != (logPosition{Index: 10, Term: 5}) {
		t.Errorf("reloaded storage: last %d/%d truncated %+v", st2.lastIndex, st2.lastTerm, st2.truncated)
	}
	hs, cs, _ := st2.InitialState()
	if hs.GetTerm() != initialTerm || hs.GetCommit() != initialIndex || len(cs.Voters) != 1 || cs.Voters[0] != 1 {
		t.Errorf("InitialState = %v, %v", hs, cs)
	}
	// A snapshot is the state at the applied index, with the membership.
	if snap, err := st2.Snapshot(); err != nil {
		if !errors.Is(err, raft.ErrSnapshotTemporarilyUnavailable) {
			t.Errorf("Snapshot: %v", err)
		}
	} else if snap.GetMetadata().GetIndex() < initialIndex || len(snap.GetMetadata().GetConfState().GetVoters()) != 1 {
		t.Errorf("Snapshot metadata: %v", snap.GetMetadata())
	}
	// Appending past the end leaves a gap: refused.
	b := eng.NewBatch()
	defer b.Close()
	if _, _, err := st.appendToBatch(b, []*raftpb.Entry{mkEntry(18, 8, "x")}); err == nil {
		t.Error("append with a gap succeeded")
	}
}

func TestRecordRoundTrip(t *testing.T) {
	term, vote, commit := uint64(3), uint64(2), uint64(9)
	hs, err := decodeHardState(encodeHardState(&raftpb.HardState{Term: &term, Vote: &vote, Commit: &commit}))
	if err != nil || hs.GetTerm() != 3 || hs.GetVote() != 2 || hs.GetCommit() != 9 {
		t.Fatalf("HardState: %v %v", hs, err)
	}
	e, err := decodeEntry(encodeEntry(mkEntry(7, 4, "data")))
	if err != nil || e.GetIndex() != 7 || e.GetTerm() != 4 || string(e.GetData()) != "data" || e.GetType() != raftpb.EntryNormal {
		t.Fatalf("entry: %v %v", e, err)
	}
	p, err := decodeLogPosition(appliedFormat, encodeLogPosition(appliedFormat, logPosition{Index: 5, Term: 6}))
	if err != nil || p != (logPosition{Index: 5, Term: 6}) {
		t.Fatalf("position: %v %v", p, err)
	}
	for _, b := range [][]byte{nil, {9}, {hardStateFormat, 0x80}} {
		if _, err := decodeHardState(b); err == nil {
			t.Errorf("decodeHardState(%x) succeeded", b)
		}
	}
}

func TestCommandRoundTrip(t *testing.T) {
	reqs := []kvpb.Request{&kvpb.RawPutRequest{Key: kvpb.Key("a"), Value: []byte("b")}, &kvpb.IncrementRequest{Key: kvpb.Key("c"), Inc: -3}}
	cmd, err := decodeCommand(encodeCommand(1<<40, reqs))
	if err != nil {
		t.Fatal(err)
	}
	if cmd.proposalID != 1<<40 || len(cmd.requests) != 2 || cmd.requests[1].(*kvpb.IncrementRequest).Inc != -3 {
		t.Fatalf("decoded %+v", cmd)
	}
	for _, b := range [][]byte{nil, {2, 1}, {commandFormat}, {commandFormat, 1, 9}} {
		if _, err := decodeCommand(b); err == nil {
			t.Errorf("decodeCommand(%x) succeeded", b)
		}
	}
}

func TestConfigValidation(t *testing.T) {
	eng := openTestEngine(t, "", vfs.NewMem())
	defer eng.Close()
	for _, cfg := range []Config{
		{StoreID: 1, Engine: eng},
		{NodeID: 1, Engine: eng},
		{NodeID: 1, StoreID: 1},
		{NodeID: 1, StoreID: 1, Engine: eng, ElectionTicks: 2, HeartbeatTicks: 2},
	} {
		if _, err := NewStore(cfg); err == nil {
			t.Errorf("NewStore(%+v) succeeded", cfg)
		}
	}
}
