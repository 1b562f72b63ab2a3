package plan

import (
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// usingJoin records a JOIN … USING of two tables at one query level: the
// columns [start, end) of the pair, and the merged columns, which an
// unqualified * lists first. The other copy of each merged column is
// marked usingHidden: unqualified names and * skip it, a qualified name
// still reaches it.
type usingJoin struct {
	start, end int
	merged     []int
}

// addUsingJoin plans L [INNER | LEFT | RIGHT] JOIN R USING (cols) of two
// tables as the join ON L.c = R.c for each c, then merges each pair into
// one column: L's for INNER and LEFT, R's for RIGHT (the copy that is
// never NULL-extended), as PostgreSQL does.
func (b *builder) addUsingJoin(x *ast.JoinExpr, s *scope, fp *fromPlan) error {
	lt, lok := x.L.(*ast.TableRef)
	rt, rok := x.R.(*ast.TableRef)
	if !lok || !rok {
		return pgerror.Unsupported("JOIN ... USING over a join or subquery")
	}
	if x.Kind != ast.InnerJoin && x.Kind != ast.LeftJoin && x.Kind != ast.RightJoin {
		return pgerror.Unsupported(string(x.Kind) + " JOIN ... USING")
	}
	ltab, lview, err := b.resolveRelation(lt.Table)
	if err != nil {
		return err
	}
	rtab, rview, err := b.resolveRelation(rt.Table)
	if err != nil {
		return err
	}
	if lview != nil || rview != nil {
		return pgerror.Unsupported("JOIN ... USING with a view")
	}
	using := x.Using
	if x.Natural {
		// Every column name of L that R has too, in L's order.
		using = nil
		for i := range ltab.Columns {
			lc := &ltab.Columns[i]
			if lc.Hidden {
				continue
			}
			for j := range rtab.Columns {
				if rc := &rtab.Columns[j]; !rc.Hidden && rc.Name == lc.Name {
					using = append(using, lc.Name)
				}
			}
		}
		if len(using) == 0 {
			if x.Kind != ast.InnerJoin {
				return pgerror.Unsupported("NATURAL " + string(x.Kind) + " JOIN without common columns")
			}
			// No common column: a cross join.
			if err := b.addFromItem(x.L, s, fp); err != nil {
				return err
			}
			return b.addFromItem(x.R, s, fp)
		}
	}
	start := len(s.cols)
	on := &ast.JoinExpr{Kind: x.Kind, L: x.L, R: x.R, Pos: x.Pos}
	// The ON condition, over the two tables' names; it is bound once both
	// are in scope.
	lname, rname := tableRefName(lt), tableRefName(rt)
	seen := map[string]bool{}
	var cond ast.Expr
	for _, c := range using {
		if seen[c] {
			return pgerror.New(pgerror.CodeDuplicateColumn, "column name \"%s\" appears more than once in USING clause", c)
		}
		seen[c] = true
		eq := &ast.ComparisonExpr{Op: ast.EQ, L: &ast.ColumnRef{Table: lname, Name: c}, R: &ast.ColumnRef{Table: rname, Name: c}}
		if cond == nil {
			cond = eq
		} else {
			cond = &ast.AndExpr{L: cond, R: eq}
		}
	}
	on.On = cond
	// Check the USING columns on each side before the ON is bound, for
	// PostgreSQL's errors. Both sides are tables: their columns enter the
	// scope in descriptor order, the left table's first.
	check := func(t *catalog.TableDescriptor, side string) ([]int, error) {
		var ords []int
		for _, c := range using {
			found := -1
			for i := range t.Columns {
				if t.Columns[i].Name == c && !t.Columns[i].Hidden {
					found = i
				}
			}
			if found < 0 {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" specified in USING clause does not exist in %s table", c, side)
			}
			ords = append(ords, found)
		}
		return ords, nil
	}
	lords, err := check(ltab, "left")
	if err != nil {
		return err
	}
	rords, err := check(rtab, "right")
	if err != nil {
		return err
	}
	for i := range lords {
		if !ltab.Columns[lords[i]].Type.Equal(rtab.Columns[rords[i]].Type) {
			return pgerror.Unsupported("JOIN ... USING on columns of different types")
		}
		rords[i] += len(ltab.Columns)
	}
	if on.Kind == ast.InnerJoin {
		if err := b.addFromItem(on.L, s, fp); err != nil {
			return err
		}
		if err := b.addFromItem(on.R, s, fp); err != nil {
			return err
		}
		bound, err := b.bindOn(on.On, s)
		if err != nil {
			return err
		}
		fp.conds = append(fp.conds, Conjuncts(bound)...)
	} else if err := b.addLeftJoin(on, s, fp, on.Kind == ast.RightJoin); err != nil {
		return err
	}
	keep, hide := lords, rords
	if x.Kind == ast.RightJoin {
		keep, hide = rords, lords
	}
	uj := usingJoin{start: start, end: len(s.cols)}
	for i := range keep {
		uj.merged = append(uj.merged, start+keep[i])
		s.cols[start+hide[i]].usingHidden = true
	}
	s.usingJoins = append(s.usingJoins, uj)
	return nil
}

func tableRefName(t *ast.TableRef) string {
	if t.Alias != "" {
		return t.Alias
	}
	return t.Table.Name
}
