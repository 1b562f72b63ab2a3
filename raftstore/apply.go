package raftstore

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/rangedb/rangedb/kv/kvpb"
	"go.etcd.io/raft/v3/raftpb"
	"google.golang.org/protobuf/proto"
)

// applier applies the committed entries of one scheduler pass.
//
// Every command is evaluated deterministically: its outcome depends only on
// the engine state and the entry. The pass batch b is an indexed batch, so
// a command reads the writes of the commands applied before it in the same
// pass. A single-request command is evaluated into its own batch, merged
// into b only if it succeeds. A multi-request command must see its own
// earlier writes, so b is first committed (with the applied index of
// everything before) and the command is evaluated straight into a fresh b,
// which is discarded if any request fails. Either way a failed command
// writes nothing, and its error goes to the proposer.
//
// The applied index and term of each replica are written into the same
// batch as the commands they cover, so a crash re-applies exactly the
// entries whose effects were lost. Batches commit without Sync: the log is
// durable, and a lost apply batch is redone from it on restart.
type applier struct {
	eng *pebble.DB
	b   *pebble.Batch
	// applied holds the positions not yet written into b.
	applied map[*Replica]logPosition
	// results are the outcomes to hand to proposers once committed.
	results []applyResult
	// descs are the descriptors membership changes wrote into b.
	descs []pendingDesc
	// removed are the replicas a membership change removed, with the
	// tombstone each leaves; the scheduler destroys them once the pass's
	// batch is committed (destroy.go). A removed replica applies nothing
	// more.
	removed map[*Replica]kvpb.ReplicaID
	// merged are the right-hand replicas a merge applied in this pass
	// removed (merge.go): their state is gone, they apply nothing more.
	merged map[*Replica]bool
}

type applyResult struct {
	r          *Replica
	proposalID uint64
	res        proposalResult
	// released are the locks the command released, whose waiters are
	// woken once it is committed (lockwait.go).
	released []lockRelease
}

func newApplier(eng *pebble.DB) *applier {
	return &applier{eng: eng, b: eng.NewIndexedBatch(), applied: make(map[*Replica]logPosition)}
}

// applyEntries applies one replica's committed entries.
func (a *applier) applyEntries(r *Replica, ents []*raftpb.Entry) error {
	if len(ents) == 0 {
		return nil
	}
	r.mu.Lock()
	appliedIndex := r.mu.applied.Index
	r.mu.Unlock()
	if p, ok := a.applied[r]; ok {
		appliedIndex = p.Index
	}
	for _, e := range ents {
		if _, ok := a.removed[r]; ok {
			break // its later entries concern a range it left
		}
		if a.merged[r] {
			break // merged into its left neighbour: its state is gone
		}
		if e.GetIndex() <= appliedIndex {
			continue // already applied (raft does not re-send these; be safe)
		}
		if e.GetIndex() != appliedIndex+1 {
			return fmt.Errorf("raftstore: %s: applying entry %d after %d", r.rangeID, e.GetIndex(), appliedIndex)
		}
		if err := a.applyEntry(r, e); err != nil {
			return err
		}
		appliedIndex = e.GetIndex()
		a.applied[r] = logPosition{Index: e.GetIndex(), Term: e.GetTerm()}
	}
	return nil
}

func (a *applier) applyEntry(r *Replica, e *raftpb.Entry) error {
	switch e.GetType() {
	case raftpb.EntryNormal:
		if len(e.GetData()) == 0 {
			return nil // a new leader's empty entry
		}
		cmd, err := decodeCommand(e.GetData())
		if err != nil {
			// Deterministic on every replica: the entry is skipped.
			r.store.cfg.Logger.Error("raftstore: undecodable command skipped", "range", r.rangeID, "index", e.GetIndex(), "err", err)
			return nil
		}
		if cmd.checksumID != 0 {
			return a.computeChecksum(r, e.GetIndex(), cmd) // checksum.go
		}
		if r.subsumed() {
			// Subsumed by a merge (merge.go): the range's state stays as
			// of the subsume entry, deterministically on every replica.
			a.results = append(a.results, applyResult{r: r, proposalID: cmd.proposalID,
				res: proposalResult{err: &kvpb.RangeFrozenError{RangeID: r.rangeID}}})
			return nil
		}
		if len(cmd.requests) == 1 {
			pos := logPosition{Index: e.GetIndex(), Term: e.GetTerm()}
			switch req := cmd.requests[0].(type) {
			case *kvpb.AdminSplitRequest:
				return a.applySplit(r, pos, cmd.proposalID, req) // split.go
			case *kvpb.AdminSubsumeRequest:
				return a.applySubsume(r, pos, cmd.proposalID, req) // merge.go
			case *kvpb.AdminMergeRequest:
				return a.applyMerge(r, pos, cmd.proposalID, req) // merge.go
			}
		}
		// A command proposed before a split and applied after it may
		// address keys the range no longer holds: refused, so its client
		// re-routes it (every replica decides the same: the span changes
		// only at a split, which is flushed at once).
		desc := r.Descriptor()
		for _, req := range cmd.requests {
			if k, ok := outsideRange(desc, req); !ok {
				a.results = append(a.results, applyResult{r: r, proposalID: cmd.proposalID,
					res: proposalResult{err: &kvpb.RangeKeyMismatchError{Key: k, Ranges: []kvpb.RangeDescriptor{*desc}}}})
				return nil
			}
		}
		br, evalErr, err := a.evalCommand(cmd.requests)
		if err != nil {
			return err
		}
		res := applyResult{r: r, proposalID: cmd.proposalID, res: proposalResult{resp: br, err: evalErr}}
		if evalErr == nil {
			res.released = releasesOf(cmd.requests)
		}
		a.results = append(a.results, res)
		return nil
	case raftpb.EntryConfChange, raftpb.EntryConfChangeV2:
		var cc interface {
			proto.Message
			raftpb.ConfChangeI
		} = &raftpb.ConfChange{}
		if e.GetType() == raftpb.EntryConfChangeV2 {
			cc = &raftpb.ConfChangeV2{}
		}
		if err := proto.Unmarshal(e.GetData(), cc); err != nil {
			return fmt.Errorf("raftstore: %s: decoding conf change %d: %w", r.rangeID, e.GetIndex(), err)
		}
		return a.applyConfChange(r, cc) // snapshot.go
	}
	return fmt.Errorf("raftstore: %s: entry %d has unknown type %v", r.rangeID, e.GetIndex(), e.GetType())
}

// evalCommand evaluates a command's requests atomically into a.b. evalErr
// is the command's outcome (nothing was written); err is a storage failure.
func (a *applier) evalCommand(reqs []kvpb.Request) (br *kvpb.BatchResponse, evalErr, err error) {
	br = &kvpb.BatchResponse{Responses: make([]kvpb.Response, 0, len(reqs))}
	if len(reqs) == 1 {
		cb := a.eng.NewBatch()
		defer cb.Close()
		resp, evalErr := evalWrite(a.b, cb, reqs[0])
		if evalErr != nil {
			return nil, evalErr, nil
		}
		if err := a.b.Apply(cb, nil); err != nil {
			return nil, nil, err
		}
		br.Responses = append(br.Responses, resp)
		return br, nil, nil
	}
	if err := a.flush(); err != nil {
		return nil, nil, err
	}
	for _, req := range reqs {
		rb := a.eng.NewBatch()
		resp, evalErr := evalWrite(a.b, rb, req)
		if evalErr == nil {
			err = a.b.Apply(rb, nil)
		}
		rb.Close()
		if err != nil {
			return nil, nil, err
		}
		if evalErr != nil {
			a.b.Close()
			a.b = a.eng.NewIndexedBatch()
			return nil, evalErr, nil
		}
		br.Responses = append(br.Responses, resp)
	}
	return br, nil, nil
}

// flush writes the pending applied states into b and commits it, leaving a
// fresh empty b.
func (a *applier) flush() error { return a.flushWith(pebble.NoSync) }

// flushWith is flush, committing with opts (a subsume syncs: merge.go).
func (a *applier) flushWith(opts *pebble.WriteOptions) error {
	for r, p := range a.applied {
		if err := a.b.Set(engineKey(kvpb.RangeAppliedStateKey(r.rangeID)), encodeLogPosition(appliedFormat, p), nil); err != nil {
			return err
		}
	}
	if !a.b.Empty() {
		if err := a.b.Commit(opts); err != nil {
			return fmt.Errorf("raftstore: committing apply batch: %w", err)
		}
	}
	for r, p := range a.applied {
		r.mu.Lock()
		r.mu.applied = p
		r.mu.Unlock()
	}
	clear(a.applied)
	for _, pd := range a.descs {
		pd.r.mu.Lock()
		pd.r.mu.desc = pd.desc
		pd.r.mu.Unlock()
		pd.r.store.setDescriptor(pd.r, pd.desc)
	}
	a.descs = nil
	a.b.Close()
	a.b = a.eng.NewIndexedBatch()
	return nil
}

// finish commits what remains of the pass.
func (a *applier) finish() error {
	err := a.flush()
	a.close()
	return err
}

func (a *applier) close() {
	if a.b != nil {
		a.b.Close()
		a.b = nil
	}
}

// deliver hands each applied command's outcome to its proposer, if the
// proposer is on this replica and still waiting.
func (a *applier) deliver() {
	for _, res := range a.results {
		r := res.r
		r.conc.release(res.proposalID)
		r.store.lockWaits.wake(res.released)
		r.mu.Lock()
		if p, ok := r.mu.proposals[res.proposalID]; ok {
			delete(r.mu.proposals, res.proposalID)
			p.done <- res.res
		}
		r.mu.Unlock()
	}
	a.results = nil
}
