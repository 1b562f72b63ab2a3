package plan

import (
	"context"
	"sort"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// This file binds CHECK constraints. A table's constraints are stored as
// text (catalog.Check); every INSERT and UPDATE of the table parses them
// again through the Resolver (CheckParser) and binds them over the
// table's row, sorted by name as PostgreSQL applies them, into the
// plan's Checks, which the row writer (sql/exec) evaluates on each new
// row after the NOT NULL checks. The expression is bound as PostgreSQL's
// EXPR_KIND_CHECK_CONSTRAINT: no subqueries (0A000), aggregates (42803)
// or window functions (42P20), boolean (42804), the table's own columns
// only.

// CheckExpr is a bound CHECK constraint: a row violates it when Expr is
// false (NULL passes).
type CheckExpr struct {
	Name string
	Expr Expr
}

// CheckParser is implemented by Resolvers that can parse a stored CHECK
// expression (sql/parser is not the planner's to import).
type CheckParser interface {
	ParseCheck(text string) (ast.Expr, error)
}

// BindCheck binds a CHECK constraint's expression over t's row (for
// CREATE TABLE and ALTER TABLE … ADD CONSTRAINT) and returns the ordinals
// of the columns it reads, in order of first appearance, without
// duplicates: PostgreSQL names an unnamed constraint after the column
// when it reads exactly one.
func BindCheck(ctx context.Context, r Resolver, t *catalog.TableDescriptor, e ast.Expr) (Expr, []int, error) {
	b := &builder{ctx: ctx, r: r}
	x, err := b.bindCheckExpr(t, e)
	if err != nil {
		return nil, nil, err
	}
	var cols []int
	seen := map[int]bool{}
	Walk(x, func(e Expr) bool {
		if c, ok := e.(*ColRef); ok && !seen[c.Ordinal] {
			seen[c.Ordinal] = true
			cols = append(cols, c.Ordinal)
		}
		return true
	})
	return x, cols, nil
}

func (b *builder) bindCheckExpr(t *catalog.TableDescriptor, e ast.Expr) (Expr, error) {
	s := tableScope(t, "")
	// The hidden rowid is no column PostgreSQL would know.
	for i := range s.cols {
		if s.cols[i].hidden {
			s.cols[i].name = ""
		}
	}
	s.noAggs = "check constraints"
	saved := b.inCheck
	b.inCheck = true
	defer func() { b.inCheck = saved }()
	return b.bindBool(e, s, "CHECK")
}

// errCheckSubquery is PostgreSQL's refusal of a subquery in a CHECK.
func errCheckSubquery() error {
	return pgerror.New(pgerror.CodeFeatureNotSupported, "cannot use subquery in check constraint")
}

// bindChecks binds t's CHECK constraints, sorted by name.
func (b *builder) bindChecks(t *catalog.TableDescriptor) ([]CheckExpr, error) {
	if len(t.Checks) == 0 {
		return nil, nil
	}
	p, ok := b.r.(CheckParser)
	if !ok {
		return nil, pgerror.New(pgerror.CodeInternalError, "table \"%s\" has CHECK constraints the planner cannot parse", t.Name)
	}
	checks := append([]catalog.Check(nil), t.Checks...)
	sort.Slice(checks, func(i, j int) bool { return checks[i].Name < checks[j].Name })
	var out []CheckExpr
	for _, c := range checks {
		e, err := p.ParseCheck(c.Expr)
		if err != nil {
			return nil, err
		}
		x, err := b.bindCheckExpr(t, e)
		if err != nil {
			return nil, err
		}
		out = append(out, CheckExpr{Name: c.Name, Expr: x})
	}
	return out, nil
}

// withChecks binds the CHECK constraints of the table an INSERT or
// UPDATE writes into its plan.
func (b *builder) withChecks(n Node, err error) (Node, error) {
	if err != nil {
		return nil, err
	}
	switch x := n.(type) {
	case *Insert:
		x.Checks, err = b.bindChecks(x.Table)
	case *Update:
		x.Checks, err = b.bindChecks(x.Table)
	}
	if err != nil {
		return nil, err
	}
	return n, nil
}

// CheckFails reports whether a CHECK's value rejects the row: only false
// does.
func CheckFails(d types.Datum) bool {
	v, ok := d.(types.DBool)
	return ok && !bool(v)
}
