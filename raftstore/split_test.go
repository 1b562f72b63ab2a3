package raftstore

import (
	"errors"
	"fmt"
	"testing"

	"github.com/rangedb/rangedb/kv/kvpb"
)

func tableKey(s string) kvpb.Key { return append(kvpb.TableKeyPrefix(100), s...) }

func split(t *testing.T, s *Store, at kvpb.Key, right kvpb.RangeID) *kvpb.AdminSplitResponse {
	t.Helper()
	br := send(t, s, &kvpb.AdminSplitRequest{SplitKey: at, RightRangeID: right})
	return br.Responses[0].(*kvpb.AdminSplitResponse)
}

// TestSplitOneStore splits range 1 twice on one store: each side serves its
// keys only, meta covers the keyspace without a gap, a bad split is
// refused, and both splits survive a restart.
func TestSplitOneStore(t *testing.T) {
	ts := newTestStores(t, 1)
	s := ts.store(0)
	for _, k := range []string{"a", "m", "z"} {
		send(t, s, &kvpb.RawPutRequest{Key: tableKey(k), Value: []byte(k)})
	}
	sp := split(t, s, tableKey("m"), 2)
	if !sp.Left.EndKey.Equal(tableKey("m")) || !sp.Right.StartKey.Equal(tableKey("m")) || sp.Right.RangeID != 2 ||
		sp.Left.Generation != 1 || sp.Right.Generation != 1 || len(sp.Right.Replicas) != 1 {
		t.Fatalf("split answered %v / %v", &sp.Left, &sp.Right)
	}
	waitLeader(t, s, 2)
	// The right range holds m and z; range 1 refuses them.
	for _, k := range []string{"m", "z"} {
		br, err := s.Send(testCtx(t), &kvpb.BatchRequest{RangeID: 2, Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: tableKey(k)}}})
		if err != nil || string(br.Responses[0].(*kvpb.RawGetResponse).Value) != k {
			t.Fatalf("range 2 get %s: %v", k, err)
		}
		_, err = s.Send(testCtx(t), &kvpb.BatchRequest{RangeID: 1, Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: tableKey(k)}}})
		var mm *kvpb.RangeKeyMismatchError
		if !errors.As(err, &mm) || len(mm.Ranges) != 2 || mm.Ranges[1].RangeID != 2 {
			t.Fatalf("range 1 get %s: %v, want a mismatch naming range 2", k, err)
		}
	}
	// Routing by key.
	if v, ok := rawGetKey(t, s, tableKey("a")); !ok || string(v) != "a" {
		t.Fatalf("a = %q %v", v, ok)
	}
	send(t, s, &kvpb.RawPutRequest{Key: tableKey("n"), Value: []byte("n")})
	// Splitting again at the same key, below /System's end, or outside
	// the range is refused.
	for _, req := range []*kvpb.AdminSplitRequest{
		{SplitKey: tableKey("m"), RightRangeID: 3},
		{SplitKey: kvpb.SystemKey("x"), RightRangeID: 3},
	} {
		if _, err := s.Send(testCtx(t), &kvpb.BatchRequest{Requests: []kvpb.Request{req}}); err == nil {
			t.Fatalf("split at %s succeeded", req.SplitKey)
		}
	}
	checkMeta(t, s, 2)
	// Range 2's split leaves its meta entry to the caller (server's meta
	// repair): stale, but no gap.
	split(t, s, tableKey("t"), 3)
	waitLeader(t, s, 3)
	checkMeta(t, s, 2)

	ts.engs[0].Flush()
	s.Stop()
	s = ts.start(0)
	for _, id := range []kvpb.RangeID{1, 2, 3} {
		waitLeader(t, s, id)
	}
	for _, k := range []string{"a", "m", "n", "z"} {
		if v, ok := rawGetKey(t, s, tableKey(k)); !ok || string(v) != k {
			t.Fatalf("after restart %s = %q %v", k, v, ok)
		}
	}
	checkMeta(t, s, 2)
}

// TestSplitThreeStores splits a range with three voters: every store
// creates the right-hand replica, the right range elects a leader and
// replicates writes to all three.
func TestSplitThreeStores(t *testing.T) {
	ts := newThreeVoters(t)
	l := ts.store(ts.leader())
	for i := range 10 {
		send(t, l, &kvpb.RawPutRequest{Key: tableKey(fmt.Sprint("k", i)), Value: []byte("v")})
	}
	split(t, l, tableKey("k5"), 2)
	ts.eventually("every store has range 2", func() bool {
		for i := range 3 {
			if d, err := ts.store(i).Descriptor(2); err != nil || !d.StartKey.Equal(tableKey("k5")) {
				return false
			}
		}
		return true
	})
	var rl *Store
	ts.eventually("range 2 has a leader", func() bool {
		for i := range 3 {
			if _, ok := ts.store(i).LeaderTerm(2); ok {
				rl = ts.store(i)
				return true
			}
		}
		return false
	})
	send(t, rl, &kvpb.RawPutRequest{Key: tableKey("k7"), Value: []byte("new")})
	ts.eventually("the write reached every replica of range 2", func() bool {
		for i := range 3 {
			_, commit, err := ts.store(i).RaftStatus(2)
			if err != nil || commit <= initialIndex {
				return false
			}
		}
		return true
	})
	if v, ok := rawGetKey(t, rl, tableKey("k7")); !ok || string(v) != "new" {
		t.Fatalf("k7 = %q %v", v, ok)
	}
}

func rawGetKey(t *testing.T, s *Store, k kvpb.Key) ([]byte, bool) {
	t.Helper()
	resp := send(t, s, &kvpb.RawGetRequest{Key: k}).Responses[0].(*kvpb.RawGetResponse)
	return resp.Value, resp.Found
}

// checkMeta checks that /Meta holds n descriptors tiling the keyspace.
func checkMeta(t *testing.T, s *Store, n int) {
	t.Helper()
	br := send(t, s, &kvpb.RawScanRequest{Span: kvpb.Span{Key: kvpb.MetaPrefix, EndKey: kvpb.MetaMax}})
	rows := br.Responses[0].(*kvpb.RawScanResponse).Rows
	if len(rows) != n {
		t.Fatalf("meta has %d entries, want %d", len(rows), n)
	}
	start := kvpb.KeyMin
	for _, row := range rows {
		d, err := kvpb.UnmarshalRangeDescriptor(row.Value)
		if err != nil {
			t.Fatal(err)
		}
		if !d.StartKey.Equal(start) || !row.Key.Equal(kvpb.MetaKey(d.EndKey)) {
			t.Fatalf("meta entry %s holds %v after %s", row.Key, d, start)
		}
		start = d.EndKey
	}
	if !start.Equal(kvpb.KeyMax) {
		t.Fatalf("meta ends at %s", start)
	}
}

// TestSplitRightInitializedInPlace: a follower's store ("store 3") misses range 1's log while
// the split commits; range 2's leader reaches it first and creates an
// uninitialized replica, whose snapshot is refused because it would
// overlap store 3's (not yet split) range 1. Once the log flows again,
// store 3 applies the split and initializes that replica in place,
// keeping its raft state, and range 2 replicates to it.
func TestSplitRightInitializedInPlace(t *testing.T) {
	ts := newThreeVoters(t)
	li := ts.leader()
	l := ts.store(li)
	fi := (li + 1) % 3 // a follower
	for i := range 10 {
		send(t, l, &kvpb.RawPutRequest{Key: tableKey(fmt.Sprint("k", i)), Value: []byte("v")})
	}
	drop := func(m *RaftMessage) bool { return m.RangeID == 1 && m.To.StoreID == kvpb.StoreID(fi+1) }
	ts.tr.drop.Store(&drop)
	split(t, l, tableKey("k5"), 2)
	s3 := ts.store(fi)
	ts.eventually("store 3 has an uninitialized replica of range 2", func() bool {
		r, err := s3.GetReplica(2)
		return err == nil && len(r.Descriptor().EndKey) == 0
	})
	if d, _ := s3.Descriptor(1); !d.EndKey.Equal(kvpb.KeyMax) {
		t.Fatalf("store 3 split range 1 without its log: %v", d)
	}
	ts.tr.drop.Store(nil)
	ts.eventually("store 3 applies the split", func() bool {
		d, err := s3.Descriptor(2)
		return err == nil && d.StartKey.Equal(tableKey("k5"))
	})
	var rl *Store
	ts.eventually("range 2 has a leader", func() bool {
		for i := range 3 {
			if _, ok := ts.store(i).LeaderTerm(2); ok {
				rl = ts.store(i)
				return true
			}
		}
		return false
	})
	send(t, rl, &kvpb.RawPutRequest{Key: tableKey("k9"), Value: []byte("after")})
	_, want, _ := rl.RaftStatus(2)
	ts.eventually("store 3's range 2 has the write", func() bool {
		_, commit, err := s3.RaftStatus(2)
		return err == nil && commit >= want
	})
}
