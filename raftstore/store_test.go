package raftstore

import (
	"context"
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// TestRestart writes through Send, stops, checks the persisted raft state
// directly in Pebble, restarts and reads the values back.
func TestRestart(t *testing.T) {
	dir := t.TempDir()
	eng := openTestEngine(t, dir, vfs.Default)
	if err := WriteInitialState(eng, range1()); err != nil {
		t.Fatal(err)
	}
	if err := WriteInitialState(eng, range1()); err == nil {
		t.Fatal("bootstrapping twice succeeded")
	}
	// With a tick an hour long no election timeout can pass during the
	// test: the range has a leader only because its sole voter campaigns
	// at start.
	s := startStoreWith(t, Config{Engine: eng, TickInterval: time.Hour})
	for i := range 20 {
		send(t, s, &kvpb.RawPutRequest{Key: key(fmt.Sprint("k", i)), Value: []byte(fmt.Sprint("v", i))})
	}
	s.Stop()
	if _, err := s.Send(testCtx(t), &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: key("k0")}}}); !errors.Is(err, ErrStopped) {
		t.Fatalf("Send after Stop: %v", err)
	}
	if err := eng.Close(); err != nil {
		t.Fatal(err)
	}

	eng = openTestEngine(t, dir, vfs.Default)
	defer eng.Close()
	ps := readPersisted(t, eng, 1)
	if ps.applied.Index != ps.lastIndex {
		t.Errorf("applied index %d != last index %d", ps.applied.Index, ps.lastIndex)
	}
	if ps.hardCommit < ps.applied.Index {
		t.Errorf("HardState.Commit %d < applied %d", ps.hardCommit, ps.applied.Index)
	}
	// 20 commands plus the leader's empty entry after the initial index.
	if want := uint64(initialIndex + 21); ps.lastIndex != want {
		t.Errorf("last index %d, want %d", ps.lastIndex, want)
	}
	if ps.hardTerm <= initialTerm || ps.applied.Term != ps.hardTerm {
		t.Errorf("term %d, applied term %d", ps.hardTerm, ps.applied.Term)
	}

	s = startTestStore(t, eng, TestingKnobs{})
	defer s.Stop()
	for i := range 20 {
		v, ok := rawGet(t, s, fmt.Sprint("k", i))
		if !ok || string(v) != fmt.Sprint("v", i) {
			t.Errorf("k%d = %q, %v", i, v, ok)
		}
	}
	// The /Meta record is readable as a raw value.
	resp := send(t, s, &kvpb.RawGetRequest{Key: kvpb.MetaKey(kvpb.KeyMax)}).Responses[0].(*kvpb.RawGetResponse)
	d, err := kvpb.UnmarshalRangeDescriptor(resp.Value)
	if err != nil || !resp.Found || d.RangeID != 1 {
		t.Fatalf("meta record: %v %v %v", d, resp.Found, err)
	}
}

// TestCrashBetweenStages crashes the scheduler right after the synced
// append, or right after the apply batch, and checks that a restart applies
// the Increment exactly once.
func TestCrashBetweenStages(t *testing.T) {
	for _, stage := range []Stage{StageAfterAppend, StageAfterApply} {
		t.Run(fmt.Sprint("stage=", stage), func(t *testing.T) {
			dir := t.TempDir()
			eng := openTestEngine(t, dir, vfs.Default)
			if err := WriteInitialState(eng, range1()); err != nil {
				t.Fatal(err)
			}
			var armed atomic.Bool
			crashed := make(chan struct{})
			s := startTestStore(t, eng, TestingKnobs{CrashAt: func(st Stage) bool {
				if st == stage && armed.CompareAndSwap(true, false) {
					close(crashed)
					return true
				}
				return false
			}})
			send(t, s, &kvpb.IncrementRequest{Key: key("ctr"), Inc: 1})
			armed.Store(true)
			errc := make(chan error, 1)
			go func() {
				_, err := s.Send(context.Background(), &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.IncrementRequest{Key: key("ctr"), Inc: 1}}})
				errc <- err
			}()
			select {
			case <-crashed:
			case <-time.After(5 * time.Second):
				t.Fatal("scheduler did not reach the crash point")
			}
			s.Stop()
			if err := <-errc; !errors.Is(err, ErrStopped) {
				t.Fatalf("pending proposal: %v, want ErrStopped", err)
			}
			ps := readPersisted(t, eng, 1)
			switch stage {
			case StageAfterAppend:
				if ps.lastIndex != ps.applied.Index+1 {
					t.Fatalf("want one durable unapplied entry: %+v", ps)
				}
			case StageAfterApply:
				if ps.lastIndex != ps.applied.Index {
					t.Fatalf("want the entry applied: %+v", ps)
				}
			}
			if err := eng.Close(); err != nil {
				t.Fatal(err)
			}

			eng = openTestEngine(t, dir, vfs.Default)
			defer eng.Close()
			s = startTestStore(t, eng, TestingKnobs{})
			defer s.Stop()
			if got := counter(t, s, "ctr"); got != 2 {
				t.Fatalf("counter = %d, want 2 (applied exactly once)", got)
			}
		})
	}
}

// TestCrashableFS proves the fsync: after a crash that drops unsynced data,
// every acknowledged write is still there.
func TestCrashableFS(t *testing.T) {
	for _, pct := range []int{0, 50} {
		t.Run(fmt.Sprint("unsynced=", pct), func(t *testing.T) {
			seed := uint64(time.Now().UnixNano())
			t.Logf("seed %d", seed)
			fs := vfs.NewCrashableMem()
			eng := openTestEngine(t, "db", fs)
			if err := WriteInitialState(eng, range1()); err != nil {
				t.Fatal(err)
			}
			// A short log keep makes the store truncate its raft log many
			// times during the run: no truncation may lose an entry whose
			// application the crash took away.
			s := startStoreWith(t, Config{Engine: eng, TickInterval: 10 * time.Millisecond, RaftLogKeep: 7})
			const n = 50
			for i := range n {
				send(t, s, &kvpb.RawPutRequest{Key: key(fmt.Sprint("k", i)), Value: []byte(fmt.Sprint("v", i))})
				send(t, s, &kvpb.IncrementRequest{Key: key("ctr"), Inc: 1})
			}
			cfg := vfs.CrashCloneCfg{UnsyncedDataPercent: pct}
			if pct > 0 {
				cfg.RNG = rand.New(rand.NewPCG(seed, seed))
			}
			clone := fs.CrashClone(cfg)
			s.Stop()
			if ps := readPersisted(t, eng, 1); ps.truncated.Index <= initialIndex {
				t.Fatalf("log never truncated: %+v", ps)
			}
			if err := eng.Close(); err != nil {
				t.Fatal(err)
			}

			eng = openTestEngine(t, "db", clone)
			defer eng.Close()
			s = startTestStore(t, eng, TestingKnobs{})
			defer s.Stop()
			for i := range n {
				v, ok := rawGet(t, s, fmt.Sprint("k", i))
				if !ok || string(v) != fmt.Sprint("v", i) {
					t.Errorf("k%d = %q, %v", i, v, ok)
				}
			}
			if got := counter(t, s, "ctr"); got != n {
				t.Errorf("counter = %d, want %d", got, n)
			}
		})
	}
}

// TestConcurrentProposals runs proposals from many goroutines; every one is
// acknowledged and the counter is exact.
func TestConcurrentProposals(t *testing.T) {
	eng := openTestEngine(t, "", vfs.NewMem())
	defer eng.Close()
	if err := WriteInitialState(eng, range1()); err != nil {
		t.Fatal(err)
	}
	s := startTestStore(t, eng, TestingKnobs{})
	defer s.Stop()
	const workers, ops = 8, 200
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for i := range ops {
				var req kvpb.Request = &kvpb.IncrementRequest{Key: key("ctr"), Inc: 1}
				if i%2 == 1 {
					req = &kvpb.RawPutRequest{Key: key(fmt.Sprintf("w%d/%d", w, i)), Value: []byte{byte(i)}}
				}
				if _, err := s.Send(context.Background(), &kvpb.BatchRequest{Requests: []kvpb.Request{req}}); err != nil {
					errs <- err
					return
				}
				if i%50 == 0 {
					if _, err := s.Send(context.Background(), &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: key("ctr")}}}); err != nil {
						errs <- err
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if got, want := counter(t, s, "ctr"), int64(workers*ops/2); got != want {
		t.Fatalf("counter = %d, want %d", got, want)
	}
	for w := range workers {
		if v, ok := rawGet(t, s, fmt.Sprintf("w%d/%d", w, ops-1)); !ok || v[0] != byte(ops-1) {
			t.Errorf("worker %d's last put: %x %v", w, v, ok)
		}
	}
}

// TestCommandAtomicity checks that a failing request fails its whole
// command, and that the typed error comes back unchanged.
func TestCommandAtomicity(t *testing.T) {
	eng := openTestEngine(t, "", vfs.NewMem())
	defer eng.Close()
	if err := WriteInitialState(eng, range1()); err != nil {
		t.Fatal(err)
	}
	s := startTestStore(t, eng, TestingKnobs{})
	defer s.Stop()
	ctx := testCtx(t)

	// Single request failing.
	_, err := s.Send(ctx, &kvpb.BatchRequest{Requests: []kvpb.Request{
		&kvpb.RawCPutRequest{Key: key("a"), Value: []byte("x"), Expected: []byte("nope"), ExpectedExists: true},
	}})
	var cfe *kvpb.ConditionFailedError
	if !errors.As(err, &cfe) || cfe.Exists {
		t.Fatalf("got %v (%T), want ConditionFailedError", err, err)
	}

	// Multi-request: the second request reads the first's write.
	br := send(t, s,
		&kvpb.IncrementRequest{Key: key("c"), Inc: 5},
		&kvpb.IncrementRequest{Key: key("c"), Inc: 2},
		&kvpb.RawPutRequest{Key: key("b"), Value: []byte("1")},
	)
	if got := br.Responses[1].(*kvpb.IncrementResponse).NewValue; got != 7 {
		t.Fatalf("second increment saw %d, want 7", got)
	}

	// Multi-request failing in its last request: nothing is written.
	_, err = s.Send(ctx, &kvpb.BatchRequest{Requests: []kvpb.Request{
		&kvpb.IncrementRequest{Key: key("c"), Inc: 100},
		&kvpb.RawPutRequest{Key: key("d"), Value: []byte("1")},
		&kvpb.RawCPutRequest{Key: key("b"), Value: []byte("2"), Expected: []byte("other"), ExpectedExists: true},
	}})
	if !errors.As(err, &cfe) || string(cfe.Actual) != "1" {
		t.Fatalf("got %v (%T), want ConditionFailedError with actual 1", err, err)
	}
	if got := counter(t, s, "c"); got != 7 {
		t.Errorf("counter c = %d after failed command, want 7", got)
	}
	if _, ok := rawGet(t, s, "d"); ok {
		t.Error("key d written by a failed command")
	}
	// A later command in the same range still works.
	send(t, s, &kvpb.RawCPutRequest{Key: key("b"), Value: []byte("2"), Expected: []byte("1"), ExpectedExists: true})
	if v, _ := rawGet(t, s, "b"); string(v) != "2" {
		t.Errorf("b = %q", v)
	}
}

func TestRoutingErrors(t *testing.T) {
	eng := openTestEngine(t, "", vfs.NewMem())
	defer eng.Close()
	if err := WriteInitialState(eng, range1()); err != nil {
		t.Fatal(err)
	}
	s := startTestStore(t, eng, TestingKnobs{})
	defer s.Stop()
	ctx := testCtx(t)

	// A /Local key belongs to no range's span.
	_, err := s.Send(ctx, &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawPutRequest{Key: kvpb.LocalPrefix}}})
	var rkm *kvpb.RangeKeyMismatchError
	if !errors.As(err, &rkm) || len(rkm.Ranges) != 1 {
		t.Fatalf("got %v, want RangeKeyMismatchError with the descriptors", err)
	}
	_, err = s.Send(ctx, &kvpb.BatchRequest{RangeID: 1, Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: kvpb.LocalPrefix}}})
	if !errors.As(err, &rkm) {
		t.Fatalf("got %v, want RangeKeyMismatchError", err)
	}
	_, err = s.Send(ctx, &kvpb.BatchRequest{RangeID: 7, Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: key("a")}}})
	var rnf *kvpb.RangeNotFoundError
	if !errors.As(err, &rnf) {
		t.Fatalf("got %v, want RangeNotFoundError", err)
	}
	_, err = s.Send(ctx, &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: key("a")}, &kvpb.RawPutRequest{Key: key("a")}}})
	if !errors.Is(err, ErrMixedBatch) {
		t.Fatalf("got %v, want ErrMixedBatch", err)
	}
	// An expired context is honoured.
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	if _, err := s.Send(cctx, &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawPutRequest{Key: key("a")}}}); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}

func TestLeaderTermAndReadIndex(t *testing.T) {
	eng := openTestEngine(t, "", vfs.NewMem())
	defer eng.Close()
	if err := WriteInitialState(eng, range1()); err != nil {
		t.Fatal(err)
	}
	s := startTestStore(t, eng, TestingKnobs{})
	defer s.Stop()
	term, ok := s.LeaderTerm(1)
	if !ok || term <= initialTerm {
		t.Fatalf("LeaderTerm = %d, %v", term, ok)
	}
	got, err := s.ReadIndex(testCtx(t), 1)
	if err != nil || got != term {
		t.Fatalf("ReadIndex = %d, %v; want %d", got, err, term)
	}
	if _, ok := s.LeaderTerm(2); ok {
		t.Fatal("LeaderTerm of an unknown range")
	}
	d, err := s.Descriptor(1)
	if err != nil || d.RangeID != 1 || len(d.Replicas) != 1 {
		t.Fatalf("Descriptor = %v, %v", d, err)
	}
}

// TestPendingLimit checks that the number of in-flight proposals is bounded.
func TestPendingLimit(t *testing.T) {
	eng := openTestEngine(t, "", vfs.NewMem())
	defer eng.Close()
	if err := WriteInitialState(eng, range1()); err != nil {
		t.Fatal(err)
	}
	var armed atomic.Bool
	stall := make(chan struct{})
	s := startStoreWith(t, Config{Engine: eng, MaxPendingProposals: 4,
		Testing: TestingKnobs{CrashAt: func(Stage) bool {
			if armed.Load() {
				<-stall // hold the scheduler so proposals pile up
			}
			return false
		}}})
	armed.Store(true)
	var wg sync.WaitGroup
	results := make(chan error, 10)
	for i := range 10 {
		wg.Go(func() {
			_, err := s.Send(context.Background(), &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawPutRequest{Key: key(fmt.Sprint(i))}}})
			results <- err
		})
	}
	rejected := 0
	deadline := time.After(5 * time.Second)
	for rejected < 6 {
		select {
		case err := <-results:
			if !errors.Is(err, ErrTooManyPending) {
				t.Fatalf("got %v, want ErrTooManyPending", err)
			}
			rejected++
		case <-deadline:
			t.Fatalf("only %d proposals rejected", rejected)
		}
	}
	armed.Store(false)
	close(stall)
	wg.Wait()
	close(results)
	for err := range results {
		if err != nil {
			t.Fatal(err)
		}
	}
}

// TestRaftLogTruncation checks that the raft log stays bounded: once more
// than RaftLogKeep applied entries precede the applied index, the log is
// truncated up to it, the removed entries are gone from Pebble, and a
// restarted store still serves every value and takes new writes.
func TestRaftLogTruncation(t *testing.T) {
	eng := openTestEngine(t, "", vfs.NewMem())
	defer eng.Close()
	if err := WriteInitialState(eng, range1()); err != nil {
		t.Fatal(err)
	}
	const keep, n = 10, 100
	s := startStoreWith(t, Config{Engine: eng, TickInterval: 10 * time.Millisecond, RaftLogKeep: keep})
	for i := range n {
		send(t, s, &kvpb.RawPutRequest{Key: key(fmt.Sprint("k", i)), Value: []byte(fmt.Sprint("v", i))})
	}
	s.Stop()
	ps := readPersisted(t, eng, 1)
	if ps.truncated.Index+keep < ps.applied.Index || ps.truncated.Index > ps.applied.Index {
		t.Fatalf("truncated to %d with %d applied: more than %d entries kept, or unapplied ones dropped", ps.truncated.Index, ps.applied.Index, keep)
	}
	if ps.truncated.Term != ps.applied.Term {
		t.Fatalf("truncated term %d, applied term %d (one term in this test)", ps.truncated.Term, ps.applied.Term)
	}
	it, err := eng.NewIter(&pebble.IterOptions{
		LowerBound: engineKey(kvpb.RaftLogKey(1, 0)),
		UpperBound: engineKey(kvpb.RaftLogKey(1, math.MaxUint64)),
	})
	if err != nil {
		t.Fatal(err)
	}
	entries := 0
	for valid := it.First(); valid; valid = it.Next() {
		e, err := decodeEntry(it.Value())
		if err != nil {
			t.Fatal(err)
		}
		if e.GetIndex() <= ps.truncated.Index {
			t.Errorf("entry %d survived truncation to %d", e.GetIndex(), ps.truncated.Index)
		}
		entries++
	}
	if err := it.Close(); err != nil {
		t.Fatal(err)
	}
	if want := int(ps.lastIndex - ps.truncated.Index); entries != want || entries > keep {
		t.Fatalf("%d entries in the log, want %d (at most %d)", entries, want, keep)
	}

	s = startStoreWith(t, Config{Engine: eng, TickInterval: 10 * time.Millisecond, RaftLogKeep: keep})
	for i := range n {
		if v, ok := rawGet(t, s, fmt.Sprint("k", i)); !ok || string(v) != fmt.Sprint("v", i) {
			t.Fatalf("after restart k%d = %q, %v", i, v, ok)
		}
	}
	send(t, s, &kvpb.RawPutRequest{Key: key("after"), Value: []byte("x")})
	if v, ok := rawGet(t, s, "after"); !ok || string(v) != "x" {
		t.Fatalf("write after restart: %q, %v", v, ok)
	}
}
