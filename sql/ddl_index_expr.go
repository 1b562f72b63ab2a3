package sql

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/parser"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
)

// This file makes expression indexes (CREATE INDEX … ((expr)) or
// (f(col))): each expression becomes a hidden column of the table whose
// value every write computes from the row (catalog.Column.Computed) and
// stores, and the index keys on that column like any other, so its
// entries are maintained, and a unique one enforced, by the row writer's
// ordinary path. The column's name cannot be typed (it starts with a NUL
// byte), so no query reads it, and the planner never reads the index.
// It goes with the last index that uses it, and with a column its
// expression reads.

// computedColumnPrefix starts the names of the hidden computed columns.
const computedColumnPrefix = "\x00expr"

// indexExprColumns replaces the expressions among cols by hidden
// computed columns it adds to t, returning the columns the index keys on
// and the new columns' ordinals (whose values existing rows need).
func (s *Session) indexExprColumns(ctx context.Context, t *catalog.TableDescriptor, cols []ast.IndexColumn) ([]ast.IndexColumn, []int, error) {
	out := slices.Clone(cols)
	var added []int
	for i, c := range cols {
		if c.Expr == nil {
			continue
		}
		x, err := plan.BindIndexExpression(ctx, &resolver{s: s}, t, c.Expr)
		if err != nil {
			return nil, nil, err
		}
		name := fmt.Sprintf("%s%d", computedColumnPrefix, t.NextColumnID)
		t.Columns = append(t.Columns, catalog.Column{
			ID: t.NextColumnID, Name: name, Type: x.ResultType(), Nullable: true, Hidden: true, Computed: c.ExprText,
		})
		t.NextColumnID++
		added = append(added, len(t.Columns)-1)
		out[i].Name, out[i].Expr = name, nil
	}
	return out, added, nil
}

// indexExprNames returns the names PostgreSQL's ChooseIndexColumnNames
// gives an index's columns: an expression's is its function's name, or
// "expr".
func indexExprNames(cols []ast.IndexColumn) []string {
	out := make([]string, len(cols))
	for i, c := range cols {
		out[i] = c.Name
		if c.Expr != nil {
			out[i] = "expr"
			if f, ok := c.Expr.(*ast.FuncExpr); ok {
				out[i] = f.Name
			}
		}
	}
	return out
}

// computedUsing returns the hidden computed columns of t whose
// expression reads the column at ord.
func (s *Session) computedUsing(ctx context.Context, t *catalog.TableDescriptor, ord int) ([]catalog.ColumnID, error) {
	var out []catalog.ColumnID
	for _, c := range t.Columns {
		if c.Computed == "" {
			continue
		}
		e, err := parser.ParseExpr(c.Computed)
		if err != nil {
			return nil, err
		}
		x, err := plan.BindIndexExpression(ctx, &resolver{s: s}, t, e)
		if err != nil {
			return nil, err
		}
		reads := false
		plan.Walk(x, func(e plan.Expr) bool {
			if r, ok := e.(*plan.ColRef); ok && r.Ordinal == ord {
				reads = true
			}
			return !reads
		})
		if reads {
			out = append(out, c.ID)
		}
	}
	return out, nil
}

// dropUnusedComputed removes the hidden computed columns of t no index
// keys on any more.
func dropUnusedComputed(t *catalog.TableDescriptor) {
	t.Columns = slices.DeleteFunc(t.Columns, func(c catalog.Column) bool {
		if c.Computed == "" || !c.Hidden {
			return false
		}
		for _, idx := range t.Indexes {
			if slices.Contains(idx.ColumnIDs, c.ID) {
				return false
			}
		}
		return true
	})
}

// dropGeneratedDependents checks DROP COLUMN of t's column at ord
// against the computed columns gone that read it: a generated (visible)
// one fails the drop (2BP01) or, with CASCADE, goes too (NOTICE).
func (s *Session) dropGeneratedDependents(t *catalog.TableDescriptor, ord int, gone []catalog.ColumnID, cascade bool) error {
	var deps []string
	for _, id := range gone {
		if c := t.Columns[t.ColumnOrdinal(id)]; !c.Hidden {
			deps = append(deps, "column "+c.Name+" of table "+t.Name)
		}
	}
	if len(deps) == 0 {
		return nil
	}
	name := t.Columns[ord].Name
	if !cascade {
		details := make([]string, len(deps))
		for i, d := range deps {
			details[i] = d + " depends on column " + name + " of table " + t.Name
		}
		return pgerror.New(pgerror.CodeDependentObjectsStillExist, "cannot drop column %s of table %s because other objects depend on it", name, t.Name).
			WithDetail("%s", strings.Join(details, "\n")).
			WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	s.cascadeNotice(deps) // ddl_fk.go
	return nil
}

// generatedReaders returns the names of t's generated columns whose
// expression reads the column at ord, and whether an expression index
// does.
func (s *Session) generatedReaders(ctx context.Context, t *catalog.TableDescriptor, ord int) ([]string, bool, error) {
	ids, err := s.computedUsing(ctx, t, ord)
	if err != nil {
		return nil, false, err
	}
	var names []string
	hidden := false
	for _, id := range ids {
		c := t.Columns[t.ColumnOrdinal(id)]
		if c.Hidden {
			hidden = true
		} else {
			names = append(names, c.Name)
		}
	}
	return names, hidden, nil
}
