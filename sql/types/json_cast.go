package types

import (
	"unicode/utf8"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file is the json and jsonb types' casts and wire formats, as
// PostgreSQL 15's pg_cast and jsonb_recv/jsonb_send have them.

// jsonCastAllowed reports pg_cast's contexts for the casts json and jsonb
// have beyond I/O conversion to and from strings: json <-> jsonb in
// assignment, jsonb to boolean, numeric, the integers and the floats
// explicitly. ok is false when neither type is json or jsonb (or the cast
// is a string one the general rules cover).
func jsonCastAllowed(from, to *T) (explicit, assignment, implicit, ok bool) {
	f, t := from.Family, to.Family
	isJ := func(x Family) bool { return x == JSONFamily || x == JSONBFamily }
	if !isJ(f) && !isJ(t) {
		return false, false, false, false
	}
	switch {
	case from.Equal(to), f == UnknownFamily, f == StringFamily, t == StringFamily:
		return false, false, false, false
	case isJ(f) && isJ(t):
		return true, true, false, true
	case f == JSONBFamily:
		switch t {
		case BoolFamily, DecimalFamily, IntFamily, FloatFamily:
			return true, false, false, true
		}
	}
	return false, false, false, true
}

// parseJSONDatum is json_in or jsonb_in.
func parseJSONDatum(t *T, s string) (Datum, error) {
	if t.Family == JSONFamily {
		return ParseJSON(s)
	}
	return ParseJSONB(s)
}

// castToJSON converts d to json or jsonb.
func castToJSON(d Datum, to *T) (Datum, error) {
	switch v := d.(type) {
	case DString, DChar:
		return parseJSONDatum(to, textOf(d))
	case DJSON:
		if to.Family == JSONFamily {
			return v, nil
		}
		return ParseJSONB(string(v))
	case DJSONB:
		if to.Family == JSONBFamily {
			return v, nil
		}
		return DJSON(v.String()), nil
	}
	return nil, CannotCast(d.ResolvedType(), to)
}

// castFromJSONB is jsonb's casts to boolean and the number types: the
// value must be a scalar of the matching kind (22023 `cannot cast jsonb
// string to type integer` otherwise); a number then converts as a
// numeric does.
func castFromJSONB(j DJSONB, to *T, fc *FormatContext, explicit bool) (Datum, error) {
	v := j.V
	want := JSONNumber
	if to.Family == BoolFamily {
		want = JSONBool
	}
	switch to.Family {
	case BoolFamily, DecimalFamily, IntFamily, FloatFamily:
	default:
		return nil, CannotCast(JSONB, to)
	}
	if v.Kind != want {
		kind := v.TypeName()
		if kind == "number" {
			kind = "numeric"
		}
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot cast jsonb %s to type %s", kind, to.WithoutMod().String())
	}
	if want == JSONBool {
		return DBool(v.Bool), nil
	}
	return castImpl(jsonNum(v), Numeric, to, fc, explicit)
}

// appendJSONBinary is json_send (the text) and jsonb_send (version 1,
// then the text).
func appendJSONBinary(b []byte, d Datum) ([]byte, bool) {
	switch v := d.(type) {
	case DJSON:
		return append(b, v...), true
	case DJSONB:
		b = append(b, 1)
		return AppendJSONB(b, v.V), true
	}
	return b, false
}

// decodeJSONBinary is json_recv and jsonb_recv.
func decodeJSONBinary(t *T, b []byte) (Datum, error) {
	if t.Family == JSONBFamily {
		if len(b) == 0 || b[0] != 1 {
			v := 0
			if len(b) > 0 {
				v = int(b[0])
			}
			return nil, pgerror.New(pgerror.CodeInternalError, "unsupported jsonb version number %d", v)
		}
		b = b[1:]
	}
	if !utf8.Valid(b) {
		return nil, pgerror.New(pgerror.CodeCharacterNotInRepertoire, "invalid byte sequence for encoding \"UTF8\"")
	}
	return parseJSONDatum(t, string(b))
}

// CheckKeyColumn refuses a json or jsonb column as a primary key or index
// column: json has no btree operator class (42704, as in PostgreSQL);
// jsonb has one in PostgreSQL, but rangedb has no order-preserving key
// encoding for it (0A000 naming the column).
func CheckKeyColumn(t *T, col string) error {
	switch t.Family {
	case JSONFamily:
		return pgerror.New(pgerror.CodeUndefinedObject, "data type json has no default operator class for access method \"btree\"").
			WithHint("You must specify an operator class for the index or define a default operator class for the data type.")
	case JSONBFamily:
		return pgerror.Unsupported("a jsonb column (\"" + col + "\") in a primary key or index")
	}
	return nil
}
