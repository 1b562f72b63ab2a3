package mvcc

import (
	"bytes"
	"cmp"
	"fmt"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/rangedb/rangedb/kv/kvpb"
)

func TestEncodeDecodeKey(t *testing.T) {
	for _, tc := range []struct {
		key  kvpb.Key
		ts   kvpb.Timestamp
		want []byte
	}{
		{kvpb.Key("a"), 0, []byte("a\x00")},
		{kvpb.Key(""), 0, []byte("\x00")},
		{kvpb.Key("a"), 1, []byte("a\x00\x00\x00\x00\x00\x00\x00\x00\x01\x09")},
		{kvpb.Key("a\x00b"), 0x0102030405060708, []byte("a\x00b\x00\x01\x02\x03\x04\x05\x06\x07\x08\x09")},
		{kvpb.Key("\x09"), 0, []byte("\x09\x00")},
		{kvpb.Key(""), kvpb.MaxTimestamp, []byte("\x00\xff\xff\xff\xff\xff\xff\xff\xff\x09")},
	} {
		t.Run(fmt.Sprintf("%q@%d", tc.key, tc.ts), func(t *testing.T) {
			got := EncodeKey(tc.key, tc.ts)
			if !bytes.Equal(got, tc.want) {
				t.Fatalf("EncodeKey = %x, want %x", got, tc.want)
			}
			if n := EngineComparer.Split(got); n != len(tc.key)+1 {
				t.Fatalf("Split = %d, want %d", n, len(tc.key)+1)
			}
			k, ts, err := DecodeKey(got)
			if err != nil || !k.Equal(tc.key) || ts != tc.ts {
				t.Fatalf("DecodeKey = %q, %d, %v", k, ts, err)
			}
		})
	}
}

func TestDecodeKeyCorrupt(t *testing.T) {
	for _, b := range [][]byte{
		nil,
		[]byte("a"), // no sentinel or suffix length
		[]byte("\x01\x02\x03\x04\x05\x06\x07\x09"),          // too short for a version
		[]byte("a\x01\x00\x00\x00\x00\x00\x00\x00\x01\x09"), // no sentinel before ts
		[]byte("a\x00\x00\x00\x00\x00\x00\x00\x00\x00\x09"), // zero ts
		[]byte("a\x05"), // unknown suffix length
	} {
		if k, ts, err := DecodeKey(b); err == nil {
			t.Errorf("DecodeKey(%x) = %q, %d, want error", b, k, ts)
		}
	}
}

func TestCheckComparer(t *testing.T) {
	prefixes := [][]byte{
		EncodeKey(kvpb.Key(""), 0),
		EncodeKey(kvpb.Key("a"), 0),
		EncodeKey(kvpb.Key("a\x00"), 0),
		EncodeKey(kvpb.Key("ab"), 0),
		EncodeKey(kvpb.Key("b\x09"), 0),
		EncodeKey(kvpb.LockKey(kvpb.Key("a")), 0),
		EncodeKey(kvpb.Key{0xff, 0xff}, 0),
	}
	var suffixes [][]byte
	for _, ts := range []kvpb.Timestamp{1, 9, 0x100, kvpb.MakeTimestamp(1700000000000, 3), kvpb.MaxTimestamp} {
		k := EncodeKey(nil, ts)
		suffixes = append(suffixes, k[1:])
	}
	if err := pebble.CheckComparer(EngineComparer, prefixes, suffixes); err != nil {
		t.Fatal(err)
	}
	if EngineComparer.Name != "rangedb.EngineComparer.v1" {
		t.Fatalf("the comparer name is persisted and must not change: %q", EngineComparer.Name)
	}
}

func TestComparerMethods(t *testing.T) {
	c := EngineComparer
	p := EncodeKey(kvpb.Key("a"), 0)
	succ := c.ImmediateSuccessor(nil, p)
	if c.Split(succ) != len(succ) || c.Compare(p, succ) >= 0 {
		t.Fatalf("ImmediateSuccessor(%x) = %x", p, succ)
	}
	// Every key of user key "a" sorts before the successor prefix.
	if v := EncodeKey(kvpb.Key("a"), 1); c.Compare(v, succ) >= 0 {
		t.Fatalf("version %x sorts after successor %x", v, succ)
	}
	a, b := EncodeKey(kvpb.Key("a"), 5), EncodeKey(kvpb.Key("b"), 7)
	sep := c.Separator(nil, a, b)
	if c.Compare(a, sep) > 0 || c.Compare(sep, b) >= 0 {
		t.Fatalf("Separator(%x, %x) = %x", a, b, sep)
	}
	if s := c.Successor(nil, a); c.Compare(a, s) > 0 {
		t.Fatalf("Successor(%x) = %x", a, s)
	}
	if ab, bb := c.AbbreviatedKey(a), c.AbbreviatedKey(b); ab > bb {
		t.Fatalf("AbbreviatedKey out of order: %x > %x", ab, bb)
	}
	if got := fmt.Sprint(c.FormatKey(EncodeKey(kvpb.Key("a"), kvpb.MakeTimestamp(5, 1)))); got != "/a@5,1" {
		t.Fatalf("FormatKey = %q", got)
	}
}

// TestComparerOrderRandom checks that sorting engine keys with the comparer
// equals sorting by (user key ascending, unversioned first, ts descending),
// and that AbbreviatedKey never contradicts Compare.
func TestComparerOrderRandom(t *testing.T) {
	seed := uint64(time.Now().UnixNano())
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewPCG(seed, seed))
	type mk struct {
		k  kvpb.Key
		ts kvpb.Timestamp
	}
	for iter := 0; iter < 50; iter++ {
		var keys []mk
		for i := 0; i < 200; i++ {
			k := make(kvpb.Key, rng.IntN(4))
			for j := range k {
				k[j] = []byte{0x00, 0x01, 0x09, 'a', 0xff}[rng.IntN(5)]
			}
			var ts kvpb.Timestamp
			switch rng.IntN(3) {
			case 0:
			case 1:
				ts = kvpb.Timestamp(rng.IntN(5) + 1)
			default:
				ts = kvpb.Timestamp(rng.Uint64() | 1)
			}
			keys = append(keys, mk{k, ts})
		}
		want := slices.Clone(keys)
		slices.SortStableFunc(want, func(a, b mk) int {
			if c := bytes.Compare(a.k, b.k); c != 0 {
				return c
			}
			if (a.ts == 0) != (b.ts == 0) {
				if a.ts == 0 {
					return -1
				}
				return 1
			}
			return cmp.Compare(b.ts, a.ts)
		})
		enc := make([][]byte, len(keys))
		for i, k := range keys {
			enc[i] = EncodeKey(k.k, k.ts)
		}
		slices.SortStableFunc(enc, EngineComparer.Compare)
		for i := range enc {
			if !bytes.Equal(enc[i], EncodeKey(want[i].k, want[i].ts)) {
				t.Fatalf("position %d: comparer gives %x, want %q@%d", i, enc[i], want[i].k, want[i].ts)
			}
			if i > 0 && EngineComparer.AbbreviatedKey(enc[i-1]) > EngineComparer.AbbreviatedKey(enc[i]) {
				t.Fatalf("AbbreviatedKey contradicts Compare at %d", i)
			}
			if i > 0 && (EngineComparer.Compare(enc[i-1], enc[i]) == 0) != EngineComparer.Equal(enc[i-1], enc[i]) {
				t.Fatalf("Equal contradicts Compare at %d", i)
			}
		}
	}
}
