package types

import (
	"math"
	"strconv"
	"strings"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// Datum is one SQL value. The concrete types are DInt, DString, DBool and
// the singleton DNull.
type Datum interface {
	// ResolvedType returns the Datum's type family representative (DNull
	// returns Unknown; an integer is Int8 regardless of its column's width).
	ResolvedType() *T
	datum()
}

// DInt is an integer of any width; the width is a property of the column or
// expression type, checked when values are assigned or computed.
type DInt int64

// DString is a text value.
type DString string

// DBool is a boolean.
type DBool bool

type dNull struct{}

// DNull is SQL NULL.
var DNull Datum = dNull{}

func (DInt) ResolvedType() *T    { return Int8 }
func (DString) ResolvedType() *T { return Text }
func (DBool) ResolvedType() *T   { return Bool }
func (dNull) ResolvedType() *T   { return Unknown }
func (DInt) datum()              {}
func (DString) datum()           {}
func (DBool) datum()             {}
func (dNull) datum()             {}

// Datums is a row of values.
type Datums []Datum

// Format returns d's PostgreSQL text output, or nil for NULL.
func Format(d Datum) []byte {
	switch v := d.(type) {
	case DInt:
		return strconv.AppendInt(nil, int64(v), 10)
	case DString:
		return []byte(v)
	case DBool:
		if v {
			return []byte("t")
		}
		return []byte("f")
	}
	return nil
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
// PostgreSQL's errors.
func ParseText(t *T, s string) (Datum, error) {
	switch t.Family {
	case IntFamily:
		v, err := strconv.ParseInt(strings.TrimSpace(s), 10, 64)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange,
					"value \"%s\" is out of range for type %s", s, t.Name)
			}
			return nil, pgerror.New(pgerror.CodeInvalidTextRepresentation,
				"invalid input syntax for type %s: \"%s\"", t.Name, s)
		}
		if t.Width == 32 && (v < math.MinInt32 || v > math.MaxInt32) {
			return nil, pgerror.New(pgerror.CodeNumericValueOutOfRange,
				"value \"%s\" is out of range for type %s", s, t.Name)
		}
		return DInt(v), nil
	case StringFamily, UnknownFamily:
		return DString(s), nil
	case BoolFamily:
		switch strings.ToLower(strings.TrimSpace(s)) {
		case "t", "tr", "tru", "true", "y", "ye", "yes", "on", "1":
			return DBool(true), nil
		case "f", "fa", "fal", "fals", "false", "n", "no", "of", "off", "0":
			return DBool(false), nil
		}
		return nil, pgerror.New(pgerror.CodeInvalidTextRepresentation,
			"invalid input syntax for type boolean: \"%s\"", s)
	}
	return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "type %q is not supported", t.Name)
}

// CheckIntWidth returns 22003 if v does not fit an integer type of width.
func CheckIntWidth(t *T, v int64) error {
	if t.Family == IntFamily && t.Width == 32 && (v < math.MinInt32 || v > math.MaxInt32) {
		return OutOfRange(t)
	}
	return nil
}

// OutOfRange returns PostgreSQL's 22003 error for integer type t.
func OutOfRange(t *T) error {
	if t.Width == 32 {
		return pgerror.New(pgerror.CodeNumericValueOutOfRange, "integer out of range")
	}
	return pgerror.New(pgerror.CodeNumericValueOutOfRange, "bigint out of range")
}

// Compare orders two non-NULL datums of the same family: -1, 0 or +1.
// NULL sorts before every value (the order row keys use).
func Compare(a, b Datum) int {
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
		y := b.(DInt)
		switch {
		case x < y:
			return -1
		case x > y:
			return 1
		}
		return 0
	case DString:
		return strings.Compare(string(x), string(b.(DString)))
	case DBool:
		y := b.(DBool)
		switch {
		case x == y:
			return 0
		case !bool(x):
			return -1
		}
		return 1
	}
	panic("types: Compare of unsupported datum")
}
