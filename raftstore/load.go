package raftstore

// Load and size facts for the placement driver (DESIGN.md §6).
//
// The driver splits a range when it grows too big or too busy and moves
// leases and replicas towards idle stores. It learns both from the range
// leaders, which see every request; this file is what a store tells it.
//
// # Load (loadTracker, RangeLoads)
//
// Store.Send records every batch that reaches a replica (after the keys
// were checked against its descriptor) on that replica's loadTracker:
//
//   - a read or a write count (a batch with any write request is a write),
//     and the bytes of the batch's request keys, on atomic counters;
//   - the first request's key, offered to a reservoir of loadSamples keys
//     (Algorithm R, under a small mutex). The reservoir is a uniform sample
//     of the batches, so its median halves the load: that is LoadSplitKey.
//
// The hot path is two atomic adds, one mutex round and, only when the
// reservoir keeps the key, a copy into a slot (which reuses the slot's
// buffer once it is big enough).
//
// Rates are windowed, and the window moves when it is read: a reader that
// finds the current window at least loadWindow old swaps the counters to
// zero and turns them into per-second rates over the window's real length,
// which it keeps as "the last window" until the next swap. The driver
// polls every few seconds, so a window is its polling interval (one
// second at least). At the same swap the reservoir forgets its history
// gradually: its count of keys seen drops to the number it holds, so a
// kept sample survives n later batches with probability
// loadSamples/(loadSamples+n) and the samples follow recent load.
//
// # Size (SizeSplitKey)
//
// SizeSplitKey walks the engine over the range's span once, summing the
// engine key and value sizes of every MVCC version, and remembers a
// bounded list of user-key boundaries (every step bytes; the step doubles
// and every other boundary is dropped when the list fills) with the bytes
// before each. The boundary nearest half the total is the split key: a
// user-key boundary, so never between two versions of a key, and for SQL
// a row boundary, since a row is one key of its primary index. The scan
// stops after sizeSplitMaxScanBytes; the key then halves what was scanned,
// which still shrinks an oversized range at each split.

import (
	"bytes"
	"math/rand/v2"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/kv/mvcc"
)

const (
	// loadWindow is the shortest window a load rate is computed over.
	loadWindow = time.Second
	// loadSamples is the size of a replica's key reservoir.
	loadSamples = 64
	// minLoadSamples is how many samples inside the range a load split
	// key needs.
	minLoadSamples = 16
	// sizeSplitMaxScanBytes bounds SizeSplitKey's scan: four times the
	// default maximum range size (DESIGN.md §6).
	sizeSplitMaxScanBytes = 256 << 20
	// sizeSplitBoundaries is how many split-key candidates SizeSplitKey
	// keeps at most: the split is within about 1/64th of the middle.
	sizeSplitBoundaries = 128
)

// RangeLoad is one replica's recent load, as its store saw it (meaningful on
// the leader, which serves every request).
type RangeLoad struct {
	RangeID kvpb.RangeID
	// Leader is true when the replica leads its range and has applied an
	// entry of its term (it serves).
	Leader bool
	// ReadsPerSec and WritesPerSec count batches per second over the
	// last window (loadWindow at least; in practice the interval between
	// two reads of the load). Before the first window ends they are 0.
	ReadsPerSec, WritesPerSec float64
	// BytesPerSec counts the bytes of request keys per second over the
	// same window.
	BytesPerSec float64
	// LoadSplitKey is a key inside the range (strictly greater than its
	// StartKey, less than its EndKey) that roughly halves the sampled load,
	// or nil when too few samples (fewer than 16) or the samples all fall
	// on one key.
	LoadSplitKey kvpb.Key
}

// loadEpoch anchors loadNow's monotonic clock.
var loadEpoch = time.Now()

// loadNow returns the monotonic time, in nanoseconds, that load windows are
// measured in; it is never 0 (0 marks a tracker that saw no batch).
func loadNow() int64 { return int64(time.Since(loadEpoch)) + 1 }

// loadTracker counts one replica's batches and samples their keys. Its zero
// value is ready to use.
type loadTracker struct {
	// reads, writes and bytes count the current window.
	reads, writes, bytes atomic.Int64
	// start is when the current window began (loadNow), 0 until the
	// first batch.
	start atomic.Int64

	mu struct {
		sync.Mutex
		// The rates of the last complete window.
		readRate, writeRate, byteRate float64
		// samples is the reservoir: at most loadSamples keys, each an
		// owned buffer.
		samples []kvpb.Key
		// seen is how many keys were offered to the reservoir (less
		// after each window swap; see the file comment).
		seen int64
	}
}

// record counts one batch: a write if write is set, else a read.
func (l *loadTracker) record(reqs []kvpb.Request, write bool) {
	if l.start.Load() == 0 {
		l.start.CompareAndSwap(0, loadNow())
	}
	if write {
		l.writes.Add(1)
	} else {
		l.reads.Add(1)
	}
	n := 0
	for _, req := range reqs {
		n += len(req.Header())
	}
	l.bytes.Add(int64(n))
	l.sample(reqs[0].Header())
}

// sample offers k to the reservoir (Algorithm R).
func (l *loadTracker) sample(k kvpb.Key) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.mu.seen++
	if len(l.mu.samples) < loadSamples {
		l.mu.samples = append(l.mu.samples, bytes.Clone(k))
		return
	}
	if j := rand.Int64N(l.mu.seen); j < loadSamples {
		l.mu.samples[j] = append(l.mu.samples[j][:0], k...)
	}
}

// load returns the rates of the last complete window as of now (a loadNow
// value), closing the current window first when it is at least loadWindow
// old, and a load split key inside desc.
func (l *loadTracker) load(now int64, desc *kvpb.RangeDescriptor) (reads, writes, bytesPerSec float64, split kvpb.Key) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if start := l.start.Load(); start != 0 && time.Duration(now-start) >= loadWindow {
		secs := time.Duration(now - start).Seconds()
		l.start.Store(now)
		l.mu.readRate = float64(l.reads.Swap(0)) / secs
		l.mu.writeRate = float64(l.writes.Swap(0)) / secs
		l.mu.byteRate = float64(l.bytes.Swap(0)) / secs
		l.mu.seen = min(l.mu.seen, int64(len(l.mu.samples)))
	}
	return l.mu.readRate, l.mu.writeRate, l.mu.byteRate, l.splitKeyLocked(desc)
}

// splitKeyLocked returns the sampled key inside desc (greater than its
// start) that best halves the samples inside desc, copied, or nil.
func (l *loadTracker) splitKeyLocked(desc *kvpb.RangeDescriptor) kvpb.Key {
	var buf [loadSamples]kvpb.Key
	ks := buf[:0]
	for _, k := range l.mu.samples {
		if desc.ContainsKey(k) {
			ks = append(ks, k)
		}
	}
	if len(ks) < minLoadSamples {
		return nil
	}
	slices.SortFunc(ks, func(a, b kvpb.Key) int { return bytes.Compare(a, b) })
	// Splitting at ks[i] puts i samples left and len-i right; only the
	// first of a run of equal keys is a boundary, and never ks[0].
	best := -1
	for i := 1; i < len(ks); i++ {
		if bytes.Equal(ks[i], ks[i-1]) {
			continue
		}
		if best < 0 || abs(2*i-len(ks)) < abs(2*best-len(ks)) {
			best = i
		}
	}
	if best < 0 {
		return nil
	}
	return bytes.Clone(ks[best])
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// RangeLoads returns the load of every initialized replica of the store
// that was not destroyed, in key order.
func (s *Store) RangeLoads() []RangeLoad {
	return s.rangeLoadsAt(loadNow())
}

func (s *Store) rangeLoadsAt(now int64) []RangeLoad {
	s.mu.RLock()
	entries := append([]routeEntry(nil), s.mu.byEnd...)
	s.mu.RUnlock()
	out := make([]RangeLoad, 0, len(entries))
	for _, e := range entries {
		if rl, ok := e.r.rangeLoad(now); ok {
			out = append(out, rl)
		}
	}
	return out
}

// RangeLoad returns the load of this store's replica of range id.
func (s *Store) RangeLoad(id kvpb.RangeID) (RangeLoad, error) {
	return s.rangeLoadAt(id, loadNow())
}

func (s *Store) rangeLoadAt(id kvpb.RangeID, now int64) (RangeLoad, error) {
	r, err := s.GetReplica(id)
	if err != nil {
		return RangeLoad{}, err
	}
	rl, ok := r.rangeLoad(now)
	if !ok {
		return RangeLoad{}, &kvpb.RangeNotFoundError{RangeID: id, StoreID: s.cfg.StoreID}
	}
	return rl, nil
}

// rangeLoad returns r's load, or false when r is uninitialized or
// destroyed.
func (r *Replica) rangeLoad(now int64) (RangeLoad, bool) {
	r.mu.Lock()
	desc, leader := r.mu.desc, r.isLeaseholderLocked()
	live := !r.mu.destroyed && len(desc.EndKey) > 0
	r.mu.Unlock()
	if !live {
		return RangeLoad{}, false
	}
	rl := RangeLoad{RangeID: r.rangeID, Leader: leader}
	rl.ReadsPerSec, rl.WritesPerSec, rl.BytesPerSec, rl.LoadSplitKey = r.load.load(now, desc)
	return rl, true
}

// SizeSplitKey returns the user key that roughly halves range id's data by
// bytes (engine key and value sizes of every MVCC version on this store),
// strictly inside (StartKey, EndKey), or nil if the range has fewer than two
// distinct user keys. The key is always a user-key boundary, never between
// two versions of one key. It also returns the bytes and user keys the scan
// saw: the range's totals, or lower bounds of them when the scan stopped at
// sizeSplitMaxScanBytes (the key then halves the part scanned).
func (s *Store) SizeSplitKey(id kvpb.RangeID) (key kvpb.Key, bytes, keys int64, err error) {
	r, err := s.GetReplica(id)
	if err != nil {
		return nil, 0, 0, err
	}
	d := r.Descriptor()
	if len(d.EndKey) == 0 {
		return nil, 0, 0, &kvpb.RangeNotFoundError{RangeID: id, StoreID: s.cfg.StoreID}
	}
	return sizeSplitKey(s.cfg.Engine, d.StartKey, d.EndKey, sizeSplitMaxScanBytes)
}

// RangeSize is what one scan of a range's data measures.
type RangeSize struct {
	// SplitKey roughly halves Bytes on a user-key boundary (nil: fewer
	// than two user keys).
	SplitKey kvpb.Key
	// Bytes and Keys count every version of every user key; LiveBytes
	// and LiveKeys only user keys whose newest version is a put (or a raw
	// value), with that version's size: what is left once the history is
	// gone, and what merges go by (deleted rows keep their versions).
	Bytes, Keys, LiveBytes, LiveKeys int64
}

// RangeSize measures range id's data in one scan of at most about
// sizeSplitMaxScanBytes.
func (s *Store) RangeSize(id kvpb.RangeID) (RangeSize, error) {
	r, err := s.GetReplica(id)
	if err != nil {
		return RangeSize{}, err
	}
	d := r.Descriptor()
	if len(d.EndKey) == 0 {
		return RangeSize{}, &kvpb.RangeNotFoundError{RangeID: id, StoreID: s.cfg.StoreID}
	}
	return rangeSize(s.cfg.Engine, d.StartKey, d.EndKey, sizeSplitMaxScanBytes)
}

// sizeSplitKey is SizeSplitKey over the user keys [start, end) of eng,
// scanning at most about maxBytes.
func sizeSplitKey(eng pebble.Reader, start, end kvpb.Key, maxBytes int64) (key kvpb.Key, total, keys int64, err error) {
	rs, err := rangeSize(eng, start, end, maxBytes)
	return rs.SplitKey, rs.Bytes, rs.Keys, err
}

// rangeSize is RangeSize over the user keys [start, end) of eng.
func rangeSize(eng pebble.Reader, start, end kvpb.Key, maxBytes int64) (rs RangeSize, err error) {
	it, err := eng.NewIter(&pebble.IterOptions{LowerBound: engineKey(start), UpperBound: engineKey(end)})
	if err != nil {
		return RangeSize{}, err
	}
	defer func() {
		if cerr := it.Close(); err == nil {
			err = cerr
		}
	}()
	// A boundary is a user key other than the first, with the bytes of
	// every key before it.
	type boundary struct {
		key    kvpb.Key
		before int64
	}
	bounds := make([]boundary, 0, sizeSplitBoundaries)
	step, next := int64(64), int64(0)
	var prev kvpb.Key
	var total, keys int64
	// seenVersion: the current user key's newest version was looked at.
	seenVersion := false
	for valid := it.First(); valid; valid = it.Next() {
		uk, ts, err := mvcc.DecodeKey(it.Key())
		if err != nil {
			return RangeSize{}, err
		}
		if keys == 0 || !bytes.Equal(uk, prev) {
			if total >= maxBytes {
				break
			}
			if keys > 0 && total >= next {
				if len(bounds) == sizeSplitBoundaries {
					for i := range len(bounds) / 2 {
						bounds[i] = bounds[2*i+1]
					}
					bounds = bounds[:len(bounds)/2]
					step *= 2
				}
				bounds = append(bounds, boundary{key: bytes.Clone(uk), before: total})
				next = total + step
			}
			keys++
			prev = append(prev[:0], uk...)
			seenVersion = false
		}
		lv := it.LazyValue()
		n := int64(len(it.Key()) + lv.Len())
		total += n
		if !seenVersion {
			v, _, err := lv.Value(nil)
			if err != nil {
				return RangeSize{}, err
			}
			version, put := mvcc.VersionKind(ts, v)
			if version {
				seenVersion = true
				if put {
					rs.LiveBytes += n
					rs.LiveKeys++
				}
			}
		}
	}
	if err := it.Error(); err != nil {
		return RangeSize{}, err
	}
	rs.Bytes, rs.Keys = total, keys
	best := -1
	for i, b := range bounds {
		if best < 0 || abs64(2*b.before-total) < abs64(2*bounds[best].before-total) {
			best = i
		}
	}
	if best >= 0 {
		rs.SplitKey = bounds[best].key
	}
	return rs, nil
}

func abs64(x int64) int64 {
	if x < 0 {
		return -x
	}
	return x
}
