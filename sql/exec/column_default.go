package exec

import (
	"context"
	"slices"

	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/rowenc"
	"github.com/rangedb/rangedb/sql/types"
)

// This file computes the values ALTER TABLE … ADD COLUMN … DEFAULT gives
// existing rows, as PostgreSQL does: a non-volatile default is evaluated
// once (MissingValue, stored in the column's descriptor and read by
// rowenc.DecodeValue for rows without the column); a volatile one is
// evaluated for every row and written into it (BackfillColumn).

// MissingValue evaluates e, the bound DEFAULT of a column of type typ
// (no row in scope), and returns its tagged value encoding for
// catalog.Column.Missing: nil when it is NULL.
func MissingValue(ctx context.Context, ec *Context, e plan.Expr, typ *types.T) ([]byte, error) {
	d, err := evalDefault(&evalEnv{ec: ec, ctx: ctx}, e, typ)
	if err != nil || d == types.DNull {
		return nil, err
	}
	return rowenc.AppendValueDatum(nil, d)
}

// evalDefault evaluates a bound DEFAULT and assigns it to its column's
// type typ, as a row write does (a numeric's scale, a char's padding).
func evalDefault(env *evalEnv, e plan.Expr, typ *types.T) (types.Datum, error) {
	d, err := env.eval(e, nil)
	if err != nil || d == types.DNull {
		return d, err
	}
	return types.AssignCast(d, typ, env.ec.fc())
}

// BackfillColumn writes e, evaluated for each row, into the column of t
// at ord in every existing row, through a rowWriter in ec.Txn (bounded
// by its write buffer). The indexes in skip (new ones, backfilled
// afterwards) are left alone; preds are the partial indexes' predicates.
func BackfillColumn(ctx context.Context, ec *Context, t *catalog.TableDescriptor, ord int, e plan.Expr, skip []catalog.IndexID, preds map[catalog.IndexID]plan.Expr, computed []plan.ComputedExpr) error {
	wt := *t
	wt.Indexes = nil
	for _, idx := range t.Indexes {
		if !slices.Contains(skip, idx.ID) {
			wt.Indexes = append(wt.Indexes, idx)
		}
	}
	w := newRowWriter(ec, &wt)
	env := &evalEnv{ec: ec, ctx: ctx}
	w.setPredicates(env, preds)
	w.setComputed(env, computed)
	return forEachRow(ctx, ec, t, func(old types.Datums) error {
		// A computed column's expression reads the row; a DEFAULT none.
		d, err := env.eval(e, old)
		if err == nil && d != types.DNull {
			d, err = types.AssignCast(d, t.Columns[ord].Type, ec.fc())
		}
		if err != nil {
			return err
		}
		key, err := rowenc.EncodePrimaryKey(t, old)
		if err != nil {
			return err
		}
		row := append(types.Datums(nil), old...)
		row[ord] = d
		return w.update(ctx, key, old, row)
	})
}
