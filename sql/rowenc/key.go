package rowenc

import (
	"encoding/binary"
	"fmt"
	"math"
	"math/big"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/types"
)

// Key markers. Persisted: never renumber. Within one column only the
// markers of its type occur, so their relative order matters only within
// a type (NULL is below all of them).
const (
	markerNull        byte = 0x00
	markerInt         byte = 0x12
	markerBoolFalse   byte = 0x14
	markerBoolTrue    byte = 0x15
	markerBytes       byte = 0x16
	markerFloat       byte = 0x18
	markerFloatNaN    byte = 0x19
	markerDecNegInf   byte = 0x1a
	markerDecNeg      byte = 0x1b
	markerDecZero     byte = 0x1c
	markerDecPos      byte = 0x1d
	markerDecPosInf   byte = 0x1e
	markerDecNaN      byte = 0x1f
	markerDate        byte = 0x20
	markerTimestamp   byte = 0x21
	markerTimestampTZ byte = 0x22
	markerInterval    byte = 0x23
	markerUUID        byte = 0x24
	markerTime        byte = 0x25 // 8 bytes: µs since midnight
	markerTimeTZ      byte = 0x26 // 8 bytes UTC µs, 4 bytes zone, sign bits flipped
)

// EncodeKeyDatum appends the key encoding of d in direction dir. Values
// that compare equal (types.Compare) encode to equal bytes: 1.0 and 1.00,
// -0 and 0, 'ab' and 'ab ' as char(n).
func EncodeKeyDatum(b []byte, d types.Datum, dir catalog.Direction) ([]byte, error) {
	n := len(b)
	switch v := d.(type) {
	case types.DInt:
		b = append(b, markerInt)
		b = kvpb.EncodeVarintAscending(b, int64(v))
	case types.DString:
		b = append(b, markerBytes)
		b = kvpb.EncodeBytesAscending(b, []byte(v))
	case types.DChar:
		b = append(b, markerBytes)
		b = kvpb.EncodeBytesAscending(b, []byte(strings.TrimRight(string(v), " ")))
	case types.DBytes:
		b = append(b, markerBytes)
		b = kvpb.EncodeBytesAscending(b, []byte(v))
	case types.DBool:
		if v {
			b = append(b, markerBoolTrue)
		} else {
			b = append(b, markerBoolFalse)
		}
	case types.DFloat:
		if math.IsNaN(float64(v)) {
			b = append(b, markerFloatNaN)
		} else {
			b = append(b, markerFloat)
			b = kvpb.EncodeFloatAscending(b, float64(v))
		}
	case *types.DDecimal:
		b = encodeDecimalKey(b, &v.Decimal)
	case types.DDate:
		b = append(b, markerDate)
		b = kvpb.EncodeVarintAscending(b, int64(v))
	case types.DTimestamp:
		b = append(b, markerTimestamp)
		b = kvpb.EncodeVarintAscending(b, int64(v))
	case types.DTimestampTZ:
		b = append(b, markerTimestampTZ)
		b = kvpb.EncodeVarintAscending(b, int64(v))
	case types.DInterval:
		hi, lo := v.Span128()
		b = append(b, markerInterval)
		b = binary.BigEndian.AppendUint64(b, uint64(hi)^(1<<63))
		b = binary.BigEndian.AppendUint64(b, lo)
	case types.DUUID:
		b = append(b, markerUUID)
		b = append(b, v[:]...)
	case types.DTime:
		b = append(b, markerTime)
		b = binary.BigEndian.AppendUint64(b, uint64(v)^(1<<63))
	case types.DTimeTZ:
		// timetz_cmp's order: the UTC time of day, then the zone.
		utc, zone := types.TimeTZKey(v)
		b = append(b, markerTimeTZ)
		b = binary.BigEndian.AppendUint64(b, uint64(utc)^(1<<63))
		b = binary.BigEndian.AppendUint32(b, uint32(zone)^(1<<31))
	default:
		if d != types.DNull {
			return nil, fmt.Errorf("rowenc: cannot key-encode %T", d)
		}
		b = append(b, markerNull)
	}
	if dir == catalog.Descending {
		for i := n; i < len(b); i++ {
			b[i] = ^b[i]
		}
	}
	return b, nil
}

// encodeDecimalKey encodes a numeric so that bytes order as values do and
// equal values (whatever their scale) encode alike:
//
//	-Infinity  0x1a
//	negative   0x1b ‖ ^exponent ‖ ^digits ‖ 0xff
//	zero       0x1c
//	positive   0x1d ‖ exponent ‖ digits ‖ 0x00
//	+Infinity  0x1e
//	NaN        0x1f                       (after every number, as in PostgreSQL)
//
// With the value written 0.d₁d₂…dₙ × 10^exponent (d₁ ≠ 0, dₙ ≠ 0: trailing
// zeros dropped), exponent is a big-endian int32 with its sign bit
// flipped, and digits are packed two per byte as 1 + 10·dᵢ + dᵢ₊₁ (1..100;
// an odd last digit is paired with 0), so the terminator 0x00 sorts a
// shorter digit string (a smaller magnitude) first. A negative number
// inverts exponent, digits and terminator, reversing the magnitude order.
func encodeDecimalKey(b []byte, d *apd.Decimal) []byte {
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		return append(b, markerDecNaN)
	case apd.Infinite:
		if d.Negative {
			return append(b, markerDecNegInf)
		}
		return append(b, markerDecPosInf)
	}
	digits := d.Coeff.Text(10)
	if digits == "0" {
		return append(b, markerDecZero)
	}
	trimmed := strings.TrimRight(digits, "0")
	exp := int64(d.Exponent) + int64(len(digits))
	var mask byte
	if d.Negative {
		b = append(b, markerDecNeg)
		mask = 0xff
	} else {
		b = append(b, markerDecPos)
	}
	e := uint32(int32(exp)) ^ (1 << 31)
	var eb [4]byte
	binary.BigEndian.PutUint32(eb[:], e)
	for _, c := range eb {
		b = append(b, c^mask)
	}
	for i := 0; i < len(trimmed); i += 2 {
		v := (trimmed[i] - '0') * 10
		if i+1 < len(trimmed) {
			v += trimmed[i+1] - '0'
		}
		b = append(b, (v+1)^mask)
	}
	return append(b, mask)
}

// Bounds on a stored numeric's decimal exponent, far beyond what
// sql/types accepts (PostgreSQL's numeric holds 131,072 digits before the
// point and 16,383 after it): an encoding outside them is corrupt, and
// decoding it would take unbounded time and memory.
const (
	maxNumericWeight = 1 << 18
	maxNumericScale  = 1 << 20
)

// decodeDecimalKey decodes the payload after marker m (already
// un-inverted); inv is 0xff for a descending column.
func decodeDecimalKey(b []byte, m byte, inv byte) ([]byte, *types.DDecimal, error) {
	r := &types.DDecimal{}
	switch m {
	case markerDecNaN:
		r.Form = apd.NaN
		return b, r, nil
	case markerDecNegInf, markerDecPosInf:
		r.Form = apd.Infinite
		r.Negative = m == markerDecNegInf
		return b, r, nil
	case markerDecZero:
		return b, r, nil
	}
	mask := inv
	if m == markerDecNeg {
		mask ^= 0xff
	}
	if len(b) < 5 {
		return nil, nil, kvpb.ErrCorruptKey
	}
	var eb [4]byte
	for i := range eb {
		eb[i] = b[i] ^ mask
	}
	exp := int64(int32(binary.BigEndian.Uint32(eb[:]) ^ (1 << 31)))
	// See maxNumericWeight: scaling by 10^exp must stay bounded.
	if exp > maxNumericWeight || exp < -maxNumericScale {
		return nil, nil, kvpb.ErrCorruptKey
	}
	b = b[4:]
	var sb strings.Builder
	for {
		if len(b) == 0 {
			return nil, nil, kvpb.ErrCorruptKey
		}
		c := b[0] ^ mask
		b = b[1:]
		if c == 0 {
			break
		}
		if c > 100 {
			return nil, nil, kvpb.ErrCorruptKey
		}
		v := c - 1
		sb.WriteByte('0' + v/10)
		sb.WriteByte('0' + v%10)
	}
	digits := strings.TrimRight(sb.String(), "0")
	if digits == "" {
		return nil, nil, kvpb.ErrCorruptKey
	}
	c, _ := new(big.Int).SetString(digits, 10)
	r.Coeff.SetMathBigInt(c)
	r.Exponent = int32(exp - int64(len(digits)))
	r.Negative = m == markerDecNeg
	if r.Exponent > 0 {
		// Keep PostgreSQL's non-negative display scale.
		c.Mul(c, new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(r.Exponent)), nil))
		r.Coeff.SetMathBigInt(c)
		r.Exponent = 0
	}
	return b, r, nil
}

// DecodeKeyDatum decodes one key column of type t in direction dir and
// returns the remaining bytes. A char(n) comes back padded to n; a
// numeric comes back without trailing fraction zeros (or with numeric(p,s)'s
// scale s); EncodeValue stores the exact value of such columns beside the
// key when the key loses it.
func DecodeKeyDatum(b []byte, t *types.T, dir catalog.Direction) ([]byte, types.Datum, error) {
	if len(b) == 0 {
		return nil, nil, kvpb.ErrCorruptKey
	}
	desc := dir == catalog.Descending
	var inv byte
	if desc {
		inv = 0xff
	}
	m := b[0] ^ inv
	b = b[1:]
	fixed := func(n int) ([]byte, error) {
		if len(b) < n {
			return nil, kvpb.ErrCorruptKey
		}
		out := make([]byte, n)
		for i := range out {
			out[i] = b[i] ^ inv
		}
		b = b[n:]
		return out, nil
	}
	switch m {
	case markerNull:
		return b, types.DNull, nil
	case markerInt, markerDate, markerTimestamp, markerTimestampTZ:
		var v int64
		var err error
		if desc {
			b, v, err = kvpb.DecodeVarintDescending(b)
		} else {
			b, v, err = kvpb.DecodeVarintAscending(b)
		}
		if err != nil {
			return nil, nil, err
		}
		switch m {
		case markerDate:
			return b, types.DDate(v), nil
		case markerTimestamp:
			return b, types.DTimestamp(v), nil
		case markerTimestampTZ:
			return b, types.DTimestampTZ(v), nil
		}
		return b, types.DInt(v), nil
	case markerBoolFalse:
		return b, types.DBool(false), nil
	case markerBoolTrue:
		return b, types.DBool(true), nil
	case markerBytes:
		var s []byte
		var err error
		if desc {
			b, s, err = kvpb.DecodeBytesDescending(b, nil)
		} else {
			b, s, err = kvpb.DecodeBytesAscending(b, nil)
		}
		if err != nil {
			return nil, nil, err
		}
		switch {
		case t.Family == types.BytesFamily:
			return b, types.DBytes(s), nil
		case t.OID == types.OIDBpchar:
			return b, types.StringDatum(string(s), t), nil
		}
		return b, types.DString(s), nil
	case markerFloatNaN:
		return b, types.DFloat(math.NaN()), nil
	case markerFloat:
		p, err := fixed(8)
		if err != nil {
			return nil, nil, err
		}
		_, f, err := kvpb.DecodeFloatAscending(p)
		return b, types.DFloat(f), err
	case markerDecNegInf, markerDecNeg, markerDecZero, markerDecPos, markerDecPosInf, markerDecNaN:
		rest, d, err := decodeDecimalKey(b, m, inv)
		if err != nil {
			return nil, nil, err
		}
		if t.Family == types.DecimalFamily && t.HasPrecision() && d.Form == apd.Finite && d.Exponent > int32(-t.Scale()) && t.Scale() > 0 {
			c, err := types.Cast(d, t, nil)
			if err == nil {
				return rest, c, nil
			}
		}
		return rest, d, nil
	case markerInterval:
		p, err := fixed(16)
		if err != nil {
			return nil, nil, err
		}
		hi := int64(binary.BigEndian.Uint64(p) ^ (1 << 63))
		lo := binary.BigEndian.Uint64(p[8:])
		return b, intervalFromSpan(hi, lo), nil
	case markerUUID:
		p, err := fixed(16)
		if err != nil {
			return nil, nil, err
		}
		return b, types.DUUID(p), nil
	case markerTime:
		p, err := fixed(8)
		if err != nil {
			return nil, nil, err
		}
		return b, types.DTime(binary.BigEndian.Uint64(p) ^ (1 << 63)), nil
	case markerTimeTZ:
		p, err := fixed(12)
		if err != nil {
			return nil, nil, err
		}
		utc := int64(binary.BigEndian.Uint64(p) ^ (1 << 63))
		zone := int32(binary.BigEndian.Uint32(p[8:]) ^ (1 << 31))
		return b, types.DTimeTZ{Micros: utc - int64(zone)*1_000_000, Zone: zone}, nil
	}
	return nil, nil, fmt.Errorf("rowenc: unknown key marker 0x%02x for type %s", m, t)
}

// intervalFromSpan rebuilds an interval equal (by comparison) to one whose
// Span128 is (hi, lo): whole days as 30-day months and days, the rest as
// µs.
func intervalFromSpan(hi int64, lo uint64) types.DInterval {
	v := new(big.Int).SetInt64(hi)
	v.Lsh(v, 64)
	v.Add(v, new(big.Int).SetUint64(lo))
	const usecsPerDay = 86_400_000_000
	days, micros := new(big.Int).DivMod(v, big.NewInt(usecsPerDay), new(big.Int))
	d := days.Int64()
	return types.DInterval{Months: int32(d / 30), Days: int32(d % 30), Micros: micros.Int64()}
}

// IndexPrefix returns the prefix of every key of the table's index.
func IndexPrefix(t *catalog.TableDescriptor, idx *catalog.Index) kvpb.Key {
	return kvpb.IndexKeyPrefix(t.ID, uint64(idx.ID))
}

// EncodeIndexKey appends the encoding of vals, the first len(vals) key
// columns of idx, to prefix (vals may be a prefix of the key columns).
func EncodeIndexKey(prefix kvpb.Key, idx *catalog.Index, vals []types.Datum) (kvpb.Key, error) {
	k := append(kvpb.Key(nil), prefix...)
	for i, v := range vals {
		var err error
		k, err = EncodeKeyDatum(k, v, idx.Directions[i])
		if err != nil {
			return nil, err
		}
	}
	return k, nil
}

// EncodePrimaryKey returns the primary key of row.
func EncodePrimaryKey(t *catalog.TableDescriptor, row types.Datums) (kvpb.Key, error) {
	idx := &t.PrimaryIndex
	vals := make([]types.Datum, len(idx.ColumnIDs))
	for i, id := range idx.ColumnIDs {
		vals[i] = row[t.ColumnOrdinal(id)]
	}
	return EncodeIndexKey(IndexPrefix(t, idx), idx, vals)
}

// DecodePrimaryKey fills row's key columns from a primary key. Call it
// before DecodeValue, which overwrites key columns whose exact value the
// key could not hold.
func DecodePrimaryKey(t *catalog.TableDescriptor, key kvpb.Key, row types.Datums) error {
	idx := &t.PrimaryIndex
	prefix := IndexPrefix(t, idx)
	if len(key) < len(prefix) || string(key[:len(prefix)]) != string(prefix) {
		return fmt.Errorf("rowenc: key %s is not in table %d's primary index", key, t.ID)
	}
	b := []byte(key[len(prefix):])
	for i, id := range idx.ColumnIDs {
		ord := t.ColumnOrdinal(id)
		var d types.Datum
		var err error
		b, d, err = DecodeKeyDatum(b, t.Columns[ord].Type, idx.Directions[i])
		if err != nil {
			return fmt.Errorf("rowenc: key %s: %w", key, err)
		}
		row[ord] = d
	}
	if len(b) != 0 {
		return fmt.Errorf("rowenc: key %s has %d trailing bytes", key, len(b))
	}
	return nil
}
