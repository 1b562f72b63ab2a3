package parser

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/rangedb/rangedb/sql/ast"
)

// alterOwner translates ALTER TABLE | SEQUENCE | VIEW name OWNER TO role
// (what pg_dump writes after each object); ok is false for any other
// ALTER TABLE.
func (t *translator) alterOwner(s *pg_query.AlterTableStmt) (ast.Statement, bool, error) {
	if len(s.Cmds) != 1 {
		return nil, false, nil
	}
	c := s.Cmds[0].GetAlterTableCmd()
	if c == nil || c.Subtype != pg_query.AlterTableType_AT_ChangeOwner {
		return nil, false, nil
	}
	switch s.Objtype {
	case pg_query.ObjectType_OBJECT_TABLE, pg_query.ObjectType_OBJECT_SEQUENCE, pg_query.ObjectType_OBJECT_VIEW:
	default:
		return nil, false, nil
	}
	tn, err := t.tableName(s.Relation)
	if err != nil {
		return nil, true, err
	}
	ao := &ast.AlterOwner{Kind: strings.TrimPrefix(s.Objtype.String(), "OBJECT_"), Name: tn, IfExists: s.MissingOk}
	if r := c.Newowner; r != nil {
		switch r.Roletype {
		case pg_query.RoleSpecType_ROLESPEC_CSTRING:
			ao.Role = r.Rolename
		default:
			ao.Current = true // CURRENT_USER, SESSION_USER, CURRENT_ROLE
		}
	}
	return ao, true, nil
}
