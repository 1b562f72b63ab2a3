package plan

import (
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// This file plans FROM: the relations become units (a base table, or a
// LEFT or RIGHT JOIN planned as a whole); WHERE and inner-join ON conjuncts are
// sorted into single-unit filters (pushed into scans, where they become
// spans) and join predicates; units are joined greedily — start from the
// most constrained unit, then repeatedly add a unit connected to the
// joined set by an equality (a lookup join when the equalities bind its
// whole primary key, else a hash join), a cross join only when nothing is
// connected. Greedy ordering is linear in the number of predicates per
// step, so it scales to the dozens of tables SQLite's select5 joins.
//
// Expressions are bound against the level's canonical layout: all FROM
// columns in textual order. A join's rows have the layout of its units in
// join order; predicates are remapped to it, and a projection restores
// the canonical layout on top.

// unit is one relation being joined.
type unit struct {
	start, end int // its columns in the canonical layout
	table      *catalog.TableDescriptor
	alias      string
	// node is set for a composite unit (a LEFT JOIN), whose rows have the
	// canonical layout of [start, end).
	node    Node
	filters []Expr
	// view marks a composite unit that is a view of FROM: filters on it
	// alone are pushed into its plan (view.go).
	view bool
}

// fromPlan is the FROM clause's units and the inner-join ON conditions.
type fromPlan struct {
	units []*unit
	conds []Expr
}

func (b *builder) buildFrom(items []ast.FromItem, s *scope) (*fromPlan, error) {
	fp := &fromPlan{}
	for _, it := range items {
		if err := b.addFromItem(it, s, fp); err != nil {
			return nil, invalidFromReference(err, items) // derived.go
		}
	}
	return fp, nil
}

func (b *builder) addFromItem(it ast.FromItem, s *scope, fp *fromPlan) error {
	switch x := it.(type) {
	case *ast.TableRef:
		if d := b.lookupCTE(x.Table); d != nil {
			return b.addCTEUnit(x, d, s, fp) // cte.go
		}
		if ok, err := b.addVirtualUnit(x, s, fp); ok || err != nil {
			return err // view.go
		}
		t, v, err := b.resolveRelation(x.Table)
		if err != nil {
			return b.hiddenCTEError(err, x.Table) // cte.go
		}
		if v != nil {
			return b.addViewUnit(x, v, s, fp) // view.go
		}
		name := t.Name
		if x.Alias != "" {
			name = x.Alias
		}
		if s.findTable(name) != nil {
			return pgerror.New(pgerror.CodeDuplicateAlias, "table name \"%s\" specified more than once", name).WithPosition(x.Table.Pos)
		}
		u := &unit{start: len(s.cols), table: t, alias: name}
		s.addTable(name, t)
		u.end = len(s.cols)
		fp.units = append(fp.units, u)
		return nil
	case *ast.SubqueryRef:
		return b.addDerivedUnit(x, s, fp) // derived.go
	case *ast.FuncRef:
		return b.addFuncUnit(x, s, fp) // srf.go
	case *ast.JoinExpr:
		if len(x.Using) > 0 || x.Natural {
			return b.addUsingJoin(x, s, fp) // using.go
		}
		switch x.Kind {
		case ast.InnerJoin, ast.CrossJoin:
			if err := b.addFromItem(x.L, s, fp); err != nil {
				return err
			}
			if err := b.addFromItem(x.R, s, fp); err != nil {
				return err
			}
			if x.On != nil {
				on, err := b.bindOn(x.On, s)
				if err != nil {
					return err
				}
				fp.conds = append(fp.conds, Conjuncts(on)...)
			}
			return nil
		case ast.LeftJoin:
			return b.addLeftJoin(x, s, fp, false)
		case ast.RightJoin:
			return b.addLeftJoin(x, s, fp, true)
		case ast.FullJoin:
			return b.addFullJoin(x, s, fp)
		}
		return pgerror.Unsupported(string(x.Kind) + " JOIN")
	}
	return pgerror.Unsupported("FROM item")
}

func (b *builder) bindOn(on ast.Expr, s *scope) (Expr, error) {
	saved := s.noAggs
	s.noAggs = "JOIN conditions"
	e, err := b.bindBool(on, s, "JOIN/ON")
	s.noAggs = saved
	return e, err
}

// addLeftJoin plans L LEFT JOIN R ON cond as one composite unit, and
// L RIGHT JOIN R ON cond (right set) as R LEFT JOIN L with the columns
// put back in L, R order.
func (b *builder) addLeftJoin(x *ast.JoinExpr, s *scope, fp *fromPlan, right bool) error {
	lfp, rfp, start, mid, end, on, err := b.addJoinSides(x, s)
	if err != nil {
		return err
	}
	// The preserved side [plo, phi) and the optional one [olo, ohi).
	keep, opt := lfp, rfp
	plo, phi, olo, ohi := start, mid, mid, end
	if right {
		keep, opt = rfp, lfp
		plo, phi, olo, ohi = mid, end, start, mid
	}
	pnode, err := b.joinUnits(keep.units, keep.conds, s, plo, phi)
	if err != nil {
		return err
	}
	// ON conjuncts over the optional side alone filter it before the join.
	var optOnly, rest []Expr
	for _, c := range Conjuncts(on) {
		if hasCorrelatedSubquery(c) {
			return pgerror.Unsupported("correlated subquery in an outer join condition")
		}
		if within(c, olo, ohi) && !hasSubquery(c) {
			optOnly = append(optOnly, c)
		} else {
			rest = append(rest, c)
		}
	}
	var joined Node
	if len(opt.units) == 1 && opt.units[0].node == nil && len(opt.conds) == 0 {
		ou := opt.units[0]
		ou.filters = optOnly
		joined, err = b.joinPair(LeftJoin, pnode, identity(plo, phi), ou, rest, s)
	} else {
		onode, err2 := b.joinUnits(opt.units, append(opt.conds, optOnly...), s, olo, ohi)
		if err2 != nil {
			return err2
		}
		joined, err = b.joinPair(LeftJoin, pnode, identity(plo, phi), &unit{start: olo, end: ohi, node: onode}, rest, s)
	}
	if err != nil {
		return err
	}
	if right {
		// joined has R's columns, then L's: restore L, R.
		cols := joined.Columns()
		nr := end - mid
		proj := &Project{Input: joined}
		for c := start; c < end; c++ {
			pos := c - mid
			if c < mid {
				pos = nr + c - start
			}
			proj.Exprs = append(proj.Exprs, &ColRef{Ordinal: pos, Name: cols[pos].Name, Typ: cols[pos].Typ})
			proj.Cols = append(proj.Cols, cols[pos])
		}
		joined = proj
	}
	fp.units = append(fp.units, &unit{start: start, end: end, node: joined})
	return nil
}

// addJoinSides adds an outer join's two sides to s, each into a fromPlan
// of its own, and binds its ON condition: the sides' columns are [start,
// mid) and [mid, end).
func (b *builder) addJoinSides(x *ast.JoinExpr, s *scope) (lfp, rfp *fromPlan, start, mid, end int, on Expr, err error) {
	start = len(s.cols)
	lfp, rfp = &fromPlan{}, &fromPlan{}
	// A recursive CTE's self-reference must not be on a nullable side
	// (recursive.go).
	leave := b.recEnterIf(x.Kind == ast.RightJoin || x.Kind == ast.FullJoin, recOuterJoin)
	err = b.addFromItem(x.L, s, lfp)
	leave()
	if err != nil {
		return
	}
	mid = len(s.cols)
	leave = b.recEnterIf(x.Kind == ast.LeftJoin || x.Kind == ast.FullJoin, recOuterJoin)
	err = b.addFromItem(x.R, s, rfp)
	leave()
	if err != nil {
		return
	}
	end = len(s.cols)
	on, err = b.bindOn(x.On, s)
	return
}

// addFullJoin plans L FULL JOIN R ON cond as one composite unit: a hash
// join on cond's equalities between the sides that also emits the rows of
// either side that joined nothing. No ON conjunct filters a side before
// the join (both are preserved).
func (b *builder) addFullJoin(x *ast.JoinExpr, s *scope, fp *fromPlan) error {
	lfp, rfp, start, mid, end, on, err := b.addJoinSides(x, s)
	if err != nil {
		return err
	}
	conds := Conjuncts(on)
	for _, c := range conds {
		if hasSubquery(c) {
			return pgerror.Unsupported("subquery in a FULL JOIN condition")
		}
	}
	lnode, err := b.joinUnits(lfp.units, lfp.conds, s, start, mid)
	if err != nil {
		return err
	}
	rnode, err := b.joinUnits(rfp.units, rfp.conds, s, mid, end)
	if err != nil {
		return err
	}
	joined, err := b.joinPair(FullJoin, lnode, identity(start, mid), &unit{start: mid, end: end, node: rnode}, conds, s)
	if err != nil {
		return err
	}
	if hj, ok := joined.(*HashJoin); !ok || len(hj.LeftKeys) == 0 {
		return pgerror.New(pgerror.CodeFeatureNotSupported, "FULL JOIN is only supported with merge-joinable or hash-joinable join conditions")
	}
	fp.units = append(fp.units, &unit{start: start, end: end, node: joined})
	return nil
}

func identity(lo, hi int) []int {
	out := make([]int, 0, hi-lo)
	for i := lo; i < hi; i++ {
		out = append(out, i)
	}
	return out
}

// within reports whether every column e reads is in [lo, hi).
func within(e Expr, lo, hi int) bool {
	for _, c := range colsUsed(e) {
		if c < lo || c >= hi {
			return false
		}
	}
	return true
}

// planJoins plans the FROM clause with the WHERE predicate; the result
// has the canonical layout.
func (b *builder) planJoins(fp *fromPlan, s *scope, where Expr) (Node, error) {
	if len(fp.units) == 0 {
		var n Node = &Values{Rows: [][]Expr{{}}}
		if where != nil {
			n = &Filter{Input: n, Pred: where}
		}
		return n, nil
	}
	conds := append(append([]Expr(nil), fp.conds...), Conjuncts(where)...)
	return b.joinUnits(fp.units, conds, s, 0, len(s.cols))
}

// joinUnits joins units (covering the canonical columns [lo, hi)) under
// conds and returns a node with the canonical layout of [lo, hi).
func (b *builder) joinUnits(units []*unit, conds []Expr, s *scope, lo, hi int) (Node, error) {
	unitOf := func(ord int) int {
		for i, u := range units {
			if ord >= u.start && ord < u.end {
				return i
			}
		}
		return -1
	}
	// Sort conjuncts: single-unit ones become the unit's filters (for a
	// base table; composite units are filtered after joining).
	var joinConds, post []Expr
	for _, c := range conds {
		used := colsUsed(c)
		if lo != 0 && hasCorrelatedSubquery(c) {
			return nil, pgerror.Unsupported("correlated subquery in a join condition inside a LEFT JOIN")
		}
		if hasSubquery(c) && len(units) > 1 {
			post = append(post, c)
			continue
		}
		us := map[int]bool{}
		for _, o := range used {
			us[unitOf(o)] = true
		}
		if len(us) == 1 {
			for ui := range us {
				if units[ui].node == nil || units[ui].view {
					units[ui].filters = append(units[ui].filters, c)
				} else {
					joinConds = append(joinConds, c)
				}
			}
			continue
		}
		if len(us) == 0 && len(units) == 1 && units[0].node == nil {
			units[0].filters = append(units[0].filters, c)
			continue
		}
		joinConds = append(joinConds, c)
	}
	// Greedy order.
	done := make([]bool, len(units))
	first := 0
	for i, u := range units {
		if b.unitClass(u, s) < b.unitClass(units[first], s) {
			first = i
		}
	}
	cur, err := b.unitNode(units[first], s)
	if err != nil {
		return nil, err
	}
	layout := identity(units[first].start, units[first].end)
	done[first] = true
	inSet := func(ord int) bool {
		u := unitOf(ord)
		return u >= 0 && done[u]
	}
	applied := make([]bool, len(joinConds))
	for step := 1; step < len(units); step++ {
		best, bestScore := -1, 1<<30
		for i, u := range units {
			if done[i] {
				continue
			}
			connected, lookup := false, false
			for ci, c := range joinConds {
				if applied[ci] {
					continue
				}
				if l, r, ok := equiSides(c); ok {
					if (within(l, u.start, u.end) && allIn(r, inSet)) || (within(r, u.start, u.end) && allIn(l, inSet)) {
						connected = true
					}
				}
			}
			if connected && u.node == nil && b.lookupKeys(u, joinConds, applied, inSet) != nil {
				lookup = true
			}
			score := b.unitClass(u, s) + 10
			switch {
			case lookup:
				score = 0
			case connected:
				score = 5 + b.unitClass(u, s)
			}
			if score < bestScore {
				best, bestScore = i, score
			}
		}
		u := units[best]
		// The conjuncts this join can evaluate.
		var on []Expr
		for ci, c := range joinConds {
			if applied[ci] {
				continue
			}
			if allIn(c, func(o int) bool { return inSet(o) || (o >= u.start && o < u.end) }) {
				on = append(on, c)
				applied[ci] = true
			}
		}
		if cur, err = b.joinPair(InnerJoin, cur, layout, u, on, s); err != nil {
			return nil, err
		}
		layout = append(layout, identity(u.start, u.end)...)
		done[best] = true
	}
	var rest []Expr
	for ci, c := range joinConds {
		if !applied[ci] {
			rest = append(rest, c)
		}
	}
	if len(rest) > 0 {
		cur = &Filter{Input: cur, Pred: remapCols(andAll(rest), position(layout, len(s.cols)))}
	}
	// Restore the canonical layout.
	if !isIdentity(layout, lo) {
		pos := position(layout, len(s.cols))
		proj := &Project{Input: cur}
		for o := lo; o < hi; o++ {
			c := &s.cols[o]
			proj.Exprs = append(proj.Exprs, &ColRef{Ordinal: pos[o], Name: c.qualified(), Typ: c.typ})
			proj.Cols = append(proj.Cols, Column{Name: c.name, Typ: c.typ, TableID: c.tableID, ColumnID: c.colID})
		}
		cur = proj
	}
	if len(post) > 0 {
		m := identityMap(len(s.cols), lo)
		cur = &Filter{Input: cur, Pred: remapCols(andAll(post), m)}
	}
	return cur, nil
}

// identityMap maps canonical ordinals to positions in a row starting at lo.
func identityMap(n, lo int) []int {
	m := make([]int, n)
	for i := range m {
		m[i] = i - lo
	}
	return m
}

func isIdentity(layout []int, lo int) bool {
	for i, o := range layout {
		if o != lo+i {
			return false
		}
	}
	return true
}

// position maps canonical ordinals to their index in layout (-1 absent).
func position(layout []int, n int) []int {
	m := make([]int, n)
	for i := range m {
		m[i] = -1
	}
	for i, o := range layout {
		m[o] = i
	}
	return m
}

func allIn(e Expr, in func(int) bool) bool {
	for _, o := range colsUsed(e) {
		if !in(o) {
			return false
		}
	}
	return true
}

// equiSides returns the operands of an equality.
func equiSides(e Expr) (Expr, Expr, bool) {
	c, ok := e.(*Cmp)
	if !ok || c.Op != EQ {
		return nil, nil, false
	}
	return c.L, c.R, true
}

// unitClass ranks how constrained a unit's scan is: 0 point lookups, 1
// spans, 2 filtered full scan, 3 unfiltered, 4 composite.
func (b *builder) unitClass(u *unit, s *scope) int {
	if u.node != nil {
		return 4
	}
	if len(u.filters) == 0 {
		return 3
	}
	local := make([]Expr, len(u.filters))
	m := identityMap(len(s.cols), u.start)
	for i, f := range u.filters {
		local[i] = remapCols(f, m)
	}
	sp := analyzeSpans(u.table, andAll(local))
	switch {
	case sp.point:
		return 0
	case sp.constrained:
		return 1
	}
	return 2
}

// unitNode plans a unit alone: a base table's scan with its filters, or
// the composite node.
func (b *builder) unitNode(u *unit, s *scope) (Node, error) {
	if u.node != nil {
		if len(u.filters) > 0 {
			m := identityMap(len(s.cols), u.start)
			if u.view {
				return b.pushFilter(u.node, remapCols(andAll(u.filters), m))
			}
			return &Filter{Input: u.node, Pred: remapCols(andAll(u.filters), m)}, nil
		}
		return u.node, nil
	}
	m := identityMap(len(s.cols), u.start)
	local := make([]Expr, len(u.filters))
	for i, f := range u.filters {
		local[i] = remapCols(f, m)
	}
	return b.scan(u.table, u.alias, local)
}

// scan plans a Scan of t under the conjuncts (bound to t's row).
func (b *builder) scan(t *catalog.TableDescriptor, alias string, conjuncts []Expr) (Node, error) {
	filter, err := b.useComputed(t, andAll(conjuncts)) // computed.go
	if err != nil {
		return nil, err
	}
	usable, err := b.impliedPartial(t, filter) // computed.go
	if err != nil {
		return nil, err
	}
	sc := &Scan{Table: t, Alias: alias, Filter: filter, Index: choosePartialIndex(t, filter, usable)} // index.go
	if hasParams(filter) {
		sc.ParamSpans = true
		return sc, nil
	}
	spans, err := ComputeScanSpans(sc, nil)
	if err != nil {
		return nil, err
	}
	sc.Spans = spans
	return sc, nil
}

func hasParams(e Expr) bool {
	found := false
	Walk(e, func(x Expr) bool {
		if _, ok := x.(*Param); ok {
			found = true
		}
		return !found
	})
	return found
}

// lookupKeys returns, for each primary key column of u's table, an
// expression over the joined set (canonical ordinals) or a constant that
// an unapplied equality binds it to; nil if some key column is unbound.
func (b *builder) lookupKeys(u *unit, conds []Expr, applied []bool, inSet func(int) bool) []Expr {
	keys := make([]Expr, 0, len(u.table.PrimaryIndex.ColumnIDs))
	for _, ord := range u.table.PrimaryKeyOrdinals() {
		canon := u.start + ord
		var found Expr
		try := func(col, other Expr) {
			if c, ok := col.(*ColRef); ok && c.Ordinal == canon && allIn(other, inSet) && found == nil &&
				!hasSubquery(other) && other.ResultType().Family == c.Typ.Family && sameKeyType(other.ResultType(), c.Typ) {
				found = other
			}
		}
		for ci, c := range conds {
			if applied != nil && applied[ci] {
				continue
			}
			if l, r, ok := equiSides(c); ok {
				try(l, r)
				try(r, l)
			}
		}
		for _, f := range u.filters {
			if l, r, ok := equiSides(f); ok {
				if _, isK := r.(*Const); isK {
					try(l, r)
				}
				if _, isK := l.(*Const); isK {
					try(r, l)
				}
			}
		}
		if found == nil {
			return nil
		}
		keys = append(keys, found)
	}
	return keys
}

// sameKeyType reports whether a value of type v encodes as a key of type
// k (integers of any width, strings of any kind, else identical types).
func sameKeyType(v, k *types.T) bool {
	switch k.Family {
	case types.IntFamily, types.StringFamily:
		return v.Family == k.Family && (k.Family != types.StringFamily || k.OID != types.OIDBpchar || v.OID == types.OIDBpchar)
	}
	return v.Equal(k)
}

// joinPair joins the rows of cur (layout: canonical ordinals) with unit u
// under the conjuncts on (canonical ordinals).
func (b *builder) joinPair(kind JoinKind, cur Node, layout []int, u *unit, on []Expr, s *scope) (Node, error) {
	inLeft := func(o int) bool {
		for _, l := range layout {
			if l == o {
				return true
			}
		}
		return false
	}
	n := len(s.cols)
	joined := append(append([]int(nil), layout...), identity(u.start, u.end)...)
	jpos := position(joined, n)
	// Lookup join: the equalities bind u's whole primary key.
	if u.node == nil {
		if keys := b.lookupKeys(u, on, nil, inLeft); keys != nil && len(layout) > 0 {
			lpos := position(layout, n)
			lj := &LookupJoin{Kind: kind, Left: cur, Table: u.table, Alias: u.alias}
			for _, k := range keys {
				lj.KeyExprs = append(lj.KeyExprs, remapCols(k, lpos))
			}
			if len(u.filters) > 0 {
				m := identityMap(n, u.start)
				local := make([]Expr, len(u.filters))
				for i, f := range u.filters {
					local[i] = remapCols(f, m)
				}
				lj.TableFilter = andAll(local)
			}
			if len(on) > 0 {
				lj.On = remapCols(andAll(on), jpos)
			}
			return lj, nil
		}
	}
	right, err := b.unitNode(u, s)
	if err != nil {
		return nil, err
	}
	hj := &HashJoin{Kind: kind, Left: cur, Right: right}
	lpos := position(layout, n)
	var residual []Expr
	for _, c := range on {
		if l, r, ok := equiSides(c); ok {
			lc, lok := l.(*ColRef)
			rc, rok := r.(*ColRef)
			if lok && rok && hashable(lc.Typ, rc.Typ) {
				switch {
				case inLeft(lc.Ordinal) && rc.Ordinal >= u.start && rc.Ordinal < u.end:
					hj.LeftKeys = append(hj.LeftKeys, lpos[lc.Ordinal])
					hj.RightKeys = append(hj.RightKeys, rc.Ordinal-u.start)
					continue
				case inLeft(rc.Ordinal) && lc.Ordinal >= u.start && lc.Ordinal < u.end:
					hj.LeftKeys = append(hj.LeftKeys, lpos[rc.Ordinal])
					hj.RightKeys = append(hj.RightKeys, lc.Ordinal-u.start)
					continue
				}
			}
		}
		residual = append(residual, c)
	}
	if len(residual) > 0 {
		hj.On = remapCols(andAll(residual), jpos)
	}
	return hj, nil
}

// hashable reports whether equal values of types l and r hash alike.
func hashable(l, r *types.T) bool {
	if l.Family != r.Family {
		return false
	}
	switch l.Family {
	case types.StringFamily:
		return (l.OID == types.OIDBpchar) == (r.OID == types.OIDBpchar)
	case types.TimestampFamily, types.TimestampTZFamily, types.DateFamily, types.IntervalFamily:
		return l.Equal(r)
	}
	return true
}
