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

// Build plans a SELECT, INSERT, UPDATE or DELETE.
func Build(ctx context.Context, r Resolver, stmt ast.Statement) (Node, error) {
	switch s := stmt.(type) {
	case *ast.Select:
		return buildSelect(ctx, r, s)
	case *ast.Insert:
		return buildInsert(ctx, r, s)
	case *ast.Update:
		return buildUpdate(ctx, r, s)
	case *ast.Delete:
		return buildDelete(ctx, r, s)
	}
	return nil, pgerror.Unsupported(fmt.Sprintf("planning %s", stmt.StatementTag()))
}

func resolve(ctx context.Context, r Resolver, name ast.TableName) (*catalog.TableDescriptor, error) {
	t, err := r.ResolveTable(ctx, name)
	if err != nil {
		return nil, err
	}
	if t == nil {
		return nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", name).WithPosition(name.Pos)
	}
	return t, nil
}

func tableScope(ctx context.Context, r Resolver, ref ast.TableRef) (*scope, error) {
	t, err := resolve(ctx, r, ref.Table)
	if err != nil {
		return nil, err
	}
	s := &scope{table: t, name: ref.Table.Name}
	if ref.Alias != "" {
		s.name = ref.Alias
	}
	return s, nil
}

// buildScan binds where and chooses the spans.
func buildScan(s *scope, where ast.Expr) (*Scan, error) {
	scan := &Scan{Table: s.table}
	if where != nil {
		f, err := bindBool(where, s, "WHERE")
		if err != nil {
			return nil, err
		}
		scan.Filter = f
	}
	spans, err := ComputeSpans(s.table, scan.Filter)
	if err != nil {
		return nil, err
	}
	scan.Spans = spans
	return scan, nil
}

func buildSelect(ctx context.Context, r Resolver, sel *ast.Select) (Node, error) {
	s := &scope{}
	var input Node = &Values{Rows: [][]Expr{{}}}
	if sel.From != nil {
		var err error
		if s, err = tableScope(ctx, r, *sel.From); err != nil {
			return nil, err
		}
		scan, err := buildScan(s, sel.Where)
		if err != nil {
			return nil, err
		}
		input = scan
	} else if sel.Where != nil {
		f, err := bindBool(sel.Where, s, "WHERE")
		if err != nil {
			return nil, err
		}
		input = &filterValues{Values: Values{Rows: [][]Expr{{}}}, Filter: f}
	}
	p := &Project{Input: input}
	for _, se := range sel.Exprs {
		if se.Star {
			if s.table == nil {
				return nil, pgerror.New(pgerror.CodeSyntaxError, "SELECT * with no tables specified is not valid").WithPosition(se.Pos)
			}
			if q, ok := se.Expr.(*ast.ColumnRef); ok && q.Table != s.name {
				return nil, pgerror.New(pgerror.CodeUndefinedTable, "missing FROM-clause entry for table \"%s\"", q.Table).WithPosition(q.Pos)
			}
			for i := range s.table.Columns {
				c := &s.table.Columns[i]
				if c.Hidden {
					continue
				}
				p.Exprs = append(p.Exprs, &ColRef{Ordinal: i, Name: c.Name, Typ: c.Type})
				p.Cols = append(p.Cols, Column{Name: c.Name, Typ: c.Type, TableID: s.table.ID, ColumnID: c.ID})
			}
			continue
		}
		e, err := bindExpr(se.Expr, s, nil)
		if err != nil {
			return nil, err
		}
		col := Column{Name: "?column?", Typ: e.ResultType()}
		if col.Typ.Family == types.UnknownFamily {
			// PostgreSQL resolves an output of unknown type as text.
			col.Typ = types.Text
			if k, ok := e.(*Const); ok {
				e = &Const{D: k.D, Typ: types.Text}
			}
		}
		switch x := se.Expr.(type) {
		case *ast.ColumnRef:
			col.Name = x.Name
			if cr, ok := e.(*ColRef); ok {
				col.TableID, col.ColumnID = s.table.ID, s.table.Columns[cr.Ordinal].ID
			}
		case *ast.CastExpr:
			col.Name = typname(col.Typ)
		}
		if se.Alias != "" {
			col.Name = se.Alias
		}
		p.Exprs = append(p.Exprs, e)
		p.Cols = append(p.Cols, col)
	}
	return p, nil
}

// filterValues is Values with a filter: SELECT … WHERE without FROM.
type filterValues struct {
	Values
	Filter Expr
}

// FilteredValues returns the rows and filter of a Values node that may
// carry a WHERE (SELECT without FROM); filter is nil for plain Values.
func FilteredValues(n Node) (*Values, Expr, bool) {
	switch v := n.(type) {
	case *Values:
		return v, nil, true
	case *filterValues:
		return &v.Values, v.Filter, true
	}
	return nil, nil, false
}

func buildInsert(ctx context.Context, r Resolver, ins *ast.Insert) (Node, error) {
	t, err := resolve(ctx, r, ins.Table)
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
	node := &Insert{Table: t}
	empty := &scope{}
	for _, row := range ins.Rows {
		out := make([]Expr, len(t.Columns))
		for i, e := range row {
			ord := targets[i]
			b, err := bindAssign(e, empty, &t.Columns[ord])
			if err != nil {
				return nil, err
			}
			out[ord] = b
		}
		node.Rows = append(node.Rows, out)
	}
	return node, nil
}

func buildUpdate(ctx context.Context, r Resolver, up *ast.Update) (Node, error) {
	s, err := tableScope(ctx, r, up.Table)
	if err != nil {
		return nil, err
	}
	t := s.table
	node := &Update{Table: t}
	seen := map[int]bool{}
	for _, set := range up.Set {
		ord := t.FindColumn(set.Column.Name)
		if ord < 0 {
			return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", set.Column.Name, t.Name).
				WithPosition(set.Column.Pos)
		}
		if seen[ord] {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "multiple assignments to same column \"%s\"", set.Column.Name).
				WithPosition(set.Column.Pos)
		}
		seen[ord] = true
		e, err := bindAssign(set.Expr, s, &t.Columns[ord])
		if err != nil {
			return nil, err
		}
		node.Sets = append(node.Sets, SetExpr{Ordinal: ord, Expr: e})
		if t.IsKeyColumn(ord) {
			node.KeyChanged = true
		}
	}
	if node.Input, err = buildScan(s, up.Where); err != nil {
		return nil, err
	}
	return node, nil
}

func buildDelete(ctx context.Context, r Resolver, del *ast.Delete) (Node, error) {
	s, err := tableScope(ctx, r, del.Table)
	if err != nil {
		return nil, err
	}
	scan, err := buildScan(s, del.Where)
	if err != nil {
		return nil, err
	}
	return &Delete{Table: s.table, Input: scan}, nil
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
		t.Columns = append(t.Columns, catalog.Column{ID: t.NextColumnID, Name: cd.Name, Type: typ, Nullable: !cd.NotNull})
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
