package exec

import (
	"strconv"
	"strings"

	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// CatalogInfo answers the pg_catalog functions that read the catalog
// (plan/funcs_catalog.go). The session implements it beside SessionInfo;
// each method reports false for an oid naming nothing, which the
// functions return as NULL, as PostgreSQL does for a dropped object.
type CatalogInfo interface {
	// UserName is the role with oid id (pg_get_userbyid).
	UserName(id int64) string
	// RelationName is the relation's name as regclass prints it.
	RelationName(id int64) (string, bool)
	// TypeName is the type's name as regtype prints it.
	TypeName(id int64) (string, bool)
	// NamespaceName is the schema's name as regnamespace prints it.
	NamespaceName(id int64) (string, bool)
	// IndexDef is pg_get_indexdef's CREATE INDEX statement, or with
	// column > 0 that key column's definition alone; pretty leaves the
	// predicate's outer parentheses out.
	IndexDef(id int64, column int, pretty bool) (string, bool)
	// ConstraintDef is pg_get_constraintdef's text, pretty as IndexDef.
	ConstraintDef(id int64, pretty bool) (string, bool)
	// Description is COMMENT ON's text for the object with oid id in
	// catalog class (pg_class, pg_database), sub > 0 a column's.
	Description(id int64, class string, sub int) (string, bool)
}

// callCatalogBuiltin evaluates the pg_catalog functions, reporting false
// for other functions. All are strict.
func (c *Context) callCatalogBuiltin(f *plan.Func, args []types.Datum) (types.Datum, bool, error) {
	switch f.Name {
	case "pg_get_userbyid", "pg_table_is_visible", "pg_type_is_visible", "format_type", "pg_get_indexdef",
		"pg_get_constraintdef", "pg_get_expr", "pg_get_triggerdef", "pg_get_viewdef", "obj_description",
		"col_description", "shobj_description", "pg_relation_size", "pg_table_size", "pg_total_relation_size",
		"pg_encoding_to_char", "pg_relation_is_publishable", "pg_get_statisticsobjdef_columns", "pg_is_in_recovery",
		"has_table_privilege", "has_schema_privilege", "has_database_privilege",
		"rangedb_regclass_out", "rangedb_regtype_out", "rangedb_regnamespace_out":
	default:
		return callArrayTextBuiltin(f, args)
	}
	if f.Name == "format_type" && len(args) == 2 && args[0] != types.DNull && args[1] == types.DNull {
		args = types.Datums{args[0], types.DInt(-1)} // format_type is not strict in its typmod
	}
	for _, a := range args {
		if a == types.DNull {
			return types.DNull, true, nil
		}
	}
	id := func(i int) int64 { n, _ := args[i].(types.DInt); return int64(n) }
	ci, _ := c.Session.(CatalogInfo)
	name := func(s string, ok bool) (types.Datum, bool, error) {
		if !ok {
			return types.DNull, true, nil
		}
		return types.DString(s), true, nil
	}
	switch f.Name {
	case "pg_table_is_visible", "pg_type_is_visible", "has_table_privilege", "has_schema_privilege", "has_database_privilege":
		return types.DBool(true), true, nil
	case "pg_relation_is_publishable", "pg_is_in_recovery":
		return types.DBool(false), true, nil
	case "pg_relation_size", "pg_table_size", "pg_total_relation_size":
		return types.DInt(0), true, nil
	case "pg_encoding_to_char":
		if id(0) == 6 {
			return types.DString("UTF8"), true, nil
		}
		return types.DString(""), true, nil
	case "pg_get_expr":
		return args[0], true, nil // adbin and the like hold the expression's text
	case "format_type":
		t := types.ByOIDMod(uint32(id(0)), int32(id(1)))
		if t == nil {
			return types.DString("???"), true, nil
		}
		return types.DString(t.String()), true, nil
	case "pg_get_triggerdef", "pg_get_viewdef", "pg_get_statisticsobjdef_columns":
		return types.DNull, true, nil
	}
	if ci == nil {
		return types.DNull, true, nil
	}
	switch f.Name {
	case "obj_description", "shobj_description", "col_description":
		class, sub := "pg_class", 0
		if f.Name == "col_description" {
			sub = int(id(1))
		} else if len(args) == 2 {
			class, _ = types.AsString(args[1])
		}
		if text, ok := ci.Description(id(0), class, sub); ok {
			return types.DString(text), true, nil
		}
		return types.DNull, true, nil
	}
	switch f.Name {
	case "pg_get_userbyid":
		return types.DString(ci.UserName(id(0))), true, nil
	case "rangedb_regclass_out":
		if s, ok := ci.RelationName(id(0)); ok {
			return types.DString(s), true, nil
		}
	case "rangedb_regtype_out":
		if s, ok := ci.TypeName(id(0)); ok {
			return types.DString(s), true, nil
		}
	case "rangedb_regnamespace_out":
		if s, ok := ci.NamespaceName(id(0)); ok {
			return types.DString(s), true, nil
		}
	case "pg_get_indexdef":
		col := 0
		if len(args) == 3 {
			col = int(id(1))
		}
		return name(ci.IndexDef(id(0), col, len(args) == 3 && args[2] == types.DBool(true)))
	case "pg_get_constraintdef":
		return name(ci.ConstraintDef(id(0), len(args) == 2 && args[1] == types.DBool(true)))
	}
	// An oid naming nothing prints as the number, as the reg* types do.
	return types.DString(strconv.FormatInt(id(0), 10)), true, nil
}

// arrayText is the text form of a one-dimensional array of vals, as
// array_out prints it: '{a,"b c",NULL}'. rangedb has no array type;
// ARRAY(SELECT …) and the catalogs' array columns are this text.
func arrayText(vals []types.Datum, t *types.T, fc *types.FormatContext) types.Datum {
	var b strings.Builder
	b.WriteByte('{')
	for i, v := range vals {
		if i > 0 {
			b.WriteByte(',')
		}
		if v == types.DNull {
			b.WriteString("NULL")
			continue
		}
		s := textOf(v, t, fc)
		if s == "" || strings.EqualFold(s, "NULL") || strings.ContainsAny(s, "{}\",\\ \t\n\r\v\f") {
			s = `"` + strings.NewReplacer(`\`, `\\`, `"`, `\"`).Replace(s) + `"`
		}
		b.WriteString(s)
	}
	b.WriteByte('}')
	return types.DString(b.String())
}

// callArrayTextBuiltin evaluates the functions over arrays in their text
// form (plan/funcs_catalog.go), reporting false for other functions:
// array_to_string, array_upper, the subscript a[i] and x = ANY (a). All
// are strict; a malformed array is 22P02 malformed array literal.
func callArrayTextBuiltin(f *plan.Func, args []types.Datum) (types.Datum, bool, error) {
	switch f.Name {
	case "array_to_string", "array_upper", "rangedb_array_subscript", "rangedb_array_any_eq":
	default:
		return nil, false, nil
	}
	for _, a := range args {
		if a == types.DNull {
			return types.DNull, true, nil
		}
	}
	s, _ := types.AsString(args[0])
	elems, err := types.ParseTextArray(s)
	if err != nil {
		return nil, true, err
	}
	switch f.Name {
	case "array_to_string":
		sep, _ := types.AsString(args[1])
		var out []string
		for _, e := range elems {
			if e != nil {
				out = append(out, *e)
			}
		}
		return types.DString(strings.Join(out, sep)), true, nil
	case "array_upper":
		if dim, _ := args[1].(types.DInt); dim != 1 || len(elems) == 0 {
			return types.DNull, true, nil
		}
		return types.DInt(len(elems)), true, nil
	case "rangedb_array_subscript":
		i, _ := args[1].(types.DInt)
		if i < 1 || int(i) > len(elems) || elems[i-1] == nil {
			return types.DNull, true, nil
		}
		return types.DString(*elems[i-1]), true, nil
	}
	// rangedb_array_any_eq(array, x): x = ANY (array), compared as text.
	x, _ := types.AsString(args[1])
	sawNull := false
	for _, e := range elems {
		if e == nil {
			sawNull = true
		} else if *e == x {
			return types.DBool(true), true, nil
		}
	}
	if sawNull {
		return types.DNull, true, nil
	}
	return types.DBool(false), true, nil
}

// QuoteIdent quotes a name as PostgreSQL's quote_identifier does (bare
// when it is a lower-case identifier and no keyword that needs quoting),
// for the catalog functions that print SQL (sql/pgcatalog_funcs.go).
func QuoteIdent(s string) string { return quoteIdent(s) }
