package kv

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"sort"
	"sync"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// defaultRangeCacheSize bounds a DistSender's range cache.
const defaultRangeCacheSize = 64 << 10

// rangeCache holds the range descriptors a DistSender has learned, ordered
// by end key, so that the range holding a key is one binary search away.
// Entries never overlap: inserting a descriptor evicts the entries it
// overlaps, unless one of them is known to be newer (a higher
// Generation), in which case the inserted one is dropped as stale. An
// overlap whose relation is unknown (equal or absent generations) is
// settled for the descriptor just learned. Cached descriptors are
// immutable: lookups return them shared, callers must not modify them.
//
// The cache may be stale, never wrong for long: a request routed with a
// stale entry comes back as RangeKeyMismatchError or RangeNotFoundError,
// and the DistSender then evicts the entry and learns the current ones.
// It is safe for concurrent use.
type rangeCache struct {
	max int

	mu struct {
		sync.RWMutex
		// byEnd is sorted by EndKey; the spans are disjoint.
		byEnd []*kvpb.RangeDescriptor
	}
}

func newRangeCache(max int) *rangeCache {
	if max <= 0 {
		max = defaultRangeCacheSize
	}
	return &rangeCache{max: max}
}

// lookup returns the cached range holding key.
func (c *rangeCache) lookup(key kvpb.Key) (*kvpb.RangeDescriptor, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	es := c.mu.byEnd
	i := sort.Search(len(es), func(i int) bool { return bytes.Compare(es[i].EndKey, key) > 0 })
	if i < len(es) && bytes.Compare(es[i].StartKey, key) <= 0 {
		return es[i], true
	}
	return nil, false
}

// lookupBefore returns the cached range holding the keys just below key:
// the range whose span ends at key, or holds key but does not start there.
// A reverse scan reads it after the range starting at key.
func (c *rangeCache) lookupBefore(key kvpb.Key) (*kvpb.RangeDescriptor, bool) {
	c.mu.RLock()
	defer c.mu.RUnlock()
	es := c.mu.byEnd
	i := sort.Search(len(es), func(i int) bool { return bytes.Compare(es[i].EndKey, key) >= 0 })
	if i < len(es) && bytes.Compare(es[i].StartKey, key) < 0 {
		return es[i], true
	}
	return nil, false
}

// insert adds descs (copied) to the cache, each evicting the entries it
// overlaps unless one of them has a higher generation. It returns the
// cached copies, nil for a descriptor dropped as stale.
func (c *rangeCache) insert(descs ...kvpb.RangeDescriptor) []*kvpb.RangeDescriptor {
	out := make([]*kvpb.RangeDescriptor, len(descs))
	c.mu.Lock()
	defer c.mu.Unlock()
	for i := range descs {
		out[i] = c.insertLocked(&descs[i])
	}
	return out
}

func (c *rangeCache) insertLocked(d *kvpb.RangeDescriptor) *kvpb.RangeDescriptor {
	if len(d.EndKey) == 0 || bytes.Compare(d.StartKey, d.EndKey) >= 0 {
		return nil // not a span a range can have
	}
	es := c.mu.byEnd
	// The overlapping entries are es[lo:hi]: those ending after d starts
	// and starting before d ends.
	lo := sort.Search(len(es), func(i int) bool { return bytes.Compare(es[i].EndKey, d.StartKey) > 0 })
	hi := lo
	for hi < len(es) && bytes.Compare(es[hi].StartKey, d.EndKey) < 0 {
		if newer(es[hi], d) {
			return nil
		}
		hi++
	}
	n := copyDescriptor(d)
	if hi == lo {
		es = slices.Insert(es, lo, n)
	} else {
		es[lo] = n
		es = slices.Delete(es, lo+1, hi)
	}
	if len(es) > c.max {
		// Over the bound: drop any other entry.
		j := rand.IntN(len(es) - 1)
		if j >= lo {
			j++
		}
		es = slices.Delete(es, j, j+1)
	}
	c.mu.byEnd = es
	return n
}

// newer reports whether cached is known to be newer than d: both carry a
// generation and cached's is higher. A split bumps the generation of both
// halves, so it orders overlapping descriptors of different ranges too.
func newer(cached, d *kvpb.RangeDescriptor) bool {
	return cached.Generation != 0 && d.Generation != 0 && cached.Generation > d.Generation
}

// evict removes d's entry, if the cache still holds that version of it (an
// entry learned since is kept).
func (c *rangeCache) evict(d *kvpb.RangeDescriptor) {
	c.mu.Lock()
	defer c.mu.Unlock()
	es := c.mu.byEnd
	i := sort.Search(len(es), func(i int) bool { return bytes.Compare(es[i].EndKey, d.EndKey) >= 0 })
	if i < len(es) && (es[i] == d || sameVersion(es[i], d)) {
		c.mu.byEnd = slices.Delete(es, i, i+1)
	}
}

func sameVersion(a, b *kvpb.RangeDescriptor) bool {
	return a.RangeID == b.RangeID && a.Generation == b.Generation &&
		a.StartKey.Equal(b.StartKey) && a.EndKey.Equal(b.EndKey)
}

// len returns the number of cached descriptors.
func (c *rangeCache) len() int {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return len(c.mu.byEnd)
}

// all returns the cached descriptors in key order.
func (c *rangeCache) all() []*kvpb.RangeDescriptor {
	c.mu.RLock()
	defer c.mu.RUnlock()
	return append([]*kvpb.RangeDescriptor(nil), c.mu.byEnd...)
}

func copyDescriptor(d *kvpb.RangeDescriptor) *kvpb.RangeDescriptor {
	n := *d
	n.StartKey = append(kvpb.Key(nil), d.StartKey...)
	n.EndKey = append(kvpb.Key(nil), d.EndKey...)
	n.Replicas = append([]kvpb.ReplicaDescriptor(nil), d.Replicas...)
	return &n
}
