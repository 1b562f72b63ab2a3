// Package rowenc encodes SQL rows as kv pairs (DESIGN.md §3).
//
// Key: kvpb.IndexKeyPrefix(tableID, indexID) followed by each key column
// as a marker byte and an order-preserving payload, so bytes.Compare on
// keys orders rows as the index orders them and a predicate on a key prefix
// is a key span:
//
//	NULL      0x00                 (sorts before every value)
//	int       0x12 ‖ EncodeVarintAscending (8 bytes, sign flipped)
//	bool      0x14 false, 0x15 true (no payload)
//	text      0x16 ‖ EncodeBytesAscending (escaped, self-terminating)
//
// A Descending column writes the same bytes inverted (marker included), so
// NULL sorts last there. New types take new marker bytes; markers never
// change meaning.
//
// Value: a format byte (valueFormatV1), then each non-NULL non-key column
// as uvarint(column id) ‖ value tag ‖ payload, in column id order. Key
// columns are not repeated; NULLs are omitted. A reader skips tags of
// columns its descriptor no longer has, and treats absent columns as NULL,
// which is what lets columns be added and dropped without rewriting rows.
package rowenc
