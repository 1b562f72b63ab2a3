package placement

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// t0 is the manual clock's starting reading in the tests.
var t0 = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)

// ms returns t0 plus d, in milliseconds since the epoch.
func ms(d time.Duration) int64 { return t0.Add(d).UnixMilli() }

func ts(d time.Duration, logical uint32) kvpb.Timestamp { return kvpb.MakeTimestamp(ms(d), logical) }

func newTestTSO(s *fakeStorage, c Clock, window time.Duration) *TSO {
	return NewTSO(TSOOptions{Storage: s, Clock: c, Window: window})
}

func mustNext(t *testing.T, tso *TSO) kvpb.Timestamp {
	t.Helper()
	got, err := tso.Next(context.Background())
	if err != nil {
		t.Fatalf("Next: %v", err)
	}
	return got
}

// waitFor polls cond until it holds or a deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(time.Millisecond)
	}
}

// queued reports how many timestamps callers waiting for the next round
// have asked for.
func queued(tso *TSO) uint64 {
	tso.mu.Lock()
	defer tso.mu.Unlock()
	if tso.mu.next == nil {
		return 0
	}
	return tso.mu.next.total
}

func TestAllocate(t *testing.T) {
	const window = 3000
	for _, tc := range []struct {
		name                string
		last, hw            kvpb.Timestamp
		now                 int64
		n                   uint64
		first, newLast, hw2 kvpb.Timestamp
	}{
		{name: "clock ahead", last: ts(0, 7), hw: ts(3*time.Second, 0), now: ms(time.Millisecond), n: 1,
			first: ts(time.Millisecond, 0), newLast: ts(time.Millisecond, 0), hw2: ts(3*time.Second, 0)},
		{name: "clock equal bumps logical", last: ts(0, 7), hw: ts(3*time.Second, 0), now: ms(0), n: 1,
			first: ts(0, 8), newLast: ts(0, 8), hw2: ts(3*time.Second, 0)},
		{name: "clock an hour back bumps logical", last: ts(0, 7), hw: ts(3*time.Second, 0), now: ms(-time.Hour), n: 1,
			first: ts(0, 8), newLast: ts(0, 8), hw2: ts(3*time.Second, 0)},
		{name: "block", last: ts(0, 7), hw: ts(3*time.Second, 0), now: ms(0), n: 10,
			first: ts(0, 8), newLast: ts(0, 26), hw2: ts(3*time.Second, 0)},
		{name: "logical overflow carries into physical", last: ts(0, kvpb.MaxLogical), hw: ts(3*time.Second, 0), now: ms(0), n: 1,
			first: ts(time.Millisecond, 0), newLast: ts(time.Millisecond, 0), hw2: ts(3*time.Second, 0)},
		{name: "block overflows logical", last: ts(0, kvpb.MaxLogical-2), hw: ts(3*time.Second, 0), now: ms(0), n: 5,
			first: ts(0, kvpb.MaxLogical-1), newLast: ts(time.Millisecond, 6), hw2: ts(3*time.Second, 0)},
		{name: "just below the mark", last: ts(0, 0), hw: ts(3*time.Second, 0), now: ms(2999 * time.Millisecond), n: 1,
			first: ts(2999*time.Millisecond, 0), newLast: ts(2999*time.Millisecond, 0), hw2: ts(3*time.Second, 0)},
		{name: "clock reaches the mark", last: ts(0, 0), hw: ts(3*time.Second, 0), now: ms(3 * time.Second), n: 1,
			first: ts(3*time.Second, 0), newLast: ts(3*time.Second, 0), hw2: ts(6*time.Second, 0)},
		{name: "clock jumps past the mark", last: ts(0, 0), hw: ts(3*time.Second, 0), now: ms(time.Hour), n: 1,
			first: ts(time.Hour, 0), newLast: ts(time.Hour, 0), hw2: ts(time.Hour+3*time.Second, 0)},
		{name: "logical overflow reaches the mark with the clock stopped", last: ts(2999*time.Millisecond, kvpb.MaxLogical), hw: ts(3*time.Second, 0), now: ms(0), n: 1,
			first: ts(3*time.Second, 0), newLast: ts(3*time.Second, 0), hw2: ts(6*time.Second, 0)},
		{name: "new leader starts above the old mark", last: ts(3*time.Second, 0), hw: ts(6*time.Second, 0), now: ms(-time.Hour), n: 1,
			first: ts(3*time.Second, 2), newLast: ts(3*time.Second, 2), hw2: ts(6*time.Second, 0)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			first, newLast, hw2 := allocate(tc.last, tc.hw, tc.now, tc.n, window)
			if first != tc.first || newLast != tc.newLast || hw2 != tc.hw2 {
				t.Fatalf("allocate(%s, %s, %d, %d) = (%s, %s, %s), want (%s, %s, %s)",
					tc.last, tc.hw, tc.now, tc.n, first, newLast, hw2, tc.first, tc.newLast, tc.hw2)
			}
			if first <= tc.last || !first.IsTSO() || newLast.Physical() >= hw2.Physical() {
				t.Fatalf("invariant broken: first %s, last %s, newLast %s, hw %s", first, tc.last, newLast, hw2)
			}
		})
	}
}

func TestNewTSODefaults(t *testing.T) {
	tso := NewTSO(TSOOptions{Storage: newFakeStorage()})
	if tso.windowMillis != DefaultTSOWindow.Milliseconds() {
		t.Fatalf("window = %dms, want %s", tso.windowMillis, DefaultTSOWindow)
	}
	if _, ok := tso.clock.(SystemClock); !ok {
		t.Fatalf("clock = %T, want SystemClock", tso.clock)
	}
	for _, opts := range []TSOOptions{
		{},
		{Storage: newFakeStorage(), Window: time.Microsecond},
		{Storage: newFakeStorage(), Window: -time.Second},
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("NewTSO(%+v) did not panic", opts)
				}
			}()
			NewTSO(opts)
		}()
	}
}

func TestNextNRejectsBadCounts(t *testing.T) {
	s := newFakeStorage()
	tso := newTestTSO(s, NewManualClock(t0), 0)
	for _, n := range []int{0, -1, MaxNextN + 1} {
		if got, err := tso.NextN(context.Background(), n); err == nil {
			t.Errorf("NextN(%d) = %s, want an error", n, got)
		}
	}
	if ev := s.takeEvents(); len(ev) != 0 {
		t.Fatalf("bad counts reached storage: %q", ev)
	}
}

// TestTSOConcurrentMonotonic hands out 10k timestamps to 8 goroutines: all
// are unique and each caller's are increasing.
func TestTSOConcurrentMonotonic(t *testing.T) {
	const callers, perCaller = 8, 1250
	s := newFakeStorage()
	tso := newTestTSO(s, SystemClock{}, 0)
	got := make([][]kvpb.Timestamp, callers)
	errs := make(chan error, callers)
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			for range perCaller {
				ts, err := tso.Next(context.Background())
				if err != nil {
					errs <- err
					return
				}
				got[i] = append(got[i], ts)
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	seen := make(map[kvpb.Timestamp]bool, callers*perCaller)
	for i, tss := range got {
		for j, ts := range tss {
			if j > 0 && ts <= tss[j-1] {
				t.Fatalf("caller %d: %s after %s", i, ts, tss[j-1])
			}
			if seen[ts] {
				t.Fatalf("caller %d: %s handed out twice", i, ts)
			}
			seen[ts] = true
			if ts.Physical() >= s.highWater().Physical() {
				t.Fatalf("%s is not below the persisted mark %s", ts, s.highWater())
			}
		}
	}
	rounds := 0
	for _, ev := range s.takeEvents() {
		if ev == "readindex 1" {
			rounds++
		}
	}
	t.Logf("%d timestamps in %d quorum rounds", callers*perCaller, rounds)
}

// TestTSONextNBlocksDisjoint checks that concurrent NextN blocks never
// overlap.
func TestTSONextNBlocksDisjoint(t *testing.T) {
	const callers, perCaller = 8, 200
	tso := newTestTSO(newFakeStorage(), NewManualClock(t0), 2*time.Millisecond)
	type block struct{ first, last kvpb.Timestamp }
	var mu sync.Mutex
	var blocks []block
	var wg sync.WaitGroup
	for i := range callers {
		wg.Go(func() {
			for j := range perCaller {
				n := 1 + (i*perCaller+j)%5000
				first, err := tso.NextN(context.Background(), n)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				if !first.IsTSO() {
					t.Errorf("NextN handed out odd timestamp %s", first)
				}
				blocks = append(blocks, block{first, first + 2*kvpb.Timestamp(n-1)})
				mu.Unlock()
			}
		})
	}
	wg.Wait()
	slices.SortFunc(blocks, func(a, b block) int { return cmp.Compare(a.first, b.first) })
	for i := 1; i < len(blocks); i++ {
		if blocks[i].first <= blocks[i-1].last {
			t.Fatalf("blocks overlap: [%s, %s] and [%s, %s]", blocks[i-1].first, blocks[i-1].last, blocks[i].first, blocks[i].last)
		}
	}
}

// TestTSORestartClockBack restarts the TSO (a new TSO over the same range
// 1) with the clock set an hour back: its first timestamp is above every
// timestamp handed out before.
func TestTSORestartClockBack(t *testing.T) {
	for _, bumpTerm := range []bool{false, true} {
		t.Run(fmt.Sprintf("bumpTerm=%t", bumpTerm), func(t *testing.T) {
			s := newFakeStorage()
			clock := NewManualClock(t0)
			tso := newTestTSO(s, clock, 3*time.Second)
			var maxTS kvpb.Timestamp
			for i := range 100 {
				clock.Advance(time.Duration(i%3) * time.Millisecond)
				maxTS = max(maxTS, mustNext(t, tso))
			}
			oldHW := s.highWater()
			s.takeEvents()

			if bumpTerm {
				s.update(func(s *fakeStorage) { s.term++ })
			}
			clock.Set(t0.Add(-time.Hour))
			restarted := newTestTSO(s, clock, 3*time.Second)
			got := mustNext(t, restarted)
			if got <= maxTS || got <= oldHW {
				t.Fatalf("after restart: %s, want above %s and the old mark %s", got, maxTS, oldHW)
			}
			wantHW := kvpb.MakeTimestamp(oldHW.Physical()+3000, 0)
			term := s.term
			want := []string{"load", fmt.Sprintf("save %s -> %s", oldHW, wantHW), fmt.Sprintf("readindex %d", term)}
			if ev := s.takeEvents(); !slices.Equal(ev, want) {
				t.Fatalf("events = %q, want %q", ev, want)
			}
			prev := got
			for range 1000 {
				next := mustNext(t, restarted)
				if next <= prev {
					t.Fatalf("%s after %s", next, prev)
				}
				prev = next
			}
		})
	}
}

// TestTSOTermChange checks that a term change drops the window: the TSO
// re-reads and re-persists the mark before it serves, and serves above the
// old mark.
func TestTSOTermChange(t *testing.T) {
	s := newFakeStorage()
	clock := NewManualClock(t0)
	tso := newTestTSO(s, clock, 3*time.Second)
	first := mustNext(t, tso)
	want := []string{"load", fmt.Sprintf("save 0,0 -> %s", ts(3*time.Second, 0)), "readindex 1"}
	if ev := s.takeEvents(); !slices.Equal(ev, want) {
		t.Fatalf("first term: events = %q, want %q", ev, want)
	}
	if first != ts(0, 0) {
		t.Fatalf("first timestamp %s, want %s", first, ts(0, 0))
	}
	mustNext(t, tso)
	if ev := s.takeEvents(); !slices.Equal(ev, []string{"readindex 1"}) {
		t.Fatalf("same term: events = %q, want one quorum round", ev)
	}

	// Leadership moves away and comes back in term 3; meanwhile the clock
	// went back.
	s.update(func(s *fakeStorage) { s.leader = false; s.term = 2 })
	_, err := tso.Next(context.Background())
	if nl := (*kvpb.NotLeaderError)(nil); !errors.As(err, &nl) {
		t.Fatalf("Next on a follower: %v, want a NotLeaderError", err)
	}
	s.update(func(s *fakeStorage) { s.leader = true; s.term = 3 })
	clock.Advance(-time.Second)
	got := mustNext(t, tso)
	oldHW := ts(3*time.Second, 0)
	want = []string{"load", fmt.Sprintf("save %s -> %s", oldHW, ts(6*time.Second, 0)), "readindex 3"}
	if ev := s.takeEvents(); !slices.Equal(ev, want) {
		t.Fatalf("new term: events = %q, want %q", ev, want)
	}
	if got != oldHW+2 {
		t.Fatalf("new term: %s, want the first even timestamp above the old mark %s", got, oldHW)
	}
}

// TestTSOWindowExtension checks that a timestamp whose physical part reaches
// the persisted mark is served only after a further window is persisted.
func TestTSOWindowExtension(t *testing.T) {
	t.Run("clock", func(t *testing.T) {
		s := newFakeStorage()
		clock := NewManualClock(t0)
		tso := newTestTSO(s, clock, 3*time.Second)
		mustNext(t, tso)
		s.takeEvents()

		clock.Advance(2999 * time.Millisecond)
		if got := mustNext(t, tso); got != ts(2999*time.Millisecond, 0) {
			t.Fatalf("got %s", got)
		}
		if ev := s.takeEvents(); !slices.Equal(ev, []string{"readindex 1"}) {
			t.Fatalf("below the mark: events = %q", ev)
		}

		clock.Advance(time.Millisecond)
		if got := mustNext(t, tso); got != ts(3*time.Second, 0) {
			t.Fatalf("got %s", got)
		}
		want := []string{"readindex 1", fmt.Sprintf("save %s -> %s", ts(3*time.Second, 0), ts(6*time.Second, 0))}
		if ev := s.takeEvents(); !slices.Equal(ev, want) {
			t.Fatalf("at the mark: events = %q, want %q", ev, want)
		}
	})
	t.Run("logical overflow with the clock stopped", func(t *testing.T) {
		s := newFakeStorage()
		tso := newTestTSO(s, NewManualClock(t0), 2*time.Millisecond)
		for i, want := range []kvpb.Timestamp{ts(0, 0), ts(time.Millisecond, 0)} {
			got, err := tso.NextN(context.Background(), MaxNextN)
			if err != nil || got != want {
				t.Fatalf("block %d: %s, %v; want %s", i, got, err, want)
			}
		}
		if hw := s.highWater(); hw != ts(2*time.Millisecond, 0) {
			t.Fatalf("mark %s extended too early", hw)
		}
		s.takeEvents()
		if got := mustNext(t, tso); got != ts(2*time.Millisecond, 0) {
			t.Fatalf("got %s", got)
		}
		want := []string{"readindex 1", fmt.Sprintf("save %s -> %s", ts(2*time.Millisecond, 0), ts(4*time.Millisecond, 0))}
		if ev := s.takeEvents(); !slices.Equal(ev, want) {
			t.Fatalf("events = %q, want %q", ev, want)
		}
	})
}

// TestTSOFailures checks that no timestamp is handed out when leadership is
// not confirmed in the window's term or persisting fails, and that the TSO
// recovers afterwards with timestamps above every earlier one.
func TestTSOFailures(t *testing.T) {
	errBoom := errors.New("boom")
	for _, tc := range []struct {
		name      string
		fail      func(s *fakeStorage, clock *ManualClock)
		heal      func(s *fakeStorage)
		notLeader bool
		wantErr   error
		// failures is how many calls fail (3 if zero).
		failures int
		// conflict says the error is the storage's ConditionFailedError.
		conflict bool
		// reload says whether the window must be rebuilt afterwards.
		reload bool
	}{
		{
			name:    "read index error",
			fail:    func(s *fakeStorage, _ *ManualClock) { s.readIndexErr = errBoom },
			heal:    func(s *fakeStorage) { s.readIndexErr = nil },
			wantErr: errBoom,
		},
		{
			name:      "read index confirms another term",
			fail:      func(s *fakeStorage, _ *ManualClock) { s.readIndexTermDelta = 1 },
			heal:      func(s *fakeStorage) { s.readIndexTermDelta = 0; s.term++ },
			notLeader: true,
			reload:    true,
		},
		{
			name:      "not leader",
			fail:      func(s *fakeStorage, _ *ManualClock) { s.leader = false },
			heal:      func(s *fakeStorage) { s.leader = true; s.term++ },
			notLeader: true,
			reload:    true,
		},
		{
			name: "extension conflicts with another leader's mark",
			fail: func(s *fakeStorage, clock *ManualClock) {
				s.hw = s.hw + kvpb.MakeTimestamp(1000, 0)
				clock.Advance(time.Hour)
			},
			heal:     func(s *fakeStorage) {},
			failures: 1,
			conflict: true,
			reload:   true,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newFakeStorage()
			clock := NewManualClock(t0)
			tso := newTestTSO(s, clock, 3*time.Second)
			var last kvpb.Timestamp
			for range 10 {
				last = mustNext(t, tso)
			}
			s.update(func(s *fakeStorage) { tc.fail(s, clock) })
			s.takeEvents()
			for range cmp.Or(tc.failures, 3) {
				got, err := tso.Next(context.Background())
				if err == nil || got != 0 {
					t.Fatalf("Next = %s, %v; want no timestamp and an error", got, err)
				}
				var nl *kvpb.NotLeaderError
				if tc.notLeader != errors.As(err, &nl) {
					t.Fatalf("error %v: NotLeaderError = %t, want %t", err, !tc.notLeader, tc.notLeader)
				}
				var cf *kvpb.ConditionFailedError
				if tc.conflict != errors.As(err, &cf) {
					t.Fatalf("error %v: ConditionFailedError = %t, want %t", err, !tc.conflict, tc.conflict)
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Fatalf("error %v, want %v", err, tc.wantErr)
				}
			}
			s.update(tc.heal)
			s.takeEvents()
			got := mustNext(t, tso)
			if got <= last {
				t.Fatalf("after recovery: %s, want above %s", got, last)
			}
			ev := s.takeEvents()
			if reloaded := len(ev) > 0 && ev[0] == "load"; reloaded != tc.reload {
				t.Fatalf("after recovery: events %q, want reload = %t", ev, tc.reload)
			}
		})
	}
}

// TestTSOBatching checks that callers arriving while a quorum round is in
// flight wait for the next round, and are served together by one round
// issued after they arrived.
func TestTSOBatching(t *testing.T) {
	s := newFakeStorage()
	tso := newTestTSO(s, NewManualClock(t0), 0)
	mustNext(t, tso) // build the window
	s.takeEvents()

	entered := make(chan int, 10)
	release := make(chan struct{})
	var calls int
	var callsMu sync.Mutex
	s.update(func(s *fakeStorage) {
		s.readIndexHook = func(ctx context.Context) error {
			callsMu.Lock()
			calls++
			n := calls
			callsMu.Unlock()
			entered <- n
			if n == 1 {
				<-release
			}
			return nil
		}
	})

	results := make(chan kvpb.Timestamp, 4)
	var wg sync.WaitGroup
	next := func() {
		wg.Go(func() {
			got, err := tso.Next(context.Background())
			if err != nil {
				t.Error(err)
			}
			results <- got
		})
	}
	next()
	if n := <-entered; n != 1 {
		t.Fatalf("round %d entered first", n)
	}
	for range 3 {
		next()
	}
	waitFor(t, "three callers queued for the next round", func() bool { return queued(tso) == 3 })
	select {
	case n := <-entered:
		t.Fatalf("round %d started while round 1 was in flight", n)
	default:
	}
	close(release)
	wg.Wait()
	close(results)
	if n := <-entered; n != 2 {
		t.Fatalf("round %d entered second", n)
	}
	if len(entered) != 0 {
		t.Fatalf("%d quorum rounds for two batches", 2+len(entered))
	}
	var got []kvpb.Timestamp
	for ts := range results {
		got = append(got, ts)
	}
	slices.Sort(got)
	if len(slices.Compact(got)) != 4 {
		t.Fatalf("timestamps not unique: %s", got)
	}
}

// TestTSOContextCancel checks that every wait honors its caller's context.
func TestTSOContextCancel(t *testing.T) {
	t.Run("already cancelled", func(t *testing.T) {
		s := newFakeStorage()
		tso := newTestTSO(s, NewManualClock(t0), 0)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if got, err := tso.Next(ctx); !errors.Is(err, context.Canceled) || got != 0 {
			t.Fatalf("Next = %s, %v; want context.Canceled", got, err)
		}
		if ev := s.takeEvents(); len(ev) != 0 {
			t.Fatalf("cancelled call reached storage: %q", ev)
		}
	})

	type callerKey struct{}
	t.Run("runner and waiters", func(t *testing.T) {
		s := newFakeStorage()
		tso := newTestTSO(s, NewManualClock(t0), 0)
		before := mustNext(t, tso)

		// Every quorum round blocks until its runner's context ends, except
		// for callers named "free".
		running := make(chan string, 10)
		s.update(func(s *fakeStorage) {
			s.readIndexHook = func(ctx context.Context) error {
				name, _ := ctx.Value(callerKey{}).(string)
				running <- name
				if name == "free" {
					return nil
				}
				<-ctx.Done()
				return ctx.Err()
			}
		})
		type result struct {
			ts  kvpb.Timestamp
			err error
		}
		start := func(name string) (context.CancelFunc, chan result) {
			ctx, cancel := context.WithCancel(context.WithValue(context.Background(), callerKey{}, name))
			ch := make(chan result, 1)
			go func() {
				ts, err := tso.Next(ctx)
				ch <- result{ts, err}
			}()
			return cancel, ch
		}
		cancelA, resA := start("a")
		if name := <-running; name != "a" {
			t.Fatalf("runner %q, want a", name)
		}
		// b and c queue for the next round, and so does "free".
		cancelB, resB := start("b")
		cancelC, resC := start("c")
		defer cancelC()
		waitFor(t, "b and c queued", func() bool { return queued(tso) == 2 })
		// A waiter that gives up leaves at once.
		cancelB()
		if r := <-resB; !errors.Is(r.err, context.Canceled) || r.ts != 0 {
			t.Fatalf("waiter b: %s, %v; want context.Canceled", r.ts, r.err)
		}
		_, resFree := start("free")
		waitFor(t, "free queued", func() bool { return queued(tso) == 3 })

		// The runner gives up: it returns its context's error; one of the
		// waiters runs the next round.
		cancelA()
		if r := <-resA; !errors.Is(r.err, context.Canceled) || r.ts != 0 {
			t.Fatalf("runner a: %s, %v; want context.Canceled", r.ts, r.err)
		}
		second := <-running
		switch second {
		case "c":
			// c runs round 2 and blocks; when it gives up, "free" rejoins
			// and runs round 3 itself.
			cancelC()
			if r := <-resC; !errors.Is(r.err, context.Canceled) {
				t.Fatalf("runner c: %s, %v; want context.Canceled", r.ts, r.err)
			}
			if third := <-running; third != "free" {
				t.Fatalf("third runner %q, want free", third)
			}
		case "free":
			// "free" ran round 2 for itself and c, so c is served too.
			if r := <-resC; r.err != nil || r.ts <= before {
				t.Fatalf("c: %s, %v; want a timestamp above %s", r.ts, r.err, before)
			}
		default:
			t.Fatalf("second runner %q", second)
		}
		if r := <-resFree; r.err != nil || r.ts <= before {
			t.Fatalf("free: %s, %v; want a timestamp above %s", r.ts, r.err, before)
		}
	})
}
