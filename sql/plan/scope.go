package plan

import (
	"context"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// builder holds the state of planning one statement.
type builder struct {
	ctx context.Context
	r   Resolver
	// params are the types of $1…$n: given by the client, or inferred from
	// the first context that wants one (nil until then).
	params []*types.T
	// paramRefs are the Param nodes per index, retyped when inference ends.
	paramRefs map[int][]*Param
	nSub      int
	views     viewState // view.go
	// ctes are the WITH clauses in force, outermost first (cte.go).
	ctes []cteLevel
	// inCheck names what is bound while a CHECK constraint or an index
	// predicate is ("check constraint", "index predicate": check.go),
	// where subqueries are refused.
	inCheck string
	// nWith numbers the WITH clauses planned (cte.go).
	nWith int
	// hiddenCTEs are the CTE names the definitions being planned cannot
	// see (cte.go).
	hiddenCTEs []string
	// rec are the CTEs of WITH RECURSIVE clauses being planned,
	// outermost first (recursive.go).
	rec []*recFrame
}

// scopeCol is a column visible to expressions: its position in the row the
// expressions are evaluated over is its index in scope.cols.
type scopeCol struct {
	table   string // the alias or table name that qualifies it
	name    string
	typ     *types.T
	tableID uint64
	colID   catalog.ColumnID
	hidden  bool
	// usingHidden marks the copy of a JOIN … USING column that is merged
	// away (using.go): only a qualified name reaches it.
	usingHidden bool
	// generated marks a generated column another generation expression
	// may not read (BindGenerated).
	generated bool
}

// qualified returns "table.name" (or the name for a computed column).
func (c *scopeCol) qualified() string {
	if c.table == "" {
		return c.name
	}
	return c.table + "." + c.name
}

// scopeTable is a relation of FROM and the range of its columns.
type scopeTable struct {
	name       string
	start, end int
}

// scope is what column references can see at one query level.
type scope struct {
	cols   []scopeCol
	tables []scopeTable
	// usingJoins are the JOIN … USING pairs of this level (using.go).
	usingJoins []usingJoin
	parent     *scope
	// correlated is set when an expression of this level (or deeper)
	// referenced a column of parent.
	correlated bool
	// aggs collects aggregate calls when they are allowed (select list,
	// HAVING, ORDER BY of a query); nil where they are not, with noAggs
	// naming the clause for the error.
	aggs   *[]*AggFunc
	noAggs string
	// windows collects window function calls where they are allowed
	// (select list and ORDER BY); nil elsewhere.
	windows *[]*WindowFunc
	// selfRef is set when FROM reads a recursive CTE's work table
	// (recursive.go): aggregates are not allowed at this level.
	selfRef bool
}

func (s *scope) addTable(name string, t *catalog.TableDescriptor) {
	start := len(s.cols)
	for i := range t.Columns {
		c := &t.Columns[i]
		s.cols = append(s.cols, scopeCol{table: name, name: c.Name, typ: c.Type, tableID: t.ID, colID: c.ID, hidden: c.Hidden})
	}
	s.tables = append(s.tables, scopeTable{name: name, start: start, end: len(s.cols)})
}

func (s *scope) findTable(name string) *scopeTable {
	for i := range s.tables {
		if s.tables[i].name == name {
			return &s.tables[i]
		}
	}
	return nil
}

// resolveColumn finds a column at this level: its ordinal, or -1. A name
// found in two tables is 42702.
func (s *scope) resolveColumn(x *ast.ColumnRef) (int, error) {
	found := -1
	for i := range s.cols {
		c := &s.cols[i]
		if c.name != x.Name || (x.Table != "" && c.table != x.Table) || (x.Table == "" && c.usingHidden) {
			continue
		}
		if found >= 0 {
			return -1, pgerror.New(pgerror.CodeAmbiguousColumn, "column reference \"%s\" is ambiguous", x.String()).WithPosition(x.Pos)
		}
		found = i
	}
	if found >= 0 && s.cols[found].generated {
		return -1, pgerror.New("42P17", "cannot use generated column \"%s\" in column generation expression", x.Name).
			WithDetail("A generated column cannot reference another generated column.").WithPosition(x.Pos)
	}
	return found, nil
}
