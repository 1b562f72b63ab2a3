package exec

import (
	"context"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/rowenc"
	"github.com/rangedb/rangedb/sql/types"
)

// This file evaluates CHECK constraints for the row writer: every row an
// INSERT, UPDATE or ON CONFLICT DO UPDATE writes passes the NOT NULL
// checks, then each CHECK of the plan (sorted by name, as PostgreSQL's
// ExecConstraints), before any key is checked or written.

// setChecks gives w the CHECK constraints of its statement's plan,
// evaluated in env.
func (w *rowWriter) setChecks(env *evalEnv, checks []plan.CheckExpr) {
	w.env, w.checks = env, checks
}

// checkRow returns 23502 for a NULL in a NOT NULL column, else 23514 for
// the first CHECK that row makes false.
func (w *rowWriter) checkRow(row types.Datums) error {
	if err := checkNotNull(w.t, row); err != nil {
		return err
	}
	for _, c := range w.checks {
		d, err := w.env.eval(c.Expr, row)
		if err != nil {
			return err
		}
		if plan.CheckFails(d) {
			return pgerror.New(pgerror.CodeCheckViolation, "new row for relation \"%s\" violates check constraint \"%s\"", w.t.Name, c.Name).
				WithDetail("Failing row contains (%s).", rowString(w.t, row))
		}
	}
	return nil
}

// ValidateTable scans every row of t in ec's transaction (decoded with
// t, so a column t adds reads NULL) for ALTER TABLE: a NULL in a column
// of notNull is 23502, a row that makes one of checks false is 23514,
// both worded as PostgreSQL words them for existing rows.
func ValidateTable(ctx context.Context, ec *Context, t *catalog.TableDescriptor, notNull []int, checks []plan.CheckExpr) error {
	if len(notNull) == 0 && len(checks) == 0 {
		return nil
	}
	env := &evalEnv{ec: ec, ctx: ctx}
	prefix := rowenc.IndexPrefix(t, &t.PrimaryIndex)
	span := &kvpb.Span{Key: prefix, EndKey: kvpb.PrefixEnd(prefix)}
	n := 0
	for span != nil {
		if err := ctx.Err(); err != nil {
			return err
		}
		rows, resume, err := ec.Txn.Scan(ctx, *span, ec.batchSize(), DefaultScanBatchBytes)
		if err != nil {
			return err
		}
		if ec.Stats != nil {
			ec.Stats.Scans.Add(1)
			ec.Stats.KeysRead.Add(int64(len(rows)))
		}
		for _, kv := range rows {
			if n++; n%256 == 0 {
				if err := ctx.Err(); err != nil {
					return err
				}
			}
			row := make(types.Datums, len(t.Columns))
			if err := rowenc.DecodePrimaryKey(t, kv.Key, row); err != nil {
				return err
			}
			if err := rowenc.DecodeValue(t, kv.Value, row); err != nil {
				return err
			}
			for _, ord := range notNull {
				if row[ord] == types.DNull {
					return pgerror.New(pgerror.CodeNotNullViolation, "column \"%s\" of relation \"%s\" contains null values",
						t.Columns[ord].Name, t.Name)
				}
			}
			for _, c := range checks {
				d, err := env.eval(c.Expr, row)
				if err != nil {
					return err
				}
				if plan.CheckFails(d) {
					return pgerror.New(pgerror.CodeCheckViolation, "check constraint \"%s\" of relation \"%s\" is violated by some row",
						c.Name, t.Name)
				}
			}
		}
		span = resume
	}
	return nil
}
