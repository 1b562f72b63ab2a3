package mvcc

import (
	"encoding/binary"
	"errors"
	"fmt"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// Engine key layout (DESIGN.md §3):
//
//	versioned:   userKey ‖ 0x00 ‖ ts (8 bytes, big-endian) ‖ 0x09
//	unversioned: userKey ‖ 0x00
//
// The last byte is the length of the suffix including itself: 9 for a
// versioned key, 0 (the sentinel) for an unversioned one. The prefix (what
// Pebble's Split returns and bloom filters hash) is always userKey ‖ 0x00.
const (
	// sentinel ends the prefix of every engine key.
	sentinel byte = 0x00
	// versionedSuffixLen is the length of ts ‖ 0x09.
	versionedSuffixLen = 9
)

// ErrCorruptEngineKey is returned by DecodeKey for bytes that are not an
// engine key.
var ErrCorruptEngineKey = errors.New("mvcc: corrupt engine key")

// EncodeKey returns the engine key of k at ts; a zero ts gives the
// unversioned key (used by locks and raw values).
func EncodeKey(k kvpb.Key, ts kvpb.Timestamp) []byte {
	return appendEngineKey(make([]byte, 0, len(k)+1+versionedSuffixLen), k, ts)
}

// appendEngineKey appends the engine key of k at ts to dst.
func appendEngineKey(dst []byte, k kvpb.Key, ts kvpb.Timestamp) []byte {
	dst = append(dst, k...)
	dst = append(dst, sentinel)
	if ts == 0 {
		return dst
	}
	dst = binary.BigEndian.AppendUint64(dst, uint64(ts))
	return append(dst, versionedSuffixLen)
}

// DecodeKey splits an engine key into its user key and timestamp (zero for
// an unversioned key). The returned key aliases b.
func DecodeKey(b []byte) (kvpb.Key, kvpb.Timestamp, error) {
	n := len(b)
	if n == 0 {
		return nil, 0, ErrCorruptEngineKey
	}
	switch b[n-1] {
	case 0:
		return kvpb.Key(b[: n-1 : n-1]), 0, nil
	case versionedSuffixLen:
		if n < 1+versionedSuffixLen || b[n-1-versionedSuffixLen] != sentinel {
			return nil, 0, fmt.Errorf("%w: %x", ErrCorruptEngineKey, b)
		}
		ts := kvpb.Timestamp(binary.BigEndian.Uint64(b[n-versionedSuffixLen : n-1]))
		if ts == 0 {
			return nil, 0, fmt.Errorf("%w: zero timestamp in %x", ErrCorruptEngineKey, b)
		}
		k := n - 1 - versionedSuffixLen
		return kvpb.Key(b[:k:k]), ts, nil
	default:
		return nil, 0, fmt.Errorf("%w: %x", ErrCorruptEngineKey, b)
	}
}

// keyBounds returns the engine-key bounds [lower, upper) of every engine key
// (every version and the unversioned key) of the user keys in [start, end);
// an empty end means the single key start.
func keyBounds(start, end kvpb.Key) (lower, upper []byte) {
	if len(end) == 0 {
		end = start.Next()
	}
	return EncodeKey(start, 0), EncodeKey(end, 0)
}
