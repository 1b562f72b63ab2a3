package kvpb

import (
	"fmt"
	"time"
)

// LogicalBits is the number of low bits of a Timestamp that hold the logical
// counter; the high bits hold physical milliseconds since the Unix epoch, as
// in TiDB's TSO.
const LogicalBits = 18

// MaxLogical is the largest logical counter a Timestamp can carry.
const MaxLogical = 1<<LogicalBits - 1

// Timestamp is a 64-bit hybrid timestamp: physical milliseconds << 18 |
// logical. Zero is "no timestamp". Timestamps handed out by the TSO are
// unique, strictly increasing across restarts and clock steps, and even:
// odd timestamps are left for the commit timestamps a range chooses itself
// for a one-phase commit (OnePCCommitTs), so such a commit timestamp never
// equals a TSO timestamp — another transaction's start_ts, at which its
// rollback record would be written on the same key.
type Timestamp uint64

// MaxTimestamp is larger than every timestamp the TSO can hand out.
const MaxTimestamp = Timestamp(^uint64(0))

// MakeTimestamp builds a Timestamp from physical milliseconds and a logical
// counter.
func MakeTimestamp(physicalMillis int64, logical uint32) Timestamp {
	return Timestamp(uint64(physicalMillis)<<LogicalBits | uint64(logical&MaxLogical))
}

// Physical returns the physical milliseconds since the Unix epoch.
func (t Timestamp) Physical() int64 { return int64(uint64(t) >> LogicalBits) }

// Logical returns the logical counter.
func (t Timestamp) Logical() uint32 { return uint32(uint64(t) & MaxLogical) }

// GoTime returns the physical part as a time.Time (UTC).
func (t Timestamp) GoTime() time.Time { return time.UnixMilli(t.Physical()).UTC() }

// IsEmpty reports whether t is the zero timestamp.
func (t Timestamp) IsEmpty() bool { return t == 0 }

// Next returns the smallest timestamp greater than t.
func (t Timestamp) Next() Timestamp { return t + 1 }

// IsTSO reports whether t is of the kind the TSO hands out (even).
func (t Timestamp) IsTSO() bool { return t&1 == 0 }

// OnePCCommitTs returns the smallest odd timestamp above t: the commit
// timestamp of a one-phase commit that must exceed t (a range's largest
// read timestamp, and the transaction's start_ts). Every TSO timestamp
// handed out later is even and above t's TSO ancestors, so it exceeds the
// result and its reads see the commit.
func OnePCCommitTs(t Timestamp) Timestamp {
	if t&1 == 0 {
		return t + 1
	}
	return t + 2
}

// Prev returns the largest timestamp smaller than t (t must not be zero).
func (t Timestamp) Prev() Timestamp { return t - 1 }

// String formats t as physical,logical.
func (t Timestamp) String() string { return fmt.Sprintf("%d,%d", t.Physical(), t.Logical()) }
