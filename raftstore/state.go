package raftstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"math"

	"github.com/cockroachdb/pebble/v2"
	"github.com/rangedb/rangedb/kv/kvpb"
	"go.etcd.io/raft/v3/raftpb"
)

// The replica-local records, each stored under an unversioned engine key
// (engineKey) and starting with a format byte:
//
//	RaftHardStateKey(id)        hardStateFormat   term, vote, commit
//	RaftLogKey(id, index)       entryFormat       term, index, type, data
//	RaftTruncatedStateKey(id)   truncStateFormat  index, term
//	RangeAppliedStateKey(id)    appliedFormat     index, term
//	RaftReplicaTombstoneKey(id) tombstoneFormat   smallest replica id allowed
//
// Those values are encoded with kvpb.Writer (uvarints, length-prefixed
// bytes). The descriptor copies (RangeDescriptorLocalKey(id),
// RangeDescriptorKey(start) and /Meta/<end>) are mvcc raw values holding
// RangeDescriptor.Marshal(), so RawGet reads them.
const (
	hardStateFormat  byte = 1
	entryFormat      byte = 1
	truncStateFormat byte = 1
	appliedFormat    byte = 1
	tombstoneFormat  byte = 1
)

// Raft's initial log position for a bootstrapped range: the log starts
// empty after (initialIndex, initialTerm), so a replica created later with
// no state (index 0) can never be mistaken for an up-to-date one.
const (
	initialIndex = 10
	initialTerm  = 5
)

// logPosition is an (index, term) pair: the truncated state and the applied
// state are both one.
type logPosition struct {
	Index uint64
	Term  uint64
}

func encodeHardState(hs *raftpb.HardState) []byte {
	var w kvpb.Writer
	w.Byte(hardStateFormat)
	w.Uvarint(hs.GetTerm())
	w.Uvarint(hs.GetVote())
	w.Uvarint(hs.GetCommit())
	return w.Bytes()
}

func decodeHardState(b []byte) (*raftpb.HardState, error) {
	r := kvpb.NewReader(b)
	if f := r.Byte(); r.Err() == nil && f != hardStateFormat {
		return nil, fmt.Errorf("raftstore: HardState format %d unknown", f)
	}
	term, vote, commit := r.Uvarint(), r.Uvarint(), r.Uvarint()
	if r.Err() != nil {
		return nil, fmt.Errorf("raftstore: decoding HardState: %w", r.Err())
	}
	return &raftpb.HardState{Term: &term, Vote: &vote, Commit: &commit}, nil
}

func encodeEntry(e *raftpb.Entry) []byte {
	var w kvpb.Writer
	w.Byte(entryFormat)
	w.Uvarint(e.GetTerm())
	w.Uvarint(e.GetIndex())
	w.Uvarint(uint64(e.GetType()))
	w.Bytes_(e.GetData())
	return w.Bytes()
}

func decodeEntry(b []byte) (*raftpb.Entry, error) {
	r := kvpb.NewReader(b)
	if f := r.Byte(); r.Err() == nil && f != entryFormat {
		return nil, fmt.Errorf("raftstore: entry format %d unknown", f)
	}
	term, index := r.Uvarint(), r.Uvarint()
	typ := raftpb.EntryType(r.Uvarint())
	data := r.Bytes()
	if r.Err() != nil {
		return nil, fmt.Errorf("raftstore: decoding entry: %w", r.Err())
	}
	return &raftpb.Entry{Term: &term, Index: &index, Type: &typ, Data: data}, nil
}

func encodeLogPosition(format byte, p logPosition) []byte {
	var w kvpb.Writer
	w.Byte(format)
	w.Uvarint(p.Index)
	w.Uvarint(p.Term)
	return w.Bytes()
}

func decodeLogPosition(format byte, b []byte) (logPosition, error) {
	r := kvpb.NewReader(b)
	if f := r.Byte(); r.Err() == nil && f != format {
		return logPosition{}, fmt.Errorf("raftstore: record format %d unknown", f)
	}
	p := logPosition{Index: r.Uvarint(), Term: r.Uvarint()}
	if r.Err() != nil {
		return logPosition{}, fmt.Errorf("raftstore: decoding log position: %w", r.Err())
	}
	return p, nil
}

// getValue reads the unversioned value of k; ok is false when absent. The
// returned slice is a copy.
func getValue(r pebble.Reader, k kvpb.Key) (v []byte, ok bool, err error) {
	val, closer, err := r.Get(engineKey(k))
	if errors.Is(err, pebble.ErrNotFound) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	v = append([]byte(nil), val...)
	return v, true, closer.Close()
}

// loadHardState reads a range's HardState; an absent one is empty.
func loadHardState(r pebble.Reader, id kvpb.RangeID) (*raftpb.HardState, error) {
	v, ok, err := getValue(r, kvpb.RaftHardStateKey(id))
	if err != nil || !ok {
		return &raftpb.HardState{}, err
	}
	return decodeHardState(v)
}

// loadTruncatedState reads a range's truncated state; absent is (0, 0).
func loadTruncatedState(r pebble.Reader, id kvpb.RangeID) (logPosition, error) {
	v, ok, err := getValue(r, kvpb.RaftTruncatedStateKey(id))
	if err != nil || !ok {
		return logPosition{}, err
	}
	return decodeLogPosition(truncStateFormat, v)
}

// loadAppliedState reads a range's applied index and term; absent is (0, 0).
func loadAppliedState(r pebble.Reader, id kvpb.RangeID) (logPosition, error) {
	v, ok, err := getValue(r, kvpb.RangeAppliedStateKey(id))
	if err != nil || !ok {
		return logPosition{}, err
	}
	return decodeLogPosition(appliedFormat, v)
}

// loadDescriptor reads a replica's local copy of its range descriptor.
func loadDescriptor(r pebble.Reader, id kvpb.RangeID) (*kvpb.RangeDescriptor, bool, error) {
	return getDescriptor(r, kvpb.RangeDescriptorLocalKey(id))
}

// loadLastIndex returns the index of the last entry of a range's log, or
// the truncated index when the log is empty.
func loadLastIndex(r pebble.Reader, id kvpb.RangeID, trunc logPosition) (uint64, error) {
	it, err := r.NewIter(&pebble.IterOptions{
		LowerBound: engineKey(kvpb.RaftLogKey(id, 0)),
		UpperBound: engineKey(kvpb.RaftLogKey(id, math.MaxUint64)),
	})
	if err != nil {
		return 0, err
	}
	defer it.Close()
	if !it.Last() {
		return trunc.Index, it.Error()
	}
	v, err := it.ValueAndErr()
	if err != nil {
		return 0, err
	}
	e, err := decodeEntry(v)
	if err != nil {
		return 0, err
	}
	return max(e.GetIndex(), trunc.Index), nil
}

// forEachRangeID calls fn for every range id that has any /Local/RangeID
// key, in order. It relies only on engine keys starting with their user key.
func forEachRangeID(r pebble.Reader, fn func(kvpb.RangeID) error) error {
	lower := engineKey(kvpb.RangeIDPrefixSpan(0).Key)
	upper := engineKey(kvpb.RangeIDPrefixSpan(math.MaxUint64).EndKey)
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: lower, UpperBound: upper})
	if err != nil {
		return err
	}
	defer it.Close()
	prefixLen := len(kvpb.RangeIDPrefixSpan(0).Key) // /Local/RangeID/<8-byte id>
	for valid := it.First(); valid; {
		k := it.Key()
		if len(k) < prefixLen {
			valid = it.Next()
			continue
		}
		id := kvpb.RangeID(binary.BigEndian.Uint64(k[prefixLen-8 : prefixLen]))
		if err := fn(id); err != nil {
			return err
		}
		if id == math.MaxUint64 {
			break
		}
		valid = it.SeekGE(engineKey(kvpb.RangeIDPrefixSpan(id).EndKey))
	}
	return it.Error()
}

func encodeTombstone(next kvpb.ReplicaID) []byte {
	var w kvpb.Writer
	w.Byte(tombstoneFormat)
	w.Uvarint(uint64(next))
	return w.Bytes()
}

// loadTombstone reads the smallest replica id of range id this store may
// still create (destroy.go); 0 when the store never destroyed a replica of
// the range.
func loadTombstone(r pebble.Reader, id kvpb.RangeID) (kvpb.ReplicaID, error) {
	v, ok, err := getValue(r, kvpb.RaftReplicaTombstoneKey(id))
	if err != nil || !ok {
		return 0, err
	}
	rd := kvpb.NewReader(v)
	if f := rd.Byte(); rd.Err() == nil && f != tombstoneFormat {
		return 0, fmt.Errorf("raftstore: tombstone format %d unknown", f)
	}
	next := kvpb.ReplicaID(rd.Uvarint())
	if rd.Err() != nil {
		return 0, fmt.Errorf("raftstore: decoding tombstone: %w", rd.Err())
	}
	return next, nil
}
