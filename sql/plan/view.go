package plan

import (
	"context"
	"errors"
	"slices"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// This file plans views. A view is stored as query text (sql/catalog);
// the Resolver hands it over parsed, and the planner expands it where it
// is used:
//
//   - in FROM (join.go calls addViewUnit), the view's query is planned as
//     a subquery in a fresh scope and becomes a composite join unit whose
//     columns are the view's (names and types captured at creation).
//     Filters on the unit alone are pushed into the view's plan through
//     projections, sorts and DISTINCT down to its scans (pushFilter), where
//     they narrow key spans as on a table: a view costs nothing over its
//     query. EXPLAIN therefore shows the underlying scans;
//   - as the target of INSERT, UPDATE or DELETE (viewTarget), a view that
//     PostgreSQL 15 would update automatically — one table or updatable
//     view in FROM, no DISTINCT, GROUP BY, HAVING, LIMIT/OFFSET, set
//     operation or aggregate — is flattened to its base table: its columns
//     become expressions over the table's row (plain column references are
//     the updatable ones) and its WHERE is conjoined to the statement's
//     for UPDATE and DELETE. INSERT does not check the view's WHERE (no
//     WITH CHECK OPTION). Other views fail with 55000 and PostgreSQL's
//     detail for the reason;
//   - at CREATE VIEW (BuildView), the query is planned to validate it, to
//     capture its result columns and to collect the relations it reads
//     directly: the view's dependencies.

// View is a view resolved for planning: its descriptor and its parsed
// query.
type View struct {
	Desc  *catalog.ViewDescriptor
	Query *ast.Select
}

// ViewResolver is implemented by Resolvers that know views. ResolveView
// returns nil, nil when no view has the name.
type ViewResolver interface {
	ResolveView(ctx context.Context, name ast.TableName) (*View, error)
}

// maxViewDepth bounds the nesting of views; deeper is a view that reaches
// itself (possible through CREATE OR REPLACE).
const maxViewDepth = 64

// viewState is the builder's state for views.
type viewState struct {
	// depth counts the view expansions being planned.
	depth int
	// deps, when set (BuildView), collects the ids of the relations the
	// statement reads outside any view: the new view's dependencies.
	deps *[]uint64
}

func (b *builder) recordDep(id uint64) {
	if b.views.deps != nil && b.views.depth == 0 && !slices.Contains(*b.views.deps, id) {
		*b.views.deps = append(*b.views.deps, id)
	}
}

// BuildView plans a view's query to validate it. It returns the result
// columns (untyped literals resolved to text, as PostgreSQL stores them)
// and the ids of the tables and views the query reads directly.
func BuildView(ctx context.Context, r Resolver, sel *ast.Select) ([]Column, []uint64, error) {
	deps := []uint64{}
	b := &builder{ctx: ctx, r: r}
	b.views.deps = &deps
	n, err := b.buildSelect(sel, &scope{})
	if err != nil {
		return nil, nil, err
	}
	if len(b.params) > 0 {
		return nil, nil, pgerror.New(pgerror.CodeUndefinedParam, "there is no parameter $1")
	}
	return n.Columns(), deps, nil
}

// VirtualResolver is implemented by Resolvers that know virtual tables
// (pg_stat_activity): their columns and rows, computed when planned.
type VirtualResolver interface {
	VirtualTable(schema, name string) ([]Column, []types.Datums, bool)
}

// addVirtualUnit adds a virtual table of FROM as a composite unit over
// its rows, or reports false when name is not one.
func (b *builder) addVirtualUnit(ref *ast.TableRef, s *scope, fp *fromPlan) (bool, error) {
	vr, ok := b.r.(VirtualResolver)
	if !ok {
		return false, nil
	}
	cols, rows, ok := vr.VirtualTable(ref.Table.Schema, ref.Table.Name)
	if !ok {
		return false, nil
	}
	name := ref.Table.Name
	if ref.Alias != "" {
		name = ref.Alias
	}
	if s.findTable(name) != nil {
		return true, pgerror.New(pgerror.CodeDuplicateAlias, "table name \"%s\" specified more than once", name).WithPosition(ref.Table.Pos)
	}
	vals := &Values{Cols: cols}
	for _, r := range rows {
		exprs := make([]Expr, len(r))
		for i, d := range r {
			exprs[i] = &Const{D: d, Typ: cols[i].Typ}
		}
		vals.Rows = append(vals.Rows, exprs)
	}
	u := &unit{start: len(s.cols), node: vals, alias: name, view: true}
	for _, c := range cols {
		s.cols = append(s.cols, scopeCol{table: name, name: c.Name, typ: c.Typ})
	}
	s.tables = append(s.tables, scopeTable{name: name, start: u.start, end: len(s.cols)})
	u.end = len(s.cols)
	fp.units = append(fp.units, u)
	return true, nil
}

// resolveRelation resolves a FROM item's name: a table, else a view.
func (b *builder) resolveRelation(name ast.TableName) (*catalog.TableDescriptor, *View, error) {
	t, err := b.resolve(name)
	if err == nil {
		b.recordDep(t.ID)
		return t, nil, nil
	}
	vr, ok := b.r.(ViewResolver)
	var pe *pgerror.Error
	if !ok || !errors.As(err, &pe) || pe.Code != pgerror.CodeUndefinedTable || (name.Schema != "" && name.Schema != "public") {
		return nil, nil, err
	}
	v, verr := vr.ResolveView(b.ctx, name)
	if verr != nil {
		return nil, nil, verr
	}
	if v == nil {
		return nil, nil, err
	}
	b.recordDep(v.Desc.ID)
	return nil, v, nil
}

// addViewUnit adds a view of FROM as a composite unit.
func (b *builder) addViewUnit(ref *ast.TableRef, v *View, s *scope, fp *fromPlan) error {
	name := v.Desc.Name
	if ref.Alias != "" {
		name = ref.Alias
	}
	if s.findTable(name) != nil {
		return pgerror.New(pgerror.CodeDuplicateAlias, "table name \"%s\" specified more than once", name).WithPosition(ref.Table.Pos)
	}
	node, err := b.planView(v)
	if err != nil {
		return err
	}
	u := &unit{start: len(s.cols), node: node, alias: name, view: true}
	s.addView(name, v.Desc)
	u.end = len(s.cols)
	fp.units = append(fp.units, u)
	return nil
}

// addView adds a view's columns to the scope.
func (s *scope) addView(name string, v *catalog.ViewDescriptor) {
	start := len(s.cols)
	for i, c := range v.Columns {
		s.cols = append(s.cols, scopeCol{table: name, name: c.Name, typ: c.Type, tableID: v.ID, colID: catalog.ColumnID(i + 1)})
	}
	s.tables = append(s.tables, scopeTable{name: name, start: start, end: len(s.cols)})
}

// planView plans a view's query as a subquery without an enclosing scope.
func (b *builder) planView(v *View) (Node, error) {
	if b.views.depth >= maxViewDepth {
		return nil, pgerror.New(pgerror.CodeInvalidRecursion, "infinite recursion detected in rules for relation \"%s\"", v.Desc.Name)
	}
	b.views.depth++
	// A view's query sees no CTE of the statement that reads it.
	saved := b.ctes
	b.ctes = nil
	n, err := b.buildSelect(v.Query, &scope{})
	b.ctes = saved
	b.views.depth--
	if err != nil {
		return nil, err
	}
	cols := n.Columns()
	if len(cols) != len(v.Desc.Columns) {
		return nil, pgerror.New(pgerror.CodeInternalError, "view \"%s\" returns %d columns, its definition %d", v.Desc.Name, len(cols), len(v.Desc.Columns))
	}
	for i, c := range cols {
		if !c.Typ.Identical(v.Desc.Columns[i].Type) {
			return nil, pgerror.New(pgerror.CodeInternalError, "view \"%s\" column \"%s\" is of type %s, its definition %s",
				v.Desc.Name, v.Desc.Columns[i].Name, c.Typ, v.Desc.Columns[i].Type)
		}
	}
	return n, nil
}

// pushFilter returns n filtered by pred (over n's columns), pushed down as
// far as it commutes: through projections of plain columns, sorts,
// DISTINCT and filters, into a scan's filter and spans.
func (b *builder) pushFilter(n Node, pred Expr) (Node, error) {
	if hasSubquery(pred) || hasParams(pred) {
		return &Filter{Input: n, Pred: pred}, nil
	}
	switch x := n.(type) {
	case *Project:
		for _, o := range colsUsed(pred) {
			switch x.Exprs[o].(type) {
			case *ColRef, *Const:
			default:
				return &Filter{Input: n, Pred: pred}, nil
			}
		}
		inner := Rewrite(pred, func(e Expr) Expr {
			if c, ok := e.(*ColRef); ok {
				return x.Exprs[c.Ordinal]
			}
			return e
		})
		in, err := b.pushFilter(x.Input, inner)
		if err != nil {
			return nil, err
		}
		return &Project{Input: in, Exprs: x.Exprs, Cols: x.Cols}, nil
	case *Sort:
		in, err := b.pushFilter(x.Input, pred)
		if err != nil {
			return nil, err
		}
		return &Sort{Input: in, Keys: x.Keys}, nil
	case *Distinct:
		in, err := b.pushFilter(x.Input, pred)
		if err != nil {
			return nil, err
		}
		return &Distinct{Input: in}, nil
	case *Filter:
		in, err := b.pushFilter(x.Input, pred)
		if err != nil {
			return nil, err
		}
		return &Filter{Input: in, Pred: x.Pred}, nil
	case *Scan:
		if !x.ParamSpans {
			return b.scan(x.Table, x.Alias, append(Conjuncts(x.Filter), Conjuncts(pred)...))
		}
	}
	return &Filter{Input: n, Pred: pred}, nil
}

// flatView is an automatically updatable view flattened onto its base
// table.
type flatView struct {
	table *catalog.TableDescriptor
	// exprs are the view's columns as expressions over the table's row;
	// base[i] is the table ordinal of a plain column reference, else -1.
	exprs []Expr
	base  []int
	// where is the conjunction of the WHERE clauses of the view and the
	// views under it, over the table's row (nil: none).
	where Expr
}

// viewCmd names a mutation in PostgreSQL's messages about views.
type viewCmd struct {
	verb, hint string
}

var (
	viewInsert = viewCmd{"insert into", "To enable inserting into the view, provide an INSTEAD OF INSERT trigger or an unconditional ON INSERT DO INSTEAD rule."}
	viewUpdate = viewCmd{"update", "To enable updating the view, provide an INSTEAD OF UPDATE trigger or an unconditional ON UPDATE DO INSTEAD rule."}
	viewDelete = viewCmd{"delete from", "To enable deleting from the view, provide an INSTEAD OF DELETE trigger or an unconditional ON DELETE DO INSTEAD rule."}
)

// notUpdatable explains why a view's query is not automatically
// updatable, with PostgreSQL's detail, or returns "".
func notUpdatable(q *ast.Select) string {
	switch {
	case q.SetOp != nil:
		return "Views containing UNION, INTERSECT, or EXCEPT are not automatically updatable."
	case q.Distinct:
		return "Views containing DISTINCT are not automatically updatable."
	case len(q.GroupBy) > 0:
		return "Views containing GROUP BY are not automatically updatable."
	case q.Having != nil:
		return "Views containing HAVING are not automatically updatable."
	case q.Limit != nil || q.Offset != nil:
		return "Views containing LIMIT or OFFSET are not automatically updatable."
	}
	for _, se := range q.Exprs {
		if se.Expr != nil && astHasAggregate(se.Expr) {
			return "Views that return aggregate functions are not automatically updatable."
		}
	}
	if len(q.From) != 1 {
		return "Views that do not select from a single table or view are not automatically updatable."
	}
	if _, ok := q.From[0].(*ast.TableRef); !ok {
		return "Views that do not select from a single table or view are not automatically updatable."
	}
	return ""
}

// astHasAggregate reports whether a select-list expression calls an
// aggregate outside subqueries.
func astHasAggregate(e ast.Expr) bool {
	has := func(es ...ast.Expr) bool {
		for _, x := range es {
			if x != nil && astHasAggregate(x) {
				return true
			}
		}
		return false
	}
	switch x := e.(type) {
	case *ast.FuncExpr:
		return isAggregate(x.Name) || has(x.Args...)
	case *ast.BinaryExpr:
		return has(x.L, x.R)
	case *ast.UnaryMinus:
		return has(x.E)
	case *ast.UnaryPlus:
		return has(x.E)
	case *ast.ComparisonExpr:
		return has(x.L, x.R)
	case *ast.AndExpr:
		return has(x.L, x.R)
	case *ast.OrExpr:
		return has(x.L, x.R)
	case *ast.NotExpr:
		return has(x.E)
	case *ast.IsNullExpr:
		return has(x.E)
	case *ast.CastExpr:
		return has(x.E)
	case *ast.LikeExpr:
		return has(x.E, x.Pattern, x.Escape)
	case *ast.InExpr:
		return has(x.E) || has(x.List...)
	case *ast.BetweenExpr:
		return has(x.E, x.Lo, x.Hi)
	case *ast.DistinctExpr:
		return has(x.L, x.R)
	case *ast.CaseExpr:
		for _, w := range x.Whens {
			if has(w.Cond, w.Val) {
				return true
			}
		}
		return has(x.Operand, x.Else)
	case *ast.CoalesceExpr:
		return has(x.Args...)
	case *ast.MinMaxExpr:
		return has(x.Args...)
	case *ast.NullIfExpr:
		return has(x.L, x.R)
	}
	return false
}

// flatten flattens an automatically updatable view for cmd, or fails as
// PostgreSQL does.
func (b *builder) flatten(v *View, cmd viewCmd) (*flatView, error) {
	if b.views.depth >= maxViewDepth {
		return nil, pgerror.New(pgerror.CodeInvalidRecursion, "infinite recursion detected in rules for relation \"%s\"", v.Desc.Name)
	}
	q := v.Query
	if why := notUpdatable(q); why != "" {
		return nil, pgerror.New(pgerror.CodeObjectNotInPrerequisiteState, "cannot %s view \"%s\"", cmd.verb, v.Desc.Name).
			WithDetail("%s", why).WithHint("%s", cmd.hint)
	}
	ref := q.From[0].(*ast.TableRef)
	t, inner, err := b.resolveRelation(ref.Table)
	if err != nil {
		return nil, err
	}
	name := ref.Table.Name
	if ref.Alias != "" {
		name = ref.Alias
	}
	s := &scope{}
	var under *flatView
	if inner != nil {
		b.views.depth++
		under, err = b.flatten(inner, cmd)
		b.views.depth--
		if err != nil {
			return nil, err
		}
		s.addView(name, inner.Desc)
	} else {
		s.addTable(name, t)
	}
	// The view's columns and WHERE over its FROM relation's row, then over
	// the base table's.
	s.noAggs = "WHERE"
	var exprs []Expr
	for _, se := range q.Exprs {
		if se.Star {
			its, err := b.expandStar(se, s)
			if err != nil {
				return nil, err
			}
			for _, it := range its {
				exprs = append(exprs, it.expr)
			}
			continue
		}
		e, err := b.bindExpr(se.Expr, s, nil)
		if err != nil {
			return nil, err
		}
		exprs = append(exprs, e)
	}
	if len(exprs) != len(v.Desc.Columns) {
		return nil, pgerror.New(pgerror.CodeInternalError, "view \"%s\" returns %d columns, its definition %d", v.Desc.Name, len(exprs), len(v.Desc.Columns))
	}
	var where Expr
	if q.Where != nil {
		if where, err = b.bindBool(q.Where, s, "WHERE"); err != nil {
			return nil, err
		}
	}
	fv := &flatView{table: t}
	if under != nil {
		fv.table = under.table
		for i := range exprs {
			if exprs[i], err = under.substitute(exprs[i]); err != nil {
				return nil, err
			}
		}
		if where, err = under.substitute(where); err != nil {
			return nil, err
		}
		where = andAll(append(Conjuncts(under.where), Conjuncts(where)...))
	}
	fv.exprs, fv.where = exprs, where
	updatable := false
	for _, e := range exprs {
		ord := -1
		if c, ok := e.(*ColRef); ok {
			ord = c.Ordinal
			updatable = true
		}
		fv.base = append(fv.base, ord)
	}
	if !updatable && cmd != viewDelete {
		return nil, pgerror.New(pgerror.CodeObjectNotInPrerequisiteState, "cannot %s view \"%s\"", cmd.verb, v.Desc.Name).
			WithDetail("Views that have no updatable columns are not automatically updatable.").WithHint("%s", cmd.hint)
	}
	return fv, nil
}

// substitute rewrites an expression over the view's columns into one over
// the base table's row.
func (fv *flatView) substitute(e Expr) (Expr, error) {
	if e == nil {
		return nil, nil
	}
	if hasCorrelatedSubquery(e) {
		return nil, pgerror.Unsupported("correlated subquery in a statement on an updatable view")
	}
	return Rewrite(e, func(x Expr) Expr {
		if c, ok := x.(*ColRef); ok {
			return fv.exprs[c.Ordinal]
		}
		return x
	}), nil
}

// viewScope is the scope of a mutation's target view: its columns, named
// by alias (or the view's name), over the view's row.
func viewScope(v *View, alias string) *scope {
	s := &scope{}
	name := v.Desc.Name
	if alias != "" {
		name = alias
	}
	s.addView(name, v.Desc)
	return s
}

// viewTarget completes the planning of an INSERT, UPDATE or DELETE whose
// target was not found as a table (err is 42P01 at the target's
// position): when the target is a view, it plans the statement through
// the view. Any other outcome is returned as it came.
func (b *builder) viewTarget(stmt ast.Statement, n Node, err error) (Node, error) {
	var pe *pgerror.Error
	if err == nil || !errors.As(err, &pe) || pe.Code != pgerror.CodeUndefinedTable {
		return n, err
	}
	var target ast.TableName
	switch x := stmt.(type) {
	case *ast.Insert:
		target = x.Table
	case *ast.Update:
		target = x.Table.Table
	case *ast.Delete:
		target = x.Table.Table
	default:
		return n, err
	}
	if pe.Position != target.Pos || (target.Schema != "" && target.Schema != "public") {
		return n, err
	}
	vr, ok := b.r.(ViewResolver)
	if !ok {
		return n, err
	}
	v, verr := vr.ResolveView(b.ctx, target)
	if verr != nil {
		return nil, verr
	}
	if v == nil {
		return n, err
	}
	switch x := stmt.(type) {
	case *ast.Insert:
		return b.buildViewInsert(x, v)
	case *ast.Update:
		return b.buildViewUpdate(x, v)
	}
	return b.buildViewDelete(stmt.(*ast.Delete), v)
}

// viewReturning binds a RETURNING list over the view's columns and
// rewrites it over the base table's row.
func (b *builder) viewReturning(list []ast.SelectExpr, v *View, alias string, fv *flatView) (*Returning, error) {
	ret, err := b.returning(list, viewScope(v, alias))
	if err != nil || ret == nil {
		return ret, err
	}
	for i := range ret.Exprs {
		if ret.Exprs[i], err = fv.substitute(ret.Exprs[i]); err != nil {
			return nil, err
		}
	}
	return ret, nil
}

func (b *builder) buildViewInsert(ins *ast.Insert, v *View) (Node, error) {
	fv, err := b.flatten(v, viewInsert)
	if err != nil {
		return nil, err
	}
	// The target columns, as the view's names, then the table's.
	names := ins.Columns
	if len(names) == 0 {
		width := len(v.Desc.Columns)
		if ins.Select == nil && len(ins.Rows) > 0 && len(ins.Rows[0]) < width {
			width = len(ins.Rows[0])
		} else if sel := ins.Select; sel != nil && sel.SetOp == nil && len(sel.Exprs) < width && !slices.ContainsFunc(sel.Exprs, func(se ast.SelectExpr) bool { return se.Star }) {
			width = len(sel.Exprs)
		}
		for _, c := range v.Desc.Columns[:width] {
			names = append(names, ast.Name{Name: c.Name, Pos: ins.Table.Pos})
		}
	}
	base := &ast.Insert{Table: ast.TableName{Name: fv.table.Name, Pos: ins.Table.Pos}, Rows: ins.Rows, Select: ins.Select}
	for _, c := range names {
		i := slices.IndexFunc(v.Desc.Columns, func(vc catalog.ViewColumn) bool { return vc.Name == c.Name })
		if i < 0 {
			return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c.Name, v.Desc.Name).WithPosition(c.Pos)
		}
		if fv.base[i] < 0 {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot insert into column \"%s\" of view \"%s\"", c.Name, v.Desc.Name).
				WithDetail("View columns that are not columns of their base relation are not updatable.")
		}
		base.Columns = append(base.Columns, ast.Name{Name: fv.table.Columns[fv.base[i]].Name, Pos: c.Pos})
	}
	n, err := b.buildInsert(base)
	if err != nil {
		return nil, err
	}
	node := n.(*Insert)
	if node.Returning, err = b.viewReturning(ins.Returning, v, ins.Alias, fv); err != nil {
		return nil, err
	}
	return node, nil
}

func (b *builder) buildViewUpdate(up *ast.Update, v *View) (Node, error) {
	fv, err := b.flatten(v, viewUpdate)
	if err != nil {
		return nil, err
	}
	t := fv.table
	s := viewScope(v, up.Table.Alias)
	s.noAggs = "UPDATE"
	node := &Update{Table: t}
	seen := map[int]bool{}
	for _, set := range up.Set {
		i := slices.IndexFunc(v.Desc.Columns, func(vc catalog.ViewColumn) bool { return vc.Name == set.Column.Name })
		if i < 0 {
			return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", set.Column.Name, v.Desc.Name).
				WithPosition(set.Column.Pos)
		}
		ord := fv.base[i]
		if ord < 0 {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot update column \"%s\" of view \"%s\"", set.Column.Name, v.Desc.Name).
				WithDetail("View columns that are not columns of their base relation are not updatable.")
		}
		if seen[ord] {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "multiple assignments to same column \"%s\"", set.Column.Name).
				WithPosition(set.Column.Pos)
		}
		seen[ord] = true
		e, err := b.bindAssign(set.Expr, s, set.Column.Name, t.Columns[ord].Type)
		if err != nil {
			return nil, err
		}
		if e, err = fv.substitute(e); err != nil {
			return nil, err
		}
		node.Sets = append(node.Sets, SetExpr{Ordinal: ord, Expr: e})
		if t.IsKeyColumn(ord) {
			node.KeyChanged = true
		}
	}
	if node.Input, err = b.viewScan(fv, up.Where, s); err != nil {
		return nil, err
	}
	if node.Returning, err = b.viewReturning(up.Returning, v, up.Table.Alias, fv); err != nil {
		return nil, err
	}
	return node, nil
}

func (b *builder) buildViewDelete(del *ast.Delete, v *View) (Node, error) {
	fv, err := b.flatten(v, viewDelete)
	if err != nil {
		return nil, err
	}
	node := &Delete{Table: fv.table}
	if node.Input, err = b.viewScan(fv, del.Where, viewScope(v, del.Table.Alias)); err != nil {
		return nil, err
	}
	if node.Returning, err = b.viewReturning(del.Returning, v, del.Table.Alias, fv); err != nil {
		return nil, err
	}
	return node, nil
}

// viewScan plans the base table rows an UPDATE or DELETE through a view
// reaches: the view's WHERE and the statement's (bound in s, the view's
// scope).
func (b *builder) viewScan(fv *flatView, where ast.Expr, s *scope) (Node, error) {
	conj := Conjuncts(fv.where)
	if where != nil {
		s.noAggs = "WHERE"
		f, err := b.bindBool(where, s, "WHERE")
		if err != nil {
			return nil, err
		}
		if f, err = fv.substitute(f); err != nil {
			return nil, err
		}
		conj = append(conj, Conjuncts(f)...)
	}
	return b.scan(fv.table, fv.table.Name, conj)
}
