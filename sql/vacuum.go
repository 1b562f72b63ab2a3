package sql

import (
	"context"
	"strings"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// vacuum runs VACUUM and ANALYZE: rangedb keeps no dead tuples for
// VACUUM to reclaim (MVCC versions are collected by the storage layer)
// and no planner statistics, so both only check what PostgreSQL checks
// — VACUUM outside a transaction block, the tables named exist — and
// answer with PostgreSQL's tag.
func (s *Session) vacuum(ctx context.Context, v *ast.Vacuum) (string, error) {
	if v.IsVacuum && s.mode == modeExplicit {
		return "", pgerror.New(pgerror.CodeActiveSQLTransaction, "VACUUM cannot run inside a transaction block")
	}
	for _, name := range v.Tables {
		rel, err := s.lookupRelation(ctx, name)
		if err != nil {
			return "", err
		}
		if !rel.Exists() {
			return "", pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", name.Name)
		}
		if rel.View != nil {
			s.queueWarning("skipping \"%s\" --- cannot %s non-tables or special system tables", name.Name, strings.ToLower(v.StatementTag()))
		}
	}
	return v.StatementTag(), nil
}
