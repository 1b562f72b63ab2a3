package raftstore

import (
	"fmt"
	"testing"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// isQuiesced reports whether s's replica of range id is quiesced.
func isQuiesced(s *Store, id kvpb.RangeID) bool {
	r, err := s.GetReplica(id)
	return err == nil && r.quiesced.Load()
}

// threeVotersWithRange2 is three stores with voters of ranges 1 and 2 =
// [tableKey(m), KeyMax) on each; it returns the index of range 2's leader.
func threeVotersWithRange2(t *testing.T) (*testStores, int) {
	t.Helper()
	ts := newThreeVoters(t)
	split(t, ts.store(ts.leader()), tableKey("m"), 2)
	ts.eventually("every store has range 2", func() bool {
		for i := range 3 {
			if d, err := ts.store(i).Descriptor(2); err != nil || len(d.EndKey) == 0 {
				return false
			}
		}
		return true
	})
	return ts, rangeLeader(ts, 2)
}

// rangeLeader returns the index of the live store leading range id.
func rangeLeader(ts *testStores, id kvpb.RangeID) int {
	ts.t.Helper()
	idx := -1
	ts.eventually(fmt.Sprintf("range %s has a leader", id), func() bool {
		for i := range ts.engs {
			if s := ts.store(i); s != nil {
				if _, ok := s.LeaderTerm(id); ok {
					idx = i
					return true
				}
			}
		}
		return false
	})
	return idx
}

func sendTo(t *testing.T, s *Store, id kvpb.RangeID, reqs ...kvpb.Request) (*kvpb.BatchResponse, error) {
	t.Helper()
	return s.Send(testCtx(t), &kvpb.BatchRequest{RangeID: id, Requests: reqs})
}

// TestQuiesceIdleRange: an idle range of three replicas quiesces on all of
// them (range 1, the TSO's, never does); a write wakes it and succeeds, a
// read is served, and it quiesces again; a leadership transfer of a
// quiesced range goes through.
func TestQuiesceIdleRange(t *testing.T) {
	ts, li := threeVotersWithRange2(t)
	allQuiesced := func() bool {
		for i := range 3 {
			if !isQuiesced(ts.store(i), 2) {
				return false
			}
		}
		return true
	}
	ts.eventually("range 2 quiesces everywhere", allQuiesced)
	for i := range 3 {
		if isQuiesced(ts.store(i), 1) {
			t.Fatalf("range 1 quiesced on store %d", i+1)
		}
	}

	l := ts.store(li)
	if _, err := sendTo(t, l, 2, &kvpb.RawPutRequest{Key: tableKey("x"), Value: []byte("1")}); err != nil {
		t.Fatal(err)
	}
	br, err := sendTo(t, l, 2, &kvpb.RawGetRequest{Key: tableKey("x")})
	if err != nil || string(br.Responses[0].(*kvpb.RawGetResponse).Value) != "1" {
		t.Fatalf("read after the wake-up: %v %v", br, err)
	}
	ts.eventually("every replica applied the write", func() bool {
		_, ok, _ := getValue(ts.engs[(li+1)%3], tableKey("x"))
		_, ok2, _ := getValue(ts.engs[(li+2)%3], tableKey("x"))
		return ok && ok2
	})
	ts.eventually("range 2 quiesces again", allQuiesced)

	target := (li + 1) % 3
	if err := l.TransferLeadership(testCtx(t), 2, kvpb.StoreID(target+1)); err != nil {
		t.Fatal(err)
	}
	if got := rangeLeader(ts, 2); got != target {
		t.Fatalf("range 2 led by store %d after the transfer, want %d", got+1, target+1)
	}
	if _, err := sendTo(t, ts.store(target), 2, &kvpb.RawPutRequest{Key: tableKey("y"), Value: []byte("2")}); err != nil {
		t.Fatal(err)
	}
}

// TestQuiesceLeaderDies: once range 2 is quiescent its followers do not
// notice that its leader's store stopped; WakeAll (what the server calls
// when liveness changes) makes them elect a new leader, which serves.
func TestQuiesceLeaderDies(t *testing.T) {
	ts, li := threeVotersWithRange2(t)
	ts.eventually("range 2 quiesces everywhere", func() bool {
		for i := range 3 {
			if !isQuiesced(ts.store(i), 2) {
				return false
			}
		}
		return true
	})
	ts.store(li).Stop()
	ts.tr.mu.Lock()
	delete(ts.tr.stores, kvpb.StoreID(li+1))
	ts.tr.mu.Unlock()

	// Quiesced, the followers tick no election timeout: several of them
	// pass without one campaigning.
	time.Sleep(30 * ts.store((li+1)%3).cfg.TickInterval)
	for _, i := range []int{(li + 1) % 3, (li + 2) % 3} {
		if !isQuiesced(ts.store(i), 2) {
			t.Fatalf("range 2 woke on store %d without a cause", i+1)
		}
	}
	for _, i := range []int{(li + 1) % 3, (li + 2) % 3} {
		ts.store(i).WakeAll()
	}
	nl := rangeLeader(ts, 2)
	if nl == li {
		t.Fatalf("the stopped store %d still leads", li+1)
	}
	ts.eventually("the new leader takes a write", func() bool {
		_, err := sendTo(t, ts.store(nl), 2, &kvpb.RawPutRequest{Key: tableKey("z"), Value: []byte("3")})
		return err == nil
	})
	br, err := sendTo(t, ts.store(nl), 2, &kvpb.RawGetRequest{Key: tableKey("z")})
	if err != nil || string(br.Responses[0].(*kvpb.RawGetResponse).Value) != "3" {
		t.Fatalf("read from the new leader: %v %v", br, err)
	}
}

// manyRanges splits n ranges off range 1 of a one-store cluster.
func manyRanges(t *testing.T, n int, configure func(*Config)) *Store {
	t.Helper()
	ts := newTestStoresWith(t, 1, configure)
	s := ts.store(0)
	for i := range n {
		id := kvpb.RangeID(2 + i)
		split(t, s, tableKey(fmt.Sprintf("k%04d", i)), id)
		waitLeader(t, s, id)
	}
	return s
}

// ticksOver returns how many raft ticks s makes during d.
func ticksOver(s *Store, d time.Duration) int64 {
	t0 := s.ticks.Load()
	time.Sleep(d)
	return s.ticks.Load() - t0
}

// TestQuiesceManyRanges: 200 idle ranges on one store all quiesce, and the
// scheduler then ticks only range 1.
func TestQuiesceManyRanges(t *testing.T) {
	const n = 200
	s := manyRanges(t, n, nil)
	deadline := time.Now().Add(20 * time.Second)
	for s.QuiescedCount() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d ranges quiesced", s.QuiescedCount(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
	// Ten tick intervals: range 1 ticks about ten times, the others never.
	if got := ticksOver(s, 10*s.cfg.TickInterval); got > 30 {
		t.Fatalf("%d ticks in ten tick intervals with %d ranges quiesced", got, n)
	}
	// A request wakes only its range.
	if _, err := sendTo(t, s, 50, &kvpb.RawPutRequest{Key: tableKey("k0048x"), Value: []byte("v")}); err != nil {
		t.Fatal(err)
	}
	if c := s.QuiescedCount(); c < n-1 {
		t.Fatalf("%d ranges quiesced after one write, want at least %d", c, n-1)
	}
	s.WakeAll()
	if c := s.QuiescedCount(); c != 0 {
		t.Fatalf("%d ranges quiesced after WakeAll", c)
	}
	for s.QuiescedCount() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d ranges quiesced again", s.QuiescedCount(), n)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// TestQuiesceDisabled: with DisableQuiescence idle ranges keep ticking.
func TestQuiesceDisabled(t *testing.T) {
	const n = 20
	s := manyRanges(t, n, func(c *Config) { c.DisableQuiescence = true })
	if got := ticksOver(s, 20*s.cfg.TickInterval); got < 5*(n+1) {
		t.Fatalf("%d ticks in twenty tick intervals of %d ranges", got, n+1)
	}
	if c := s.QuiescedCount(); c != 0 {
		t.Fatalf("%d ranges quiesced with DisableQuiescence", c)
	}
}

// quiescedEverywhere reports whether every store of ts has range id
// quiesced.
func quiescedEverywhere(ts *testStores, ids ...kvpb.RangeID) func() bool {
	return func() bool {
		for i := range ts.engs {
			for _, id := range ids {
				if !isQuiesced(ts.store(i), id) {
					return false
				}
			}
		}
		return true
	}
}

// TestQuiesceSplitAndMerge: quiesced ranges split (the new right range
// starts awake and serves) and merge (the frozen right range stays awake
// while the merge waits for its replicas) as awake ones do.
func TestQuiesceSplitAndMerge(t *testing.T) {
	ts := newThreeVoters(t)
	l := ts.store(ts.leader())
	splitTwice(t, ts, l)
	send(t, l, &kvpb.RawPutRequest{Key: tableKey("b"), Value: []byte("b")})
	send(t, l, &kvpb.RawPutRequest{Key: tableKey("n"), Value: []byte("n")})
	ts.eventually("ranges 2 and 3 quiesce", quiescedEverywhere(ts, 2, 3))

	split(t, l, tableKey("t"), 4)
	ts.eventually("every store has range 4", func() bool {
		for i := range 3 {
			if d, err := ts.store(i).Descriptor(4); err != nil || len(d.EndKey) == 0 {
				return false
			}
		}
		return true
	})
	ts.leadOn(4, l)
	send(t, l, &kvpb.RawPutRequest{Key: tableKey("u"), Value: []byte("u")})
	ts.eventually("ranges 2, 3 and 4 quiesce", quiescedEverywhere(ts, 2, 3, 4))

	m, err := l.MergeRanges(testCtx(t), 2, 3, ts.storeWaitApplied)
	if err != nil {
		t.Fatal(err)
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
	for _, k := range []string{"b", "n", "u"} {
		if v, ok := rawGetKey(t, l, tableKey(k)); !ok || string(v) != k {
			t.Fatalf("%s = %q %v after the merge", k, v, ok)
		}
	}
	send(t, l, &kvpb.RawPutRequest{Key: tableKey("o"), Value: []byte("o")})
	ts.eventually("the merged range quiesces", quiescedEverywhere(ts, 2, 4))
}

// TestQuiesceWaitsForLaggingFollower: a leader with a follower behind does
// not quiesce; once the follower caught up, the range quiesces.
func TestQuiesceWaitsForLaggingFollower(t *testing.T) {
	ts, li := threeVotersWithRange2(t)
	lag := kvpb.StoreID((li+1)%3 + 1)
	drop := func(m *RaftMessage) bool { return m.RangeID == 2 && m.To.StoreID == lag }
	ts.tr.drop.Store(&drop)
	l := ts.store(li)
	if _, err := sendTo(t, l, 2, &kvpb.RawPutRequest{Key: tableKey("x"), Value: []byte("1")}); err != nil {
		t.Fatal(err)
	}
	time.Sleep(30 * l.cfg.TickInterval)
	if isQuiesced(l, 2) {
		t.Fatal("the leader quiesced with a follower behind")
	}
	ts.tr.drop.Store(nil)
	ts.eventually("range 2 quiesces once the follower caught up", quiescedEverywhere(ts, 2))
	if _, ok, _ := getValue(ts.engs[lag-1], tableKey("x")); !ok {
		t.Fatal("the lagging follower quiesced without the write")
	}
}
