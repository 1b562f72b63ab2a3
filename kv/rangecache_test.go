package kv

import (
	"fmt"
	"strings"
	"sync"
	"testing"

	"github.com/rangedb/rangedb/kv/kvpb"
)

func desc(id kvpb.RangeID, start, end string, gen uint64) kvpb.RangeDescriptor {
	d := kvpb.RangeDescriptor{RangeID: id, StartKey: kvpb.Key(start), EndKey: kvpb.Key(end), Generation: gen}
	if start == "" {
		d.StartKey = kvpb.KeyMin
	}
	if end == "" {
		d.EndKey = kvpb.KeyMax
	}
	return d
}

func cacheString(c *rangeCache) string {
	var parts []string
	for _, d := range c.all() {
		parts = append(parts, fmt.Sprintf("%s[%s,%s)g%d", d.RangeID, d.StartKey, d.EndKey, d.Generation))
	}
	return strings.Join(parts, " ")
}

// TestRangeCache: lookups by key and by the keys below a key; an insert
// evicts the older descriptors it overlaps, is dropped when it is older
// itself, and wins an overlap of unknown relation; evict removes only
// the version it names.
func TestRangeCache(t *testing.T) {
	c := newRangeCache(0)
	if _, ok := c.lookup(kvpb.Key("a")); ok {
		t.Fatal("lookup in an empty cache")
	}
	c.insert(desc(1, "", "c", 1), desc(2, "c", "m", 1), desc(3, "m", "", 1))
	for _, tc := range []struct {
		key          string
		want, before kvpb.RangeID
	}{
		{"a", 1, 1}, {"c", 2, 1}, {"d", 2, 2}, {"m", 3, 2}, {"m\x00", 3, 3}, {"zzz", 3, 3},
	} {
		d, ok := c.lookup(kvpb.Key(tc.key))
		if !ok || d.RangeID != tc.want {
			t.Errorf("lookup(%q) = %v, want r%d", tc.key, d, tc.want)
		}
		d, ok = c.lookupBefore(kvpb.Key(tc.key))
		if !ok || d.RangeID != tc.before {
			t.Errorf("lookupBefore(%q) = %v, want r%d", tc.key, d, tc.before)
		}
	}
	if d, ok := c.lookupBefore(kvpb.KeyMax); !ok || d.RangeID != 3 {
		t.Errorf("lookupBefore(Max) = %v", d)
	}

	// A split of r2 at h learned from the store: both halves replace r2.
	c.insert(desc(2, "c", "h", 2))
	if got, want := cacheString(c), "r1[/Meta,/c)g1 r2[/c,/h)g2 r3[/m,/Max)g1"; got != want {
		t.Errorf("after the left half: %s, want %s", got, want)
	}
	c.insert(desc(4, "h", "m", 2))
	// Meta still has the old r2: it is older than both halves, dropped.
	if got := c.insert(desc(2, "c", "m", 1)); got[0] != nil {
		t.Errorf("a stale descriptor was cached")
	}
	if got, want := cacheString(c), "r1[/Meta,/c)g1 r2[/c,/h)g2 r4[/h,/m)g2 r3[/m,/Max)g1"; got != want {
		t.Errorf("after the split: %s, want %s", got, want)
	}
	// Unknown relation (no generation): the one learned last wins.
	c.insert(desc(5, "g", "n", 0))
	if got, want := cacheString(c), "r1[/Meta,/c)g1 r5[/g,/n)g0"; got != want {
		t.Errorf("after an overlap of unknown relation: %s, want %s", got, want)
	}
	// Evict removes the version named, not a newer one.
	old := desc(1, "", "c", 0)
	c.evict(&old)
	if c.len() != 2 {
		t.Errorf("evicting another version removed an entry: %s", cacheString(c))
	}
	d, _ := c.lookup(kvpb.Key("a"))
	c.evict(d)
	if got, want := cacheString(c), "r5[/g,/n)g0"; got != want {
		t.Errorf("after evict: %s, want %s", got, want)
	}
	// Cached copies do not alias the caller's.
	in := desc(6, "p", "q", 1)
	c.insert(in)
	in.StartKey[0] = 'o'
	if d, ok := c.lookup(kvpb.Key("p")); !ok || string(d.StartKey) != "p" {
		t.Errorf("the cached descriptor changed with the caller's: %v", d)
	}
}

// TestRangeCacheBounded: beyond its bound the cache drops other entries,
// never the one just inserted.
func TestRangeCacheBounded(t *testing.T) {
	c := newRangeCache(4)
	for i := 0; i < 20; i++ {
		k := fmt.Sprintf("k%02d", i)
		c.insert(desc(kvpb.RangeID(i+1), k, k+"z", 1))
		if c.len() > 4 {
			t.Fatalf("%d entries, bound 4", c.len())
		}
		if d, ok := c.lookup(kvpb.Key(k)); !ok || d.RangeID != kvpb.RangeID(i+1) {
			t.Fatalf("the entry just inserted was dropped")
		}
	}
}

// TestRangeCacheConcurrent: lookups, inserts and evictions from several
// goroutines (run with -race).
func TestRangeCacheConcurrent(t *testing.T) {
	c := newRangeCache(16)
	var wg sync.WaitGroup
	for g := 0; g < 4; g++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := 0; i < 500; i++ {
				k := fmt.Sprintf("k%02d", (i*7+g)%40)
				c.insert(desc(kvpb.RangeID(i%40+1), k, k+"z", uint64(i)))
				if d, ok := c.lookup(kvpb.Key(k)); ok && i%3 == 0 {
					c.evict(d)
				}
			}
		}()
	}
	wg.Wait()
	es := c.all()
	for i := 1; i < len(es); i++ {
		if es[i-1].EndKey.Compare(es[i].StartKey) > 0 {
			t.Fatalf("overlapping entries: %s", cacheString(c))
		}
	}
}
