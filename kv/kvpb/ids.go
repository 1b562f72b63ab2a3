package kvpb

import "strconv"

// RangeID identifies a range. Range 1 always starts at /Meta and holds /Meta
// and /System. Range ids are never reused.
type RangeID uint64

// NodeID identifies a node (one rangedb process) in the cluster.
type NodeID uint64

// StoreID identifies a store: one Pebble engine on one node.
type StoreID uint64

// ReplicaID identifies one replica of a range; it is the raft peer id within
// that range's group and is never reused within the range.
type ReplicaID uint64

func (id RangeID) String() string   { return "r" + strconv.FormatUint(uint64(id), 10) }
func (id NodeID) String() string    { return "n" + strconv.FormatUint(uint64(id), 10) }
func (id StoreID) String() string   { return "s" + strconv.FormatUint(uint64(id), 10) }
func (id ReplicaID) String() string { return strconv.FormatUint(uint64(id), 10) }
