package mvcc

import (
	"bytes"
	"testing"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// FuzzDecodeEngineKey feeds arbitrary bytes to the engine key decoder and
// the comparer's Split: neither panics, and a decoded key encodes back to
// the same bytes.
func FuzzDecodeEngineKey(f *testing.F) {
	f.Add(EncodeKey(kvpb.Key("/Table/52/1/7"), 0))
	f.Add(EncodeKey(kvpb.Key("k"), 42))
	f.Add([]byte{0, 9})
	f.Fuzz(func(t *testing.T, b []byte) {
		_ = engineSplit(b)
		k, ts, err := DecodeKey(b)
		if err != nil {
			return
		}
		if again := EncodeKey(k, ts); !bytes.Equal(again, b) {
			t.Fatalf("%x decoded as (%q, %d), encodes as %x", b, k, ts, again)
		}
	})
}

// FuzzDecodeRecords feeds arbitrary bytes to the decoders of the values
// the engine stores (write records, lock records, raw values): none
// panics, and a decoded record re-encodes to bytes that decode the same.
func FuzzDecodeRecords(f *testing.F) {
	f.Add([]byte{}, uint8(0))
	f.Add(encodeRawValue([]byte("v")), uint8(2))
	f.Fuzz(func(t *testing.T, b []byte, which uint8) {
		switch which % 3 {
		case 0:
			r, err := decodeWriteRecord(b)
			if err != nil {
				return
			}
			r2, err := decodeWriteRecord(r.encode())
			if err != nil || !bytes.Equal(r2.encode(), r.encode()) {
				t.Fatalf("write record %x does not round-trip: %v", b, err)
			}
		case 1:
			l, err := decodeLockRecord(b)
			if err != nil {
				return
			}
			l2, err := decodeLockRecord(l.encode())
			if err != nil || !bytes.Equal(l2.encode(), l.encode()) {
				t.Fatalf("lock record %x does not round-trip: %v", b, err)
			}
		default:
			v, err := decodeRawValue(b)
			if err != nil {
				return
			}
			v2, err := decodeRawValue(encodeRawValue(v))
			if err != nil || !bytes.Equal(v, v2) {
				t.Fatalf("raw value %x does not round-trip: %v", b, err)
			}
		}
	})
}
