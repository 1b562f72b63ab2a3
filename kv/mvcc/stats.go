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
