package sql

import (
	"context"
	"slices"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file runs ALTER TABLE … ADD PRIMARY KEY on a table created
// without one, whose rows are keyed by the hidden rowid. As PostgreSQL,
// the key's columns become NOT NULL (checked on the existing rows,
// 23502) and must be unique (23505 "could not create unique index").
// Rows are stored under their primary key, so the table is rewritten in
// the statement's transaction: every row moves to a new primary index
// keyed by the new columns, every secondary index is rebuilt under a new
// id (its entries carry the primary key), the rowid column goes, and the
// old spans are cleared after the commit. The table's schema lock keeps
// writers of the old layout from committing meanwhile.

// pkRewrite is what an ADD PRIMARY KEY leaves for the rewrite phase.
type pkRewrite struct {
	old *catalog.TableDescriptor // the table as its rows are stored
}

func (s *Session) alterAddPrimaryKey(ctx context.Context, st *alterState, u ast.UniqueConstraint) error {
	t := st.t
	if !t.PrimaryKeyHidden() || st.pk != nil {
		return pgerror.New(pgerror.CodeInvalidTableDefinition, "multiple primary keys for table \"%s\" are not allowed", t.Name)
	}
	for _, c := range u.Columns {
		if findVisibleColumn(t, c.Name) < 0 {
			return pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c.Name, t.Name)
		}
	}
	ids, dirs, cols, err := indexColumns(t, u.Columns, "column \"%s\" named in key does not exist") // ddl_index.go
	if err != nil {
		return err
	}
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			return pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" appears twice in primary key constraint", cols[i]).
				WithPosition(u.Pos)
		}
	}
	old := cloneTable(t)
	name := u.Name
	if name == "" {
		if name, err = s.chooseRelationName(ctx, t.Name, "", "pkey"); err != nil {
			return err
		}
	}
	if slices.Contains(st.chosen, name) || t.HasConstraint(name) {
		return pgerror.New(codeDuplicateObject, "constraint \"%s\" for relation \"%s\" already exists", name, t.Name)
	}
	rowid := t.PrimaryIndex.ColumnIDs[0]
	t.PrimaryIndex = catalog.Index{ID: t.NextIndexID, Name: name, ColumnIDs: ids, Directions: dirs, Unique: true, Constraint: true}
	t.NextIndexID++
	if err := s.registerIndexName(ctx, t, &t.PrimaryIndex); err != nil { // ddl_index.go
		return err
	}
	st.chosen = append(st.chosen, name)
	// The secondary indexes move to new ids and are built again.
	for i := range t.Indexes {
		idx := &t.Indexes[i]
		if !slices.Contains(st.newIndexes, idx.ID) {
			st.dropped = append(st.dropped, *idx)
		}
		st.newIndexes = slices.DeleteFunc(st.newIndexes, func(id catalog.IndexID) bool { return id == idx.ID })
		if err := catalog.RenumberIndex(ctx, s.txn, t, idx); err != nil {
			return err
		}
		st.newIndexes = append(st.newIndexes, idx.ID)
	}
	st.dropped = append(st.dropped, old.PrimaryIndex)
	for _, id := range ids {
		if o := t.ColumnOrdinal(id); o >= 0 {
			t.Columns[o].Nullable = false
			st.notNull = append(st.notNull, id)
		}
	}
	if o := t.ColumnOrdinal(rowid); o >= 0 {
		t.Columns = slices.Delete(t.Columns, o, o+1)
	}
	st.pk = &pkRewrite{old: old}
	return nil
}

// cloneTable copies t deeply enough to keep its layout while t changes.
func cloneTable(t *catalog.TableDescriptor) *catalog.TableDescriptor {
	c := *t
	c.Columns = slices.Clone(t.Columns)
	c.Indexes = slices.Clone(t.Indexes)
	c.PrimaryIndex.ColumnIDs = slices.Clone(t.PrimaryIndex.ColumnIDs)
	return &c
}

// rewritePrimaryKey moves every row of the table to its new primary
// index (after the descriptor is written).
func (s *Session) rewritePrimaryKey(ctx context.Context, ec *exec.Context, st *alterState) error {
	if st.pk == nil {
		return nil
	}
	return exec.RewritePrimaryKey(ctx, ec, st.pk.old, st.t)
}
