package kv

import (
	"context"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// RangeAdmin is what SQL asks of the cluster about its ranges: manual and
// per-table splits (SPLIT TABLE, CREATE TABLE) and the range listings of
// SHOW TABLE … REGIONS and SHOW RANGES. server implements it.
type RangeAdmin interface {
	// SplitAt splits the range holding key so that a range starts at key.
	// It reports false (and no error) when a range already starts there.
	// Keys below kvpb.SystemMax are refused: range 1 keeps /Meta and
	// /System.
	SplitAt(ctx context.Context, key kvpb.Key) (bool, error)
	// Ranges lists the ranges overlapping span, in key order.
	Ranges(ctx context.Context, span kvpb.Span) ([]RangeInfo, error)
}

// RangeInfo is one range as SHOW … REGIONS prints it.
type RangeInfo struct {
	Desc kvpb.RangeDescriptor
	// LeaderNode is the node whose replica leads the range (0: unknown).
	LeaderNode kvpb.NodeID
	// ApproxBytes and ApproxKeys estimate the range's live data.
	ApproxBytes, ApproxKeys int64
	// WrittenBytes and ReadBytes count traffic since the leader started.
	WrittenBytes, ReadBytes int64
}
