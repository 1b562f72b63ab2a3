package sql

import (
	"context"
	"errors"
	"fmt"

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
			s.queueNotice(pgerror.CodeDuplicateTable, "relation \"%s\" already exists, skipping", desc.Name)
			return "CREATE TABLE", nil
		}
		return "", pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", desc.Name)
	}
	if err := s.createTableChecks(ctx, ct, desc); err != nil { // ddl_check.go
		return "", err
	}
	if err := s.bindColumnDefaults(ctx, ct, desc); err != nil { // ddl_sequence.go
		return "", err
	}
	for i, cd := range ct.Columns {
		if cd.Generated != nil {
			if _, err := plan.BindGenerated(ctx, &resolver{s: s}, desc, desc.FindColumn(ct.Columns[i].Name), cd.Generated); err != nil {
				return "", err
			}
		}
	}
	id, err := catalog.AllocateID(ctx, s.e.cfg.DB)
	if err != nil {
		return "", err
	}
	desc.ID, desc.ParentID = id, s.db.ID
	if err := catalog.CreateTable(ctx, s.txn, desc); err != nil {
		if errors.Is(err, catalog.ErrNameExists) {
			if ct.IfNotExists {
				s.queueNotice(pgerror.CodeDuplicateTable, "relation \"%s\" already exists, skipping", desc.Name)
				return "CREATE TABLE", nil // the name is a view's
			}
			return "", pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", desc.Name)
		}
		return "", err
	}
	if s.createdNames == nil {
		s.createdNames = map[string]string{}
	}
	s.createdNames[string(kvpb.NamespaceKey(s.db.ID, desc.Name))] = desc.Name
	if err := s.createColumnSequences(ctx, ct, desc); err != nil { // serial, identity: ddl_sequence.go
		return "", err
	}
	if err := s.createTableIndexes(ctx, ct, desc); err != nil { // ddl_index.go
		return "", err
	}
	if err := s.createTableForeignKeys(ctx, ct, desc); err != nil { // ddl_fk.go
		return "", err
	}
	// Once committed, the table gets its own range (table_split.go).
	id, name := desc.ID, desc.Name
	s.onCommit = append(s.onCommit, func(ctx context.Context, _ kvpb.Timestamp) {
		s.e.splits.splitTable(ctx, id, name)
	})
	return "CREATE TABLE", nil
}

func (s *Session) dropTable(ctx context.Context, dt *ast.DropTable) (string, error) {
	var rels []catalog.Relation
	for _, name := range dt.Names {
		rel, err := s.lookupRelation(ctx, name)
		if err != nil {
			return "", err
		}
		if !rel.Exists() {
			if err := s.notAnIndex(ctx, name, "table"); err != nil { // ddl_index.go
				return "", err
			}
			if err := s.notASequenceTable(ctx, name); err != nil { // ddl_sequence.go
				return "", err
			}
			if dt.IfExists {
				s.queueNotice("00000", "table \"%s\" does not exist, skipping", name.Name)
				continue
			}
			return "", pgerror.New(pgerror.CodeUndefinedTable, "table \"%s\" does not exist", name.Name)
		}
		if rel.View != nil {
			return "", pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a table", name.Name).
				WithHint("Use DROP VIEW to remove a view.")
		}
		rels = append(rels, rel)
	}
	// So do the foreign keys that reference them (ddl_fk.go) and the
	// views that depend on them (ddl_view.go).
	if err := s.dropTablesForeignKeys(ctx, rels, dt.Cascade); err != nil {
		return "", err
	}
	if err := s.dropRelations(ctx, rels, dt.Cascade); err != nil {
		return "", err
	}
	return "DROP TABLE", nil
}

// dropTableDesc deletes a table's descriptor and clears its span once the
// transaction commits.
func (s *Session) dropTableDesc(ctx context.Context, desc *catalog.TableDescriptor) error {
	if err := catalog.DropTable(ctx, s.txn, desc); err != nil {
		return err
	}
	if err := s.dropOwnedSequences(ctx, desc); err != nil { // ddl_sequence.go
		return err
	}
	span := catalog.TableSpan(desc.ID)
	s.onCommit = append(s.onCommit, func(ctx context.Context, commitTs kvpb.Timestamp) {
		s.e.gc.enqueue(ctx, span, commitTs, "table "+desc.Name)
	})
	return nil
}

// truncate runs TRUNCATE: each table moves to fresh, empty index spans
// (every index, the primary one too, gets a new id) in the transaction,
// under the table's schema change lock, so it rolls back like any DDL and
// a writer that planned with the old layout cannot commit; once it
// commits, the old spans are cleared with ranged deletes on every range
// they cover, when no open transaction can still read them (gc.go). So a
// table of a million rows truncates in one small transaction.
func (s *Session) truncate(ctx context.Context, tr *ast.Truncate) (string, error) {
	var tables []*catalog.TableDescriptor
	for _, name := range tr.Tables {
		rel, err := s.lookupRelation(ctx, name)
		if err != nil {
			return "", err
		}
		if !rel.Exists() {
			return "", pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", name.Name)
		}
		if rel.View != nil {
			return "", pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a table", name.Name)
		}
		tables = append(tables, rel.Table)
	}
	tables, err := s.truncateForeignKeys(ctx, tables, tr.Cascade) // ddl_fk.go
	if err != nil {
		return "", err
	}
	if tr.RestartIdentity {
		if err := s.restartOwnedSequences(ctx, tables); err != nil { // ddl_sequence.go
			return "", err
		}
	}
	for _, t := range tables {
		if err := catalog.LockForSchemaChange(s.txn, t.ID); err != nil {
			return "", err
		}
		olds, err := catalog.RenumberIndexes(ctx, s.txn, t)
		if err != nil {
			return "", err
		}
		if err := catalog.WriteTable(ctx, s.txn, t); err != nil {
			return "", err
		}
		for _, id := range olds {
			prefix := kvpb.IndexKeyPrefix(t.ID, uint64(id))
			span := kvpb.Span{Key: prefix, EndKey: kvpb.PrefixEnd(prefix)}
			what := fmt.Sprintf("index %d of truncated table %s", id, t.Name)
			s.onCommit = append(s.onCommit, func(ctx context.Context, commitTs kvpb.Timestamp) {
				s.e.gc.enqueue(ctx, span, commitTs, what)
			})
		}
	}
	return "TRUNCATE TABLE", nil
}

// lookupRelation finds the table or view name names in the session's
// database (a schema other than public has none); !Exists() when absent.
func (s *Session) lookupRelation(ctx context.Context, name ast.TableName) (catalog.Relation, error) {
	if name.Schema != "" && name.Schema != "public" {
		return catalog.Relation{}, nil
	}
	return catalog.LookupRelation(ctx, s.txn, s.db.ID, name.Name)
}
