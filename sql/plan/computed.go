package plan

import (
	"context"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file binds computed columns: the hidden columns an expression
// index keys on (catalog.Column.Computed), whose value the row writer
// computes from the row on every insert and update.

// ComputedExpr is a bound computed column: the value of the column at
// Ordinal is Expr over the row.
type ComputedExpr struct {
	Ordinal int
	Expr    Expr
}

// bindComputed binds t's computed columns.
func (b *builder) bindComputed(t *catalog.TableDescriptor) ([]ComputedExpr, error) {
	var out []ComputedExpr
	for i := range t.Columns {
		c := &t.Columns[i]
		if c.Computed == "" {
			continue
		}
		p, ok := b.r.(CheckParser)
		if !ok {
			return nil, pgerror.New(pgerror.CodeInternalError, "table \"%s\" has computed columns the planner cannot parse", t.Name)
		}
		e, err := p.ParseCheck(c.Computed)
		if err != nil {
			return nil, err
		}
		x, err := b.bindIndexExpr(t, e)
		if err != nil {
			return nil, err
		}
		out = append(out, ComputedExpr{Ordinal: i, Expr: x})
	}
	return out, nil
}

func (b *builder) bindIndexExpr(t *catalog.TableDescriptor, e ast.Expr) (Expr, error) {
	s := rowScope(t, "index expressions") // check.go
	return b.inRowExpr("index expression", func() (Expr, error) { return b.bindExpr(e, s, nil) })
}

// BindIndexExpression binds an expression index's element over t's row,
// as PostgreSQL's EXPR_KIND_INDEX_EXPRESSION: no subqueries (0A000),
// aggregates (42803) or window functions, only immutable functions
// (42P17).
func BindIndexExpression(ctx context.Context, r Resolver, t *catalog.TableDescriptor, e ast.Expr) (Expr, error) {
	b := &builder{ctx: ctx, r: r}
	x, err := b.bindIndexExpr(t, e)
	if err != nil {
		return nil, err
	}
	if !immutable(x) {
		return nil, pgerror.New("42P17", "functions in index expression must be marked IMMUTABLE")
	}
	return x, nil
}

// BindComputed binds t's computed columns (for the writes DDL makes).
func BindComputed(ctx context.Context, r Resolver, t *catalog.TableDescriptor) ([]ComputedExpr, error) {
	b := &builder{ctx: ctx, r: r}
	return b.bindComputed(t)
}

// useComputed rewrites filter, over t's row, so that each expression an
// expression index keys on reads the index's hidden computed column
// instead (which every write keeps equal to it): a filter such as
// lower(email) = 'x' then constrains that column, and the index can
// serve it like any other. Expressions are matched by their bound form.
func (b *builder) useComputed(t *catalog.TableDescriptor, filter Expr) (Expr, error) {
	if filter == nil {
		return nil, nil
	}
	hasHidden := false
	for i := range t.Columns {
		hasHidden = hasHidden || (t.Columns[i].Hidden && t.Columns[i].Computed != "")
	}
	if !hasHidden {
		return filter, nil
	}
	computed, err := b.bindComputed(t)
	if err != nil {
		return nil, err
	}
	byText := map[string]ComputedExpr{}
	for _, c := range computed {
		if t.Columns[c.Ordinal].Hidden {
			byText[c.Expr.String()] = c
		}
	}
	return Rewrite(filter, func(e Expr) Expr {
		c, ok := byText[e.String()]
		if !ok || !e.ResultType().Equal(c.Expr.ResultType()) {
			return e
		}
		col := &t.Columns[c.Ordinal]
		return &ColRef{Ordinal: c.Ordinal, Name: c.Expr.String(), Typ: col.Type}
	}), nil
}

// impliedPartial returns t's partial indexes whose predicate the filter
// implies in the simplest sound way: each conjunct of the predicate is
// also a conjunct of the filter (compared by their bound form), so every
// row the filter keeps has an entry in the index.
func (b *builder) impliedPartial(t *catalog.TableDescriptor, filter Expr) (map[catalog.IndexID]bool, error) {
	if filter == nil {
		return nil, nil
	}
	var preds map[catalog.IndexID]Expr
	for i := range t.Indexes {
		if t.Indexes[i].Predicate != "" {
			var err error
			if preds, err = b.bindIndexPredicates(t); err != nil {
				return nil, err
			}
			break
		}
	}
	if len(preds) == 0 {
		return nil, nil
	}
	have := map[string]bool{}
	for _, c := range conjuncts(filter) {
		have[c.String()] = true
	}
	out := map[catalog.IndexID]bool{}
	for id, p := range preds {
		all := true
		for _, c := range conjuncts(p) {
			all = all && have[c.String()]
		}
		if all {
			out[id] = true
		}
	}
	return out, nil
}

// conjuncts splits e at its top-level ANDs.
func conjuncts(e Expr) []Expr {
	if a, ok := e.(*And); ok {
		return append(conjuncts(a.L), conjuncts(a.R)...)
	}
	return []Expr{e}
}
