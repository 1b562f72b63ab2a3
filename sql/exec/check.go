package exec

import (
	"context"

	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
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
	return forEachRow(ctx, ec, t, func(row types.Datums) error {
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
		return nil
	})
}
