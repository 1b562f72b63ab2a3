package plan

import (
	"strings"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// This file binds what an aggregate call carries besides its argument:
// FILTER (WHERE …), the ORDER BY inside the argument list, and
// string_agg's delimiter. All are bound against the aggregation's input,
// like the argument, with aggregates not allowed.

// withoutAggs binds f's expressions with aggregate calls refused as
// nested aggregates, as bindAggregate binds arguments.
func (b *builder) withoutAggs(s *scope, f func() error) error {
	saved, savedWhat := s.aggs, s.noAggs
	s.aggs, s.noAggs = nil, "aggregate function calls"
	err := f()
	s.aggs, s.noAggs = saved, savedWhat
	if pe, ok := err.(*pgerror.Error); ok && pe.Code == pgerror.CodeGroupingError {
		return pgerror.New(pgerror.CodeGroupingError, "aggregate function calls cannot be nested").WithPosition(pe.Position)
	}
	return err
}

// bindAggClauses binds x's FILTER and ORDER BY into agg.
func (b *builder) bindAggClauses(x *ast.FuncExpr, s *scope, agg *AggFunc) error {
	if agg.Distinct && agg.Arg != nil {
		if err := noEquality(agg.Arg.ResultType()); err != nil { // funcs_json.go
			return err
		}
	}
	return b.withoutAggs(s, func() error {
		if x.Filter != nil {
			f, err := b.bindExpr(x.Filter, s, types.Bool)
			if err != nil {
				return err
			}
			t := f.ResultType()
			if isUnknown(t) {
				if f, err = b.bindBool(x.Filter, s, "FILTER"); err != nil {
					return err
				}
				t = f.ResultType()
			}
			if t.Family != types.BoolFamily {
				return pgerror.New(pgerror.CodeDatatypeMismatch, "argument of FILTER must be type boolean, not type %s", t).
					WithPosition(exprStart(x.Filter))
			}
			agg.Filter = f
		}
		for _, o := range x.OrderBy {
			e, err := b.bindExpr(o.Expr, s, nil)
			if err != nil {
				return err
			}
			if isUnknown(e.ResultType()) {
				if e, err = b.bindExpr(o.Expr, s, types.Text); err != nil {
					return err
				}
				b.defaultParam(e, types.Text)
				if k, ok := e.(*Const); ok && isUnknown(k.Typ) {
					e = &Const{D: k.D, Typ: types.Text}
				}
			}
			if err := noOrdering(e.ResultType()); err != nil { // funcs_json.go
				return err
			}
			wo := WindowOrder{Expr: e, Desc: o.Desc, NullsFirst: o.Desc}
			if o.NullsFirst != nil {
				wo.NullsFirst = *o.NullsFirst
			}
			agg.Order = append(agg.Order, wo)
		}
		if len(agg.Order) > 0 && (agg.Name == "sum" || agg.Name == "avg") && agg.Arg.ResultType().Family == types.FloatFamily {
			// Only a floating-point sum depends on the order it adds in;
			// the aggregation reads rows in input order.
			return pgerror.Unsupported("ORDER BY in a floating-point " + agg.Name + "()").WithPosition(x.Pos)
		}
		if agg.Distinct && len(agg.Order) > 0 && !orderIsArg(agg) {
			return pgerror.New(pgerror.CodeInvalidColumnReference, "in an aggregate with DISTINCT, ORDER BY expressions must appear in argument list").
				WithPosition(exprStart(x.OrderBy[0].Expr))
		}
		return nil
	})
}

// orderIsArg reports whether every ORDER BY expression of a DISTINCT
// aggregate is its argument.
func orderIsArg(agg *AggFunc) bool {
	for _, o := range agg.Order {
		if o.Expr.String() != agg.Arg.String() {
			return false
		}
	}
	return true
}

// bindStringAgg binds string_agg(text, text) and string_agg(bytea,
// bytea).
func (b *builder) bindStringAgg(x *ast.FuncExpr, s *scope, agg *AggFunc) (Expr, error) {
	var args []Expr
	err := b.withoutAggs(s, func() error {
		for _, a := range x.Args {
			e, err := b.bindExpr(a, s, nil)
			if err != nil {
				return err
			}
			args = append(args, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	argTypes := make([]*types.T, len(args))
	for i, a := range args {
		argTypes[i] = a.ResultType()
	}
	typ := types.Text
	if len(args) == 2 && (argTypes[0].Family == types.BytesFamily ||
		isUnknown(argTypes[0]) && argTypes[1].Family == types.BytesFamily) {
		typ = types.Bytea
	}
	if len(args) != 2 {
		return nil, undefinedFunction(x.Name, argTypes, x.Pos)
	}
	for i, a := range x.Args {
		t := argTypes[i]
		switch {
		case isUnknown(t):
			err := b.withoutAggs(s, func() error {
				e, err := b.bindExpr(a, s, typ)
				if err != nil {
					return err
				}
				b.defaultParam(e, typ)
				if k, ok := e.(*Const); ok && isUnknown(k.Typ) {
					e = &Const{D: k.D, Typ: typ}
				}
				args[i] = e
				return nil
			})
			if err != nil {
				return nil, err
			}
		case typ == types.Text && t.Family == types.StringFamily:
			args[i] = coerce(args[i], types.Text)
		case typ == types.Bytea && t.Family == types.BytesFamily:
		default:
			return nil, undefinedFunction(x.Name, argTypes, x.Pos)
		}
	}
	agg.Arg, agg.Delim, agg.Typ = args[0], args[1], typ
	if err := b.bindAggClauses(x, s, agg); err != nil {
		return nil, err
	}
	*s.aggs = append(*s.aggs, agg)
	return agg, nil
}

// aggChildren returns an aggregate's sub-expressions.
func aggChildren(x *AggFunc) []Expr {
	var out []Expr
	for _, e := range []Expr{x.Arg, x.Delim, x.Filter} {
		if e != nil {
			out = append(out, e)
		}
	}
	for _, o := range x.Order {
		out = append(out, o.Expr)
	}
	return out
}

// aggArgsString prints an aggregate's arguments and ORDER BY.
func aggArgsString(e *AggFunc) string {
	s := e.Arg.String()
	if e.Delim != nil {
		s += ", " + e.Delim.String()
	}
	if len(e.Order) > 0 {
		parts := make([]string, len(e.Order))
		for i, o := range e.Order {
			parts[i] = o.Expr.String()
			if o.Desc {
				parts[i] += " DESC"
			}
		}
		s += " ORDER BY " + strings.Join(parts, ", ")
	}
	return s
}

// aggFilterString prints an aggregate's FILTER clause (empty for none).
func aggFilterString(e *AggFunc) string {
	if e.Filter == nil {
		return ""
	}
	return " FILTER (WHERE " + e.Filter.String() + ")"
}
