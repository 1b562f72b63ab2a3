package sql

import (
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// This file checks CREATE INDEX's operator classes and INCLUDE columns.
// rangedb's index entries are ordered by the key encoding, bytewise for
// strings (the C collation's order), which is what btree's default
// classes give under the C collation and what the *_pattern_ops classes
// give under any: so each of those is accepted for the types it takes,
// as PostgreSQL names them, and kept in the index's definition.

// btreeOpclasses maps btree operator classes to the type families they
// take.
var btreeOpclasses = map[string][]types.Family{
	"int2_ops": {types.IntFamily}, "int4_ops": {types.IntFamily}, "int8_ops": {types.IntFamily},
	"integer_ops": {types.IntFamily}, "float4_ops": {types.FloatFamily}, "float8_ops": {types.FloatFamily},
	"float_ops": {types.FloatFamily}, "numeric_ops": {types.DecimalFamily}, "bool_ops": {types.BoolFamily},
	"text_ops": {types.StringFamily}, "varchar_ops": {types.StringFamily}, "bpchar_ops": {types.StringFamily},
	"text_pattern_ops": {types.StringFamily}, "varchar_pattern_ops": {types.StringFamily},
	"bpchar_pattern_ops": {types.StringFamily}, "bytea_ops": {types.BytesFamily},
	"date_ops": {types.DateFamily}, "timestamp_ops": {types.TimestampFamily},
	"timestamptz_ops": {types.TimestampTZFamily}, "interval_ops": {types.IntervalFamily},
	"uuid_ops": {types.UUIDFamily}, "time_ops": {types.TimeFamily}, "timetz_ops": {types.TimeTZFamily},
	"jsonb_ops": {types.JSONBFamily},
}

// indexOpclasses checks the operator classes named in cols (nil when
// none is).
func indexOpclasses(t *catalog.TableDescriptor, cols []ast.IndexColumn) ([]string, error) {
	var out []string
	for i, c := range cols {
		if c.Opclass == "" {
			continue
		}
		fams, ok := btreeOpclasses[c.Opclass]
		if !ok {
			return nil, pgerror.New(pgerror.CodeUndefinedObject, "operator class \"%s\" does not exist for access method \"btree\"", c.Opclass)
		}
		typ := t.Columns[t.FindColumn(c.Name)].Type
		accepted := false
		for _, f := range fams {
			accepted = accepted || typ.Family == f
		}
		if !accepted {
			return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "operator class \"%s\" does not accept data type %s", c.Opclass, typ.WithoutMod())
		}
		if out == nil {
			out = make([]string, len(cols))
		}
		out[i] = c.Opclass
	}
	return out, nil
}

// includeColumns resolves INCLUDE's columns, which must exist.
func includeColumns(t *catalog.TableDescriptor, cols []ast.IndexColumn) ([]catalog.ColumnID, error) {
	var out []catalog.ColumnID
	for _, c := range cols {
		ord := findVisibleColumn(t, c.Name)
		if ord < 0 {
			return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" does not exist", c.Name)
		}
		out = append(out, t.Columns[ord].ID)
	}
	return out, nil
}
