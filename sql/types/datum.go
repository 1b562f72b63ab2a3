package types

import (
	"math"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// Datum is one SQL value. The concrete types are DInt, DFloat, *DDecimal,
// DString, DChar, DBytes, DBool, DDate, DTimestamp, DTimestampTZ,
// DInterval, DUUID, DTime, DTimeTZ (timeofday.go), DJSON, DJSONB
// (json.go) and the singleton DNull. Datums are immutable.
type Datum interface {
	// ResolvedType returns the Datum's type family representative (DNull
	// returns Unknown; an integer is Int8 regardless of its column's width,
	// a float is Float8 even in a real column).
	ResolvedType() *T
	datum()
}

// DInt is an integer of any width; the width is a property of the column or
// expression type, checked when values are assigned or computed.
type DInt int64

// DFloat is a real or double precision value. A real's value is always
// exactly representable as a float32; FormatText needs the type to print
// it as PostgreSQL prints a real.
type DFloat float64

// DDecimal is a numeric value. Its exponent is PostgreSQL's display scale
// negated (1.50 is coefficient 150, exponent -2); the forms NaN and
// Infinite (with Negative) are PostgreSQL's 'NaN', 'Infinity' and
// '-Infinity'. Zero is never negative. Use it by pointer and never mutate
// one that has been handed out.
type DDecimal struct {
	apd.Decimal
}

// DString is a text or varchar value.
type DString string

// DChar is a character(n) (bpchar) value, stored blank-padded as
// PostgreSQL stores it. Trailing spaces are insignificant: it compares,
// hashes and key-encodes as if they were trimmed, and a cast to text trims
// them.
type DChar string

// DBytes is a bytea value (held in a string so the Datum is immutable).
type DBytes string

// DBool is a boolean.
type DBool bool

// DDate is a date: days since 2000-01-01 (PostgreSQL's representation),
// with DateNegInfinity and DatePosInfinity for '-infinity' and 'infinity'.
type DDate int32

// DTimestamp is a timestamp without time zone: microseconds since
// 2000-01-01 00:00:00, with TimestampNegInfinity/TimestampPosInfinity.
type DTimestamp int64

// DTimestampTZ is a timestamp with time zone: microseconds since
// 2000-01-01 00:00:00 UTC, with the same infinities as DTimestamp.
type DTimestampTZ int64

// DInterval is an interval as PostgreSQL stores it: months, days and
// microseconds, kept apart because their lengths vary.
type DInterval struct {
	Months int32
	Days   int32
	Micros int64
}

// The infinities of dates and timestamps (PostgreSQL's DATEVAL_NOBEGIN,
// DATEVAL_NOEND, DT_NOBEGIN, DT_NOEND).
const (
	DateNegInfinity      DDate = math.MinInt32
	DatePosInfinity      DDate = math.MaxInt32
	TimestampNegInfinity int64 = math.MinInt64
	TimestampPosInfinity int64 = math.MaxInt64
)

// DUUID is a uuid: its 16 bytes in the order PostgreSQL stores, sends
// and compares them (the order of the canonical text form).
type DUUID [16]byte

type dNull struct{}

// DNull is SQL NULL.
var DNull Datum = dNull{}

func (DInt) ResolvedType() *T         { return Int8 }
func (DFloat) ResolvedType() *T       { return Float8 }
func (*DDecimal) ResolvedType() *T    { return Numeric }
func (DString) ResolvedType() *T      { return Text }
func (DChar) ResolvedType() *T        { return BpChar }
func (DBytes) ResolvedType() *T       { return Bytea }
func (DBool) ResolvedType() *T        { return Bool }
func (DDate) ResolvedType() *T        { return Date }
func (DTimestamp) ResolvedType() *T   { return Timestamp }
func (DTimestampTZ) ResolvedType() *T { return TimestampTZ }
func (DInterval) ResolvedType() *T    { return Interval }
func (DUUID) ResolvedType() *T        { return UUID }
func (dNull) ResolvedType() *T        { return Unknown }
func (DInt) datum()                   {}
func (DFloat) datum()                 {}
func (*DDecimal) datum()              {}
func (DString) datum()                {}
func (DChar) datum()                  {}
func (DBytes) datum()                 {}
func (DBool) datum()                  {}
func (DDate) datum()                  {}
func (DTimestamp) datum()             {}
func (DTimestampTZ) datum()           {}
func (DInterval) datum()              {}
func (DUUID) datum()                  {}
func (dNull) datum()                  {}

// Datums is a row of values.
type Datums []Datum

// AsString returns the string of a DString or DChar (a DChar without its
// trailing spaces, as PostgreSQL's bpchar-to-text cast gives it).
func AsString(d Datum) (string, bool) {
	switch v := d.(type) {
	case DString:
		return string(v), true
	case DChar:
		return strings.TrimRight(string(v), " "), true
	}
	return "", false
}

// Format returns d's PostgreSQL text output with default settings (UTC,
// extra_float_digits 1, DateStyle ISO), or nil for NULL. A DFloat prints
// as a double precision: use FormatText with the column type for reals.
func Format(d Datum) []byte {
	return FormatText(d, nil, nil)
}

// String renders d for debugging and error details (NULL → "null", as
// PostgreSQL's "Failing row contains" shows it).
func String(d Datum) string {
	if d == DNull {
		return "null"
	}
	return string(Format(d))
}

// ParseText converts PostgreSQL text input to a Datum of type t, with
// PostgreSQL's errors, under default settings (see ParseTextCtx).
func ParseText(t *T, s string) (Datum, error) {
	return ParseTextCtx(t, s, nil)
}

// CheckIntWidth returns 22003 if v does not fit integer type t.
func CheckIntWidth(t *T, v int64) error {
	if t.Family != IntFamily {
		return nil
	}
	switch t.Width {
	case 16:
		if v < math.MinInt16 || v > math.MaxInt16 {
			return OutOfRange(t)
		}
	case 32:
		if v < math.MinInt32 || v > math.MaxInt32 {
			return OutOfRange(t)
		}
	}
	return nil
}

// OutOfRange returns PostgreSQL's 22003 error for integer type t
// ("integer out of range", "smallint out of range", "bigint out of
// range").
func OutOfRange(t *T) error {
	switch t.Width {
	case 16:
		return pgerror.New(pgerror.CodeNumericValueOutOfRange, "smallint out of range")
	case 32:
		return pgerror.New(pgerror.CodeNumericValueOutOfRange, "integer out of range")
	}
	return pgerror.New(pgerror.CodeNumericValueOutOfRange, "bigint out of range")
}
