package exec

import (
	"context"
	"errors"
	"strings"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/rowenc"
	"github.com/rangedb/rangedb/sql/types"
)

// mutationOp runs an INSERT, UPDATE or DELETE to completion on its first
// Next, then returns its RETURNING rows (buffered within the memory
// budget) or none. Count is the number of rows written.
type mutationOp struct {
	env   *evalEnv
	n     plan.Node
	ran   bool
	Count int
	rows  []types.Datums
	acct  memAccount
	// fk is the foreign key work of the current attempt (fk.go).
	fk *fkState
}

func newMutation(env *evalEnv, n plan.Node) (RowSource, error) {
	return &mutationOp{env: env, n: n}, nil
}

func (m *mutationOp) Next(ctx context.Context) (types.Datums, error) {
	if !m.ran {
		m.ran = true
		if err := m.run(ctx); err != nil {
			return nil, err
		}
	}
	return popRow(&m.rows), nil
}

// popRow removes and returns the first of *rows (nil when none is left).
func popRow(rows *[]types.Datums) types.Datums {
	if len(*rows) == 0 {
		return nil
	}
	r := (*rows)[0]
	*rows = (*rows)[1:]
	return r
}

// run runs the mutation; with pessimistic locking it then locks the keys
// written, running the mutation again on a newer snapshot after a
// conflict under READ COMMITTED (its writes undone first).
func (m *mutationOp) run(ctx context.Context) error {
	ec := m.env.ec
	if !ec.Pessimistic {
		return m.mutate(ctx)
	}
	return runLocking(ctx, ec, func() error {
		sp := ec.Txn.Savepoint()
		err := m.mutate(ctx)
		if err == nil {
			err = ec.Txn.LockKeys(ctx, ec.Txn.WrittenSince(sp), ec.Txn.ReadTs())
		}
		if err != nil {
			ec.Txn.RollbackToSavepoint(sp)
			return err
		}
		ec.Txn.ReleaseSavepoint(sp)
		return nil
	}, func() {
		m.rows, m.Count = nil, 0
		m.acct.close(ec)
	})
}

// mutate runs the mutation once, then the foreign key checks that wait
// for the statement's end.
func (m *mutationOp) mutate(ctx context.Context) error {
	if m.fk != nil {
		m.fk.close()
	}
	var main uint64
	_, isDelete := m.n.(*plan.Delete)
	switch x := m.n.(type) {
	case *plan.Insert:
		main = x.Table.ID
	case *plan.Update:
		main = x.Table.ID
	case *plan.Delete:
		main = x.Table.ID
	}
	m.fk = newFKState(m.env, main, isDelete)
	var err error
	switch x := m.n.(type) {
	case *plan.Insert:
		err = m.insert(ctx, x)
	case *plan.Update:
		err = m.update(ctx, x)
	case *plan.Delete:
		err = m.delete(ctx, x)
	}
	if err != nil {
		return err
	}
	return m.fk.finish(ctx)
}

// writer returns the row writer of the statement's table.
func (m *mutationOp) writer(t *catalog.TableDescriptor) *rowWriter {
	w := newRowWriter(m.env.ec, t)
	w.fk = m.fk
	return w
}

func (m *mutationOp) Close() {
	m.rows = nil
	m.acct.close(m.env.ec)
	if m.fk != nil {
		m.fk.close()
	}
}

// returning evaluates the RETURNING list over a table row.
func (m *mutationOp) returning(ret *plan.Returning, row types.Datums) error {
	if ret == nil {
		return nil
	}
	out := make(types.Datums, len(ret.Exprs))
	for i, e := range ret.Exprs {
		v, err := m.env.eval(e, row)
		if err != nil {
			return err
		}
		out[i] = v
	}
	if err := m.acct.grow(m.env.ec, rowSize(out), "RETURNING"); err != nil {
		return err
	}
	m.rows = append(m.rows, out)
	return nil
}

func (m *mutationOp) insert(ctx context.Context, n *plan.Insert) error {
	ec := m.env.ec
	src, err := build(m.env, n.Input)
	if err != nil {
		return err
	}
	defer src.Close()
	if plan.ReadsTable(n.Input, n.Table.ID) {
		// The rows written must not be read back by the input (index.go).
		if src, err = m.readAll(ctx, src); err != nil {
			return err
		}
	}
	rowidOrd := plan.RowIDOrdinal(n.Table)
	w := m.writer(n.Table)
	w.setChecks(m.env, n.Checks) // check.go
	w.setPredicates(m.env, n.IndexPreds)
	w.setComputed(m.env, n.Computed)
	// Rows are taken from the input in chunks, so that the existence
	// checks of a chunk's keys are one batched read (rowWriter.prefetch);
	// they are still checked and written one by one, in order.
	var (
		chunk   []types.Datums
		checkPK []bool
		// affected holds the primary keys this statement inserted or
		// updated, for ON CONFLICT DO UPDATE's "second time" error.
		affected = map[string]bool{}
	)
	for {
		chunk, checkPK = chunk[:0], checkPK[:0]
		var inErr error
		for len(chunk) < insertChunk {
			in, err := src.Next(ctx)
			if err != nil {
				inErr = err
				break
			}
			if in == nil {
				break
			}
			row := make(types.Datums, len(n.Table.Columns))
			for i := range row {
				row[i] = types.DNull
			}
			for i, ord := range n.Targets {
				v := in[i]
				if v != types.DNull {
					if v, err = types.AssignCast(v, n.Table.Columns[ord].Type, ec.fc()); err != nil {
						break
					}
				}
				row[ord] = v
			}
			if err != nil {
				// Reported after the rows before it, as PostgreSQL would.
				inErr = err
				break
			}
			// A generated rowid is unique by construction: no existence check.
			generated := rowidOrd >= 0 && row[rowidOrd] == types.DNull
			if generated {
				row[rowidOrd] = types.DInt(ec.RowID())
			}
			chunk, checkPK = append(chunk, row), append(checkPK, !generated)
		}
		if len(chunk) > 1 && n.OnConflict == nil {
			if err := w.prefetch(ctx, chunk, checkPK); err != nil {
				return err
			}
		}
		for i, row := range chunk {
			if n.OnConflict != nil {
				out, err := m.upsert(ctx, n, w, row, affected)
				if err != nil {
					return err
				}
				if out != nil {
					m.Count++
					if err := m.returning(n.Returning, out); err != nil {
						return err
					}
				}
				continue
			}
			if err := w.insert(ctx, row, checkPK[i]); err != nil {
				return err
			}
			m.Count++
			if err := m.returning(n.Returning, row); err != nil {
				return err
			}
		}
		if inErr != nil || len(chunk) < insertChunk {
			return inErr
		}
	}
}

// upsert inserts row under ON CONFLICT: a row whose key in an arbiter
// index exists is skipped (DO NOTHING, or DO UPDATE whose WHERE rejects
// it) or updates the existing row. It returns the row written, nil when
// none. With the primary key as the only arbiter, a new row's key is
// written with a plain put, so a row another transaction inserts
// concurrently is a write conflict (the statement or its implicit
// transaction runs again and meets the row) rather than a unique
// violation; with other arbiters the row is inserted with every check,
// so a conflict on another unique index is 23505 as in PostgreSQL.
func (m *mutationOp) upsert(ctx context.Context, n *plan.Insert, w *rowWriter, row types.Datums, affected map[string]bool) (types.Datums, error) {
	t := n.Table
	if err := w.compute(row); err != nil {
		return nil, err
	}
	if err := w.checkRow(row); err != nil { // check.go
		return nil, err
	}
	key, val, found, err := m.conflicting(ctx, t, n.OnConflict.Arbiters, row)
	if err != nil {
		return nil, err
	}
	if !found {
		pk, err := rowenc.EncodePrimaryKey(t, row)
		if err != nil {
			return nil, err
		}
		if len(n.OnConflict.Arbiters) == 1 && n.OnConflict.Arbiters[0] == &t.PrimaryIndex {
			err = w.insertNew(ctx, pk, row)
		} else {
			err = w.insert(ctx, row, true)
		}
		if err != nil {
			return nil, err
		}
		affected[string(pk)] = true
		return row, nil
	}
	oc := n.OnConflict
	if !oc.DoUpdate {
		return nil, nil
	}
	if affected[string(key)] {
		return nil, pgerror.New("21000", "ON CONFLICT DO UPDATE command cannot affect row a second time").
			WithHint("Ensure that no rows proposed for insertion within the same command have duplicate constrained values.")
	}
	old := make(types.Datums, len(t.Columns))
	if err := rowenc.DecodePrimaryKey(t, key, old); err != nil {
		return nil, err
	}
	if err := rowenc.DecodeValue(t, val, old); err != nil {
		return nil, err
	}
	both := append(append(make(types.Datums, 0, 2*len(old)), old...), row...)
	if oc.Where != nil {
		ok, err := m.env.evalFilter(oc.Where, both)
		if err != nil || !ok {
			return nil, err
		}
	}
	upd := append(types.Datums(nil), old...)
	for _, s := range oc.Sets {
		v, err := m.env.eval(s.Expr, both)
		if err != nil {
			return nil, err
		}
		upd[s.Ordinal] = v
	}
	if err := w.update(ctx, key, old, upd); err != nil {
		return nil, err
	}
	affected[string(key)] = true
	return upd, nil
}

// conflicting finds the existing row (its primary key and value) that
// row's key in one of the arbiter indexes collides with, as the
// transaction sees the table.
func (m *mutationOp) conflicting(ctx context.Context, t *catalog.TableDescriptor, arbiters []*catalog.Index, row types.Datums) (kvpb.Key, []byte, bool, error) {
	ec := m.env.ec
	get := func(k kvpb.Key) ([]byte, bool, error) {
		if ec.Stats != nil {
			ec.Stats.Gets.Add(1)
		}
		return ec.Txn.Get(ctx, k)
	}
	for _, idx := range arbiters {
		if idx == &t.PrimaryIndex {
			key, err := rowenc.EncodePrimaryKey(t, row)
			if err != nil {
				return nil, nil, false, err
			}
			val, found, err := get(key)
			if err != nil || found {
				return key, val, found, err
			}
			continue
		}
		if rowenc.IndexHasNull(t, idx, row) {
			continue // NULLs never conflict
		}
		k, _, err := rowenc.EncodeIndexEntry(t, idx, row)
		if err != nil {
			return nil, nil, false, err
		}
		ev, found, err := get(k)
		if err != nil {
			return nil, nil, false, err
		}
		if !found {
			continue
		}
		other := make(types.Datums, len(t.Columns))
		if err := rowenc.DecodeIndexEntry(t, idx, k, ev, other); err != nil {
			return nil, nil, false, err
		}
		key, err := rowenc.EncodePrimaryKey(t, other)
		if err != nil {
			return nil, nil, false, err
		}
		val, found, err := get(key)
		if err != nil || found {
			return key, val, found, err
		}
	}
	return nil, nil, false, nil
}

// insertChunk is how many input rows an INSERT checks and writes at a time.
const insertChunk = 512

func (m *mutationOp) delete(ctx context.Context, n *plan.Delete) error {
	src, err := m.tableRows(n.Input)
	if err != nil {
		return err
	}
	defer src.Close()
	w := m.writer(n.Table)
	w.setPredicates(m.env, n.IndexPreds)
	for {
		key, row, err := src.nextRow(ctx)
		if err != nil {
			return err
		}
		if row == nil {
			return nil
		}
		if err := w.delete(ctx, key, row); err != nil {
			return err
		}
		m.Count++
		if err := m.returning(n.Returning, row); err != nil {
			return err
		}
	}
}

// tableRows returns the scan under a mutation's input.
func (m *mutationOp) tableRows(n plan.Node) (*scanOp, error) {
	src, err := buildOp(m.env, n)
	if err != nil {
		return nil, err
	}
	s, ok := src.(*scanOp)
	if !ok {
		return nil, errors.New("exec: mutation input is not a scan")
	}
	return s, nil
}

func (m *mutationOp) update(ctx context.Context, n *plan.Update) error {
	src, err := m.tableRows(n.Input)
	if err != nil {
		return err
	}
	defer src.Close()
	type pending struct {
		key kvpb.Key
		row types.Datums
	}
	var moved []pending
	w := m.writer(n.Table)
	w.setChecks(m.env, n.Checks) // check.go
	w.setPredicates(m.env, n.IndexPreds)
	w.setComputed(m.env, n.Computed)
	readFirst := updateReadsFirst(n) // index.go
	for {
		key, row, err := src.nextRow(ctx)
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		if readFirst {
			// Read everything first: a row moved forward (in the primary
			// key or the index scanned) must not be met again by this scan.
			if err := m.acct.grow(m.env.ec, rowSize(row)+int64(len(key)), "UPDATE"); err != nil {
				return err
			}
			moved = append(moved, pending{key: append(kvpb.Key(nil), key...), row: row})
			continue
		}
		if err := m.updateRow(ctx, n, w, key, row); err != nil {
			return err
		}
	}
	for i, p := range moved {
		if i%256 == 255 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if err := m.updateRow(ctx, n, w, p.key, p.row); err != nil {
			return err
		}
	}
	return nil
}

func (m *mutationOp) updateRow(ctx context.Context, n *plan.Update, w *rowWriter, key kvpb.Key, old types.Datums) error {
	ec := m.env.ec
	row := append(types.Datums(nil), old...)
	for _, s := range n.Sets {
		d, err := m.env.eval(s.Expr, old)
		if err != nil {
			return err
		}
		if d != types.DNull {
			if d, err = types.AssignCast(d, n.Table.Columns[s.Ordinal].Type, ec.fc()); err != nil {
				return err
			}
		}
		row[s.Ordinal] = d
	}
	if err := w.compute(row); err != nil { // RETURNING sees the generated columns
		return err
	}
	if err := checkNotNull(n.Table, row); err != nil {
		return err
	}
	m.Count++
	if err := m.returning(n.Returning, row); err != nil {
		return err
	}
	return w.update(ctx, key, old, row)
}

// checkNotNull returns 23502 if row has NULL in a NOT NULL column.
func checkNotNull(t *catalog.TableDescriptor, row types.Datums) error {
	for i := range t.Columns {
		c := &t.Columns[i]
		if !c.Nullable && row[i] == types.DNull {
			return pgerror.New(pgerror.CodeNotNullViolation,
				"null value in column \"%s\" of relation \"%s\" violates not-null constraint", c.Name, t.Name).
				WithDetail("Failing row contains (%s).", rowString(t, row))
		}
	}
	return nil
}

func rowString(t *catalog.TableDescriptor, row types.Datums) string {
	var parts []string
	for i := range t.Columns {
		if !t.Columns[i].Hidden {
			parts = append(parts, types.String(row[i]))
		}
	}
	return strings.Join(parts, ", ")
}

// MapCommitError turns a kv error met at commit into the SQL error a
// client expects: a racing insert of an existing key (OpInsert's check at
// prewrite) becomes 23505.
func MapCommitError(err error) error {
	var ke *kvpb.KeyExistsError
	if errors.As(err, &ke) {
		return pgerror.New(pgerror.CodeUniqueViolation, "duplicate key value violates unique constraint").
			WithDetail("Key %s already exists.", ke.Key)
	}
	return err
}
