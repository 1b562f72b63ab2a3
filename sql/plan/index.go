package plan

import (
	"fmt"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/types"
)

// This file chooses between a table's primary and secondary indexes.
//
// A scan's conjuncts constrain columns (spans.go: keyConstraints); for
// each index, the columns fixed from its first one on (equality, IN) and a
// range on the next make its shape. The choice is a fixed ranking, no cost
// model:
//
//  1. every primary key column fixed: point Gets of rows;
//  2. every column of a unique secondary index fixed: point Gets of its
//     entries, then of the rows;
//  3. the primary key's first column fixed or bounded: a primary span;
//  4. a secondary index's first column fixed or bounded — the one with
//     the most leading columns fixed, then one with a range after them:
//     a span of its entries, each leading to its row by primary key (an
//     index join);
//  5. else the whole primary index.
//
// The scan keeps the complete filter, applied to every row the index
// leads to. markIndexOnly then makes a secondary index scan index-only
// when the operator right above it (a projection or an aggregation) and
// the filter read only the index's columns and the primary key, which
// every entry holds: no row is fetched.

// indexShape is what a filter's constraints allow on one index.
type indexShape struct {
	eqCols int  // leading columns fixed
	point  bool // every column fixed
	ranged bool // the column after the fixed ones bounded
}

func (s indexShape) constrained() bool { return s.eqCols > 0 || s.ranged }

func shapeOf(t *catalog.TableDescriptor, idx *catalog.Index, cons map[int]*colConstraint) indexShape {
	var sh indexShape
	for _, id := range idx.ColumnIDs {
		cc := cons[t.ColumnOrdinal(id)]
		if cc == nil {
			return sh
		}
		if !cc.hasEq {
			sh.ranged = cc.lo != nil || cc.hi != nil
			return sh
		}
		sh.eqCols++
	}
	sh.point = true
	return sh
}

// paramsAsValues treats every parameter as a value when choosing a path.
func paramsAsValues(int) types.Datum { return types.DNull }

// chooseIndex returns the secondary index a scan of t under filter reads,
// or nil for the primary index (see the ranking above).
func chooseIndex(t *catalog.TableDescriptor, filter Expr) *catalog.Index {
	return choosePartialIndex(t, filter, nil)
}

// choosePartialIndex is chooseIndex that may also pick the partial
// indexes in usable (those whose predicate the filter implies).
func choosePartialIndex(t *catalog.TableDescriptor, filter Expr, usable map[catalog.IndexID]bool) *catalog.Index {
	if filter == nil || len(t.Indexes) == 0 {
		return nil
	}
	cons := keyConstraints(t, filter, paramsAsValues)
	pk := shapeOf(t, &t.PrimaryIndex, cons)
	if pk.point {
		return nil
	}
	for i := range t.Indexes {
		if idx := &t.Indexes[i]; idx.Unique && (idx.Predicate == "" || usable[idx.ID]) && shapeOf(t, idx, cons).point {
			return idx
		}
	}
	if pk.constrained() {
		return nil
	}
	var best *catalog.Index
	var bestShape indexShape
	for i := range t.Indexes {
		idx := &t.Indexes[i]
		if idx.Predicate != "" && !usable[idx.ID] {
			continue // partial, and the filter does not imply its predicate
		}
		sh := shapeOf(t, idx, cons)
		if !sh.constrained() {
			continue
		}
		if best == nil || sh.eqCols > bestShape.eqCols || (sh.eqCols == bestShape.eqCols && sh.ranged && !bestShape.ranged) {
			best, bestShape = idx, sh
		}
	}
	return best
}

// analyzeSpans reports the access path filter allows on t, treating
// parameters as values: point when the primary key or a unique index is
// fixed, constrained when some index's first column is.
func analyzeSpans(t *catalog.TableDescriptor, filter Expr) spanShape {
	sh := analyzePrimarySpans(t, filter)
	if sh.point || len(t.Indexes) == 0 || filter == nil {
		return sh
	}
	cons := keyConstraints(t, filter, paramsAsValues)
	for i := range t.Indexes {
		idx := &t.Indexes[i]
		if idx.Predicate != "" {
			continue
		}
		is := shapeOf(t, idx, cons)
		if idx.Unique && is.point {
			return spanShape{point: true, constrained: true}
		}
		if is.constrained() {
			sh.constrained = true
		}
	}
	return sh
}

// ComputeScanSpans returns the spans of the index sc reads (the primary
// index's, or sc.Index's) under its filter; params supplies parameter
// values (nil when the filter has none).
func ComputeScanSpans(sc *Scan, params ParamValues) ([]kvpb.Span, error) {
	idx := sc.Index
	if idx == nil {
		idx = &sc.Table.PrimaryIndex
	}
	return computeIndexSpans(sc.Table, idx, sc.Filter, params)
}

// IndexCovers reports whether every column at ordinals is one idx's
// entries hold: its own columns and the primary key's.
func IndexCovers(t *catalog.TableDescriptor, idx *catalog.Index, ordinals []int) bool {
	have := map[catalog.ColumnID]bool{}
	for _, id := range idx.ColumnIDs {
		have[id] = true
	}
	for _, id := range t.PrimaryIndex.ColumnIDs {
		have[id] = true
	}
	for _, o := range ordinals {
		if o < 0 || o >= len(t.Columns) || !have[t.Columns[o].ID] {
			return false
		}
	}
	return true
}

// markIndexOnly makes every secondary index scan directly under a
// projection or an aggregation index-only when nothing above reads a
// column its entries lack.
func markIndexOnly(n Node) {
	if n == nil {
		return
	}
	var exprs []Expr
	switch x := n.(type) {
	case *Project:
		exprs = x.Exprs
	case *Aggregate:
		exprs = nodeExprs(x)
	}
	for _, c := range n.Children() {
		sc, ok := c.(*Scan)
		if !ok || sc.Index == nil || exprs == nil {
			markIndexOnly(c)
			continue
		}
		all := append([]Expr{sc.Filter}, exprs...)
		var used []int
		ok = true
		for _, e := range all {
			if e == nil {
				continue
			}
			if hasSubquery(e) {
				ok = false
				break
			}
			used = append(used, colsUsed(e)...)
		}
		sc.IndexOnly = ok && IndexCovers(sc.Table, sc.Index, used)
	}
}

func (n *Scan) describeIndex() (string, []string) {
	kind := "index scan"
	if n.IndexOnly {
		kind = "index-only scan"
	}
	head := fmt.Sprintf("%s %s@%s", kind, n.Table.Name, n.Index.Name)
	if n.Alias != "" && n.Alias != n.Table.Name {
		head += " AS " + n.Alias
	}
	var lines []string
	switch {
	case n.ParamSpans:
		lines = append(lines, "spans: computed from parameters")
	case len(n.Spans) == 0:
		lines = append(lines, "spans: none")
	default:
		for _, sp := range n.Spans {
			s := prettyKeyOf(n.Table, n.Index, sp.Key)
			if len(sp.EndKey) != 0 {
				s = "[" + s + ", " + prettyKeyOf(n.Table, n.Index, sp.EndKey) + ")"
			}
			lines = append(lines, "span: "+s)
		}
	}
	if !n.IndexOnly {
		lines = append(lines, "index join: "+n.Table.PrimaryIndex.Name)
	}
	if n.Filter != nil {
		lines = append(lines, "filter: "+n.Filter.String())
	}
	return head, lines
}

// ReadsTable reports whether n, or a subquery of its expressions, reads
// table tableID (an INSERT … SELECT from its own target must read its
// input before writing, as PostgreSQL's snapshot would).
func ReadsTable(n Node, tableID uint64) bool {
	found := false
	var visit func(n Node)
	visit = func(n Node) {
		if n == nil || found {
			return
		}
		switch x := n.(type) {
		case *Scan:
			found = found || x.Table.ID == tableID
		case *LookupJoin:
			found = found || x.Table.ID == tableID
		}
		for _, e := range nodeExprs(n) {
			Walk(e, func(x Expr) bool {
				if s, ok := x.(*Subquery); ok {
					visit(s.Plan)
				}
				return !found
			})
		}
		for _, c := range n.Children() {
			visit(c)
		}
	}
	visit(n)
	return found
}
