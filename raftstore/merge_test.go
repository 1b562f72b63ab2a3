package raftstore

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// storeWaitApplied is the waitApplied of MergeRanges over the stores of
// ts, asked directly (a server asks over its node RPCs).
func (ts *testStores) storeWaitApplied(ctx context.Context, node kvpb.NodeID, id kvpb.RangeID, index uint64) error {
	for {
		br, err := ts.store(int(node)-1).Send(ctx, &kvpb.BatchRequest{RangeID: id,
			Requests: []kvpb.Request{&kvpb.WaitAppliedRequest{RangeID: id, Index: index, WaitMillis: 200}}})
		if err != nil {
			return err
		}
		if br.Responses[0].(*kvpb.WaitAppliedResponse).Applied >= index {
			return nil
		}
	}
}

// splitTwice makes range 2 = [tableKey(a), tableKey(m)) and range 3 =
// [tableKey(m), KeyMax) from l and waits until l leads both.
func splitTwice(t *testing.T, ts *testStores, l *Store) {
	t.Helper()
	split(t, l, tableKey("a"), 2)
	ts.leadOn(2, l)
	split(t, l, tableKey("m"), 3)
	ts.eventually("every store has range 3", func() bool {
		for i := range ts.engs {
			if d, err := ts.store(i).Descriptor(3); err != nil || len(d.EndKey) == 0 {
				return false
			}
		}
		return true
	})
	ts.leadOn(3, l)
}

// leadOn moves the leadership of range id to store l.
func (ts *testStores) leadOn(id kvpb.RangeID, l *Store) {
	ts.t.Helper()
	ts.eventually(fmt.Sprintf("%s leads %s", l.cfg.StoreID, id), func() bool {
		if _, ok := l.LeaderTerm(id); ok {
			return true
		}
		for i := range ts.engs {
			if s := ts.store(i); s != l {
				if _, ok := s.LeaderTerm(id); ok {
					_ = s.TransferLeadership(testCtx(ts.t), id, l.cfg.StoreID)
				}
			}
		}
		return false
	})
}

// TestMergeOneStore merges two ranges of one store: every key of both
// reads back through the merged range, the old right span takes writes,
// a stale generation is refused with nothing changed, a batch addressed
// to the merged-away range is answered with the merged descriptor, range
// 1 is refused, and the merge survives a restart.
func TestMergeOneStore(t *testing.T) {
	ts := newTestStores(t, 1)
	s := ts.store(0)
	splitTwice(t, ts, s)
	keys := []string{"a", "c", "m", "q", "z"}
	for _, k := range keys {
		send(t, s, &kvpb.RawPutRequest{Key: tableKey(k), Value: []byte(k)})
	}
	if _, err := s.MergeRanges(testCtx(t), 1, 2, nil); err == nil {
		t.Fatal("merging range 1 succeeded")
	}
	if _, err := s.MergeRanges(testCtx(t), 3, 2, nil); err == nil {
		t.Fatal("merging the wrong way round succeeded")
	}
	m, err := s.MergeRanges(testCtx(t), 2, 3, nil)
	if err != nil {
		t.Fatal(err)
	}
	if m.RangeID != 2 || !m.StartKey.Equal(tableKey("a")) || !m.EndKey.Equal(kvpb.KeyMax) || m.Generation != 3 {
		t.Fatalf("merged %v", m)
	}
	if _, err := s.GetReplica(3); err == nil || s.Frozen(3) {
		t.Fatal("range 3 still on the store")
	}
	for _, k := range keys {
		if v, ok := rawGetKey(t, s, tableKey(k)); !ok || string(v) != k {
			t.Fatalf("%s = %q %v", k, v, ok)
		}
	}
	send(t, s, &kvpb.RawPutRequest{Key: tableKey("r"), Value: []byte("r")})
	// Addressed to the old right range: re-routed by the merged one.
	_, err = s.Send(testCtx(t), &kvpb.BatchRequest{RangeID: 3, Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: tableKey("q")}}})
	var mm *kvpb.RangeKeyMismatchError
	if !errors.As(err, &mm) || len(mm.Ranges) != 1 || mm.Ranges[0].RangeID != 2 || !mm.Ranges[0].EndKey.Equal(kvpb.KeyMax) {
		t.Fatalf("range 3 get: %v, want a mismatch carrying the merged range", err)
	}
	// A merge at a stale generation is refused, writing nothing.
	r2, _ := s.GetReplica(2)
	before := r2.Descriptor()
	_, err = r2.propose(testCtx(t), []kvpb.Request{&kvpb.AdminMergeRequest{LeftGeneration: 1,
		RightDesc: kvpb.RangeDescriptor{RangeID: 9, StartKey: kvpb.KeyMax}}})
	if err == nil {
		t.Fatal("merge at a stale generation succeeded")
	}
	if after := r2.Descriptor(); after.Generation != before.Generation || !after.EndKey.Equal(before.EndKey) {
		t.Fatalf("refused merge changed %v to %v", before, after)
	}

	ts.engs[0].Flush()
	s.Stop()
	s = ts.start(0)
	waitLeader(t, s, 2)
	if ids := len(s.descriptors()); ids != 2 {
		t.Fatalf("after restart the store has %d ranges, want 2", ids)
	}
	if _, err := s.GetReplica(3); err == nil {
		t.Fatal("range 3 came back after a restart")
	}
	for _, k := range append(keys, "r") {
		if v, ok := rawGetKey(t, s, tableKey(k)); !ok || string(v) != k {
			t.Fatalf("after restart %s = %q %v", k, v, ok)
		}
	}
}

// TestMergeFrozenRestart: a subsumed range stays frozen across a restart,
// refusing reads and writes with RangeFrozenError, and a second
// MergeRanges finishes the merge.
func TestMergeFrozenRestart(t *testing.T) {
	ts := newTestStores(t, 1)
	s := ts.store(0)
	splitTwice(t, ts, s)
	send(t, s, &kvpb.RawPutRequest{Key: tableKey("q"), Value: []byte("q")})
	r3, _ := s.GetReplica(3)
	if _, err := r3.proposeSubsume(testCtx(t), &kvpb.AdminSubsumeRequest{Generation: r3.Descriptor().Generation, LeftRangeID: 2}); err != nil {
		t.Fatal(err)
	}
	s.Stop()
	s = ts.start(0)
	waitLeader(t, s, 2)
	waitLeader(t, s, 3)
	if !s.Frozen(3) {
		t.Fatal("range 3 thawed by a restart")
	}
	for _, req := range []kvpb.Request{&kvpb.RawGetRequest{Key: tableKey("q")}, &kvpb.RawPutRequest{Key: tableKey("q"), Value: []byte("x")}} {
		_, err := s.Send(testCtx(t), &kvpb.BatchRequest{Requests: []kvpb.Request{req}})
		var fz *kvpb.RangeFrozenError
		if !errors.As(err, &fz) {
			t.Fatalf("%s on a frozen range: %v", req.Method(), err)
		}
	}
	if _, err := s.MergeRanges(testCtx(t), 2, 3, nil); err != nil {
		t.Fatal(err)
	}
	if v, ok := rawGetKey(t, s, tableKey("q")); !ok || string(v) != "q" {
		t.Fatalf("q = %q %v", v, ok)
	}
}

// TestMergeThreeStores merges two ranges with three co-located voters
// while a writer keeps writing keys of the right range: every write is
// either acknowledged and readable afterwards, or refused with an error
// the DistSender retries (RangeFrozenError, RangeKeyMismatchError,
// RangeNotFoundError); every store ends with the merged range only.
func TestMergeThreeStores(t *testing.T) {
	ts := newThreeVoters(t)
	li := ts.leader()
	l := ts.store(li)
	splitTwice(t, ts, l)
	for i := range 20 {
		send(t, l, &kvpb.RawPutRequest{Key: tableKey(fmt.Sprint("b", i)), Value: []byte("v")})
		send(t, l, &kvpb.RawPutRequest{Key: tableKey(fmt.Sprint("n", i)), Value: []byte("v")})
	}

	var (
		wg      sync.WaitGroup
		stop    atomic.Bool
		mu      sync.Mutex
		acked   []kvpb.Key
		retried int
		bad     error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for i := 0; !stop.Load(); i++ {
			k := tableKey(fmt.Sprint("w", i))
			for !stop.Load() {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_, err := l.Send(ctx, &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawPutRequest{Key: k, Value: []byte("w")}}})
				cancel()
				var fz *kvpb.RangeFrozenError
				var mm *kvpb.RangeKeyMismatchError
				var rnf *kvpb.RangeNotFoundError
				if err == nil {
					mu.Lock()
					acked = append(acked, k)
					mu.Unlock()
					break
				}
				if errors.As(err, &fz) || errors.As(err, &mm) || errors.As(err, &rnf) {
					mu.Lock()
					retried++
					mu.Unlock()
					time.Sleep(time.Millisecond)
					continue
				}
				mu.Lock()
				bad = err
				mu.Unlock()
				return
			}
		}
	}()
	time.Sleep(50 * time.Millisecond)
	m, err := l.MergeRanges(testCtx(t), 2, 3, ts.storeWaitApplied)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(50 * time.Millisecond)
	stop.Store(true)
	wg.Wait()
	if bad != nil {
		t.Fatalf("a write failed with a non-retryable error: %v", bad)
	}
	ts.eventually("every store merged", func() bool {
		for i := range 3 {
			d, err := ts.store(i).Descriptor(2)
			if err != nil || !d.EndKey.Equal(m.EndKey) {
				return false
			}
			if _, err := ts.store(i).GetReplica(3); err == nil {
				return false
			}
		}
		return true
	})
	waitLeader(t, l, 2)
	for i := range 20 {
		for _, p := range []string{"b", "n"} {
			if _, ok := rawGetKey(t, l, tableKey(fmt.Sprint(p, i))); !ok {
				t.Fatalf("%s%d lost", p, i)
			}
		}
	}
	for _, k := range acked {
		if _, ok := rawGetKey(t, l, k); !ok {
			t.Fatalf("acknowledged write %s lost", k)
		}
	}
	t.Logf("%d writes acknowledged, %d refused and retried", len(acked), retried)
	send(t, l, &kvpb.RawPutRequest{Key: tableKey("zz"), Value: []byte("after")})
}
