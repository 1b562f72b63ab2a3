package parser

import (
	"strings"

	pg_query "github.com/pganalyze/pg_query_go/v6"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// comment translates COMMENT ON for the objects rangedb keeps comments
// on; others are 0A000 naming them.
func (t *translator) comment(s *pg_query.CommentStmt) (ast.Statement, error) {
	c := &ast.Comment{Text: s.Comment}
	var names []string
	switch o := s.Object.GetNode().(type) {
	case *pg_query.Node_List:
		for _, n := range o.List.Items {
			names = append(names, n.GetString_().GetSval())
		}
	case *pg_query.Node_String_:
		names = []string{o.String_.Sval}
	}
	rel := func(parts []string) (ast.TableName, error) {
		switch len(parts) {
		case 1:
			return ast.TableName{Name: parts[0]}, nil
		case 2:
			return ast.TableName{Schema: parts[0], Name: parts[1]}, nil
		case 3:
			return ast.TableName{}, pgerror.New(pgerror.CodeFeatureNotSupported,
				"cross-database references are not implemented: \"%s\"", strings.Join(parts, "."))
		}
		return ast.TableName{}, pgerror.Unsupported("COMMENT ON of this name")
	}
	var err error
	switch s.Objtype {
	case pg_query.ObjectType_OBJECT_TABLE, pg_query.ObjectType_OBJECT_VIEW, pg_query.ObjectType_OBJECT_SEQUENCE,
		pg_query.ObjectType_OBJECT_INDEX:
		c.Kind = strings.TrimPrefix(s.Objtype.String(), "OBJECT_")
		c.Name, err = rel(names)
	case pg_query.ObjectType_OBJECT_COLUMN:
		c.Kind = "COLUMN"
		if len(names) < 2 {
			return nil, pgerror.New(pgerror.CodeSyntaxError, "column name must be qualified")
		}
		c.Column = names[len(names)-1]
		c.Name, err = rel(names[:len(names)-1])
	case pg_query.ObjectType_OBJECT_DATABASE:
		c.Kind = "DATABASE"
		if len(names) == 1 {
			c.Name = ast.TableName{Name: names[0]}
		}
	default:
		return nil, pgerror.Unsupported("COMMENT ON " + strings.ReplaceAll(strings.TrimPrefix(s.Objtype.String(), "OBJECT_"), "_", " "))
	}
	if err != nil {
		return nil, err
	}
	return c, nil
}
