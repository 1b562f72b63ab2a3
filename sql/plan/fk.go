package plan

import (
	"context"

	"github.com/rangedb/rangedb/sql/catalog"
)

// WriteTarget is a table another table's FOREIGN KEY action writes (or
// whose rows a FOREIGN KEY check reads), bound for the row writer of
// sql/exec: its CHECK constraints, sorted by name, and for ON … SET
// DEFAULT the DEFAULT of each column (nil where the column has none,
// which sets NULL).
type WriteTarget struct {
	Table      *catalog.TableDescriptor
	Checks     []CheckExpr
	Defaults   []Expr
	IndexPreds map[catalog.IndexID]Expr
	Computed   []ComputedExpr
}

// BindWriteTarget binds t's CHECK constraints and the DEFAULTs of the
// columns of its FOREIGN KEYs with an ON … SET DEFAULT action.
func BindWriteTarget(ctx context.Context, r Resolver, t *catalog.TableDescriptor) (*WriteTarget, error) {
	b := &builder{ctx: ctx, r: r}
	checks, err := b.bindChecks(t)
	if err != nil {
		return nil, err
	}
	preds, err := b.bindIndexPredicates(t)
	if err != nil {
		return nil, err
	}
	computed, err := b.bindComputed(t)
	if err != nil {
		return nil, err
	}
	wt := &WriteTarget{Table: t, Checks: checks, Defaults: make([]Expr, len(t.Columns)), IndexPreds: preds, Computed: computed}
	for _, fk := range t.ForeignKeys {
		if fk.OnDelete != catalog.FKSetDefault && fk.OnUpdate != catalog.FKSetDefault {
			continue
		}
		for _, id := range fk.ColumnIDs {
			ord := t.ColumnOrdinal(id)
			if ord < 0 || wt.Defaults[ord] != nil || t.Columns[ord].Default == "" {
				continue
			}
			if wt.Defaults[ord], err = b.columnDefault(t, ord); err != nil {
				return nil, err
			}
		}
	}
	return wt, nil
}
