package types

import (
	"strings"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// ResolveTypeName returns the type named name with type modifiers mods, as
// pg_query gives them (names such as "int4", "bpchar", "timestamptz"; the
// SQL spellings "integer", "character varying", "double precision" … are
// accepted too). The caller strips a "pg_catalog." qualification.
//
// Errors are PostgreSQL's: 42704 `type "x" does not exist` for an unknown
// name, 0A000 `type "xml" is not supported` for a PostgreSQL type rangedb
// does not implement, 42601 for a modifier on a type that takes none, and
// 22023 for an out-of-range modifier. A timestamp precision above 6 is
// reduced to 6 (PostgreSQL also warns).
func ResolveTypeName(name string, mods []int32) (*T, error) {
	n := strings.ToLower(strings.TrimSpace(name))
	n = strings.TrimPrefix(n, "pg_catalog.")
	var base *T
	switch n {
	case "int2", "smallint":
		base = Int2
	case "int4", "int", "integer":
		base = Int4
	case "int8", "bigint":
		base = Int8
	case "float4", "real":
		base = Float4
	case "float8", "double precision":
		base = Float8
	case "float":
		return resolveFloat(mods)
	case "numeric", "decimal", "dec":
		return resolveNumeric(mods)
	case "text":
		base = Text
	case "varchar", "character varying", "char varying":
		return resolveChar(VarChar, "varchar", mods)
	case "bpchar":
		return resolveChar(BpChar, "char", mods)
	case "char", "character":
		if len(mods) == 0 {
			return MakeChar(1), nil
		}
		return resolveChar(BpChar, "char", mods)
	case "bool", "boolean":
		base = Bool
	case "bytea":
		base = Bytea
	case "date":
		base = Date
	case "timestamp", "timestamp without time zone":
		return resolveTimestamp(Timestamp, mods)
	case "timestamptz", "timestamp with time zone":
		return resolveTimestamp(TimestampTZ, mods)
	case "interval":
		if len(mods) > 0 {
			return nil, pgerror.Unsupported("interval with a field or precision modifier")
		}
		return Interval, nil
	case "uuid":
		base = UUID
	case "time", "time without time zone":
		return resolveTimestamp(Time, mods)
	case "timetz", "time with time zone":
		return resolveTimestamp(TimeTZ, mods)
	case "json":
		base = JSONType
	case "jsonb":
		base = JSONB
	case "unknown":
		base = Unknown
	default:
		if unsupportedTypes[n] || strings.HasPrefix(n, "_") || strings.HasSuffix(n, "[]") {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "type \"%s\" is not supported", name)
		}
		return nil, pgerror.New(pgerror.CodeUndefinedType, "type \"%s\" does not exist", name)
	}
	if len(mods) > 0 {
		return nil, pgerror.New(pgerror.CodeSyntaxError, "type modifier is not allowed for type \"%s\"", n)
	}
	return base, nil
}

// unsupportedTypes are PostgreSQL built-in types rangedb does not have.
var unsupportedTypes = map[string]bool{
	"money": true,
	"inet":  true, "cidr": true, "macaddr": true, "macaddr8": true, "xml": true,
	"bit": true, "varbit": true, "bit varying": true, "point": true, "line": true,
	"lseg": true, "box": true, "path": true, "polygon": true, "circle": true,
	"oid": true, "name": true, "\"char\"": true, "regclass": true, "regtype": true,
	"regproc": true, "tsvector": true, "tsquery": true, "int4range": true,
	"int8range": true, "numrange": true, "tsrange": true, "tstzrange": true,
	"daterange": true, "jsonpath": true, "pg_lsn": true, "txid_snapshot": true,
	"record": true, "void": true, "anyelement": true, "serial": true,
	"bigserial": true, "smallserial": true, "serial4": true, "serial8": true,
	"serial2": true, "xid": true, "cid": true, "tid": true, "citext": true,
}

func invalidParam(format string, args ...any) error {
	return pgerror.New(pgerror.CodeInvalidParameterValue, format, args...)
}

func resolveFloat(mods []int32) (*T, error) {
	switch len(mods) {
	case 0:
		return Float8, nil
	case 1:
	default:
		return nil, pgerror.New(pgerror.CodeSyntaxError, "type modifier is not allowed for type \"float8\"")
	}
	p := mods[0]
	switch {
	case p < 1:
		return nil, invalidParam("precision for type float must be at least 1 bit")
	case p <= 24:
		return Float4, nil
	case p <= 53:
		return Float8, nil
	}
	return nil, invalidParam("precision for type float must be less than 54 bits")
}

func resolveNumeric(mods []int32) (*T, error) {
	var p, s int32
	switch len(mods) {
	case 0:
		return Numeric, nil
	case 1:
		p = mods[0]
	case 2:
		p, s = mods[0], mods[1]
	default:
		return nil, invalidParam("invalid NUMERIC type modifier")
	}
	if p < 1 || p > MaxNumericPrec {
		return nil, invalidParam("NUMERIC precision %d must be between 1 and %d", p, MaxNumericPrec)
	}
	if s < MinNumericScale || s > MaxNumericScale {
		return nil, invalidParam("NUMERIC scale %d must be between %d and %d", s, MinNumericScale, MaxNumericScale)
	}
	return MakeNumeric(int(p), int(s)), nil
}

func resolveChar(base *T, what string, mods []int32) (*T, error) {
	switch len(mods) {
	case 0:
		return base, nil
	case 1:
	default:
		return nil, invalidParam("invalid type modifier")
	}
	n := mods[0]
	if n < 1 {
		return nil, invalidParam("length for type %s must be at least 1", what)
	}
	if n > MaxVarCharLength {
		return nil, invalidParam("length for type %s cannot exceed %d", what, MaxVarCharLength)
	}
	t := *base
	t.Mod = n + varHdrSz
	return &t, nil
}

func resolveTimestamp(base *T, mods []int32) (*T, error) {
	switch len(mods) {
	case 0:
		return base, nil
	case 1:
	default:
		return nil, invalidParam("invalid type modifier")
	}
	p := mods[0]
	if p < 0 {
		tz, what := "", "TIMESTAMP"
		if base.Family == TimestampTZFamily || base.Family == TimeTZFamily {
			tz = " WITH TIME ZONE"
		}
		if base.Family == TimeFamily || base.Family == TimeTZFamily {
			what = "TIME"
		}
		return nil, invalidParam("%s(%d)%s precision must not be negative", what, p, tz)
	}
	return MakeTimestamp(base, int(p)), nil
}
