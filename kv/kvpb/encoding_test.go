package kvpb

import (
	"bytes"
	"math"
	"math/rand"
	"testing"
)

func TestUvarintOrder(t *testing.T) {
	seed := int64(1)
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	vals := []uint64{0, 1, 255, 256, 1 << 32, math.MaxUint64}
	for i := 0; i < 500; i++ {
		vals = append(vals, rng.Uint64()>>uint(rng.Intn(64)))
	}
	checkOrder(t, len(vals), func(i, j int) int { return cmpU(vals[i], vals[j]) },
		func(i int) []byte { return EncodeUvarintAscending(nil, vals[i]) })
	checkOrder(t, len(vals), func(i, j int) int { return cmpU(vals[j], vals[i]) },
		func(i int) []byte { return EncodeUvarintDescending(nil, vals[i]) })
	for _, v := range vals {
		rest, got, err := DecodeUvarintAscending(EncodeUvarintAscending(nil, v))
		if err != nil || got != v || len(rest) != 0 {
			t.Fatalf("uvarint %d: got %d rest %x err %v", v, got, rest, err)
		}
		_, got, _ = DecodeUvarintDescending(EncodeUvarintDescending(nil, v))
		if got != v {
			t.Fatalf("uvarint desc %d: got %d", v, got)
		}
	}
}

func TestVarintAndFloatOrder(t *testing.T) {
	ints := []int64{math.MinInt64, -1 << 40, -256, -1, 0, 1, 255, 1 << 40, math.MaxInt64}
	checkOrder(t, len(ints), func(i, j int) int { return cmpI(ints[i], ints[j]) },
		func(i int) []byte { return EncodeVarintAscending(nil, ints[i]) })
	checkOrder(t, len(ints), func(i, j int) int { return cmpI(ints[j], ints[i]) },
		func(i int) []byte { return EncodeVarintDescending(nil, ints[i]) })
	for _, v := range ints {
		if _, got, _ := DecodeVarintAscending(EncodeVarintAscending(nil, v)); got != v {
			t.Fatalf("varint %d → %d", v, got)
		}
		if _, got, _ := DecodeVarintDescending(EncodeVarintDescending(nil, v)); got != v {
			t.Fatalf("varint desc %d → %d", v, got)
		}
	}
	floats := []float64{math.Inf(-1), -1e300, -1.5, -math.SmallestNonzeroFloat64, 0, math.SmallestNonzeroFloat64, 1.5, 1e300, math.Inf(1)}
	checkOrder(t, len(floats), func(i, j int) int { return cmpF(floats[i], floats[j]) },
		func(i int) []byte { return EncodeFloatAscending(nil, floats[i]) })
	for _, f := range floats {
		if _, got, _ := DecodeFloatAscending(EncodeFloatAscending(nil, f)); got != f {
			t.Fatalf("float %v → %v", f, got)
		}
	}
}

func TestBytesOrder(t *testing.T) {
	vals := [][]byte{nil, {0}, {0, 0}, {0, 1}, {0, 0xff}, {1}, []byte("a"), []byte("a\x00"), []byte("a\x00b"), []byte("ab"), {0xff}, {0xff, 0}}
	checkOrder(t, len(vals), func(i, j int) int { return bytes.Compare(vals[i], vals[j]) },
		func(i int) []byte { return EncodeBytesAscending(nil, vals[i]) })
	checkOrder(t, len(vals), func(i, j int) int { return bytes.Compare(vals[j], vals[i]) },
		func(i int) []byte { return EncodeBytesDescending(nil, vals[i]) })
	for _, v := range vals {
		enc := append(EncodeBytesAscending(nil, v), 'x')
		rest, got, err := DecodeBytesAscending(enc, nil)
		if err != nil || !bytes.Equal(got, v) || string(rest) != "x" {
			t.Fatalf("bytes %x: got %x rest %q err %v", v, got, rest, err)
		}
		enc = append(EncodeBytesDescending(nil, v), 'x')
		rest, got, err = DecodeBytesDescending(enc, nil)
		if err != nil || !bytes.Equal(got, v) || string(rest) != "x" {
			t.Fatalf("bytes desc %x: got %x rest %q err %v", v, got, rest, err)
		}
	}
}

func TestPrefixEnd(t *testing.T) {
	for _, tc := range []struct{ in, want []byte }{
		{[]byte{1}, []byte{2}},
		{[]byte{1, 0xff}, []byte{2}},
		{[]byte{0xff, 0xff}, nil},
		{[]byte("abc"), []byte("abd")},
	} {
		if got := PrefixEnd(tc.in); !bytes.Equal(got, tc.want) {
			t.Errorf("PrefixEnd(%x) = %x, want %x", tc.in, got, tc.want)
		}
	}
}

func TestKeyspaceOrder(t *testing.T) {
	keys := []Key{
		RaftLogKey(1, 5), RaftLogKey(1, 6), RaftHardStateKey(2), RangeDescriptorKey(MetaPrefix),
		LockKey(Key("a")), LockKey(TableKeyPrefix(100)), MetaKey(KeyMax), DescIDGeneratorKey,
		TSOKey, DescriptorKey(100), TableKeyPrefix(100), IndexKeyPrefix(100, 1), TableKeyPrefix(1000),
	}
	if !(bytes.Compare(LocalMax, MetaPrefix) <= 0 && bytes.Compare(MetaMax, SystemPrefix) <= 0 && bytes.Compare(SystemMax, TablePrefix) <= 0) {
		t.Fatal("keyspace prefixes out of order")
	}
	if bytes.Compare(RaftLogKey(1, 255), RaftLogKey(1, 256)) >= 0 {
		t.Fatal("raft log keys must sort by index")
	}
	if bytes.Compare(IndexKeyPrefix(100, 1), TableKeyPrefix(101)) >= 0 || bytes.Compare(TableKeyPrefix(255), TableKeyPrefix(256)) >= 0 {
		t.Fatal("table keys out of order")
	}
	lk, err := DecodeLockKey(LockKey(Key("abc")))
	if err != nil || string(lk) != "abc" {
		t.Fatalf("DecodeLockKey: %q %v", lk, err)
	}
	for _, k := range keys {
		if PrettyKey(k) == "" {
			t.Fatalf("PrettyKey(%x) empty", []byte(k))
		}
	}
	if got := PrettyKey(IndexKeyPrefix(104, 1)); got != "/Table/104/1" {
		t.Fatalf("PrettyKey = %s", got)
	}
}

// checkOrder asserts that sorting by cmp and sorting by the encodings agree.
func checkOrder(t *testing.T, n int, cmp func(i, j int) int, enc func(i int) []byte) {
	t.Helper()
	for i := 0; i < n; i++ {
		for j := 0; j < n; j++ {
			want := cmp(i, j)
			got := bytes.Compare(enc(i), enc(j))
			if sign(want) != sign(got) {
				t.Fatalf("order of %d vs %d: values say %d, encodings say %d", i, j, want, got)
			}
		}
	}
}

func sign(x int) int {
	switch {
	case x < 0:
		return -1
	case x > 0:
		return 1
	}
	return 0
}

func cmpU(a, b uint64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpI(a, b int64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

func cmpF(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
