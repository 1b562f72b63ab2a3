package plan

import (
	"errors"
	"strings"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file plans derived tables: (SELECT …) AS alias [(col, …)] in FROM.
// A derived table is an inline, unnamed view: its query is planned as a
// subquery and becomes a composite join unit marked view, so filters on
// it alone are pushed into its plan down to its scans (view.go's
// pushFilter) and EXPLAIN shows the underlying scans.
//
// Its query cannot see the other items of its FROM (that takes LATERAL,
// which is not supported) but sees the enclosing query levels: its scope's
// parent is the parent of the level it stands in. A reference to a sibling
// FROM item is PostgreSQL's 42P01 "invalid reference to FROM-clause entry"
// (buildFrom rewrites the "missing FROM-clause entry" of the binder).

// addDerivedUnit adds a derived table of FROM as a composite unit.
func (b *builder) addDerivedUnit(ref *ast.SubqueryRef, s *scope, fp *fromPlan) error {
	if s.findTable(ref.Alias) != nil {
		return pgerror.New(pgerror.CodeDuplicateAlias, "table name \"%s\" specified more than once", ref.Alias).WithPosition(ref.Pos)
	}
	inner := &scope{parent: s.parent}
	node, err := b.buildSelect(ref.Select, inner)
	if err != nil {
		return err
	}
	if inner.correlated {
		// The enclosing levels it reads make this level correlated too.
		s.correlated = true
	}
	cols := node.Columns()
	if len(ref.Columns) > len(cols) {
		return pgerror.New(pgerror.CodeInvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified",
			ref.Alias, len(cols), len(ref.Columns))
	}
	u := &unit{start: len(s.cols), node: node, alias: ref.Alias, view: true}
	for i, c := range cols {
		name := c.Name
		if i < len(ref.Columns) {
			name = ref.Columns[i]
		}
		s.cols = append(s.cols, scopeCol{table: ref.Alias, name: name, typ: c.Typ, tableID: c.TableID, colID: c.ColumnID})
	}
	s.tables = append(s.tables, scopeTable{name: ref.Alias, start: u.start, end: len(s.cols)})
	u.end = len(s.cols)
	fp.units = append(fp.units, u)
	return nil
}

// fromNames collects the names FROM items are referenced by.
func fromNames(items []ast.FromItem, out map[string]bool) {
	for _, it := range items {
		switch x := it.(type) {
		case *ast.TableRef:
			if x.Alias != "" {
				out[x.Alias] = true
			} else {
				out[x.Table.Name] = true
			}
		case *ast.SubqueryRef:
			out[x.Alias] = true
		case *ast.FuncRef:
			if x.Alias != "" {
				out[x.Alias] = true
			} else {
				out[x.Func.Name] = true
			}
		case *ast.JoinExpr:
			fromNames([]ast.FromItem{x.L, x.R}, out)
		}
	}
}

// invalidFromReference rewrites the binder's "missing FROM-clause entry"
// for a name that is an item of this FROM but was referenced where it is
// not visible (from a derived table, or from an earlier JOIN's ON) into
// PostgreSQL's error.
func invalidFromReference(err error, items []ast.FromItem) error {
	var pe *pgerror.Error
	const prefix = "missing FROM-clause entry for table \""
	if !errors.As(err, &pe) || pe.Code != pgerror.CodeUndefinedTable || !strings.HasPrefix(pe.Message, prefix) {
		return err
	}
	name := strings.TrimSuffix(strings.TrimPrefix(pe.Message, prefix), "\"")
	names := map[string]bool{}
	fromNames(items, names)
	if !names[name] {
		return err
	}
	return pgerror.New(pgerror.CodeUndefinedTable, "invalid reference to FROM-clause entry for table \"%s\"", name).
		WithHint("There is an entry for table \"%s\", but it cannot be referenced from this part of the query.", name).
		WithPosition(pe.Position)
}
