package plan

import (
	"fmt"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// scope is what column references can see: the one table of FROM (or
// nothing, for SELECT without FROM and for VALUES).
type scope struct {
	table *catalog.TableDescriptor
	// name is how the table may qualify columns: its alias, else its name.
	name string
}

// withPos sets the position of a pgerror that has none.
func withPos(err error, pos int) error {
	if pe, ok := err.(*pgerror.Error); ok && pe.Position == 0 && pos > 0 {
		pe.Position = pos
	}
	return err
}

// exprStart returns the position PostgreSQL reports for an expression: its
// leftmost token.
func exprStart(e ast.Expr) int {
	p := e.Position()
	var l ast.Expr
	switch x := e.(type) {
	case *ast.BinaryExpr:
		l = x.L
	case *ast.ComparisonExpr:
		l = x.L
	case *ast.AndExpr:
		l = x.L
	case *ast.OrExpr:
		l = x.L
	case *ast.IsNullExpr:
		l = x.E
	case *ast.CastExpr:
		l = x.E
	}
	if l != nil {
		if lp := exprStart(l); lp > 0 && (p == 0 || lp < p) {
			return lp
		}
	}
	return p
}

// bindExpr binds and type-checks e. hint is the type the context wants for
// an untyped literal (nil: no preference).
func bindExpr(e ast.Expr, s *scope, hint *types.T) (Expr, error) {
	switch x := e.(type) {
	case *ast.ColumnRef:
		return bindColumn(x, s)
	case *ast.NumVal:
		if !x.IsInt {
			return nil, pgerror.Unsupported(`type "numeric"`).WithPosition(x.Pos)
		}
		if types.CheckIntWidth(types.Int4, x.Int) == nil {
			return &Const{D: types.DInt(x.Int), Typ: types.Int4}, nil
		}
		return &Const{D: types.DInt(x.Int), Typ: types.Int8}, nil
	case *ast.StrVal:
		if hint == nil || hint.Family == types.UnknownFamily {
			return &Const{D: types.DString(x.Val), Typ: types.Unknown}, nil
		}
		d, err := types.ParseText(hint, x.Val)
		if err != nil {
			return nil, withPos(err, x.Pos)
		}
		return &Const{D: d, Typ: hint}, nil
	case *ast.NullVal:
		if hint == nil {
			hint = types.Unknown
		}
		return &Const{D: types.DNull, Typ: hint}, nil
	case *ast.BoolVal:
		return &Const{D: types.DBool(x.Val), Typ: types.Bool}, nil
	case *ast.BinaryExpr:
		return bindArith(x, s)
	case *ast.UnaryMinus:
		in, err := bindExpr(x.E, s, types.Int4)
		if err != nil {
			return nil, err
		}
		if in.ResultType().Family != types.IntFamily {
			return nil, pgerror.New(pgerror.CodeUndefinedFunction, "operator does not exist: - %s", in.ResultType().Name).
				WithHint("No operator matches the given name and argument type. You might need to add an explicit type cast.").
				WithPosition(x.Pos)
		}
		return &Neg{E: in, Typ: in.ResultType()}, nil
	case *ast.ComparisonExpr:
		l, r, err := bindPair(x.L, x.R, s)
		if err != nil {
			return nil, err
		}
		lt, rt := l.ResultType(), r.ResultType()
		if lt.Family != rt.Family {
			return nil, opError(lt, string(x.Op), rt, x.Pos)
		}
		return &Cmp{Op: x.Op, L: l, R: r}, nil
	case *ast.AndExpr:
		l, err := bindBool(x.L, s, "AND")
		if err != nil {
			return nil, err
		}
		r, err := bindBool(x.R, s, "AND")
		if err != nil {
			return nil, err
		}
		return &And{L: l, R: r}, nil
	case *ast.OrExpr:
		l, err := bindBool(x.L, s, "OR")
		if err != nil {
			return nil, err
		}
		r, err := bindBool(x.R, s, "OR")
		if err != nil {
			return nil, err
		}
		return &Or{L: l, R: r}, nil
	case *ast.NotExpr:
		in, err := bindBool(x.E, s, "NOT")
		if err != nil {
			return nil, err
		}
		return &Not{E: in}, nil
	case *ast.IsNullExpr:
		in, err := bindExpr(x.E, s, nil)
		if err != nil {
			return nil, err
		}
		return &IsNull{E: in, Not: x.Not}, nil
	case *ast.CastExpr:
		return bindCast(x, s)
	}
	return nil, pgerror.Unsupported(fmt.Sprintf("expression %T", e))
}

func bindColumn(x *ast.ColumnRef, s *scope) (Expr, error) {
	if x.Table != "" && (s.table == nil || x.Table != s.name) {
		return nil, pgerror.New(pgerror.CodeUndefinedTable, "missing FROM-clause entry for table \"%s\"", x.Table).WithPosition(x.Pos)
	}
	if s.table != nil {
		if ord := s.table.FindColumn(x.Name); ord >= 0 {
			c := &s.table.Columns[ord]
			return &ColRef{Ordinal: ord, Name: c.Name, Typ: c.Type}, nil
		}
	}
	if x.Table != "" {
		return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column %s.%s does not exist", x.Table, x.Name).WithPosition(x.Pos)
	}
	return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" does not exist", x.Name).WithPosition(x.Pos)
}

// bindPair binds the operands of a binary operator: an untyped literal
// takes the other operand's type; two untyped literals are text.
func bindPair(le, re ast.Expr, s *scope) (Expr, Expr, error) {
	l, err := bindExpr(le, s, nil)
	if err != nil {
		return nil, nil, err
	}
	r, err := bindExpr(re, s, l.ResultType())
	if err != nil {
		return nil, nil, err
	}
	lt, rt := l.ResultType(), r.ResultType()
	if lt.Family == types.UnknownFamily {
		want := rt
		if rt.Family == types.UnknownFamily {
			want = types.Text
			if r, err = bindExpr(re, s, want); err != nil {
				return nil, nil, err
			}
		}
		if l, err = bindExpr(le, s, want); err != nil {
			return nil, nil, err
		}
	}
	return l, r, nil
}

func opError(lt *types.T, op string, rt *types.T, pos int) error {
	return pgerror.New(pgerror.CodeUndefinedFunction, "operator does not exist: %s %s %s", lt.Name, op, rt.Name).
		WithHint("No operator matches the given name and argument types. You might need to add explicit type casts.").
		WithPosition(pos)
}

func bindArith(x *ast.BinaryExpr, s *scope) (Expr, error) {
	l, err := bindExpr(x.L, s, nil)
	if err != nil {
		return nil, err
	}
	r, err := bindExpr(x.R, s, l.ResultType())
	if err != nil {
		return nil, err
	}
	if l.ResultType().Family == types.UnknownFamily {
		if r.ResultType().Family == types.UnknownFamily {
			return nil, pgerror.New(pgerror.CodeAmbiguousFunction, "operator is not unique: unknown %s unknown", x.Op).
				WithHint("Could not choose a best candidate operator. You might need to add explicit type casts.").
				WithPosition(x.Pos)
		}
		if l, err = bindExpr(x.L, s, r.ResultType()); err != nil {
			return nil, err
		}
	}
	lt, rt := l.ResultType(), r.ResultType()
	if lt.Family != types.IntFamily || rt.Family != types.IntFamily {
		return nil, opError(lt, string(x.Op), rt, x.Pos)
	}
	typ := types.Int4
	if lt.Width == 64 || rt.Width == 64 {
		typ = types.Int8
	}
	return &Arith{Op: x.Op, L: l, R: r, Typ: typ}, nil
}

// bindBool binds an expression that must be boolean (an argument of
// AND/OR/NOT, or WHERE).
func bindBool(e ast.Expr, s *scope, what string) (Expr, error) {
	b, err := bindExpr(e, s, types.Bool)
	if err != nil {
		return nil, err
	}
	switch b.ResultType().Family {
	case types.BoolFamily:
		return b, nil
	case types.UnknownFamily:
		// NULL: a boolean NULL.
		return &Const{D: types.DNull, Typ: types.Bool}, nil
	}
	return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "argument of %s must be type boolean, not type %s", what, b.ResultType().Name).
		WithPosition(exprStart(e))
}

// castable reports whether an explicit cast from → to exists.
func castable(from, to *types.T) bool {
	switch {
	case from.Family == to.Family, from.Family == types.UnknownFamily:
		return true
	case to.Family == types.StringFamily, from.Family == types.StringFamily:
		return true
	case from.Family == types.BoolFamily && to == types.Int4, from == types.Int4 && to.Family == types.BoolFamily:
		return true
	}
	return false
}

func bindCast(x *ast.CastExpr, s *scope) (Expr, error) {
	to, err := ResolveType(x.Type)
	if err != nil {
		return nil, err
	}
	switch in := x.E.(type) {
	case *ast.StrVal:
		d, err := types.ParseText(to, in.Val)
		if err != nil {
			return nil, withPos(err, in.Pos)
		}
		return &Const{D: d, Typ: to}, nil
	case *ast.NullVal:
		return &Const{D: types.DNull, Typ: to}, nil
	}
	in, err := bindExpr(x.E, s, nil)
	if err != nil {
		return nil, err
	}
	from := in.ResultType()
	if !castable(from, to) {
		return nil, pgerror.New(pgerror.CodeCannotCoerce, "cannot cast type %s to %s", from.Name, to.Name).WithPosition(x.Pos)
	}
	if from.Equal(to) {
		return in, nil
	}
	return &Cast{E: in, Typ: to}, nil
}

// bindAssign binds e for assignment to column c (INSERT values, UPDATE
// SET), applying PostgreSQL's assignment casts.
func bindAssign(e ast.Expr, s *scope, c *catalog.Column) (Expr, error) {
	b, err := bindExpr(e, s, c.Type)
	if err != nil {
		return nil, err
	}
	from := b.ResultType()
	switch {
	case from.Equal(c.Type):
		return b, nil
	case from.Family == types.UnknownFamily:
		return &Const{D: types.DNull, Typ: c.Type}, nil
	case from.Family == c.Type.Family, c.Type.Family == types.StringFamily:
		return &Cast{E: b, Typ: c.Type}, nil
	}
	return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "column \"%s\" is of type %s but expression is of type %s", c.Name, c.Type.Name, from.Name).
		WithHint("You will need to rewrite or cast the expression.").
		WithPosition(exprStart(e))
}

// knownTypes are PostgreSQL type names rangedb does not support yet,
// with PostgreSQL's display names; a name not here and not supported is
// 42704 "type does not exist".
var knownTypes = map[string]string{
	"int2": "smallint", "smallint": "smallint", "float4": "real", "real": "real",
	"float8": "double precision", "float": "double precision", "numeric": "numeric", "decimal": "numeric",
	"varchar": "character varying", "bpchar": "character", "char": "character", "name": "name",
	"date": "date", "time": "time without time zone", "timetz": "time with time zone",
	"timestamp": "timestamp without time zone", "timestamptz": "timestamp with time zone",
	"interval": "interval", "bytea": "bytea", "json": "json", "jsonb": "jsonb", "uuid": "uuid",
	"serial": "serial", "serial4": "serial", "bigserial": "bigserial", "serial8": "bigserial",
	"smallserial": "smallserial", "serial2": "smallserial", "money": "money", "inet": "inet",
	"cidr": "cidr", "macaddr": "macaddr", "xml": "xml", "oid": "oid", "bit": "bit",
	"varbit": "bit varying", "tsvector": "tsvector", "tsquery": "tsquery", "point": "point",
	"regclass": "regclass", "int4range": "int4range", "record": "record",
}

// ResolveType maps a type name as pg_query reports it to a supported type.
func ResolveType(tn ast.TypeName) (*types.T, error) {
	t, err := resolveTypeName(tn)
	if err == nil && tn.Typmods {
		return nil, pgerror.New(pgerror.CodeSyntaxError, "type modifier is not allowed for type \"%s\"", t.Name).WithPosition(tn.Pos)
	}
	return t, err
}

func resolveTypeName(tn ast.TypeName) (*types.T, error) {
	switch tn.Name {
	case "int4", "int", "integer":
		return types.Int4, nil
	case "int8", "bigint":
		return types.Int8, nil
	case "text":
		return types.Text, nil
	case "bool", "boolean":
		return types.Bool, nil
	}
	if disp, ok := knownTypes[tn.Name]; ok {
		return nil, pgerror.Unsupported(fmt.Sprintf("type \"%s\"", disp)).WithPosition(tn.Pos)
	}
	return nil, pgerror.New(pgerror.CodeUndefinedType, "type \"%s\" does not exist", tn.Name).WithPosition(tn.Pos)
}

// typname is pg_type.typname, which PostgreSQL uses to name a cast's
// result column.
func typname(t *types.T) string {
	switch t.OID {
	case types.OIDInt4:
		return "int4"
	case types.OIDInt8:
		return "int8"
	case types.OIDBool:
		return "bool"
	}
	return "text"
}
