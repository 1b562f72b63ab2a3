package raftstore

import (
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/rangedb/rangedb/kv/kvpb"
	"go.etcd.io/raft/v3/raftpb"
)

// WriteInitialState bootstraps range desc on eng, which must hold no state
// for that range. In one synced batch it writes the descriptor (the local
// copy by range id, the /Local/Range/<start> copy, and the /Meta/<end>
// addressing record as a raw value), an empty raft log truncated at
// (initialIndex, initialTerm), HardState{Term: initialTerm, Commit:
// initialIndex} and the applied state (initialIndex, initialTerm). A Store
// started on eng then loads the range; a single-replica range elects itself.
func WriteInitialState(eng *pebble.DB, desc kvpb.RangeDescriptor) error {
	if desc.RangeID == 0 {
		return errors.New("raftstore: bootstrap: range id is zero")
	}
	if len(desc.Replicas) == 0 {
		return fmt.Errorf("raftstore: bootstrap %s: no replicas", desc.RangeID)
	}
	if desc.StartKey.Compare(desc.EndKey) >= 0 {
		return fmt.Errorf("raftstore: bootstrap %s: empty span [%s, %s)", desc.RangeID, desc.StartKey, desc.EndKey)
	}
	if _, ok, err := getValue(eng, kvpb.RangeDescriptorLocalKey(desc.RangeID)); err != nil {
		return err
	} else if ok {
		return fmt.Errorf("raftstore: bootstrap %s: range already exists", desc.RangeID)
	}
	if hs, err := loadHardState(eng, desc.RangeID); err != nil {
		return err
	} else if hs.GetTerm() != 0 {
		return fmt.Errorf("raftstore: bootstrap %s: raft state already exists", desc.RangeID)
	}
	b := eng.NewBatch()
	defer b.Close()
	term, commit := uint64(initialTerm), uint64(initialIndex)
	pos := logPosition{Index: initialIndex, Term: initialTerm}
	for _, kv := range []struct {
		key kvpb.Key
		val []byte
	}{
		{kvpb.RaftTruncatedStateKey(desc.RangeID), encodeLogPosition(truncStateFormat, pos)},
		{kvpb.RaftHardStateKey(desc.RangeID), encodeHardState(&raftpb.HardState{Term: &term, Commit: &commit})},
		{kvpb.RangeAppliedStateKey(desc.RangeID), encodeLogPosition(appliedFormat, pos)},
	} {
		if err := b.Set(engineKey(kv.key), kv.val, nil); err != nil {
			return err
		}
	}
	for _, k := range []kvpb.Key{
		kvpb.RangeDescriptorLocalKey(desc.RangeID),
		kvpb.RangeDescriptorKey(desc.StartKey),
		kvpb.MetaKey(desc.EndKey),
	} {
		if err := putDescriptor(b, k, &desc); err != nil {
			return err
		}
	}
	return b.Commit(pebble.Sync)
}
