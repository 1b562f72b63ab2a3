package plan

import (
	"errors"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// Common table expressions (WITH) are planned like derived tables: each
// reference to a CTE in FROM plans its query in place, as an inline view.
// A SELECT-only CTE read at the statement's snapshot gives the same rows
// at every reference, so this matches PostgreSQL's results (which may
// instead compute the CTE once). The CTEs of WITH RECURSIVE are planned
// by recursive.go; data-modifying CTEs are 0A000 in the parser.

// cteLevel is the CTEs of one WITH clause.
type cteLevel map[string]*cteDef

// cteDef is one CTE and the CTEs its query may reference: those of
// enclosing WITH clauses and the earlier ones of its own.
type cteDef struct {
	cte     *ast.CTE
	visible []cteLevel
	// with identifies the WITH clause the CTE belongs to (recursive.go
	// tells siblings apart by it).
	with int
	// hidden are the names of the CTE and its later siblings, which a
	// non-RECURSIVE definition does not see: a reference to one that
	// names no table is PostgreSQL's 42P01 with a hint.
	hidden []string
}

// pushWith makes the CTEs of with visible for the rest of the query; the
// returned function hides them again.
func (b *builder) pushWith(with []*ast.CTE) (func(), error) {
	outer := b.ctes
	level := cteLevel{}
	b.nWith++
	for i, c := range with {
		if level[c.Name] != nil {
			return nil, pgerror.New("42712", "WITH query name \"%s\" specified more than once", c.Name).WithPosition(c.Pos)
		}
		if c.Recursive {
			// Under RECURSIVE every CTE of the clause sees all of them.
			level[c.Name] = &cteDef{cte: c, visible: append(append([]cteLevel(nil), outer...), level), with: b.nWith}
			continue
		}
		earlier := cteLevel{}
		for k, v := range level {
			earlier[k] = v
		}
		vis := append(append([]cteLevel(nil), outer...), earlier)
		var hidden []string
		for _, later := range with[i:] {
			hidden = append(hidden, later.Name)
		}
		level[c.Name] = &cteDef{cte: c, visible: vis, with: b.nWith, hidden: hidden}
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
	if d.cte.Recursive {
		return b.addRecursiveCTEUnit(ref, d, s, fp) // recursive.go
	}
	alias := d.cte.Name
	if ref.Alias != "" {
		alias = ref.Alias
	}
	saved, savedHidden := b.ctes, b.hiddenCTEs
	b.ctes = d.visible
	b.hiddenCTEs = append(append([]string(nil), savedHidden...), d.hidden...)
	defer func() { b.ctes, b.hiddenCTEs = saved, savedHidden }()
	return b.addCTEDerived(ref, d, alias, s, fp)
}

// addCTEDerived plans CTE d's query as a derived table of FROM named
// alias, its columns renamed by the CTE's column list.
func (b *builder) addCTEDerived(ref *ast.TableRef, d *cteDef, alias string, s *scope, fp *fromPlan) error {
	start := len(s.cols)
	if err := b.addDerivedUnit(&ast.SubqueryRef{Select: d.cte.Select, Alias: alias, Pos: ref.Table.Pos}, s, fp); err != nil {
		return err
	}
	if n := len(s.cols) - start; len(d.cte.Columns) > n {
		return pgerror.New(pgerror.CodeInvalidColumnReference, "WITH query \"%s\" has %d columns available but %d columns specified",
			d.cte.Name, n, len(d.cte.Columns)).WithPosition(d.cte.Pos)
	}
	for i, c := range d.cte.Columns {
		s.cols[start+i].name = c
	}
	return nil
}

// hiddenCTEError adds PostgreSQL's detail and hint to err, the 42P01 of
// a table name that is a CTE the reference cannot see.
func (b *builder) hiddenCTEError(err error, name ast.TableName) error {
	var pe *pgerror.Error
	if name.Schema != "" || !errors.As(err, &pe) || pe.Code != pgerror.CodeUndefinedTable || pe.Detail != "" {
		return err
	}
	for _, h := range b.hiddenCTEs {
		if h == name.Name {
			return pe.WithDetail("There is a WITH item named \"%s\", but it cannot be referenced from this part of the query.", h).
				WithHint("Use WITH RECURSIVE, or re-order the WITH items to remove forward references.")
		}
	}
	return err
}
