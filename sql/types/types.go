package types

import (
	"fmt"
	"strconv"
)

// Family groups types that share a Datum representation and comparison.
type Family uint8

// The families. Families are not persisted (descriptors store OIDs and
// typmods), but keep the order stable anyway: append, never renumber.
const (
	UnknownFamily Family = iota
	IntFamily
	StringFamily
	BoolFamily
	FloatFamily
	DecimalFamily
	BytesFamily
	DateFamily
	TimestampFamily
	TimestampTZFamily
	IntervalFamily
	UUIDFamily
	TimeFamily
	TimeTZFamily
	JSONFamily
	JSONBFamily
)

// T is a SQL type: a PostgreSQL type OID plus its type modifier. Types are
// values; compare them with Equal (same type, ignoring the modifier) or
// Identical (modifier included), never by pointer.
type T struct {
	Family Family
	// Width is the bit width of integer types (16, 32 or 64) and of float
	// types (32 or 64); 0 otherwise.
	Width int
	// OID is the PostgreSQL type OID reported to clients.
	OID uint32
	// Name is PostgreSQL's base display name ("integer", "character
	// varying", "numeric"); String adds the modifier as format_type does.
	Name string
	// Size is pg_type.typlen (-1 for variable length).
	Size int16
	// Mod is PostgreSQL's typmod (atttypmod), -1 when the type has none:
	// n+4 for varchar(n) and char(n), ((p<<16)|(s&0x7ff))+4 for
	// numeric(p,s), p for timestamp(p). Read it through Length, Precision,
	// Scale and TypeModifier.
	Mod int32
}

// The PostgreSQL type OIDs rangedb uses.
const (
	OIDBool        uint32 = 16
	OIDBytea       uint32 = 17
	OIDInt8        uint32 = 20
	OIDInt2        uint32 = 21
	OIDInt4        uint32 = 23
	OIDText        uint32 = 25
	OIDFloat4      uint32 = 700
	OIDFloat8      uint32 = 701
	OIDUnknown     uint32 = 705
	OIDBpchar      uint32 = 1042
	OIDVarchar     uint32 = 1043
	OIDDate        uint32 = 1082
	OIDTimestamp   uint32 = 1114
	OIDTimestampTZ uint32 = 1184
	OIDInterval    uint32 = 1186
	OIDNumeric     uint32 = 1700
	OIDUUID        uint32 = 2950
	OIDVoid        uint32 = 2278
	OIDTime        uint32 = 1083
	OIDTimeTZ      uint32 = 1266
	OIDJSON        uint32 = 114
	OIDJSONB       uint32 = 3802
)

// The types without modifiers. Never modify them; derive modified types
// with MakeVarChar, MakeChar, MakeNumeric and MakeTimestamp.
var (
	Int2        = &T{Family: IntFamily, Width: 16, OID: OIDInt2, Name: "smallint", Size: 2, Mod: -1}
	Int4        = &T{Family: IntFamily, Width: 32, OID: OIDInt4, Name: "integer", Size: 4, Mod: -1}
	Int8        = &T{Family: IntFamily, Width: 64, OID: OIDInt8, Name: "bigint", Size: 8, Mod: -1}
	Float4      = &T{Family: FloatFamily, Width: 32, OID: OIDFloat4, Name: "real", Size: 4, Mod: -1}
	Float8      = &T{Family: FloatFamily, Width: 64, OID: OIDFloat8, Name: "double precision", Size: 8, Mod: -1}
	Numeric     = &T{Family: DecimalFamily, OID: OIDNumeric, Name: "numeric", Size: -1, Mod: -1}
	Text        = &T{Family: StringFamily, OID: OIDText, Name: "text", Size: -1, Mod: -1}
	VarChar     = &T{Family: StringFamily, OID: OIDVarchar, Name: "character varying", Size: -1, Mod: -1}
	BpChar      = &T{Family: StringFamily, OID: OIDBpchar, Name: "character", Size: -1, Mod: -1}
	Bool        = &T{Family: BoolFamily, OID: OIDBool, Name: "boolean", Size: 1, Mod: -1}
	Bytea       = &T{Family: BytesFamily, OID: OIDBytea, Name: "bytea", Size: -1, Mod: -1}
	Date        = &T{Family: DateFamily, OID: OIDDate, Name: "date", Size: 4, Mod: -1}
	Timestamp   = &T{Family: TimestampFamily, OID: OIDTimestamp, Name: "timestamp without time zone", Size: 8, Mod: -1}
	TimestampTZ = &T{Family: TimestampTZFamily, OID: OIDTimestampTZ, Name: "timestamp with time zone", Size: 8, Mod: -1}
	Interval    = &T{Family: IntervalFamily, OID: OIDInterval, Name: "interval", Size: 16, Mod: -1}
	UUID        = &T{Family: UUIDFamily, OID: OIDUUID, Name: "uuid", Size: 16, Mod: -1}
	// Void is what functions that return nothing (pg_sleep) return: an
	// empty string in text and binary, as void_out and void_send make
	// it. No column has it.
	Void     = &T{Family: StringFamily, OID: OIDVoid, Name: "void", Size: 4, Mod: -1}
	Time     = &T{Family: TimeFamily, OID: OIDTime, Name: "time without time zone", Size: 8, Mod: -1}
	TimeTZ   = &T{Family: TimeTZFamily, OID: OIDTimeTZ, Name: "time with time zone", Size: 12, Mod: -1}
	JSONType = &T{Family: JSONFamily, OID: OIDJSON, Name: "json", Size: -1, Mod: -1}
	JSONB    = &T{Family: JSONBFamily, OID: OIDJSONB, Name: "jsonb", Size: -1, Mod: -1}
	Unknown  = &T{Family: UnknownFamily, OID: OIDUnknown, Name: "unknown", Size: -2, Mod: -1}
)

// Limits of type modifiers, as in PostgreSQL.
const (
	MaxVarCharLength  = 10485760
	MaxNumericPrec    = 1000
	MinNumericScale   = -1000
	MaxNumericScale   = 1000
	MaxTimePrecision  = 6
	varHdrSz          = 4
	numericScaleMask  = 0x7ff
	numericSignBitMax = 0x400
)

// MakeVarChar returns varchar(n); n <= 0 means no limit.
func MakeVarChar(n int) *T {
	t := *VarChar
	if n > 0 {
		t.Mod = int32(n) + varHdrSz
	}
	return &t
}

// MakeChar returns char(n) (bpchar); n <= 0 means no limit (bare bpchar).
func MakeChar(n int) *T {
	t := *BpChar
	if n > 0 {
		t.Mod = int32(n) + varHdrSz
	}
	return &t
}

// MakeNumeric returns numeric(p,s); p <= 0 means unconstrained numeric.
func MakeNumeric(p, s int) *T {
	t := *Numeric
	if p > 0 {
		t.Mod = int32((p<<16)|(s&numericScaleMask)) + varHdrSz
	}
	return &t
}

// MakeTimestamp returns typ (Timestamp or TimestampTZ) with fractional
// precision p (0..6); p < 0 means the default (6, no modifier).
func MakeTimestamp(typ *T, p int) *T {
	t := *typ
	if p >= 0 {
		t.Mod = int32(min(p, MaxTimePrecision))
	}
	return &t
}

// TypeModifier returns t's typmod as RowDescription reports it: -1 when
// none.
func (t *T) TypeModifier() int32 {
	if t.Mod < 0 {
		return -1
	}
	return t.Mod
}

// Length returns the character limit of varchar(n)/char(n), or 0 when the
// type has none.
func (t *T) Length() int {
	if t.Family != StringFamily || t.Mod < varHdrSz {
		return 0
	}
	return int(t.Mod - varHdrSz)
}

// HasPrecision reports whether a numeric or timestamp type carries a
// precision modifier.
func (t *T) HasPrecision() bool {
	switch t.Family {
	case DecimalFamily:
		return t.Mod >= varHdrSz
	case TimestampFamily, TimestampTZFamily, TimeFamily, TimeTZFamily:
		return t.Mod >= 0
	}
	return false
}

// Precision returns p of numeric(p,s) or timestamp(p); 0 when none (check
// HasPrecision for timestamps, where 0 is a valid precision).
func (t *T) Precision() int {
	switch t.Family {
	case DecimalFamily:
		if t.Mod >= varHdrSz {
			return int((t.Mod - varHdrSz) >> 16)
		}
	case TimestampFamily, TimestampTZFamily, TimeFamily, TimeTZFamily:
		if t.Mod >= 0 {
			return int(t.Mod)
		}
	}
	return 0
}

// Scale returns s of numeric(p,s) (which may be negative), or 0.
func (t *T) Scale() int {
	if t.Family != DecimalFamily || t.Mod < varHdrSz {
		return 0
	}
	s := int((t.Mod - varHdrSz) & numericScaleMask)
	return (s ^ numericSignBitMax) - numericSignBitMax // sign-extend 11 bits
}

// Equal reports whether t and o are the same type, ignoring modifiers
// (varchar(3) equals varchar(5)): the identity operators and casts are
// resolved on.
func (t *T) Equal(o *T) bool {
	return t.Family == o.Family && t.Width == o.Width && t.OID == o.OID
}

// Identical reports whether t and o are the same type with the same
// modifier.
func (t *T) Identical(o *T) bool {
	return t.Equal(o) && t.TypeModifier() == o.TypeModifier()
}

// WithoutMod returns t's unmodified base type.
func (t *T) WithoutMod() *T {
	if t.Mod < 0 {
		return t
	}
	c := *t
	c.Mod = -1
	return &c
}

// String returns t as PostgreSQL's format_type shows it in messages:
// "character varying(3)", "numeric(5,2)", "timestamp(3) with time zone".
func (t *T) String() string {
	if t.Mod < 0 {
		return t.Name
	}
	switch t.Family {
	case StringFamily:
		if n := t.Length(); n > 0 {
			return t.Name + "(" + strconv.Itoa(n) + ")"
		}
	case DecimalFamily:
		if t.HasPrecision() {
			return fmt.Sprintf("numeric(%d,%d)", t.Precision(), t.Scale())
		}
	case TimestampFamily:
		return fmt.Sprintf("timestamp(%d) without time zone", t.Mod)
	case TimestampTZFamily:
		return fmt.Sprintf("timestamp(%d) with time zone", t.Mod)
	case TimeFamily:
		return fmt.Sprintf("time(%d) without time zone", t.Mod)
	case TimeTZFamily:
		return fmt.Sprintf("time(%d) with time zone", t.Mod)
	}
	return t.Name
}

// SQLName returns the short name PostgreSQL uses in messages that quote a
// type's internal name ("int4", "varchar", "bpchar", "float8").
func (t *T) SQLName() string {
	switch t.OID {
	case OIDInt2:
		return "int2"
	case OIDInt4:
		return "int4"
	case OIDInt8:
		return "int8"
	case OIDFloat4:
		return "float4"
	case OIDFloat8:
		return "float8"
	case OIDBool:
		return "bool"
	case OIDVarchar:
		return "varchar"
	case OIDBpchar:
		return "bpchar"
	case OIDTimestampTZ:
		return "timestamptz"
	case OIDTimestamp:
		return "timestamp"
	case OIDTime:
		return "time"
	case OIDTimeTZ:
		return "timetz"
	}
	return t.Name
}

// ByOID returns the unmodified type with a PostgreSQL OID, or nil.
func ByOID(oid uint32) *T {
	switch oid {
	case OIDInt2:
		return Int2
	case OIDInt4:
		return Int4
	case OIDInt8:
		return Int8
	case OIDText:
		return Text
	case OIDBool:
		return Bool
	case OIDFloat4:
		return Float4
	case OIDFloat8:
		return Float8
	case OIDNumeric:
		return Numeric
	case OIDVarchar:
		return VarChar
	case OIDBpchar:
		return BpChar
	case OIDBytea:
		return Bytea
	case OIDDate:
		return Date
	case OIDTimestamp:
		return Timestamp
	case OIDTimestampTZ:
		return TimestampTZ
	case OIDInterval:
		return Interval
	case OIDUUID:
		return UUID
	case OIDTime:
		return Time
	case OIDTimeTZ:
		return TimeTZ
	case OIDJSON:
		return JSONType
	case OIDJSONB:
		return JSONB
	case OIDUnknown:
		return Unknown
	}
	return nil
}

// ByOIDMod returns the type with an OID and typmod (as a Parse or Bind
// message, or a descriptor, carries them), or nil for an unknown OID.
func ByOIDMod(oid uint32, mod int32) *T {
	t := ByOID(oid)
	if t == nil || mod < 0 {
		return t
	}
	switch t.Family {
	case StringFamily, DecimalFamily, TimestampFamily, TimestampTZFamily, TimeFamily, TimeTZFamily:
		c := *t
		c.Mod = mod
		return &c
	}
	return t
}

// Persisted is the form of a type stored in descriptors. Mod is absent in
// descriptors written before typmods existed, which decode as "none".
type Persisted struct {
	OID uint32 `json:"oid"`
	Mod *int32 `json:"mod,omitempty"`
}

// Persist returns the stored form of t.
func (t *T) Persist() Persisted {
	p := Persisted{OID: t.OID}
	if t.Mod >= 0 {
		m := t.Mod
		p.Mod = &m
	}
	return p
}

// FromPersisted returns the type of a stored form.
func FromPersisted(p Persisted) (*T, error) {
	mod := int32(-1)
	if p.Mod != nil {
		mod = *p.Mod
	}
	if t := ByOIDMod(p.OID, mod); t != nil && t != Unknown {
		return t, nil
	}
	return nil, fmt.Errorf("types: unknown stored type oid %d", p.OID)
}
