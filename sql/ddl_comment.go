package sql

import (
	"context"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file runs COMMENT ON for tables, views, sequences, indexes,
// columns and databases: the text is kept in the object's descriptor
// ("" removes it, as NULL does) and read back by obj_description and
// col_description (Description, exec.CatalogInfo).

func (s *Session) comment(ctx context.Context, c *ast.Comment) (string, error) {
	const tag = "COMMENT"
	if c.Kind == "DATABASE" {
		d, err := catalog.LookupDatabase(ctx, s.txn, c.Name.Name)
		if err != nil {
			return "", err
		}
		if d == nil {
			// A warning, as PostgreSQL gives it, so that a dump restored
			// under another database name still loads.
			s.queueWarningCode(pgerror.CodeInvalidCatalogName, "database \"%s\" does not exist", c.Name.Name)
			return tag, nil
		}
		d.Comment = c.Text
		if d.ID == s.db.ID {
			s.db.Comment = c.Text
		}
		return tag, catalog.WriteDatabase(ctx, s.txn, d)
	}
	if err := checkSchema(c.Name); err != nil {
		return "", err
	}
	if c.Kind == "INDEX" {
		t, idx, err := s.lookupIndex(ctx, c.Name, false)
		if err != nil {
			return "", err
		}
		if idx == nil {
			return "", pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", c.Name.Name)
		}
		idx.Comment = c.Text
		return tag, catalog.WriteTable(ctx, s.txn, t)
	}
	if c.Kind == "SEQUENCE" {
		d, err := catalog.LookupSequence(ctx, s.txn, s.db.ID, c.Name.Name)
		if err != nil {
			return "", err
		}
		if d == nil {
			return "", pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", c.Name.Name)
		}
		d.Comment = c.Text
		return tag, catalog.WriteSequence(ctx, s.txn, d)
	}
	rel, err := s.lookupRelation(ctx, c.Name)
	if err != nil {
		return "", err
	}
	switch {
	case !rel.Exists():
		return "", pgerror.New(pgerror.CodeUndefinedTable, "relation \"%s\" does not exist", c.Name.Name)
	case c.Kind == "TABLE" && rel.Table == nil:
		return "", pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a table", c.Name.Name)
	case c.Kind == "VIEW" && rel.View == nil:
		return "", pgerror.New(pgerror.CodeWrongObjectType, "\"%s\" is not a view", c.Name.Name)
	case c.Kind == "COLUMN" && rel.Table == nil:
		return "", pgerror.Unsupported("COMMENT ON COLUMN of a view")
	}
	switch c.Kind {
	case "TABLE":
		rel.Table.Comment = c.Text
	case "VIEW":
		rel.View.Comment = c.Text
		return tag, catalog.WriteView(ctx, s.txn, rel.View)
	case "COLUMN":
		ord := findVisibleColumn(rel.Table, c.Column)
		if ord < 0 {
			return "", pgerror.New(pgerror.CodeUndefinedColumn, "column \"%s\" of relation \"%s\" does not exist", c.Column, c.Name.Name)
		}
		rel.Table.Columns[ord].Comment = c.Text
	}
	return tag, catalog.WriteTable(ctx, s.txn, rel.Table)
}

// Description implements exec.CatalogInfo: the comment on the object
// with oid id in catalog class (pg_class, pg_database; sub > 0 a
// table's column by attnum).
func (s *Session) Description(id int64, class string, sub int) (string, bool) {
	ctx := context.Background()
	if class == "pg_database" {
		if uint64(id) == s.db.ID && s.db.Comment != "" {
			return s.db.Comment, true
		}
		return "", false
	}
	if class != "pg_class" {
		return "", false
	}
	if tag, table, low := splitOID(id); tag == oidTagIndex {
		if t := s.tableByID(table); t != nil && sub == 0 {
			if ix := t.IndexByID(catalog.IndexID(low)); ix != nil && ix.Comment != "" {
				return ix.Comment, true
			}
		}
		return "", false
	} else if tag != 0 || id <= 0 {
		return "", false
	}
	rel, err := catalog.GetRelation(ctx, s.txn, uint64(id))
	if err != nil {
		return "", false
	}
	var text string
	switch {
	case rel.Table != nil && sub > 0:
		cols := visibleColumns(rel.Table) // pgcatalog.go
		if sub <= len(cols) {
			text = cols[sub-1].Comment
		}
	case rel.Table != nil:
		text = rel.Table.Comment
	case rel.View != nil && sub == 0:
		text = rel.View.Comment
	default:
		if d, err := catalog.GetSequence(ctx, s.txn, uint64(id)); err == nil && d != nil && sub == 0 {
			text = d.Comment
		}
	}
	return text, text != ""
}

var _ exec.CatalogInfo = (*Session)(nil)
