package sql

import (
	"context"

	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// refreshPlan plans a prepared INSERT, UPDATE or DELETE again when the
// descriptor of the table it writes changed since it was planned (ALTER
// TABLE, CREATE/DROP INDEX in an earlier transaction): a plan kept by a
// prepared statement must not write rows without a new index's entries
// or past a new CHECK. The schema lock only catches a change that
// overlaps the writing transaction (catalog.LockForWrite). A new plan
// whose result columns differ is 0A000, as PostgreSQL's "cached plan
// must not change result type".
func (s *Session) refreshPlan(ctx context.Context, pp *preparedPlan) error {
	t := mutationTable(pp.node)
	if t == nil {
		return nil
	}
	rel, err := catalog.GetRelation(ctx, s.txn, t.ID)
	if err != nil {
		return err
	}
	if rel.Table != nil && rel.Table.Version == t.Version {
		return nil
	}
	fresh, err := s.prepare(ctx, pp.Stmt, pp.ParamTypes)
	if err != nil {
		return err
	}
	if !sameTypes(fresh.ColumnTypes, pp.ColumnTypes) || !sameTypes(fresh.ParamTypes, pp.ParamTypes) {
		return pgerror.New(pgerror.CodeFeatureNotSupported, "cached plan must not change result type")
	}
	pp.node = fresh.node
	return nil
}

// mutationTable returns the table an INSERT, UPDATE or DELETE plan (or
// its EXPLAIN) writes, nil for other plans.
func mutationTable(n plan.Node) *catalog.TableDescriptor {
	switch x := n.(type) {
	case *plan.Insert:
		return x.Table
	case *plan.Update:
		return x.Table
	case *plan.Delete:
		return x.Table
	case *plan.Explain:
		return mutationTable(x.Plan)
	}
	return nil
}

func sameTypes(a, b []*types.T) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if !a[i].Identical(b[i]) {
			return false
		}
	}
	return true
}
