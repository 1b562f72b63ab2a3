package types

import (
	"encoding/binary"
	"math"
	"unicode/utf8"

	"github.com/cockroachdb/apd/v3"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// PostgreSQL's numeric sign words (numeric.c).
const (
	numericPos  = 0x0000
	numericNeg  = 0x4000
	numericNaN  = 0xC000
	numericPInf = 0xD000
	numericNInf = 0xF000
)

// EncodeBinary returns d in PostgreSQL's binary (send) format for type t:
// integers and floats big-endian, bool one byte, strings and bytea raw,
// date int32 days and timestamp(tz) int64 µs since 2000-01-01, interval
// int64 µs ‖ int32 days ‖ int32 months, numeric as NumericVar (ndigits,
// weight, sign, dscale, base-10000 digits, each 16-bit), uuid as its 16
// bytes, time int64 µs since midnight, timetz int64 µs ‖ int32 zone
// (seconds west of UTC). NULL is an error:
// the caller sends length -1 instead.
func EncodeBinary(d Datum, t *T) ([]byte, error) {
	return AppendBinary(nil, d, t)
}

// AppendBinary appends EncodeBinary's output to b.
func AppendBinary(b []byte, d Datum, t *T) ([]byte, error) {
	switch v := d.(type) {
	case DInt:
		switch t.Width {
		case 16:
			return binary.BigEndian.AppendUint16(b, uint16(v)), nil
		case 32:
			return binary.BigEndian.AppendUint32(b, uint32(v)), nil
		}
		return binary.BigEndian.AppendUint64(b, uint64(v)), nil
	case DFloat:
		f := float64(v)
		if math.IsNaN(f) {
			f = canonicalNaN // PostgreSQL's NaN bit pattern
		}
		if t.Family == FloatFamily && t.Width == 32 {
			return binary.BigEndian.AppendUint32(b, math.Float32bits(float32(f))), nil
		}
		return binary.BigEndian.AppendUint64(b, math.Float64bits(f)), nil
	case DBool:
		if v {
			return append(b, 1), nil
		}
		return append(b, 0), nil
	case DString:
		return append(b, v...), nil
	case DChar:
		return append(b, v...), nil
	case DBytes:
		return append(b, v...), nil
	case DDate:
		return binary.BigEndian.AppendUint32(b, uint32(v)), nil
	case DTimestamp:
		return binary.BigEndian.AppendUint64(b, uint64(v)), nil
	case DTimestampTZ:
		return binary.BigEndian.AppendUint64(b, uint64(v)), nil
	case DInterval:
		b = binary.BigEndian.AppendUint64(b, uint64(v.Micros))
		b = binary.BigEndian.AppendUint32(b, uint32(v.Days))
		return binary.BigEndian.AppendUint32(b, uint32(v.Months)), nil
	case *DDecimal:
		return appendNumericBinary(b, &v.Decimal), nil
	case DUUID:
		return append(b, v[:]...), nil
	case DTime:
		return binary.BigEndian.AppendUint64(b, uint64(v)), nil
	case DTimeTZ:
		b = binary.BigEndian.AppendUint64(b, uint64(v.Micros))
		return binary.BigEndian.AppendUint32(b, uint32(v.Zone)), nil
	case DJSON, DJSONB:
		b, _ = appendJSONBinary(b, v) // json_cast.go
		return b, nil
	}
	return nil, pgerror.New(pgerror.CodeInternalError, "types: cannot binary-encode %T as %s", d, t)
}

func appendNumericBinary(b []byte, d *apd.Decimal) []byte {
	put := func(ndigits, weight int, sign uint16, dscale int) {
		b = binary.BigEndian.AppendUint16(b, uint16(ndigits))
		b = binary.BigEndian.AppendUint16(b, uint16(int16(weight)))
		b = binary.BigEndian.AppendUint16(b, sign)
		b = binary.BigEndian.AppendUint16(b, uint16(dscale))
	}
	switch d.Form {
	case apd.NaN, apd.NaNSignaling:
		put(0, 0, numericNaN, 0)
		return b
	case apd.Infinite:
		// PostgreSQL sends infinities with dscale 32 (its
		// NUMERIC_INF_SIGN_MASK bits leak into the header).
		if d.Negative {
			put(0, 0, numericNInf, 0x20)
		} else {
			put(0, 0, numericPInf, 0x20)
		}
		return b
	}
	nv := toNumericVar(d)
	sign := uint16(numericPos)
	if nv.neg {
		sign = numericNeg
	}
	weight := nv.weight
	if len(nv.digits) == 0 {
		weight = 0
	}
	put(len(nv.digits), weight, sign, nv.dscale)
	for _, dg := range nv.digits {
		b = binary.BigEndian.AppendUint16(b, uint16(dg))
	}
	return b
}

func badBinary() error {
	return pgerror.New(pgerror.CodeInvalidBinaryRepresentation, "incorrect binary data format")
}

// DecodeBinary reads a value of type t in PostgreSQL's binary (recv)
// format, as a Bind message carries it, applying t's typmod as the recv
// functions do. Malformed input is 22P03.
func DecodeBinary(t *T, b []byte) (Datum, error) {
	need := func(n int) error {
		if len(b) != n {
			return badBinary()
		}
		return nil
	}
	switch t.Family {
	case IntFamily:
		switch t.Width {
		case 16:
			if err := need(2); err != nil {
				return nil, err
			}
			return DInt(int16(binary.BigEndian.Uint16(b))), nil
		case 32:
			if err := need(4); err != nil {
				return nil, err
			}
			return DInt(int32(binary.BigEndian.Uint32(b))), nil
		}
		if err := need(8); err != nil {
			return nil, err
		}
		return DInt(int64(binary.BigEndian.Uint64(b))), nil
	case FloatFamily:
		if t.Width == 32 {
			if err := need(4); err != nil {
				return nil, err
			}
			return DFloat(math.Float32frombits(binary.BigEndian.Uint32(b))), nil
		}
		if err := need(8); err != nil {
			return nil, err
		}
		return DFloat(math.Float64frombits(binary.BigEndian.Uint64(b))), nil
	case BoolFamily:
		if err := need(1); err != nil {
			return nil, err
		}
		return DBool(b[0] != 0), nil
	case StringFamily, UnknownFamily:
		if !utf8.Valid(b) {
			return nil, pgerror.New(pgerror.CodeCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
		}
		return stringAssign(string(b), t)
	case BytesFamily:
		return DBytes(b), nil
	case DateFamily:
		if err := need(4); err != nil {
			return nil, err
		}
		return DDate(int32(binary.BigEndian.Uint32(b))), nil
	case TimestampFamily, TimestampTZFamily:
		if err := need(8); err != nil {
			return nil, err
		}
		us := int64(binary.BigEndian.Uint64(b))
		if err := checkTimestampRange(us); err != nil {
			return nil, err
		}
		if t.HasPrecision() {
			us = roundTimestamp(us, t.Precision())
		}
		if t.Family == TimestampTZFamily {
			return DTimestampTZ(us), nil
		}
		return DTimestamp(us), nil
	case IntervalFamily:
		if err := need(16); err != nil {
			return nil, err
		}
		return DInterval{
			Micros: int64(binary.BigEndian.Uint64(b)),
			Days:   int32(binary.BigEndian.Uint32(b[8:])),
			Months: int32(binary.BigEndian.Uint32(b[12:])),
		}, nil
	case DecimalFamily:
		d, err := decodeNumericBinary(b)
		if err != nil {
			return nil, err
		}
		return applyNumericTypmod(d, t)
	case UUIDFamily:
		if err := need(16); err != nil {
			return nil, err
		}
		return DUUID(b), nil
	case TimeFamily:
		if err := need(8); err != nil {
			return nil, err
		}
		d := DTime(int64(binary.BigEndian.Uint64(b)))
		if err := CheckTimeRange(d); err != nil {
			return nil, err
		}
		return AdjustTime(d, t), nil
	case TimeTZFamily:
		if err := need(12); err != nil {
			return nil, err
		}
		d := DTimeTZ{Micros: int64(binary.BigEndian.Uint64(b)), Zone: int32(binary.BigEndian.Uint32(b[8:]))}
		if err := CheckTimeRange(d); err != nil {
			return nil, err
		}
		return AdjustTime(d, t), nil
	case JSONFamily, JSONBFamily:
		return decodeJSONBinary(t, b) // json_cast.go
	}
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "binary format for type %s is not supported", t)
}

func decodeNumericBinary(b []byte) (*DDecimal, error) {
	if len(b) < 8 {
		return nil, badBinary()
	}
	ndigits := int(binary.BigEndian.Uint16(b))
	weight := int(int16(binary.BigEndian.Uint16(b[2:])))
	sign := binary.BigEndian.Uint16(b[4:])
	dscale := int(binary.BigEndian.Uint16(b[6:]))
	if len(b) != 8+2*ndigits {
		return nil, badBinary()
	}
	switch sign {
	case numericNaN:
		return decimalNaN(), nil
	case numericPInf:
		return decimalInf(false), nil
	case numericNInf:
		return decimalInf(true), nil
	case numericPos, numericNeg:
	default:
		return nil, pgerror.New(pgerror.CodeInvalidBinaryRepresentation, "invalid sign in external \"numeric\" value")
	}
	if dscale > 0x3FFF {
		return nil, pgerror.New(pgerror.CodeInvalidBinaryRepresentation, "invalid scale in external \"numeric\" value")
	}
	nv := numericVar{weight: weight, dscale: dscale, neg: sign == numericNeg, digits: make([]int16, ndigits)}
	for i := range nv.digits {
		dg := int16(binary.BigEndian.Uint16(b[8+2*i:]))
		if dg < 0 || dg >= 10000 {
			return nil, pgerror.New(pgerror.CodeInvalidBinaryRepresentation, "invalid digit in external \"numeric\" value")
		}
		nv.digits[i] = dg
	}
	return fromNumericVar(nv), nil
}
