package types

import (
	"bytes"
	"math"
	"strings"

	"github.com/cockroachdb/apd/v3"
)

// Compare orders two datums: -1, 0 or +1, with NULL before every value
// (the order row keys use). Timestamps without time zone compare with
// timestamps with time zone as if the former were UTC; use CompareCtx for
// the session's time zone. See CompareCtx for the rules.
func Compare(a, b Datum) int {
	return CompareCtx(a, b, nil)
}

// CompareCtx orders two datums as PostgreSQL's comparison operators do:
//   - integers, floats and numerics compare across types by value: integer
//     with numeric exactly, anything with a float as float8 (PostgreSQL's
//     implicit promotions); NaN equals NaN and sorts after every number,
//     -0 equals 0; numeric ±Infinity sort outside every finite number;
//   - text and varchar compare bytewise (the C collation); a DChar
//     compares with its trailing spaces trimmed;
//   - dates, timestamps and timestamptz compare across types as points in
//     time, a date or timestamp read in fc's time zone when compared with a
//     timestamptz;
//   - intervals compare by their total length with 30-day months, as
//     PostgreSQL's interval_cmp does;
//   - uuids compare bytewise (uuid_cmp's memcmp), which is the order of
//     their canonical text.
//
// Datums of unrelated families order by family (never an error): callers
// type-check first.
func CompareCtx(a, b Datum, fc *FormatContext) int {
	if a == DNull || b == DNull {
		switch {
		case a == DNull && b == DNull:
			return 0
		case a == DNull:
			return -1
		default:
			return 1
		}
	}
	switch x := a.(type) {
	case DInt:
		switch y := b.(type) {
		case DInt:
			return cmpOrdered(x, y)
		case DFloat:
			return cmpFloat(float64(x), float64(y))
		case *DDecimal:
			var dx apd.Decimal
			dx.SetInt64(int64(x))
			return cmpDecimal(&dx, &y.Decimal)
		}
	case DFloat:
		switch y := b.(type) {
		case DFloat:
			return cmpFloat(float64(x), float64(y))
		case DInt:
			return cmpFloat(float64(x), float64(y))
		case *DDecimal:
			return cmpFloat(float64(x), decimalToFloat(&y.Decimal))
		}
	case *DDecimal:
		switch y := b.(type) {
		case *DDecimal:
			return cmpDecimal(&x.Decimal, &y.Decimal)
		case DInt:
			var dy apd.Decimal
			dy.SetInt64(int64(y))
			return cmpDecimal(&x.Decimal, &dy)
		case DFloat:
			return cmpFloat(decimalToFloat(&x.Decimal), float64(y))
		}
	case DString:
		switch y := b.(type) {
		case DString:
			return strings.Compare(string(x), string(y))
		case DChar:
			return strings.Compare(string(x), strings.TrimRight(string(y), " "))
		}
	case DChar:
		switch y := b.(type) {
		case DString:
			return strings.Compare(strings.TrimRight(string(x), " "), string(y))
		case DChar:
			return strings.Compare(strings.TrimRight(string(x), " "), strings.TrimRight(string(y), " "))
		}
	case DBytes:
		if y, ok := b.(DBytes); ok {
			return strings.Compare(string(x), string(y))
		}
	case DBool:
		if y, ok := b.(DBool); ok {
			switch {
			case x == y:
				return 0
			case !bool(x):
				return -1
			}
			return 1
		}
	case DDate, DTimestamp, DTimestampTZ:
		if isTimeDatum(b) {
			return cmpTimes(a, b, fc)
		}
	case DInterval:
		if y, ok := b.(DInterval); ok {
			return x.cmp(y)
		}
		if c, ok := compareTimes(a, b, fc); ok {
			return c
		}
	case DTime, DTimeTZ:
		if c, ok := compareTimes(a, b, fc); ok { // timeofday.go
			return c
		}
	case DUUID:
		if y, ok := b.(DUUID); ok {
			return bytes.Compare(x[:], y[:])
		}
	case DJSONB:
		if y, ok := b.(DJSONB); ok {
			return CompareJSONB(x.V, y.V)
		}
	case DJSON:
		// json has no ordering (the binder refuses its comparisons);
		// its text orders it for sorts that need some order.
		if y, ok := b.(DJSON); ok {
			return strings.Compare(string(x), string(y))
		}
	}
	return cmpOrdered(familyRank(a), familyRank(b))
}

func cmpOrdered[X int | int64 | DInt | uint8](a, b X) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpFloat is PostgreSQL's float8_cmp_internal: NaN equals NaN and sorts
// after everything else.
func cmpFloat(a, b float64) int {
	an, bn := math.IsNaN(a), math.IsNaN(b)
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

// cmpDecimal is PostgreSQL's cmp_numerics: NaN equals NaN and sorts after
// +Infinity.
func cmpDecimal(a, b *apd.Decimal) int {
	an, bn := a.Form == apd.NaN || a.Form == apd.NaNSignaling, b.Form == apd.NaN || b.Form == apd.NaNSignaling
	switch {
	case an && bn:
		return 0
	case an:
		return 1
	case bn:
		return -1
	}
	return a.Cmp(b)
}

func isTimeDatum(d Datum) bool {
	switch d.(type) {
	case DDate, DTimestamp, DTimestampTZ:
		return true
	}
	return false
}

// cmpTimes compares two of DDate, DTimestamp, DTimestampTZ.
func cmpTimes(a, b Datum, fc *FormatContext) int {
	_, atz := a.(DTimestampTZ)
	_, btz := b.(DTimestampTZ)
	conv := func(d Datum, tz bool) int64 {
		switch v := d.(type) {
		case DDate:
			ts := dateToTimestamp(v)
			if tz {
				return timestampToTZ(ts, fc.location())
			}
			return ts
		case DTimestamp:
			if tz {
				return timestampToTZ(int64(v), fc.location())
			}
			return int64(v)
		case DTimestampTZ:
			return int64(v)
		}
		return 0
	}
	if _, ok := a.(DDate); ok {
		if bd, ok := b.(DDate); ok {
			return cmpOrdered(int64(a.(DDate)), int64(bd))
		}
	}
	tz := atz || btz
	return cmpOrdered(conv(a, tz), conv(b, tz))
}

func familyRank(d Datum) uint8 {
	return uint8(d.ResolvedType().Family)
}
