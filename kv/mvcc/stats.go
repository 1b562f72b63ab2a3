package mvcc

import (
	"github.com/cockroachdb/pebble/v2"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// CountKeys counts the distinct user keys that have a version or a raw
// value in span, up to max (0: no limit): an approximation of a range's
// rows for SHOW … REGIONS (a key whose newest version is a deletion still
// counts until it is garbage collected).
func CountKeys(r pebble.Reader, span kvpb.Span, max int64) (n int64, err error) {
	it, err := r.NewIter(&pebble.IterOptions{LowerBound: EncodeKey(span.Key, 0), UpperBound: EncodeKey(span.EndKey, 0)})
	if err != nil {
		return 0, err
	}
	defer closeIter(it, &err)
	for valid := it.First(); valid; valid = it.NextPrefix() {
		n++
		if max > 0 && n >= max {
			break
		}
	}
	return n, nil
}

// VersionKind classifies the engine value stored at a user key's
// timestamp ts, for size accounting: version reports whether readers see
// it as the key's value (a put or a delete write record, or a raw value at
// ts 0), put whether that value exists (a put, or a raw value).
func VersionKind(ts kvpb.Timestamp, value []byte) (version, put bool) {
	if ts == 0 {
		return true, true // a raw value (locks live under /Local)
	}
	if len(value) < 2 || value[0] != writeRecordFormat {
		return false, false
	}
	switch writeKind(value[1]) {
	case writePut:
		return true, true
	case writeDelete:
		return true, false
	}
	return false, false
}
