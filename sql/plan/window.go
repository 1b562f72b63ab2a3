package plan

import (
	"strings"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// Window functions: row_number, rank, dense_rank and the aggregates over
// OVER (PARTITION BY … ORDER BY …) with PostgreSQL's default frame (the
// partition up to the current row's last peer when ordered, the whole
// partition when not). A query's window functions are computed by one
// Window node over the FROM/WHERE rows, before the projection, DISTINCT,
// ORDER BY and LIMIT; each call then reads its column.

// WindowFunc is one window function call.
type WindowFunc struct {
	Name string   // row_number, rank, dense_rank, lag, lead, first_value, last_value, or Agg's name
	Agg  *AggFunc // the aggregate, for an aggregate over a window
	// Args are lag/lead's (value, offset, default) and first_value's and
	// last_value's value.
	Args      []Expr
	Partition []Expr
	Order     []WindowOrder
	Typ       *types.T
}

// WindowOrder is one ORDER BY item of a window.
type WindowOrder struct {
	Expr             Expr
	Desc, NullsFirst bool
}

// ResultType implements Expr.
func (w *WindowFunc) ResultType() *types.T { return w.Typ }

func (w *WindowFunc) String() string {
	call := w.Name + "()"
	if w.Agg != nil {
		call = w.Agg.String()
	}
	var parts []string
	if len(w.Partition) > 0 {
		parts = append(parts, "PARTITION BY "+exprList(w.Partition))
	}
	if len(w.Order) > 0 {
		var os []string
		for _, o := range w.Order {
			s := o.Expr.String()
			if o.Desc {
				s += " DESC"
			}
			os = append(os, s)
		}
		parts = append(parts, "ORDER BY "+strings.Join(os, ", "))
	}
	return call + " OVER (" + strings.Join(parts, " ") + ")"
}

// Window appends to each row of Input the value of each of Funcs.
type Window struct {
	Input Node
	Funcs []*WindowFunc
}

func (n *Window) Columns() []Column {
	cols := append([]Column(nil), n.Input.Columns()...)
	for _, f := range n.Funcs {
		cols = append(cols, Column{Name: f.Name, Typ: f.Typ})
	}
	return cols
}

func (n *Window) Children() []Node { return []Node{n.Input} }

func (n *Window) describe() (string, []string) {
	var lines []string
	for _, f := range n.Funcs {
		lines = append(lines, f.String())
	}
	return "window", lines
}

// bindWindow binds a window function call where the select list or ORDER
// BY allows one.
func (b *builder) bindWindow(x *ast.FuncExpr, s *scope) (Expr, error) {
	if s.windows == nil {
		what := s.noAggs
		if what == "" {
			what = "this context"
		}
		return nil, pgerror.New("42P20", "window functions are not allowed in %s", what).WithPosition(x.Pos)
	}
	if x.Distinct {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "DISTINCT is not implemented for window functions").WithPosition(x.Pos)
	}
	// Arguments, partitions and orders hold neither aggregates nor window
	// functions.
	savedAggs, savedWin, savedWhat := s.aggs, s.windows, s.noAggs
	s.aggs, s.windows, s.noAggs = nil, nil, "window function calls"
	defer func() { s.aggs, s.windows, s.noAggs = savedAggs, savedWin, savedWhat }()
	w := &WindowFunc{Name: x.Name}
	switch {
	case x.Name == "row_number" || x.Name == "rank" || x.Name == "dense_rank":
		if len(x.Args) > 0 || x.Star {
			return nil, undefinedFunction(x.Name, nil, x.Pos)
		}
		w.Typ = types.Int8
	case x.Name == "percent_rank" || x.Name == "cume_dist":
		if len(x.Args) > 0 || x.Star {
			return nil, undefinedFunction(x.Name, nil, x.Pos)
		}
		w.Typ = types.Float8
	case x.Name == "ntile":
		if len(x.Args) != 1 || x.Star {
			return nil, undefinedFunction(x.Name, nil, x.Pos)
		}
		n, err := b.bindExpr(x.Args[0], s, types.Int4)
		if err != nil {
			return nil, err
		}
		if !n.ResultType().Identical(types.Int4) && !n.ResultType().Identical(types.Int2) {
			return nil, undefinedFunction(x.Name, []*types.T{n.ResultType()}, x.Pos)
		}
		w.Args, w.Typ = []Expr{n}, types.Int4
	case x.Name == "lag" || x.Name == "lead":
		if len(x.Args) < 1 || len(x.Args) > 3 || x.Star {
			return nil, undefinedFunction(x.Name, nil, x.Pos)
		}
		// lag(anycompatible, integer, anycompatible), as in PostgreSQL 15.
		vals := []ast.Expr{x.Args[0]}
		if len(x.Args) == 3 {
			vals = append(vals, x.Args[2])
		}
		bound, typ, err := b.bindCommon(vals, s, x.Name)
		if err != nil {
			return nil, err
		}
		if isUnknown(typ) {
			typ = types.Text
			for i := range bound {
				bound[i] = coerce(bound[i], typ)
			}
		}
		w.Args = []Expr{bound[0], &Const{D: types.DInt(1), Typ: types.Int4}, &Const{D: types.DNull, Typ: typ}}
		if len(x.Args) >= 2 {
			off, err := b.bindExpr(x.Args[1], s, types.Int4)
			if err != nil {
				return nil, err
			}
			if !off.ResultType().Identical(types.Int4) && !off.ResultType().Identical(types.Int2) {
				return nil, undefinedFunction(x.Name, []*types.T{typ, off.ResultType()}, x.Pos)
			}
			w.Args[1] = off
		}
		if len(x.Args) == 3 {
			w.Args[2] = bound[1]
		}
		w.Typ = typ
	case x.Name == "first_value" || x.Name == "last_value":
		if len(x.Args) != 1 || x.Star {
			return nil, undefinedFunction(x.Name, nil, x.Pos)
		}
		arg, err := b.bindExpr(x.Args[0], s, nil)
		if err != nil {
			return nil, err
		}
		if isUnknown(arg.ResultType()) {
			if arg, err = b.bindExpr(x.Args[0], s, types.Text); err != nil {
				return nil, err
			}
		}
		w.Args, w.Typ = []Expr{arg}, arg.ResultType()
	case isAggregate(x.Name):
		var aggs []*AggFunc
		s.aggs = &aggs
		e, err := b.bindAggregate(&ast.FuncExpr{Name: x.Name, Args: x.Args, Star: x.Star, Pos: x.Pos}, s)
		s.aggs = nil
		if err != nil {
			return nil, err
		}
		w.Agg = e.(*AggFunc)
		w.Typ = w.Agg.Typ
	default:
		return nil, pgerror.Unsupported("window function " + x.Name).WithPosition(x.Pos)
	}
	for _, p := range x.Over.PartitionBy {
		e, err := b.bindExpr(p, s, nil)
		if err != nil {
			return nil, err
		}
		b.defaultParam(e, types.Text)
		if err := noEquality(e.ResultType()); err != nil { // funcs_json.go
			return nil, err
		}
		w.Partition = append(w.Partition, e)
	}
	for _, o := range x.Over.OrderBy {
		e, err := b.bindExpr(o.Expr, s, nil)
		if err != nil {
			return nil, err
		}
		b.defaultParam(e, types.Text)
		if err := noOrdering(e.ResultType()); err != nil { // funcs_json.go
			return nil, err
		}
		wo := WindowOrder{Expr: e, Desc: o.Desc, NullsFirst: o.Desc}
		if o.NullsFirst != nil {
			wo.NullsFirst = *o.NullsFirst
		}
		w.Order = append(w.Order, wo)
	}
	*savedWin = append(*savedWin, w)
	return w, nil
}

// replaceWindows replaces each window function call in e by a reference
// to its column: ordinal base+i for wins[i].
func replaceWindows(e Expr, wins []*WindowFunc, base int) Expr {
	if e == nil {
		return nil
	}
	if w, ok := e.(*WindowFunc); ok {
		for i, x := range wins {
			if x == w {
				return &ColRef{Ordinal: base + i, Name: w.Name, Typ: w.Typ}
			}
		}
	}
	return mapChildren(e, func(c Expr) Expr { return replaceWindows(c, wins, base) })
}
