package exec

import (
	"fmt"
	"math"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// Eval evaluates e over row.
func Eval(e plan.Expr, row types.Datums) (types.Datum, error) {
	switch x := e.(type) {
	case *plan.ColRef:
		return row[x.Ordinal], nil
	case *plan.Const:
		return x.D, nil
	case *plan.Arith:
		l, err := Eval(x.L, row)
		if err != nil || l == types.DNull {
			return types.DNull, err
		}
		r, err := Eval(x.R, row)
		if err != nil || r == types.DNull {
			return types.DNull, err
		}
		return arith(x.Op, int64(l.(types.DInt)), int64(r.(types.DInt)), x.Typ)
	case *plan.Neg:
		v, err := Eval(x.E, row)
		if err != nil || v == types.DNull {
			return types.DNull, err
		}
		i := int64(v.(types.DInt))
		if i == math.MinInt64 {
			return nil, types.OutOfRange(x.Typ)
		}
		if err := types.CheckIntWidth(x.Typ, -i); err != nil {
			return nil, err
		}
		return types.DInt(-i), nil
	case *plan.Cmp:
		l, err := Eval(x.L, row)
		if err != nil || l == types.DNull {
			return types.DNull, err
		}
		r, err := Eval(x.R, row)
		if err != nil || r == types.DNull {
			return types.DNull, err
		}
		c := types.Compare(l, r)
		var ok bool
		switch x.Op {
		case ast.EQ:
			ok = c == 0
		case ast.NE:
			ok = c != 0
		case ast.LT:
			ok = c < 0
		case ast.LE:
			ok = c <= 0
		case ast.GT:
			ok = c > 0
		case ast.GE:
			ok = c >= 0
		}
		return types.DBool(ok), nil
	case *plan.And:
		l, err := Eval(x.L, row)
		if err != nil {
			return nil, err
		}
		if l == types.DBool(false) {
			return l, nil
		}
		r, err := Eval(x.R, row)
		if err != nil {
			return nil, err
		}
		if r == types.DBool(false) {
			return r, nil
		}
		if l == types.DNull || r == types.DNull {
			return types.DNull, nil
		}
		return types.DBool(true), nil
	case *plan.Or:
		l, err := Eval(x.L, row)
		if err != nil {
			return nil, err
		}
		if l == types.DBool(true) {
			return l, nil
		}
		r, err := Eval(x.R, row)
		if err != nil {
			return nil, err
		}
		if r == types.DBool(true) {
			return r, nil
		}
		if l == types.DNull || r == types.DNull {
			return types.DNull, nil
		}
		return types.DBool(false), nil
	case *plan.Not:
		v, err := Eval(x.E, row)
		if err != nil || v == types.DNull {
			return types.DNull, err
		}
		return !v.(types.DBool), nil
	case *plan.IsNull:
		v, err := Eval(x.E, row)
		if err != nil {
			return nil, err
		}
		return types.DBool((v == types.DNull) != x.Not), nil
	case *plan.Cast:
		v, err := Eval(x.E, row)
		if err != nil || v == types.DNull {
			return types.DNull, err
		}
		return cast(v, x.Typ)
	}
	return nil, fmt.Errorf("exec: cannot evaluate %T", e)
}

// EvalFilter reports whether filter accepts row (NULL rejects).
func EvalFilter(filter plan.Expr, row types.Datums) (bool, error) {
	if filter == nil {
		return true, nil
	}
	v, err := Eval(filter, row)
	if err != nil {
		return false, err
	}
	return v == types.DBool(true), nil
}

func arith(op ast.BinaryOp, l, r int64, typ *types.T) (types.Datum, error) {
	var v int64
	switch op {
	case ast.Plus:
		v = l + r
		if (v > l) != (r > 0) {
			return nil, types.OutOfRange(typ)
		}
	case ast.Minus:
		v = l - r
		if (v < l) != (r > 0) {
			return nil, types.OutOfRange(typ)
		}
	case ast.Mult:
		if l != 0 && r != 0 {
			v = l * r
			if v/r != l || (l == -1 && r == math.MinInt64) || (r == -1 && l == math.MinInt64) {
				return nil, types.OutOfRange(typ)
			}
		}
	default:
		return nil, fmt.Errorf("exec: unknown operator %s", op)
	}
	if err := types.CheckIntWidth(typ, v); err != nil {
		return nil, err
	}
	return types.DInt(v), nil
}

func cast(v types.Datum, to *types.T) (types.Datum, error) {
	switch to.Family {
	case types.StringFamily:
		return types.DString(types.Format(v)), nil
	case types.IntFamily:
		switch x := v.(type) {
		case types.DInt:
			if err := types.CheckIntWidth(to, int64(x)); err != nil {
				return nil, err
			}
			return x, nil
		case types.DBool:
			if x {
				return types.DInt(1), nil
			}
			return types.DInt(0), nil
		case types.DString:
			return types.ParseText(to, string(x))
		}
	case types.BoolFamily:
		switch x := v.(type) {
		case types.DBool:
			return x, nil
		case types.DInt:
			return types.DBool(x != 0), nil
		case types.DString:
			return types.ParseText(to, string(x))
		}
	}
	return nil, fmt.Errorf("exec: cannot cast %T to %s", v, to)
}
