package parser

import (
	"strconv"
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// copyStmt translates COPY. Only the client ends (STDIN, STDOUT) are
// built: a server-side file or PROGRAM is refused with 0A000 naming it, as
// is COPY FROM … WHERE and COPY of a statement other than SELECT.
// Options are kept as written; sql/exec checks them.
func (t *translator) copyStmt(s *pg_query.CopyStmt) (ast.Statement, error) {
	switch {
	case s.IsProgram:
		return nil, pgerror.Unsupported("COPY to or from an external program")
	case s.Filename != "":
		return nil, pgerror.Unsupported("COPY to or from a file")
	case s.WhereClause != nil:
		if !s.IsFrom {
			return nil, pgerror.New(pgerror.CodeFeatureNotSupported, "WHERE clause not allowed with COPY TO")
		}
		return nil, pgerror.Unsupported("COPY FROM … WHERE")
	}
	c := &ast.Copy{From: s.IsFrom}
	if s.Query != nil {
		sel := s.Query.GetSelectStmt()
		if sel == nil {
			verb := strings.ToUpper(strings.TrimSuffix(nodeTypeName(s.Query), "Stmt"))
			return nil, pgerror.Unsupported("COPY (" + verb + " … RETURNING) TO")
		}
		q, err := t.query(sel)
		if err != nil {
			return nil, err
		}
		c.Query = q
	} else {
		tn, err := t.tableName(s.Relation)
		if err != nil {
			return nil, err
		}
		c.Table = tn
		for _, a := range s.Attlist {
			c.Columns = append(c.Columns, ast.Name{Name: a.GetString_().GetSval()})
		}
	}
	for _, o := range s.Options {
		d := o.GetDefElem()
		if d == nil {
			continue
		}
		opt := ast.CopyOption{Name: d.Defname, Pos: t.pos(d.Location)}
		if d.Arg != nil {
			opt.HasValue = true
			switch a := d.Arg.GetNode().(type) {
			case *pg_query.Node_String_:
				opt.Value = a.String_.Sval
			case *pg_query.Node_Boolean:
				opt.Value = strconv.FormatBool(a.Boolean.Boolval)
			case *pg_query.Node_Integer:
				opt.Value = strconv.Itoa(int(a.Integer.Ival))
			case *pg_query.Node_Float:
				opt.Value = a.Float.Fval
			case *pg_query.Node_AStar:
				opt.Star = true
			case *pg_query.Node_List:
				for _, it := range a.List.Items {
					opt.List = append(opt.List, it.GetString_().GetSval())
				}
			default:
				return nil, pgerror.New(pgerror.CodeSyntaxError, "invalid value for COPY option \"%s\"", d.Defname).WithPosition(opt.Pos)
			}
		}
		c.Options = append(c.Options, opt)
	}
	return c, nil
}
