package parser

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// generatedColumn translates GENERATED ALWAYS AS (expr) STORED.
func (t *translator) generatedColumn(con *pg_query.Constraint, cd *ast.ColumnDef, ct *ast.CreateTable) error {
	if cd.Generated != nil {
		return pgerror.New(pgerror.CodeSyntaxError, "multiple generation clauses specified for column \"%s\" of table \"%s\"", cd.Name, ct.Table.Name).
			WithPosition(t.pos(con.Location))
	}
	x, err := t.expr(con.RawExpr)
	if err != nil {
		return err
	}
	text, err := deparseExpr(con.RawExpr)
	if err != nil {
		return pgerror.New(pgerror.CodeInternalError, "deparsing a generation expression: %v", err)
	}
	cd.Generated, cd.GeneratedText, cd.GeneratedPos = x, text, t.pos(con.Location)
	return nil
}
