package parser

import (
	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// foreignKey translates a FOREIGN KEY table constraint, or a column's
// REFERENCES constraint when column is set (its one referencing column).
// MATCH PARTIAL is refused as PostgreSQL refuses it; DEFERRABLE and
// ON DELETE SET NULL (columns) are 0A000.
func (t *translator) foreignKey(con *pg_query.Constraint, column string) (ast.ForeignKeyConstraint, error) {
	fk := ast.ForeignKeyConstraint{Name: con.Conname, Pos: t.pos(con.Location), NotValid: con.SkipValidation,
		Deferrable: con.Deferrable || con.Initdeferred, InitiallyDeferred: con.Initdeferred}
	if len(con.FkDelSetCols) > 0 {
		return fk, t.unsupported("ON DELETE SET NULL/SET DEFAULT with a column list", con.Location)
	}
	switch con.FkMatchtype {
	case "", "s":
	case "f":
		fk.MatchFull = true
	default:
		return fk, pgerror.New(pgerror.CodeFeatureNotSupported, "MATCH PARTIAL not yet implemented").
			WithPosition(t.pos(con.Location))
	}
	action := func(a string) byte {
		switch a {
		case "r", "c", "n", "d":
			return a[0]
		}
		return 'a'
	}
	fk.OnDelete, fk.OnUpdate = action(con.FkDelAction), action(con.FkUpdAction)
	ref, err := t.tableName(con.Pktable)
	if err != nil {
		return fk, err
	}
	fk.RefTable = ref
	if column != "" {
		fk.Columns = []string{column}
	}
	for _, n := range con.FkAttrs {
		fk.Columns = append(fk.Columns, n.GetString_().GetSval())
	}
	for _, n := range con.PkAttrs {
		fk.RefColumns = append(fk.RefColumns, n.GetString_().GetSval())
	}
	return fk, nil
}

// deferralAttr applies a column constraint that is a deferral attribute
// (DEFERRABLE, INITIALLY DEFERRED and their opposites) to the foreign
// key before it (fk, nil when the constraint before it is another kind,
// whose deferral is not built), as PostgreSQL's transformConstraintAttrs
// does; it reports whether con was one.
func (t *translator) deferralAttr(con *pg_query.Constraint, fk *ast.ForeignKeyConstraint, seen map[pg_query.ConstrType]bool) (bool, error) {
	switch con.Contype {
	case pg_query.ConstrType_CONSTR_ATTR_DEFERRABLE, pg_query.ConstrType_CONSTR_ATTR_NOT_DEFERRABLE,
		pg_query.ConstrType_CONSTR_ATTR_DEFERRED, pg_query.ConstrType_CONSTR_ATTR_IMMEDIATE:
	default:
		return false, nil
	}
	deferrable := con.Contype == pg_query.ConstrType_CONSTR_ATTR_DEFERRABLE || con.Contype == pg_query.ConstrType_CONSTR_ATTR_NOT_DEFERRABLE
	if seen[con.Contype] || (deferrable && (seen[pg_query.ConstrType_CONSTR_ATTR_DEFERRABLE] || seen[pg_query.ConstrType_CONSTR_ATTR_NOT_DEFERRABLE])) {
		what := "DEFERRABLE"
		if !deferrable {
			what = "INITIALLY IMMEDIATE/DEFERRED"
		}
		return true, pgerror.New(pgerror.CodeSyntaxError, "multiple %s clauses not allowed", what).WithPosition(t.pos(con.Location))
	}
	seen[con.Contype] = true
	if fk == nil {
		if con.Contype == pg_query.ConstrType_CONSTR_ATTR_DEFERRABLE || con.Contype == pg_query.ConstrType_CONSTR_ATTR_DEFERRED {
			return true, t.unsupported("DEFERRABLE constraints other than foreign keys", con.Location)
		}
		return true, nil
	}
	switch con.Contype {
	case pg_query.ConstrType_CONSTR_ATTR_DEFERRABLE:
		fk.Deferrable = true
	case pg_query.ConstrType_CONSTR_ATTR_NOT_DEFERRABLE:
		if fk.InitiallyDeferred {
			return true, pgerror.New(pgerror.CodeSyntaxError, "constraint declared INITIALLY DEFERRED must be DEFERRABLE").WithPosition(t.pos(con.Location))
		}
		fk.Deferrable = false
	case pg_query.ConstrType_CONSTR_ATTR_DEFERRED:
		if seen[pg_query.ConstrType_CONSTR_ATTR_NOT_DEFERRABLE] {
			return true, pgerror.New(pgerror.CodeSyntaxError, "constraint declared INITIALLY DEFERRED must be DEFERRABLE").WithPosition(t.pos(con.Location))
		}
		fk.InitiallyDeferred, fk.Deferrable = true, true
	case pg_query.ConstrType_CONSTR_ATTR_IMMEDIATE:
		fk.InitiallyDeferred = false
	}
	return true, nil
}

// setConstraints translates SET CONSTRAINTS.
func (t *translator) setConstraints(s *pg_query.ConstraintsSetStmt) (ast.Statement, error) {
	sc := &ast.SetConstraints{Deferred: s.Deferred, All: len(s.Constraints) == 0}
	for _, n := range s.Constraints {
		rv := n.GetRangeVar()
		if rv == nil {
			return nil, pgerror.Unsupported("SET CONSTRAINTS of " + nodeTypeName(n))
		}
		sc.Names = append(sc.Names, ast.TableName{Schema: rv.Schemaname, Name: rv.Relname, Pos: t.pos(rv.Location)})
	}
	return sc, nil
}

func isDeferralAttr(c pg_query.ConstrType) bool {
	switch c {
	case pg_query.ConstrType_CONSTR_ATTR_DEFERRABLE, pg_query.ConstrType_CONSTR_ATTR_NOT_DEFERRABLE,
		pg_query.ConstrType_CONSTR_ATTR_DEFERRED, pg_query.ConstrType_CONSTR_ATTR_IMMEDIATE:
		return true
	}
	return false
}
