package mvcc

import (
	"errors"
	"log/slog"
	"testing"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// TestEvalOnBatchAndSnapshot checks that evaluation works against the
// readers raftstore uses: an indexed batch (seeing its own uncommitted
// writes) and a snapshot (not seeing later ones).
func TestEvalOnBatchAndSnapshot(t *testing.T) {
	db, err := Open("", vfs.NewMem(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	k := kvpb.Key("k")

	ib := db.NewIndexedBatch()
	defer ib.Close()
	w := db.NewBatch()
	defer w.Close()
	prewrite := &kvpb.PrewriteRequest{Primary: k, StartTs: 10, LockTTL: 5, Mutations: []kvpb.Mutation{{Op: kvpb.OpPut, Key: k, Value: []byte("v")}}}
	if _, err := EvalWrite(ib, w, prewrite); err != nil {
		t.Fatal(err)
	}
	if err := ib.Apply(w, nil); err != nil {
		t.Fatal(err)
	}
	// The indexed batch sees the lock before it is committed; the DB does not.
	var locked *kvpb.KeyLockedError
	if _, err := EvalRead(ib, &kvpb.GetRequest{Key: k, Ts: 20}); !errors.As(err, &locked) {
		t.Fatalf("read through the batch: got %v, want KeyLockedError", err)
	}
	if _, err := EvalRead(db, &kvpb.GetRequest{Key: k, Ts: 20}); err != nil {
		t.Fatal(err)
	}
	// A second write request evaluated on the same batch: commit.
	w2 := db.NewBatch()
	defer w2.Close()
	if _, err := EvalWrite(ib, w2, &kvpb.CommitRequest{StartTs: 10, CommitTs: 15, Keys: []kvpb.Key{k}}); err != nil {
		t.Fatal(err)
	}
	if err := ib.Apply(w2, nil); err != nil {
		t.Fatal(err)
	}
	snap := db.NewSnapshot()
	defer snap.Close()
	if err := ib.Commit(pebble.Sync); err != nil {
		t.Fatal(err)
	}
	if resp, err := EvalRead(snap, &kvpb.GetRequest{Key: k, Ts: 20}); err != nil || resp.(*kvpb.GetResponse).Found {
		t.Fatalf("snapshot taken before the commit: %+v %v", resp, err)
	}
	resp, err := EvalRead(db, &kvpb.GetRequest{Key: k, Ts: 20})
	if err != nil {
		t.Fatal(err)
	}
	if g := resp.(*kvpb.GetResponse); !g.Found || string(g.Value) != "v" || g.Ts != 15 {
		t.Fatalf("got %+v", g)
	}
}

func TestEvalWrongKind(t *testing.T) {
	db, err := Open("", vfs.NewMem(), slog.New(slog.DiscardHandler))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := EvalRead(db, &kvpb.RawPutRequest{Key: kvpb.Key("a")}); err == nil {
		t.Fatal("EvalRead accepted a write")
	}
	b := db.NewBatch()
	defer b.Close()
	if _, err := EvalWrite(db, b, &kvpb.GetRequest{Key: kvpb.Key("a"), Ts: 1}); err == nil || !b.Empty() {
		t.Fatalf("EvalWrite accepted a read: %v", err)
	}
	if _, err := EvalRead(db, &kvpb.GetRequest{Key: kvpb.Key("a")}); err == nil {
		t.Fatal("Get without a timestamp succeeded")
	}
}
