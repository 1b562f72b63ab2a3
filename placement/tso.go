package placement

import (
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// tsoRangeID is range 1, the system range whose leader serves the TSO.
const tsoRangeID kvpb.RangeID = 1

// DefaultTSOWindow is how far ahead of the wall clock the TSO persists its
// high-water mark when TSOOptions.Window is zero.
const DefaultTSOWindow = 3 * time.Second

// MaxNextN is the largest block of timestamps one NextN call may ask for:
// one millisecond's worth of even logical counters.
const MaxNextN = (kvpb.MaxLogical + 1) / 2

// TSOStorage is the TSO's view of range 1. The server implements it over
// raftstore; every method is safe for concurrent use. Raft terms are at
// least 1.
type TSOStorage interface {
	// LeaderTerm reports whether the local replica of range 1 is the leader
	// and has committed an entry of its term, and that term.
	LeaderTerm() (term uint64, ok bool)
	// ReadIndex runs a quorum round on range 1 and returns the term at which
	// leadership was confirmed.
	ReadIndex(ctx context.Context) (term uint64, err error)
	// LoadHighWater reads the persisted high-water mark (0 if none).
	LoadHighWater(ctx context.Context) (kvpb.Timestamp, error)
	// SaveHighWater persists hw through raft (a non-transactional
	// conditional put on kvpb.TSOKey: it fails if the stored value is not
	// prev, where prev 0 means the key is absent). It returns only once the
	// put has been applied.
	SaveHighWater(ctx context.Context, prev, hw kvpb.Timestamp) error
}

// TSOOptions configures a TSO.
type TSOOptions struct {
	// Storage is range 1; required.
	Storage TSOStorage
	// Clock is the wall clock; SystemClock if nil.
	Clock Clock
	// Window is how far ahead of the clock the high-water mark is persisted
	// (DefaultTSOWindow if zero). It is truncated to whole milliseconds and
	// must be at least one. A larger window means fewer raft writes; a new
	// leader starts at most one window ahead of the old leader's clock.
	Window time.Duration
	// Logger receives window changes; discarded if nil.
	Logger *slog.Logger
}

// TSO is the timestamp oracle (DESIGN.md §4): it hands out unique, strictly
// increasing kvpb.Timestamps while the local replica of range 1 is the
// leader. See the package documentation for the protocol. A TSO is safe for
// concurrent use and owns no goroutines.
type TSO struct {
	storage      TSOStorage
	clock        Clock
	windowMillis int64
	logger       *slog.Logger

	mu struct {
		sync.Mutex
		// running is set while some caller runs a round; at most one round
		// runs at a time.
		running bool
		// next collects the callers that arrived while a round was running;
		// nil when nobody waits. A round leaves next when it starts to run.
		next *tsoRound
	}

	// win is owned by the caller running the current round: only the caller
	// that set mu.running reads or writes it, and mu orders successive
	// runners.
	win tsoWindow
}

// tsoWindow is the TSO's in-memory state for one raft term.
type tsoWindow struct {
	// term is the raft term the window was built in; 0 when there is none.
	term uint64
	// last is the last timestamp handed out (at first, the high-water mark
	// persisted by the previous term).
	last kvpb.Timestamp
	// hw is the persisted high-water mark: every timestamp handed out in
	// this window has a physical part below hw's.
	hw kvpb.Timestamp
}

// tsoRound is one batch of callers served by one quorum round.
type tsoRound struct {
	// total is how many timestamps the round's callers asked for. Guarded by
	// TSO.mu while the round is mu.next; fixed once it runs.
	total uint64
	// start is closed when the round before it ended, to tell its waiting
	// callers that one of them should run it. startClosed (guarded by
	// TSO.mu) makes that happen once.
	start       chan struct{}
	startClosed bool
	// done is closed when the round ended; first, err and retry are set
	// before.
	done  chan struct{}
	first kvpb.Timestamp
	err   error
	// retry is set when the round failed because the caller running it was
	// cancelled; its other callers join the next round.
	retry bool
}

// NewTSO returns a TSO over opts.Storage. It panics if opts are invalid,
// which is a programming error.
func NewTSO(opts TSOOptions) *TSO {
	if opts.Storage == nil {
		panic("placement: TSOOptions.Storage is required")
	}
	if opts.Clock == nil {
		opts.Clock = SystemClock{}
	}
	if opts.Window == 0 {
		opts.Window = DefaultTSOWindow
	}
	if opts.Window < time.Millisecond {
		panic(fmt.Sprintf("placement: TSOOptions.Window %s is below 1ms", opts.Window))
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	return &TSO{
		storage:      opts.Storage,
		clock:        opts.Clock,
		windowMillis: opts.Window.Milliseconds(),
		logger:       opts.Logger,
	}
}

// Next returns one timestamp, greater than every timestamp any TSO over the
// same range 1 handed out before this call began. It returns a
// *kvpb.NotLeaderError (possibly wrapped) when the local replica is not, or
// stopped being, the leader of range 1; ctx's error when ctx ends first; or
// the storage's error. No timestamp is handed out with an error.
func (t *TSO) Next(ctx context.Context) (kvpb.Timestamp, error) {
	return t.NextN(ctx, 1)
}

// NextN returns the first of n timestamps first, first+2, …,
// first+2(n-1), all reserved for the caller, with the guarantees of Next.
// The TSO hands out even timestamps only (kvpb.Timestamp explains why). n
// must be in [1, MaxNextN]. A logical counter that overflows inside the
// block carries into the physical milliseconds.
func (t *TSO) NextN(ctx context.Context, n int) (first kvpb.Timestamp, err error) {
	if n < 1 || n > MaxNextN {
		return 0, fmt.Errorf("placement: TSO: cannot hand out %d timestamps at once (1..%d)", n, MaxNextN)
	}
	for {
		if err := ctx.Err(); err != nil {
			return 0, err
		}
		t.mu.Lock()
		r := t.mu.next
		if r == nil {
			r = &tsoRound{start: make(chan struct{}), done: make(chan struct{})}
			t.mu.next = r
		}
		offset := r.total
		r.total += uint64(n)
		run := t.takeNextLocked()
		t.mu.Unlock()

		if !run {
			if run, err = t.await(ctx, r); err != nil {
				return 0, err
			}
		}
		if run {
			t.run(ctx, r)
		}
		<-r.done
		switch {
		case r.retry && !run:
			continue
		case r.err != nil:
			return 0, r.err
		}
		return r.first + 2*kvpb.Timestamp(offset), nil
	}
}

// await waits until round r, which the caller has joined, ends, or until it
// is the caller's turn to run it (run is then true), or until ctx ends.
func (t *TSO) await(ctx context.Context, r *tsoRound) (run bool, err error) {
	start := r.start
	for {
		select {
		case <-r.done:
			return false, nil
		case <-start:
			start = nil
			t.mu.Lock()
			run = t.mu.next == r && t.takeNextLocked()
			t.mu.Unlock()
			if run {
				return true, nil
			}
		case <-ctx.Done():
			return false, ctx.Err()
		}
	}
}

// takeNextLocked makes the calling caller the runner of mu.next if no round
// is running, and reports whether it did.
func (t *TSO) takeNextLocked() bool {
	if t.mu.running {
		return false
	}
	t.mu.running = true
	t.mu.next = nil
	return true
}

// run serves round r, which the caller has taken, publishes the outcome and
// wakes the callers of the round after it.
func (t *TSO) run(ctx context.Context, r *tsoRound) {
	first, err := t.serve(ctx, r.total)
	t.mu.Lock()
	defer t.mu.Unlock()
	r.first, r.err = first, err
	r.retry = err != nil && ctx.Err() != nil
	t.mu.running = false
	if nx := t.mu.next; nx != nil && !nx.startClosed {
		nx.startClosed = true
		close(nx.start)
	}
	close(r.done)
}

// serve reserves n timestamps for a round whose callers have all arrived:
// it (re)builds the window if the term changed, confirms leadership in the
// window's term with a quorum round, extends the persisted high-water mark
// if needed, and returns the first timestamp of the block. The caller must
// be the round's runner.
func (t *TSO) serve(ctx context.Context, n uint64) (kvpb.Timestamp, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	term, ok := t.storage.LeaderTerm()
	if !ok {
		t.dropWindow("not leader")
		return 0, fmt.Errorf("placement: TSO: %w", &kvpb.NotLeaderError{RangeID: tsoRangeID})
	}
	if term != t.win.term {
		if err := t.establish(ctx, term); err != nil {
			return 0, err
		}
	}
	confirmed, err := t.storage.ReadIndex(ctx)
	if err != nil {
		return 0, fmt.Errorf("placement: TSO: quorum round: %w", err)
	}
	if confirmed != t.win.term {
		built := t.win.term
		t.dropWindow("term changed")
		return 0, fmt.Errorf("placement: TSO: window built in term %d, leadership confirmed in term %d: %w",
			built, confirmed, &kvpb.NotLeaderError{RangeID: tsoRangeID})
	}
	first, last, hw := allocate(t.win.last, t.win.hw, t.nowMillis(), n, t.windowMillis)
	if hw != t.win.hw {
		if err := t.storage.SaveHighWater(ctx, t.win.hw, hw); err != nil {
			t.dropWindow("extending the high-water mark failed")
			return 0, fmt.Errorf("placement: TSO: extending high-water mark to %s: %w", hw, err)
		}
		t.logger.Debug("TSO high-water mark extended", "term", t.win.term, "high_water", hw)
		t.win.hw = hw
	}
	t.win.last = last
	return first, nil
}

// establish builds a new window for term: it reads the persisted
// high-water mark H, persists a new one a window ahead of max(now, H), and
// starts handing out above H.
func (t *TSO) establish(ctx context.Context, term uint64) error {
	t.dropWindow("new term")
	prev, err := t.storage.LoadHighWater(ctx)
	if err != nil {
		return fmt.Errorf("placement: TSO: loading high-water mark: %w", err)
	}
	hw := kvpb.MakeTimestamp(max(t.nowMillis(), prev.Physical())+t.windowMillis, 0)
	if err := t.storage.SaveHighWater(ctx, prev, hw); err != nil {
		return fmt.Errorf("placement: TSO: persisting high-water mark %s: %w", hw, err)
	}
	t.win = tsoWindow{term: term, last: prev, hw: hw}
	t.logger.Info("TSO window established", "term", term, "previous_high_water", prev, "high_water", hw)
	return nil
}

// dropWindow forgets the in-memory window, so that the next round rebuilds
// it from the persisted high-water mark.
func (t *TSO) dropWindow(reason string) {
	if t.win.term != 0 {
		t.logger.Info("TSO window dropped", "term", t.win.term, "reason", reason)
	}
	t.win = tsoWindow{}
}

// nowMillis reads the clock in milliseconds since the Unix epoch, never
// below zero.
func (t *TSO) nowMillis() int64 {
	return max(t.clock.Now().UnixMilli(), 0)
}

// allocate returns the block of n ≥ 1 even timestamps that follows last
// when the wall clock reads nowMillis: the block starts at the first even
// timestamp ≥ max(now, last+1) and ends at newLast, 2(n-1) above it. hw is the persisted high-water mark; newHW is hw when every
// timestamp of the block has a physical part below hw's, and otherwise a
// mark windowMillis ahead of max(now, newLast) that must be persisted before
// the block is handed out.
func allocate(last, hw kvpb.Timestamp, nowMillis int64, n uint64, windowMillis int64) (first, newLast, newHW kvpb.Timestamp) {
	first = max(kvpb.MakeTimestamp(nowMillis, 0), last.Next())
	if !first.IsTSO() {
		first++
	}
	newLast = first + 2*kvpb.Timestamp(n-1)
	newHW = hw
	if newLast.Physical() >= hw.Physical() {
		newHW = kvpb.MakeTimestamp(max(nowMillis, newLast.Physical())+windowMillis, 0)
	}
	return first, newLast, newHW
}
