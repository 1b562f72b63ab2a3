package raftstore

import (
	"bytes"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// loadStore starts one store with range 1 split at /Table/100: range 2 holds
// the table keys (tableKey) and nothing else.
func loadStore(t *testing.T) (*Store, *kvpb.RangeDescriptor) {
	t.Helper()
	ts := newTestStores(t, 1)
	s := ts.store(0)
	sp := split(t, s, kvpb.TableKeyPrefix(100), 2)
	waitLeader(t, s, 2)
	return s, &sp.Right
}

// commitVersion writes a committed version of k at commitTs (two phases).
func commitVersion(t *testing.T, s *Store, k kvpb.Key, v []byte, commitTs kvpb.Timestamp) {
	t.Helper()
	startTs := commitTs - 1
	send(t, s, &kvpb.PrewriteRequest{Primary: k, StartTs: startTs, LockTTL: 3000,
		Mutations: []kvpb.Mutation{{Op: kvpb.OpPut, Key: k, Value: v}}})
	send(t, s, &kvpb.CommitRequest{StartTs: startTs, CommitTs: commitTs, Keys: []kvpb.Key{k}})
}

func rowKey(i int) kvpb.Key { return tableKey(fmt.Sprintf("k%04d", i)) }

// strictlyInside reports whether k lies in (d.StartKey, d.EndKey).
func strictlyInside(d *kvpb.RangeDescriptor, k kvpb.Key) bool {
	return bytes.Compare(k, d.StartKey) > 0 && bytes.Compare(k, d.EndKey) < 0
}

// TestSizeSplitKeyMiddle writes equal rows: the split key is a row near the
// middle, and the totals count every row.
func TestSizeSplitKeyMiddle(t *testing.T) {
	s, d := loadStore(t)
	const n = 200
	for i := range n {
		commitVersion(t, s, rowKey(i), bytes.Repeat([]byte{'v'}, 100), kvpb.Timestamp(10+2*i))
	}
	k, size, keys, err := s.SizeSplitKey(2)
	if err != nil {
		t.Fatal(err)
	}
	if keys != n || size < n*100 {
		t.Fatalf("SizeSplitKey saw %d keys, %d bytes; want %d keys, >= %d bytes", keys, size, n, n*100)
	}
	if !strictlyInside(d, k) || bytes.Compare(k, rowKey(n/2-5)) < 0 || bytes.Compare(k, rowKey(n/2+5)) > 0 {
		t.Fatalf("split key %s, want a row within 5 of %s", k, rowKey(n/2))
	}
}

// TestSizeSplitKeyVersions: however the versions of a key weigh, the split
// falls on a user-key boundary, and a range of one key (any number of
// versions) or none has no split key.
func TestSizeSplitKeyVersions(t *testing.T) {
	s, d := loadStore(t)
	if k, _, keys, err := s.SizeSplitKey(2); err != nil || k != nil || keys != 0 {
		t.Fatalf("empty range: %s, %d keys, %v", k, keys, err)
	}
	ts := kvpb.Timestamp(10)
	next := func() kvpb.Timestamp { ts += 2; return ts }
	// One key with many versions: nothing to split.
	for range 40 {
		commitVersion(t, s, tableKey("b"), bytes.Repeat([]byte{'b'}, 50), next())
	}
	if k, _, keys, err := s.SizeSplitKey(2); err != nil || k != nil || keys != 1 {
		t.Fatalf("one key: %s, %d keys, %v", k, keys, err)
	}
	// a, then b's 40 versions, then c: the middle is inside b's versions,
	// and the split is at b or at c, never between two of b's versions.
	commitVersion(t, s, tableKey("a"), []byte("a"), next())
	commitVersion(t, s, tableKey("c"), []byte("c"), next())
	k, _, keys, err := s.SizeSplitKey(2)
	if err != nil || keys != 3 {
		t.Fatalf("SizeSplitKey: %d keys, %v", keys, err)
	}
	if !k.Equal(tableKey("b")) && !k.Equal(tableKey("c")) || !strictlyInside(d, k) {
		t.Fatalf("split key %s, want b or c", k)
	}
}

// TestSizeSplitKeyBounded checks the boundary thinning on many keys and the
// scan limit.
func TestSizeSplitKeyBounded(t *testing.T) {
	eng := openTestEngine(t, "", vfs.NewMem())
	defer func() { _ = eng.Close() }()
	const n = 5000
	b := eng.NewBatch()
	for i := range n {
		if err := b.Set(engineKey(rowKey(i)), []byte("0123456789"), nil); err != nil {
			t.Fatal(err)
		}
	}
	if err := b.Commit(nil); err != nil {
		t.Fatal(err)
	}
	start, end := kvpb.TableKeyPrefix(100), kvpb.TableKeyPrefix(101)
	k, size, keys, err := sizeSplitKey(eng, start, end, 1<<40)
	if err != nil || keys != n {
		t.Fatalf("saw %d keys, %v", keys, err)
	}
	if bytes.Compare(k, rowKey(n/2-n/50)) < 0 || bytes.Compare(k, rowKey(n/2+n/50)) > 0 {
		t.Fatalf("split key %s, want within 2%% of %s", k, rowKey(n/2))
	}
	// Stopped after a fifth of the bytes: the key halves that fifth.
	k, part, keys, err := sizeSplitKey(eng, start, end, size/5)
	if err != nil || keys >= n/4 || part < size/5 {
		t.Fatalf("limited scan saw %d keys, %d of %d bytes, %v", keys, part, size, err)
	}
	if bytes.Compare(k, rowKey(n/10-n/50)) < 0 || bytes.Compare(k, rowKey(n/10+n/50)) > 0 {
		t.Fatalf("limited split key %s, want near %s", k, rowKey(n/10))
	}
}

// TestLoadRangeLoads writes every row, then reads the upper half: reads and
// writes are counted apart once a window closed, and the load split key lies
// in the upper half.
func TestLoadRangeLoads(t *testing.T) {
	s, d := loadStore(t)
	before := loadNow()
	const rows, reads = 100, 300
	for i := range rows {
		send(t, s, &kvpb.RawPutRequest{Key: rowKey(i), Value: []byte("v")})
	}
	for range reads {
		send(t, s, &kvpb.RawGetRequest{Key: rowKey(rows/2 + rand.IntN(rows/2))})
	}
	// Within the first window there is no rate yet.
	if rl, err := s.rangeLoadAt(2, before); err != nil || rl.ReadsPerSec != 0 || !rl.Leader {
		t.Fatalf("RangeLoad in the first window: %+v, %v", rl, err)
	}
	now := loadNow() + int64(2*time.Second)
	secs := time.Duration(now - before).Seconds()
	rl, err := s.rangeLoadAt(2, now)
	if err != nil {
		t.Fatal(err)
	}
	if rl.RangeID != 2 || !rl.Leader || rl.ReadsPerSec < reads/secs || rl.WritesPerSec < rows/secs ||
		rl.WritesPerSec > 2*rows/secs || rl.BytesPerSec <= 0 {
		t.Fatalf("after %d writes and %d reads over %.1fs: %+v", rows, reads, secs, rl)
	}
	if !strictlyInside(d, rl.LoadSplitKey) || bytes.Compare(rl.LoadSplitKey, rowKey(rows/2)) < 0 {
		t.Fatalf("load split key %s, want one in the upper half (>= %s)", rl.LoadSplitKey, rowKey(rows/2))
	}
	// The last window's rates hold until the next window closes, then
	// drop to zero without traffic.
	if again, _ := s.rangeLoadAt(2, now+int64(loadWindow/2)); again.ReadsPerSec != rl.ReadsPerSec {
		t.Fatalf("rates changed within a window: %+v then %+v", rl, again)
	}
	if idle, _ := s.rangeLoadAt(2, now+int64(2*loadWindow)); idle.ReadsPerSec != 0 || idle.WritesPerSec != 0 {
		t.Fatalf("idle window: %+v", idle)
	}
	all := s.rangeLoadsAt(now + int64(3*loadWindow))
	if len(all) != 2 || all[0].RangeID != 1 || all[1].RangeID != 2 {
		t.Fatalf("RangeLoads = %+v, want ranges 1 and 2", all)
	}
	if _, err := s.RangeLoad(9); err == nil {
		t.Fatal("RangeLoad of an unknown range succeeded")
	}
}

// TestLoadSplitKeySamples: too few samples, or samples on one key, give no
// load split key; the split never lands on the range's start.
func TestLoadSplitKeySamples(t *testing.T) {
	d := &kvpb.RangeDescriptor{StartKey: tableKey("a"), EndKey: tableKey("z")}
	get := func(k kvpb.Key) []kvpb.Request { return []kvpb.Request{&kvpb.GetRequest{Key: k}} }
	var few loadTracker
	for i := range minLoadSamples - 1 {
		few.record(get(tableKey(fmt.Sprint("b", i))), false)
	}
	if _, _, _, k := few.load(loadNow(), d); k != nil {
		t.Fatalf("%d samples gave split key %s", minLoadSamples-1, k)
	}
	var one loadTracker
	for range 100 {
		one.record(get(tableKey("m")), false)
	}
	if _, _, _, k := one.load(loadNow(), d); k != nil {
		t.Fatalf("samples on one key gave split key %s", k)
	}
	// Most load on the start key: the split is just past it.
	var atStart loadTracker
	for i := range 100 {
		k := d.StartKey
		if i%10 == 0 {
			k = tableKey("q")
		}
		atStart.record(get(k), false)
	}
	if _, _, _, k := atStart.load(loadNow(), d); !k.Equal(tableKey("q")) {
		t.Fatalf("split key %s, want q", k)
	}
	// Samples outside the (shrunk) descriptor are ignored.
	narrow := &kvpb.RangeDescriptor{StartKey: tableKey("a"), EndKey: tableKey("m")}
	if _, _, _, k := atStart.load(loadNow(), narrow); k != nil {
		t.Fatalf("split key %s outside the range", k)
	}
}

// TestLoadRecordAllocs: once the reservoir is full of keys of one length,
// recording a batch allocates nothing.
func TestLoadRecordAllocs(t *testing.T) {
	var l loadTracker
	reqs := []kvpb.Request{&kvpb.GetRequest{Key: tableKey("k0001")}}
	for range loadSamples {
		l.record(reqs, false)
	}
	if n := testing.AllocsPerRun(1000, func() { l.record(reqs, false) }); n != 0 {
		t.Fatalf("record allocates %.2f times per batch", n)
	}
}

// TestLoadConcurrent records and reads from several goroutines (run with
// -race).
func TestLoadConcurrent(t *testing.T) {
	var l loadTracker
	d := &kvpb.RangeDescriptor{StartKey: tableKey(""), EndKey: tableKey("~")}
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 2000 {
				l.record([]kvpb.Request{&kvpb.RawPutRequest{Key: rowKey(g*2000 + i)}}, i%2 == 0)
			}
		})
	}
	wg.Go(func() {
		for i := range 200 {
			l.load(loadNow()+int64(i)*int64(loadWindow), d)
		}
	})
	wg.Wait()
	l.mu.Lock()
	defer l.mu.Unlock()
	if len(l.mu.samples) != loadSamples {
		t.Fatalf("reservoir holds %d keys", len(l.mu.samples))
	}
}

// TestRangeSizeLiveBytes: deleted rows keep their versions (Bytes) but
// leave LiveBytes, which merges go by.
func TestRangeSizeLiveBytes(t *testing.T) {
	s, _ := loadStore(t)
	const n = 50
	for i := range n {
		commitVersion(t, s, rowKey(i), bytes.Repeat([]byte{'v'}, 100), kvpb.Timestamp(10+2*i))
	}
	before, err := s.RangeSize(2)
	if err != nil {
		t.Fatal(err)
	}
	if before.LiveKeys != n || before.Keys != n || before.LiveBytes != before.Bytes {
		t.Fatalf("before deletes: %+v", before)
	}
	ts := kvpb.Timestamp(1000)
	for i := range n - 10 {
		k := rowKey(i)
		send(t, s, &kvpb.PrewriteRequest{Primary: k, StartTs: ts, LockTTL: 3000, Mutations: []kvpb.Mutation{{Op: kvpb.OpDelete, Key: k}}})
		send(t, s, &kvpb.CommitRequest{StartTs: ts, CommitTs: ts + 1, Keys: []kvpb.Key{k}})
		ts += 2
	}
	after, err := s.RangeSize(2)
	if err != nil {
		t.Fatal(err)
	}
	if after.LiveKeys != 10 || after.Keys != n || after.Bytes <= before.Bytes || after.LiveBytes*4 > before.LiveBytes {
		t.Fatalf("after deleting %d of %d rows: %+v (before %+v)", n-10, n, after, before)
	}
}
