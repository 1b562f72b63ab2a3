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

// rowWriter is the one way sql/exec writes a table's rows: INSERT (VALUES
// and SELECT), UPDATE and DELETE all go through it, so every row write
// also
//
//   - maintains every secondary index of the table (an entry put for a
//     new row, deleted for an old one, replaced when an UPDATE changes the
//     row's index or primary key columns, left alone otherwise);
//   - checks the primary key and each unique index at the statement
//     (23505 from a Txn.Get, which sees the transaction's own writes) and
//     writes their keys with Txn.Insert, so a concurrent duplicate is
//     still caught at commit (OpInsert's check at prewrite);
//   - takes the table's writer lock once per transaction
//     (catalog.LockForWrite), so the transaction cannot commit if a schema
//     change of the table (CREATE/DROP INDEX, DROP TABLE) committed while
//     it ran with the older descriptor.
//
// A rowWriter belongs to one statement.
type rowWriter struct {
	ec     *Context
	t      *catalog.TableDescriptor
	locked bool
	// snap holds existence answers prefetched from the statement's
	// snapshot for keys the statement is about to check (prefetch); a key
	// the transaction has since written is answered from its buffer.
	snap map[string]bool
	// env and checks evaluate the statement's CHECK constraints
	// (check.go).
	env    *evalEnv
	checks []plan.CheckExpr
	// fk is the statement's FOREIGN KEY work (fk.go); nil writes without
	// it (a backfill of the table's own rows).
	fk *fkState
	// preds are the partial indexes' predicates (evaluated in env): a row
	// has an entry in such an index only when its predicate is true.
	preds map[catalog.IndexID]plan.Expr
	// computed are the table's computed columns, set from the row before
	// every insert and update; hasComputed tells whether it has any.
	computed    []plan.ComputedExpr
	hasComputed bool
}

// setComputed gives w its table's computed columns, evaluated in env.
func (w *rowWriter) setComputed(env *evalEnv, computed []plan.ComputedExpr) {
	if len(computed) > 0 {
		w.env, w.computed = env, computed
	}
}

// compute sets row's computed columns from its other columns.
func (w *rowWriter) compute(row types.Datums) error {
	if len(w.computed) == 0 {
		if w.hasComputed {
			return pgerror.New(pgerror.CodeInternalError, "table \"%s\" written without its computed columns", w.t.Name)
		}
		return nil
	}
	for _, c := range w.computed {
		v, err := w.env.eval(c.Expr, row)
		if err != nil {
			return err
		}
		if v != types.DNull {
			if v, err = types.AssignCast(v, w.t.Columns[c.Ordinal].Type, w.ec.fc()); err != nil {
				return err
			}
		}
		row[c.Ordinal] = v
	}
	return nil
}

// setPredicates gives w its table's partial index predicates, evaluated
// in env.
func (w *rowWriter) setPredicates(env *evalEnv, preds map[catalog.IndexID]plan.Expr) {
	if len(preds) > 0 {
		w.env, w.preds = env, preds
	}
}

// inIndex reports whether row has an entry in idx: always, unless idx
// is partial and its predicate is not true for row.
func (w *rowWriter) inIndex(idx *catalog.Index, row types.Datums) (bool, error) {
	if idx.Predicate == "" {
		return true, nil
	}
	p, ok := w.preds[idx.ID]
	if !ok {
		return false, pgerror.New(pgerror.CodeInternalError, "partial index \"%s\" written without its predicate", idx.Name)
	}
	d, err := w.env.eval(p, row)
	if err != nil {
		return false, err
	}
	v, ok := d.(types.DBool)
	return ok && bool(v), nil
}

func newRowWriter(ec *Context, t *catalog.TableDescriptor) *rowWriter {
	w := &rowWriter{ec: ec, t: t}
	for i := range t.Columns {
		w.hasComputed = w.hasComputed || t.Columns[i].Computed != ""
	}
	return w
}

func (w *rowWriter) lock() error {
	if w.locked {
		return nil
	}
	w.locked = true
	return catalog.LockForWrite(w.ec.Txn, w.t.ID)
}

func (w *rowWriter) get(ctx context.Context, key kvpb.Key) (bool, error) {
	if found, ok := w.snap[string(key)]; ok && !w.ec.Txn.HasWrite(key) {
		return found, nil
	}
	return txnExists(ctx, w.ec, key)
}

// txnExists reads whether key has a value, as the transaction sees it
// (its own writes included), counting the Get.
func txnExists(ctx context.Context, ec *Context, key kvpb.Key) (bool, error) {
	_, found, err := ec.Txn.Get(ctx, key)
	if ec.Stats != nil {
		ec.Stats.Gets.Add(1)
	}
	return found, err
}

// prefetch reads, in one batch, whether the primary keys (for the rows
// whose checkPK is set) and unique index keys the insert of rows will check
// exist in the snapshot, so that a multi-row INSERT makes one round to the
// range per batch of rows instead of one per key. A row whose keys cannot
// be encoded is skipped: its insert reports the error in order.
func (w *rowWriter) prefetch(ctx context.Context, rows []types.Datums, checkPK []bool) error {
	var keys []kvpb.Key
	for i, row := range rows {
		if checkPK[i] {
			if k, err := rowenc.EncodePrimaryKey(w.t, row); err == nil {
				keys = append(keys, k)
			}
		}
		for j := range w.t.Indexes {
			idx := &w.t.Indexes[j]
			if !idx.Unique || idx.Predicate != "" || rowenc.IndexHasNull(w.t, idx, row) {
				continue
			}
			if k, _, err := rowenc.EncodeIndexEntry(w.t, idx, row); err == nil {
				keys = append(keys, k)
			}
		}
	}
	found, err := w.ec.Txn.ExistsMany(ctx, keys)
	if err != nil {
		return err
	}
	if w.ec.Stats != nil {
		w.ec.Stats.Gets.Add(int64(len(keys)))
	}
	clear(w.snap)
	if w.snap == nil {
		w.snap = make(map[string]bool, len(keys))
	}
	for i, k := range keys {
		w.snap[string(k)] = found[i]
	}
	return nil
}

// insert writes a new row and its index entries, failing with 23502 on a
// NULL in a NOT NULL column and 23505 if the primary key (unless checkPK
// is false: a generated rowid is unique by construction) or a unique
// index's key exists.
func (w *rowWriter) insert(ctx context.Context, row types.Datums, checkPK bool) error {
	if err := w.insertRow(ctx, row, checkPK); err != nil {
		return err
	}
	return w.fkInserted(ctx, row) // fk.go
}

// insertRow is insert without the foreign key work.
func (w *rowWriter) insertRow(ctx context.Context, row types.Datums, checkPK bool) error {
	if err := w.compute(row); err != nil {
		return err
	}
	if err := w.checkRow(row); err != nil { // check.go
		return err
	}
	key, err := rowenc.EncodePrimaryKey(w.t, row)
	if err != nil {
		return err
	}
	if checkPK {
		found, err := w.get(ctx, key)
		if err != nil {
			return err
		}
		if found {
			return duplicateKey(w.t, &w.t.PrimaryIndex, row)
		}
	}
	return w.write(ctx, key, row, w.ec.Txn.Insert)
}

// insertNew writes row, whose primary key key the caller found absent,
// and its index entries: the row's key with a plain put (ON CONFLICT's
// upsert, mutate.go), unique index entries checked as insert does.
func (w *rowWriter) insertNew(ctx context.Context, key kvpb.Key, row types.Datums) error {
	if err := w.compute(row); err != nil {
		return err
	}
	if err := w.write(ctx, key, row, w.ec.Txn.Put); err != nil {
		return err
	}
	return w.fkInserted(ctx, row)
}

// write stores row at key with put (Txn.Insert or Txn.Put) and its index
// entries.
func (w *rowWriter) write(ctx context.Context, key kvpb.Key, row types.Datums, put func(kvpb.Key, []byte) error) error {
	val, err := rowenc.EncodeValue(w.t, row)
	if err != nil {
		return err
	}
	if err := w.lock(); err != nil {
		return err
	}
	if err := put(key, val); err != nil {
		return err
	}
	for i := range w.t.Indexes {
		idx := &w.t.Indexes[i]
		if in, err := w.inIndex(idx, row); err != nil || !in {
			if err != nil {
				return err
			}
			continue
		}
		if err := w.putEntry(ctx, idx, row); err != nil {
			return err
		}
	}
	return nil
}

// update replaces the row stored at oldKey (old) with row. A changed
// primary key moves the row: the old row and entries are deleted and row
// is inserted with every check.
func (w *rowWriter) update(ctx context.Context, oldKey kvpb.Key, old, row types.Datums) error {
	if err := w.compute(row); err != nil {
		return err
	}
	if err := w.checkRow(row); err != nil { // check.go
		return err
	}
	newKey, err := rowenc.EncodePrimaryKey(w.t, row)
	if err != nil {
		return err
	}
	if !newKey.Equal(oldKey) {
		if err := w.deleteRow(oldKey, old); err != nil {
			return err
		}
		if err := w.insertRow(ctx, row, true); err != nil {
			return err
		}
		return w.fkUpdated(ctx, old, row) // fk.go
	}
	val, err := rowenc.EncodeValue(w.t, row)
	if err != nil {
		return err
	}
	if err := w.lock(); err != nil {
		return err
	}
	if err := w.ec.Txn.Put(oldKey, val); err != nil {
		return err
	}
	for i := range w.t.Indexes {
		idx := &w.t.Indexes[i]
		oldIn, err := w.inIndex(idx, old)
		if err != nil {
			return err
		}
		newIn, err := w.inIndex(idx, row)
		if err != nil {
			return err
		}
		ok, ov, err := rowenc.EncodeIndexEntry(w.t, idx, old)
		if err != nil {
			return err
		}
		nk, nv, err := rowenc.EncodeIndexEntry(w.t, idx, row)
		if err != nil {
			return err
		}
		switch {
		case !oldIn && !newIn:
			continue
		case oldIn && !newIn:
			if err := w.ec.Txn.Delete(ok); err != nil {
				return err
			}
			continue
		case !oldIn && newIn:
			if err := w.putEntry(ctx, idx, row); err != nil {
				return err
			}
			continue
		}
		if ok.Equal(nk) {
			if string(ov) != string(nv) {
				// Only a lossy column's exact value changed (1.0 → 1.00).
				if err := w.ec.Txn.Put(nk, nv); err != nil {
					return err
				}
			}
			continue
		}
		if err := w.ec.Txn.Delete(ok); err != nil {
			return err
		}
		if err := w.putEntry(ctx, idx, row); err != nil {
			return err
		}
	}
	return w.fkUpdated(ctx, old, row)
}

// delete removes the row stored at key (old) and its index entries, then
// applies the actions of the foreign keys that reference it.
func (w *rowWriter) delete(ctx context.Context, key kvpb.Key, old types.Datums) error {
	if err := w.deleteRow(key, old); err != nil {
		return err
	}
	return w.fkDeleted(ctx, old) // fk.go
}

// deleteRow is delete without the foreign key work.
func (w *rowWriter) deleteRow(key kvpb.Key, old types.Datums) error {
	if err := w.lock(); err != nil {
		return err
	}
	if err := w.ec.Txn.Delete(key); err != nil {
		return err
	}
	for i := range w.t.Indexes {
		idx := &w.t.Indexes[i]
		if in, err := w.inIndex(idx, old); err != nil || !in {
			if err != nil {
				return err
			}
			continue
		}
		k, _, err := rowenc.EncodeIndexEntry(w.t, idx, old)
		if err != nil {
			return err
		}
		if err := w.ec.Txn.Delete(k); err != nil {
			return err
		}
	}
	return nil
}

// putEntry writes row's entry in idx; in a unique index an entry without
// NULLs is checked first (23505) and written with Txn.Insert.
func (w *rowWriter) putEntry(ctx context.Context, idx *catalog.Index, row types.Datums) error {
	return putIndexEntry(ctx, w.ec, w.t, idx, row, w.get, func() error { return duplicateKey(w.t, idx, row) })
}

// putIndexEntry writes row's entry in idx, returning dup() when a unique
// entry's key is taken (exists tells).
func putIndexEntry(ctx context.Context, ec *Context, t *catalog.TableDescriptor, idx *catalog.Index, row types.Datums,
	exists func(context.Context, kvpb.Key) (bool, error), dup func() error) error {
	k, v, err := rowenc.EncodeIndexEntry(t, idx, row)
	if err != nil {
		return err
	}
	if !idx.Unique || rowenc.IndexHasNull(t, idx, row) {
		return ec.Txn.Put(k, v)
	}
	found, err := exists(ctx, k)
	if err != nil {
		return err
	}
	if found {
		return dup()
	}
	return ec.Txn.Insert(k, v)
}

// indexKeyString renders idx's columns of row as PostgreSQL's detail
// does: "(a, b)=(1, x)".
func indexKeyString(t *catalog.TableDescriptor, idx *catalog.Index, row types.Datums) string {
	var names, vals []string
	for _, id := range idx.ColumnIDs {
		ord := t.ColumnOrdinal(id)
		if c := &t.Columns[ord]; c.Computed != "" {
			names = append(names, c.Computed)
		} else {
			names = append(names, c.Name)
		}
		if row[ord] == types.DNull {
			vals = append(vals, "null")
		} else {
			vals = append(vals, types.String(row[ord]))
		}
	}
	return "(" + strings.Join(names, ", ") + ")=(" + strings.Join(vals, ", ") + ")"
}

// duplicateKey is the 23505 of a row whose key in idx (the primary or a
// unique index) exists.
func duplicateKey(t *catalog.TableDescriptor, idx *catalog.Index, row types.Datums) error {
	return pgerror.New(pgerror.CodeUniqueViolation, "duplicate key value violates unique constraint \"%s\"", idx.Name).
		WithDetail("Key %s already exists.", indexKeyString(t, idx, row))
}
