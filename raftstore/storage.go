package raftstore

import (
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/rangedb/rangedb/kv/kvpb"
	"go.etcd.io/raft/v3"
	"go.etcd.io/raft/v3/raftpb"
)

// replicaStorage implements raft.Storage over the store's Pebble engine for
// one replica. Raft calls it from RawNode methods, which always run under the
// owning Replica's mu; the scheduler updates the cached positions under the
// same mutex after the synced append, before Advance. So every field here is
// guarded by Replica.mu.
//
// The log holds entries (truncated.Index, lastIndex]; the term of
// truncated.Index is kept so raft can match the entry before the first.
type replicaStorage struct {
	eng     pebble.Reader
	rangeID kvpb.RangeID

	hardState *raftpb.HardState
	confState *raftpb.ConfState
	truncated logPosition
	lastIndex uint64
	lastTerm  uint64
	// snaps registers the snapshots raft asks for (nil: none).
	snaps *outgoingSnapshots
}

var _ raft.Storage = (*replicaStorage)(nil)

// loadReplicaStorage reads a replica's raft state from the engine.
func loadReplicaStorage(eng pebble.Reader, desc *kvpb.RangeDescriptor) (*replicaStorage, error) {
	s := &replicaStorage{eng: eng, rangeID: desc.RangeID, confState: confStateFromDescriptor(desc)}
	var err error
	if s.hardState, err = loadHardState(eng, desc.RangeID); err != nil {
		return nil, err
	}
	if s.truncated, err = loadTruncatedState(eng, desc.RangeID); err != nil {
		return nil, err
	}
	if s.lastIndex, err = loadLastIndex(eng, desc.RangeID, s.truncated); err != nil {
		return nil, err
	}
	if s.lastTerm, err = s.Term(s.lastIndex); err != nil {
		return nil, err
	}
	return s, nil
}

// confStateFromDescriptor derives raft's membership from the descriptor.
func confStateFromDescriptor(desc *kvpb.RangeDescriptor) *raftpb.ConfState {
	cs := &raftpb.ConfState{}
	for _, r := range desc.Replicas {
		if r.Learner {
			cs.Learners = append(cs.Learners, uint64(r.ReplicaID))
		} else {
			cs.Voters = append(cs.Voters, uint64(r.ReplicaID))
		}
	}
	return cs
}

// InitialState implements raft.Storage.
func (s *replicaStorage) InitialState() (*raftpb.HardState, *raftpb.ConfState, error) {
	return s.hardState, s.confState, nil
}

// Entries implements raft.Storage: the entries [lo, hi), at least one if
// any, then as many as fit in maxSize bytes.
func (s *replicaStorage) Entries(lo, hi, maxSize uint64) ([]*raftpb.Entry, error) {
	if lo <= s.truncated.Index {
		return nil, raft.ErrCompacted
	}
	if hi > s.lastIndex+1 || lo > hi {
		return nil, fmt.Errorf("raftstore: %s: entries [%d, %d) out of bounds (last %d): %w", s.rangeID, lo, hi, s.lastIndex, raft.ErrUnavailable)
	}
	if lo == hi {
		return nil, nil
	}
	it, err := s.eng.NewIter(&pebble.IterOptions{
		LowerBound: engineKey(kvpb.RaftLogKey(s.rangeID, lo)),
		UpperBound: engineKey(kvpb.RaftLogKey(s.rangeID, hi)),
	})
	if err != nil {
		return nil, err
	}
	defer it.Close()
	var ents []*raftpb.Entry
	var size uint64
	next := lo
	for valid := it.First(); valid; valid = it.Next() {
		v, err := it.ValueAndErr()
		if err != nil {
			return nil, err
		}
		e, err := decodeEntry(v)
		if err != nil {
			return nil, err
		}
		if e.GetIndex() != next {
			return nil, fmt.Errorf("raftstore: %s: log gap: want entry %d, found %d: %w", s.rangeID, next, e.GetIndex(), raft.ErrUnavailable)
		}
		size += uint64(len(v))
		if len(ents) > 0 && size > maxSize {
			break
		}
		ents = append(ents, e)
		next++
	}
	if err := it.Error(); err != nil {
		return nil, err
	}
	if len(ents) == 0 {
		return nil, fmt.Errorf("raftstore: %s: entry %d missing: %w", s.rangeID, lo, raft.ErrUnavailable)
	}
	return ents, nil
}

// Term implements raft.Storage: the term of entry i, for i in
// [truncated.Index, lastIndex].
func (s *replicaStorage) Term(i uint64) (uint64, error) {
	switch {
	case i == s.truncated.Index:
		return s.truncated.Term, nil
	case i < s.truncated.Index:
		return 0, raft.ErrCompacted
	case i > s.lastIndex:
		return 0, raft.ErrUnavailable
	case i == s.lastIndex && s.lastTerm != 0:
		return s.lastTerm, nil
	}
	v, ok, err := getValue(s.eng, kvpb.RaftLogKey(s.rangeID, i))
	if err != nil {
		return 0, err
	}
	if !ok {
		return 0, fmt.Errorf("raftstore: %s: entry %d missing: %w", s.rangeID, i, raft.ErrUnavailable)
	}
	e, err := decodeEntry(v)
	if err != nil {
		return 0, err
	}
	return e.GetTerm(), nil
}

// LastIndex implements raft.Storage.
func (s *replicaStorage) LastIndex() (uint64, error) { return s.lastIndex, nil }

// FirstIndex implements raft.Storage.
func (s *replicaStorage) FirstIndex() (uint64, error) { return s.truncated.Index + 1, nil }

// Snapshot implements raft.Storage: the range's state at its applied
// index (snapshot.go).
func (s *replicaStorage) Snapshot() (*raftpb.Snapshot, error) {
	db, ok := s.eng.(*pebble.DB)
	if !ok || s.snaps == nil {
		return nil, raft.ErrSnapshotTemporarilyUnavailable
	}
	return s.snaps.capture(db, s.rangeID)
}

// appendToBatch writes entries (which must be contiguous and start at most
// at lastIndex+1) into b, deleting any old entries past the new last index
// that they replace. It returns the new last index and term; the caller
// installs them with setLast after b is durably committed.
func (s *replicaStorage) appendToBatch(b *pebble.Batch, ents []*raftpb.Entry) (lastIndex, lastTerm uint64, err error) {
	if len(ents) == 0 {
		return s.lastIndex, s.lastTerm, nil
	}
	first := ents[0].GetIndex()
	if first <= s.truncated.Index || first > s.lastIndex+1 {
		return 0, 0, fmt.Errorf("raftstore: %s: appending entries at %d to a log holding (%d, %d]", s.rangeID, first, s.truncated.Index, s.lastIndex)
	}
	for _, e := range ents {
		if err := b.Set(engineKey(kvpb.RaftLogKey(s.rangeID, e.GetIndex())), encodeEntry(e), nil); err != nil {
			return 0, 0, err
		}
	}
	last := ents[len(ents)-1]
	for i := last.GetIndex() + 1; i <= s.lastIndex; i++ {
		if err := b.Delete(engineKey(kvpb.RaftLogKey(s.rangeID, i)), nil); err != nil {
			return 0, 0, err
		}
	}
	return last.GetIndex(), last.GetTerm(), nil
}

// truncateTo removes the entries up to and including index from the log,
// which must hold them, and records (index, its term) as the truncated
// state, in one unsynced batch. It is safe against a crash because the
// batch follows, in Pebble's write-ahead log, the apply batches of those
// entries: a crash that loses it loses nothing it depends on, and one that
// keeps it keeps them.
func (s *replicaStorage) truncateTo(eng *pebble.DB, index uint64) error {
	if index <= s.truncated.Index || index > s.lastIndex {
		return fmt.Errorf("raftstore: %s: truncating to %d a log holding (%d, %d]", s.rangeID, index, s.truncated.Index, s.lastIndex)
	}
	term, err := s.Term(index)
	if err != nil {
		return err
	}
	pos := logPosition{Index: index, Term: term}
	b := eng.NewBatch()
	defer b.Close()
	if err := b.DeleteRange(engineKey(kvpb.RaftLogKey(s.rangeID, s.truncated.Index+1)), engineKey(kvpb.RaftLogKey(s.rangeID, index+1)), nil); err != nil {
		return err
	}
	if err := b.Set(engineKey(kvpb.RaftTruncatedStateKey(s.rangeID)), encodeLogPosition(truncStateFormat, pos), nil); err != nil {
		return err
	}
	if err := b.Commit(pebble.NoSync); err != nil {
		return fmt.Errorf("raftstore: %s: truncating the log to %d: %w", s.rangeID, index, err)
	}
	s.truncated = pos
	return nil
}

func (s *replicaStorage) setLast(index, term uint64) {
	s.lastIndex, s.lastTerm = index, term
}
