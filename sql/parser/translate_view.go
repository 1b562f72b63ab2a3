package parser

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file translates CREATE VIEW and DROP VIEW. A view keeps its query
// as text: pg_query deparses the SELECT's tree, so what is stored is
// PostgreSQL's own rendering of it, re-parsed with ParseSelect when the
// view is used.

func (t *translator) createView(s *pg_query.ViewStmt) (ast.Statement, error) {
	loc := s.View.GetLocation()
	switch {
	case s.View.GetRelpersistence() == "t":
		return nil, t.unsupported("TEMPORARY views", loc)
	case s.WithCheckOption == pg_query.ViewCheckOption_LOCAL_CHECK_OPTION ||
		s.WithCheckOption == pg_query.ViewCheckOption_CASCADED_CHECK_OPTION:
		return nil, t.unsupported("WITH CHECK OPTION", loc)
	case len(s.Options) > 0:
		return nil, t.unsupported("WITH (view options)", loc)
	}
	sel := s.Query.GetSelectStmt()
	if sel == nil {
		return nil, t.unsupported("view query "+nodeTypeName(s.Query), loc)
	}
	tn, err := t.tableName(s.View)
	if err != nil {
		return nil, err
	}
	q, err := t.query(sel)
	if err != nil {
		return nil, err
	}
	text, err := deparse(s.Query)
	if err != nil {
		return nil, pgerror.New(pgerror.CodeInternalError, "deparsing the view's query: %v", err)
	}
	cv := &ast.CreateView{Name: tn, Replace: s.Replace, Select: q, Query: text}
	for _, a := range s.Aliases {
		cv.Columns = append(cv.Columns, a.GetString_().GetSval())
	}
	return cv, nil
}

func (t *translator) dropView(s *pg_query.DropStmt) (ast.Statement, error) {
	if s.Concurrent {
		return nil, pgerror.Unsupported("DROP ... CONCURRENTLY")
	}
	dv := &ast.DropView{IfExists: s.MissingOk, Cascade: s.Behavior == pg_query.DropBehavior_DROP_CASCADE}
	for _, obj := range s.Objects {
		name, err := dropObjectName(obj)
		if err != nil {
			return nil, err
		}
		dv.Names = append(dv.Names, name)
	}
	return dv, nil
}

// dropObjectName is one name of a DROP statement's object list.
func dropObjectName(obj *pg_query.Node) (ast.TableName, error) {
	var parts []string
	for _, it := range obj.GetList().GetItems() {
		parts = append(parts, it.GetString_().GetSval())
	}
	switch len(parts) {
	case 1:
		return ast.TableName{Name: parts[0]}, nil
	case 2:
		return ast.TableName{Schema: parts[0], Name: parts[1]}, nil
	}
	return ast.TableName{}, pgerror.New(pgerror.CodeFeatureNotSupported,
		"cross-database references are not implemented: \"%s\"", strings.Join(parts, "."))
}

// ParseSelect parses a view's stored query text.
func ParseSelect(text string) (*ast.Select, error) {
	st, err := ParseOne(text)
	if err != nil {
		return nil, err
	}
	sel, ok := st.AST.(*ast.Select)
	if !ok {
		return nil, pgerror.New(pgerror.CodeInternalError, "view query is a %s, not a SELECT", st.AST.StatementTag())
	}
	return sel, nil
}

// deparse renders a statement's tree as SQL text. Deparse wants the parse
// tree's version, which only a parse result carries.
func deparse(stmt *pg_query.Node) (string, error) {
	probe, err := pg_query.Parse("SELECT")
	if err != nil {
		return "", err
	}
	return pg_query.Deparse(&pg_query.ParseResult{Version: probe.Version, Stmts: []*pg_query.RawStmt{{Stmt: stmt}}})
}
