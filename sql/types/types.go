package types

import "fmt"

// Family groups types that share a Datum representation and comparison.
type Family uint8

// The families. Values are persisted in table descriptors: append, never
// renumber.
const (
	UnknownFamily Family = iota
	IntFamily
	StringFamily
	BoolFamily
)

// T is a SQL type. Types are compared by pointer-free equality (Equal).
type T struct {
	Family Family
	// Width is the bit width of integer types (32 or 64); 0 otherwise.
	Width int
	// OID is the PostgreSQL type OID reported to clients.
	OID uint32
	// Name is PostgreSQL's display name ("integer", "bigint", "text").
	Name string
	// Size is pg_type.typlen (-1 for variable length).
	Size int16
}

// The PostgreSQL type OIDs rangedb uses.
const (
	OIDBool    uint32 = 16
	OIDInt8    uint32 = 20
	OIDInt4    uint32 = 23
	OIDText    uint32 = 25
	OIDUnknown uint32 = 705
)

// The types.
var (
	Int4    = &T{Family: IntFamily, Width: 32, OID: OIDInt4, Name: "integer", Size: 4}
	Int8    = &T{Family: IntFamily, Width: 64, OID: OIDInt8, Name: "bigint", Size: 8}
	Text    = &T{Family: StringFamily, OID: OIDText, Name: "text", Size: -1}
	Bool    = &T{Family: BoolFamily, OID: OIDBool, Name: "boolean", Size: 1}
	Unknown = &T{Family: UnknownFamily, OID: OIDUnknown, Name: "unknown", Size: -2}
)

// Equal reports whether t and o are the same type.
func (t *T) Equal(o *T) bool {
	return t.Family == o.Family && t.Width == o.Width && t.OID == o.OID
}

func (t *T) String() string { return t.Name }

// ByOID returns the type with a PostgreSQL OID, or nil.
func ByOID(oid uint32) *T {
	switch oid {
	case OIDInt4:
		return Int4
	case OIDInt8:
		return Int8
	case OIDText:
		return Text
	case OIDBool:
		return Bool
	}
	return nil
}

// Persisted is the form of a type stored in descriptors.
type Persisted struct {
	OID uint32 `json:"oid"`
}

// Persist returns the stored form of t.
func (t *T) Persist() Persisted { return Persisted{OID: t.OID} }

// FromPersisted returns the type of a stored form.
func FromPersisted(p Persisted) (*T, error) {
	if t := ByOID(p.OID); t != nil {
		return t, nil
	}
	return nil, fmt.Errorf("types: unknown stored type oid %d", p.OID)
}
