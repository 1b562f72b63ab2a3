package sql

import (
	"context"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// alterOwner runs ALTER TABLE | SEQUENCE | VIEW … OWNER TO. rangedb has
// one role, which owns everything: giving an object to it changes
// nothing (so pg_dump's output loads); any other role does not exist.
func (s *Session) alterOwner(ctx context.Context, ao *ast.AlterOwner) (string, error) {
	tag := ao.StatementTag()
	if !ao.Current && ao.Role != s.user {
		return "", pgerror.New(pgerror.CodeUndefinedObject, "role \"%s\" does not exist", ao.Role)
	}
	if err := checkSchema(ao.Name); err != nil {
		return "", err
	}
	rel, err := s.lookupRelation(ctx, ao.Name)
	if err != nil {
		return "", err
	}
	if !rel.Exists() {
		seq, err := catalog.LookupSequence(ctx, s.txn, s.db.ID, ao.Name.Name)
		if err != nil {
			return "", err
		}
		if seq == nil {
			if ao.IfExists {
				s.queueNotice("00000", "relation \"%s\" does not exist, skipping", ao.Name.Name)
				return tag, nil
			}
			return "", pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", ao.Name.Name)
		}
	}
	return tag, nil
}
