package exec

import (
	"context"
	"errors"
	"slices"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// lockRowsOp runs SELECT … FOR UPDATE: its input runs to completion (the
// rows held within the memory budget) while the scan named by the plan
// collects the primary keys of the rows it produces; those rows are then
// locked pessimistically (kv.Txn.LockKeys) before any is returned. A row
// written since the statement's snapshot runs the statement again on a
// newer one under READ COMMITTED — PostgreSQL instead re-checks only that
// row, with the same result for a single-table query — and fails it with
// 40001 under REPEATABLE READ.
type lockRowsOp struct {
	env  *evalEnv
	n    *plan.LockRows
	ran  bool
	rows []types.Datums
	acct memAccount
}

func (l *lockRowsOp) Next(ctx context.Context) (types.Datums, error) {
	if !l.ran {
		l.ran = true
		ec := l.env.ec
		err := runLocking(ctx, ec, func() error {
			var keys []kvpb.Key
			if err := l.read(ctx, &keys); err != nil {
				return err
			}
			return l.lock(ctx, keys)
		}, func() {
			l.rows = nil
			l.acct.close(ec)
		})
		if err != nil {
			return nil, err
		}
	}
	return popRow(&l.rows), nil
}

// maxStatementRetries bounds how often a READ COMMITTED statement is run
// again after its pessimistic locks met newer writes.
const maxStatementRetries = 100

// runLocking runs attempt, a statement that ends by taking pessimistic
// locks at its snapshot. When a lock meets a write newer than the
// snapshot, READ COMMITTED runs it again on a fresh snapshot (reset first
// drops what the attempt produced); REPEATABLE READ returns the conflict
// (40001).
func runLocking(ctx context.Context, ec *Context, attempt func() error, reset func()) error {
	for n := 0; ; n++ {
		err := attempt()
		var wc *kvpb.WriteConflictError
		if err == nil || !errors.As(err, &wc) || ec.RepeatableRead || n == maxStatementRetries {
			return err
		}
		if err := ec.Txn.RefreshReadTs(ctx); err != nil {
			return err
		}
		ec.subCache = nil
		reset()
	}
}

// read runs the input, keeping its rows and the scanned rows' keys.
func (l *lockRowsOp) read(ctx context.Context, keys *[]kvpb.Key) error {
	env := &evalEnv{ec: l.env.ec, ctx: l.env.ctx, lockScan: l.n.Scan, lockKeys: keys}
	in, err := build(env, l.n.Input)
	if err != nil {
		return err
	}
	defer in.Close()
	for {
		row, err := in.Next(ctx)
		if err != nil || row == nil {
			return err
		}
		if err := l.acct.grow(l.env.ec, rowSize(row), "FOR UPDATE"); err != nil {
			return err
		}
		l.rows = append(l.rows, row)
	}
}

// lock locks keys at the statement's snapshot; NOWAIT fails at once when
// another transaction holds one.
func (l *lockRowsOp) lock(ctx context.Context, keys []kvpb.Key) error {
	txn := l.env.ec.Txn
	if l.n.NoWait {
		prev := txn.LockTimeout()
		txn.SetLockTimeout(time.Nanosecond)
		defer txn.SetLockTimeout(prev)
	}
	err := txn.LockKeys(ctx, sortedKeys(keys), txn.ReadTs())
	var lt *kvpb.LockWaitTimeoutError
	if l.n.NoWait && errors.As(err, &lt) {
		return pgerror.New(pgerror.CodeLockNotAvailable, "could not obtain lock on row in relation \"%s\"", l.n.Scan.Table.Name)
	}
	return err
}

func (l *lockRowsOp) Close() {
	l.rows = nil
	l.acct.close(l.env.ec)
}

// sortedKeys sorts keys and drops duplicates.
func sortedKeys(keys []kvpb.Key) []kvpb.Key {
	slices.SortFunc(keys, func(a, b kvpb.Key) int { return a.Compare(b) })
	return slices.CompactFunc(keys, func(a, b kvpb.Key) bool { return a.Equal(b) })
}
