// Package rowenc encodes SQL rows as kv pairs (DESIGN.md §3).
//
// Key: kvpb.IndexKeyPrefix(tableID, indexID) followed by each key column
// as a marker byte and an order-preserving payload, so bytes.Compare on
// keys orders rows as types.Compare orders the values and a predicate on a
// key prefix is a key span:
//
//	NULL         0x00                 (sorts before every value)
//	int          0x12 ‖ EncodeVarintAscending (8 bytes, sign flipped)
//	bool         0x14 false, 0x15 true (no payload)
//	bytes        0x16 ‖ EncodeBytesAscending (escaped, self-terminating):
//	             text, varchar, bytea, and char(n) with trailing spaces
//	             trimmed (bpchar ignores them when comparing)
//	float        0x18 ‖ EncodeFloatAscending (-0 folded into 0); NaN 0x19,
//	             after every number as in PostgreSQL
//	numeric      0x1a -Inf, 0x1b negative, 0x1c zero, 0x1d positive,
//	             0x1e +Inf, 0x1f NaN; a nonzero number carries its decimal
//	             exponent and its digits without trailing zeros, so 1.0 and
//	             1.00 encode alike (see encodeDecimalKey)
//	date         0x20 ‖ EncodeVarintAscending(days)
//	timestamp    0x21 ‖ EncodeVarintAscending(µs)
//	timestamptz  0x22 ‖ EncodeVarintAscending(µs)
//	interval     0x23 ‖ 128-bit length in µs with 30-day months, sign flipped
//	uuid         0x24 ‖ its 16 bytes (fixed length, compared bytewise)
//	time         0x25 ‖ 8-byte µs since midnight, sign bit flipped
//	timetz       0x26 ‖ 8-byte UTC µs ‖ 4-byte zone (seconds west), both
//	             sign-flipped: timetz_cmp's order (UTC time, then zone)
//
// A Descending column writes the same bytes inverted (marker included), so
// NULL sorts last there; every payload is prefix-free, which is what makes
// inversion reverse the order. New types take new marker bytes; markers
// never change meaning.
//
// Value: a format byte (valueFormatV1), then each non-NULL non-key column
// as uvarint(column id) ‖ value tag ‖ payload, in column id order. A
// reader skips tags of columns its descriptor no longer has, and treats
// absent columns as NULL, which is what lets columns be added and dropped
// without rewriting rows. Key columns are not repeated, except "composite"
// ones whose key encoding loses part of the value (a numeric's scale, a
// float's -0, char padding beyond the column length, an interval's
// months/days split): those are also written to the value, and
// DecodeValue, called after DecodePrimaryKey, restores them exactly.
//
// Secondary index entries (index.go): the key is the index's prefix, its
// columns, then the primary key columns not among them; a unique index's
// entry without NULLs leaves those out of the key (so duplicates collide)
// and keeps them in the value. The value is a format byte, that key
// suffix's length and bytes, and the lossy columns' exact values.
package rowenc
