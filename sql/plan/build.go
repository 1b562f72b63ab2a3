package plan

import (
	"context"
	"fmt"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// Resolver looks tables up for the planner, inside the statement's
// transaction. It returns nil, nil for a table that does not exist.
type Resolver interface {
	ResolveTable(ctx context.Context, name ast.TableName) (*catalog.TableDescriptor, error)
}

// Build plans a SELECT, INSERT, UPDATE, DELETE or EXPLAIN without
// parameters.
func Build(ctx context.Context, r Resolver, stmt ast.Statement) (Node, error) {
	n, _, err := BuildWithParams(ctx, r, stmt, nil)
	return n, err
}

// BuildWithParams plans a statement whose parameters $1… have the given
// types (nil or Unknown entries are inferred from context, as PostgreSQL
// does, and default to text). It returns the plan and every parameter's
// type.
func BuildWithParams(ctx context.Context, r Resolver, stmt ast.Statement, paramTypes []*types.T) (Node, []*types.T, error) {
	b := &builder{ctx: ctx, r: r}
	for _, t := range paramTypes {
		if t != nil && isUnknown(t) {
			t = nil
		}
		b.params = append(b.params, t)
	}
	n, err := b.buildStatement(stmt)
	if err != nil {
		return nil, nil, err
	}
	markIndexOnly(n) // index.go
	b.finishParams()
	return n, b.params, nil
}

func (b *builder) buildStatement(stmt ast.Statement) (Node, error) {
	switch s := stmt.(type) {
	case *ast.Select:
		n, err := b.buildSelect(s, &scope{})
		if err != nil || s.ForUpdate == nil {
			return n, err
		}
		return lockRows(n, s)
	case *ast.Insert:
		n, err := b.buildInsert(s)
		return b.withChecks(b.viewTarget(s, n, err)) // a view's name is no table: view.go; checks: check.go
	case *ast.Update:
		n, err := b.buildUpdate(s)
		return b.withChecks(b.viewTarget(s, n, err))
	case *ast.Delete:
		n, err := b.buildDelete(s)
		return b.withChecks(b.viewTarget(s, n, err))
	case *ast.Explain:
		n, err := b.buildStatement(s.Stmt)
		if err != nil {
			return nil, err
		}
		return &Explain{Plan: n, Analyze: s.Analyze}, nil
	}
	return nil, pgerror.Unsupported(fmt.Sprintf("planning %s", stmt.StatementTag()))
}

func (b *builder) resolve(name ast.TableName) (*catalog.TableDescriptor, error) {
	if name.Schema != "" && name.Schema != "public" {
		if name.Schema == "pg_catalog" || name.Schema == "information_schema" {
			return nil, pgerror.Unsupported("system catalog " + name.String()).WithPosition(name.Pos)
		}
		return nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", name).WithPosition(name.Pos)
	}
	t, err := b.r.ResolveTable(b.ctx, name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", name).WithPosition(name.Pos)
	}
	return t, nil
}

// selectItem is one bound output column of a query level.
type selectItem struct {
	expr Expr
	col  Column
}

// buildSelect plans a query level; s is its (empty) scope, whose parent
// is the enclosing level's for a subquery.
func (b *builder) buildSelect(sel *ast.Select, s *scope) (Node, error) {
	if len(sel.With) > 0 {
		pop, err := b.pushWith(sel.With)
		if err != nil {
			return nil, err
		}
		defer pop()
		if err := b.checkRecursiveWith(sel.With, s); err != nil { // recursive.go
			return nil, err
		}
	}
	if sel.SetOp != nil {
		return b.buildSetOp(sel, s)
	}
	if n, ok, err := b.buildEmptySRFSelect(sel, s); ok { // funcs_catalog.go
		return n, err
	}
	if sel.Values != nil {
		return b.buildValues(sel.Values, s)
	}
	// FROM: the relations, their columns in the scope, the joins.
	fr, err := b.buildFrom(sel.From, s)
	if err != nil {
		return nil, err
	}
	var where Expr
	if sel.Where != nil {
		s.noAggs = "WHERE"
		if where, err = b.bindBool(sel.Where, s, "WHERE"); err != nil {
			return nil, err
		}
	}
	input, err := b.planJoins(fr, s, where)
	if err != nil {
		return nil, err
	}

	// The select list, HAVING and ORDER BY may hold aggregates.
	var aggs []*AggFunc
	s.aggs = &aggs
	var wins []*WindowFunc
	s.windows = &wins
	var items []selectItem
	for _, se := range sel.Exprs {
		if se.Star {
			its, err := b.expandStar(se, s)
			if err != nil {
				return nil, err
			}
			items = append(items, its...)
			continue
		}
		e, err := b.bindExpr(se.Expr, s, nil)
		if err != nil {
			return nil, err
		}
		items = append(items, b.outputItem(se, e, s))
	}
	var having Expr
	if sel.Having != nil {
		s.windows = nil
		if having, err = b.bindBool(sel.Having, s, "HAVING"); err != nil {
			return nil, err
		}
		s.windows = &wins
	}
	// ORDER BY items resolve to a select item (by position or output
	// name) or an expression over the input.
	type orderKey struct {
		item int // index into items, or -1
		expr Expr
		desc bool
		nf   bool
	}
	var order []orderKey
	for _, o := range sel.OrderBy {
		k := orderKey{item: -1, desc: o.Desc, nf: o.Desc}
		if o.NullsFirst != nil {
			k.nf = *o.NullsFirst
		}
		idx, err := b.matchOutput(o.Expr, sel, items, "ORDER BY")
		if err != nil {
			return nil, err
		}
		if idx >= 0 {
			k.item = idx
		} else {
			if k.expr, err = b.bindExpr(o.Expr, s, nil); err != nil {
				return nil, err
			}
			b.defaultParam(k.expr, types.Text)
		}
		order = append(order, k)
	}
	// DISTINCT ON expressions resolve like ORDER BY items.
	var onKeys []orderKey
	for _, e := range sel.DistinctOn {
		k := orderKey{item: -1}
		idx, err := b.matchOutput(e, sel, items, "DISTINCT ON")
		if err != nil {
			return nil, err
		}
		if idx >= 0 {
			k.item = idx
		} else {
			if k.expr, err = b.bindExpr(e, s, nil); err != nil {
				return nil, err
			}
			b.defaultParam(k.expr, types.Text)
		}
		onKeys = append(onKeys, k)
	}
	s.aggs = nil
	s.windows = nil

	// GROUP BY and aggregation.
	var groupBy []Expr
	s.noAggs = "GROUP BY"
	for _, g := range sel.GroupBy {
		idx, err := b.matchOutput(g, sel, items, "GROUP BY")
		if err != nil {
			return nil, err
		}
		if idx >= 0 {
			if _, isAgg := items[idx].expr.(*AggFunc); isAgg || containsAgg(items[idx].expr) {
				return nil, pgerror.New(pgerror.CodeGroupingError, "aggregate functions are not allowed in GROUP BY").WithPosition(exprStart(g))
			}
			groupBy = append(groupBy, items[idx].expr)
			continue
		}
		e, err := b.bindExpr(g, s, nil)
		if err != nil {
			// A name that is no input column may be an output column's.
			if cr, ok := g.(*ast.ColumnRef); ok && cr.Table == "" {
				if pe, ok := err.(*pgerror.Error); ok && pe.Code == pgerror.CodeUndefinedColumn {
					for _, it := range items {
						if it.col.Name == cr.Name {
							e, err = it.expr, nil
							break
						}
					}
				}
			}
			if err != nil {
				return nil, err
			}
		}
		b.defaultParam(e, types.Text)
		groupBy = append(groupBy, e)
	}
	for _, e := range groupBy {
		if err := noEquality(e.ResultType()); err != nil { // funcs_json.go
			return nil, err
		}
	}
	for i := range items {
		b.defaultParam(items[i].expr, types.Text)
	}
	if len(groupBy) > 0 || len(aggs) > 0 || having != nil {
		// A correlated subquery above the aggregation would read the
		// enclosing row in the aggregation's input layout.
		post := []Expr{having}
		for _, it := range items {
			post = append(post, it.expr)
		}
		for _, o := range order {
			post = append(post, o.expr)
		}
		for _, o := range onKeys {
			post = append(post, o.expr)
		}
		for _, e := range post {
			if e != nil && hasCorrelatedSubquery(e) {
				return nil, pgerror.Unsupported("correlated subquery in the select list, HAVING or ORDER BY of a grouped query")
			}
		}
		g := newGrouping(groupBy, s)
		for i := range items {
			if items[i].expr, err = g.rewrite(items[i].expr); err != nil {
				return nil, err
			}
		}
		if having != nil {
			if having, err = g.rewrite(having); err != nil {
				return nil, err
			}
		}
		for i := range order {
			if order[i].expr != nil {
				if order[i].expr, err = g.rewrite(order[i].expr); err != nil {
					return nil, err
				}
			}
		}
		for i := range onKeys {
			if onKeys[i].expr != nil {
				if onKeys[i].expr, err = g.rewrite(onKeys[i].expr); err != nil {
					return nil, err
				}
			}
		}
		input = g.node(input)
		if having != nil {
			input = &Filter{Input: input, Pred: having}
		}
	}

	// Window functions read the FROM/WHERE rows; each call becomes a
	// reference to its column of the Window node (window.go).
	if len(wins) > 0 {
		if len(groupBy) > 0 || len(aggs) > 0 || having != nil {
			return nil, pgerror.Unsupported("window functions in a grouped query")
		}
		base := len(input.Columns())
		input = &Window{Input: input, Funcs: wins}
		for i := range items {
			items[i].expr = replaceWindows(items[i].expr, wins, base)
		}
		for i := range order {
			order[i].expr = replaceWindows(order[i].expr, wins, base)
		}
		for i := range onKeys {
			onKeys[i].expr = replaceWindows(onKeys[i].expr, wins, base)
		}
	}

	// Projection: the select list, then ORDER BY expressions not in it.
	proj := &Project{Input: input}
	for _, it := range items {
		proj.Exprs = append(proj.Exprs, it.expr)
		proj.Cols = append(proj.Cols, it.col)
	}
	visible := len(items)
	// ordinalOf returns the projection column of an ORDER BY or DISTINCT
	// ON key, or -1 when it is no column yet.
	ordinalOf := func(o orderKey) int {
		if o.item >= 0 {
			return o.item
		}
		key := o.expr.String()
		for i := range proj.Exprs {
			if i < visible || proj.Cols[i].Name == "?order?" {
				if proj.Exprs[i].String() == key {
					return i
				}
			}
		}
		return -1
	}
	var onOrds []int
	for _, o := range onKeys {
		ord := ordinalOf(o)
		if ord < 0 {
			ord = len(proj.Exprs)
			proj.Exprs = append(proj.Exprs, o.expr)
			proj.Cols = append(proj.Cols, Column{Name: "?order?", Typ: o.expr.ResultType()})
		}
		onOrds = append(onOrds, ord)
	}
	var keys []SortKey
	for _, o := range order {
		ord := o.item
		if ord < 0 {
			ord = ordinalOf(o)
		}
		if ord < 0 {
			if sel.Distinct {
				return nil, pgerror.New(pgerror.CodeInvalidColumnReference, "for SELECT DISTINCT, ORDER BY expressions must appear in select list")
			}
			ord = len(proj.Exprs)
			proj.Exprs = append(proj.Exprs, o.expr)
			proj.Cols = append(proj.Cols, Column{Name: "?order?", Typ: o.expr.ResultType()})
		}
		if !orderable(proj.Cols[ord].Typ) {
			return nil, pgerror.New(pgerror.CodeUndefinedFunction, "could not identify an ordering operator for type %s", proj.Cols[ord].Typ).
				WithHint("Use an explicit ordering operator or modify the query.")
		}
		keys = append(keys, SortKey{Ordinal: ord, Desc: o.desc, NullsFirst: o.nf})
	}
	if len(onOrds) > 0 {
		// The leading ORDER BY keys must be the DISTINCT ON expressions
		// (PostgreSQL's rule); those ORDER BY leaves out sort next.
		left := map[int]bool{}
		for _, o := range onOrds {
			left[o] = true
		}
		for _, k := range keys {
			if len(left) == 0 {
				break
			}
			if !left[k.Ordinal] {
				return nil, pgerror.New(pgerror.CodeInvalidColumnReference, "SELECT DISTINCT ON expressions must match initial ORDER BY expressions").
					WithPosition(exprStart(sel.DistinctOn[0]))
			}
			delete(left, k.Ordinal)
		}
		for _, o := range onOrds {
			if left[o] {
				keys = append(keys, SortKey{Ordinal: o})
				delete(left, o)
			}
		}
	}
	var n Node = proj
	if sel.Distinct || len(onOrds) > 0 {
		for _, c := range proj.Cols {
			if err := noEquality(c.Typ); err != nil { // funcs_json.go
				return nil, err
			}
		}
	}
	if sel.Distinct {
		n = &Distinct{Input: n}
	}
	if len(keys) > 0 {
		n = &Sort{Input: n, Keys: keys}
	}
	if len(onOrds) > 0 {
		n = &DistinctOn{Input: n, Ordinals: onOrds}
	}
	if sel.Limit != nil || sel.Offset != nil {
		lim := &Limit{Input: n}
		s.noAggs = "LIMIT"
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
		n = lim
	}
	if len(proj.Exprs) > visible {
		top := &Project{Input: n, Cols: proj.Cols[:visible]}
		for i := 0; i < visible; i++ {
			top.Exprs = append(top.Exprs, &ColRef{Ordinal: i, Name: proj.Cols[i].Name, Typ: proj.Cols[i].Typ})
		}
		n = top
	}
	return n, nil
}

func orderable(t *types.T) bool {
	return t.Family != types.UnknownFamily && t.Family != types.JSONFamily
}

// bindLimit binds LIMIT/OFFSET: a bigint expression without column
// references.
func (b *builder) bindLimit(e ast.Expr, s *scope, what string) (Expr, error) {
	x, err := b.bindExpr(e, &scope{parent: s.parent, noAggs: what}, types.Int8)
	if err != nil {
		if pe, ok := err.(*pgerror.Error); ok && pe.Code == pgerror.CodeUndefinedColumn {
			return nil, pgerror.New(pgerror.CodeInvalidColumnReference, "argument of %s must not contain variables", what).WithPosition(exprStart(e))
		}
		return nil, err
	}
	t := x.ResultType()
	switch {
	case isUnknown(t):
		b.defaultParam(x, types.Int8)
		if k, ok := x.(*Const); ok {
			d, err := parseLiteral(types.Int8, string(types.Format(k.D)))
			if k.D == types.DNull {
				d, err = types.DNull, nil
			}
			if err != nil {
				return nil, withPos(err, exprStart(e))
			}
			return &Const{D: d, Typ: types.Int8}, nil
		}
		return x, nil
	case t.Family == types.IntFamily:
		return x, nil
	case isNumeric(t):
		return &Cast{E: x, Typ: types.Int8}, nil
	}
	return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "argument of %s must be type bigint, not type %s", what, t).WithPosition(exprStart(e))
}

// outputItem names a bound select-list expression as PostgreSQL does.
func (b *builder) outputItem(se ast.SelectExpr, e Expr, s *scope) selectItem {
	col := Column{Name: "?column?", Typ: e.ResultType()}
	if isUnknown(col.Typ) {
		// PostgreSQL resolves an output of unknown type as text.
		col.Typ = types.Text
		if k, ok := e.(*Const); ok {
			e = &Const{D: k.D, Typ: types.Text}
		} else {
			b.defaultParam(e, types.Text)
		}
	}
	if name, strength := figureColname(se.Expr); strength > 0 {
		col.Name = name
	}
	if x, ok := se.Expr.(*ast.ColumnRef); ok {
		if cr, ok := e.(*ColRef); ok {
			sc := &s.cols[cr.Ordinal]
			col.TableID, col.ColumnID = sc.tableID, sc.colID
		}
		_ = x
	}
	if se.Alias != "" {
		col.Name = se.Alias
	}
	return selectItem{expr: e, col: col}
}

// expandStar expands * or t.* into the visible columns.
// usingJoinAt returns the USING join whose columns start at i, if any.
func (s *scope) usingJoinAt(i int) *usingJoin {
	for k := range s.usingJoins {
		if s.usingJoins[k].start == i {
			return &s.usingJoins[k]
		}
	}
	return nil
}

func (b *builder) expandStar(se ast.SelectExpr, s *scope) ([]selectItem, error) {
	lo, hi := 0, len(s.cols)
	qualified := false
	if q, ok := se.Expr.(*ast.ColumnRef); ok {
		qualified = true
		t := s.findTable(q.Table)
		if t == nil {
			return nil, pgerror.New(pgerror.CodeUndefinedTable, "missing FROM-clause entry for table \"%s\"", q.Table).WithPosition(q.Pos)
		}
		lo, hi = t.start, t.end
	} else if len(s.tables) == 0 {
		return nil, pgerror.New(pgerror.CodeSyntaxError, "SELECT * with no tables specified is not valid").WithPosition(se.Pos)
	}
	var out []selectItem
	add := func(i int) {
		c := &s.cols[i]
		out = append(out, selectItem{
			expr: &ColRef{Ordinal: i, Name: c.qualified(), Typ: c.typ},
			col:  Column{Name: c.name, Typ: c.typ, TableID: c.tableID, ColumnID: c.colID},
		})
	}
	for i := lo; i < hi; i++ {
		if !qualified {
			// An unqualified * lists a USING join's merged columns first,
			// then the rest of its columns without the merged-away copies.
			if uj := s.usingJoinAt(i); uj != nil {
				merged := map[int]bool{}
				for _, m := range uj.merged {
					add(m)
					merged[m] = true
				}
				for j := uj.start; j < uj.end; j++ {
					if !merged[j] && !s.cols[j].hidden && !s.cols[j].usingHidden {
						add(j)
					}
				}
				i = uj.end - 1
				continue
			}
		}
		if s.cols[i].hidden {
			continue
		}
		add(i)
	}
	return out, nil
}

// matchOutput resolves a GROUP BY or ORDER BY item that names a select
// item: an integer constant is a position; for ORDER BY a bare name is an
// output column name first; for GROUP BY a bare name that is not an input
// column. It returns -1 when the item is an ordinary expression.
func (b *builder) matchOutput(e ast.Expr, sel *ast.Select, items []selectItem, clause string) (int, error) {
	switch x := e.(type) {
	case *ast.NumVal:
		if !x.IsInt {
			return -1, nil
		}
		if x.Int < 1 || int(x.Int) > len(items) {
			return -1, pgerror.New(pgerror.CodeInvalidColumnReference, "%s position %d is not in select list", clause, x.Int).WithPosition(x.Pos)
		}
		return int(x.Int) - 1, nil
	case *ast.ColumnRef:
		if x.Table != "" {
			return -1, nil
		}
		if clause == "GROUP BY" {
			return -1, nil // input columns win; see bindGroupName
		}
		found := -1
		for i, it := range items {
			if it.col.Name == x.Name && isNamedOutput(sel, i, x.Name) {
				if found >= 0 && items[found].expr.String() != it.expr.String() {
					return -1, pgerror.New(pgerror.CodeAmbiguousColumn, "ORDER BY \"%s\" is ambiguous", x.Name).WithPosition(x.Pos)
				}
				if found < 0 {
					found = i
				}
			}
		}
		return found, nil
	}
	return -1, nil
}

// isNamedOutput reports whether output column i carries name through an
// alias or a plain column reference (not a generated name like ?column?).
func isNamedOutput(sel *ast.Select, i int, name string) bool {
	return name != "?column?"
}

func containsAgg(e Expr) bool {
	found := false
	Walk(e, func(x Expr) bool {
		if _, ok := x.(*AggFunc); ok {
			found = true
		}
		return !found
	})
	return found
}

// grouping rewrites expressions over the aggregation's input into
// expressions over its output (group values, then aggregate results).
type grouping struct {
	s       *scope
	groupBy []Expr
	keys    map[string]int
	aggs    []*AggFunc
	aggKeys map[string]int
}

func newGrouping(groupBy []Expr, s *scope) *grouping {
	g := &grouping{s: s, keys: map[string]int{}, aggKeys: map[string]int{}}
	for _, e := range groupBy {
		k := e.String()
		if _, ok := g.keys[k]; ok {
			continue
		}
		g.keys[k] = len(g.groupBy)
		g.groupBy = append(g.groupBy, e)
	}
	return g
}

func (g *grouping) rewrite(e Expr) (Expr, error) {
	var err error
	var rec func(e Expr) Expr
	rec = func(e Expr) Expr {
		if err != nil || e == nil {
			return e
		}
		if i, ok := g.keys[e.String()]; ok && !isConst(e) {
			return &ColRef{Ordinal: i, Name: e.String(), Typ: e.ResultType()}
		}
		switch x := e.(type) {
		case *AggFunc:
			k := x.String()
			i, ok := g.aggKeys[k]
			if !ok {
				i = len(g.aggs)
				g.aggKeys[k] = i
				g.aggs = append(g.aggs, x)
			}
			return &ColRef{Ordinal: len(g.groupBy) + i, Name: k, Typ: x.Typ}
		case *ColRef:
			err = pgerror.New(pgerror.CodeGroupingError,
				"column \"%s\" must appear in the GROUP BY clause or be used in an aggregate function", x.Name)
			return e
		}
		return mapChildren(e, rec)
	}
	out := rec(e)
	return out, err
}

func isConst(e Expr) bool {
	switch e.(type) {
	case *Const, *Param:
		return true
	}
	return false
}

func (g *grouping) node(input Node) Node {
	n := &Aggregate{Input: input, GroupBy: g.groupBy, Aggs: g.aggs}
	for _, e := range g.groupBy {
		n.Cols = append(n.Cols, Column{Name: e.String(), Typ: e.ResultType()})
	}
	for _, a := range g.aggs {
		n.Cols = append(n.Cols, Column{Name: a.String(), Typ: a.Typ})
	}
	return n
}

// returning binds a RETURNING list over the table's row.
func (b *builder) returning(list []ast.SelectExpr, s *scope) (*Returning, error) {
	if len(list) == 0 {
		return nil, nil
	}
	s.noAggs = "RETURNING"
	ret := &Returning{}
	for _, se := range list {
		var items []selectItem
		if se.Star {
			its, err := b.expandStar(se, s)
			if err != nil {
				return nil, err
			}
			items = its
		} else {
			e, err := b.bindExpr(se.Expr, s, nil)
			if err != nil {
				return nil, err
			}
			items = []selectItem{b.outputItem(se, e, s)}
		}
		for _, it := range items {
			ret.Exprs = append(ret.Exprs, it.expr)
			ret.Cols = append(ret.Cols, it.col)
		}
	}
	return ret, nil
}

func tableScope(t *catalog.TableDescriptor, alias string) *scope {
	s := &scope{}
	name := t.Name
	if alias != "" {
		name = alias
	}
	s.addTable(name, t)
	return s
}

func (b *builder) buildInsert(ins *ast.Insert) (Node, error) {
	t, err := b.resolve(ins.Table)
	if err != nil {
		return nil, err
	}
	var targets []int
	if len(ins.Columns) == 0 {
		for i := range t.Columns {
			if !t.Columns[i].Hidden {
				targets = append(targets, i)
			}
		}
	} else {
		seen := map[int]bool{}
		for _, c := range ins.Columns {
			ord := t.FindColumn(c.Name)
			if ord < 0 {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c.Name, t.Name).WithPosition(c.Pos)
			}
			if seen[ord] {
				return nil, pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" specified more than once", c.Name).WithPosition(c.Pos)
			}
			seen[ord] = true
			targets = append(targets, ord)
		}
	}
	node := &Insert{Table: t}
	if ins.Select != nil {
		src, err := b.buildSelect(ins.Select, &scope{})
		if err != nil {
			return nil, err
		}
		cols := src.Columns()
		if len(cols) > len(targets) {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "INSERT has more expressions than target columns")
		}
		if len(cols) < len(targets) && len(ins.Columns) > 0 {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "INSERT has more target columns than expressions")
		}
		targets = targets[:len(cols)]
		proj := &Project{Input: src}
		for i, c := range cols {
			tc := &t.Columns[targets[i]]
			var e Expr = &ColRef{Ordinal: i, Name: c.Name, Typ: c.Typ}
			if !c.Typ.Identical(tc.Type) && !assignAllowed(c.Typ, tc.Type) {
				return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "column \"%s\" is of type %s but expression is of type %s", tc.Name, tc.Type, c.Typ).
					WithHint("You will need to rewrite or cast the expression.")
			}
			proj.Exprs = append(proj.Exprs, e)
			proj.Cols = append(proj.Cols, Column{Name: tc.Name, Typ: tc.Type})
		}
		node.Input, node.Targets = proj, targets
	} else {
		width := len(ins.Rows[0])
		for _, row := range ins.Rows[1:] {
			if len(row) != width {
				return nil, pgerror.New(pgerror.CodeSyntaxError, "VALUES lists must all be the same length").WithPosition(exprStart(row[0]))
			}
		}
		if width > len(targets) {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "INSERT has more expressions than target columns").
				WithPosition(exprStart(ins.Rows[0][len(targets)]))
		}
		if width < len(targets) && len(ins.Columns) > 0 {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "INSERT has more target columns than expressions").
				WithPosition(ins.Columns[width].Pos)
		}
		targets = targets[:width]
		vals := &Values{}
		for _, ord := range targets {
			vals.Cols = append(vals.Cols, Column{Name: t.Columns[ord].Name, Typ: t.Columns[ord].Type})
		}
		empty := &scope{noAggs: "VALUES"}
		for _, row := range ins.Rows {
			out := make([]Expr, len(row))
			for i, e := range row {
				if out[i], err = b.bindInsertValue(ins, t, targets[i], e, empty); err != nil { // defaults.go
					return nil, err
				}
			}
			vals.Rows = append(vals.Rows, out)
		}
		node.Input, node.Targets = vals, targets
	}
	if err := b.fillDefaults(ins, node); err != nil { // defaults.go
		return nil, err
	}
	alias := ins.Alias
	if ins.OnConflict != nil {
		if node.OnConflict, err = b.onConflict(t, alias, ins.OnConflict); err != nil {
			return nil, err
		}
	}
	if node.Returning, err = b.returning(ins.Returning, tableScope(t, alias)); err != nil {
		return nil, err
	}
	return node, nil
}

// buildTableScan plans the rows of one table a statement reads, with
// where bound in s (the table's scope).
func (b *builder) buildTableScan(t *catalog.TableDescriptor, alias string, where ast.Expr, s *scope) (Node, error) {
	var filter Expr
	if where != nil {
		s.noAggs = "WHERE"
		f, err := b.bindBool(where, s, "WHERE")
		if err != nil {
			return nil, err
		}
		filter = f
	}
	return b.scan(t, alias, Conjuncts(filter))
}

func (b *builder) buildUpdate(up *ast.Update) (Node, error) {
	t, err := b.resolve(up.Table.Table)
	if err != nil {
		return nil, err
	}
	s := tableScope(t, up.Table.Alias)
	node := &Update{Table: t}
	s.noAggs = "UPDATE"
	if node.Sets, err = b.bindSets(t, up.Set, s); err != nil {
		return nil, err
	}
	for _, set := range node.Sets {
		if t.IsKeyColumn(set.Ordinal) {
			node.KeyChanged = true
		}
	}
	if node.Input, err = b.buildTableScan(t, up.Table.Alias, up.Where, s); err != nil {
		return nil, err
	}
	if node.Returning, err = b.returning(up.Returning, s); err != nil {
		return nil, err
	}
	return node, nil
}

func (b *builder) buildDelete(del *ast.Delete) (Node, error) {
	t, err := b.resolve(del.Table.Table)
	if err != nil {
		return nil, err
	}
	s := tableScope(t, del.Table.Alias)
	node := &Delete{Table: t}
	if node.Input, err = b.buildTableScan(t, del.Table.Alias, del.Where, s); err != nil {
		return nil, err
	}
	if node.Returning, err = b.returning(del.Returning, s); err != nil {
		return nil, err
	}
	return node, nil
}

// HiddenRowIDName is the name of the hidden key column of a table created
// without a primary key (suffixed _1, _2… if a column already has it).
const HiddenRowIDName = "rowid"

// BuildCreateTable validates CREATE TABLE and returns the new table's
// descriptor without its ids (ID and ParentID are the caller's).
func BuildCreateTable(ct *ast.CreateTable) (*catalog.TableDescriptor, error) {
	t := &catalog.TableDescriptor{Name: ct.Table.Name, NextColumnID: 1, NextIndexID: 2, Version: 1}
	for _, cd := range ct.Columns {
		if t.FindColumn(cd.Name) >= 0 {
			return nil, pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" specified more than once", cd.Name)
		}
		typ, err := ResolveType(cd.Type)
		if err != nil {
			return nil, err
		}
		t.Columns = append(t.Columns, catalog.Column{ID: t.NextColumnID, Name: cd.Name, Type: typ, Nullable: !cd.NotNull, Computed: cd.GeneratedText})
		t.NextColumnID++
	}
	pkName := ct.PrimaryKeyName
	if pkName == "" {
		pkName = t.Name + "_pkey"
	}
	t.PrimaryIndex = catalog.Index{ID: catalog.PrimaryIndexID, Name: pkName}
	if len(ct.PrimaryKey) == 0 {
		name := HiddenRowIDName
		for i := 1; t.FindColumn(name) >= 0; i++ {
			name = fmt.Sprintf("%s_%d", HiddenRowIDName, i)
		}
		t.Columns = append(t.Columns, catalog.Column{ID: t.NextColumnID, Name: name, Type: types.Int8, Hidden: true})
		t.PrimaryIndex.ColumnIDs = []catalog.ColumnID{t.NextColumnID}
		t.PrimaryIndex.Directions = []catalog.Direction{catalog.Ascending}
		t.NextColumnID++
		return t, nil
	}
	for _, name := range ct.PrimaryKey {
		ord := t.FindColumn(name)
		if ord < 0 {
			return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" named in key does not exist", name).WithPosition(ct.PrimaryKeyPos)
		}
		if err := types.CheckKeyColumn(t.Columns[ord].Type, name); err != nil {
			return nil, err
		}
		id := t.Columns[ord].ID
		for _, have := range t.PrimaryIndex.ColumnIDs {
			if have == id {
				return nil, pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" appears twice in primary key constraint", name).
					WithPosition(ct.PrimaryKeyPos)
			}
		}
		t.Columns[ord].Nullable = false
		t.PrimaryIndex.ColumnIDs = append(t.PrimaryIndex.ColumnIDs, id)
		t.PrimaryIndex.Directions = append(t.PrimaryIndex.Directions, catalog.Ascending)
	}
	return t, nil
}

// RowIDOrdinal returns the ordinal of t's hidden rowid column, or -1.
func RowIDOrdinal(t *catalog.TableDescriptor) int {
	for i := range t.Columns {
		if t.Columns[i].Hidden {
			return i
		}
	}
	return -1
}

// figureColname names an output column as PostgreSQL's
// FigureColnameInternal does: the name and its strength (2 for a column or
// function name, 1 for a fallback such as a cast's type name, 0 none).
func figureColname(e ast.Expr) (string, int) {
	switch x := e.(type) {
	case *ast.ColumnRef:
		return x.Name, 2
	case *ast.FuncExpr:
		switch x.Name {
		case "btrim", "ltrim", "rtrim":
			// trim(...) keeps its SQL name in PostgreSQL 15.
		}
		return x.Name, 2
	case *ast.CastExpr:
		if name, st := figureColname(x.E); st == 2 {
			return name, 2
		}
		t, err := ResolveType(x.Type)
		if err != nil {
			return x.Type.Name, 1
		}
		return typname(t), 1
	case *ast.NullIfExpr:
		return "nullif", 2
	case *ast.CoalesceExpr:
		return "coalesce", 2
	case *ast.MinMaxExpr:
		if x.Greatest {
			return "greatest", 2
		}
		return "least", 2
	case *ast.CaseExpr:
		return "case", 1
	case *ast.SubqueryExpr:
		if x.Kind == ast.ExistsSubquery {
			return "exists", 2
		}
		if len(x.Select.Exprs) > 0 {
			inner := x.Select.Exprs[0]
			if inner.Alias != "" {
				return inner.Alias, 2
			}
			if !inner.Star {
				if name, st := figureColname(inner.Expr); st > 0 {
					return name, 2
				}
			}
		}
	}
	return "", 0
}

// lockRows puts a LockRows over the plan of a SELECT … FOR UPDATE. The
// rows locked are those of the one table the query reads: a join, a set
// operation, grouping or DISTINCT is refused (PostgreSQL refuses the last
// ones too, with the same SQLSTATE).
func lockRows(n Node, sel *ast.Select) (Node, error) {
	// In PostgreSQL's order (CheckSelectLocking).
	switch {
	case sel.Distinct:
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "FOR UPDATE is not allowed with DISTINCT clause")
	case len(sel.GroupBy) > 0:
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "FOR UPDATE is not allowed with GROUP BY clause")
	case sel.Having != nil:
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "FOR UPDATE is not allowed with HAVING clause")
	}
	var scan *Scan
	var walk func(Node) error
	walk = func(n Node) error {
		switch x := n.(type) {
		case *Scan:
			scan = x
			return nil
		case *Project, *Filter, *Sort, *Limit, *Values:
		case *Aggregate:
			return pgerror.New(pgerror.CodeFeatureNotSupported, "FOR UPDATE is not allowed with aggregate functions")
		case *Distinct:
			return pgerror.New(pgerror.CodeFeatureNotSupported, "FOR UPDATE is not allowed with DISTINCT clause")
		case *HashJoin, *LookupJoin:
			return pgerror.Unsupported("FOR UPDATE with a join")
		default:
			return pgerror.Unsupported("FOR UPDATE over this query")
		}
		for _, c := range n.Children() {
			if err := walk(c); err != nil {
				return err
			}
		}
		return nil
	}
	if err := walk(n); err != nil {
		return nil, err
	}
	if scan == nil {
		return n, nil // no table, no row to lock
	}
	return &LockRows{Input: n, Scan: scan, NoWait: sel.ForUpdate.NoWait}, nil
}

// buildValues plans a VALUES list: every row has as many expressions as
// the first, each column has its expressions' common type (PostgreSQL's
// rule, "VALUES types … cannot be matched"), and the columns are named
// column1, column2, ….
func (b *builder) buildValues(rows [][]ast.Expr, s *scope) (Node, error) {
	width := len(rows[0])
	for _, r := range rows {
		if len(r) != width {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "VALUES lists must all be the same length").WithPosition(exprStart(r[0]))
		}
	}
	v := &Values{Rows: make([][]Expr, len(rows))}
	for c := 0; c < width; c++ {
		col := make([]ast.Expr, len(rows))
		for i, r := range rows {
			col[i] = r[c]
		}
		bound, typ, err := b.bindCommon(col, s, "VALUES")
		if err != nil {
			return nil, err
		}
		if isUnknown(typ) {
			typ = types.Text
		}
		for i := range rows {
			v.Rows[i] = append(v.Rows[i], coerce(bound[i], typ))
		}
		v.Cols = append(v.Cols, Column{Name: fmt.Sprintf("column%d", c+1), Typ: typ})
	}
	return v, nil
}

// onConflict plans an INSERT's ON CONFLICT, as PostgreSQL infers its
// arbiters: a column list names the unique indexes (the primary one
// included) whose columns are exactly those, ON CONSTRAINT a PRIMARY KEY
// or UNIQUE constraint, and DO NOTHING without a target takes every
// unique index.
func (b *builder) onConflict(t *catalog.TableDescriptor, alias string, oc *ast.OnConflict) (*OnConflict, error) {
	var unique []*catalog.Index
	if !t.PrimaryKeyHidden() {
		unique = append(unique, &t.PrimaryIndex)
	}
	for i := range t.Indexes {
		if t.Indexes[i].Unique {
			unique = append(unique, &t.Indexes[i])
		}
	}
	var arbiters []*catalog.Index
	switch {
	case oc.Constraint != "":
		for _, idx := range unique {
			if idx.Constraint && idx.Name == oc.Constraint {
				arbiters = append(arbiters, idx)
			}
		}
		if arbiters == nil {
			if t.HasConstraint(oc.Constraint) {
				return nil, pgerror.New(pgerror.CodeWrongObjectType, "constraint in ON CONFLICT clause has no associated index")
			}
			return nil, pgerror.New(pgerror.CodeUndefinedObject, "constraint \"%s\" for table \"%s\" does not exist", oc.Constraint, t.Name)
		}
	case len(oc.Columns) == 0:
		if oc.DoUpdate {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "ON CONFLICT DO UPDATE requires inference specification or constraint name").
				WithHint("For example, ON CONFLICT (column_name).").WithPosition(oc.Pos)
		}
		arbiters = unique
	default:
		target := map[int]bool{}
		for _, c := range oc.Columns {
			ord := t.FindColumn(c.Name)
			if ord < 0 || t.Columns[ord].Hidden {
				return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" does not exist", c.Name).WithPosition(c.Pos)
			}
			target[ord] = true
		}
		same := func(ids []catalog.ColumnID) bool {
			if len(ids) != len(target) {
				return false
			}
			for _, id := range ids {
				if !target[t.ColumnOrdinal(id)] {
					return false
				}
			}
			return true
		}
		for _, idx := range unique {
			// A partial index is inferred only with its predicate, which
			// ON CONFLICT … WHERE is not built to give.
			if same(idx.ColumnIDs) && idx.Predicate == "" {
				arbiters = append(arbiters, idx)
			}
		}
		if arbiters == nil {
			return nil, pgerror.New("42P10", "there is no unique or exclusion constraint matching the ON CONFLICT specification")
		}
	}
	out := &OnConflict{DoUpdate: oc.DoUpdate, Arbiters: arbiters}
	if !oc.DoUpdate {
		return out, nil
	}
	name := t.Name
	if alias != "" {
		name = alias
	}
	s := &scope{noAggs: "ON CONFLICT DO UPDATE"}
	s.addTable(name, t)
	s.addTable("excluded", t)
	sets, err := b.bindSets(t, oc.Set, s)
	if err != nil {
		return nil, err
	}
	for _, set := range sets {
		if t.IsKeyColumn(set.Ordinal) {
			return nil, pgerror.Unsupported("ON CONFLICT DO UPDATE of a primary key column")
		}
	}
	out.Sets = sets
	if oc.Where != nil {
		w, err := b.bindBool(oc.Where, s, "WHERE")
		if err != nil {
			return nil, err
		}
		out.Where = w
	}
	return out, nil
}

// bindSets binds an UPDATE's (or ON CONFLICT DO UPDATE's) SET list over s:
// each column of t once, each expression assignable to its column.
func (b *builder) bindSets(t *catalog.TableDescriptor, list []ast.SetClause, s *scope) ([]SetExpr, error) {
	var out []SetExpr
	seen := map[int]bool{}
	for _, set := range list {
		ord := t.FindColumn(set.Column.Name)
		if ord < 0 || t.Columns[ord].Hidden {
			return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", set.Column.Name, t.Name).
				WithPosition(set.Column.Pos)
		}
		if seen[ord] {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "multiple assignments to same column \"%s\"", set.Column.Name).
				WithPosition(set.Column.Pos)
		}
		seen[ord] = true
		if err := identityUpdate(&t.Columns[ord]); err != nil { // defaults.go
			return nil, err
		}
		if c := &t.Columns[ord]; c.Computed != "" {
			return nil, pgerror.New("428C9", "column \"%s\" can only be updated to DEFAULT", c.Name).
				WithDetail("Column \"%s\" is a generated column.", c.Name)
		}
		e, err := b.bindAssign(set.Expr, s, t.Columns[ord].Name, t.Columns[ord].Type)
		if err != nil {
			return nil, err
		}
		out = append(out, SetExpr{Ordinal: ord, Expr: e})
	}
	return out, nil
}
