package parser

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// aggClauses translates an aggregate call's FILTER (WHERE …) and the
// ORDER BY inside its argument list. Whether the function is an aggregate
// is the planner's to decide.
func (t *translator) aggClauses(f *pg_query.FuncCall, fe *ast.FuncExpr) error {
	if f.AggFilter != nil {
		e, err := t.expr(f.AggFilter)
		if err != nil {
			return err
		}
		fe.Filter = e
	}
	if len(f.AggOrder) > 0 {
		items, err := t.sortClause(f.AggOrder)
		if err != nil {
			return err
		}
		fe.OrderBy = items
	}
	return nil
}

// funcRef translates a function in FROM (generate_series(…) [AS] g(i)).
// Only a single plain function call is supported: no LATERAL, ROWS FROM
// or column definition lists. sql/plan refuses WITH ORDINALITY where the
// function does not support it.
func (t *translator) funcRef(r *pg_query.RangeFunction) (ast.FromItem, error) {
	switch {
	case r.Lateral:
		return nil, pgerror.Unsupported("LATERAL function in FROM")
	case r.IsRowsfrom:
		return nil, pgerror.Unsupported("ROWS FROM")
	case len(r.Coldeflist) > 0:
		return nil, pgerror.Unsupported("column definition list in FROM")
	case len(r.Functions) != 1:
		return nil, pgerror.Unsupported("function in FROM")
	}
	items := r.Functions[0].GetList().GetItems()
	if len(items) == 0 {
		return nil, pgerror.Unsupported("function in FROM")
	}
	if len(items) > 1 && items[1] != nil && items[1].GetNode() != nil {
		return nil, pgerror.Unsupported("column definition list in FROM")
	}
	fc := items[0].GetFuncCall()
	if fc == nil {
		return nil, pgerror.Unsupported("expression in FROM")
	}
	e, err := t.funcCall(fc)
	if err != nil {
		return nil, err
	}
	fe, ok := e.(*ast.FuncExpr)
	if !ok || fe.Over != nil {
		return nil, t.unsupported("window function in FROM", fc.Location)
	}
	ref := &ast.FuncRef{Func: fe, Ordinality: r.Ordinality, Pos: fe.Pos}
	if r.Alias != nil {
		ref.Alias = r.Alias.Aliasname
		for _, c := range r.Alias.Colnames {
			ref.Columns = append(ref.Columns, c.GetString_().GetSval())
		}
	}
	return ref, nil
}
