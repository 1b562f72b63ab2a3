package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// Cast converts d to type to with EXPLICIT cast semantics (CAST(x AS t),
// x::t): 'abcd'::varchar(3) truncates to 'abc', char(n) truncates or
// pads, float to integer rounds half to even, numeric to integer half away
// from zero, numeric(p,s) rounds to s, text converts through the target's
// input function. d's type is taken to be d.ResolvedType() (a DFloat is a
// double precision); use CastFrom when the source type matters (real to
// numeric or text).
func Cast(d Datum, to *T, fc *FormatContext) (Datum, error) {
	return castImpl(d, nil, to, fc, true)
}

// CastFrom is Cast of d, a value of type from.
func CastFrom(d Datum, from, to *T, fc *FormatContext) (Datum, error) {
	return castImpl(d, from, to, fc, true)
}

// AssignCast converts d to type to with ASSIGNMENT semantics (INSERT,
// UPDATE SET): a string too long for varchar(n)/char(n) is 22001 `value
// too long for type character varying(3)` unless the excess is spaces;
// otherwise as Cast.
func AssignCast(d Datum, to *T, fc *FormatContext) (Datum, error) {
	return castImpl(d, nil, to, fc, false)
}

// AssignCastFrom is AssignCast of d, a value of type from.
func AssignCastFrom(d Datum, from, to *T, fc *FormatContext) (Datum, error) {
	return castImpl(d, from, to, fc, false)
}

// CastAllowed reports in which contexts pg_cast allows a cast from one
// type to another: explicitly (CAST), in assignment, implicitly (in
// expressions). Each context implies the ones before it. A binder reports
// 42846 `cannot cast type X to Y` when explicit is false, and 42804 for an
// assignment that is not allowed.
func CastAllowed(from, to *T) (explicit, assignment, implicit bool) {
	all := func() (bool, bool, bool) { return true, true, true }
	assign := func() (bool, bool, bool) { return true, true, false }
	expl := func() (bool, bool, bool) { return true, false, false }
	f, t := from.Family, to.Family
	if e, a, i, ok := timeCastAllowed(from, to); ok && !(t == StringFamily || f == StringFamily || f == UnknownFamily) { // timeofday.go
		return e, a, i
	}
	if e, a, i, ok := jsonCastAllowed(from, to); ok { // json_cast.go
		return e, a, i
	}
	switch {
	case from.Equal(to), f == UnknownFamily:
		return all()
	case f == StringFamily && t == StringFamily:
		return all()
	case t == StringFamily:
		return assign() // I/O conversion to a string type
	case f == StringFamily:
		return expl() // I/O conversion from a string type
	}
	switch f {
	case IntFamily:
		switch t {
		case IntFamily:
			if to.Width > from.Width {
				return all()
			}
			return assign()
		case FloatFamily, DecimalFamily:
			return all()
		case BoolFamily:
			if from.Width == 32 {
				return expl()
			}
		}
	case FloatFamily:
		switch t {
		case FloatFamily:
			if to.Width > from.Width {
				return all()
			}
			return assign()
		case IntFamily, DecimalFamily:
			return assign()
		}
	case DecimalFamily:
		switch t {
		case IntFamily:
			return assign()
		case FloatFamily:
			return all()
		}
	case BoolFamily:
		if t == IntFamily && to.Width == 32 {
			return expl()
		}
	case DateFamily:
		switch t {
		case TimestampFamily, TimestampTZFamily:
			return all()
		}
	case TimestampFamily:
		switch t {
		case DateFamily:
			return assign()
		case TimestampTZFamily:
			return all()
		}
	case TimestampTZFamily:
		switch t {
		case DateFamily, TimestampFamily:
			return assign()
		}
	}
	return false, false, false
}

// CannotCast returns PostgreSQL's 42846 error for a cast that does not
// exist.
func CannotCast(from, to *T) error {
	return pgerror.New(pgerror.CodeCannotCoerce, "cannot cast type %s to %s", from, to)
}

func castImpl(d Datum, from, to *T, fc *FormatContext, explicit bool) (Datum, error) {
	if d == DNull || d == nil {
		return DNull, nil
	}
	if from == nil || from.Family == UnknownFamily {
		from = d.ResolvedType()
	}
	if j, ok := d.(DJSONB); ok && to.Family != StringFamily && to.Family != JSONFamily && to.Family != JSONBFamily {
		return castFromJSONB(j, to, fc, explicit) // json_cast.go
	}
	switch to.Family {
	case UnknownFamily:
		return d, nil
	case IntFamily:
		switch v := d.(type) {
		case DInt:
			if err := CheckIntWidth(to, int64(v)); err != nil {
				return nil, err
			}
			return v, nil
		case DFloat:
			return floatToInt(float64(v), to)
		case *DDecimal:
			return decimalToInt(&v.Decimal, to)
		case DBool:
			if v {
				return DInt(1), nil
			}
			return DInt(0), nil
		case DString, DChar:
			return parseInt(to, textOf(d))
		}
	case FloatFamily:
		switch v := d.(type) {
		case DInt:
			if to.Width == 32 {
				return DFloat(float32(v)), nil
			}
			return DFloat(v), nil
		case DFloat:
			if to.Width == 32 {
				return checkFloatNarrow(float64(v))
			}
			return v, nil
		case *DDecimal:
			if to.Width == 32 && v.Form == apd.Finite {
				f, err := strconv.ParseFloat(v.Text('e'), 32)
				if err != nil {
					return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "\"%s\" is out of range for type real", formatDecimal(nil, &v.Decimal))
				}
				return DFloat(f), nil
			}
			return DFloat(decimalToFloat(&v.Decimal)), nil
		case DString, DChar:
			return parseFloat(textOf(d), to)
		}
	case DecimalFamily:
		var r *DDecimal
		switch v := d.(type) {
		case DInt:
			r = DecimalFromInt(int64(v))
		case DFloat:
			digits := 15
			if from.Family == FloatFamily && from.Width == 32 {
				digits = 6
			}
			r = floatToDecimal(float64(v), digits)
		case *DDecimal:
			r = v
		case DString, DChar:
			var err error
			if r, err = parseNumeric(textOf(d)); err != nil {
				return nil, err
			}
		}
		if r != nil {
			return applyNumericTypmod(r, to)
		}
	case StringFamily:
		var s string
		switch v := d.(type) {
		case DString:
			s = string(v)
		case DChar:
			if to.OID == OIDBpchar {
				s = string(v)
			} else {
				s = strings.TrimRight(string(v), " ")
			}
		case DBool:
			s = "false"
			if v {
				s = "true"
			}
		default:
			s = string(FormatText(d, from, fc))
		}
		if explicit {
			if n := to.Length(); n > 0 {
				if cut, ok := cutChars(s, n); ok {
					s = s[:cut]
				}
			}
			return stringDatum(s, to), nil
		}
		return stringAssign(s, to)
	case BoolFamily:
		switch v := d.(type) {
		case DBool:
			return v, nil
		case DInt:
			return DBool(v != 0), nil
		case DString, DChar:
			return parseBool(textOf(d))
		}
	case BytesFamily:
		switch v := d.(type) {
		case DBytes:
			return v, nil
		case DString, DChar:
			return parseBytea(textOf(d))
		}
	case DateFamily:
		switch v := d.(type) {
		case DDate:
			return v, nil
		case DTimestamp:
			return timestampToDate(int64(v)), nil
		case DTimestampTZ:
			return timestampToDate(tzToTimestamp(int64(v), fc.location())), nil
		case DString, DChar:
			return parseDate(textOf(d), fc)
		}
	case TimestampFamily, TimestampTZFamily:
		var us int64
		switch v := d.(type) {
		case DDate:
			us = dateToTimestamp(v)
			if to.Family == TimestampTZFamily {
				us = timestampToTZ(us, fc.location())
			}
		case DTimestamp:
			us = int64(v)
			if to.Family == TimestampTZFamily {
				us = timestampToTZ(us, fc.location())
			}
		case DTimestampTZ:
			us = int64(v)
			if to.Family == TimestampFamily {
				us = tzToTimestamp(us, fc.location())
			}
		case DString, DChar:
			var err error
			if us, err = parseTimestamp(textOf(d), to.Family == TimestampTZFamily, fc); err != nil {
				return nil, err
			}
		default:
			return nil, CannotCast(from, to)
		}
		if err := checkTimestampRange(us); err != nil {
			return nil, err
		}
		if to.HasPrecision() {
			us = roundTimestamp(us, to.Precision())
		}
		if to.Family == TimestampTZFamily {
			return DTimestampTZ(us), nil
		}
		return DTimestamp(us), nil
	case IntervalFamily:
		switch v := d.(type) {
		case DTime:
			return DInterval{Micros: int64(v)}, nil // time_interval
		case DInterval:
			return v, nil
		case DString, DChar:
			return parseInterval(textOf(d))
		}
	case TimeFamily, TimeTZFamily:
		if r, ok, err := castTime(d, to, fc); ok { // timeofday.go
			return r, err
		}
	case UUIDFamily:
		switch v := d.(type) {
		case DUUID:
			return v, nil
		case DString, DChar:
			return ParseUUID(textOf(d))
		}
	case JSONFamily, JSONBFamily:
		return castToJSON(d, to) // json_cast.go
	}
	return nil, CannotCast(from, to)
}

// textOf returns the text of a DString or DChar (padded, as bpchar's
// output function gives it).
func textOf(d Datum) string {
	switch v := d.(type) {
	case DString:
		return string(v)
	case DChar:
		return string(v)
	}
	return ""
}

// checkFloatNarrow is float84: overflow and underflow are errors.
func checkFloatNarrow(f float64) (Datum, error) {
	r := float32(f)
	if math.IsInf(float64(r), 0) && !math.IsInf(f, 0) {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: overflow")
	}
	if r == 0 && f != 0 {
		return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange, "value out of range: underflow")
	}
	return DFloat(r), nil
}
