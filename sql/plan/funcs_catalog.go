package plan

import (
	"strconv"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// This file binds what psql's catalog queries call: the pg_catalog
// functions over the catalog (sql/exec evaluates them through the
// session, builtins_catalog.go) and casts to the object-identifier types.
// rangedb has no oid type: an oid is a bigint, and regclass, regtype and
// regnamespace are bigints on input (a name read back as its oid when the
// statement is planned) and their output names as text.

// catalogBuiltins are the signatures of the pg_catalog functions. The
// table is read-only.
var catalogBuiltins = map[string][]overload{
	"pg_get_userbyid":                 {sig(types.Text, types.Int8)},
	"pg_table_is_visible":             {sig(types.Bool, types.Int8)},
	"pg_type_is_visible":              {sig(types.Bool, types.Int8)},
	"format_type":                     {sig(types.Text, types.Int8, types.Int4)},
	"pg_get_indexdef":                 {sig(types.Text, types.Int8), sig(types.Text, types.Int8, types.Int4, types.Bool)},
	"pg_get_constraintdef":            {sig(types.Text, types.Int8), sig(types.Text, types.Int8, types.Bool)},
	"pg_get_expr":                     {sig(types.Text, types.Text, types.Int8), sig(types.Text, types.Text, types.Int8, types.Bool)},
	"pg_get_triggerdef":               {sig(types.Text, types.Int8), sig(types.Text, types.Int8, types.Bool)},
	"pg_get_viewdef":                  {sig(types.Text, types.Int8), sig(types.Text, types.Int8, types.Bool)},
	"obj_description":                 {sig(types.Text, types.Int8), sig(types.Text, types.Int8, types.Text)},
	"col_description":                 {sig(types.Text, types.Int8, types.Int4)},
	"shobj_description":               {sig(types.Text, types.Int8, types.Text)},
	"pg_relation_size":                {sig(types.Int8, types.Int8)},
	"pg_table_size":                   {sig(types.Int8, types.Int8)},
	"pg_total_relation_size":          {sig(types.Int8, types.Int8)},
	"pg_encoding_to_char":             {sig(types.Text, types.Int4)},
	"pg_relation_is_publishable":      {sig(types.Bool, types.Int8)},
	"pg_get_statisticsobjdef_columns": {sig(types.Text, types.Int8)},
	"pg_is_in_recovery":               {sig(types.Bool)},
	"has_table_privilege": {sig(types.Bool, types.Text, types.Text), sig(types.Bool, types.Int8, types.Text),
		sig(types.Bool, types.Text, types.Text, types.Text)},
	"has_schema_privilege":   {sig(types.Bool, types.Text, types.Text), sig(types.Bool, types.Text, types.Text, types.Text)},
	"has_database_privilege": {sig(types.Bool, types.Text, types.Text), sig(types.Bool, types.Text, types.Text, types.Text)},
	// Arrays in their text form: what ARRAY(SELECT …) returns and the
	// catalogs' array columns hold (sql/parser turns a[i] and x = ANY (a)
	// into the rangedb_ functions).
	"array_to_string": {sig(types.Text, types.Text, types.Text)},
	"array_upper":     {sig(types.Int4, types.Text, types.Int4)},
	arraySubscript:    {sig(types.Text, types.Text, types.Int4)},
	arrayAnyEq:        {sig(types.Bool, types.Text, types.Text)},
	// The output functions of the object-identifier types (bindCatalogCast).
	regclassOut:     {sig(types.Text, types.Int8)},
	regtypeOut:      {sig(types.Text, types.Int8)},
	regnamespaceOut: {sig(types.Text, types.Int8)},
}

// The functions casts from an oid to regclass, regtype and regnamespace
// bind to: their output, the object's name.
const (
	regclassOut     = "rangedb_regclass_out"
	regtypeOut      = "rangedb_regtype_out"
	regnamespaceOut = "rangedb_regnamespace_out"
)

// arrayTypeName is the type name sql/parser gives a cast to an array
// type (x::int2[]): rangedb keeps arrays as their text form, so such a
// cast accepts text and leaves it as is.
const arrayTypeName = "rangedb_array"

// The functions sql/parser turns a[i] and x = ANY (a) into.
const (
	arraySubscript = "rangedb_array_subscript"
	arrayAnyEq     = "rangedb_array_any_eq"
)

// bindArrayOp binds a[i] and x = ANY (a) over an array's text form; an
// operand of another type is refused as rangedb has no arrays. Where
// the context wants a type (attnum = prattrs[s]), a[i] is the element's
// text cast to it, as the element of a typed array would be.
func (b *builder) bindArrayOp(x *ast.FuncExpr, s *scope, want *types.T) (Expr, error) {
	if len(x.Args) != 2 {
		return nil, pgerror.Unsupported("arrays").WithPosition(x.Pos)
	}
	arr, err := b.bindExpr(x.Args[0], s, types.Text)
	if err != nil {
		return nil, err
	}
	if t := arr.ResultType(); t.Family != types.StringFamily && !isUnknown(t) {
		return nil, pgerror.Unsupported("arrays").WithPosition(x.Pos)
	}
	e, err := b.bindFunc(x, s)
	if err != nil {
		return nil, err
	}
	if x.Name != arraySubscript || want == nil || isUnknown(want) || !castAllowed(types.Text, want) {
		return e, nil
	}
	return &Cast{E: e, Typ: want}, nil
}

// CatalogResolver is implemented by Resolvers that can read an object
// name as its oid, for 'name'::regclass and its kin. Each returns false
// when no object has the name.
type CatalogResolver interface {
	RelationOID(name string) (int64, bool)
	TypeOID(name string) (int64, bool)
	NamespaceOID(name string) (int64, bool)
}

// bindCatalogCast binds a cast to oid, name, regclass, regtype or
// regnamespace, reporting false for other target types.
func (b *builder) bindCatalogCast(x *ast.CastExpr, s *scope) (Expr, bool, error) {
	var out string
	var lookup func(CatalogResolver, string) (int64, bool)
	var what string
	switch x.Type.Name {
	case "name":
		in, err := b.bindExpr(x.E, s, types.Text)
		if err != nil {
			return nil, true, err
		}
		return coerce(in, types.Text), true, nil
	case arrayTypeName:
		in, err := b.bindExpr(x.E, s, types.Text)
		if err != nil {
			return nil, true, err
		}
		if t := in.ResultType(); t.Family != types.StringFamily && !isUnknown(t) {
			return nil, true, pgerror.Unsupported("arrays").WithPosition(x.Pos)
		}
		return coerce(in, types.Text), true, nil
	case "oid":
	case "regclass":
		out, what = regclassOut, "relation"
		lookup = func(r CatalogResolver, n string) (int64, bool) { return r.RelationOID(n) }
	case "regtype":
		out, what = regtypeOut, "type"
		lookup = func(r CatalogResolver, n string) (int64, bool) { return r.TypeOID(n) }
	case "regnamespace":
		out, what = regnamespaceOut, "schema"
		lookup = func(r CatalogResolver, n string) (int64, bool) { return r.NamespaceOID(n) }
	default:
		return nil, false, nil
	}
	if sv, ok := x.E.(*ast.StrVal); ok {
		if n, err := strconv.ParseInt(sv.Val, 10, 64); err == nil {
			return &Const{D: types.DInt(n), Typ: types.Int8}, true, nil
		}
		cr, ok := b.r.(CatalogResolver)
		if lookup == nil || !ok {
			return nil, true, pgerror.New(pgerror.CodeInvalidTextRepresentation, "invalid input syntax for type %s: \"%s\"", x.Type.Name, sv.Val).WithPosition(sv.Pos)
		}
		id, found := lookup(cr, sv.Val)
		if !found {
			code := pgerror.CodeUndefinedObject
			if what == "relation" {
				code = pgerror.CodeUndefinedTable
			}
			return nil, true, pgerror.New(code, "%s \"%s\" does not exist", what, sv.Val).WithPosition(sv.Pos)
		}
		return &Const{D: types.DInt(id), Typ: types.Int8}, true, nil
	}
	in, err := b.bindExpr(x.E, s, types.Int8)
	if err != nil {
		return nil, true, err
	}
	if f, ok := in.(*Func); ok && (f.Name == regclassOut || f.Name == regtypeOut || f.Name == regnamespaceOut) {
		in = f.Args[0] // already an object-identifier type
	}
	if t := in.ResultType(); t.Family != types.IntFamily && !isUnknown(t) {
		return nil, true, pgerror.New(pgerror.CodeCannotCoerce, "cannot cast type %s to %s", t, x.Type.Name).WithPosition(x.Pos)
	}
	in = coerce(in, types.Int8)
	if out == "" {
		return in, true, nil
	}
	return &Func{Name: out, Args: []Expr{in}, Typ: types.Text}, true, nil
}

// pg_partition_ancestors lists a partition's ancestors, itself included,
// and nothing for a relation that is not a partition: rangedb has no
// partitions, so the function returns no rows, in FROM and in a select
// list alike (psql calls it in both).
const partitionAncestors = "pg_partition_ancestors"

// addCatalogFuncUnit adds pg_partition_ancestors(oid) [WITH ORDINALITY]
// of FROM, reporting false for other functions. Its argument is bound
// (it may read the enclosing query's row) for its errors.
func (b *builder) addCatalogFuncUnit(ref *ast.FuncRef, s *scope, fp *fromPlan) (bool, error) {
	f := ref.Func
	if f.Name != partitionAncestors {
		return false, nil
	}
	if len(f.Args) != 1 {
		return true, undefinedFunction(f.Name, nil, f.Pos)
	}
	inner := &scope{parent: s.parent, noAggs: "functions in FROM"}
	if _, err := b.bindExpr(regclassArg(f), inner, types.Int8); err != nil {
		return true, err
	}
	if inner.correlated {
		s.correlated = true
	}
	name := ref.Alias
	if name == "" {
		name = f.Name
	}
	if s.findTable(name) != nil {
		return true, pgerror.New(pgerror.CodeDuplicateAlias, "table name \"%s\" specified more than once", name).WithPosition(ref.Pos)
	}
	cols := []Column{{Name: f.Name, Typ: types.Int8}}
	if ref.Alias != "" {
		cols[0].Name = ref.Alias
	}
	if ref.Ordinality {
		cols = append(cols, Column{Name: "ordinality", Typ: types.Int8})
	}
	if len(ref.Columns) > len(cols) {
		return true, pgerror.New(pgerror.CodeInvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified",
			name, len(cols), len(ref.Columns))
	}
	for i, c := range ref.Columns {
		cols[i].Name = c
	}
	u := &unit{start: len(s.cols), node: &Values{Cols: cols}, alias: name, view: true}
	for _, c := range cols {
		s.cols = append(s.cols, scopeCol{table: name, name: c.Name, typ: c.Typ})
	}
	s.tables = append(s.tables, scopeTable{name: name, start: u.start, end: len(s.cols)})
	u.end = len(s.cols)
	fp.units = append(fp.units, u)
	return true, nil
}

// regclassArg is the regclass argument of f as an oid: a string names
// the relation ('t'::regclass), anything else is the oid.
func regclassArg(f *ast.FuncExpr) ast.Expr {
	typ := "oid"
	if _, ok := f.Args[0].(*ast.StrVal); ok {
		typ = "regclass"
	}
	return &ast.CastExpr{E: f.Args[0], Type: ast.TypeName{Name: typ, Pos: f.Pos}, Pos: f.Pos}
}

// buildEmptySRFSelect plans a query level whose select list calls
// pg_partition_ancestors, reporting false for others: the level returns
// no rows, with the function's column a bigint.
func (b *builder) buildEmptySRFSelect(sel *ast.Select, s *scope) (Node, bool, error) {
	if sel.SetOp != nil || sel.Values != nil {
		return nil, false, nil
	}
	var exprs []ast.SelectExpr
	found := false
	for _, e := range sel.Exprs {
		if f, ok := e.Expr.(*ast.FuncExpr); ok && f.Name == partitionAncestors && f.Over == nil {
			found = true
			if len(f.Args) != 1 {
				return nil, true, undefinedFunction(f.Name, nil, f.Pos)
			}
			if e.Alias == "" {
				e.Alias = f.Name
			}
			e.Expr = regclassArg(f)
		}
		exprs = append(exprs, e)
	}
	if !found {
		return nil, false, nil
	}
	c := *sel
	c.Exprs = exprs
	n, err := b.buildSelect(&c, s)
	if err != nil {
		return nil, true, err
	}
	return &Filter{Input: n, Pred: &Const{D: types.DBool(false), Typ: types.Bool}}, true, nil
}
