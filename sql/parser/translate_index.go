package parser

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file translates CREATE INDEX, DROP INDEX, REINDEX and UNIQUE
// constraints. What pg_query refuses (REINDEX without INDEX/TABLE,
// SQLite's UNIQUE (a(1))) is a syntax error before reaching here, as in
// PostgreSQL.

func (t *translator) createIndex(s *pg_query.IndexStmt) (ast.Statement, error) {
	loc := s.Relation.GetLocation()
	switch {
	case s.AccessMethod != "" && s.AccessMethod != "btree":
		return nil, t.unsupported("index access method \""+s.AccessMethod+"\"", loc)
	case len(s.Options) > 0:
		return nil, t.unsupported("WITH (storage parameters)", loc)
	case s.TableSpace != "":
		return nil, t.unsupported("TABLESPACE", loc)
	case s.NullsNotDistinct:
		return nil, t.unsupported("NULLS NOT DISTINCT", loc)
	}
	tn, err := t.tableName(s.Relation)
	if err != nil {
		return nil, err
	}
	ci := &ast.CreateIndex{Name: s.Idxname, Table: tn, Unique: s.Unique, IfNotExists: s.IfNotExists, Concurrently: s.Concurrent}
	if s.WhereClause != nil {
		if ci.Where, err = t.expr(s.WhereClause); err != nil {
			return nil, err
		}
		if ci.WhereText, err = deparseExpr(s.WhereClause); err != nil {
			return nil, pgerror.New(pgerror.CodeInternalError, "deparsing WHERE: %v", err)
		}
	}
	for _, p := range s.IndexParams {
		col, err := t.indexElem(p.GetIndexElem(), loc)
		if err != nil {
			return nil, err
		}
		ci.Columns = append(ci.Columns, col)
	}
	for _, p := range s.IndexIncludingParams {
		col, err := t.indexElem(p.GetIndexElem(), loc)
		if err != nil {
			return nil, err
		}
		ci.Include = append(ci.Include, col)
	}
	return ci, nil
}

func (t *translator) indexElem(e *pg_query.IndexElem, loc int32) (ast.IndexColumn, error) {
	switch {
	case e == nil:
		return ast.IndexColumn{}, t.unsupported("index element", loc)
	case len(e.Collation) > 0:
		return ast.IndexColumn{}, t.unsupported("COLLATE in index columns", loc)
	case len(e.Opclass) > 1:
		return ast.IndexColumn{}, t.unsupported("schema-qualified operator classes", loc)
	case len(e.Opclassopts) > 0:
		return ast.IndexColumn{}, t.unsupported("operator class options", loc)
	}
	// PostgreSQL reports an unknown index column without a position.
	col := ast.IndexColumn{Name: e.Name, Desc: e.Ordering == pg_query.SortByDir_SORTBY_DESC}
	if e.Expr != nil {
		x, err := t.expr(e.Expr)
		if err != nil {
			return col, err
		}
		text, err := deparseExpr(e.Expr)
		if err != nil {
			return col, pgerror.New(pgerror.CodeInternalError, "deparsing an index expression: %v", err)
		}
		col.Expr, col.ExprText = x, text
	}
	if len(e.Opclass) == 1 {
		col.Opclass = e.Opclass[0].GetString_().GetSval()
	}
	switch e.NullsOrdering {
	case pg_query.SortByNulls_SORTBY_NULLS_FIRST:
		v := true
		col.NullsFirst = &v
	case pg_query.SortByNulls_SORTBY_NULLS_LAST:
		v := false
		col.NullsFirst = &v
	}
	return col, nil
}

// uniqueConstraint adds a UNIQUE constraint to ct: a column constraint
// when col is set (its column), else a table constraint (its keys).
func (t *translator) uniqueConstraint(con *pg_query.Constraint, col *pg_query.ColumnDef, ct *ast.CreateTable) error {
	switch {
	case len(con.Including) > 0:
		return t.unsupported("INCLUDE", con.Location)
	case len(con.Options) > 0 || con.Indexspace != "" || con.Indexname != "":
		return t.unsupported("UNIQUE constraint options", con.Location)
	case con.Deferrable || con.Initdeferred:
		return t.unsupported("DEFERRABLE", con.Location)
	case con.NullsNotDistinct:
		return t.unsupported("NULLS NOT DISTINCT", con.Location)
	}
	u := ast.UniqueConstraint{Name: con.Conname, Pos: t.pos(con.Location)}
	if col != nil {
		u.Columns = []ast.IndexColumn{{Name: col.Colname, Pos: t.pos(con.Location)}}
	} else {
		for _, k := range con.Keys {
			u.Columns = append(u.Columns, ast.IndexColumn{Name: k.GetString_().GetSval(), Pos: t.pos(con.Location)})
		}
	}
	ct.Uniques = append(ct.Uniques, u)
	return nil
}

func (t *translator) dropIndex(s *pg_query.DropStmt) (ast.Statement, error) {
	di := &ast.DropIndex{IfExists: s.MissingOk, Cascade: s.Behavior == pg_query.DropBehavior_DROP_CASCADE, Concurrently: s.Concurrent}
	if s.Concurrent && len(s.Objects) > 1 {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "DROP INDEX CONCURRENTLY does not support dropping multiple objects")
	}
	if s.Concurrent && di.Cascade {
		return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "DROP INDEX CONCURRENTLY does not support CASCADE")
	}
	names, err := dropNames(s.Objects)
	if err != nil {
		return nil, err
	}
	di.Names = names
	return di, nil
}

func (t *translator) reindex(s *pg_query.ReindexStmt) (ast.Statement, error) {
	switch s.Kind {
	case pg_query.ReindexObjectType_REINDEX_OBJECT_INDEX, pg_query.ReindexObjectType_REINDEX_OBJECT_TABLE:
	default:
		name := strings.TrimPrefix(s.Kind.String(), "REINDEX_OBJECT_")
		return nil, pgerror.Unsupported("REINDEX " + name)
	}
	tn, err := t.tableName(s.Relation)
	if err != nil {
		return nil, err
	}
	return &ast.Reindex{Table: s.Kind == pg_query.ReindexObjectType_REINDEX_OBJECT_TABLE, Name: tn}, nil
}
