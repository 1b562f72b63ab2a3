package parser

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/rangedb/rangedb/sql/ast"
)

// vacuum translates VACUUM and ANALYZE with PostgreSQL 15's options;
// the tables named must exist (their columns are not checked).
func (t *translator) vacuum(s *pg_query.VacuumStmt) (ast.Statement, error) {
	v := &ast.Vacuum{IsVacuum: s.IsVacuumcmd}
	for _, o := range s.Options {
		de := o.GetDefElem()
		if de == nil {
			continue
		}
		switch de.Defname {
		case "verbose", "analyze", "full", "freeze", "skip_locked", "disable_page_skipping",
			"index_cleanup", "process_toast", "truncate", "parallel":
		default:
			return nil, t.unsupported(v.StatementTag()+" option "+de.Defname, de.Location)
		}
	}
	for _, r := range s.Rels {
		vr := r.GetVacuumRelation()
		if vr == nil || vr.Relation == nil {
			continue
		}
		tn, err := t.tableName(vr.Relation)
		if err != nil {
			return nil, err
		}
		v.Tables = append(v.Tables, tn)
	}
	return v, nil
}
