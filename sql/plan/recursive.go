package plan

import (
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// WITH RECURSIVE, as PostgreSQL 15 runs it.
//
// The CTEs of a WITH RECURSIVE clause see each other (in any order) and
// themselves. One that references itself must have the form
//
//	non-recursive-term UNION [ALL] recursive-term
//
// and is planned as a RecursiveCTE: the non-recursive term, whose column
// types are the CTE's (unknown literals become text), and the recursive
// term, in which the self-reference is a WorkTableScan of those columns.
// A CTE of the clause that does not reference itself is an ordinary CTE,
// inlined at each reference (cte.go); so is a recursive one: every
// reference from outside plans its own RecursiveCTE.
//
// PostgreSQL checks the form on its raw parse tree (parse_cte.c's
// checkWellFormedRecursion); here the same rules are checked while the
// terms are planned. Each CTE of a RECURSIVE clause being planned has a
// recFrame on the builder's stack, whose mode says what a self-reference
// means at this point: an error in the non-recursive term, an error when
// the query is not a UNION, a work table scan in the recursive term; and
// whose context records what the planner has entered since (a subquery,
// the nullable side of an outer join, INTERSECT ALL, EXCEPT), where a
// self-reference is 42P19 too. A reference to a CTE being planned from a
// sibling CTE of the same clause is mutual recursion, 0A000 in
// PostgreSQL.

// WorkTable is the working table of a recursive CTE: during each
// iteration, the rows the previous one produced.
type WorkTable struct {
	Name string
	Cols []Column
}

// RecursiveCTE evaluates Init, then Recursive over the work table
// holding Init's rows, then Recursive again over the rows that iteration
// produced, and so on until an iteration produces no rows; it emits every
// row as it is produced, so a LIMIT above it ends the recursion. Without
// All (UNION) a row equal to one produced before (NULLs equal) is
// discarded, and does not reach the next iteration either. Recursive's
// rows are cast to Init's column types by the planner.
type RecursiveCTE struct {
	Name            string
	All             bool
	Init, Recursive Node
	Table           *WorkTable
	Cols            []Column
}

// WorkTableScan reads the work table of the enclosing RecursiveCTE.
type WorkTableScan struct {
	Table *WorkTable
	Alias string
}

// Columns implements Node.
func (n *RecursiveCTE) Columns() []Column { return n.Cols }

// Children implements Node.
func (n *RecursiveCTE) Children() []Node { return []Node{n.Init, n.Recursive} }

func (n *RecursiveCTE) describe() (string, []string) {
	op := "union"
	if n.All {
		op = "union all"
	}
	return "recursive cte " + n.Name, []string{"iterate: " + op, "columns: " + columnNames(n.Cols)}
}

// Columns implements Node.
func (n *WorkTableScan) Columns() []Column { return n.Table.Cols }

// Children implements Node.
func (n *WorkTableScan) Children() []Node { return nil }

func (n *WorkTableScan) describe() (string, []string) {
	if n.Alias != "" && n.Alias != n.Table.Name {
		return "work table scan " + n.Table.Name + " AS " + n.Alias, nil
	}
	return "work table scan " + n.Table.Name, nil
}

func columnNames(cols []Column) string {
	s := ""
	for i, c := range cols {
		if i > 0 {
			s += ", "
		}
		s += c.Name
	}
	return s
}

// recMode is what a self-reference of a CTE being planned means.
type recMode uint8

const (
	// recPlain: the CTE does not reference itself (no reference can reach
	// it); it is being planned as an ordinary CTE.
	recPlain recMode = iota
	// recNotUnion: the CTE's query is not a UNION; a self-reference is
	// an error.
	recNotUnion
	// recTerms: the CTE is a UNION whose terms are being planned; the
	// frame's context says what a self-reference means.
	recTerms
)

// recContext is where in a recursive CTE's terms the planner is, as
// PostgreSQL's RecursionContext.
type recContext uint8

const (
	recOK recContext = iota
	recNonRecursiveTerm
	recSublink
	recOuterJoin
	recIntersect
	recExcept
)

var recContextMessages = [...]string{
	recNonRecursiveTerm: "recursive reference to query \"%s\" must not appear within its non-recursive term",
	recSublink:          "recursive reference to query \"%s\" must not appear within a subquery",
	recOuterJoin:        "recursive reference to query \"%s\" must not appear within an outer join",
	recIntersect:        "recursive reference to query \"%s\" must not appear within INTERSECT",
	recExcept:           "recursive reference to query \"%s\" must not appear within EXCEPT",
}

// recFrame is a CTE of a RECURSIVE clause being planned.
type recFrame struct {
	def   *cteDef
	mode  recMode
	ctx   recContext
	table *WorkTable
	refs  int
}

// recEnter moves every frame in recTerms mode to context c (a subquery
// overrides any context; the others replace only recOK, as PostgreSQL's
// walker does) and returns the function that restores the contexts.
func (b *builder) recEnter(c recContext) func() {
	if len(b.rec) == 0 {
		return func() {}
	}
	saved := make([]recContext, len(b.rec))
	for i, f := range b.rec {
		saved[i] = f.ctx
		if f.mode == recTerms && (c == recSublink || f.ctx == recOK) {
			f.ctx = c
		}
	}
	return func() {
		for i, f := range b.rec {
			f.ctx = saved[i]
		}
	}
}

// recEnterIf is recEnter when cond holds, else a no-op.
func (b *builder) recEnterIf(cond bool, c recContext) func() {
	if !cond {
		return func() {}
	}
	return b.recEnter(c)
}

// setOpRecContexts returns the contexts a set operation's sides are in
// for a self-reference, as PostgreSQL's checkWellFormedSelectStmt: both
// sides of INTERSECT ALL, the left of EXCEPT ALL and the right of any
// EXCEPT; ok is false for a side that stays in its context.
func setOpRecContexts(op *ast.SetOp) (l recContext, lok bool, r recContext, rok bool) {
	switch op.Op {
	case "INTERSECT":
		return recIntersect, op.All, recIntersect, op.All
	case "EXCEPT":
		return recExcept, op.All, recExcept, true
	}
	return recOK, false, recOK, false
}

// recFrameOf returns the index of d's frame, or -1 when d is not being
// planned.
func (b *builder) recFrameOf(d *cteDef) int {
	for i := len(b.rec) - 1; i >= 0; i-- {
		if b.rec[i].def == d {
			return i
		}
	}
	return -1
}

// addRecursiveCTEUnit adds a reference to a CTE of a RECURSIVE clause to
// FROM: a work table scan when it is the CTE's reference to itself, else
// the CTE planned in place.
func (b *builder) addRecursiveCTEUnit(ref *ast.TableRef, d *cteDef, s *scope, fp *fromPlan) error {
	alias := d.cte.Name
	if ref.Alias != "" {
		alias = ref.Alias
	}
	if i := b.recFrameOf(d); i >= 0 {
		for _, f := range b.rec[i+1:] {
			if f.def.with == d.with {
				return pgerror.New(pgerror.CodeFeatureNotSupported, "mutual recursion between WITH items is not implemented").WithPosition(d.cte.Pos)
			}
		}
		f := b.rec[i]
		switch {
		case f.mode == recNotUnion:
			return pgerror.New(pgerror.CodeInvalidRecursionForm, "recursive query \"%s\" does not have the form non-recursive-term UNION [ALL] recursive-term", d.cte.Name).WithPosition(d.cte.Pos)
		case f.mode != recTerms:
			return pgerror.New(pgerror.CodeInternalError, "unexpected recursive reference to query \"%s\"", d.cte.Name)
		case f.ctx != recOK:
			return pgerror.New(pgerror.CodeInvalidRecursionForm, recContextMessages[f.ctx], d.cte.Name).WithPosition(ref.Table.Pos)
		}
		if f.refs++; f.refs > 1 {
			return pgerror.New(pgerror.CodeInvalidRecursionForm, "recursive reference to query \"%s\" must not appear more than once", d.cte.Name).WithPosition(ref.Table.Pos)
		}
		s.selfRef = true
		return addNodeUnit(&WorkTableScan{Table: f.table, Alias: alias}, alias, s, fp)
	}
	saved := b.ctes
	b.ctes = d.visible
	defer func() { b.ctes = saved }()
	f := &recFrame{def: d}
	b.rec = append(b.rec, f)
	defer func() { b.rec = b.rec[:len(b.rec)-1] }()
	sel := d.cte.Select
	if sel.SetOp == nil || sel.SetOp.Op != "UNION" {
		f.mode = recNotUnion
		return b.addCTEDerived(ref, d, alias, s, fp)
	}
	node, err := b.buildRecursiveCTE(f, s)
	if err != nil {
		return err
	}
	if node == nil {
		// Not recursive after all: an ordinary CTE.
		f.mode = recPlain
		return b.addCTEDerived(ref, d, alias, s, fp)
	}
	return addNodeUnit(node, alias, s, fp)
}

// addNodeUnit adds a planned relation to FROM as a composite unit named
// alias.
func addNodeUnit(node Node, alias string, s *scope, fp *fromPlan) error {
	if s.findTable(alias) != nil {
		return pgerror.New(pgerror.CodeDuplicateAlias, "table name \"%s\" specified more than once", alias)
	}
	u := &unit{start: len(s.cols), node: node, alias: alias}
	for _, c := range node.Columns() {
		s.cols = append(s.cols, scopeCol{table: alias, name: c.Name, typ: c.Typ})
	}
	s.tables = append(s.tables, scopeTable{name: alias, start: u.start, end: len(s.cols)})
	u.end = len(s.cols)
	fp.units = append(fp.units, u)
	return nil
}

// buildRecursiveCTE plans the UNION of frame f's CTE as a RecursiveCTE
// in the scope s references it from; it returns nil when the recursive
// term does not reference the CTE (an ordinary CTE).
func (b *builder) buildRecursiveCTE(f *recFrame, s *scope) (Node, error) {
	d := f.def
	sel := d.cte.Select
	if len(sel.With) > 0 {
		pop, err := b.pushWith(sel.With)
		if err != nil {
			return nil, err
		}
		defer pop()
	}
	op := sel.SetOp
	f.mode, f.ctx = recTerms, recNonRecursiveTerm
	ls := &scope{parent: s.parent}
	init, err := b.buildSelect(op.L, ls)
	if err != nil {
		return nil, err
	}
	ic := init.Columns()
	if len(d.cte.Columns) > len(ic) {
		return nil, pgerror.New(pgerror.CodeInvalidColumnReference, "WITH query \"%s\" has %d columns available but %d columns specified",
			d.cte.Name, len(ic), len(d.cte.Columns)).WithPosition(d.cte.Pos)
	}
	cols := make([]Column, len(ic))
	for i, c := range ic {
		cols[i] = Column{Name: c.Name, Typ: c.Typ}
		if i < len(d.cte.Columns) {
			cols[i].Name = d.cte.Columns[i]
		}
		if isUnknown(c.Typ) {
			cols[i].Typ = types.Text
		}
	}
	f.table = &WorkTable{Name: d.cte.Name, Cols: cols}
	f.ctx = recOK
	rs := &scope{parent: s.parent}
	rec, err := b.buildSelect(op.R, rs)
	if err != nil {
		return nil, err
	}
	if f.refs == 0 {
		return nil, nil
	}
	if ls.correlated || rs.correlated {
		s.correlated = true
	}
	// PostgreSQL's checkWellFormedRecursion: no decoration atop the UNION.
	switch {
	case len(sel.OrderBy) > 0:
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "ORDER BY in a recursive query is not implemented").WithPosition(exprStart(sel.OrderBy[0].Expr))
	case sel.Offset != nil:
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "OFFSET in a recursive query is not implemented").WithPosition(exprStart(sel.Offset))
	case sel.Limit != nil:
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "LIMIT in a recursive query is not implemented").WithPosition(exprStart(sel.Limit))
	}
	rc := rec.Columns()
	if len(rc) != len(ic) {
		return nil, pgerror.New(pgerror.CodeSyntaxError, "each UNION query must have the same number of columns").WithPosition(firstTargetPos(op.R, 0))
	}
	// The CTE's types are the non-recursive term's; the UNION's type must
	// not differ from them (parse_cte.c's analyzeCTE).
	for i := range cols {
		overall, err := recursiveOverallType(ic[i].Typ, rc[i].Typ, unknownTarget(op.L, i), unknownTarget(op.R, i))
		if err != nil {
			if pe, ok := err.(*pgerror.Error); ok && pe.Position == 0 {
				return nil, pe.WithPosition(firstTargetPos(op.R, i))
			}
			return nil, err
		}
		if !overall.Identical(cols[i].Typ) {
			return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "recursive query \"%s\" column %d has type %s in non-recursive term but type %s overall",
				d.cte.Name, i+1, cols[i].Typ, overall).
				WithHint("Cast the output of the non-recursive term to the correct type.").
				WithPosition(firstTargetPos(op.L, i))
		}
	}
	return &RecursiveCTE{Name: d.cte.Name, All: op.All, Init: castColumns(init, cols), Recursive: castColumns(rec, cols), Table: f.table, Cols: cols}, nil
}

// recursiveOverallType is the type PostgreSQL's UNION of a recursive
// CTE's terms gives a column whose terms have types l and r; lu and ru
// say a term's column is an untyped literal, which the UNION resolves
// against the other side (text when both are). Between text and varchar,
// each implicitly castable to the other, the left type wins; a modifier
// survives only when both sides have it.
func recursiveOverallType(l, r *types.T, lu, ru bool) (*types.T, error) {
	switch {
	case lu && ru:
		return types.Text, nil
	case lu:
		return r.WithoutMod(), nil
	case ru:
		return l, nil
	}
	if isTextOrVarchar(l) && isTextOrVarchar(r) {
		if l.Identical(r) {
			return l, nil
		}
		return l.WithoutMod(), nil
	}
	return commonType([]Expr{&Const{D: types.DNull, Typ: l}, &Const{D: types.DNull, Typ: r}}, "UNION")
}

func isTextOrVarchar(t *types.T) bool { return t.OID == types.OIDText || t.OID == types.OIDVarchar }

// unknownTarget reports whether column i of a UNION term is an untyped
// literal ('…' or NULL) of a plain SELECT, which PostgreSQL types only
// at the UNION.
func unknownTarget(sel *ast.Select, i int) bool {
	if sel.SetOp != nil || sel.Values != nil || i >= len(sel.Exprs) || sel.Exprs[i].Star {
		return false
	}
	switch sel.Exprs[i].Expr.(type) {
	case *ast.StrVal, *ast.NullVal:
		return true
	}
	return false
}

// firstTargetPos returns the position of column i of the leftmost SELECT
// of sel, or 0.
func firstTargetPos(sel *ast.Select, i int) int {
	for sel.SetOp != nil {
		sel = sel.SetOp.L
	}
	if sel.Values != nil {
		if len(sel.Values) > 0 && i < len(sel.Values[0]) {
			return exprStart(sel.Values[0][i])
		}
		return 0
	}
	if i < len(sel.Exprs) && !sel.Exprs[i].Star && sel.Exprs[i].Expr != nil {
		return exprStart(sel.Exprs[i].Expr)
	}
	return 0
}

// errRecursiveAggregate is PostgreSQL's error for an aggregate at a query
// level that reads a recursive CTE's work table.
func errRecursiveAggregate(pos int) error {
	return pgerror.New(pgerror.CodeInvalidRecursionForm, "aggregate functions are not allowed in a recursive query's recursive term").WithPosition(pos)
}

// checkRecursiveWith plans each CTE of a RECURSIVE clause once, in order,
// before the query that uses them, and discards the plans: PostgreSQL
// analyzes every CTE of the clause, referenced or not, so an ill-formed
// one is an error even when nothing reads it.
func (b *builder) checkRecursiveWith(with []*ast.CTE, s *scope) error {
	if len(with) == 0 || !with[0].Recursive {
		return nil
	}
	nSub := b.nSub
	defer func() { b.nSub = nSub }()
	for _, c := range with {
		d := b.lookupCTE(ast.TableName{Name: c.Name})
		ref := &ast.TableRef{Table: ast.TableName{Name: c.Name, Pos: c.Pos}}
		if err := b.addCTEUnit(ref, d, &scope{parent: s.parent}, &fromPlan{}); err != nil {
			return err
		}
	}
	return nil
}
