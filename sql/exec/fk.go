package exec

import (
	"context"
	"strings"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/rowenc"
	"github.com/rangedb/rangedb/sql/types"
)

// This file enforces FOREIGN KEY constraints for the row writer, as
// PostgreSQL's RI triggers do
// (https://www.postgresql.org/docs/15/ddl-constraints.html#DDL-CONSTRAINTS-FK).
// Each row write queues events, which run when the statement ends, in
// the order the rows were written, as PostgreSQL's AFTER ROW triggers
// do:
//
//   - A row inserted, or updated in its referencing columns, must find
//     its key in the referenced table (23503). Runs of such checks read
//     the referenced keys (through the referenced table's primary or
//     unique index) in one batch, and take a shared lock on each
//     (kv.Txn.LockShared), so that a transaction deleting the row or
//     changing its key conflicts with this one and one of them fails
//     (40001) rather than both committing an orphan.
//   - A row deleted, or whose referenced columns changed, runs each
//     referencing constraint (in order of creation) against the rows
//     that held the old key: NO ACTION and RESTRICT fail the statement
//     (23503) if there are any — NO ACTION not if the key exists again;
//     CASCADE deletes them or moves them to the new key, SET NULL and
//     SET DEFAULT rewrite their referencing columns. Those writes go
//     through the referencing table's own row writer, so its CHECKs,
//     indexes and foreign keys apply in turn: their events run when the
//     action ends, before the next one, as a query's triggers run
//     within the trigger that ran it. The referencing rows are found
//     through an index whose leading columns are the referencing
//     columns, else by scanning the table, as PostgreSQL does.
//
// Events are held within the memory budget; once many wait, a prefix of
// them that no later write of the statement can change runs early.

// TableResolver finds, in the statement's transaction, the tables that
// FOREIGN KEYs connect to the table a statement writes (the session
// implements it).
type TableResolver interface {
	WriteTarget(ctx context.Context, id uint64) (*plan.WriteTarget, error)
}

// fkState is one statement's foreign key work, shared by the row writer
// of the table it writes (main) and those of the tables its actions
// write.
type fkState struct {
	env     *evalEnv
	main    uint64
	delete  bool // the statement is a DELETE
	targets map[uint64]*plan.WriteTarget
	writers map[uint64]*rowWriter
	written map[uint64]bool
	pending []fkEvent
	acct    memAccount
	depth   int
	// noLocks leaves the parents' keys unlocked (a validation, whose
	// schema change locks the parent table whole).
	noLocks bool
}

// fkEvent is a check waiting for the statement's end, or a change of a
// referenced row whose constraints run then.
type fkEvent struct {
	check *fkCheck
	// table's row old was deleted (row nil) or updated to row.
	table    *catalog.TableDescriptor
	old, row types.Datums
}

// fkCheck is the check that parent holds a child row's key vals.
type fkCheck struct {
	child, parent *catalog.TableDescriptor
	fk            *catalog.ForeignKey
	vals          types.Datums
}

// maxCascadeDepth bounds how deep actions may cascade (PostgreSQL's
// max_stack_depth would stop a deep recursion too).
const maxCascadeDepth = 10000

// fkEarlyBatch is how many waiting checks make the ones that can run
// early run.
const fkEarlyBatch = 1024

func newFKState(env *evalEnv, main uint64, isDelete bool) *fkState {
	return &fkState{env: env, main: main, delete: isDelete, written: map[uint64]bool{}}
}

func (fs *fkState) ec() *Context { return fs.env.ec }

func (fs *fkState) close() {
	fs.pending = nil
	fs.acct.close(fs.ec())
}

// target returns table id bound for writing, or an error if it is gone.
func (fs *fkState) target(ctx context.Context, id uint64) (*plan.WriteTarget, error) {
	if wt, ok := fs.targets[id]; ok {
		return wt, nil
	}
	if fs.ec().Tables == nil {
		return nil, pgerror.New(pgerror.CodeInternalError, "foreign keys cannot be enforced here")
	}
	wt, err := fs.ec().Tables.WriteTarget(ctx, id)
	if err != nil {
		return nil, err
	}
	if wt == nil {
		return nil, pgerror.New(pgerror.CodeInternalError, "table %d of a foreign key does not exist", id)
	}
	if fs.targets == nil {
		fs.targets = map[uint64]*plan.WriteTarget{}
	}
	fs.targets[id] = wt
	return wt, nil
}

// writer returns the row writer of table id for the actions' writes.
func (fs *fkState) writer(ctx context.Context, id uint64) (*rowWriter, error) {
	if w, ok := fs.writers[id]; ok {
		return w, nil
	}
	wt, err := fs.target(ctx, id)
	if err != nil {
		return nil, err
	}
	w := newRowWriter(fs.ec(), wt.Table)
	w.setChecks(fs.env, wt.Checks)
	w.setPredicates(fs.env, wt.IndexPreds)
	w.setComputed(fs.env, wt.Computed)
	w.fk = fs
	if fs.writers == nil {
		fs.writers = map[uint64]*rowWriter{}
	}
	fs.writers[id] = w
	return w, nil
}

// fkValues returns row's values of cols.
func fkValues(t *catalog.TableDescriptor, cols []catalog.ColumnID, row types.Datums) types.Datums {
	out := make(types.Datums, len(cols))
	for i, id := range cols {
		out[i] = row[t.ColumnOrdinal(id)]
	}
	return out
}

// nullCount counts the NULLs among vals.
func nullCount(vals types.Datums) int {
	n := 0
	for _, v := range vals {
		if v == types.DNull {
			n++
		}
	}
	return n
}

// sameValues reports whether a and b hold the same values (NULL equal
// to NULL, as a key change is judged).
func sameValues(a, b types.Datums) bool {
	for i := range a {
		if (a[i] == types.DNull) != (b[i] == types.DNull) {
			return false
		}
		if a[i] != types.DNull && types.Compare(a[i], b[i]) != 0 {
			return false
		}
	}
	return true
}

// keyString renders cols of t with vals as PostgreSQL's details do:
// "(a, b)=(1, x)".
func keyString(t *catalog.TableDescriptor, cols []catalog.ColumnID, vals types.Datums) string {
	names := make([]string, len(cols))
	strs := make([]string, len(cols))
	for i, id := range cols {
		names[i] = t.Columns[t.ColumnOrdinal(id)].Name
		if vals[i] == types.DNull {
			strs[i] = "null"
		} else {
			strs[i] = types.String(vals[i])
		}
	}
	return "(" + strings.Join(names, ", ") + ")=(" + strings.Join(strs, ", ") + ")"
}

func errFKMissing(child, parent *catalog.TableDescriptor, fk *catalog.ForeignKey, vals types.Datums) error {
	return pgerror.New(pgerror.CodeForeignKeyViolation, "insert or update on table \"%s\" violates foreign key constraint \"%s\"", child.Name, fk.Name).
		WithDetail("Key %s is not present in table \"%s\".", keyString(child, fk.ColumnIDs, vals), parent.Name)
}

func errFKReferenced(child, parent *catalog.TableDescriptor, fk *catalog.ForeignKey, vals types.Datums) error {
	return pgerror.New(pgerror.CodeForeignKeyViolation, "update or delete on table \"%s\" violates foreign key constraint \"%s\" on table \"%s\"", parent.Name, fk.Name, child.Name).
		WithDetail("Key %s is still referenced from table \"%s\".", keyString(parent, fk.RefColumnIDs, vals), child.Name)
}

// fkInserted queues the checks of a row w wrote as new.
func (w *rowWriter) fkInserted(ctx context.Context, row types.Datums) error {
	if w.fk == nil {
		return nil
	}
	w.fk.written[w.t.ID] = true
	for i := range w.t.ForeignKeys {
		if err := w.fk.queueChild(ctx, w.t, &w.t.ForeignKeys[i], fkValues(w.t, w.t.ForeignKeys[i].ColumnIDs, row)); err != nil {
			return err
		}
	}
	return w.fk.maybeFlush(ctx)
}

// fkUpdated queues the events of a row w changed from old to row: the
// change of its referenced keys, then the checks of its changed
// referencing keys (PostgreSQL's RI_ConstraintTrigger_a_… sort before
// its RI_ConstraintTrigger_c_…).
func (w *rowWriter) fkUpdated(ctx context.Context, old, row types.Datums) error {
	if w.fk == nil {
		return nil
	}
	w.fk.written[w.t.ID] = true
	if len(w.t.InboundFKs) > 0 {
		if err := w.fk.queue(fkEvent{table: w.t, old: old, row: row}); err != nil {
			return err
		}
	}
	for i := range w.t.ForeignKeys {
		fk := &w.t.ForeignKeys[i]
		vals := fkValues(w.t, fk.ColumnIDs, row)
		if sameValues(fkValues(w.t, fk.ColumnIDs, old), vals) {
			continue
		}
		if err := w.fk.queueChild(ctx, w.t, fk, vals); err != nil {
			return err
		}
	}
	return w.fk.maybeFlush(ctx)
}

// fkDeleted queues the change of the referenced keys of a row w
// deleted.
func (w *rowWriter) fkDeleted(ctx context.Context, old types.Datums) error {
	if w.fk == nil {
		return nil
	}
	w.fk.written[w.t.ID] = true
	if len(w.t.InboundFKs) == 0 {
		return nil
	}
	if err := w.fk.queue(fkEvent{table: w.t, old: old}); err != nil {
		return err
	}
	return w.fk.maybeFlush(ctx)
}

// queueChild queues the check that parent holds a child row's key vals
// (none when MATCH SIMPLE finds a NULL, or MATCH FULL finds all NULL).
func (fs *fkState) queueChild(ctx context.Context, child *catalog.TableDescriptor, fk *catalog.ForeignKey, vals types.Datums) error {
	nulls := nullCount(vals)
	if nulls == len(vals) || (nulls > 0 && !fk.MatchFull) {
		return nil
	}
	if nulls > 0 {
		return errMatchFull(child, fk)
	}
	parent, err := fs.target(ctx, fk.RefTableID)
	if err != nil {
		return err
	}
	return fs.queue(fkEvent{check: &fkCheck{child: child, parent: parent.Table, fk: fk, vals: vals}})
}

func errMatchFull(child *catalog.TableDescriptor, fk *catalog.ForeignKey) error {
	return pgerror.New(pgerror.CodeForeignKeyViolation, "insert or update on table \"%s\" violates foreign key constraint \"%s\"", child.Name, fk.Name).
		WithDetail("MATCH FULL does not allow mixing of null and nonnull key values.")
}

func (fs *fkState) queue(ev fkEvent) error {
	n := int64(64)
	if ev.check != nil {
		n += rowSize(ev.check.vals)
	} else {
		n += rowSize(ev.old) + rowSize(ev.row)
	}
	if err := fs.acct.grow(fs.ec(), n, "foreign key checks"); err != nil {
		return err
	}
	fs.pending = append(fs.pending, ev)
	return nil
}

// changed runs, for a row of t deleted (ev.row nil) or updated from
// ev.old to ev.row, every constraint referencing a key of the old row
// that is gone.
func (fs *fkState) changed(ctx context.Context, ev fkEvent) error {
	t := ev.table
	for _, in := range t.InboundFKs {
		cw, err := fs.writer(ctx, in.TableID)
		if err != nil {
			return err
		}
		child := cw.t
		i := child.FindForeignKey(in.Name)
		if i < 0 {
			continue
		}
		fk := &child.ForeignKeys[i]
		oldVals := fkValues(t, fk.RefColumnIDs, ev.old)
		if nullCount(oldVals) > 0 {
			continue // no row can reference a key with a NULL
		}
		action := fk.OnDelete
		var newVals types.Datums
		if ev.row != nil {
			newVals = fkValues(t, fk.RefColumnIDs, ev.row)
			if sameValues(oldVals, newVals) {
				continue
			}
			action = fk.OnUpdate
		}
		if action == catalog.FKNoAction && fs.deferred(fk) {
			if err := fs.ec().DeferFK(DeferredFK{check: fkCheck{child: child, parent: t, fk: fk, vals: oldVals}, inbound: true}); err != nil {
				return err
			}
			continue
		}
		if action == catalog.FKNoAction || action == catalog.FKRestrict {
			if err := fs.stillReferenced(ctx, child, t, fk, oldVals, action == catalog.FKNoAction); err != nil {
				return err
			}
			continue
		}
		// The action's own events run when it ends.
		outer := fs.pending
		fs.pending = nil
		err = fs.act(ctx, cw, fk, action, oldVals, newVals)
		inner := fs.pending
		fs.pending = outer
		if err == nil {
			err = fs.process(ctx, inner)
		}
		if err == nil && action == catalog.FKSetDefault {
			// A default equal to the old key leaves rows referencing it,
			// unchanged, so unchecked (PostgreSQL's ri_set does the same).
			err = fs.stillReferenced(ctx, child, t, fk, oldVals, true)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

// stillReferenced fails with 23503 when rows of child reference parent's
// key vals; with noAction, not when the key exists again.
func (fs *fkState) stillReferenced(ctx context.Context, child, parent *catalog.TableDescriptor, fk *catalog.ForeignKey, vals types.Datums, noAction bool) error {
	if noAction {
		key, err := parentKey(parent, fk, vals)
		if err != nil {
			return err
		}
		found, err := existsMany(ctx, fs.ec(), []kvpb.Key{key})
		if err != nil || found[0] {
			return err
		}
	}
	refs, err := fs.referencing(ctx, child, fk, vals, 1)
	if err != nil {
		return err
	}
	if len(refs) > 0 {
		return errFKReferenced(child, parent, fk, vals)
	}
	return nil
}

// act applies a CASCADE, SET NULL or SET DEFAULT action to the rows of
// cw's table that reference oldVals (newVals: the key the referenced row
// moved to, for ON UPDATE CASCADE).
func (fs *fkState) act(ctx context.Context, cw *rowWriter, fk *catalog.ForeignKey, action catalog.FKAction, oldVals, newVals types.Datums) error {
	if fs.depth >= maxCascadeDepth {
		return pgerror.New("54001", "stack depth limit exceeded").
			WithHint("Foreign key actions cascade more than %d levels deep.", maxCascadeDepth)
	}
	fs.depth++
	defer func() { fs.depth-- }()
	ec := fs.ec()
	child := cw.t
	refs, err := fs.referencing(ctx, child, fk, oldVals, 0)
	if err != nil {
		return err
	}
	var defaults []plan.Expr
	if action == catalog.FKSetDefault {
		wt, err := fs.target(ctx, child.ID)
		if err != nil {
			return err
		}
		defaults = wt.Defaults
	}
	for _, r := range refs {
		// An earlier action of the statement may have changed the row.
		if ec.Txn.HasWrite(r.key) {
			val, found, err := ec.Txn.Get(ctx, r.key)
			if err != nil {
				return err
			}
			if !found {
				continue
			}
			if r.row, err = decodeRow(child, r.key, val); err != nil {
				return err
			}
			if !sameValues(fkValues(child, fk.ColumnIDs, r.row), oldVals) {
				continue
			}
		}
		if action == catalog.FKCascade && newVals == nil {
			if err := cw.delete(ctx, r.key, r.row); err != nil {
				return err
			}
			continue
		}
		upd := append(types.Datums(nil), r.row...)
		for i, id := range fk.ColumnIDs {
			ord := child.ColumnOrdinal(id)
			var v types.Datum = types.DNull
			switch action {
			case catalog.FKCascade:
				v = newVals[i]
			case catalog.FKSetDefault:
				if defaults[ord] != nil {
					if v, err = fs.env.eval(defaults[ord], r.row); err != nil {
						return err
					}
				}
			}
			if v != types.DNull {
				if v, err = types.AssignCast(v, child.Columns[ord].Type, ec.fc()); err != nil {
					return err
				}
			}
			upd[ord] = v
		}
		if err := cw.update(ctx, r.key, r.row, upd); err != nil {
			return err
		}
	}
	return nil
}

// refRow is a referencing row and its primary key.
type refRow struct {
	key kvpb.Key
	row types.Datums
}

func decodeRow(t *catalog.TableDescriptor, key kvpb.Key, val []byte) (types.Datums, error) {
	row := make(types.Datums, len(t.Columns))
	for i := range row {
		row[i] = types.DNull
	}
	if err := rowenc.DecodePrimaryKey(t, key, row); err != nil {
		return nil, err
	}
	if err := rowenc.DecodeValue(t, val, row); err != nil {
		return nil, err
	}
	return row, nil
}

// leadingIndex returns an index of t (the primary one first) whose
// first len(cols) key columns are cols in some order, and vals reordered
// to match them; nil when t has none.
func leadingIndex(t *catalog.TableDescriptor, cols []catalog.ColumnID, vals types.Datums) (*catalog.Index, types.Datums) {
	try := func(idx *catalog.Index) types.Datums {
		if len(idx.ColumnIDs) < len(cols) || idx.Predicate != "" {
			return nil // a partial index lacks the rows its predicate rejects
		}
		out := make(types.Datums, len(cols))
		for i, id := range idx.ColumnIDs[:len(cols)] {
			j := -1
			for k, c := range cols {
				if c == id {
					j = k
				}
			}
			if j < 0 {
				return nil
			}
			out[i] = vals[j]
		}
		return out
	}
	if v := try(&t.PrimaryIndex); v != nil {
		return &t.PrimaryIndex, v
	}
	for i := range t.Indexes {
		if v := try(&t.Indexes[i]); v != nil {
			return &t.Indexes[i], v
		}
	}
	return nil, nil
}

// referencing returns the rows of child (as the transaction sees them)
// whose fk columns hold vals, at most limit of them (0: all), held within
// the statement's memory budget.
func (fs *fkState) referencing(ctx context.Context, child *catalog.TableDescriptor, fk *catalog.ForeignKey, vals types.Datums, limit int) ([]refRow, error) {
	ec := fs.ec()
	var out []refRow
	add := func(key kvpb.Key, row types.Datums) (bool, error) {
		if err := fs.acct.grow(ec, rowSize(row)+int64(len(key)), "foreign key actions"); err != nil {
			return false, err
		}
		out = append(out, refRow{key: append(kvpb.Key(nil), key...), row: row})
		return limit > 0 && len(out) >= limit, nil
	}
	idx, ordered := leadingIndex(child, fk.ColumnIDs, vals)
	if idx == nil {
		err := forEachRow(ctx, ec, child, func(row types.Datums) error {
			if !sameValues(fkValues(child, fk.ColumnIDs, row), vals) {
				return nil
			}
			key, err := rowenc.EncodePrimaryKey(child, row)
			if err != nil {
				return err
			}
			if done, err := add(key, row); err != nil || done {
				if err == nil {
					err = errStopScan
				}
				return err
			}
			return nil
		})
		if err == errStopScan {
			err = nil
		}
		return out, err
	}
	prefix, err := rowenc.EncodeIndexKey(rowenc.IndexPrefix(child, idx), idx, ordered)
	if err != nil {
		return nil, err
	}
	span := &kvpb.Span{Key: prefix, EndKey: kvpb.PrefixEnd(prefix)}
	for span != nil {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		kvs, resume, err := ec.Txn.Scan(ctx, *span, ec.batchSize(), DefaultScanBatchBytes)
		if err != nil {
			return nil, err
		}
		if ec.Stats != nil {
			ec.Stats.Scans.Add(1)
			ec.Stats.KeysRead.Add(int64(len(kvs)))
		}
		for _, kv := range kvs {
			key, val := kv.Key, kv.Value
			if idx != &child.PrimaryIndex {
				row := make(types.Datums, len(child.Columns))
				for i := range row {
					row[i] = types.DNull
				}
				if err := rowenc.DecodeIndexEntry(child, idx, kv.Key, kv.Value, row); err != nil {
					return nil, err
				}
				if key, err = rowenc.EncodePrimaryKey(child, row); err != nil {
					return nil, err
				}
				var found bool
				if val, found, err = ec.Txn.Get(ctx, key); err != nil {
					return nil, err
				} else if !found {
					continue
				}
			}
			row, err := decodeRow(child, key, val)
			if err != nil {
				return nil, err
			}
			if !sameValues(fkValues(child, fk.ColumnIDs, row), vals) {
				continue // equal in the key encoding only
			}
			if done, err := add(key, row); err != nil || done {
				return out, err
			}
		}
		span = resume
	}
	return out, nil
}

// errStopScan ends a forEachRow early.
var errStopScan = pgerror.New(pgerror.CodeInternalError, "scan stopped")

// parentKey returns the key of parent's primary or unique index entry
// that holds a referenced row with the fk columns' values vals.
func parentKey(parent *catalog.TableDescriptor, fk *catalog.ForeignKey, vals types.Datums) (kvpb.Key, error) {
	idx := parent.ReferencedIndex(fk.RefColumnIDs)
	if idx == nil {
		return nil, pgerror.New(pgerror.CodeInternalError, "there is no unique constraint matching the keys of foreign key \"%s\" in table \"%s\"", fk.Name, parent.Name)
	}
	ordered := make(types.Datums, len(idx.ColumnIDs))
	for i, id := range idx.ColumnIDs {
		for j, c := range fk.RefColumnIDs {
			if c == id {
				ordered[i] = vals[j]
			}
		}
	}
	return rowenc.EncodeIndexKey(rowenc.IndexPrefix(parent, idx), idx, ordered)
}

// existsMany reads whether each key has a value as the transaction sees
// it: its own writes from its buffer, the others in one batch.
func existsMany(ctx context.Context, ec *Context, keys []kvpb.Key) ([]bool, error) {
	found := make([]bool, len(keys))
	var remote []kvpb.Key
	var at []int
	for i, k := range keys {
		if ec.Txn.HasWrite(k) {
			_, ok, err := ec.Txn.Get(ctx, k)
			if err != nil {
				return nil, err
			}
			found[i] = ok
			continue
		}
		remote = append(remote, k)
		at = append(at, i)
	}
	got, err := ec.Txn.ExistsMany(ctx, remote)
	if err != nil {
		return nil, err
	}
	if ec.Stats != nil {
		ec.Stats.Gets.Add(int64(len(remote)))
	}
	for j, i := range at {
		found[i] = got[j]
	}
	return found, nil
}

// maybeFlush runs, once many events wait, the longest prefix of them
// that no later write of the statement can change: checks of a parent
// the statement does not write, and in a DELETE the changes of rows
// whose referencing rows are not in the table it deletes from (which
// it may still delete).
func (fs *fkState) maybeFlush(ctx context.Context) error {
	if len(fs.pending) < fkEarlyBatch {
		return nil
	}
	n := 0
	for _, ev := range fs.pending {
		if !fs.early(ev) {
			break
		}
		n++
	}
	if n == 0 {
		return nil
	}
	now := fs.pending[:n:n]
	fs.pending = fs.pending[n:]
	return fs.process(ctx, now)
}

func (fs *fkState) early(ev fkEvent) bool {
	if ev.check != nil {
		return !fs.written[ev.check.parent.ID]
	}
	if !fs.delete {
		return false // an UPDATE may give the key to another row later
	}
	for _, in := range ev.table.InboundFKs {
		if in.TableID == fs.main {
			return false
		}
	}
	return true
}

// finish runs every waiting event: the statement's end.
func (fs *fkState) finish(ctx context.Context) error {
	events := fs.pending
	fs.pending = nil
	err := fs.process(ctx, events)
	fs.acct.close(fs.ec())
	return err
}

// process runs events in order; the referenced keys of each run of
// checks are read in one batch.
func (fs *fkState) process(ctx context.Context, events []fkEvent) error {
	for i := 0; i < len(events); {
		if events[i].check == nil {
			if err := fs.changed(ctx, events[i]); err != nil {
				return err
			}
			i++
			continue
		}
		j := i
		var checks []*fkCheck
		for j < len(events) && events[j].check != nil && len(checks) < fkEarlyBatch {
			c := events[j].check
			j++
			if fs.deferred(c.fk) {
				if err := fs.ec().DeferFK(DeferredFK{check: *c}); err != nil {
					return err
				}
				continue
			}
			checks = append(checks, c)
		}
		if err := fs.runChecks(ctx, checks); err != nil {
			return err
		}
		i = j
	}
	return nil
}

// runChecks runs child checks in order, reading the parents' keys in one
// batch.
func (fs *fkState) runChecks(ctx context.Context, checks []*fkCheck) error {
	ec := fs.ec()
	keys := make([]kvpb.Key, len(checks))
	for i, c := range checks {
		k, err := parentKey(c.parent, c.fk, c.vals)
		if err != nil {
			return err
		}
		keys[i] = k
	}
	found, err := existsMany(ctx, ec, keys)
	if err != nil {
		return err
	}
	for i, c := range checks {
		if !found[i] {
			return errFKMissing(c.child, c.parent, c.fk, c.vals)
		}
		if !fs.noLocks {
			if err := ec.Txn.LockShared(keys[i]); err != nil {
				return err
			}
		}
	}
	return nil
}

// ValidateForeignKey checks every row of child (read in ec's
// transaction, decoded with child) against fk, which ALTER TABLE … ADD
// CONSTRAINT adds: a row whose key parent lacks is 23503, worded as
// PostgreSQL words it. The parents' keys are read in batches.
func ValidateForeignKey(ctx context.Context, ec *Context, child *catalog.TableDescriptor, fk *catalog.ForeignKey, parent *catalog.TableDescriptor) error {
	fs := newFKState(&evalEnv{ec: ec, ctx: ctx}, child.ID, false)
	fs.noLocks = true
	defer fs.close()
	var batch []*fkCheck
	err := forEachRow(ctx, ec, child, func(row types.Datums) error {
		vals := fkValues(child, fk.ColumnIDs, row)
		nulls := nullCount(vals)
		if nulls == len(vals) || (nulls > 0 && !fk.MatchFull) {
			return nil
		}
		if nulls > 0 {
			return errMatchFull(child, fk)
		}
		batch = append(batch, &fkCheck{child: child, parent: parent, fk: fk, vals: vals})
		if len(batch) < fkEarlyBatch {
			return nil
		}
		err := fs.runChecks(ctx, batch)
		batch = batch[:0]
		return err
	})
	if err != nil {
		return err
	}
	return fs.runChecks(ctx, batch)
}

// deferred reports whether fk's checks wait for the commit now.
func (fs *fkState) deferred(fk *catalog.ForeignKey) bool {
	ec := fs.ec()
	return fk.Deferrable && ec.FKDeferred != nil && ec.DeferFK != nil && ec.FKDeferred(fk)
}

// DeferredFK is a foreign key check that waits for the transaction's
// commit (a DEFERRABLE constraint in deferred mode): that a child row's
// key is in the parent, or (inbound) that no child row holds a parent's
// old key (NO ACTION).
type DeferredFK struct {
	check   fkCheck
	inbound bool
}

// Constraint names the check's constraint.
func (d DeferredFK) Constraint() string { return d.check.fk.Name }

// Size estimates the bytes d holds.
func (d DeferredFK) Size() int64 { return rowSize(d.check.vals) + 96 }

// RunDeferredFKs runs deferred checks in order, in ec's transaction
// (at COMMIT, or SET CONSTRAINTS … IMMEDIATE): the first that fails is
// its 23503.
func RunDeferredFKs(ctx context.Context, ec *Context, list []DeferredFK) error {
	fs := newFKState(&evalEnv{ec: ec, ctx: ctx}, 0, false)
	defer fs.close()
	for i := 0; i < len(list); {
		if list[i].inbound {
			c := &list[i].check
			if err := fs.stillReferenced(ctx, c.child, c.parent, c.fk, c.vals, true); err != nil {
				return err
			}
			i++
			continue
		}
		var checks []*fkCheck
		for i < len(list) && !list[i].inbound && len(checks) < fkEarlyBatch {
			checks = append(checks, &list[i].check)
			i++
		}
		if err := fs.runChecks(ctx, checks); err != nil {
			return err
		}
	}
	return nil
}
