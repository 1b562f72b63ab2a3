package rowenc

import (
	"bytes"
	"math"
	"math/rand"
	"sort"
	"strconv"
	"testing"
	"time"

	"github.com/cockroachdb/apd/v3"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/types"
)

// allTypes are the column types the property tests cover.
var allTypes = []*types.T{
	types.Int2, types.Int4, types.Int8, types.Float4, types.Float8,
	types.Numeric, types.MakeNumeric(10, 3), types.Text, types.MakeVarChar(4),
	types.MakeChar(4), types.BpChar, types.Bool, types.Bytea, types.Date,
	types.Timestamp, types.TimestampTZ, types.Interval, types.UUID,
	types.Time, types.MakeTime(types.TimeTZ, 3),
}

// randTyped returns a random non-NULL value of t, biased towards edge
// cases (infinities, NaN, -0, trailing zeros and spaces, extremes).
func randTyped(rng *rand.Rand, t *types.T) types.Datum {
	pick := func(n int) int { return rng.Intn(n) }
	switch t.Family {
	case types.IntFamily:
		lim := int64(1)<<(t.Width-1) - 1
		switch pick(4) {
		case 0:
			return types.DInt([]int64{-lim - 1, -1, 0, 1, lim}[pick(5)])
		default:
			if t.Width == 64 {
				return types.DInt(rng.Int63() - rng.Int63())
			}
			return types.DInt(rng.Int63n(2*lim+1) - lim)
		}
	case types.FloatFamily:
		var f float64
		switch pick(5) {
		case 0:
			f = []float64{math.Inf(1), math.Inf(-1), math.NaN(), 0, math.Copysign(0, -1), math.MaxFloat64, -math.SmallestNonzeroFloat64}[pick(7)]
		default:
			f = rng.NormFloat64() * math.Pow(10, float64(pick(20)-10))
		}
		if t.Width == 32 {
			f = float64(float32(f))
		}
		return types.DFloat(f)
	case types.DecimalFamily:
		if pick(8) == 0 {
			d := &types.DDecimal{}
			switch pick(3) {
			case 0:
				d.Form = apd.NaN
			case 1:
				d.Form = apd.Infinite
			default:
				d.Form, d.Negative = apd.Infinite, true
			}
			return d
		}
		// Few distinct digit strings and scales so equal values with
		// different scales (1.5, 1.50) meet.
		s := strconv.FormatInt(rng.Int63n(2000)-1000, 10)
		if pick(3) == 0 {
			s = strconv.FormatInt(rng.Int63()-rng.Int63(), 10)
		}
		var x apd.Decimal
		x.SetString(s)
		x.Exponent = int32(-pick(6))
		if t.HasPrecision() {
			c, err := types.Cast(types.NewDDecimal(&x), types.Numeric, nil)
			if err != nil {
				panic(err)
			}
			s := string(types.Format(c))
			if d, err := types.ParseText(t, s); err == nil {
				return d
			}
			return types.DecimalFromInt(int64(pick(100)))
		}
		return types.NewDDecimal(&x)
	case types.StringFamily, types.BytesFamily:
		b := make([]byte, pick(6))
		for i := range b {
			b[i] = []byte{0, 1, ' ', 'a', 'b', 0xff}[pick(6)]
		}
		s := string(b)
		switch {
		case t.Family == types.BytesFamily:
			return types.DBytes(s)
		case t.OID == types.OIDBpchar:
			for len(s) > 0 && s[0] == 0xff {
				s = s[1:] // keep it valid-ish; bytes are compared anyway
			}
			d, err := types.Cast(types.DString(s), t, nil)
			if err != nil {
				panic(err)
			}
			return d
		case t.Length() > 0 && len(s) > t.Length():
			s = s[:t.Length()]
		}
		return types.DString(s)
	case types.BoolFamily:
		return types.DBool(pick(2) == 0)
	case types.DateFamily:
		if pick(6) == 0 {
			return []types.DDate{types.DateNegInfinity, types.DatePosInfinity, -2451545, 2145031948}[pick(4)]
		}
		return types.DDate(rng.Int63n(200000) - 100000)
	case types.TimestampFamily, types.TimestampTZFamily:
		v := rng.Int63n(2e16) - 1e16
		if pick(6) == 0 {
			v = []int64{types.TimestampNegInfinity, types.TimestampPosInfinity, 0, -1}[pick(4)]
		}
		if t.Family == types.TimestampTZFamily {
			return types.DTimestampTZ(v)
		}
		return types.DTimestamp(v)
	case types.IntervalFamily:
		return types.DInterval{Months: int32(pick(5) - 2), Days: int32(pick(61) - 30), Micros: rng.Int63n(2*86400e6) - 86400e6}
	case types.UUIDFamily:
		// Bytes from a small alphabet (with the extremes) so equal
		// values and shared prefixes meet.
		var u types.DUUID
		for i := range u {
			u[i] = []byte{0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff}[pick(6)]
		}
		if pick(4) == 0 {
			rng.Read(u[:])
		}
		return u
	case types.TimeFamily:
		return types.DTime([]int64{0, 1, 86400e6 - 1, 86400e6, 12 * 3600e6}[pick(5)] + int64(pick(2))*rng.Int63n(86400e6))
	case types.TimeTZFamily:
		// Zones from a small set so equal UTC times with different zones
		// meet (timetz orders them by zone).
		us := int64(pick(48)) * 1800e6
		if pick(3) == 0 {
			us = rng.Int63n(86400e6 + 1)
		}
		return types.DTimeTZ{Micros: us, Zone: []int32{0, 3600, -3600, 1800, -57599, 57599}[pick(6)]}
	}
	panic("unknown family")
}

// TestKeyEncodingAllTypes checks, for every type and both directions, that
// bytes.Compare of key encodings agrees with types.Compare (NULL first
// ascending, last descending) and that decoding gives back an equal value.
func TestKeyEncodingAllTypes(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	for _, typ := range allTypes {
		for _, dir := range []catalog.Direction{catalog.Ascending, catalog.Descending} {
			type enc struct {
				d types.Datum
				k []byte
			}
			var es []enc
			for i := 0; i < 300; i++ {
				d := types.DNull
				if i%20 != 0 {
					d = randTyped(rng, typ)
				}
				k, err := EncodeKeyDatum(nil, d, dir)
				if err != nil {
					t.Fatal(err)
				}
				rest, back, err := DecodeKeyDatum(append(k, 0x42), typ, dir)
				if err != nil || len(rest) != 1 || types.Compare(back, d) != 0 {
					t.Fatalf("%s %v: round trip of %s gave %v, %v (rest %x)", typ, dir, types.String(d), back, err, rest)
				}
				es = append(es, enc{d, k})
			}
			sort.Slice(es, func(i, j int) bool { return bytes.Compare(es[i].k, es[j].k) < 0 })
			for i := 1; i < len(es); i++ {
				c := types.Compare(es[i-1].d, es[i].d)
				if dir == catalog.Descending {
					c = -c
				}
				kc := bytes.Compare(es[i-1].k, es[i].k)
				if c != kc {
					t.Fatalf("%s %v: %s vs %s: Compare %d, key order %d (%x vs %x)", typ, dir,
						types.String(es[i-1].d), types.String(es[i].d), c, kc, es[i-1].k, es[i].k)
				}
			}
		}
	}
}

// TestValueEncodingAllTypes checks that rows of every type round-trip
// exactly through key + value, including key columns whose key encoding
// loses information (numeric scale, -0, char padding, interval fields).
func TestValueEncodingAllTypes(t *testing.T) {
	seed := time.Now().UnixNano()
	t.Logf("seed %d", seed)
	rng := rand.New(rand.NewSource(seed))
	for _, typ := range allTypes {
		td := &catalog.TableDescriptor{
			ID: 104, Name: "t",
			Columns: []catalog.Column{
				{ID: 1, Name: "k", Type: typ},
				{ID: 2, Name: "v", Type: typ, Nullable: true},
			},
			NextColumnID: 3,
			PrimaryIndex: catalog.Index{ID: 1, Name: "t_pkey", ColumnIDs: []catalog.ColumnID{1}, Directions: []catalog.Direction{catalog.Ascending}},
		}
		for i := 0; i < 200; i++ {
			row := types.Datums{randTyped(rng, typ), randTyped(rng, typ)}
			if i%7 == 0 {
				row[1] = types.DNull
			}
			k, err := EncodePrimaryKey(td, row)
			if err != nil {
				t.Fatal(err)
			}
			v, err := EncodeValue(td, row)
			if err != nil {
				t.Fatal(err)
			}
			got := make(types.Datums, 2)
			if err := DecodePrimaryKey(td, k, got); err != nil {
				t.Fatal(err)
			}
			if err := DecodeValue(td, v, got); err != nil {
				t.Fatal(err)
			}
			for c := range row {
				w, g := types.FormatText(row[c], typ, nil), types.FormatText(got[c], typ, nil)
				if !bytes.Equal(w, g) || (row[c] == types.DNull) != (got[c] == types.DNull) {
					t.Fatalf("%s column %d: wrote %q, read %q", typ, c, w, g)
				}
			}
		}
	}
}

func TestDecimalKeyScaleInsensitive(t *testing.T) {
	for _, pair := range [][2]string{{"1.0", "1.00"}, {"0", "0.000"}, {"-2.50", "-2.5"}, {"100", "100.0"}} {
		a, _ := types.ParseText(types.Numeric, pair[0])
		b, _ := types.ParseText(types.Numeric, pair[1])
		ka, _ := EncodeKeyDatum(nil, a, catalog.Ascending)
		kb, _ := EncodeKeyDatum(nil, b, catalog.Ascending)
		if !bytes.Equal(ka, kb) {
			t.Errorf("%s and %s encode differently: %x vs %x", pair[0], pair[1], ka, kb)
		}
	}
}

// TestUUIDEncodings pins the persisted uuid encodings: key marker 0x24 and
// the 16 bytes (all inverted when descending), value tag 12 and the 16
// bytes; key order is the order of the canonical text.
func TestUUIDEncodings(t *testing.T) {
	u, err := types.ParseUUID("a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11")
	if err != nil {
		t.Fatal(err)
	}
	k, _ := EncodeKeyDatum(nil, u, catalog.Ascending)
	if want := append([]byte{0x24}, u[:]...); !bytes.Equal(k, want) {
		t.Fatalf("ascending key %x, want %x", k, want)
	}
	kd, _ := EncodeKeyDatum(nil, u, catalog.Descending)
	for i := range k {
		if kd[i] != ^k[i] {
			t.Fatalf("descending key %x is not the inverse of %x", kd, k)
		}
	}
	v, _ := AppendValueDatum(nil, u)
	if want := append([]byte{12}, u[:]...); !bytes.Equal(v, want) {
		t.Fatalf("value %x, want %x", v, want)
	}
	if _, _, err := DecodeValueDatum(v[:10], types.UUID); err == nil {
		t.Fatal("a truncated uuid value decoded")
	}
	if _, _, err := DecodeKeyDatum(k[:10], types.UUID, catalog.Ascending); err == nil {
		t.Fatal("a truncated uuid key decoded")
	}
	texts := []string{"00000000-0000-0000-0000-000000000000", "00000000-0000-0000-0000-000000000001",
		"7fffffff-ffff-ffff-ffff-ffffffffffff", "80000000-0000-0000-0000-000000000000", "ffffffff-ffff-ffff-ffff-ffffffffffff"}
	for i := 1; i < len(texts); i++ {
		a, _ := types.ParseUUID(texts[i-1])
		b, _ := types.ParseUUID(texts[i])
		ka, _ := EncodeKeyDatum(nil, a, catalog.Ascending)
		kb, _ := EncodeKeyDatum(nil, b, catalog.Ascending)
		if bytes.Compare(ka, kb) >= 0 {
			t.Errorf("key of %s does not sort before %s", texts[i-1], texts[i])
		}
	}
}

// TestTimeEncodings pins the persisted time and timetz encodings: key
// markers 0x25 (8 bytes, sign bit flipped) and 0x26 (UTC µs then zone,
// both sign-flipped, so equal instants order by zone as timetz_cmp does),
// value tags 13 and 14 (varints).
func TestTimeEncodings(t *testing.T) {
	k, _ := EncodeKeyDatum(nil, types.DTime(1), catalog.Ascending)
	if want := []byte{0x25, 0x80, 0, 0, 0, 0, 0, 0, 1}; !bytes.Equal(k, want) {
		t.Fatalf("time key %x, want %x", k, want)
	}
	// 12:00+00 < 11:00-01 (same instant, zone 3600 west) and 13:00+01
	// (zone -3600) sorts first.
	a := types.DTimeTZ{Micros: 12 * 3600e6, Zone: 0}
	b := types.DTimeTZ{Micros: 11 * 3600e6, Zone: 3600}
	c := types.DTimeTZ{Micros: 13 * 3600e6, Zone: -3600}
	ka, _ := EncodeKeyDatum(nil, a, catalog.Ascending)
	kb, _ := EncodeKeyDatum(nil, b, catalog.Ascending)
	kc, _ := EncodeKeyDatum(nil, c, catalog.Ascending)
	if len(ka) != 13 || !(bytes.Compare(kc, ka) < 0 && bytes.Compare(ka, kb) < 0) {
		t.Fatalf("timetz keys %x %x %x out of order", kc, ka, kb)
	}
	if types.Compare(c, a) >= 0 || types.Compare(a, b) >= 0 {
		t.Fatal("timetz compare disagrees with the key order")
	}
	for _, d := range []types.Datum{types.DTime(86400e6), b} {
		v, _ := AppendValueDatum(nil, d)
		tag := map[bool]byte{true: 13, false: 14}[d == types.DTime(86400e6)]
		if v[0] != tag {
			t.Fatalf("value tag %d, want %d", v[0], tag)
		}
		rest, got, err := DecodeValueDatum(v, d.ResolvedType())
		if err != nil || len(rest) != 0 || got != d {
			t.Fatalf("value round trip of %v: %v %v %x", d, got, err, rest)
		}
		if _, _, err := DecodeValueDatum(v[:len(v)-1], d.ResolvedType()); err == nil {
			t.Fatalf("a truncated %v value decoded", d)
		}
	}
}
