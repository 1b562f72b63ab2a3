package plan

import (
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/types"
)

// moreBinOp binds the operators types.ResolveBinaryOp does not know as
// calls of the functions that implement them in PostgreSQL: ^ (dpow,
// numeric_power), interval * float8, float8 * interval and interval /
// float8 (interval_mul, interval_div). Operand types follow PostgreSQL's
// resolution: integers raise to double precision, numeric stays numeric
// unless a double is involved.
//
// An untyped operand of interval * and / was read as an interval (the
// other side's type); PostgreSQL's only candidates take float8 there, so
// it is read again as float8.
func (b *builder) moreBinOp(x *ast.BinaryExpr, s *scope, l, r Expr) (Expr, bool, error) {
	untyped := func(e ast.Expr) bool {
		switch e.(type) {
		case *ast.StrVal, *ast.NullVal, *ast.Placeholder:
			return true
		}
		return false
	}
	var err error
	if x.Op == "*" || x.Op == "/" {
		if l.ResultType().Family == types.IntervalFamily && r.ResultType().Family == types.IntervalFamily {
			switch {
			case untyped(x.R):
				b.retypeParam(x.R, types.Float8)
				r, err = b.bindExpr(x.R, s, types.Float8)
			case untyped(x.L) && x.Op == "*":
				b.retypeParam(x.L, types.Float8)
				l, err = b.bindExpr(x.L, s, types.Float8)
			}
			if err != nil {
				return nil, true, err
			}
			for _, e := range []Expr{l, r} {
				if isUnknown(e.ResultType()) {
					b.defaultParam(e, types.Float8)
				}
			}
			l, r = fixUnknown(l, types.Float8), fixUnknown(r, types.Float8)
		}
	}
	e, ok := moreBinOp(x.Op, l, r)
	return e, ok, nil
}

// fixUnknown gives an untyped constant type t.
func fixUnknown(e Expr, t *types.T) Expr {
	if k, ok := e.(*Const); ok && isUnknown(k.Typ) {
		if k.D == types.DNull {
			return &Const{D: types.DNull, Typ: t}
		}
	}
	return e
}

func moreBinOp(op ast.BinaryOp, l, r Expr) (Expr, bool) {
	lt, rt := l.ResultType(), r.ResultType()
	switch op {
	case "^":
		if !isNumeric(lt) || !isNumeric(rt) {
			return nil, false
		}
		typ := types.Float8
		if (lt.Family == types.DecimalFamily || rt.Family == types.DecimalFamily) &&
			lt.Family != types.FloatFamily && rt.Family != types.FloatFamily {
			typ = types.Numeric
		}
		return &Func{Name: "power", Args: []Expr{coerce(l, typ), coerce(r, typ)}, Typ: typ}, true
	case "*":
		switch {
		case lt.Family == types.TimeFamily && isNumeric(rt): // time's implicit cast to interval
			return moreBinOp(op, coerce(l, types.Interval), r)
		case isNumeric(lt) && rt.Family == types.TimeFamily:
			return moreBinOp(op, l, coerce(r, types.Interval))
		case lt.Family == types.IntervalFamily && isNumeric(rt):
			return &Func{Name: "interval_mul", Args: []Expr{l, coerce(r, types.Float8)}, Typ: types.Interval}, true
		case isNumeric(lt) && rt.Family == types.IntervalFamily:
			return &Func{Name: "interval_mul", Args: []Expr{r, coerce(l, types.Float8)}, Typ: types.Interval}, true
		}
	case "/":
		if lt.Family == types.TimeFamily && isNumeric(rt) {
			return moreBinOp(op, coerce(l, types.Interval), r)
		}
		if lt.Family == types.IntervalFamily && isNumeric(rt) {
			return &Func{Name: "interval_div", Args: []Expr{l, coerce(r, types.Float8)}, Typ: types.Interval}, true
		}
	}
	return nil, false
}

// retypeParam gives parameter e (if it is one) type t instead of the
// type the other operand's hint gave it.
func (b *builder) retypeParam(e ast.Expr, t *types.T) {
	ph, ok := e.(*ast.Placeholder)
	if !ok || ph.Idx >= len(b.params) {
		return
	}
	b.params[ph.Idx] = t
	for _, p := range b.paramRefs[ph.Idx] {
		p.Typ = t
	}
}
