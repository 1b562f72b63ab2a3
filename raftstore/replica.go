package raftstore

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/rangedb/rangedb/kv/kvpb"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// Replica is one range's replica on this store: a raft RawNode over the
// store's engine plus the callers waiting on it. Every method of the RawNode
// runs under mu; the scheduler goroutine is the only one that takes a Ready,
// appends, applies and advances.
type Replica struct {
	store     *Store
	rangeID   kvpb.RangeID
	replicaID kvpb.ReplicaID
	// conc orders one-phase commits against reads; see concurrency.
	conc *concurrency
	// writtenBytes and readBytes count the commands this replica proposed
	// and the keys and values its reads returned, since it was loaded
	// (SHOW … REGIONS).
	writtenBytes, readBytes atomic.Int64
	// load counts the batches Store.Send routes here and samples their
	// keys, for the placement driver (load.go).
	load loadTracker
	// quiesced mirrors mu.quiesced, for tickAll and QuiescedCount to read
	// without the lock (quiesce.go).
	quiesced atomic.Bool

	mu struct {
		sync.Mutex
		rawNode *raft.RawNode
		storage *replicaStorage
		// desc is the current descriptor; it is replaced, never mutated.
		desc *kvpb.RangeDescriptor
		// applied is the index and term of the last applied entry; it
		// moves only after the apply batch covering it is committed.
		applied logPosition
		// The raft status as of the last Ready handled.
		term      uint64
		leader    uint64
		raftState raft.StateType
		// proposals are the write commands proposed here and not yet
		// applied, by proposal id.
		proposals map[uint64]*proposal
		// reads are the ReadIndex requests in flight, by request id.
		reads map[uint64]*readRequest
		// readsWithIndex counts reads whose read index has arrived and
		// that wait for applied to reach it.
		readsWithIndex int
		// stopped is set when the store stops or the replica is
		// destroyed; no new work is accepted.
		stopped bool
		// destroyed is set when the replica was removed from its range
		// (destroy.go): new work fails with RangeNotFoundError.
		destroyed bool
		// peers are the replicas messages came from, by raft id: how an
		// uninitialized replica (whose descriptor lists only itself)
		// addresses its answers.
		peers map[uint64]kvpb.ReplicaDescriptor
		// pendingSnap is an incoming snapshot stepped into raft and not
		// yet applied or refused (snapstream.go).
		pendingSnap *pendingSnapshot
		// checksums are the last consistency checksums computed
		// (checksum.go), oldest first, at most maxChecksums.
		checksums []checksumRecord
		// freezing is set by the leader proposing this range's subsume
		// (merge.go) until it applies or fails; frozen once it applied
		// (persistent). Either way the replica takes no new proposal or
		// read: *kvpb.RangeFrozenError.
		freezing bool
		frozen   *frozenState
		// quiesced is set while the replica is idle and not ticking
		// (quiesce.go).
		quiesced bool
	}
}

// proposal is a write command waiting to be applied by this replica.
type proposal struct {
	id   uint64
	term uint64
	done chan proposalResult // buffered, receives exactly once
}

type proposalResult struct {
	resp *kvpb.BatchResponse
	err  error
	// index is the entry's index, for a checksum command (checksum.go).
	index uint64
}

// readRequest is a ReadIndex in flight: first the leader confirms its
// leadership with a quorum (index arrives in a ReadState), then the
// scheduler waits for applied >= index and signals done.
type readRequest struct {
	id       uint64
	term     uint64
	index    uint64
	hasIndex bool
	done     chan error // buffered, receives exactly once
}

func newReplica(s *Store, desc *kvpb.RangeDescriptor) (*Replica, error) {
	return newReplicaWith(s, desc, true)
}

// newReplicaWith builds a replica; an uninitialized one (a range known
// only from a message) has an empty raft configuration until a snapshot
// gives it one.
func newReplicaWith(s *Store, desc *kvpb.RangeDescriptor, initialized bool) (*Replica, error) {
	rd, ok := desc.Replica(s.cfg.StoreID)
	if !ok {
		return nil, fmt.Errorf("raftstore: range %s has no replica on store %s", desc.RangeID, s.cfg.StoreID)
	}
	storage, err := loadReplicaStorage(s.cfg.Engine, desc)
	if err != nil {
		return nil, fmt.Errorf("raftstore: loading %s: %w", desc.RangeID, err)
	}
	storage.snaps = &s.snapOut
	if !initialized {
		storage.confState = &raftpb.ConfState{}
	}
	applied, err := loadAppliedState(s.cfg.Engine, desc.RangeID)
	if err != nil {
		return nil, fmt.Errorf("raftstore: loading %s applied state: %w", desc.RangeID, err)
	}
	if c := storage.hardState.GetCommit(); applied.Index > c {
		return nil, fmt.Errorf("raftstore: %s applied index %d is past commit index %d", desc.RangeID, applied.Index, c)
	}
	rn, err := raft.NewRawNode(&raft.Config{
		ID:                        uint64(rd.ReplicaID),
		ElectionTick:              s.cfg.ElectionTicks,
		HeartbeatTick:             s.cfg.HeartbeatTicks,
		Storage:                   storage,
		Applied:                   applied.Index,
		MaxSizePerMsg:             1 << 20,
		MaxCommittedSizePerReady:  64 << 20,
		MaxUncommittedEntriesSize: 64 << 20,
		MaxInflightMsgs:           256,
		CheckQuorum:               true,
		PreVote:                   true,
		ReadOnlyOption:            raft.ReadOnlySafe,
		DisableProposalForwarding: true,
		Logger:                    s.raftLogger,
	})
	if err != nil {
		return nil, err
	}
	r := &Replica{store: s, rangeID: desc.RangeID, replicaID: rd.ReplicaID, conc: newConcurrency()}
	r.mu.rawNode = rn
	r.mu.storage = storage
	r.mu.desc = desc
	r.mu.applied = applied
	r.mu.term = storage.hardState.GetTerm()
	r.mu.raftState = raft.StateFollower
	r.mu.proposals = make(map[uint64]*proposal)
	r.mu.reads = make(map[uint64]*readRequest)
	r.mu.peers = make(map[uint64]kvpb.ReplicaDescriptor)
	if r.mu.frozen, err = loadFrozen(s.cfg.Engine, desc.RangeID); err != nil {
		return nil, fmt.Errorf("raftstore: loading %s frozen state: %w", desc.RangeID, err)
	}
	return r, nil
}

// RangeID returns the replica's range id.
func (r *Replica) RangeID() kvpb.RangeID { return r.rangeID }

// Descriptor returns the replica's current range descriptor. The caller
// must not modify it.
func (r *Replica) Descriptor() *kvpb.RangeDescriptor {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.mu.desc
}

// isLeaseholderLocked reports whether the replica is the leader and has
// applied an entry of its term: only then does its state reflect every
// write acknowledged by earlier leaders, so it may serve reads.
func (r *Replica) isLeaseholderLocked() bool {
	return r.mu.raftState == raft.StateLeader && r.mu.applied.Term == r.mu.term
}

func (r *Replica) notLeaderErrorLocked() error {
	// A follower asked to serve wakes (quiesce.go): if its leader is
	// gone, ticking lets it notice and campaign, rather than wait for a
	// liveness change.
	r.unquiesceLocked()
	e := &kvpb.NotLeaderError{RangeID: r.rangeID}
	for _, rd := range r.mu.desc.Replicas {
		if uint64(rd.ReplicaID) == r.mu.leader {
			e.Leader = rd
		}
	}
	return e
}

// pendingLocked counts the proposals and reads in flight.
func (r *Replica) pendingLocked() int { return len(r.mu.proposals) + len(r.mu.reads) }

// propose proposes reqs as one command and waits until this replica has
// applied it. It returns the responses, or the evaluation error unchanged.
// An error from ctx or ErrStopped/ErrAmbiguousResult leaves the outcome
// unknown.
func (r *Replica) propose(ctx context.Context, reqs []kvpb.Request) (*kvpb.BatchResponse, error) {
	s := r.store
	id := s.nextID()
	onePC, _ := reqs[0].(*kvpb.OnePCRequest)
	if onePC != nil {
		if len(reqs) != 1 {
			return nil, fmt.Errorf("raftstore: a one-phase commit must be alone in its batch")
		}
		if err := r.raiseReadFloor(ctx); err != nil {
			return nil, err
		}
	}
	if _, split := reqs[0].(*kvpb.AdminSplitRequest); split && len(reqs) != 1 {
		return nil, fmt.Errorf("raftstore: a split must be alone in its batch")
	}
	var data []byte
	if onePC == nil {
		if data = encodeCommand(id, reqs); len(data) > s.cfg.MaxCommandSize {
			return nil, fmt.Errorf("%w: %d bytes > %d", ErrCommandTooLarge, len(data), s.cfg.MaxCommandSize)
		}
	}
	p := &proposal{id: id, done: make(chan proposalResult, 1)}
	if err := func() error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if err := r.admitProposalLocked(); err != nil {
			return err
		}
		if onePC != nil {
			// The commit_ts is picked and the in-memory locks taken under
			// r.mu, so a term change cannot slip in before the proposal.
			commitTs, ok := r.conc.lockForCommit(r.mu.term, id, max(onePC.StartTs, onePC.MinCommitTs), onePC.Mutations)
			if !ok {
				return &kvpb.OnePCUnavailableError{RangeID: r.rangeID, Reason: "leadership changed"}
			}
			cmd := *onePC
			cmd.CommitTs = commitTs
			if data = encodeCommand(id, []kvpb.Request{&cmd}); len(data) > s.cfg.MaxCommandSize {
				r.conc.release(id)
				return fmt.Errorf("%w: %d bytes > %d", ErrCommandTooLarge, len(data), s.cfg.MaxCommandSize)
			}
		}
		if err := r.proposeLocked(p, data); err != nil {
			r.conc.release(id)
			return err
		}
		return nil
	}(); err != nil {
		return nil, err
	}
	s.disk.charge(len(data))
	r.writtenBytes.Add(int64(len(data)))
	s.enqueue(r)
	res := r.await(ctx, p)
	return res.resp, res.err
}

// admitProposalLocked checks that r may take a new proposal: it is
// running, leads its range, and has room for one more waiter.
func (r *Replica) admitProposalLocked() error {
	if r.mu.stopped {
		return r.stoppedErrorLocked()
	}
	if r.mu.raftState != raft.StateLeader {
		return r.notLeaderErrorLocked()
	}
	if r.frozenLocked() {
		return &kvpb.RangeFrozenError{RangeID: r.rangeID}
	}
	if r.pendingLocked() >= r.store.cfg.MaxPendingProposals {
		return ErrTooManyPending
	}
	return nil
}

// proposeLocked proposes data to raft and registers p as waiting for it.
func (r *Replica) proposeLocked(p *proposal, data []byte) error {
	r.unquiesceLocked()
	if err := r.mu.rawNode.Propose(data); err != nil {
		if errors.Is(err, raft.ErrProposalDropped) {
			return r.notLeaderErrorLocked()
		}
		return err
	}
	p.term = r.mu.term
	r.mu.proposals[p.id] = p
	return nil
}

// await waits for the outcome of the registered proposal p: its result
// once applied here, or the store's failure, or ctx's error (p is then
// unregistered; the command may still apply).
func (r *Replica) await(ctx context.Context, p *proposal) proposalResult {
	select {
	case res := <-p.done:
		return res
	case <-r.store.failedCh:
		return proposalResult{err: r.store.Failed()}
	case <-ctx.Done():
		r.mu.Lock()
		delete(r.mu.proposals, p.id)
		r.mu.Unlock()
		return proposalResult{err: ctx.Err()}
	}
}

// raiseReadFloor makes sure, before a one-phase commit is proposed in the
// current term, that maxReadTs is at least a TSO timestamp fetched in that
// term (see concurrency.floorNeeded).
func (r *Replica) raiseReadFloor(ctx context.Context) error {
	r.mu.Lock()
	term, leader := r.mu.term, r.mu.raftState == raft.StateLeader
	r.mu.Unlock()
	if !leader || !r.conc.floorNeeded(term) {
		return nil // a follower fails in propose; an established floor is kept
	}
	floor := r.store.cfg.OnePCReadFloor
	if floor == nil {
		return &kvpb.OnePCUnavailableError{RangeID: r.rangeID, Reason: "no timestamp source for the read floor"}
	}
	ts, err := floor(ctx)
	if err != nil {
		return err
	}
	r.conc.raiseFloor(term, ts)
	return nil
}

// readIndex runs a ReadIndex round: it returns once a quorum confirmed this
// replica's leadership at term and the replica has applied everything
// committed before the round began.
func (r *Replica) readIndex(ctx context.Context) (term uint64, err error) {
	s := r.store
	rr := &readRequest{id: s.nextID(), done: make(chan error, 1)}
	if err := func() error {
		r.mu.Lock()
		defer r.mu.Unlock()
		if r.mu.stopped {
			return r.stoppedErrorLocked()
		}
		if !r.isLeaseholderLocked() {
			return r.notLeaderErrorLocked()
		}
		if r.pendingLocked() >= s.cfg.MaxPendingProposals {
			return ErrTooManyPending
		}
		rr.term = r.mu.term
		if len(r.mu.storage.confState.Voters) == 1 {
			// The only voter is the leader: no other replica can have been
			// elected, so a quorum round would confirm nothing. Its
			// commit index is the read index (every acknowledged write is
			// at or below it); the read waits only for applied to reach
			// it, without a raft round.
			rr.index, rr.hasIndex = r.mu.rawNode.BasicStatus().HardState.GetCommit(), true
			if rr.index <= r.mu.applied.Index {
				rr.done <- nil
				return nil
			}
			r.mu.reads[rr.id] = rr
			r.mu.readsWithIndex++
			return nil
		}
		r.mu.reads[rr.id] = rr
		r.unquiesceLocked()
		r.mu.rawNode.ReadIndex(binary.BigEndian.AppendUint64(nil, rr.id))
		return nil
	}(); err != nil {
		return 0, err
	}
	s.enqueue(r)
	select {
	case err := <-rr.done:
		return rr.term, err
	case <-s.failedCh:
		return 0, s.Failed()
	case <-ctx.Done():
		r.mu.Lock()
		if r.mu.reads[rr.id] == rr {
			if rr.hasIndex {
				r.mu.readsWithIndex--
			}
			delete(r.mu.reads, rr.id)
		}
		r.mu.Unlock()
		return 0, ctx.Err()
	}
}

// read serves a read-only batch: a ReadIndex round, then evaluation on a
// consistent engine snapshot taken after applied reached the read index.
func (r *Replica) read(ctx context.Context, reqs []kvpb.Request) (*kvpb.BatchResponse, error) {
	if _, err := r.readIndex(ctx); err != nil {
		return nil, err
	}
	// A split may have shrunk the range since the batch was routed here.
	desc := r.Descriptor()
	for _, req := range reqs {
		if k, ok := outsideRange(desc, req); !ok {
			return nil, &kvpb.RangeKeyMismatchError{Key: k, Ranges: r.store.descriptorsFor(desc, k)}
		}
	}
	if err := r.conc.beforeRead(ctx, reqs); err != nil {
		return nil, err
	}
	// After beforeRead raised maxReadTs: a read that finds the range not
	// freezing is counted in what the subsume hands to the left range.
	if r.frozen() {
		return nil, &kvpb.RangeFrozenError{RangeID: r.rangeID}
	}
	if err := r.store.Failed(); err != nil {
		return nil, err // fail released the in-memory locks; serve nothing
	}
	snap := r.store.cfg.Engine.NewSnapshot()
	defer snap.Close()
	br := &kvpb.BatchResponse{Responses: make([]kvpb.Response, 0, len(reqs))}
	for _, req := range reqs {
		resp, err := evalRead(snap, req)
		if err != nil {
			return nil, err
		}
		br.Responses = append(br.Responses, resp)
	}
	r.readBytes.Add(responseBytes(br.Responses))
	return br, nil
}

// afterReadyLocked updates the cached raft status after a Ready was handled
// and fails the waiters that can no longer succeed: on a term change every
// pending proposal's outcome is unknown, and reads issued in an older term
// or on a replica that is no longer leader fail with NotLeaderError. It then
// signals the reads whose index has been applied.
func (r *Replica) afterReadyLocked() {
	st := r.mu.rawNode.BasicStatus()
	termChanged := st.HardState.GetTerm() != r.mu.term
	r.mu.term = st.HardState.GetTerm()
	r.mu.leader = st.Lead
	r.mu.raftState = st.RaftState
	if termChanged || r.mu.raftState != raft.StateLeader {
		r.conc.releaseAll()
		for id, p := range r.mu.proposals {
			if p.term != r.mu.term || r.mu.raftState != raft.StateLeader {
				p.done <- proposalResult{err: ErrAmbiguousResult}
				delete(r.mu.proposals, id)
			}
		}
		for id, rr := range r.mu.reads {
			if rr.term != r.mu.term || r.mu.raftState != raft.StateLeader {
				rr.done <- r.notLeaderErrorLocked()
				if rr.hasIndex {
					r.mu.readsWithIndex--
				}
				delete(r.mu.reads, id)
			}
		}
	}
	if r.mu.readsWithIndex > 0 {
		for id, rr := range r.mu.reads {
			if rr.hasIndex && rr.index <= r.mu.applied.Index {
				rr.done <- nil
				r.mu.readsWithIndex--
				delete(r.mu.reads, id)
			}
		}
	}
}

// maybeTruncateLogLocked truncates the raft log up to the applied index
// once more than keep applied entries precede it. A leader keeps no more
// than a quorum has: a follower that fell behind the truncation point is
// caught up by a snapshot (snapshot.go), so one slow or dead replica
// cannot make the log grow without bound. Every replica truncates its own
// log; the entries it drops are applied, and any it needs again would come
// in a snapshot.
func (r *Replica) maybeTruncateLogLocked(keep uint64) error {
	st := r.mu.storage
	index := r.mu.applied.Index
	if index <= st.truncated.Index+keep {
		return nil
	}
	if r.mu.raftState == raft.StateLeader && len(st.confState.Voters) > 1 {
		// The quorum's match index: the median of the voters'.
		status := r.mu.rawNode.Status()
		var matches []uint64
		for _, v := range st.confState.Voters {
			if pr, ok := status.Progress[v]; ok {
				matches = append(matches, pr.Match)
			}
		}
		slices.Sort(matches)
		if len(matches) > 0 {
			index = min(index, matches[(len(matches)-1)/2])
		}
		if index <= st.truncated.Index+keep {
			return nil
		}
	}
	return st.truncateTo(r.store.cfg.Engine, index)
}

// stopLocked fails every waiter with ErrStopped and refuses new work.
func (r *Replica) stopLocked() {
	r.mu.stopped = true
	r.failWaitersLocked(ErrStopped, ErrStopped)
}

// destroyLocked stops a replica removed from its range: reads fail with
// RangeNotFoundError, so their callers look for the range elsewhere, and
// proposals with ErrAmbiguousResult, since the remaining replicas may
// still commit them.
func (r *Replica) destroyLocked() {
	r.mu.stopped, r.mu.destroyed = true, true
	// No longer a leader to anyone asking (LeaderTerm) until it leaves
	// the routing.
	r.mu.raftState = raft.StateFollower
	r.failWaitersLocked(ErrAmbiguousResult, r.stoppedErrorLocked())
}

// stoppedErrorLocked is the error of new work on a stopped replica.
func (r *Replica) stoppedErrorLocked() error {
	if r.mu.destroyed {
		return &kvpb.RangeNotFoundError{RangeID: r.rangeID, StoreID: r.store.cfg.StoreID}
	}
	return ErrStopped
}

// failWaitersLocked answers every pending proposal with proposalErr and
// every read with readErr.
func (r *Replica) failWaitersLocked(proposalErr, readErr error) {
	r.conc.releaseAll()
	for id, p := range r.mu.proposals {
		p.done <- proposalResult{err: proposalErr}
		delete(r.mu.proposals, id)
	}
	for id, rr := range r.mu.reads {
		rr.done <- readErr
		delete(r.mu.reads, id)
	}
	r.mu.readsWithIndex = 0
}

// responseBytes counts the keys and values of read responses.
func responseBytes(resps []kvpb.Response) int64 {
	var n int64
	for _, r := range resps {
		switch t := r.(type) {
		case *kvpb.GetResponse:
			n += int64(len(t.Value))
		case *kvpb.ScanResponse:
			for _, kv := range t.Rows {
				n += int64(len(kv.Key) + len(kv.Value))
			}
		case *kvpb.RawGetResponse:
			n += int64(len(t.Value))
		case *kvpb.RawScanResponse:
			for _, kv := range t.Rows {
				n += int64(len(kv.Key) + len(kv.Value))
			}
		}
	}
	return n
}
