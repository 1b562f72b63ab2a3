package raftstore

import (
	"context"
	"encoding/binary"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/kv/mvcc"
)

func testLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

func openTestEngine(t *testing.T, dir string, fs vfs.FS) *pebble.DB {
	t.Helper()
	eng, err := mvcc.Open(dir, fs, testLogger())
	if err != nil {
		t.Fatal(err)
	}
	return eng
}

// range1 is the descriptor of a single-replica range 1 on n1/s1.
func range1() kvpb.RangeDescriptor {
	return kvpb.RangeDescriptor{
		RangeID:       1,
		StartKey:      kvpb.KeyMin,
		EndKey:        kvpb.KeyMax,
		Replicas:      []kvpb.ReplicaDescriptor{{NodeID: 1, StoreID: 1, ReplicaID: 1}},
		NextReplicaID: 2,
	}
}

// startTestStore starts a store on eng and waits until range 1 can serve.
func startTestStore(t *testing.T, eng *pebble.DB, knobs TestingKnobs) *Store {
	t.Helper()
	return startStoreWith(t, Config{Engine: eng, TickInterval: 10 * time.Millisecond, Testing: knobs})
}

// startStoreWith starts a store n1/s1 with cfg (NodeID, StoreID and Logger
// filled in), stops it when the test ends, and waits until range 1 can
// serve.
func startStoreWith(t *testing.T, cfg Config) *Store {
	t.Helper()
	cfg.NodeID, cfg.StoreID, cfg.Logger = 1, 1, testLogger()
	s, err := NewStore(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Stop)
	waitLeader(t, s, 1)
	return s
}

func waitLeader(t *testing.T, s *Store, id kvpb.RangeID) uint64 {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		if term, ok := s.LeaderTerm(id); ok {
			return term
		}
		time.Sleep(time.Millisecond)
	}
	t.Fatalf("range %s has no leader", id)
	return 0
}

func testCtx(t *testing.T) context.Context {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	return ctx
}

func send(t *testing.T, s *Store, reqs ...kvpb.Request) *kvpb.BatchResponse {
	t.Helper()
	br, err := s.Send(testCtx(t), &kvpb.BatchRequest{Requests: reqs})
	if err != nil {
		t.Fatalf("send %v: %v", reqs[0].Method(), err)
	}
	if len(br.Responses) != len(reqs) {
		t.Fatalf("got %d responses for %d requests", len(br.Responses), len(reqs))
	}
	return br
}

func rawGet(t *testing.T, s *Store, k string) ([]byte, bool) {
	t.Helper()
	resp := send(t, s, &kvpb.RawGetRequest{Key: key(k)}).Responses[0].(*kvpb.RawGetResponse)
	return resp.Value, resp.Found
}

func counter(t *testing.T, s *Store, k string) int64 {
	t.Helper()
	v, ok := rawGet(t, s, k)
	if !ok {
		return 0
	}
	if len(v) != 8 {
		t.Fatalf("counter %s holds %x", k, v)
	}
	return int64(binary.BigEndian.Uint64(v))
}

// key returns a key under /System, inside range 1.
func key(s string) kvpb.Key { return kvpb.SystemKey("test/" + s) }

// persistedState is what a range's raft state looks like on disk.
type persistedState struct {
	hardCommit, hardTerm uint64
	lastIndex            uint64
	applied, truncated   logPosition
}

func readPersisted(t *testing.T, eng pebble.Reader, id kvpb.RangeID) persistedState {
	t.Helper()
	hs, err := loadHardState(eng, id)
	if err != nil {
		t.Fatal(err)
	}
	trunc, err := loadTruncatedState(eng, id)
	if err != nil {
		t.Fatal(err)
	}
	last, err := loadLastIndex(eng, id, trunc)
	if err != nil {
		t.Fatal(err)
	}
	applied, err := loadAppliedState(eng, id)
	if err != nil {
		t.Fatal(err)
	}
	return persistedState{hardCommit: hs.GetCommit(), hardTerm: hs.GetTerm(), lastIndex: last, applied: applied, truncated: trunc}
}
