package parser

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// createDatabase translates CREATE DATABASE: the options that describe
// what rangedb has (UTF8, the default template, locales it does not
// change) are accepted; others are 0A000 naming them.
func (t *translator) createDatabase(s *pg_query.CreatedbStmt) (ast.Statement, error) {
	for _, o := range s.Options {
		de := o.GetDefElem()
		if de == nil {
			continue
		}
		val := defElemString(de)
		switch de.Defname {
		case "encoding":
			if v := strings.ToUpper(strings.ReplaceAll(val, "-", "")); v != "UTF8" && v != "6" {
				return nil, pgerror.Unsupported("CREATE DATABASE with ENCODING " + val)
			}
		case "template":
			if val != "template0" && val != "template1" {
				return nil, pgerror.Unsupported("CREATE DATABASE with TEMPLATE " + val)
			}
		case "owner", "connection_limit", "is_template", "allow_connections", "lc_collate", "lc_ctype",
			"locale", "locale_provider", "strategy", "icu_locale", "collation_version", "oid":
		default:
			return nil, t.unsupported("CREATE DATABASE option "+de.Defname, de.Location)
		}
	}
	return &ast.CreateDatabase{Name: s.Dbname}, nil
}

func (t *translator) dropDatabase(s *pg_query.DropdbStmt) (ast.Statement, error) {
	dd := &ast.DropDatabase{Name: s.Dbname, IfExists: s.MissingOk}
	for _, o := range s.Options {
		if de := o.GetDefElem(); de != nil && de.Defname == "force" {
			dd.Force = true
		}
	}
	return dd, nil
}

// defElemString is an option's value as text.
func defElemString(de *pg_query.DefElem) string {
	if de.Arg == nil {
		return ""
	}
	switch v := de.Arg.GetNode().(type) {
	case *pg_query.Node_String_:
		return v.String_.Sval
	case *pg_query.Node_Integer:
		return strconv.Itoa(int(v.Integer.Ival))
	case *pg_query.Node_TypeName:
		if n := v.TypeName.GetNames(); len(n) > 0 {
			return n[len(n)-1].GetString_().GetSval()
		}
	}
	return ""
}
