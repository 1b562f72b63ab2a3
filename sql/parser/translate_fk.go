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
	fk := ast.ForeignKeyConstraint{Name: con.Conname, Pos: t.pos(con.Location), NotValid: con.SkipValidation}
	if con.Deferrable || con.Initdeferred {
		return fk, t.unsupported("DEFERRABLE foreign keys", con.Location)
	}
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

// deferralAttr reports whether a column constraint is one of the
// deferral attributes (DEFERRABLE, INITIALLY DEFERRED and their
// opposites), which PostgreSQL applies to the constraint before them:
// only the defaults are accepted.
func (t *translator) deferralAttr(con *pg_query.Constraint) (bool, error) {
	switch con.Contype {
	case pg_query.ConstrType_CONSTR_ATTR_NOT_DEFERRABLE, pg_query.ConstrType_CONSTR_ATTR_IMMEDIATE:
		return true, nil
	case pg_query.ConstrType_CONSTR_ATTR_DEFERRABLE, pg_query.ConstrType_CONSTR_ATTR_DEFERRED:
		return true, t.unsupported("DEFERRABLE constraints", con.Location)
	}
	return false, nil
}
