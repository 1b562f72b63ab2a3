package parser

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file translates the syntax psql's catalog queries use: the
// regular-expression match operators, OPERATOR(pg_catalog.op) and
// COLLATE of the default collation.

// operatorName reads an operator's name: op, or OPERATOR(pg_catalog.op),
// which names the same built-in operator. Other schemas are refused.
func operatorName(names []*pg_query.Node) (string, bool) {
	switch len(names) {
	case 1:
		return names[0].GetString_().GetSval(), true
	case 2:
		if names[0].GetString_().GetSval() == "pg_catalog" {
			return names[1].GetString_().GetSval(), true
		}
	}
	return "", false
}

// regexMatchExpr translates the POSIX match operators: a ~ b is
// regexp_like(a, b), ~* adds the case-insensitive flag, and the !
// forms negate.
func regexMatchExpr(l, r ast.Expr, op string, p int) ast.Expr {
	args := []ast.Expr{l, r}
	if strings.HasSuffix(op, "*") {
		args = append(args, &ast.StrVal{Val: "i", Pos: p})
	}
	var e ast.Expr = &ast.FuncExpr{Name: "regexp_like", Args: args, Pos: p}
	if strings.HasPrefix(op, "!") {
		e = &ast.NotExpr{E: e, Pos: p}
	}
	return e
}

// arrayCast translates a cast to an array type. rangedb keeps arrays as
// their text form (the catalogs' array columns, ARRAY(SELECT …)), so the
// cast is to that form; sql/plan binds the name (funcs_catalog.go).
func arrayCast(arg ast.Expr, p int) ast.Expr {
	return &ast.CastExpr{E: arg, Type: ast.TypeName{Name: "rangedb_array", Pos: p}, Pos: p}
}

// anyExpr translates l = ANY (array) over an array's text form:
// rangedb_array_any_eq(array, l::text). Other operators are refused.
func (t *translator) anyExpr(a *pg_query.A_Expr) (ast.Expr, error) {
	op, ok := operatorName(a.Name)
	if !ok || op != "=" {
		return nil, t.unsupported("op ANY (array)", a.Location)
	}
	l, err := t.expr(a.Lexpr)
	if err != nil {
		return nil, err
	}
	r, err := t.expr(a.Rexpr)
	if err != nil {
		return nil, err
	}
	p := t.pos(a.Location)
	return &ast.FuncExpr{Name: "rangedb_array_any_eq", Args: []ast.Expr{r,
		&ast.CastExpr{E: l, Type: ast.TypeName{Name: "text", Pos: p}, Pos: p}}, Pos: p}, nil
}

// subscriptExpr translates a[i] over an array's text form:
// rangedb_array_subscript(a, i), text. Slices and field selections are
// refused.
func (t *translator) subscriptExpr(ind *pg_query.A_Indirection) (ast.Expr, error) {
	if len(ind.Indirection) != 1 || ind.Indirection[0].GetAIndices() == nil || ind.Indirection[0].GetAIndices().IsSlice {
		return nil, pgerror.Unsupported("arrays")
	}
	arg, err := t.expr(ind.Arg)
	if err != nil {
		return nil, err
	}
	idx, err := t.expr(ind.Indirection[0].GetAIndices().Uidx)
	if err != nil {
		return nil, err
	}
	return &ast.FuncExpr{Name: "rangedb_array_subscript", Args: []ast.Expr{arg, idx}}, nil
}

// collateExpr translates E COLLATE c for the collations rangedb compares
// with anyway (byte order): "default", "C" and "POSIX", optionally
// qualified by pg_catalog. Others are refused.
func (t *translator) collateExpr(c *pg_query.CollateClause) (ast.Expr, error) {
	var parts []string
	for _, n := range c.Collname {
		parts = append(parts, n.GetString_().GetSval())
	}
	if len(parts) == 2 && parts[0] == "pg_catalog" {
		parts = parts[1:]
	}
	if len(parts) != 1 || (parts[0] != "default" && parts[0] != "C" && parts[0] != "POSIX") {
		return nil, t.unsupported("COLLATE", c.Location)
	}
	return t.expr(c.Arg)
}

// TypedExprText returns a stored expression (a CHECK constraint's, an
// index predicate's: pg_query's deparse) as PostgreSQL's pg_get_expr
// prints it after parse analysis, which coerced a constant compared with
// a column to the column's type and prints that constant with its type:
// `amt > 100::numeric`, `name <> 'a'::text`, `f > 1::double precision`,
// `i > '-5'::integer`. colType gives a column's type as format_type
// prints it without its modifier ("" for an unknown column). The text
// comes back unchanged when it does not parse.
func TypedExprText(expr string, colType func(name string) string) string {
	tree, err := pg_query.Parse("SELECT " + expr)
	if err != nil || len(tree.Stmts) != 1 {
		return expr
	}
	sel := tree.Stmts[0].Stmt.GetSelectStmt()
	if sel == nil || len(sel.TargetList) != 1 || sel.TargetList[0].GetResTarget() == nil {
		return expr
	}
	// Each retyped constant becomes a marker column reference, spelled
	// out after the deparse (whose own spelling of casts differs).
	var typed []string
	marker := func(i int) string { return "rangedb_typed_const_" + strconv.Itoa(i) + "_" }
	var walk func(n *pg_query.Node)
	walk = func(n *pg_query.Node) {
		if n == nil {
			return
		}
		switch x := n.Node.(type) {
		case *pg_query.Node_BoolExpr:
			for _, a := range x.BoolExpr.Args {
				walk(a)
			}
		case *pg_query.Node_NullTest:
			walk(x.NullTest.Arg)
		case *pg_query.Node_AExpr:
			a := x.AExpr
			if a.Kind != pg_query.A_Expr_Kind_AEXPR_OP {
				return
			}
			for _, pair := range [][2]*pg_query.Node{{a.Lexpr, a.Rexpr}, {a.Rexpr, a.Lexpr}} {
				col, k := pair[0].GetColumnRef(), pair[1].GetAConst()
				if col == nil || k == nil || len(col.Fields) != 1 || k.Isnull {
					continue
				}
				if text, ok := typedConst(k, colType(col.Fields[0].GetString_().GetSval())); ok {
					pair[1].Node = pg_query.MakeColumnRefNode([]*pg_query.Node{pg_query.MakeStrNode(marker(len(typed)))}, 0).Node
					typed = append(typed, text)
				}
			}
		}
	}
	walk(sel.TargetList[0].GetResTarget().Val)
	if len(typed) == 0 {
		return expr
	}
	s, err := pg_query.Deparse(tree)
	if err != nil {
		return expr
	}
	for i := len(typed) - 1; i >= 0; i-- {
		s = strings.ReplaceAll(s, marker(i), typed[i])
	}
	return strings.TrimSuffix(strings.TrimPrefix(s, "SELECT "), ";")
}

// typedConst is constant k as parse analysis leaves it next to a column
// of type typ, printed as ruleutils prints such a constant; false when
// it prints as written (an integer next to an integer column, a decimal
// next to a numeric one).
func typedConst(k *pg_query.A_Const, typ string) (string, bool) {
	switch v := k.Val.(type) {
	case *pg_query.A_Const_Ival:
		lit := strconv.FormatInt(int64(v.Ival.Ival), 10)
		// A negative integer stays an int4 constant ('-5'::integer), cast
		// at run time where the column's type differs.
		switch {
		case typ == "numeric" && v.Ival.Ival < 0:
			return "'" + lit + "'::integer::numeric", true
		case typ == "numeric":
			return lit + "::numeric", true
		case v.Ival.Ival < 0 && (typ == "integer" || typ == "smallint" || typ == "bigint"):
			return "'" + lit + "'::integer", true
		case v.Ival.Ival >= 0 && (typ == "double precision" || typ == "real"):
			// real compares with a double precision constant (float48).
			return lit + "::double precision", true
		}
	case *pg_query.A_Const_Fval:
		lit := v.Fval.Fval
		switch {
		case typ == "numeric" && strings.HasPrefix(lit, "-"):
			return "'" + lit + "'::numeric", true
		case !strings.HasPrefix(lit, "-") && (typ == "double precision" || typ == "real"):
			return lit + "::double precision", true
		}
	case *pg_query.A_Const_Sval:
		if typ == "text" {
			return "'" + strings.ReplaceAll(v.Sval.Sval, "'", "''") + "'::text", true
		}
	}
	return "", false
}
