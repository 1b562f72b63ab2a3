package types

import (
	"encoding/json"
	"testing"

	"github.com/rangedb/rangedb/sql/pgerror"
)

func TestResolveTypeName(t *testing.T) {
	for _, tc := range []struct {
		name string
		mods []int32
		want string // String() of the type, or "ERROR <code> <message>"
		mod  int32
	}{
		{"int4", nil, "integer", -1},
		{"integer", nil, "integer", -1},
		{"int2", nil, "smallint", -1},
		{"int8", nil, "bigint", -1},
		{"float4", nil, "real", -1},
		{"float", []int32{24}, "real", -1},
		{"float", []int32{25}, "double precision", -1},
		{"float", []int32{0}, "ERROR 22023 precision for type float must be at least 1 bit", 0},
		{"float", []int32{54}, "ERROR 22023 precision for type float must be less than 54 bits", 0},
		{"numeric", []int32{5, 2}, "numeric(5,2)", 5<<16 | 2 + 4},
		{"numeric", []int32{5}, "numeric(5,0)", 5<<16 + 4},
		{"decimal", nil, "numeric", -1},
		{"numeric", []int32{0, 0}, "ERROR 22023 NUMERIC precision 0 must be between 1 and 1000", 0},
		{"numeric", []int32{5, 1001}, "ERROR 22023 NUMERIC scale 1001 must be between -1000 and 1000", 0},
		{"numeric", []int32{5, -1}, "numeric(5,-1)", 5<<16 | 0x7ff + 4},
		{"varchar", []int32{3}, "character varying(3)", 7},
		{"varchar", nil, "character varying", -1},
		{"varchar", []int32{0}, "ERROR 22023 length for type varchar must be at least 1", 0},
		{"varchar", []int32{10485761}, "ERROR 22023 length for type varchar cannot exceed 10485760", 0},
		{"bpchar", []int32{4}, "character(4)", 8},
		{"char", nil, "character(1)", 5},
		{"bpchar", nil, "character", -1},
		{"timestamp", []int32{3}, "timestamp(3) without time zone", 3},
		{"timestamptz", []int32{7}, "timestamp(6) with time zone", 6},
		{"timestamptz", nil, "timestamp with time zone", -1},
		{"int4", []int32{3}, "ERROR 42601 type modifier is not allowed for type \"int4\"", 0},
		{"xml", nil, "ERROR 0A000 type \"xml\" is not supported", 0},
		{"jsonb", nil, "jsonb", -1},
		{"json", []int32{1}, "ERROR 42601 type modifier is not allowed for type \"json\"", 0},
		{"_int4", nil, "ERROR 0A000 type \"_int4\" is not supported", 0},
		{"foo", nil, "ERROR 42704 type \"foo\" does not exist", 0},
	} {
		typ, err := ResolveTypeName(tc.name, tc.mods)
		if err != nil {
			pe := pgerror.Flatten(err)
			if got := "ERROR " + pe.Code + " " + pe.Message; got != tc.want {
				t.Errorf("ResolveTypeName(%s, %v): %s, want %s", tc.name, tc.mods, got, tc.want)
			}
			continue
		}
		if typ.String() != tc.want || typ.TypeModifier() != tc.mod {
			t.Errorf("ResolveTypeName(%s, %v) = %s mod %d, want %s mod %d", tc.name, tc.mods, typ, typ.TypeModifier(), tc.want, tc.mod)
		}
	}
	n := MakeNumeric(7, -3)
	if n.Precision() != 7 || n.Scale() != -3 {
		t.Errorf("numeric(7,-3): precision %d scale %d", n.Precision(), n.Scale())
	}
}

func TestPersisted(t *testing.T) {
	// Descriptors written before typmods existed.
	var p Persisted
	if err := json.Unmarshal([]byte(`{"oid":23}`), &p); err != nil {
		t.Fatal(err)
	}
	if typ, err := FromPersisted(p); err != nil || typ != Int4 {
		t.Fatalf("old form: %v, %v", typ, err)
	}
	for _, typ := range []*T{Int4, MakeVarChar(3), MakeChar(1), MakeNumeric(10, 2), MakeTimestamp(TimestampTZ, 0), Bytea, Interval} {
		b, err := json.Marshal(typ.Persist())
		if err != nil {
			t.Fatal(err)
		}
		var p Persisted
		if err := json.Unmarshal(b, &p); err != nil {
			t.Fatal(err)
		}
		back, err := FromPersisted(p)
		if err != nil || !back.Identical(typ) {
			t.Errorf("%s: persisted %s read back as %v, %v", typ, b, back, err)
		}
	}
}

func TestCastAllowed(t *testing.T) {
	for _, tc := range []struct {
		from, to             *T
		expl, assign, implic bool
	}{
		{Int4, Int8, true, true, true},
		{Int8, Int4, true, true, false},
		{Int4, Bool, true, false, false},
		{Int8, Bool, false, false, false},
		{Float8, Int4, true, true, false},
		{Int4, Numeric, true, true, true},
		{Numeric, Float8, true, true, true},
		{Int4, Text, true, true, false},
		{Text, Int4, true, false, false},
		{Text, MakeVarChar(3), true, true, true},
		{Date, Timestamp, true, true, true},
		{TimestampTZ, Date, true, true, false},
		{Bytea, Int4, false, false, false},
		{Unknown, Date, true, true, true},
	} {
		e, a, i := CastAllowed(tc.from, tc.to)
		if e != tc.expl || a != tc.assign || i != tc.implic {
			t.Errorf("CastAllowed(%s, %s) = %v %v %v", tc.from, tc.to, e, a, i)
		}
	}
}

func TestResolveBinaryOpUnknown(t *testing.T) {
	for _, tc := range []struct {
		op   string
		l, r *T
		want *T
	}{
		{"+", Unknown, Int2, Int2},
		{"=", Unknown, Unknown, Bool},
		{"||", Unknown, Unknown, Text},
		{"||", Int4, Unknown, Text},
		{"-", Date, Unknown, Int4}, // PostgreSQL: date - date
	} {
		got, ok := ResolveBinaryOp(tc.op, tc.l, tc.r)
		if !ok || !got.Equal(tc.want) {
			t.Errorf("ResolveBinaryOp(%s, %s, %s) = %v, %v", tc.op, tc.l, tc.r, got, ok)
		}
	}
	if _, ok := ResolveBinaryOp("+", Unknown, Unknown); ok {
		t.Errorf("unknown + unknown resolved")
	}
}

func TestFormatEmptyString(t *testing.T) {
	if b := Format(DString("")); b == nil {
		t.Errorf("empty string formats as NULL")
	}
	if b := Format(DNull); b != nil {
		t.Errorf("NULL formats as %q", b)
	}
}
