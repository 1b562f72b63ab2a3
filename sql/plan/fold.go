package plan

import "github.com/rangedb/rangedb/sql/types"

// This file simplifies bound expressions the way PostgreSQL's planner does
// (eval_const_expressions in optimizer/util/clauses.c) where the rule
// changes what a query does, not only how fast:
//
//   - a strict operator, cast or function with a NULL constant argument
//     is the NULL constant — its other arguments are never evaluated, so
//     `NULL > 2147483647 + col` is NULL, not an overflow error;
//   - AND with a false constant is false, OR with a true constant is true,
//     NOT of a constant is folded;
//   - a WHERE, HAVING or JOIN … ON whose top-level conjuncts include a
//     false or NULL constant rejects every row (PostgreSQL plans it as a
//     one-time filter), so its other conjuncts are never evaluated.
//
// rangedb does not evaluate all-constant subexpressions at plan time, so an
// error in one (1/0) surfaces only if a row reaches it.

// isNullConst reports whether e is the NULL constant.
func isNullConst(e Expr) bool {
	k, ok := e.(*Const)
	return ok && k.D == types.DNull
}

func boolConst(e Expr) (v bool, ok bool) {
	k, isConst := e.(*Const)
	if !isConst {
		return false, false
	}
	b, isBool := k.D.(types.DBool)
	return bool(b), isBool
}

// fold applies the rules above to e, whose operands are already folded.
func fold(e Expr) Expr {
	null := func() Expr { return &Const{D: types.DNull, Typ: e.ResultType()} }
	switch x := e.(type) {
	case *BinOp:
		if isNullConst(x.L) || isNullConst(x.R) {
			return null()
		}
	case *Neg:
		if isNullConst(x.E) {
			return null()
		}
	case *Cast:
		if isNullConst(x.E) {
			return null()
		}
	case *Cmp:
		if x.Op != IsDistinct && x.Op != IsNotDistinct && (isNullConst(x.L) || isNullConst(x.R)) {
			return null()
		}
	case *Like:
		if isNullConst(x.E) || isNullConst(x.Pattern) || (x.Escape != nil && isNullConst(x.Escape)) {
			return null()
		}
	case *InList:
		if isNullConst(x.E) {
			return null()
		}
	case *Func:
		// Every built-in scalar function is strict (sql/exec) but those
		// of funcs_more.go's nonStrict.
		if nonStrict[x.Name] || jsonNonStrict[x.Name] || x.Name == "format_type" { // format_type: funcs_catalog.go
			break
		}
		for _, a := range x.Args {
			if isNullConst(a) {
				return null()
			}
		}
	case *And:
		if v, ok := boolConst(x.L); ok && !v {
			return x.L
		}
		if v, ok := boolConst(x.R); ok && !v {
			return x.R
		}
		if v, ok := boolConst(x.L); ok && v {
			return x.R
		}
		if v, ok := boolConst(x.R); ok && v {
			return x.L
		}
	case *Or:
		if v, ok := boolConst(x.L); ok && v {
			return x.L
		}
		if v, ok := boolConst(x.R); ok && v {
			return x.R
		}
		if v, ok := boolConst(x.L); ok && !v {
			return x.R
		}
		if v, ok := boolConst(x.R); ok && !v {
			return x.L
		}
	case *Not:
		if isNullConst(x.E) {
			return null()
		}
		if v, ok := boolConst(x.E); ok {
			return &Const{D: types.DBool(!v), Typ: types.Bool}
		}
	}
	return e
}

// foldFilter folds a WHERE, HAVING or ON condition: when one of its
// top-level conjuncts is the false or NULL constant, no row passes, and the
// condition is the false constant.
func foldFilter(e Expr) Expr {
	var rejects func(Expr) bool
	rejects = func(e Expr) bool {
		if a, ok := e.(*And); ok {
			return rejects(a.L) || rejects(a.R)
		}
		if isNullConst(e) {
			return true
		}
		v, ok := boolConst(e)
		return ok && !v
	}
	if rejects(e) {
		return &Const{D: types.DBool(false), Typ: types.Bool}
	}
	return e
}
