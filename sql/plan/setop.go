package plan

import (
	"strings"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// SetOp is UNION, INTERSECT or EXCEPT (ALL keeps duplicates) of two inputs
// with the same columns; rows compare with NULLs equal.
type SetOp struct {
	Op          string
	All         bool
	Left, Right Node
	Cols        []Column
}

// Columns implements Node.
func (n *SetOp) Columns() []Column { return n.Cols }

// Children implements Node.
func (n *SetOp) Children() []Node { return []Node{n.Left, n.Right} }

func (n *SetOp) describe() (string, []string) {
	s := strings.ToLower(n.Op)
	if n.All {
		s += " all"
	}
	return s, nil
}

// buildSetOp plans a set operation and its ORDER BY / LIMIT, which may
// only name result columns (by position or name).
func (b *builder) buildSetOp(sel *ast.Select, s *scope) (Node, error) {
	op := sel.SetOp
	ls, rs := &scope{parent: s.parent}, &scope{parent: s.parent}
	// A recursive CTE's self-reference must not be under INTERSECT ALL
	// or EXCEPT (recursive.go).
	lctx, lok, rctx, rok := setOpRecContexts(op)
	leave := b.recEnterIf(lok, lctx)
	l, err := b.buildSelect(op.L, ls)
	leave()
	if err != nil {
		return nil, err
	}
	leave = b.recEnterIf(rok, rctx)
	r, err := b.buildSelect(op.R, rs)
	leave()
	if err != nil {
		return nil, err
	}
	if ls.correlated || rs.correlated {
		s.correlated = true
	}
	lc, rc := l.Columns(), r.Columns()
	if len(lc) != len(rc) {
		return nil, pgerror.New(pgerror.CodeSyntaxError, "each %s query must have the same number of columns", op.Op).WithPosition(firstTargetPos(op.R, 0))
	}
	cols := make([]Column, len(lc))
	for i := range lc {
		typ, err := commonType([]Expr{&Const{D: types.DNull, Typ: lc[i].Typ}, &Const{D: types.DNull, Typ: rc[i].Typ}}, op.Op)
		if err != nil {
			return nil, err
		}
		cols[i] = Column{Name: lc[i].Name, Typ: typ}
		if !op.All {
			if err := noEquality(typ); err != nil { // funcs_json.go
				return nil, err
			}
		}
	}
	n := &SetOp{Op: op.Op, All: op.All, Left: castColumns(l, cols), Right: castColumns(r, cols), Cols: cols}
	var out Node = n
	var keys []SortKey
	for _, o := range sel.OrderBy {
		ord := -1
		switch x := o.Expr.(type) {
		case *ast.NumVal:
			if x.IsInt {
				if x.Int < 1 || int(x.Int) > len(cols) {
					return nil, pgerror.New(pgerror.CodeInvalidColumnReference, "ORDER BY position %d is not in select list", x.Int).WithPosition(x.Pos)
				}
				ord = int(x.Int) - 1
			}
		case *ast.ColumnRef:
			if x.Table == "" {
				for i, c := range cols {
					if c.Name == x.Name {
						ord = i
						break
					}
				}
				if ord < 0 {
					return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" does not exist", x.Name).WithPosition(x.Pos)
				}
			}
		}
		if ord < 0 {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "invalid UNION/INTERSECT/EXCEPT ORDER BY clause").
				WithDetail("Only result column names can be used, not expressions or functions.").WithPosition(exprStart(o.Expr))
		}
		if err := noOrdering(cols[ord].Typ); err != nil { // funcs_json.go
			return nil, err
		}
		nf := o.Desc
		if o.NullsFirst != nil {
			nf = *o.NullsFirst
		}
		keys = append(keys, SortKey{Ordinal: ord, Desc: o.Desc, NullsFirst: nf})
	}
	if len(keys) > 0 {
		out = &Sort{Input: out, Keys: keys}
	}
	if sel.Limit != nil || sel.Offset != nil {
		lim := &Limit{Input: out}
		if sel.Limit != nil {
			if lim.Count, err = b.bindLimit(sel.Limit, s, "LIMIT"); err != nil {
				return nil, err
			}
		}
		if sel.Offset != nil {
			if lim.Offset, err = b.bindLimit(sel.Offset, s, "OFFSET"); err != nil {
				return nil, err
			}
		}
		out = lim
	}
	return out, nil
}

// castColumns projects n's columns to the given types where they differ.
func castColumns(n Node, cols []Column) Node {
	have := n.Columns()
	same := true
	for i := range have {
		if !have[i].Typ.Identical(cols[i].Typ) {
			same = false
		}
	}
	if same {
		return n
	}
	p := &Project{Input: n}
	for i, c := range have {
		var e Expr = &ColRef{Ordinal: i, Name: c.Name, Typ: c.Typ}
		if !c.Typ.Identical(cols[i].Typ) {
			e = &Cast{E: e, Typ: cols[i].Typ}
		}
		p.Exprs = append(p.Exprs, e)
		p.Cols = append(p.Cols, Column{Name: c.Name, Typ: cols[i].Typ})
	}
	return p
}
