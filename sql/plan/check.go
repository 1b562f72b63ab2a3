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
	return b.bindRowBool(t, e, "check constraint", "check constraints", "CHECK")
}

// bindRowBool binds a boolean expression over t's own row, without
// subqueries (what names the expression in that error), aggregates or
// window functions (plural in theirs).
func (b *builder) bindRowBool(t *catalog.TableDescriptor, e ast.Expr, what, plural, clause string) (Expr, error) {
	s := rowScope(t, plural)
	return b.inRowExpr(what, func() (Expr, error) { return b.bindBool(e, s, clause) })
}

// rowScope is t's row as an expression over one of its own rows sees it
// (a CHECK, an index's predicate or expression, a generation
// expression): the hidden columns (the rowid, computed columns) have no
// name PostgreSQL would know, and aggregates are refused (named plural).
func rowScope(t *catalog.TableDescriptor, plural string) *scope {
	s := tableScope(t, "")
	for i := range s.cols {
		if s.cols[i].hidden {
			s.cols[i].name = ""
		}
	}
	s.noAggs = plural
	return s
}

// inRowExpr runs bind with subqueries refused in what.
func (b *builder) inRowExpr(what string, bind func() (Expr, error)) (Expr, error) {
	saved := b.inCheck
	b.inCheck = what
	defer func() { b.inCheck = saved }()
	return bind()
}

// immutable reports whether e's value depends on nothing but its inputs
// (no volatile function, none that reads the clock or the session).
func immutable(e Expr) bool { return !Volatile(e) && !readsClock(e) }

// BindIndexPredicate binds a partial index's WHERE over t's row, as
// PostgreSQL's EXPR_KIND_INDEX_PREDICATE: no subqueries (0A000),
// aggregates (42803) or window functions, only immutable functions
// (42P17), boolean (42804).
func BindIndexPredicate(ctx context.Context, r Resolver, t *catalog.TableDescriptor, e ast.Expr) (Expr, error) {
	b := &builder{ctx: ctx, r: r}
	x, err := b.bindRowBool(t, e, "index predicate", "index predicates", "WHERE")
	if err != nil {
		return nil, err
	}
	if !immutable(x) {
		return nil, pgerror.New("42P17", "functions in index predicate must be marked IMMUTABLE")
	}
	return x, nil
}

// readsClock reports whether e calls a function whose value depends on
// the transaction's time or the session (stable, not immutable).
func readsClock(e Expr) bool {
	found := false
	Walk(e, func(e Expr) bool {
		if f, ok := e.(*Func); ok && stableFuncs[f.Name] {
			found = true
		}
		return !found
	})
	return found
}

// stableFuncs are functions whose value is fixed within a statement but
// not forever (PostgreSQL's provolatile 's'), refused where IMMUTABLE is
// required.
var stableFuncs = map[string]bool{
	"now": true, "current_timestamp": true, "localtimestamp": true, "current_date": true, "current_time": true,
	"localtime": true, "transaction_timestamp": true, "statement_timestamp": true, "current_setting": true,
	"current_user": true, "session_user": true, "current_database": true, "current_schema": true,
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

// bindIndexPredicates binds the predicates of t's partial indexes, by
// index id (nil when t has none).
func (b *builder) bindIndexPredicates(t *catalog.TableDescriptor) (map[catalog.IndexID]Expr, error) {
	var out map[catalog.IndexID]Expr
	for i := range t.Indexes {
		idx := &t.Indexes[i]
		if idx.Predicate == "" {
			continue
		}
		p, ok := b.r.(CheckParser)
		if !ok {
			return nil, pgerror.New(pgerror.CodeInternalError, "table \"%s\" has partial indexes the planner cannot parse", t.Name)
		}
		e, err := p.ParseCheck(idx.Predicate)
		if err != nil {
			return nil, err
		}
		x, err := b.bindRowBool(t, e, "index predicate", "index predicates", "WHERE")
		if err != nil {
			return nil, err
		}
		if out == nil {
			out = map[catalog.IndexID]Expr{}
		}
		out[idx.ID] = x
	}
	return out, nil
}

// withChecks binds the CHECK constraints of the table an INSERT or
// UPDATE writes into its plan, and its partial indexes' predicates.
func (b *builder) withChecks(n Node, err error) (Node, error) {
	if err != nil {
		return nil, err
	}
	switch x := n.(type) {
	case *Insert:
		if x.Checks, err = b.bindChecks(x.Table); err == nil {
			if x.IndexPreds, err = b.bindIndexPredicates(x.Table); err == nil {
				x.Computed, err = b.bindComputed(x.Table) // computed.go
			}
		}
	case *Update:
		if x.Checks, err = b.bindChecks(x.Table); err == nil {
			if x.IndexPreds, err = b.bindIndexPredicates(x.Table); err == nil {
				x.Computed, err = b.bindComputed(x.Table)
			}
		}
	case *Delete:
		x.IndexPreds, err = b.bindIndexPredicates(x.Table)
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

// BindIndexPredicates binds the predicates of t's partial indexes, by
// index id (for the writes and backfills DDL makes).
func BindIndexPredicates(ctx context.Context, r Resolver, t *catalog.TableDescriptor) (map[catalog.IndexID]Expr, error) {
	b := &builder{ctx: ctx, r: r}
	return b.bindIndexPredicates(t)
}
