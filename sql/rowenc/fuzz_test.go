package rowenc

import (
	"bytes"
	"testing"

	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/types"
)

// fuzzTypes are the column types the decoders are fuzzed for.
var fuzzTypes = []*types.T{
	types.Int2, types.Int4, types.Int8, types.Float4, types.Float8, types.Numeric, types.Text, types.VarChar,
	types.BpChar, types.Bool, types.Bytea, types.Date, types.Timestamp, types.TimestampTZ, types.Interval,
	types.UUID,
}

// FuzzDecodeKeyDatum feeds arbitrary bytes to the key decoder of every
// type in both directions: it never panics, and what it decodes encodes
// back to the bytes it consumed (a key has one encoding).
func FuzzDecodeKeyDatum(f *testing.F) {
	for _, d := range []types.Datum{types.DInt(-7), types.DString("ab\x00c"), types.DFloat(1.5), types.DBool(true),
		types.DDate(3), types.DTimestampTZ(1 << 40), types.DBytes("\x00\xff"),
		types.DUUID{0: 0xa0, 6: 0x4f, 15: 0xff}} {
		for _, dir := range []catalog.Direction{catalog.Ascending, catalog.Descending} {
			b, err := EncodeKeyDatum(nil, d, dir)
			if err == nil {
				f.Add(b, uint8(0), dir == catalog.Descending)
			}
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, ti uint8, desc bool) {
		typ := fuzzTypes[int(ti)%len(fuzzTypes)]
		dir := catalog.Ascending
		if desc {
			dir = catalog.Descending
		}
		rest, d, err := DecodeKeyDatum(b, typ, dir)
		if err != nil {
			return
		}
		if len(rest) > len(b) {
			t.Fatalf("decoder returned %d bytes of %d", len(rest), len(b))
		}
		again, err := EncodeKeyDatum(nil, d, dir)
		if err != nil {
			return // a decoded value the encoder refuses (NaN of a type, say) is not a crash
		}
		rd, d2, err := DecodeKeyDatum(again, typ, dir)
		if err != nil || len(rd) != 0 {
			t.Fatalf("%v (%s) re-encoded as %x does not decode: %v", d, typ.Name, again, err)
		}
		if types.Compare(d, d2) != 0 {
			t.Fatalf("%v decoded again as %v", d, d2)
		}
	})
}

// FuzzDecodeValueDatum feeds arbitrary bytes to the value decoder of
// every type: it never panics, and a value it decodes re-encodes to bytes
// that decode to the same value.
func FuzzDecodeValueDatum(f *testing.F) {
	for _, d := range []types.Datum{types.DInt(-7), types.DString("x"), types.DFloat(2), types.DBool(false), types.DBytes("\x01"),
		types.DUUID{1: 0x80, 15: 0x01}} {
		b, err := AppendValueDatum(nil, d)
		if err == nil {
			f.Add(b, uint8(0))
		}
	}
	f.Fuzz(func(t *testing.T, b []byte, ti uint8) {
		typ := fuzzTypes[int(ti)%len(fuzzTypes)]
		_, d, err := DecodeValueDatum(b, typ)
		if err != nil || d == types.DNull {
			return
		}
		again, err := AppendValueDatum(nil, d)
		if err != nil {
			return
		}
		_, d2, err := DecodeValueDatum(again, typ)
		if err != nil {
			t.Fatalf("%v (%s) re-encoded as %x does not decode: %v", d, typ.Name, again, err)
		}
		a1, _ := AppendValueDatum(nil, d2)
		if !bytes.Equal(a1, again) {
			t.Fatalf("%v decoded again as %v", d, d2)
		}
	})
}
