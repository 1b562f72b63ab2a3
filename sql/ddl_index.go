package sql

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// This file runs CREATE INDEX, DROP INDEX, REINDEX and the UNIQUE
// constraints of CREATE TABLE, as PostgreSQL 15 does them (names, errors
// and SQLSTATEs). Each runs in the session's transaction: the new index's
// entries are backfilled from the transaction's snapshot, the table
// descriptor is rewritten with a new version, and every writer lock key of
// the table is locked (catalog.LockForSchemaChange), so any transaction
// that wrote rows of the table with the older descriptor and overlaps
// this one cannot also commit (DESIGN.md §7). A dropped index's entries
// are cleared with a ranged delete after the commit, as a dropped table's
// span is.

// maxIdentifierLength is PostgreSQL's NAMEDATALEN - 1.
const maxIdentifierLength = 63

// makeObjectName is PostgreSQL's makeObjectName: name1_name2_label,
// truncating the longer of name1 and name2 to fit maxIdentifierLength.
func makeObjectName(name1, name2, label string) string {
	overhead := 0
	if name2 != "" {
		overhead++
	}
	if label != "" {
		overhead += len(label) + 1
	}
	n1, n2 := len(name1), len(name2)
	for n1+n2 > maxIdentifierLength-overhead {
		if n1 > n2 {
			n1--
		} else {
			n2--
		}
	}
	name := clipUTF8(name1, n1)
	if name2 != "" {
		name += "_" + clipUTF8(name2, n2)
	}
	if label != "" {
		name += "_" + label
	}
	return name
}

// clipUTF8 cuts s to at most n bytes without splitting a character.
func clipUTF8(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && n < len(s) && s[n]&0xc0 == 0x80 {
		n--
	}
	return s[:n]
}

// indexNameAddition is PostgreSQL's ChooseIndexNameAddition: the column
// names joined by "_", cut once past maxIdentifierLength.
func indexNameAddition(cols []string) string {
	out := ""
	for i, c := range cols {
		if i > 0 {
			out += "_"
		}
		out += clipUTF8(c, maxIdentifierLength)
		if len(out) > maxIdentifierLength {
			break
		}
	}
	return out
}

// indexColumnNames is PostgreSQL's ChooseIndexColumnNames: a column
// named twice gets a number appended (a, a1).
func indexColumnNames(cols []string) []string {
	var out []string
	for _, c := range cols {
		name := c
		for i := 1; slices.Contains(out, name); i++ {
			suffix := fmt.Sprint(i)
			name = clipUTF8(c, maxIdentifierLength-len(suffix)) + suffix
		}
		out = append(out, name)
	}
	return out
}

// chooseRelationName is PostgreSQL's ChooseRelationName: name1_name2_label,
// then label1, label2… until no relation has the name.
func (s *Session) chooseRelationName(ctx context.Context, name1, name2, label string) (string, error) {
	mod := label
	for pass := 1; ; pass++ {
		name := makeObjectName(name1, name2, mod)
		taken, err := catalog.NameTaken(ctx, s.txn, s.db.ID, name)
		if err != nil {
			return "", err
		}
		if !taken {
			return name, nil
		}
		mod = fmt.Sprintf("%s%d", label, pass)
	}
}

// registerIndexName writes idx's name to the namespace: 42P07 when a
// relation has it.
func (s *Session) registerIndexName(ctx context.Context, t *catalog.TableDescriptor, idx *catalog.Index) error {
	if err := catalog.RegisterIndexName(ctx, s.txn, t, idx); err != nil {
		if errors.Is(err, catalog.ErrNameExists) {
			return pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", idx.Name)
		}
		return err
	}
	if s.createdNames == nil {
		s.createdNames = map[string]string{}
	}
	s.createdNames[string(kvpb.NamespaceKey(s.db.ID, idx.Name))] = idx.Name
	return nil
}

// indexColumns resolves an index's columns; missing is the message format
// of an unknown column (PostgreSQL words it differently for CREATE INDEX
// and for constraints).
func indexColumns(t *catalog.TableDescriptor, cols []ast.IndexColumn, missing string) ([]catalog.ColumnID, []catalog.Direction, []string, error) {
	var ids []catalog.ColumnID
	var dirs []catalog.Direction
	var names []string
	for _, c := range cols {
		ord := t.FindColumn(c.Name)
		if ord < 0 || (t.Columns[ord].Hidden && t.Columns[ord].Computed == "") {
			return nil, nil, nil, pgerror.New(pgerror.CodeUndefinedColumn, missing, c.Name).WithPosition(c.Pos)
		}
		if err := types.CheckKeyColumn(t.Columns[ord].Type, c.Name); err != nil {
			return nil, nil, nil, err
		}
		dir := catalog.Ascending
		if c.Desc {
			dir = catalog.Descending
		}
		// NULLS FIRST/LAST only orders an index scan's output, which
		// rangedb does not use for ORDER BY: accepted, not stored.
		ids = append(ids, t.Columns[ord].ID)
		dirs = append(dirs, dir)
		names = append(names, c.Name)
	}
	return ids, dirs, names, nil
}

// createTableIndexes registers the primary key's name and creates the
// UNIQUE constraints' indexes of a table CREATE TABLE just wrote (desc,
// in s.txn).
func (s *Session) createTableIndexes(ctx context.Context, ct *ast.CreateTable, desc *catalog.TableDescriptor) error {
	changed := false
	if !desc.PrimaryKeyHidden() {
		if ct.PrimaryKeyName == "" {
			name, err := s.chooseRelationName(ctx, desc.Name, "", "pkey")
			if err != nil {
				return err
			}
			changed = name != desc.PrimaryIndex.Name
			desc.PrimaryIndex.Name = name
		}
		desc.PrimaryIndex.Unique, desc.PrimaryIndex.Constraint = true, true
		if err := s.registerIndexName(ctx, desc, &desc.PrimaryIndex); err != nil {
			return err
		}
	}
	// As PostgreSQL's transformIndexConstraints: a UNIQUE constraint on
	// the primary key's columns, or on another's, adds nothing (its name
	// goes to an unnamed earlier one).
	type pending struct {
		name string
		ids  []catalog.ColumnID
		dirs []catalog.Direction
		cols []string
	}
	var list []*pending
	for _, u := range ct.Uniques {
		ids, dirs, cols, err := indexColumns(desc, u.Columns, "column \"%s\" named in key does not exist")
		if err != nil {
			return err
		}
		for i, id := range ids {
			if slices.Contains(ids[:i], id) {
				return pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" appears twice in unique constraint", cols[i]).
					WithPosition(u.Pos)
			}
		}
		if !desc.PrimaryKeyHidden() && slices.Equal(ids, desc.PrimaryIndex.ColumnIDs) {
			continue
		}
		dup := false
		for _, p := range list {
			if slices.Equal(p.ids, ids) && slices.Equal(p.dirs, dirs) {
				if p.name == "" {
					p.name = u.Name
				}
				dup = true
				break
			}
		}
		if !dup {
			list = append(list, &pending{name: u.Name, ids: ids, dirs: dirs, cols: cols})
		}
	}
	for _, p := range list {
		idx := catalog.Index{ID: desc.NextIndexID, Name: p.name, ColumnIDs: p.ids, Directions: p.dirs, Unique: true, Constraint: true}
		if idx.Name == "" {
			name, err := s.chooseRelationName(ctx, desc.Name, indexNameAddition(indexColumnNames(p.cols)), "key")
			if err != nil {
				return err
			}
			idx.Name = name
		}
		desc.NextIndexID++
		desc.Indexes = append(desc.Indexes, idx)
		if err := s.registerIndexName(ctx, desc, &desc.Indexes[len(desc.Indexes)-1]); err != nil {
			return err
		}
		changed = true
	}
	if !changed {
		return nil
	}
	return catalog.WriteTable(ctx, s.txn, desc)
}

func (s *Session) createIndex(ctx context.Context, ci *ast.CreateIndex) (string, error) {
	const tag = "CREATE INDEX"
	if ci.Concurrently {
		if err := s.refuseInBlock("CREATE INDEX CONCURRENTLY"); err != nil { // ddl_database.go
			return "", err
		}
	}
	if err := checkSchema(ci.Table); err != nil {
		return "", err
	}
	t, err := catalog.LookupTable(ctx, s.txn, s.db.ID, ci.Table.Name)
	if err != nil {
		return "", err
	}
	if t == nil {
		if v, err := catalog.LookupView(ctx, s.txn, s.db.ID, ci.Table.Name); err != nil || v != nil {
			if err != nil {
				return "", err
			}
			return "", pgerror.New(pgerror.CodeWrongObjectType, "cannot create index on relation \"%s\"", ci.Table.Name).
				WithDetail("This operation is not supported for views.")
		}
		return "", pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", ci.Table.Name)
	}
	if ci.Name != "" {
		taken, err := catalog.NameTaken(ctx, s.txn, s.db.ID, ci.Name)
		if err != nil {
			return "", err
		}
		if taken {
			if ci.IfNotExists {
				s.queueNotice(pgerror.CodeDuplicateTable, "relation \"%s\" already exists, skipping", ci.Name)
				return tag, nil
			}
			return "", pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", ci.Name)
		}
	}
	keyCols, added, err := s.indexExprColumns(ctx, t, ci.Columns) // ddl_index_expr.go
	if err != nil {
		return "", err
	}
	ids, dirs, _, err := indexColumns(t, keyCols, "column \"%s\" does not exist")
	if err != nil {
		return "", err
	}
	cols := indexExprNames(ci.Columns)
	idx := catalog.Index{ID: t.NextIndexID, Name: ci.Name, ColumnIDs: ids, Directions: dirs, Unique: ci.Unique}
	if idx.Opclasses, err = indexOpclasses(t, keyCols); err != nil { // ddl_index_opts.go
		return "", err
	}
	if idx.Include, err = includeColumns(t, ci.Include); err != nil {
		return "", err
	}
	var pred plan.Expr
	if ci.Where != nil {
		if pred, err = plan.BindIndexPredicate(ctx, &resolver{s: s}, t, ci.Where); err != nil {
			return "", err
		}
		idx.Predicate = ci.WhereText
	}
	if idx.Name == "" {
		if idx.Name, err = s.chooseRelationName(ctx, t.Name, indexNameAddition(indexColumnNames(cols)), "idx"); err != nil {
			return "", err
		}
	}
	t.NextIndexID++
	t.Indexes = append(t.Indexes, idx)
	if err := s.registerIndexName(ctx, t, &idx); err != nil {
		return "", err
	}
	if err := catalog.LockForSchemaChange(s.txn, t.ID); err != nil {
		return "", err
	}
	if err := catalog.WriteTable(ctx, s.txn, t); err != nil {
		return "", err
	}
	ec := s.execContext(nil)
	if len(added) > 0 {
		// The existing rows get the new computed columns' values.
		computed, err := plan.BindComputed(ctx, &resolver{s: s}, t)
		if err != nil {
			return "", err
		}
		preds, err := plan.BindIndexPredicates(ctx, &resolver{s: s}, t)
		if err != nil {
			return "", err
		}
		for _, c := range computed {
			if slices.Contains(added, c.Ordinal) {
				if err := exec.BackfillColumn(ctx, ec, t, c.Ordinal, c.Expr, []catalog.IndexID{idx.ID}, preds, computed); err != nil {
					return "", err
				}
			}
		}
	}
	if err := exec.BackfillIndex(ctx, ec, t, &t.Indexes[len(t.Indexes)-1], pred); err != nil {
		return "", err
	}
	return tag, nil
}

// lookupIndex finds the index name names: 42809 when it is a table's or
// a view's (with DROP's hint when drop is set), nil when absent.
func (s *Session) lookupIndex(ctx context.Context, name ast.TableName, drop bool) (*catalog.TableDescriptor, *catalog.Index, error) {
	if name.Schema != "" && name.Schema != "public" {
		return nil, nil, nil
	}
	t, idx, err := catalog.LookupIndex(ctx, s.txn, s.db.ID, name.Name)
	if err != nil || idx != nil {
		return t, idx, err
	}
	rel, err := catalog.LookupRelation(ctx, s.txn, s.db.ID, name.Name)
	if err != nil || !rel.Exists() {
		return nil, nil, err
	}
	e := pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not an index", name.Name)
	if drop {
		e = e.WithHint("Use DROP %s to remove a %s.", strings.ToUpper(rel.Kind()), rel.Kind())
	}
	return nil, nil, e
}

func (s *Session) dropIndex(ctx context.Context, di *ast.DropIndex) (string, error) {
	if di.Concurrently {
		if err := s.refuseInBlock("DROP INDEX CONCURRENTLY"); err != nil { // ddl_database.go
			return "", err
		}
	}
	for _, name := range di.Names {
		t, idx, err := s.lookupIndex(ctx, name, true)
		if err != nil {
			return "", err
		}
		if idx == nil {
			if di.IfExists {
				s.queueNotice("00000", "index \"%s\" does not exist, skipping", name.Name)
				continue
			}
			return "", pgerror.New(pgerror.CodeUndefinedObject, "index \"%s\" does not exist", name.Name)
		}
		if idx.Constraint || idx.ID == t.PrimaryIndex.ID {
			// Even with CASCADE: the index belongs to the constraint.
			return "", pgerror.New(pgerror.CodeDependentObjectsStillExist,
				"cannot drop index %s because constraint %s on table %s requires it", idx.Name, idx.Name, t.Name).
				WithHint("You can drop constraint %s on table %s instead.", idx.Name, t.Name)
		}
		what := "index " + idx.Name
		if err := s.dropIndexForeignKeys(ctx, t, idx, what, what, di.Cascade); err != nil { // ddl_fk.go
			return "", err
		}
		dropped := *idx
		if err := catalog.UnregisterIndexName(ctx, s.txn, t, idx); err != nil {
			return "", err
		}
		t.Indexes = slices.DeleteFunc(t.Indexes, func(x catalog.Index) bool { return x.ID == dropped.ID })
		dropUnusedComputed(t) // ddl_index_expr.go
		if err := catalog.LockForSchemaChange(s.txn, t.ID); err != nil {
			return "", err
		}
		if err := catalog.WriteTable(ctx, s.txn, t); err != nil {
			return "", err
		}
		prefix := kvpb.IndexKeyPrefix(t.ID, uint64(dropped.ID))
		span := kvpb.Span{Key: prefix, EndKey: kvpb.PrefixEnd(prefix)}
		gcWhat := "index " + dropped.Name + " of table " + t.Name
		s.onCommit = append(s.onCommit, func(ctx context.Context, commitTs kvpb.Timestamp) {
			s.e.gc.enqueue(ctx, span, commitTs, gcWhat)
		})
	}
	return "DROP INDEX", nil
}

// reindex validates REINDEX INDEX/TABLE's name. rangedb's index entries
// are written in the transaction that writes their row, so there is
// nothing to rebuild.
func (s *Session) reindex(ctx context.Context, ri *ast.Reindex) (string, error) {
	const tag = "REINDEX"
	if ri.Table {
		if err := checkSchema(ri.Name); err != nil {
			return "", err
		}
		t, err := catalog.LookupTable(ctx, s.txn, s.db.ID, ri.Name.Name)
		if err != nil {
			return "", err
		}
		if t == nil {
			rel, err := catalog.LookupRelation(ctx, s.txn, s.db.ID, ri.Name.Name)
			if err != nil {
				return "", err
			}
			_, idx, err := catalog.LookupIndex(ctx, s.txn, s.db.ID, ri.Name.Name)
			if err != nil {
				return "", err
			}
			if rel.Exists() || idx != nil {
				return "", pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a table or materialized view", ri.Name.Name)
			}
			return "", pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", ri.Name.Name)
		}
		return tag, nil
	}
	_, idx, err := s.lookupIndex(ctx, ri.Name, false)
	if err != nil {
		return "", err
	}
	if idx == nil {
		return "", pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", ri.Name.Name)
	}
	return tag, nil
}

// notAnIndex is DROP TABLE's (or another relation statement's) 42809 when
// name is an index's: "\"x\" is not a table", hinting at DROP INDEX.
func (s *Session) notAnIndex(ctx context.Context, name ast.TableName, kind string) error {
	if name.Schema != "" && name.Schema != "public" {
		return nil
	}
	_, idx, err := catalog.LookupIndex(ctx, s.txn, s.db.ID, name.Name)
	if err != nil || idx == nil {
		return err
	}
	return pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a %s", name.Name, kind).
		WithHint("Use DROP INDEX to remove an index.")
}
