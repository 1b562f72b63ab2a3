package sql

import (
	"context"
	"slices"
	"strings"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// This file adds and removes FOREIGN KEY constraints (CREATE TABLE,
// ALTER TABLE … ADD/DROP CONSTRAINT, DROP TABLE, DROP COLUMN, TRUNCATE),
// with PostgreSQL 15's names, checks and messages
// (ATAddForeignKeyConstraint). The constraint lives in the referencing
// table's descriptor (catalog.ForeignKey); the referenced table lists it
// in its InboundFKs, so the descriptors of both change, each under its
// schema lock: a writer of either that planned with the older
// descriptor cannot commit. The rows are checked by sql/exec (fk.go).

// codeInvalidForeignKey is PostgreSQL's invalid_foreign_key.
const codeInvalidForeignKey = "42830"

// WriteTarget finds and binds a table foreign keys connect to
// (exec.TableResolver); nil when it does not exist.
func (r *resolver) WriteTarget(ctx context.Context, id uint64) (*plan.WriteTarget, error) {
	rel, err := catalog.GetRelation(ctx, r.s.txn, id)
	if err != nil || rel.Table == nil {
		return nil, err
	}
	return plan.BindWriteTarget(ctx, r, rel.Table)
}

// fkColumns resolves the names of a foreign key's columns in t.
func fkColumns(t *catalog.TableDescriptor, names []string) ([]catalog.ColumnID, error) {
	ids := make([]catalog.ColumnID, len(names))
	for i, n := range names {
		ord := findVisibleColumn(t, n)
		if ord < 0 {
			return nil, pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" referenced in foreign key constraint does not exist", n)
		}
		ids[i] = t.Columns[ord].ID
	}
	return ids, nil
}

// addForeignKey adds fk to t (whose descriptor the caller writes) and
// registers it in the referenced table: t itself for a self-reference,
// else a table whose descriptor is written here. chosen collects the
// constraint names the statement gave. It returns the new constraint.
func (s *Session) addForeignKey(ctx context.Context, t *catalog.TableDescriptor, c ast.ForeignKeyConstraint, chosen *[]string) (*catalog.ForeignKey, *catalog.TableDescriptor, error) {
	parent := t
	if c.RefTable.Name != t.Name || (c.RefTable.Schema != "" && c.RefTable.Schema != "public") {
		if err := checkSchema(c.RefTable); err != nil {
			return nil, nil, err
		}
		rel, err := s.lookupRelation(ctx, c.RefTable)
		if err != nil {
			return nil, nil, err
		}
		switch {
		case rel.View != nil:
			return nil, nil, pgerror.New(pgerror.CodeWrongObjectType, "referenced relation \"%s\" is not a table", c.RefTable.Name)
		case rel.Table == nil:
			return nil, nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", c.RefTable.Name)
		}
		parent = rel.Table
	}
	name := c.Name
	if name == "" {
		var err error
		if name, err = s.chooseConstraintName(ctx, t, t.Name, strings.Join(c.Columns, "_"), "fkey", *chosen); err != nil {
			return nil, nil, err
		}
	} else if slices.Contains(*chosen, name) || t.HasConstraint(name) {
		return nil, nil, pgerror.New(codeDuplicateObject, "constraint \"%s\" for relation \"%s\" already exists", name, t.Name)
	}
	cols, err := fkColumns(t, c.Columns)
	if err != nil {
		return nil, nil, err
	}
	var refCols []catalog.ColumnID
	if len(c.RefColumns) == 0 {
		if parent.PrimaryKeyHidden() {
			return nil, nil, pgerror.New(codeInvalidForeignKey, "there is no primary key for referenced table \"%s\"", parent.Name)
		}
		refCols = slices.Clone(parent.PrimaryIndex.ColumnIDs)
	} else {
		if refCols, err = fkColumns(parent, c.RefColumns); err != nil {
			return nil, nil, err
		}
		for i, id := range refCols {
			if slices.Contains(refCols[:i], id) {
				return nil, nil, pgerror.New(codeInvalidForeignKey, "foreign key referenced-columns list must not contain duplicates")
			}
		}
		if parent.ReferencedIndex(refCols) == nil {
			return nil, nil, pgerror.New(codeInvalidForeignKey, "there is no unique constraint matching given keys for referenced table \"%s\"", parent.Name)
		}
	}
	if len(cols) != len(refCols) {
		return nil, nil, pgerror.New(codeInvalidForeignKey, "number of referencing and referenced columns for foreign key disagree")
	}
	for i := range cols {
		ct := t.Columns[t.ColumnOrdinal(cols[i])]
		pt := parent.Columns[parent.ColumnOrdinal(refCols[i])]
		if ct.Type.Family == pt.Type.Family {
			continue
		}
		if _, _, implicit := types.CastAllowed(ct.Type, pt.Type); implicit {
			return nil, nil, pgerror.Unsupported("foreign keys between columns of types " + ct.Type.String() + " and " + pt.Type.String())
		}
		return nil, nil, pgerror.New(pgerror.CodeDatatypeMismatch, "foreign key constraint \"%s\" cannot be implemented", name).
			WithDetail("Key columns \"%s\" and \"%s\" are of incompatible types: %s and %s.", ct.Name, pt.Name, ct.Type, pt.Type)
	}
	fk := catalog.ForeignKey{
		Name: name, ColumnIDs: cols, RefTableID: parent.ID, RefColumnIDs: refCols,
		OnDelete: catalog.FKAction(c.OnDelete), OnUpdate: catalog.FKAction(c.OnUpdate),
		MatchFull: c.MatchFull, NotValid: c.NotValid,
		Deferrable: c.Deferrable, InitiallyDeferred: c.InitiallyDeferred,
	}
	t.ForeignKeys = append(t.ForeignKeys, fk)
	*chosen = append(*chosen, name)
	parent.InboundFKs = append(parent.InboundFKs, catalog.InboundFK{TableID: t.ID, Name: name})
	if parent != t {
		if err := s.writeReferenced(ctx, parent); err != nil {
			return nil, nil, err
		}
	}
	return &t.ForeignKeys[len(t.ForeignKeys)-1], parent, nil
}

// writeReferenced writes the descriptor of a table whose inbound
// references changed, under its schema lock.
func (s *Session) writeReferenced(ctx context.Context, t *catalog.TableDescriptor) error {
	if err := catalog.LockForSchemaChange(s.txn, t.ID); err != nil {
		return err
	}
	return catalog.WriteTable(ctx, s.txn, t)
}

// createTableForeignKeys adds CREATE TABLE's foreign keys to desc (whose
// indexes exist: a self-reference may name its UNIQUE columns) and
// writes it.
func (s *Session) createTableForeignKeys(ctx context.Context, ct *ast.CreateTable, desc *catalog.TableDescriptor) error {
	if len(ct.ForeignKeys) == 0 {
		return nil
	}
	chosen := []string{}
	for _, c := range ct.ForeignKeys {
		if _, _, err := s.addForeignKey(ctx, desc, c, &chosen); err != nil {
			return err
		}
	}
	return catalog.WriteTable(ctx, s.txn, desc)
}

// removeForeignKey drops child's constraint at i (child's descriptor is
// the caller's to write) and its entry in the referenced table, which is
// written here unless it is child itself or one of skip (being dropped).
func (s *Session) removeForeignKey(ctx context.Context, child *catalog.TableDescriptor, i int, skip map[uint64]bool) error {
	fk := child.ForeignKeys[i]
	child.ForeignKeys = slices.Delete(child.ForeignKeys, i, i+1)
	if fk.RefTableID == child.ID {
		if j := child.FindInboundFK(child.ID, fk.Name); j >= 0 {
			child.InboundFKs = slices.Delete(child.InboundFKs, j, j+1)
		}
		return nil
	}
	if skip[fk.RefTableID] {
		return nil
	}
	rel, err := catalog.GetRelation(ctx, s.txn, fk.RefTableID)
	if err != nil || rel.Table == nil {
		return err
	}
	parent := rel.Table
	if j := parent.FindInboundFK(child.ID, fk.Name); j >= 0 {
		parent.InboundFKs = slices.Delete(parent.InboundFKs, j, j+1)
		return s.writeReferenced(ctx, parent)
	}
	return nil
}

// dropInbound drops, from the tables that hold them, the inbound
// references of t that keep (by table id and name) selects, writing
// those tables.
func (s *Session) dropInbound(ctx context.Context, t *catalog.TableDescriptor, keep func(catalog.InboundFK) bool) error {
	var left []catalog.InboundFK
	for _, in := range t.InboundFKs {
		if !keep(in) {
			left = append(left, in)
			continue
		}
		if in.TableID == t.ID {
			if i := t.FindForeignKey(in.Name); i >= 0 {
				t.ForeignKeys = slices.Delete(t.ForeignKeys, i, i+1)
			}
			continue
		}
		rel, err := catalog.GetRelation(ctx, s.txn, in.TableID)
		if err != nil {
			return err
		}
		if rel.Table == nil {
			continue
		}
		if i := rel.Table.FindForeignKey(in.Name); i >= 0 {
			rel.Table.ForeignKeys = slices.Delete(rel.Table.ForeignKeys, i, i+1)
			if err := s.writeReferenced(ctx, rel.Table); err != nil {
				return err
			}
		}
	}
	t.InboundFKs = left
	return nil
}

// fkDependents describes the inbound references of t that keep selects
// as PostgreSQL's dependency messages do ("constraint c_fkey on table
// c").
func (s *Session) fkDependents(ctx context.Context, t *catalog.TableDescriptor, keep func(catalog.InboundFK) bool) ([]string, error) {
	var out []string
	for _, in := range t.InboundFKs {
		if !keep(in) {
			continue
		}
		name := t.Name
		if in.TableID != t.ID {
			rel, err := catalog.GetRelation(ctx, s.txn, in.TableID)
			if err != nil {
				return nil, err
			}
			if rel.Table == nil {
				continue
			}
			name = rel.Table.Name
		}
		out = append(out, "constraint "+in.Name+" on table "+name)
	}
	return out, nil
}

// dropTablesForeignKeys runs before DROP TABLE drops rels: the
// constraints of other tables that reference one of them fail the drop
// (2BP01) or, with CASCADE, are dropped (with PostgreSQL's NOTICE); the
// constraints the dropped tables hold leave their referenced tables.
func (s *Session) dropTablesForeignKeys(ctx context.Context, rels []catalog.Relation, cascade bool) error {
	dropping := map[uint64]bool{}
	for _, r := range rels {
		if r.Table != nil {
			dropping[r.Table.ID] = true
		}
	}
	outside := func(in catalog.InboundFK) bool { return !dropping[in.TableID] }
	for _, r := range rels {
		t := r.Table
		if t == nil {
			continue
		}
		deps, err := s.fkDependents(ctx, t, outside)
		if err != nil {
			return err
		}
		if len(deps) > 0 {
			details := make([]string, len(deps))
			for i, d := range deps {
				details[i] = d + " depends on table " + t.Name
			}
			if !cascade {
				// The views that depend on it are listed too (ddl_view.go
				// would refuse them alone).
				for _, id := range t.DependedOnBy {
					rel, err := catalog.GetRelation(ctx, s.txn, id)
					if err != nil {
						return err
					}
					if rel.Exists() && !dropping[id] {
						details = append(details, rel.Kind()+" "+rel.Name()+" depends on table "+t.Name)
					}
				}
				return pgerror.New(pgerror.CodeDependentObjectsStillExist, "cannot drop table %s because other objects depend on it", t.Name).
					WithDetail("%s", strings.Join(details, "\n")).
					WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
			}
			s.cascadeNotice(deps)
			if err := s.dropInbound(ctx, t, outside); err != nil {
				return err
			}
		}
		for len(t.ForeignKeys) > 0 {
			if err := s.removeForeignKey(ctx, t, 0, dropping); err != nil {
				return err
			}
		}
	}
	return nil
}

// cascadeNotice sends PostgreSQL's NOTICE for objects a CASCADE drops.
func (s *Session) cascadeNotice(deps []string) {
	if len(deps) == 1 {
		s.queueNotice("00000", "drop cascades to %s", deps[0])
		return
	}
	lines := make([]string, len(deps))
	for i, d := range deps {
		lines[i] = "drop cascades to " + d
	}
	s.queueNoticeDetail("00000", strings.Join(lines, "\n"), "drop cascades to %d other objects", len(deps))
}

// dropIndexForeignKeys runs before an index of t is dropped (DROP
// CONSTRAINT, DROP COLUMN): the inbound references that rely on it fail
// the drop, or go with CASCADE. what names the object dropped in the
// error ("constraint p_key on table p", "column c of table p"), on what
// the constraints depend on in its DETAIL ("index p_key", "column c of
// table p").
func (s *Session) dropIndexForeignKeys(ctx context.Context, t *catalog.TableDescriptor, idx *catalog.Index, what, on string, cascade bool) error {
	relies := func(in catalog.InboundFK) bool {
		fk := s.inboundFK(ctx, t, in)
		return fk != nil && t.ReferencedIndex(fk.RefColumnIDs) == idx
	}
	deps, err := s.fkDependents(ctx, t, relies)
	if err != nil || len(deps) == 0 {
		return err
	}
	if !cascade {
		details := make([]string, len(deps))
		for i, d := range deps {
			details[i] = d + " depends on " + on
		}
		return pgerror.New(pgerror.CodeDependentObjectsStillExist, "cannot drop %s because other objects depend on it", what).
			WithDetail("%s", strings.Join(details, "\n")).
			WithHint("Use DROP ... CASCADE to drop the dependent objects too.")
	}
	s.cascadeNotice(deps)
	return s.dropInbound(ctx, t, relies)
}

// inboundFK returns the constraint an inbound reference of t names (nil
// if it is gone).
func (s *Session) inboundFK(ctx context.Context, t *catalog.TableDescriptor, in catalog.InboundFK) *catalog.ForeignKey {
	child := t
	if in.TableID != t.ID {
		rel, err := catalog.GetRelation(ctx, s.txn, in.TableID)
		if err != nil || rel.Table == nil {
			return nil
		}
		child = rel.Table
	}
	if i := child.FindForeignKey(in.Name); i >= 0 {
		return &child.ForeignKeys[i]
	}
	return nil
}

// dropColumnForeignKeys drops the constraints of t that use the column
// id (as PostgreSQL does, silently).
func (s *Session) dropColumnForeignKeys(ctx context.Context, t *catalog.TableDescriptor, id catalog.ColumnID) error {
	for i := 0; i < len(t.ForeignKeys); {
		if slices.Contains(t.ForeignKeys[i].ColumnIDs, id) {
			if err := s.removeForeignKey(ctx, t, i, nil); err != nil {
				return err
			}
			continue
		}
		i++
	}
	return nil
}

// truncateForeignKeys checks TRUNCATE's tables: one referenced by a
// table not truncated fails (0A000) or, with CASCADE, adds it (NOTICE
// "truncate cascades to table …"), transitively. It returns the tables
// to truncate.
func (s *Session) truncateForeignKeys(ctx context.Context, tables []*catalog.TableDescriptor, cascade bool) ([]*catalog.TableDescriptor, error) {
	in := map[uint64]bool{}
	for _, t := range tables {
		in[t.ID] = true
	}
	for i := 0; i < len(tables); i++ {
		t := tables[i]
		for _, ref := range t.InboundFKs {
			if in[ref.TableID] {
				continue
			}
			rel, err := catalog.GetRelation(ctx, s.txn, ref.TableID)
			if err != nil {
				return nil, err
			}
			if rel.Table == nil {
				continue
			}
			if !cascade {
				return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "cannot truncate a table referenced in a foreign key constraint").
					WithDetail("Table \"%s\" references \"%s\".", rel.Table.Name, t.Name).
					WithHint("Truncate table \"%s\" at the same time, or use TRUNCATE ... CASCADE.", rel.Table.Name)
			}
			s.queueNotice("00000", "truncate cascades to table \"%s\"", rel.Table.Name)
			in[ref.TableID] = true
			tables = append(tables, rel.Table)
		}
	}
	return tables, nil
}

// validateForeignKey checks t's existing rows against a constraint ALTER
// TABLE adds (unless NOT VALID).
func (s *Session) validateForeignKey(ctx context.Context, ec *exec.Context, t *catalog.TableDescriptor, name string) error {
	i := t.FindForeignKey(name)
	if i < 0 || t.ForeignKeys[i].NotValid {
		return nil
	}
	fk := &t.ForeignKeys[i]
	parent := t
	if fk.RefTableID != t.ID {
		rel, err := catalog.GetRelation(ctx, s.txn, fk.RefTableID)
		if err != nil {
			return err
		}
		if rel.Table == nil {
			return nil
		}
		parent = rel.Table
	}
	return exec.ValidateForeignKey(ctx, ec, t, fk, parent)
}

// renameForeignKey renames t's constraint at i, in the referenced
// table's inbound references too.
func (s *Session) renameForeignKey(ctx context.Context, t *catalog.TableDescriptor, i int, name string) error {
	fk := &t.ForeignKeys[i]
	old := fk.Name
	fk.Name = name
	if fk.RefTableID == t.ID {
		if j := t.FindInboundFK(t.ID, old); j >= 0 {
			t.InboundFKs[j].Name = name
		}
		return nil
	}
	rel, err := catalog.GetRelation(ctx, s.txn, fk.RefTableID)
	if err != nil || rel.Table == nil {
		return err
	}
	if j := rel.Table.FindInboundFK(t.ID, old); j >= 0 {
		rel.Table.InboundFKs[j].Name = name
		return s.writeReferenced(ctx, rel.Table)
	}
	return nil
}

// validateConstraint runs ALTER TABLE … VALIDATE CONSTRAINT: a foreign
// key added NOT VALID is checked against every row (after the
// subcommands, as a new one is) and becomes valid; a valid one or a
// CHECK (never NOT VALID here) is left as it is.
func (s *Session) validateConstraint(st *alterState, name string) error {
	t := st.t
	if i := t.FindForeignKey(name); i >= 0 {
		if t.ForeignKeys[i].NotValid {
			t.ForeignKeys[i].NotValid = false
			st.newFKs = append(st.newFKs, name)
		}
		return nil
	}
	if t.FindCheck(name) >= 0 {
		return nil
	}
	if t.HasConstraint(name) {
		return pgerror.New(pgerror.CodeWrongObjectType, "constraint \"%s\" of relation \"%s\" is not a foreign key or check constraint", name, t.Name)
	}
	return pgerror.New(pgerror.CodeUndefinedObject, "constraint \"%s\" of relation \"%s\" does not exist", name, t.Name)
}
