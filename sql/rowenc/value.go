package rowenc

import (
	"bytes"
	"encoding/binary"
	"fmt"
	"math"
	"math/big"

	"github.com/cockroachdb/apd/v3"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/types"
)

// valueFormatV1 is the first byte of every row value.
const valueFormatV1 byte = 1

// Value tags. Persisted: never renumber.
const (
	tagInt         byte = 1 // zig-zag varint
	tagBytes       byte = 2 // uvarint length ‖ bytes (text, varchar, char, bytea)
	tagFalse       byte = 3
	tagTrue        byte = 4
	tagFloat       byte = 5  // 8 bytes, IEEE 754 big-endian
	tagDecimal     byte = 6  // form byte ‖ varint exponent ‖ uvarint len ‖ coefficient big-endian
	tagDate        byte = 7  // varint days since 2000-01-01
	tagTimestamp   byte = 8  // varint µs since 2000-01-01
	tagTimestampTZ byte = 9  // varint µs since 2000-01-01 UTC
	tagInterval    byte = 10 // varint months ‖ varint days ‖ varint µs
	// tagNull is an explicit NULL, written only for a column with a
	// missing value (catalog.Column.Missing), where an absent column
	// would read that value.
	tagNull byte = 11
	tagUUID byte = 12 // 16 bytes
	// tagTime is a time: varint µs since midnight.
	tagTime byte = 13
	// tagTimeTZ is a timetz: varint µs, varint zone (seconds west).
	tagTimeTZ byte = 14
)

// Decimal form bytes of tagDecimal.
const (
	decFinite byte = iota
	decFiniteNeg
	decNaN
	decPosInf
	decNegInf
)

// EncodeValue returns the value of row: its non-key, non-NULL columns
// (and NULL, as tagNull, in columns with a missing value), plus the key columns whose key encoding loses part of the value
// (numeric scale, float -0, char trailing spaces beyond the column's
// padding, an interval's months/days split) so DecodeValue can restore
// them exactly.
func EncodeValue(t *catalog.TableDescriptor, row types.Datums) ([]byte, error) {
	b := []byte{valueFormatV1}
	for i := range t.Columns {
		d := row[i]
		if d == types.DNull {
			if t.Columns[i].Missing != nil {
				b = binary.AppendUvarint(b, uint64(t.Columns[i].ID))
				b = append(b, tagNull)
			}
			continue
		}
		if t.IsKeyColumn(i) {
			lossy, err := keyLossy(d, t.Columns[i].Type)
			if err != nil {
				return nil, err
			}
			if !lossy {
				continue
			}
		}
		b = binary.AppendUvarint(b, uint64(t.Columns[i].ID))
		var err error
		if b, err = AppendValueDatum(b, d); err != nil {
			return nil, err
		}
	}
	return b, nil
}

// keyLossy reports whether decoding d's key encoding as type t gives back
// something other than d.
func keyLossy(d types.Datum, t *types.T) (bool, error) {
	switch d.(type) {
	case *types.DDecimal, types.DFloat, types.DChar, types.DInterval:
	default:
		return false, nil
	}
	k, err := EncodeKeyDatum(nil, d, catalog.Ascending)
	if err != nil {
		return false, err
	}
	_, back, err := DecodeKeyDatum(k, t, catalog.Ascending)
	if err != nil {
		return false, err
	}
	v1, err := AppendValueDatum(nil, d)
	if err != nil {
		return false, err
	}
	v2, err := AppendValueDatum(nil, back)
	if err != nil {
		return false, err
	}
	return !bytes.Equal(v1, v2), nil
}

// AppendValueDatum appends the tagged value encoding of a non-NULL d.
func AppendValueDatum(b []byte, d types.Datum) ([]byte, error) {
	switch v := d.(type) {
	case types.DInt:
		b = append(b, tagInt)
		b = binary.AppendVarint(b, int64(v))
	case types.DString:
		b = appendBytesValue(b, string(v))
	case types.DChar:
		b = appendBytesValue(b, string(v))
	case types.DBytes:
		b = appendBytesValue(b, string(v))
	case types.DBool:
		if v {
			b = append(b, tagTrue)
		} else {
			b = append(b, tagFalse)
		}
	case types.DFloat:
		b = append(b, tagFloat)
		b = binary.BigEndian.AppendUint64(b, math.Float64bits(float64(v)))
	case *types.DDecimal:
		b = append(b, tagDecimal)
		switch {
		case v.Form == apd.NaN || v.Form == apd.NaNSignaling:
			b = append(b, decNaN)
		case v.Form == apd.Infinite && v.Negative:
			b = append(b, decNegInf)
		case v.Form == apd.Infinite:
			b = append(b, decPosInf)
		default:
			if v.Negative {
				b = append(b, decFiniteNeg)
			} else {
				b = append(b, decFinite)
			}
			b = binary.AppendVarint(b, int64(v.Exponent))
			c := v.Coeff.MathBigInt().Bytes()
			b = binary.AppendUvarint(b, uint64(len(c)))
			b = append(b, c...)
		}
	case types.DDate:
		b = append(b, tagDate)
		b = binary.AppendVarint(b, int64(v))
	case types.DTimestamp:
		b = append(b, tagTimestamp)
		b = binary.AppendVarint(b, int64(v))
	case types.DTimestampTZ:
		b = append(b, tagTimestampTZ)
		b = binary.AppendVarint(b, int64(v))
	case types.DInterval:
		b = append(b, tagInterval)
		b = binary.AppendVarint(b, int64(v.Months))
		b = binary.AppendVarint(b, int64(v.Days))
		b = binary.AppendVarint(b, v.Micros)
	case types.DUUID:
		b = append(b, tagUUID)
		b = append(b, v[:]...)
	case types.DTime:
		b = append(b, tagTime)
		b = binary.AppendVarint(b, int64(v))
	case types.DTimeTZ:
		b = append(b, tagTimeTZ)
		b = binary.AppendVarint(b, v.Micros)
		b = binary.AppendVarint(b, int64(v.Zone))
	case types.DJSON:
		b = appendBytesValue(b, string(v)) // decoded by the column's type
	case types.DJSONB:
		b = appendBytesValue(b, v.String())
	default:
		return nil, fmt.Errorf("rowenc: cannot value-encode %T", d)
	}
	return b, nil
}

func appendBytesValue(b []byte, s string) []byte {
	b = append(b, tagBytes)
	b = binary.AppendUvarint(b, uint64(len(s)))
	return append(b, s...)
}

// DecodeValue fills row's non-key columns from a value; columns absent
// from it are NULL, or their missing value (catalog.Column.Missing). Key columns present in the value (see EncodeValue)
// overwrite what DecodePrimaryKey decoded.
func DecodeValue(t *catalog.TableDescriptor, value []byte, row types.Datums) error {
	if len(value) == 0 || value[0] != valueFormatV1 {
		return fmt.Errorf("rowenc: unknown row value format")
	}
	for i := range t.Columns {
		if t.IsKeyColumn(i) {
			continue
		}
		row[i] = types.DNull
		if m := t.Columns[i].Missing; m != nil {
			_, d, err := DecodeValueDatum(m, t.Columns[i].Type)
			if err != nil {
				return fmt.Errorf("rowenc: column %q's missing value: %w", t.Columns[i].Name, err)
			}
			row[i] = d
		}
	}
	b := value[1:]
	for len(b) > 0 {
		id, n := binary.Uvarint(b)
		if n <= 0 {
			return errCorruptValue
		}
		b = b[n:]
		ord := t.ColumnOrdinal(catalog.ColumnID(id))
		var typ *types.T
		if ord >= 0 {
			typ = t.Columns[ord].Type
		}
		var d types.Datum
		var err error
		if b, d, err = DecodeValueDatum(b, typ); err != nil {
			return err
		}
		if ord >= 0 {
			row[ord] = d // a dropped column's value is skipped
		}
	}
	return nil
}

// DecodeValueDatum decodes one tagged value written by AppendValueDatum
// for a column of type t (nil for a dropped column: the value is only
// skipped) and returns the remaining bytes.
func DecodeValueDatum(b []byte, t *types.T) ([]byte, types.Datum, error) {
	if len(b) == 0 {
		return nil, nil, errCorruptValue
	}
	tag := b[0]
	b = b[1:]
	varint := func() (int64, error) {
		v, m := binary.Varint(b)
		if m <= 0 {
			return 0, errCorruptValue
		}
		b = b[m:]
		return v, nil
	}
	switch tag {
	case tagInt, tagDate, tagTimestamp, tagTimestampTZ:
		v, err := varint()
		if err != nil {
			return nil, nil, err
		}
		switch tag {
		case tagDate:
			return b, types.DDate(v), nil
		case tagTimestamp:
			return b, types.DTimestamp(v), nil
		case tagTimestampTZ:
			return b, types.DTimestampTZ(v), nil
		}
		return b, types.DInt(v), nil
	case tagBytes:
		l, m := binary.Uvarint(b)
		if m <= 0 || uint64(len(b)-m) < l {
			return nil, nil, errCorruptValue
		}
		s := string(b[m : m+int(l)])
		b = b[m+int(l):]
		switch {
		case t == nil:
			return b, types.DNull, nil
		case t.Family == types.BytesFamily:
			return b, types.DBytes(s), nil
		case t.OID == types.OIDBpchar:
			return b, types.DChar(s), nil
		case t.Family == types.JSONFamily:
			return b, types.DJSON(s), nil
		case t.Family == types.JSONBFamily:
			j, err := types.ParseJSONB(s)
			if err != nil {
				return nil, nil, errCorruptValue
			}
			return b, j, nil
		}
		return b, types.DString(s), nil
	case tagNull:
		return b, types.DNull, nil
	case tagFalse:
		return b, types.DBool(false), nil
	case tagTrue:
		return b, types.DBool(true), nil
	case tagFloat:
		if len(b) < 8 {
			return nil, nil, errCorruptValue
		}
		return b[8:], types.DFloat(math.Float64frombits(binary.BigEndian.Uint64(b))), nil
	case tagDecimal:
		if len(b) == 0 {
			return nil, nil, errCorruptValue
		}
		form := b[0]
		b = b[1:]
		r := &types.DDecimal{}
		switch form {
		case decNaN:
			r.Form = apd.NaN
			return b, r, nil
		case decPosInf, decNegInf:
			r.Form = apd.Infinite
			r.Negative = form == decNegInf
			return b, r, nil
		case decFinite, decFiniteNeg:
		default:
			return nil, nil, errCorruptValue
		}
		e, err := varint()
		if err != nil {
			return nil, nil, err
		}
		l, m := binary.Uvarint(b)
		if m <= 0 || uint64(len(b)-m) < l {
			return nil, nil, errCorruptValue
		}
		if e > maxNumericWeight || e < -maxNumericScale {
			return nil, nil, errCorruptValue // see maxNumericWeight
		}
		r.Coeff.SetMathBigInt(new(big.Int).SetBytes(b[m : m+int(l)]))
		b = b[m+int(l):]
		r.Exponent = int32(e)
		r.Negative = form == decFiniteNeg
		return b, r, nil
	case tagInterval:
		mo, err := varint()
		if err != nil {
			return nil, nil, err
		}
		days, err := varint()
		if err != nil {
			return nil, nil, err
		}
		us, err := varint()
		if err != nil {
			return nil, nil, err
		}
		return b, types.DInterval{Months: int32(mo), Days: int32(days), Micros: us}, nil
	case tagUUID:
		if len(b) < 16 {
			return nil, nil, errCorruptValue
		}
		return b[16:], types.DUUID(b[:16]), nil
	case tagTime:
		us, n := binary.Varint(b)
		if n <= 0 {
			return nil, nil, errCorruptValue
		}
		return b[n:], types.DTime(us), nil
	case tagTimeTZ:
		us, n := binary.Varint(b)
		if n <= 0 {
			return nil, nil, errCorruptValue
		}
		zone, m := binary.Varint(b[n:])
		if m <= 0 {
			return nil, nil, errCorruptValue
		}
		return b[n+m:], types.DTimeTZ{Micros: us, Zone: int32(zone)}, nil
	}
	return nil, nil, fmt.Errorf("rowenc: unknown value tag %d", tag)
}

var errCorruptValue = fmt.Errorf("rowenc: corrupt row value")
