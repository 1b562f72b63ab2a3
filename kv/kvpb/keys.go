package kvpb

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"strconv"
	"strings"
)

// Key is a user key: a position in the one ordered keyspace. Engine keys (a
// Key plus a version suffix) exist only inside kv/mvcc.
type Key []byte

// Compare orders keys bytewise.
func (k Key) Compare(o Key) int { return bytes.Compare(k, o) }

// Equal reports whether k and o are the same key.
func (k Key) Equal(o Key) bool { return bytes.Equal(k, o) }

// Next returns the smallest key greater than k.
func (k Key) Next() Key { return append(append(Key(nil), k...), 0) }

// String pretty-prints k as a path (/Table/104/1/…); see PrettyKey.
func (k Key) String() string { return PrettyKey(k) }

// Span is the half-open key interval [Key, EndKey). An empty EndKey means
// the span holds the single key Key.
type Span struct {
	Key    Key
	EndKey Key
}

// ContainsKey reports whether k lies in the span.
func (s Span) ContainsKey(k Key) bool {
	if len(s.EndKey) == 0 {
		return s.Key.Equal(k)
	}
	return bytes.Compare(s.Key, k) <= 0 && bytes.Compare(k, s.EndKey) < 0
}

func (s Span) String() string {
	if len(s.EndKey) == 0 {
		return PrettyKey(s.Key)
	}
	return "[" + PrettyKey(s.Key) + ", " + PrettyKey(s.EndKey) + ")"
}

// Keyspace prefixes, in byte order.
const (
	localPrefixByte  byte = 0x01
	metaPrefixByte   byte = 0x02
	systemPrefixByte byte = 0x03
	tablePrefixByte  byte = 0x10

	localRangeIDInfix byte = 'i'
	localRangeInfix   byte = 'k'
	localLockInfix    byte = 'z'
	replicatedInfix   byte = 'r'
	unreplicatedInfix byte = 'u'
)

var (
	// LocalPrefix starts every /Local key.
	LocalPrefix = Key{localPrefixByte}
	// LocalMax is the end of the /Local keys.
	LocalMax = Key{localPrefixByte + 1}
	// LockPrefix starts the lock table: /Local/Lock/<key>.
	LockPrefix = Key{localPrefixByte, localLockInfix}
	// MetaPrefix starts /Meta; range 1 always starts here.
	MetaPrefix = Key{metaPrefixByte}
	// MetaMax is the end of /Meta.
	MetaMax = Key{metaPrefixByte + 1}
	// SystemPrefix starts /System.
	SystemPrefix = Key{systemPrefixByte}
	// SystemMax is the end of /System.
	SystemMax = Key{systemPrefixByte + 1}
	// TablePrefix starts /Table.
	TablePrefix = Key{tablePrefixByte}
	// KeyMin is the smallest key a range can hold (range 1's start).
	KeyMin = MetaPrefix
	// KeyMax is larger than every key; the last range ends here.
	KeyMax = Key{0xff, 0xff}
)

// Named /System keys.
var (
	// ClusterIDKey holds the cluster's id, written at bootstrap.
	ClusterIDKey = SystemKey("cluster-id")
	// DescIDGeneratorKey is the counter that table and database ids come
	// from (never reused; user ids start at 100).
	DescIDGeneratorKey = SystemKey("desc-idgen")
	// NodeIDGeneratorKey is the counter node ids come from.
	NodeIDGeneratorKey = SystemKey("node-idgen")
	// StoreIDGeneratorKey is the counter store ids come from.
	StoreIDGeneratorKey = SystemKey("store-idgen")
	// RangeIDGeneratorKey is the counter range ids come from.
	RangeIDGeneratorKey = SystemKey("range-idgen")
	// TSOKey holds the TSO's persisted high-water mark.
	TSOKey = SystemKey("tso")
	// SchemaVersionKey holds the cluster-wide schema version.
	SchemaVersionKey = SystemKey("schema-version")
	// DescriptorPrefix starts /System/desc/<id>: schema descriptors.
	DescriptorPrefix = SystemKey("desc/")
	// NamespacePrefix starts /System/ns/<parentID>/<name>: name → id.
	NamespacePrefix = SystemKey("ns/")
)

// SystemKey returns /System/<name>.
func SystemKey(name string) Key {
	return append(Key{systemPrefixByte}, name...)
}

// DescriptorKey returns /System/desc/<id>.
func DescriptorKey(id uint64) Key {
	return EncodeUvarintAscending(append(Key(nil), DescriptorPrefix...), id)
}

// NamespaceKey returns /System/ns/<parentID>/<name>.
func NamespaceKey(parentID uint64, name string) Key {
	k := EncodeUvarintAscending(append(Key(nil), NamespacePrefix...), parentID)
	return EncodeBytesAscending(k, []byte(name))
}

// TableKeyPrefix returns /Table/<tableID>.
func TableKeyPrefix(tableID uint64) Key {
	return EncodeUvarintAscending(Key{tablePrefixByte}, tableID)
}

// IndexKeyPrefix returns /Table/<tableID>/<indexID>; row keys of that index
// continue with the encoded key columns.
func IndexKeyPrefix(tableID, indexID uint64) Key {
	return EncodeUvarintAscending(TableKeyPrefix(tableID), indexID)
}

// MetaKey returns /Meta/<end>: where the descriptor of the range ending at
// end is addressed. The range holding k is found with SeekGE(MetaKey(k.Next())).
func MetaKey(end Key) Key {
	return append(Key{metaPrefixByte}, end...)
}

// LockKey returns /Local/Lock/<k>. Lock keys sort as the user keys they
// lock, so the locks of a span [s, e) are the span [LockKey(s), LockKey(e)).
func LockKey(k Key) Key {
	return append(append(Key(nil), LockPrefix...), k...)
}

// DecodeLockKey returns the user key a lock key locks.
func DecodeLockKey(lk Key) (Key, error) {
	if !bytes.HasPrefix(lk, LockPrefix) {
		return nil, fmt.Errorf("kvpb: %q is not a lock key", []byte(lk))
	}
	return Key(lk[len(LockPrefix):]), nil
}

// LockSpan returns the lock-table span covering the user span s.
func LockSpan(s Span) Span {
	end := s.EndKey
	if len(end) == 0 {
		end = s.Key.Next()
	}
	return Span{Key: LockKey(s.Key), EndKey: LockKey(end)}
}

func rangeIDPrefix(id RangeID, infix byte) Key {
	k := make(Key, 0, 16)
	k = append(k, localPrefixByte, localRangeIDInfix)
	k = binary.BigEndian.AppendUint64(k, uint64(id))
	return append(k, infix)
}

// RangeIDReplicatedPrefix returns /Local/RangeID/<id>/r: replicated state.
func RangeIDReplicatedPrefix(id RangeID) Key { return rangeIDPrefix(id, replicatedInfix) }

// RangeIDUnreplicatedPrefix returns /Local/RangeID/<id>/u: raft state.
func RangeIDUnreplicatedPrefix(id RangeID) Key { return rangeIDPrefix(id, unreplicatedInfix) }

// RangeIDPrefixSpan returns the span of every /Local/RangeID/<id> key.
func RangeIDPrefixSpan(id RangeID) Span {
	k := Key{localPrefixByte, localRangeIDInfix}
	k = binary.BigEndian.AppendUint64(k, uint64(id))
	return Span{Key: k, EndKey: PrefixEnd(k)}
}

// RangeAppliedStateKey holds a range's applied index (and term), written in
// the same batch as the commands it covers.
func RangeAppliedStateKey(id RangeID) Key {
	return append(RangeIDReplicatedPrefix(id), "appl"...)
}

// RangeDescriptorLocalKey holds a replica's copy of its range descriptor,
// by range id (the /Local/Range/<start> copy is RangeDescriptorKey).
func RangeDescriptorLocalKey(id RangeID) Key {
	return append(RangeIDReplicatedPrefix(id), "desc"...)
}

// RaftHardStateKey holds a range's raft HardState.
func RaftHardStateKey(id RangeID) Key {
	return append(RangeIDUnreplicatedPrefix(id), "rfth"...)
}

// RaftTruncatedStateKey holds the index and term of the last entry removed
// from a range's raft log.
func RaftTruncatedStateKey(id RangeID) Key {
	return append(RangeIDUnreplicatedPrefix(id), "rftt"...)
}

// RaftReplicaTombstoneKey holds, once a store's replica of a range was
// removed and destroyed, the smallest replica id that store may still
// create for the range: a late message for an older replica id must not
// bring the removed replica back.
func RaftReplicaTombstoneKey(id RangeID) Key {
	return append(RangeIDUnreplicatedPrefix(id), "rftb"...)
}

// RaftLogPrefix starts a range's raft log.
func RaftLogPrefix(id RangeID) Key {
	return append(RangeIDUnreplicatedPrefix(id), "rftl"...)
}

// RaftLogKey returns the key of one raft log entry; entries sort by index.
func RaftLogKey(id RangeID, index uint64) Key {
	return binary.BigEndian.AppendUint64(RaftLogPrefix(id), index)
}

// RangeDescriptorKey returns /Local/Range/<start>/rdsc: the copy of a range
// descriptor kept with the range's data.
func RangeDescriptorKey(start Key) Key {
	k := Key{localPrefixByte, localRangeInfix}
	k = EncodeBytesAscending(k, start)
	return append(k, "rdsc"...)
}

// PrettyKey renders a key as a path for logs, EXPLAIN and tests.
func PrettyKey(k Key) string {
	if len(k) == 0 {
		return "/Min"
	}
	if bytes.Equal(k, KeyMax) {
		return "/Max"
	}
	var sb strings.Builder
	switch k[0] {
	case localPrefixByte:
		sb.WriteString("/Local")
		if len(k) < 2 {
			break
		}
		switch k[1] {
		case localLockInfix:
			sb.WriteString("/Lock")
			sb.WriteString(PrettyKey(k[2:]))
			return sb.String()
		case localRangeIDInfix:
			if len(k) >= 11 {
				fmt.Fprintf(&sb, "/RangeID/%d/%c/%s", binary.BigEndian.Uint64(k[2:10]), k[10], prettyBytes(k[11:]))
				return sb.String()
			}
		case localRangeInfix:
			if rest, start, err := DecodeBytesAscending(k[2:], nil); err == nil {
				sb.WriteString("/Range")
				sb.WriteString(PrettyKey(start))
				sb.WriteString("/" + prettyBytes(rest))
				return sb.String()
			}
		}
		sb.WriteString("/" + prettyBytes(k[1:]))
	case metaPrefixByte:
		sb.WriteString("/Meta")
		if len(k) > 1 {
			sb.WriteString(PrettyKey(k[1:]))
		}
	case systemPrefixByte:
		sb.WriteString("/System/" + prettyBytes(k[1:]))
	case tablePrefixByte:
		sb.WriteString("/Table")
		rest := []byte(k[1:])
		for i := 0; i < 2 && len(rest) > 0; i++ {
			r, v, err := DecodeUvarintAscending(rest)
			if err != nil {
				break
			}
			sb.WriteString("/" + strconv.FormatUint(v, 10))
			rest = r
		}
		if len(rest) > 0 {
			sb.WriteString("/" + prettyBytes(rest))
		}
	default:
		sb.WriteString("/" + prettyBytes(k))
	}
	return sb.String()
}

func prettyBytes(b []byte) string {
	printable := true
	for _, c := range b {
		if c < 0x20 || c > 0x7e {
			printable = false
			break
		}
	}
	if printable {
		return string(b)
	}
	return fmt.Sprintf("%x", b)
}
