package sql

import (
	"context"
	"errors"
	"slices"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/parser"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
)

// This file runs ALTER TABLE and ALTER … RENAME as PostgreSQL 15 does
// (messages, SQLSTATEs, default names). A statement reads the table's
// descriptor in the session's transaction, applies its subcommands to it
// in order, takes the table's schema lock exclusively
// (catalog.LockForSchemaChange) and writes the descriptor once, with one
// new version: a transaction that wrote rows of the table with the older
// descriptor cannot also commit (DESIGN.md §7). What needs existing rows
// is done in the same transaction afterwards, as PostgreSQL's later
// phases: new UNIQUE constraints' indexes are backfilled (23505), then
// one scan checks new NOT NULL columns (23502) and new CHECK constraints
// (23514).
//
// Columns are added with no stored value (a row's value carries its
// columns tagged by id, so an old row reads NULL in a new column) and
// dropped from the descriptor only (the values left in rows are skipped
// when decoded). ADD COLUMN's DEFAULT follows PostgreSQL: a non-volatile
// one is evaluated once and kept in the descriptor as the column's
// missing value, which old rows read (catalog.Column.Missing); a
// volatile one is evaluated for each existing row and written into it
// before the phases above. A dropped column takes with it the indexes
// and CHECK constraints that use it, as PostgreSQL's dependencies do.
// Not run yet, each 0A000: dropping or adding primary key columns, and
// renaming or dropping columns of (and renaming) a table that views
// read, since views keep their query as text.

// codeDuplicateObject is PostgreSQL's duplicate_object.
const codeDuplicateObject = "42710"

// alterState is what the subcommands of one ALTER TABLE accumulate.
type alterState struct {
	t *catalog.TableDescriptor
	// chosen are the constraint names the statement gave.
	chosen []string
	// newChecks, notNull, newIndexes: what the existing rows must satisfy
	// (by name, column id and index id, as later subcommands may drop
	// them).
	newChecks  []string
	notNull    []catalog.ColumnID
	newIndexes []catalog.IndexID
	// dropped are the indexes dropped, whose spans are cleared after the
	// commit.
	dropped []catalog.Index
	// added is set when a column was added.
	added bool
	// backfill are the added columns whose volatile DEFAULT each
	// existing row gets.
	backfill []columnBackfill
	// newFKs are the foreign keys added, by name, which the existing rows
	// must satisfy.
	newFKs []string
	// rewrite is set by the subcommands that move the rows
	// (ddl_rewrite.go).
	rewrite *tableRewrite
}

// columnBackfill is an added column (by id) and its bound DEFAULT.
type columnBackfill struct {
	id catalog.ColumnID
	e  plan.Expr
}

// alterTarget finds the table ALTER TABLE names: nil (after a NOTICE)
// when it is absent and ifExists is set.
func (s *Session) alterTarget(ctx context.Context, name ast.TableName, ifExists bool) (*catalog.TableDescriptor, error) {
	rel, err := s.lookupRelation(ctx, name)
	if err != nil {
		return nil, err
	}
	if rel.View != nil {
		return nil, pgerror.Unsupported("ALTER TABLE of a view")
	}
	if rel.Table != nil {
		return rel.Table, nil
	}
	if _, idx, err := s.lookupIndex(ctx, name, false); err != nil || idx != nil {
		if err != nil {
			return nil, err
		}
		return nil, pgerror.Unsupported("ALTER TABLE of an index")
	}
	if ifExists {
		s.queueNotice("00000", "relation \"%s\" does not exist, skipping", name.Name)
		return nil, nil
	}
	return nil, pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", name.Name)
}

func (s *Session) alterTable(ctx context.Context, at *ast.AlterTable) (string, error) {
	const tag = "ALTER TABLE"
	t, err := s.alterTarget(ctx, at.Table, at.IfExists)
	if err != nil || t == nil {
		return tag, err
	}
	st := &alterState{t: t}
	for _, c := range at.Cmds {
		var err error
		switch c.Kind {
		case ast.AlterAddColumn:
			err = s.alterAddColumn(ctx, st, c)
		case ast.AlterDropColumn:
			err = s.alterDropColumn(ctx, st, c)
		case ast.AlterSetNotNull, ast.AlterDropNotNull:
			err = alterNotNull(st, c)
		case ast.AlterSetDefault, ast.AlterDropDefault:
			err = s.alterDefault(ctx, st, c)
		case ast.AlterAddCheck:
			var name string
			if name, err = s.addCheck(ctx, t, *c.Check, &st.chosen); err == nil { // ddl_check.go
				st.newChecks = append(st.newChecks, name)
			}
		case ast.AlterAddUnique:
			err = s.alterAddUnique(ctx, st, *c.Unique)
		case ast.AlterDropConstraint:
			err = s.alterDropConstraint(ctx, st, c)
		case ast.AlterAddPrimaryKey:
			err = s.alterAddPrimaryKey(ctx, st, *c.Unique) // ddl_rewrite.go
		case ast.AlterColumnType:
			err = s.alterColumnType(ctx, st, c)
		case ast.AlterAddIdentity:
			err = s.alterAddIdentity(ctx, st, c) // ddl_rewrite.go
		case ast.AlterValidateConstraint:
			err = s.validateConstraint(st, c.Name) // ddl_fk.go
		case ast.AlterAddForeignKey:
			var fk *catalog.ForeignKey
			if fk, _, err = s.addForeignKey(ctx, t, *c.ForeignKey, &st.chosen); err == nil { // ddl_fk.go
				st.newFKs = append(st.newFKs, fk.Name)
			}
		default:
			err = pgerror.Unsupported("ALTER TABLE " + c.String())
		}
		if err != nil {
			return "", err
		}
	}
	if err := s.writeAltered(ctx, t); err != nil {
		return "", err
	}
	if st.added {
		if err := s.viewsKeepColumns(ctx, t); err != nil {
			return "", err
		}
	}
	for _, d := range st.dropped {
		s.clearIndexAfterCommit(t, d)
	}
	// Existing rows, as PostgreSQL's phases 2 and 3: a new primary key
	// and volatile defaults (the rewrite), then indexes.
	ec := s.execContext(nil)
	if err := s.rewriteTable(ctx, ec, st); err != nil { // ddl_rewrite.go
		return "", err
	}
	preds, err := plan.BindIndexPredicates(ctx, &resolver{s: s}, t)
	if err != nil {
		return "", err
	}
	computed, err := plan.BindComputed(ctx, &resolver{s: s}, t)
	if err != nil {
		return "", err
	}
	for _, b := range st.backfill {
		if o := t.ColumnOrdinal(b.id); o >= 0 {
			if err := exec.BackfillColumn(ctx, ec, t, o, b.e, st.newIndexes, preds, computed); err != nil {
				return "", err
			}
		}
	}
	for _, id := range st.newIndexes {
		if idx := t.IndexByID(id); idx != nil {
			if err := exec.BackfillIndex(ctx, ec, t, idx, preds[idx.ID]); err != nil {
				return "", err
			}
		}
	}
	var notNull []int
	for _, id := range st.notNull {
		if o := t.ColumnOrdinal(id); o >= 0 && !t.Columns[o].Nullable && !slices.Contains(notNull, o) {
			notNull = append(notNull, o)
		}
	}
	var checks []plan.CheckExpr
	for _, name := range st.newChecks {
		i := t.FindCheck(name)
		if i < 0 {
			continue
		}
		e, err := parser.ParseCheckExpr(t.Checks[i].Expr)
		if err != nil {
			return "", err
		}
		x, _, err := plan.BindCheck(ctx, &resolver{s: s}, t, e)
		if err != nil {
			// A position would point into the stored expression, not the
			// statement.
			return "", withoutPosition(err)
		}
		checks = append(checks, plan.CheckExpr{Name: name, Expr: x})
	}
	if err := exec.ValidateTable(ctx, ec, t, notNull, checks); err != nil {
		return "", err
	}
	for _, name := range st.newFKs {
		if err := s.validateForeignKey(ctx, ec, t, name); err != nil { // ddl_fk.go
			return "", err
		}
	}
	if err := s.recheckInbound(ctx, ec, st); err != nil {
		return "", err
	}
	return tag, nil
}

// viewsKeepColumns plans the views over t again, with t's new
// descriptor (written in s.txn): a view whose query now returns other
// columns (one with * over t, which PostgreSQL expanded when it created
// the view but rangedb keeps as text) is 0A000.
func (s *Session) viewsKeepColumns(ctx context.Context, t *catalog.TableDescriptor) error {
	for _, id := range t.DependedOnBy {
		rel, err := catalog.GetRelation(ctx, s.txn, id)
		if err != nil {
			return err
		}
		v := rel.View
		if v == nil {
			continue
		}
		sel, err := parser.ParseSelect(v.Query)
		if err != nil {
			return err
		}
		cols, _, err := plan.BuildView(ctx, &resolver{s: s}, sel)
		same := err == nil && len(cols) == len(v.Columns)
		for i := 0; same && i < len(cols); i++ {
			same = cols[i].Typ.Identical(v.Columns[i].Type)
		}
		if !same {
			return pgerror.Unsupported("ALTER TABLE ADD COLUMN to a table whose columns view \"" + v.Name + "\" reads with *")
		}
	}
	return nil
}

// writeAltered locks t's schema and writes its descriptor.
func (s *Session) writeAltered(ctx context.Context, t *catalog.TableDescriptor) error {
	if err := catalog.LockForSchemaChange(s.txn, t.ID); err != nil {
		return err
	}
	return catalog.WriteTable(ctx, s.txn, t)
}

// clearIndexAfterCommit clears a dropped index's span once the
// transaction commits (gc.go).
func (s *Session) clearIndexAfterCommit(t *catalog.TableDescriptor, idx catalog.Index) {
	prefix := kvpb.IndexKeyPrefix(t.ID, uint64(idx.ID))
	span := kvpb.Span{Key: prefix, EndKey: kvpb.PrefixEnd(prefix)}
	what := "index " + idx.Name + " of table " + t.Name
	s.onCommit = append(s.onCommit, func(ctx context.Context, commitTs kvpb.Timestamp) {
		s.e.gc.enqueue(ctx, span, commitTs, what)
	})
}

// findVisibleColumn returns the ordinal of the column named name, -1
// when none (the hidden rowid is none, as in PostgreSQL).
func findVisibleColumn(t *catalog.TableDescriptor, name string) int {
	o := t.FindColumn(name)
	if o >= 0 && t.Columns[o].Hidden {
		return -1
	}
	return o
}

// hiddenName reports whether name is that of t's hidden rowid column,
// which PostgreSQL's table would not have: such a column name is 0A000.
func hiddenName(t *catalog.TableDescriptor, name string) error {
	if o := t.FindColumn(name); o >= 0 && t.Columns[o].Hidden {
		return pgerror.Unsupported("a column named \"" + name + "\" in a table without a primary key (the name of its hidden key column)")
	}
	return nil
}

func (s *Session) alterAddColumn(ctx context.Context, st *alterState, c ast.AlterTableCmd) error {
	t := st.t
	cd := c.Column
	if findVisibleColumn(t, cd.Name) >= 0 {
		if c.IfNotExists {
			s.queueNotice(pgerror.CodeDuplicateColumn, "column \"%s\" of relation \"%s\" already exists, skipping", cd.Name, t.Name)
			return nil
		}
		return pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" of relation \"%s\" already exists", cd.Name, t.Name)
	}
	if err := hiddenName(t, cd.Name); err != nil {
		return err
	}
	typ, err := plan.ResolveType(cd.Type)
	if err != nil {
		return err
	}
	col := catalog.Column{ID: t.NextColumnID, Name: cd.Name, Type: typ, Nullable: !cd.NotNull, Computed: cd.GeneratedText}
	t.NextColumnID++
	t.Columns = append(t.Columns, col)
	st.added = true
	if cd.Generated != nil {
		// Every existing row gets its value (ddl_generated.go).
		x, err := plan.BindGenerated(ctx, &resolver{s: s}, t, len(t.Columns)-1, cd.Generated)
		if err != nil {
			return withoutPosition(err) // as PostgreSQL reports it here
		}
		st.backfill = append(st.backfill, columnBackfill{id: col.ID, e: x})
	}
	if cd.Default != nil {
		if err := s.addColumnDefault(ctx, st, len(t.Columns)-1, cd); err != nil {
			return err
		}
	}
	if cd.NotNull {
		st.notNull = append(st.notNull, col.ID)
	}
	for _, ck := range c.ColumnChecks {
		name, err := s.addCheck(ctx, t, ck, &st.chosen) // ddl_check.go
		if err != nil {
			return err
		}
		st.newChecks = append(st.newChecks, name)
	}
	return nil
}

// addColumnDefault binds the DEFAULT of the column ADD COLUMN added at
// ord and gives the existing rows its value: a volatile default is
// backfilled after the descriptor is written, another is evaluated now
// and kept as the column's missing value.
func (s *Session) addColumnDefault(ctx context.Context, st *alterState, ord int, cd ast.ColumnDef) error {
	t := st.t
	x, err := plan.BindDefault(ctx, &resolver{s: s}, t, ord, cd.Default)
	if err != nil {
		return err
	}
	c := &t.Columns[ord]
	c.Default = cd.DefaultText
	if plan.Volatile(x) {
		st.backfill = append(st.backfill, columnBackfill{id: c.ID, e: x})
		return nil
	}
	c.Missing, err = exec.MissingValue(ctx, s.execContext(nil), x, c.Type)
	return err
}

// alterDefault runs ALTER COLUMN … SET/DROP DEFAULT, with PostgreSQL's
// checks (ATExecColumnDefault, then CREATE TABLE's checks of the
// expression). Existing rows keep their values, missing ones included.
func (s *Session) alterDefault(ctx context.Context, st *alterState, c ast.AlterTableCmd) error {
	t := st.t
	ord := findVisibleColumn(t, c.Name)
	if ord < 0 {
		return pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c.Name, t.Name)
	}
	col := &t.Columns[ord]
	if col.Identity != 0 {
		err := pgerror.New(pgerror.CodeSyntaxError, "column \"%s\" of relation \"%s\" is an identity column", c.Name, t.Name)
		if c.Kind == ast.AlterDropDefault {
			err = err.WithHint("Use ALTER TABLE ... ALTER COLUMN ... DROP IDENTITY instead.")
		}
		return err
	}
	if c.Kind == ast.AlterDropDefault {
		col.Default = ""
		return nil
	}
	if _, err := plan.BindDefault(ctx, &resolver{s: s}, t, ord, c.Column.Default); err != nil {
		return err
	}
	col.Default = c.Column.DefaultText
	return nil
}

// checkColumns returns the ordinals of the columns check c reads.
func (s *Session) checkColumns(ctx context.Context, t *catalog.TableDescriptor, c catalog.Check) ([]int, error) {
	e, err := parser.ParseCheckExpr(c.Expr)
	if err != nil {
		return nil, err
	}
	_, cols, err := plan.BindCheck(ctx, &resolver{s: s}, t, e)
	return cols, err
}

func (s *Session) alterDropColumn(ctx context.Context, st *alterState, c ast.AlterTableCmd) error {
	t := st.t
	ord := findVisibleColumn(t, c.Name)
	if ord < 0 {
		if c.IfExists {
			s.queueNotice("00000", "column \"%s\" of relation \"%s\" does not exist, skipping", c.Name, t.Name)
			return nil
		}
		return pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c.Name, t.Name)
	}
	if t.IsKeyColumn(ord) {
		return pgerror.Unsupported("ALTER TABLE DROP COLUMN of a primary key column")
	}
	if len(t.DependedOnBy) > 0 {
		return pgerror.Unsupported("ALTER TABLE DROP COLUMN of a table that views depend on")
	}
	if len(t.Columns[ord].OwnedSequences) > 0 {
		return pgerror.Unsupported("ALTER TABLE DROP COLUMN of a column that owns a sequence")
	}
	id := t.Columns[ord].ID
	// The foreign keys using the column go with it; those referencing an
	// index it is in forbid the drop, or go with CASCADE (ddl_fk.go).
	if err := s.dropColumnForeignKeys(ctx, t, id); err != nil {
		return err
	}
	for i := range t.Indexes {
		if slices.Contains(t.Indexes[i].ColumnIDs, id) {
			what := "column " + t.Columns[ord].Name + " of table " + t.Name
			if err := s.dropIndexForeignKeys(ctx, t, &t.Indexes[i], what, what, c.Cascade); err != nil {
				return err
			}
		}
	}
	// So do the computed columns reading it (ddl_index_expr.go), with
	// their indexes.
	gone, err := s.computedUsing(ctx, t, ord)
	if err != nil {
		return err
	}
	// A generated column reading it forbids the drop, or goes with
	// CASCADE (ddl_index_expr.go).
	if err := s.dropGeneratedDependents(t, ord, gone, c.Cascade); err != nil {
		return err
	}
	// The CHECK constraints and indexes using the column go with it.
	var keep []catalog.Check
	for _, ck := range t.Checks {
		cols, err := s.checkColumns(ctx, t, ck)
		if err != nil {
			return err
		}
		if !slices.Contains(cols, ord) {
			keep = append(keep, ck)
		}
	}
	t.Checks = keep
	var indexes []catalog.Index
	for _, idx := range t.Indexes {
		uses := slices.Contains(idx.ColumnIDs, id) || slices.Contains(idx.Include, id)
		for _, g := range gone {
			uses = uses || slices.Contains(idx.ColumnIDs, g)
		}
		if !uses && idx.Predicate != "" {
			cols, err := s.checkColumns(ctx, t, catalog.Check{Expr: idx.Predicate})
			if err != nil {
				return err
			}
			uses = slices.Contains(cols, ord)
		}
		if !uses {
			indexes = append(indexes, idx)
			continue
		}
		if err := catalog.UnregisterIndexName(ctx, s.txn, t, &idx); err != nil {
			return err
		}
		if !slices.Contains(st.newIndexes, idx.ID) {
			st.dropped = append(st.dropped, idx)
		}
	}
	t.Indexes = indexes
	t.Columns = slices.Delete(t.Columns, ord, ord+1)
	t.Columns = slices.DeleteFunc(t.Columns, func(c catalog.Column) bool { return slices.Contains(gone, c.ID) })
	return nil
}

func alterNotNull(st *alterState, c ast.AlterTableCmd) error {
	t := st.t
	ord := findVisibleColumn(t, c.Name)
	if ord < 0 {
		return pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c.Name, t.Name)
	}
	col := &t.Columns[ord]
	if c.Kind == ast.AlterDropNotNull {
		if t.IsKeyColumn(ord) {
			return pgerror.New(pgerror.CodeInvalidTableDefinition, "column \"%s\" is in a primary key", c.Name)
		}
		col.Nullable = true
		return nil
	}
	if col.Nullable {
		col.Nullable = false
		st.notNull = append(st.notNull, col.ID)
	}
	return nil
}

func (s *Session) alterAddUnique(ctx context.Context, st *alterState, u ast.UniqueConstraint) error {
	t := st.t
	ids, dirs, cols, err := indexColumns(t, u.Columns, "column \"%s\" named in key does not exist") // ddl_index.go
	if err != nil {
		return err
	}
	for i, id := range ids {
		if slices.Contains(ids[:i], id) {
			return pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" appears twice in unique constraint", cols[i])
		}
	}
	idx := catalog.Index{ID: t.NextIndexID, Name: u.Name, ColumnIDs: ids, Directions: dirs, Unique: true, Constraint: true}
	if idx.Name == "" {
		if idx.Name, err = s.chooseRelationName(ctx, t.Name, indexNameAddition(indexColumnNames(cols)), "key"); err != nil {
			return err
		}
	}
	// The index's name first (42P07), then the constraint's (42710).
	if err := s.registerIndexName(ctx, t, &idx); err != nil { // ddl_index.go
		return err
	}
	if slices.Contains(st.chosen, idx.Name) || t.HasConstraint(idx.Name) {
		return pgerror.New(codeDuplicateObject, "constraint \"%s\" for relation \"%s\" already exists", idx.Name, t.Name)
	}
	t.NextIndexID++
	t.Indexes = append(t.Indexes, idx)
	st.chosen = append(st.chosen, idx.Name)
	st.newIndexes = append(st.newIndexes, idx.ID)
	return nil
}

func (s *Session) alterDropConstraint(ctx context.Context, st *alterState, c ast.AlterTableCmd) error {
	t := st.t
	if i := t.FindCheck(c.Name); i >= 0 {
		t.Checks = slices.Delete(t.Checks, i, i+1)
		return nil
	}
	if i := t.FindForeignKey(c.Name); i >= 0 {
		st.newFKs = slices.DeleteFunc(st.newFKs, func(n string) bool { return n == c.Name })
		return s.removeForeignKey(ctx, t, i, nil) // ddl_fk.go
	}
	if t.PrimaryKeyConstraint() && t.PrimaryIndex.Name == c.Name {
		return pgerror.Unsupported("ALTER TABLE DROP CONSTRAINT of a primary key")
	}
	for i, idx := range t.Indexes {
		if !idx.Constraint || idx.Name != c.Name {
			continue
		}
		what := "constraint " + idx.Name + " on table " + t.Name
		if err := s.dropIndexForeignKeys(ctx, t, &t.Indexes[i], what, "index "+idx.Name, c.Cascade); err != nil { // ddl_fk.go
			return err
		}
		if err := catalog.UnregisterIndexName(ctx, s.txn, t, &idx); err != nil {
			return err
		}
		t.Indexes = slices.Delete(t.Indexes, i, i+1)
		if !slices.Contains(st.newIndexes, idx.ID) {
			st.dropped = append(st.dropped, idx)
		}
		return nil
	}
	if c.IfExists {
		s.queueNotice("00000", "constraint \"%s\" of relation \"%s\" does not exist, skipping", c.Name, t.Name)
		return nil
	}
	return pgerror.New(pgerror.CodeUndefinedObject, "constraint \"%s\" of relation \"%s\" does not exist", c.Name, t.Name)
}

// rename runs ALTER TABLE … RENAME and ALTER INDEX … RENAME. As in
// PostgreSQL, RENAME TO renames whichever table or index has the name;
// an index's constraint is renamed with it.
func (s *Session) rename(ctx context.Context, r *ast.Rename) (string, error) {
	tag := r.StatementTag()
	if r.Kind == ast.RenameTable || r.Kind == ast.RenameIndex {
		return tag, s.renameRelation(ctx, r)
	}
	t, err := s.alterTarget(ctx, r.Table, r.IfExists)
	if err != nil || t == nil {
		return tag, err
	}
	if r.Kind == ast.RenameColumn {
		err = s.renameColumn(t, r)
	} else {
		err = s.renameConstraint(ctx, t, r)
	}
	if err != nil {
		return "", err
	}
	return tag, s.writeAltered(ctx, t)
}

func (s *Session) renameRelation(ctx context.Context, r *ast.Rename) error {
	rel, err := s.lookupRelation(ctx, r.Table)
	if err != nil {
		return err
	}
	if rel.View != nil {
		return pgerror.Unsupported("renaming a view")
	}
	nameTaken := func(err error) error {
		if errors.Is(err, catalog.ErrNameExists) {
			return pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", r.New)
		}
		return err
	}
	if t := rel.Table; t != nil {
		if len(t.DependedOnBy) > 0 {
			return pgerror.Unsupported("renaming a table that views depend on")
		}
		old := t.Name
		if err := catalog.RenameTable(ctx, s.txn, t, r.New); err != nil {
			return nameTaken(err)
		}
		s.noteCreatedName(r.New)
		// CHECK constraints that qualify columns with the table's name
		// follow it.
		if err := rewriteChecks(t, func(f []string) []string {
			if len(f) == 2 && f[0] == old {
				return []string{r.New, f[1]}
			}
			return f
		}); err != nil {
			return err
		}
		return s.writeAltered(ctx, t)
	}
	t, idx, err := s.lookupIndex(ctx, r.Table, false)
	if err != nil {
		return err
	}
	if idx == nil {
		if r.IfExists {
			s.queueNotice("00000", "relation \"%s\" does not exist, skipping", r.Table.Name)
			return nil
		}
		return pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", r.Table.Name)
	}
	if idx.Constraint && t.HasConstraint(r.New) {
		return pgerror.New(codeDuplicateObject, "constraint \"%s\" for relation \"%s\" already exists", r.New, t.Name)
	}
	if err := catalog.RenameIndex(ctx, s.txn, t, idx, r.New); err != nil {
		return nameTaken(err)
	}
	s.noteCreatedName(r.New)
	return s.writeAltered(ctx, t)
}

// noteCreatedName records a name the transaction inserted in the
// namespace, so a commit-time clash is reported as 42P07.
func (s *Session) noteCreatedName(name string) {
	if s.createdNames == nil {
		s.createdNames = map[string]string{}
	}
	s.createdNames[string(kvpb.NamespaceKey(s.db.ID, name))] = name
}

// rewriteChecks rewrites the column references of every CHECK of t.
// The partial indexes' predicates too.
func rewriteChecks(t *catalog.TableDescriptor, f func([]string) []string) error {
	for i := range t.Checks {
		text, err := parser.RewriteColumnRefs(t.Checks[i].Expr, f)
		if err != nil {
			return err
		}
		t.Checks[i].Expr = text
	}
	for i := range t.Indexes {
		if t.Indexes[i].Predicate == "" {
			continue
		}
		text, err := parser.RewriteColumnRefs(t.Indexes[i].Predicate, f)
		if err != nil {
			return err
		}
		t.Indexes[i].Predicate = text
	}
	for i := range t.Columns {
		if t.Columns[i].Computed == "" {
			continue
		}
		text, err := parser.RewriteColumnRefs(t.Columns[i].Computed, f)
		if err != nil {
			return err
		}
		t.Columns[i].Computed = text
	}
	return nil
}

func (s *Session) renameColumn(t *catalog.TableDescriptor, r *ast.Rename) error {
	ord := findVisibleColumn(t, r.Old)
	if ord < 0 {
		return pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" does not exist", r.Old)
	}
	if findVisibleColumn(t, r.New) >= 0 {
		return pgerror.New(pgerror.CodeDuplicateColumn, "column \"%s\" of relation \"%s\" already exists", r.New, t.Name)
	}
	if err := hiddenName(t, r.New); err != nil {
		return err
	}
	if len(t.DependedOnBy) > 0 {
		return pgerror.Unsupported("renaming a column of a table that views depend on")
	}
	t.Columns[ord].Name = r.New
	return rewriteChecks(t, func(f []string) []string {
		switch {
		case len(f) == 1 && f[0] == r.Old:
			return []string{r.New}
		case len(f) == 2 && f[0] == t.Name && f[1] == r.Old:
			return []string{f[0], r.New}
		}
		return f
	})
}

func (s *Session) renameConstraint(ctx context.Context, t *catalog.TableDescriptor, r *ast.Rename) error {
	var idx *catalog.Index
	if t.PrimaryKeyConstraint() && t.PrimaryIndex.Name == r.Old {
		idx = &t.PrimaryIndex
	}
	for i := range t.Indexes {
		if t.Indexes[i].Constraint && t.Indexes[i].Name == r.Old {
			idx = &t.Indexes[i]
		}
	}
	ck := t.FindCheck(r.Old)
	fk := t.FindForeignKey(r.Old)
	if idx == nil && ck < 0 && fk < 0 {
		return pgerror.New(pgerror.CodeUndefinedObject, "constraint \"%s\" for table \"%s\" does not exist", r.Old, t.Name)
	}
	if t.HasConstraint(r.New) {
		return pgerror.New(codeDuplicateObject, "constraint \"%s\" for relation \"%s\" already exists", r.New, t.Name)
	}
	if ck >= 0 {
		t.Checks[ck].Name = r.New
		return nil
	}
	if fk >= 0 {
		return s.renameForeignKey(ctx, t, fk, r.New) // ddl_fk.go
	}
	if err := catalog.RenameIndex(ctx, s.txn, t, idx, r.New); err != nil {
		if errors.Is(err, catalog.ErrNameExists) {
			return pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", r.New)
		}
		return err
	}
	s.noteCreatedName(r.New)
	return nil
}
