package sql

import (
	"context"
	"errors"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
)

func checkSchema(n ast.TableName) error {
	if n.Schema != "" && n.Schema != "public" {
		return pgerror.New(pgerror.CodeInvalidSchemaName, "schema \"%s\" does not exist", n.Schema).WithPosition(n.Pos)
	}
	return nil
}

func (s *Session) createTable(ctx context.Context, ct *ast.CreateTable) (string, error) {
	if err := checkSchema(ct.Table); err != nil {
		return "", err
	}
	desc, err := plan.BuildCreateTable(ct)
	if err != nil {
		return "", err
	}
	existing, err := catalog.LookupTable(ctx, s.txn, s.db.ID, desc.Name)
	if err != nil {
		return "", err
	}
	if existing != nil {
		if ct.IfNotExists {
			// PostgreSQL sends NOTICE "relation already exists, skipping".
			return "CREATE TABLE", nil
		}
		return "", pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", desc.Name)
	}
	id, err := catalog.AllocateID(ctx, s.e.cfg.DB)
	if err != nil {
		return "", err
	}
	desc.ID, desc.ParentID = id, s.db.ID
	if err := catalog.CreateTable(ctx, s.txn, desc); err != nil {
		if errors.Is(err, catalog.ErrNameExists) {
			return "", pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", desc.Name)
		}
		return "", err
	}
	if s.createdNames == nil {
		s.createdNames = map[string]string{}
	}
	s.createdNames[string(kvpb.NamespaceKey(s.db.ID, desc.Name))] = desc.Name
	return "CREATE TABLE", nil
}

func (s *Session) dropTable(ctx context.Context, dt *ast.DropTable) (string, error) {
	for _, name := range dt.Names {
		var desc *catalog.TableDescriptor
		if name.Schema == "" || name.Schema == "public" {
			var err error
			if desc, err = catalog.LookupTable(ctx, s.txn, s.db.ID, name.Name); err != nil {
				return "", err
			}
		}
		if desc == nil {
			if dt.IfExists {
				continue // PostgreSQL sends NOTICE "table does not exist, skipping".
			}
			return "", pgerror.New(pgerror.CodeUndefinedTable, "table \"%s\" does not exist", name.Name)
		}
		if err := catalog.DropTable(ctx, s.txn, desc); err != nil {
			return "", err
		}
		span := catalog.TableSpan(desc.ID)
		s.onCommit = append(s.onCommit, func(ctx context.Context) {
			// The descriptor is gone in a committed transaction: nothing
			// reaches the span any more, so a failure here only leaves
			// garbage behind (to be collected by a later GC job).
			ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), postCommitTimeout)
			defer cancel()
			if err := s.e.cfg.DB.ClearRange(ctx, span); err != nil {
				s.e.log.Warn("clearing dropped table's span failed", "table", desc.Name, "id", desc.ID, "err", err)
			}
		})
	}
	return "DROP TABLE", nil
}
