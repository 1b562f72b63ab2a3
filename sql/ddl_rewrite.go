package sql

import (
	"context"
	"errors"
	"slices"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/parser"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// This file runs the ALTER TABLE subcommands that rewrite the table:
// ADD PRIMARY KEY on a table created without one (keyed by the hidden
// rowid) and ALTER COLUMN … TYPE. Rows are stored under their primary
// key, and index entries carry it, so a rewrite moves every row, in the
// statement's transaction, to a new primary index (converting the
// columns whose type changes), builds every secondary index again under
// a new id, and clears the old spans after the commit. The table's
// schema lock keeps writers of the old layout from committing meanwhile.
// As in PostgreSQL, the rewritten rows are then checked against the
// table's NOT NULL, CHECK and FOREIGN KEY constraints.

// tableRewrite is what the subcommands leave for the rewrite phase.
type tableRewrite struct {
	old *catalog.TableDescriptor // the table as its rows are stored
	// convs are the columns (by id) whose values are computed, by an
	// expression over the stored row.
	convs map[catalog.ColumnID]plan.Expr
	// inbound are the foreign keys of other tables to check again.
	inbound []catalog.InboundFK
}

// startRewrite makes st's table rewrite: every index gets a new id.
func (s *Session) startRewrite(ctx context.Context, st *alterState) error {
	if st.rewrite != nil {
		return nil
	}
	t := st.t
	st.rewrite = &tableRewrite{old: cloneTable(t), convs: map[catalog.ColumnID]plan.Expr{}}
	st.dropped = append(st.dropped, t.PrimaryIndex)
	if err := catalog.RenumberIndex(ctx, s.txn, t, &t.PrimaryIndex); err != nil {
		return err
	}
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

func (s *Session) alterAddPrimaryKey(ctx context.Context, st *alterState, u ast.UniqueConstraint) error {
	t := st.t
	if !t.PrimaryKeyHidden() {
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
	name := u.Name
	if name == "" {
		if name, err = s.chooseRelationName(ctx, t.Name, "", "pkey"); err != nil {
			return err
		}
	}
	if slices.Contains(st.chosen, name) || t.HasConstraint(name) {
		return pgerror.New(codeDuplicateObject, "constraint \"%s\" for relation \"%s\" already exists", name, t.Name)
	}
	if err := s.startRewrite(ctx, st); err != nil {
		return err
	}
	rowid := t.PrimaryIndex.ColumnIDs[0]
	t.PrimaryIndex = catalog.Index{ID: t.NextIndexID, Name: name, ColumnIDs: ids, Directions: dirs, Unique: true, Constraint: true}
	t.NextIndexID++
	if err := s.registerIndexName(ctx, t, &t.PrimaryIndex); err != nil { // ddl_index.go
		return err
	}
	st.chosen = append(st.chosen, name)
	for _, id := range ids {
		if o := t.ColumnOrdinal(id); o >= 0 {
			t.Columns[o].Nullable = false
			st.notNull = append(st.notNull, id)
		}
	}
	if o := t.ColumnOrdinal(rowid); o >= 0 {
		t.Columns = slices.Delete(t.Columns, o, o+1)
	}
	return nil
}

func (s *Session) alterColumnType(ctx context.Context, st *alterState, c ast.AlterTableCmd) error {
	t := st.t
	ord := findVisibleColumn(t, c.Name)
	if ord < 0 {
		return pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c.Name, t.Name)
	}
	to, err := plan.ResolveType(c.Column.Type)
	if err != nil {
		return withoutPosition(err) // PostgreSQL reports none here
	}
	col := t.Columns[ord]
	if len(t.DependedOnBy) > 0 {
		return pgerror.Unsupported("ALTER TABLE ALTER COLUMN … TYPE of a table that views depend on")
	}
	if col.Computed != "" {
		return pgerror.Unsupported("ALTER COLUMN … TYPE of a generated column")
	}
	readers, byIndex, err := s.generatedReaders(ctx, t, ord) // ddl_index_expr.go
	if err != nil {
		return err
	}
	if len(readers) > 0 {
		return pgerror.New(pgerror.CodeFeatureNotSupported, "cannot alter type of a column used by a generated column").
			WithDetail("Column \"%s\" is used by generated column \"%s\".", col.Name, readers[0])
	}
	if byIndex {
		return pgerror.Unsupported("ALTER COLUMN … TYPE of a column an expression index reads")
	}
	if err := s.startRewrite(ctx, st); err != nil {
		return err
	}
	old := st.rewrite.old
	oldOrd := old.ColumnOrdinal(col.ID)
	if oldOrd < 0 {
		return pgerror.Unsupported("ALTER COLUMN … TYPE of a column added by the same statement")
	}
	// A second change of the same column converts the stored value
	// again, the last type winning.
	conv, err := plan.BindAlterType(ctx, &resolver{s: s}, old, oldOrd, c.Using, to)
	if err != nil {
		return withoutPosition(err)
	}
	// The foreign keys over the column are checked again; their key
	// encodings must stay comparable.
	for _, fk := range t.ForeignKeys {
		if slices.Contains(fk.ColumnIDs, col.ID) {
			if err := fkTypeKept(col, to, fk.Name); err != nil {
				return err
			}
			st.newFKs = append(st.newFKs, fk.Name)
		}
	}
	for _, in := range t.InboundFKs {
		fk := s.inboundFK(ctx, t, in) // ddl_fk.go
		if fk != nil && slices.Contains(fk.RefColumnIDs, col.ID) {
			if err := fkTypeKept(col, to, fk.Name); err != nil {
				return err
			}
			st.rewrite.inbound = append(st.rewrite.inbound, in)
		}
	}
	t.Columns[ord].Type = to
	t.Columns[ord].Missing = nil // every rewritten row stores the column
	if col.Default != "" {
		e, err := parser.ParseExpr(col.Default)
		if err == nil {
			_, err = plan.BindDefault(ctx, &resolver{s: s}, t, ord, e)
		}
		if err != nil {
			return pgerror.New(pgerror.CodeDatatypeMismatch, "default for column \"%s\" cannot be cast automatically to type %s", col.Name, to)
		}
	}
	st.rewrite.convs[col.ID] = conv
	if !col.Nullable {
		st.notNull = append(st.notNull, col.ID)
	}
	for _, ck := range t.Checks {
		if !slices.Contains(st.newChecks, ck.Name) {
			st.newChecks = append(st.newChecks, ck.Name)
		}
	}
	return nil
}

// fkTypeKept refuses a column type change that would make a foreign
// key compare values of different kinds.
func fkTypeKept(col catalog.Column, to *types.T, name string) error {
	if col.Type.Family == to.Family {
		return nil
	}
	return pgerror.Unsupported("ALTER COLUMN … TYPE of column \"" + col.Name + "\" to another kind of type while foreign key \"" + name + "\" uses it")
}

// rewriteTable moves every row of the table to its new primary index
// (after the descriptor is written).
func (s *Session) rewriteTable(ctx context.Context, ec *exec.Context, st *alterState) error {
	if st.rewrite == nil {
		return nil
	}
	var convs []exec.Conversion
	for id, e := range st.rewrite.convs {
		if o := st.t.ColumnOrdinal(id); o >= 0 {
			convs = append(convs, exec.Conversion{Ordinal: o, Expr: e})
		}
	}
	return exec.RewriteTable(ctx, ec, st.rewrite.old, st.t, convs)
}

// recheckInbound checks again, after a rewrite, the foreign keys of
// other tables that reference a converted column.
func (s *Session) recheckInbound(ctx context.Context, ec *exec.Context, st *alterState) error {
	if st.rewrite == nil {
		return nil
	}
	for _, in := range st.rewrite.inbound {
		child := st.t
		if in.TableID != st.t.ID {
			rel, err := catalog.GetRelation(ctx, s.txn, in.TableID)
			if err != nil {
				return err
			}
			if rel.Table == nil {
				continue
			}
			child = rel.Table
		}
		if err := s.validateForeignKey(ctx, ec, child, in.Name); err != nil { // ddl_fk.go
			return err
		}
	}
	return nil
}

// withoutPosition drops the error position of a *pgerror.Error.
func withoutPosition(err error) error {
	var pe *pgerror.Error
	if errors.As(err, &pe) && pe.Position != 0 {
		c := *pe
		c.Position = 0
		return &c
	}
	return err
}

// alterAddIdentity runs ALTER COLUMN … ADD GENERATED … AS IDENTITY (what
// pg_dump writes for an identity column): the column must be NOT NULL,
// of an integer type, without a default or identity; its sequence is
// created (named by SEQUENCE NAME, else <table>_<column>_seq) and owned
// by it.
func (s *Session) alterAddIdentity(ctx context.Context, st *alterState, c ast.AlterTableCmd) error {
	t := st.t
	ord := findVisibleColumn(t, c.Name)
	if ord < 0 {
		return pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c.Name, t.Name)
	}
	col := &t.Columns[ord]
	switch {
	case col.Nullable:
		return pgerror.New("55000", "column \"%s\" of relation \"%s\" must be declared NOT NULL before identity can be added", c.Name, t.Name)
	case col.Identity != 0:
		return pgerror.New("55000", "column \"%s\" of relation \"%s\" is already an identity column", c.Name, t.Name)
	case col.Default != "":
		return pgerror.New("55000", "column \"%s\" of relation \"%s\" already has a default value", c.Name, t.Name)
	}
	if _, ok := seqTypeName(col.Type.SQLName()); !ok {
		return pgerror.New(pgerror.CodeInvalidParameterValue, "identity column type must be smallint, integer, or bigint")
	}
	col.Identity = c.Column.Identity
	ct := &ast.CreateTable{Table: ast.TableName{Name: t.Name}, Columns: []ast.ColumnDef{c.Column}}
	return s.createColumnSequences(ctx, ct, t) // ddl_sequence.go
}
