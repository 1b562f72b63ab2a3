package raftstore

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/binary"
	"math/rand/v2"

	"github.com/cockroachdb/pebble/v2"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// Consistency checksums: how a test (or an operator) checks that the
// replicas of a range hold the same data.
//
// ComputeChecksum proposes, on the range's leader, a checksum command
// (checksumFormat) naming a random checksum id. Every replica applying the
// entry at index i hashes the range's replicated state as it stands after
// the entries before i: every engine key and value of snapshotSpans (the
// replicated range-id records, the range-local keys, the lock table and
// the user keys) except the applied-state record, whose value depends on
// how the replica's passes happened to batch their entries. It reads
// through the pass's indexed apply batch, so the commands applied earlier
// in the same pass are seen exactly as a committed state would show them.
// The result, {id → sum, i}, is kept in memory on the replica, the last
// maxChecksums of them; Checksum returns it. Replicas whose sums differ at
// the same index diverged.
//
// The hash is computed on the scheduler goroutine, inside the pass, and
// costs a scan of the range: fine for tests and for ranges of modest size;
// a background computation over a Pebble snapshot is the way once ranges
// grow large. A replica that skips the entry (caught up by a snapshot
// past it) has no sum for it.

// maxChecksums bounds the checksums a replica remembers.
const maxChecksums = 16

// checksumRecord is one computed checksum.
type checksumRecord struct {
	id, index uint64
	sum       []byte
}

// ComputeChecksum proposes a checksum of range id on its leader, this
// store's replica, and returns the checksum's id and the index it was
// computed at once this replica has applied it. Errors are those of a
// proposal: *kvpb.NotLeaderError on a follower, ErrAmbiguousResult when
// leadership changed meanwhile (the checksum may still be computed).
func (s *Store) ComputeChecksum(ctx context.Context, id kvpb.RangeID) (checksumID, index uint64, err error) {
	if err := s.Failed(); err != nil {
		return 0, 0, err
	}
	r, err := s.GetReplica(id)
	if err != nil {
		return 0, 0, err
	}
	for checksumID == 0 {
		checksumID = rand.Uint64()
	}
	p := &proposal{id: s.nextID(), done: make(chan proposalResult, 1)}
	r.mu.Lock()
	err = r.admitProposalLocked()
	if err == nil {
		err = r.proposeLocked(p, encodeChecksumCommand(p.id, checksumID))
	}
	r.mu.Unlock()
	if err != nil {
		return 0, 0, err
	}
	s.enqueue(r)
	res := r.await(ctx, p)
	if res.err != nil {
		return 0, 0, res.err
	}
	return checksumID, res.index, nil
}

// Checksum returns the checksum checksumID of this store's replica of
// range id and the index it was computed at; ok is false when the replica
// has not applied it (yet), skipped it, or forgot it (it keeps the last
// maxChecksums).
func (s *Store) Checksum(id kvpb.RangeID, checksumID uint64) (sum []byte, index uint64, ok bool) {
	r, err := s.GetReplica(id)
	if err != nil {
		return nil, 0, false
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	for _, c := range r.mu.checksums {
		if c.id == checksumID {
			return bytes.Clone(c.sum), c.index, true
		}
	}
	return nil, 0, false
}

// computeChecksum applies the checksum command cmd, entry index of r.
func (a *applier) computeChecksum(r *Replica, index uint64, cmd command) error {
	sum, err := replicaChecksum(a.b, r.Descriptor())
	if err != nil {
		return err
	}
	r.mu.Lock()
	if len(r.mu.checksums) == maxChecksums {
		r.mu.checksums = append(r.mu.checksums[:0], r.mu.checksums[1:]...)
	}
	r.mu.checksums = append(r.mu.checksums, checksumRecord{id: cmd.checksumID, index: index, sum: sum})
	r.mu.Unlock()
	a.results = append(a.results, applyResult{r: r, proposalID: cmd.proposalID, res: proposalResult{index: index}})
	return nil
}

// replicaChecksum hashes, as rd shows them, the engine keys and values of
// desc's replicated spans except the applied state: each key and value
// length-prefixed, so no two different contents hash the same stream.
func replicaChecksum(rd pebble.Reader, desc *kvpb.RangeDescriptor) ([]byte, error) {
	h := sha256.New()
	applied := engineKey(kvpb.RangeAppliedStateKey(desc.RangeID))
	var hdr []byte
	for _, sp := range snapshotSpans(desc) {
		it, err := rd.NewIter(&pebble.IterOptions{LowerBound: sp.start, UpperBound: sp.end})
		if err != nil {
			return nil, err
		}
		for valid := it.First(); valid; valid = it.Next() {
			k := it.Key()
			if bytes.Equal(k, applied) {
				continue
			}
			v, err := it.ValueAndErr()
			if err != nil {
				_ = it.Close()
				return nil, err
			}
			hdr = binary.AppendUvarint(hdr[:0], uint64(len(k)))
			hdr = append(hdr, k...)
			hdr = binary.AppendUvarint(hdr, uint64(len(v)))
			h.Write(hdr)
			h.Write(v)
		}
		if err := it.Close(); err != nil {
			return nil, err
		}
	}
	return h.Sum(nil), nil
}
