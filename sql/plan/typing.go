package plan

import (
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// This file holds the planner's type rules: which operators and casts
// exist and what they return, following PostgreSQL's catalogs.

// numericRank orders the numeric types by PostgreSQL's implicit
// promotions (int2 → int4 → int8 → numeric → float4 → float8); -1 for
// non-numeric types.
func numericRank(t *types.T) int {
	switch t.Family {
	case types.IntFamily:
		switch t.Width {
		case 16:
			return 0
		case 32:
			return 1
		}
		return 2
	case types.DecimalFamily:
		return 3
	case types.FloatFamily:
		if t.Width == 32 {
			return 4
		}
		return 5
	}
	return -1
}

func isNumeric(t *types.T) bool { return numericRank(t) >= 0 }

func isTime(t *types.T) bool {
	switch t.Family {
	case types.DateFamily, types.TimestampFamily, types.TimestampTZFamily:
		return true
	}
	return false
}

// comparable reports whether l and r have comparison operators.
func comparable(l, r *types.T) bool {
	switch {
	case l.Family == r.Family:
		return l.Family != types.JSONFamily // json has no comparison operators
	case isNumeric(l) && isNumeric(r):
		return true
	case isTime(l) && isTime(r):
		return true
	case l.Family == types.TimeFamily || l.Family == types.TimeTZFamily || r.Family == types.TimeFamily || r.Family == types.TimeTZFamily:
		_, ok := types.ResolveBinaryOp("=", l, r)
		return ok
	}
	return false
}

// binOpType returns the result type of l op r for arithmetic, or false.
func binOpType(op ast.BinaryOp, l, r *types.T) (*types.T, bool) {
	if t, ok := types.ResolveBinaryOp(string(op), l, r); ok {
		return t, true
	}
	return nil, false
}

// widerNumeric returns the type both numeric operands promote to.
func widerNumeric(l, r *types.T) *types.T {
	if numericRank(l) >= numericRank(r) {
		return l.WithoutMod()
	}
	return r.WithoutMod()
}

// castAllowed reports whether an explicit cast from → to exists.
func castAllowed(from, to *types.T) bool {
	e, _, _ := types.CastAllowed(from, to)
	return e
}

// assignAllowed reports whether an assignment cast from → to exists.
func assignAllowed(from, to *types.T) bool {
	_, a, _ := types.CastAllowed(from, to)
	return a
}

// implicitAllowed reports whether an implicit cast from → to exists.
func implicitAllowed(from, to *types.T) bool {
	if from.Equal(to) || isUnknown(from) {
		return true
	}
	_, _, i := types.CastAllowed(from, to)
	return i
}

// commonType is PostgreSQL's select_common_type for CASE, COALESCE, IN
// and UNION: untyped inputs take the others' type (text if all are
// untyped); numeric inputs promote to the widest; otherwise all must be
// of one family.
func commonType(es []Expr, what string) (*types.T, error) {
	var typ *types.T
	for _, e := range es {
		t := e.ResultType()
		if isUnknown(t) {
			continue
		}
		switch {
		case typ == nil:
			typ = t
		case typ.Equal(t):
			if !typ.Identical(t) {
				typ = typ.WithoutMod()
			}
		case isNumeric(typ) && isNumeric(t):
			typ = widerNumeric(typ, t)
		case typ.Family == types.StringFamily && t.Family == types.StringFamily:
			typ = types.Text
		case (typ.Family == types.TimeFamily || typ.Family == types.TimeTZFamily) && (t.Family == types.TimeFamily || t.Family == types.TimeTZFamily):
			typ = types.TimeTZ
		case isTime(typ) && isTime(t):
			if typ.Family == types.TimestampTZFamily || t.Family == types.TimestampTZFamily {
				typ = types.TimestampTZ
			} else {
				typ = types.Timestamp
			}
		default:
			return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "%s types %s and %s cannot be matched", what, typ, t)
		}
	}
	if typ == nil {
		return types.Text, nil
	}
	return typ, nil
}

// parseLiteral converts a string literal to type t as PostgreSQL's input
// function does, under default settings.
func parseLiteral(t *types.T, s string) (types.Datum, error) {
	return types.ParseText(t, s)
}

// FormatContexter is implemented by a Resolver that knows the session's
// settings; string literals are then read under them (TimeZone for
// timestamptz, DateStyle's field order for dates), as PostgreSQL reads
// them when it plans.
type FormatContexter interface {
	FormatContext() *types.FormatContext
}

// parseLiteral reads a string literal under the session's settings.
func (b *builder) parseLiteral(t *types.T, s string) (types.Datum, error) {
	if fcr, ok := b.r.(FormatContexter); ok {
		return types.ParseTextCtx(t, s, fcr.FormatContext())
	}
	return types.ParseText(t, s)
}

// bindNumericLiteral types a literal with a fraction or exponent, or too
// large for bigint, as numeric.
func bindNumericLiteral(x *ast.NumVal) (Expr, error) {
	d, err := types.ParseText(types.Numeric, x.Text)
	if err != nil {
		return nil, withPos(err, x.Pos)
	}
	return &Const{D: d, Typ: types.Numeric}, nil
}

// negate folds the negation of a constant.
func negate(d types.Datum, t *types.T) (types.Datum, error) {
	return types.EvalUnaryOp("-", d, t)
}

// aggType returns the result type of aggregate name over arg, or false.
func aggType(name string, arg *types.T) (*types.T, bool) {
	switch name {
	case "count":
		return types.Int8, true
	case "min", "max":
		switch arg.Family {
		case types.BoolFamily, types.UnknownFamily, types.UUIDFamily, types.JSONFamily, types.JSONBFamily:
			// PostgreSQL 15 has no min(uuid) or max(uuid) (16 adds them).
			return nil, false
		}
		if arg.Family == types.StringFamily && arg.OID != types.OIDBpchar {
			return types.Text, true
		}
		return arg.WithoutMod(), true
	case "sum":
		switch arg.Family {
		case types.IntFamily:
			if arg.Width == 64 {
				return types.Numeric, true
			}
			return types.Int8, true
		case types.DecimalFamily:
			return types.Numeric, true
		case types.FloatFamily:
			return arg.WithoutMod(), true
		case types.IntervalFamily:
			return types.Interval, true
		}
	case "avg":
		switch arg.Family {
		case types.IntFamily, types.DecimalFamily:
			return types.Numeric, true
		case types.FloatFamily:
			return types.Float8, true
		case types.IntervalFamily:
			return types.Interval, true
		}
	case "bool_and", "bool_or", "every":
		if arg.Family == types.BoolFamily {
			return types.Bool, true
		}
	}
	return nil, false
}
