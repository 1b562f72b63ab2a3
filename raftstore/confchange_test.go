package raftstore

import (
	"testing"

	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// TestNoopConfChange: the change a refused membership change is applied as
// leaves the configuration as it is, and does not panic outside a joint
// configuration (an empty ConfChangeV2 would: it means "leave joint").
func TestNoopConfChange(t *testing.T) {
	st := raft.NewMemoryStorage()
	voters := []uint64{1, 2, 3}
	if err := st.ApplySnapshot(&raftpb.Snapshot{Metadata: &raftpb.SnapshotMetadata{
		Index: ptr(uint64(10)), Term: ptr(uint64(5)), ConfState: &raftpb.ConfState{Voters: voters}}}); err != nil {
		t.Fatal(err)
	}
	rn, err := raft.NewRawNode(&raft.Config{ID: 1, ElectionTick: 10, HeartbeatTick: 1, Storage: st,
		MaxSizePerMsg: 1 << 20, MaxInflightMsgs: 16})
	if err != nil {
		t.Fatal(err)
	}
	cs := rn.ApplyConfChange(noopConfChange())
	if got := cs.GetVoters(); len(got) != 3 || len(cs.GetLearners()) != 0 {
		t.Fatalf("voters after the no-op change: %v, learners %v", got, cs.GetLearners())
	}
}

func ptr[T any](v T) *T { return &v }
