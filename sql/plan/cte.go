package plan

import (
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// Common table expressions (WITH) are planned like derived tables: each
// reference to a CTE in FROM plans its query in place, as an inline view.
// A SELECT-only CTE read at the statement's snapshot gives the same rows
// at every reference, so this matches PostgreSQL's results (which may
// instead compute the CTE once); RECURSIVE and data-modifying CTEs are
// 0A000 in the parser.

// cteLevel is the CTEs of one WITH clause.
type cteLevel map[string]*cteDef

// cteDef is one CTE and the CTEs its query may reference: those of
// enclosing WITH clauses and the earlier ones of its own.
type cteDef struct {
	cte     *ast.CTE
	visible []cteLevel
}

// pushWith makes the CTEs of with visible for the rest of the query; the
// returned function hides them again.
func (b *builder) pushWith(with []*ast.CTE) (func(), error) {
	outer := b.ctes
	level := cteLevel{}
	for _, c := range with {
		if level[c.Name] != nil {
			return nil, pgerror.New("42712", "WITH query name \"%s\" specified more than once", c.Name).WithPosition(c.Pos)
		}
		earlier := cteLevel{}
		for k, v := range level {
			earlier[k] = v
		}
		vis := append(append([]cteLevel(nil), outer...), earlier)
		level[c.Name] = &cteDef{cte: c, visible: vis}
	}
	b.ctes = append(append([]cteLevel(nil), outer...), level)
	return func() { b.ctes = outer }, nil
}

// lookupCTE finds the CTE an unqualified table name refers to, innermost
// WITH first.
func (b *builder) lookupCTE(name ast.TableName) *cteDef {
	if name.Schema != "" {
		return nil
	}
	for i := len(b.ctes) - 1; i >= 0; i-- {
		if d := b.ctes[i][name.Name]; d != nil {
			return d
		}
	}
	return nil
}

// addCTEUnit adds a reference to a CTE to FROM, as a derived table
// planned with the CTEs its definition sees.
func (b *builder) addCTEUnit(ref *ast.TableRef, d *cteDef, s *scope, fp *fromPlan) error {
	alias := d.cte.Name
	if ref.Alias != "" {
		alias = ref.Alias
	}
	saved := b.ctes
	b.ctes = d.visible
	defer func() { b.ctes = saved }()
	return b.addDerivedUnit(&ast.SubqueryRef{Select: d.cte.Select, Alias: alias, Columns: d.cte.Columns, Pos: ref.Table.Pos}, s, fp)
}
