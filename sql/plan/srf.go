package plan

import (
	"strings"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// This file plans set-returning functions in FROM. The only one is
// generate_series(start, stop [, step]) over integers, numeric and
// timestamps. A function in FROM is a join unit of its own, like a
// derived table; its arguments cannot read the other items of its FROM
// (that takes LATERAL), but may read enclosing queries.

// FuncScan produces the rows of a set-returning function: one column,
// one row per value. sql/exec evaluates Args once when it opens the
// node.
type FuncScan struct {
	Name string
	Args []Expr
	Cols []Column
}

// Columns implements Node.
func (n *FuncScan) Columns() []Column { return n.Cols }

// Children implements Node.
func (n *FuncScan) Children() []Node { return nil }

func (n *FuncScan) describe() (string, []string) {
	return "function scan " + n.Name, []string{"call: " + n.Name + "(" + exprList(n.Args) + ")"}
}

// seriesSigs are generate_series's signatures in PostgreSQL.
var seriesSigs = []overload{
	sig(types.Int4, types.Int4, types.Int4), sig(types.Int4, types.Int4, types.Int4, types.Int4),
	sig(types.Int8, types.Int8, types.Int8), sig(types.Int8, types.Int8, types.Int8, types.Int8),
	sig(types.Numeric, types.Numeric, types.Numeric), sig(types.Numeric, types.Numeric, types.Numeric, types.Numeric),
	sig(types.Timestamp, types.Timestamp, types.Timestamp, types.Interval),
	sig(types.TimestampTZ, types.TimestampTZ, types.TimestampTZ, types.Interval),
}

// addFuncUnit adds a function of FROM as a composite unit.
func (b *builder) addFuncUnit(ref *ast.FuncRef, s *scope, fp *fromPlan) error {
	f := ref.Func
	if ok, err := b.addCatalogFuncUnit(ref, s, fp); ok { // funcs_catalog.go
		return err
	}
	if ref.Ordinality {
		return pgerror.Unsupported("WITH ORDINALITY").WithPosition(f.Pos)
	}
	if _, ok := jsonSRFs[f.Name]; ok || jsonUnsupported[f.Name] {
		return b.addJSONFuncUnit(ref, s, fp) // funcs_json.go
	}
	if f.Name != "generate_series" {
		if _, ok := builtins[f.Name]; ok {
			return pgerror.Unsupported("function " + f.Name + " in FROM").WithPosition(f.Pos)
		}
		if _, ok := moreBuiltins[f.Name]; ok {
			return pgerror.Unsupported("function " + f.Name + " in FROM").WithPosition(f.Pos)
		}
		if isAggregate(f.Name) {
			return pgerror.New(pgerror.CodeGroupingError, "aggregate functions are not allowed in functions in FROM").WithPosition(f.Pos)
		}
		// Bind the arguments for their types, for PostgreSQL's 42883.
		inner := &scope{parent: s.parent, noAggs: "functions in FROM"}
		argTypes := make([]*types.T, len(f.Args))
		for i, a := range f.Args {
			e, err := b.bindExpr(a, inner, nil)
			if err != nil {
				return err
			}
			argTypes[i] = e.ResultType()
		}
		return undefinedFunction(f.Name, argTypes, f.Pos)
	}
	if f.Star || f.Distinct || f.Filter != nil || len(f.OrderBy) > 0 {
		return pgerror.New(pgerror.CodeWrongObjectType, "generate_series is not an aggregate function").WithPosition(f.Pos)
	}
	name := ref.Alias
	if name == "" {
		name = f.Name
	}
	if s.findTable(name) != nil {
		return pgerror.New(pgerror.CodeDuplicateAlias, "table name \"%s\" specified more than once", name).WithPosition(ref.Pos)
	}
	inner := &scope{parent: s.parent, noAggs: "functions in FROM"}
	args := make([]Expr, len(f.Args))
	argTypes := make([]*types.T, len(f.Args))
	for i, a := range f.Args {
		e, err := b.bindExpr(a, inner, nil)
		if err != nil {
			return err
		}
		args[i], argTypes[i] = e, e.ResultType()
	}
	if inner.correlated {
		s.correlated = true
	}
	o, ok := resolveOverload(seriesSigs, argTypes)
	if !ok {
		if viableOverloads(seriesSigs, argTypes) > 1 {
			return ambiguousFunction(f.Name, argTypes, f.Pos)
		}
		return undefinedFunction(f.Name, argTypes, f.Pos)
	}
	for i, a := range f.Args {
		if isUnknown(argTypes[i]) {
			e, err := b.bindExpr(a, inner, o.args[i])
			if err != nil {
				return err
			}
			b.defaultParam(e, o.args[i])
			args[i] = e
		}
		args[i] = coerce(args[i], o.args[i])
	}
	col := name
	if ref.Alias == "" {
		col = f.Name
	}
	if len(ref.Columns) > 1 {
		return pgerror.New(pgerror.CodeInvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified",
			name, 1, len(ref.Columns))
	}
	if len(ref.Columns) == 1 {
		col = ref.Columns[0]
	}
	node := &FuncScan{Name: f.Name, Args: args, Cols: []Column{{Name: col, Typ: o.ret}}}
	u := &unit{start: len(s.cols), node: node, alias: name, view: true}
	s.cols = append(s.cols, scopeCol{table: name, name: col, typ: o.ret})
	s.tables = append(s.tables, scopeTable{name: name, start: u.start, end: len(s.cols)})
	u.end = len(s.cols)
	fp.units = append(fp.units, u)
	return nil
}

// viableOverloads counts the candidates args can be implicitly cast to.
func viableOverloads(cands []overload, args []*types.T) int {
	n := 0
	for _, c := range cands {
		if len(c.args) != len(args) {
			continue
		}
		ok := true
		for i, a := range args {
			if !implicitAllowed(a, c.args[i]) {
				ok = false
			}
		}
		if ok {
			n++
		}
	}
	return n
}

// ambiguousFunction is PostgreSQL's 42725 for a call several candidates
// fit equally well.
func ambiguousFunction(name string, args []*types.T, pos int) error {
	parts := make([]string, len(args))
	for i, a := range args {
		parts[i] = a.String()
	}
	return pgerror.New(pgerror.CodeAmbiguousFunction, "function %s(%s) is not unique", name, strings.Join(parts, ", ")).
		WithHint("Could not choose a best candidate function. You might need to add explicit type casts.").
		WithPosition(pos)
}
