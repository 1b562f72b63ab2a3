// Package kvpb is the leaf of rangedb's key-value layer: the vocabulary every
// other layer speaks. It holds typed ids (RangeID, NodeID, StoreID,
// ReplicaID), hybrid timestamps, the layout of the one ordered keyspace
// (keys.go), order-preserving key encodings (encoding.go), range
// descriptors, the batch request/response types that travel from the SQL
// layer to a replica, the typed errors that come back, and the binary codec
// that turns write batches into raft commands.
//
// kvpb imports nothing of rangedb's. Everything it defines is a value: no
// goroutines, no I/O, no package-level mutable state.
//
// The keyspace (DESIGN.md §3), in byte order:
//
//	0x01 'i' <rangeID:8> 'r' <suffix>   /Local/RangeID/<id>/r/…  replicated range state
//	0x01 'i' <rangeID:8> 'u' <suffix>   /Local/RangeID/<id>/u/…  raft HardState, log, truncated state
//	0x01 'k' <start key, escaped> …     /Local/Range/<start>/…   range descriptor copy
//	0x01 'z' <user key>                 /Local/Lock/<key>        Percolator lock table
//	0x02 <range end key>                /Meta/<end>              range addressing
//	0x03 <name> …                       /System/…                counters, TSO, descriptors
//	0x10 <tableID> <indexID> <cols>     /Table/…                 rows and index entries
//
// Local keys never fall inside a range's span; they belong to a range by id
// (RangeID keys) or by the user key they describe (Range and Lock keys).
package kvpb
