package raftstore

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"sort"
	"sync"
	"sync/atomic"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// Store holds the replicas of one Pebble engine and drives them with one
// scheduler goroutine. It implements the kv.Sender contract with Send.
//
// Lifecycle: NewStore, Start (loads every range in the engine and starts the
// scheduler), Stop (stops the scheduler, waits for it, and fails every
// pending request with ErrStopped). The engine outlives the store: the
// caller closes it after Stop.
type Store struct {
	cfg        Config
	raftLogger raft.Logger

	// idSeq makes proposal and read ids; it starts at a random value so ids
	// from before a restart (still in the log) never match new proposals.
	idSeq atomic.Uint64

	mu struct {
		sync.RWMutex
		replicas map[kvpb.RangeID]*Replica
		// byEnd holds the replicas sorted by descriptor end key, for
		// routing by key.
		byEnd   []routeEntry
		started bool
		stopped bool
	}

	// sched is the scheduler's work queue: the replicas that may have a
	// Ready. wake (capacity 1) nudges the scheduler goroutine.
	sched struct {
		sync.Mutex
		dirty map[*Replica]struct{}
	}
	wake chan struct{}

	cancel context.CancelFunc
	done   chan struct{} // closed when the scheduler goroutine exits

	// disk watches the free space of the engine's filesystem (diskmon.go);
	// nil when Config.DiskUsage is nil. diskDone is closed when its
	// goroutine exits.
	disk     *diskMonitor
	diskDone chan struct{}

	// failure is set once, when a storage failure stops the store from
	// serving (fail); failedCh is closed then, waking every waiter.
	failure  atomic.Pointer[kvpb.StoreFailedError]
	failedCh chan struct{}

	// snapOut holds the snapshots raft asked for until they are streamed;
	// snapIn counts the snapshots being received (snapstream.go).
	snapOut outgoingSnapshots
	snapIn  chan struct{}

	// lockWaits are the parked WaitLockRequests (lockwait.go).
	lockWaits lockWaiters

	// ticks counts raft ticks, for tests and metrics (quiesce.go).
	ticks atomic.Int64
}

// NewStore validates cfg and returns a Store that is not started.
func NewStore(cfg Config) (*Store, error) {
	c, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	s := &Store{cfg: c, raftLogger: newRaftLogger(c.Logger), wake: make(chan struct{}, 1), failedCh: make(chan struct{}),
		snapIn: make(chan struct{}, MaxIncomingSnapshots)}
	s.disk = newDiskMonitor(&s.cfg)
	s.idSeq.Store(rand.Uint64() >> 1)
	s.mu.replicas = make(map[kvpb.RangeID]*Replica)
	s.sched.dirty = make(map[*Replica]struct{})
	return s, nil
}

// Start loads every range whose descriptor is in the engine and has a
// replica on this store, and starts the scheduler goroutine. A replica that
// is its range's only voter campaigns at once, so a single node serves
// within a few scheduler passes. Start may be called once, before Stop;
// ctx only carries values: the scheduler runs until Stop.
func (s *Store) Start(ctx context.Context) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.mu.started || s.mu.stopped {
		return errors.New("raftstore: store already started or stopped")
	}
	if fs := s.cfg.SnapshotFS; fs != nil {
		// Snapshots being received when the store last stopped.
		if err := fs.RemoveAll(s.cfg.SnapshotDir); err != nil {
			return fmt.Errorf("raftstore: removing old snapshots: %w", err)
		}
	}
	var descs []*kvpb.RangeDescriptor
	err := forEachRangeID(s.cfg.Engine, func(id kvpb.RangeID) error {
		d, ok, err := loadDescriptor(s.cfg.Engine, id)
		if err != nil {
			return fmt.Errorf("raftstore: loading descriptor of %s: %w", id, err)
		}
		if ok {
			descs = append(descs, d)
		}
		return nil
	})
	if err != nil {
		return err
	}
	for _, d := range descs {
		if _, ok := d.Replica(s.cfg.StoreID); !ok {
			// Removed: a crash came between applying the removal and
			// destroying the replica (destroy.go).
			if err := s.finishDestroy(d); err != nil {
				return err
			}
			continue
		}
		r, err := newReplica(s, d)
		if err != nil {
			return err
		}
		s.addReplicaLocked(r, d)
		if len(d.Replicas) == 1 {
			r.mu.Lock()
			err := r.mu.rawNode.Campaign()
			r.mu.Unlock()
			if err != nil {
				return fmt.Errorf("raftstore: %s campaign: %w", d.RangeID, err)
			}
		}
		s.enqueue(r)
	}
	s.mu.started = true
	ctx, s.cancel = context.WithCancel(context.WithoutCancel(ctx))
	s.done = make(chan struct{})
	go s.run(ctx)
	s.diskDone = make(chan struct{})
	if s.disk != nil && s.disk.check(time.Now()) {
		go func() {
			defer close(s.diskDone)
			s.disk.run(ctx)
		}()
	} else {
		close(s.diskDone)
	}
	s.cfg.Logger.Info("raftstore: store started", "node", s.cfg.NodeID, "store", s.cfg.StoreID, "ranges", len(descs))
	return nil
}

// Stop stops the scheduler goroutine, waits for it to exit and fails every
// pending proposal and read with ErrStopped. It is idempotent.
func (s *Store) Stop() {
	s.mu.Lock()
	if s.mu.stopped {
		s.mu.Unlock()
		return
	}
	s.mu.stopped = true
	started := s.mu.started
	s.mu.Unlock()
	if started {
		s.cancel()
		<-s.done
		<-s.diskDone
	}
	s.snapOut.expire(time.Time{}, true)
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, r := range s.mu.replicas {
		r.mu.Lock()
		r.takePendingSnapshotLocked(nil) // refused: answers its waiter
		r.stopLocked()
		r.mu.Unlock()
	}
}

// routeEntry is a replica with the descriptor it is routed by.
type routeEntry struct {
	desc *kvpb.RangeDescriptor
	r    *Replica
}

func (s *Store) addReplicaLocked(r *Replica, desc *kvpb.RangeDescriptor) {
	s.mu.replicas[r.rangeID] = r
	i := sort.Search(len(s.mu.byEnd), func(i int) bool {
		return bytes.Compare(s.mu.byEnd[i].desc.EndKey, desc.EndKey) >= 0
	})
	s.mu.byEnd = append(s.mu.byEnd, routeEntry{})
	copy(s.mu.byEnd[i+1:], s.mu.byEnd[i:])
	s.mu.byEnd[i] = routeEntry{desc: desc, r: r}
}

// replicaForKey returns the replica whose range contains k, or nil.
func (s *Store) replicaForKey(k kvpb.Key) *Replica {
	s.mu.RLock()
	defer s.mu.RUnlock()
	// The first range ending after k is the only one that can contain it.
	i := sort.Search(len(s.mu.byEnd), func(i int) bool {
		return bytes.Compare(s.mu.byEnd[i].desc.EndKey, k) > 0
	})
	if i < len(s.mu.byEnd) && s.mu.byEnd[i].desc.ContainsKey(k) {
		return s.mu.byEnd[i].r
	}
	return nil
}

// GetReplica returns the replica of range id, or RangeNotFoundError.
func (s *Store) GetReplica(id kvpb.RangeID) (*Replica, error) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if r, ok := s.mu.replicas[id]; ok {
		return r, nil
	}
	return nil, &kvpb.RangeNotFoundError{RangeID: id, StoreID: s.cfg.StoreID}
}

// Descriptor returns the current descriptor of range id on this store.
func (s *Store) Descriptor(id kvpb.RangeID) (*kvpb.RangeDescriptor, error) {
	r, err := s.GetReplica(id)
	if err != nil {
		return nil, err
	}
	return r.Descriptor(), nil
}

// descriptors returns every descriptor, in key order.
func (s *Store) descriptors() []kvpb.RangeDescriptor {
	s.mu.RLock()
	defer s.mu.RUnlock()
	out := make([]kvpb.RangeDescriptor, 0, len(s.mu.byEnd))
	for _, e := range s.mu.byEnd {
		out = append(out, *e.desc)
	}
	return out
}

// descriptorsFor returns what a RangeKeyMismatchError tells the client:
// desc, the range it addressed, and this store's range holding k if any.
func (s *Store) descriptorsFor(desc *kvpb.RangeDescriptor, k kvpb.Key) []kvpb.RangeDescriptor {
	out := []kvpb.RangeDescriptor{*desc}
	if o := s.replicaForKey(k); o != nil {
		if d := o.Descriptor(); d.RangeID != desc.RangeID {
			out = append(out, *d)
		}
	}
	return out
}

func (s *Store) nextID() uint64 { return s.idSeq.Add(1) }

// enqueue marks r as possibly having a Ready and wakes the scheduler.
func (s *Store) enqueue(r *Replica) {
	s.sched.Lock()
	s.sched.dirty[r] = struct{}{}
	s.sched.Unlock()
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Send evaluates a batch on the range it addresses: ba.RangeID, or when
// zero the range containing the first request's key (RangeNotFoundError
// when this store holds no replica of it). Write batches are
// proposed as one raft command and answered once this replica applied it;
// evaluation errors (the typed kvpb errors) come back unchanged and the
// whole batch then had no effect. Read batches are served by the leader
// after a ReadIndex round. Errors: *kvpb.NotLeaderError on a follower,
// *kvpb.RangeKeyMismatchError when a key is outside the range,
// *kvpb.RangeNotFoundError, ErrTooManyPending, ErrStopped, ctx's error,
// *kvpb.DiskFullError for a write refused for lack of disk space (nothing
// was proposed), and *kvpb.StoreFailedError once the store has failed (a
// write in flight then has an unknown outcome).
func (s *Store) Send(ctx context.Context, ba *kvpb.BatchRequest) (*kvpb.BatchResponse, error) {
	if len(ba.Requests) == 0 {
		return &kvpb.BatchResponse{}, nil
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	s.mu.RLock()
	stopped, started := s.mu.stopped, s.mu.started
	s.mu.RUnlock()
	if stopped || !started {
		return nil, ErrStopped
	}
	if err := s.Failed(); err != nil {
		return nil, err
	}
	switch req := ba.Requests[0].(type) {
	case *kvpb.WaitAppliedRequest:
		if len(ba.Requests) == 1 {
			s.Wake(req.RangeID) // a merge waits: keep the range live

			return s.waitApplied(ctx, req) // merge.go
		}
	case *kvpb.AdminSubsumeRequest, *kvpb.AdminMergeRequest:
		return nil, errors.New("raftstore: merges are proposed by Store.MergeRanges only")
	}
	var r *Replica
	if ba.RangeID != 0 {
		var err error
		if r, err = s.GetReplica(ba.RangeID); err != nil {
			if mm := s.mergedMismatch(ba); mm != nil {
				return nil, mm // merge.go: the range was merged into mm's
			}
			return nil, err
		}
	} else if r = s.replicaForKey(ba.Requests[0].Header()); r == nil {
		k := ba.Requests[0].Header()
		if bytes.Compare(k, kvpb.KeyMin) >= 0 && bytes.Compare(k, kvpb.KeyMax) < 0 {
			// Some range holds k, but not this store (any more: its
			// replica may have been removed): look elsewhere.
			return nil, &kvpb.RangeNotFoundError{StoreID: s.cfg.StoreID}
		}
		return nil, &kvpb.RangeKeyMismatchError{Key: k, Ranges: s.descriptors()}
	}
	desc := r.Descriptor()
	if len(desc.EndKey) == 0 {
		// Uninitialized (waiting for its split or its snapshot): it
		// knows no keys, so it cannot say where they are.
		return nil, &kvpb.RangeNotFoundError{RangeID: r.rangeID, StoreID: s.cfg.StoreID}
	}
	if r.frozen() {
		return nil, &kvpb.RangeFrozenError{RangeID: r.rangeID}
	}
	writes := 0
	for _, req := range ba.Requests {
		if k, ok := outsideRange(desc, req); !ok {
			return nil, &kvpb.RangeKeyMismatchError{Key: k, Ranges: s.descriptorsFor(desc, k)}
		}
		if req.IsWrite() {
			writes++
		}
	}
	r.load.record(ba.Requests, writes > 0) // load.go
	switch writes {
	case 0:
		if wl, ok := ba.Requests[0].(*kvpb.WaitLockRequest); ok && len(ba.Requests) == 1 {
			return s.waitLock(ctx, r, wl) // lockwait.go
		}
		return r.read(ctx, ba.Requests)
	case len(ba.Requests):
		if err := s.disk.admit(ba.Requests); err != nil {
			return nil, err
		}
		return r.propose(ctx, ba.Requests)
	default:
		return nil, ErrMixedBatch
	}
}

// outsideRange checks that every key req addresses lies in desc; if not it
// returns the first key outside and false. (A prewrite's primary may live in
// another range and is not checked.)
func outsideRange(desc *kvpb.RangeDescriptor, req kvpb.Request) (kvpb.Key, bool) {
	checkKeys := func(ks []kvpb.Key) (kvpb.Key, bool) {
		for _, k := range ks {
			if !desc.ContainsKey(k) {
				return k, false
			}
		}
		return nil, true
	}
	switch t := req.(type) {
	case *kvpb.ScanRequest:
		return t.Span.Key, desc.ContainsSpan(t.Span)
	case *kvpb.ClearRangeRequest:
		return t.Span.Key, desc.ContainsSpan(t.Span)
	case *kvpb.RawScanRequest:
		return t.Span.Key, desc.ContainsSpan(t.Span)
	case *kvpb.PrewriteRequest:
		for _, m := range t.Mutations {
			if !desc.ContainsKey(m.Key) {
				return m.Key, false
			}
		}
		return nil, true
	case *kvpb.OnePCRequest:
		for _, m := range t.Mutations {
			if !desc.ContainsKey(m.Key) {
				return m.Key, false
			}
		}
		return nil, true
	case *kvpb.CommitRequest:
		return checkKeys(t.Keys)
	case *kvpb.PessimisticLockRequest:
		return checkKeys(t.Keys)
	case *kvpb.RollbackRequest:
		return checkKeys(t.Keys)
	case *kvpb.ResolveLockRequest:
		return checkKeys(t.Keys)
	}
	return req.Header(), desc.ContainsKey(req.Header())
}

// LeaderTerm reports whether this store's replica of range id is the leader
// and has applied an entry of its current term, and that term. It is a
// local check: use ReadIndex to confirm leadership with a quorum.
func (s *Store) LeaderTerm(id kvpb.RangeID) (term uint64, ok bool) {
	if s.Failed() != nil {
		return 0, false
	}
	r, err := s.GetReplica(id)
	if err != nil {
		return 0, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if !r.isLeaseholderLocked() {
		return 0, false
	}
	return r.mu.term, true
}

// ReadIndex runs a quorum round on range id's leader and returns the term
// the leadership was confirmed at, once the replica has applied every entry
// committed before the round. It fails with *kvpb.NotLeaderError when this
// replica is not the leader of its term (or loses leadership meanwhile).
func (s *Store) ReadIndex(ctx context.Context, id kvpb.RangeID) (term uint64, err error) {
	if err := s.Failed(); err != nil {
		return 0, err
	}
	r, err := s.GetReplica(id)
	if err != nil {
		return 0, err
	}
	return r.readIndex(ctx)
}

// HandleRaftMessage steps a raft message from another store into the
// addressed replica. A message for a range the store does not have creates
// an uninitialized replica when it addresses this store with a replica id
// the range's tombstone allows (destroy.go); otherwise it is dropped with
// RangeNotFoundError.
func (s *Store) HandleRaftMessage(ctx context.Context, m *RaftMessage) error {
	if err := s.Failed(); err != nil {
		return err
	}
	if m.Message.GetType() == raftpb.MessageType_MsgSnap {
		return errors.New("raftstore: a snapshot comes with its files (HandleSnapshot)")
	}
	r, err := s.GetReplica(m.RangeID)
	if err != nil {
		// A range this store will hold a replica of: its leader is
		// bringing it up (snapshot.go).
		if r, err = s.uninitializedReplica(m); err != nil {
			return err
		}
	}
	if to := m.Message.GetTo(); to != 0 && to < uint64(r.replicaID) {
		// For an older replica of this store, destroyed since (destroy.go):
		// raft would take it as its own.
		return &kvpb.RangeNotFoundError{RangeID: m.RangeID, StoreID: s.cfg.StoreID}
	}
	r.mu.Lock()
	if r.mu.stopped {
		err := r.stoppedErrorLocked()
		r.mu.Unlock()
		return err
	}
	if m.From.ReplicaID != 0 && len(r.mu.peers) < 64 {
		r.mu.peers[uint64(m.From.ReplicaID)] = m.From
	}
	if isQuiesceMessage(m.Message) && m.Message.GetType() == raftpb.MessageType_MsgHeartbeat {
		err = r.stepQuiesceHeartbeatLocked(m.Message) // quiesce.go
	} else {
		r.unquiesceLocked()
		err = r.mu.rawNode.Step(m.Message)
	}
	r.mu.Unlock()
	s.enqueue(r)
	return err
}
