package mvcc

import (
	"errors"
	"fmt"

	"github.com/cockroachdb/pebble/v2"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// Shared locks (kvpb.OpSharedLock: the schema lock every writer of a table
// takes, sql/catalog) of several transactions coexist on one key: each
// lives at a version of the key's lock-table key, at its transaction's
// start_ts, while every other lock lives at the unversioned lock key. So
// writers of a table prewrite its schema lock key concurrently, and a
// schema change (OpLock, exclusive) meets each of them (KeyLockedError)
// as it would any lock. Only OpLock checks for shared holders: no other
// mutation is ever made on a shared-locked key. Readers skip them, as they
// skip every lock-only lock.

// sharedLockKey is the engine key of the shared lock of the transaction
// started at startTs on k.
func sharedLockKey(k kvpb.Key, startTs kvpb.Timestamp) []byte {
	return EncodeKey(kvpb.LockKey(k), startTs)
}

// getSharedLock returns the shared lock of the transaction started at
// startTs on k, if any.
func getSharedLock(r pebble.Reader, k kvpb.Key, startTs kvpb.Timestamp) (lockRecord, bool, error) {
	v, closer, err := r.Get(sharedLockKey(k, startTs))
	if errors.Is(err, pebble.ErrNotFound) {
		return lockRecord{}, false, nil
	}
	if err != nil {
		return lockRecord{}, false, err
	}
	defer closer.Close()
	l, err := decodeLockRecord(v)
	if err != nil {
		return lockRecord{}, false, fmt.Errorf("%w (shared lock of %s on %s)", err, startTs, k)
	}
	return l, true, nil
}

// otherSharedLock returns a shared lock on k of a transaction other than
// the one started at startTs, if any.
func otherSharedLock(r pebble.Reader, k kvpb.Key, startTs kvpb.Timestamp) (_ *lockRecord, err error) {
	it, err := newKeyIter(r, kvpb.LockKey(k))
	if err != nil {
		return nil, err
	}
	defer closeIter(it, &err)
	for valid := it.First(); valid; valid = it.Next() {
		_, ts, err := DecodeKey(it.Key())
		if err != nil {
			return nil, err
		}
		if ts == 0 || ts == startTs {
			continue
		}
		raw, err := it.ValueAndErr()
		if err != nil {
			return nil, err
		}
		l, err := decodeLockRecord(raw)
		if err != nil {
			return nil, fmt.Errorf("%w (shared lock of %s on %s)", err, ts, k)
		}
		return &l, nil
	}
	return nil, it.Error()
}
