package plan

import (
	"fmt"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/types"
)

// Expr is a bound, typed scalar expression. sql/exec evaluates it against
// a row of the scanned table.
type Expr interface {
	// ResultType is the expression's SQL type.
	ResultType() *types.T
	fmt.Stringer
}

// ColRef reads a column of the input row.
type ColRef struct {
	Ordinal int
	Name    string
	Typ     *types.T
}

// Const is a constant. Typ may be types.Unknown for an untyped literal
// (string or NULL) whose type no context decided.
type Const struct {
	D   types.Datum
	Typ *types.T
}

// Arith is integer arithmetic; Typ is the result type whose width bounds
// the result (22003 on overflow).
type Arith struct {
	Op   ast.BinaryOp
	L, R Expr
	Typ  *types.T
}

// Neg is integer negation.
type Neg struct {
	E   Expr
	Typ *types.T
}

// Cmp compares two values of one family; NULL if either is NULL.
type Cmp struct {
	Op   ast.CmpOp
	L, R Expr
}

// And is three-valued AND.
type And struct{ L, R Expr }

// Or is three-valued OR.
type Or struct{ L, R Expr }

// Not is three-valued NOT.
type Not struct{ E Expr }

// IsNull is E IS [NOT] NULL.
type IsNull struct {
	E   Expr
	Not bool
}

// Cast converts E to Typ at run time (text input/output, integer width
// checks).
type Cast struct {
	E   Expr
	Typ *types.T
}

// ResultType implementations.
func (e *ColRef) ResultType() *types.T { return e.Typ }
func (e *Const) ResultType() *types.T  { return e.Typ }
func (e *Arith) ResultType() *types.T  { return e.Typ }
func (e *Neg) ResultType() *types.T    { return e.Typ }
func (e *Cmp) ResultType() *types.T    { return types.Bool }
func (e *And) ResultType() *types.T    { return types.Bool }
func (e *Or) ResultType() *types.T     { return types.Bool }
func (e *Not) ResultType() *types.T    { return types.Bool }
func (e *IsNull) ResultType() *types.T { return types.Bool }
func (e *Cast) ResultType() *types.T   { return e.Typ }

func (e *ColRef) String() string { return e.Name }
func (e *Const) String() string {
	if e.D == types.DNull {
		return "NULL"
	}
	if e.Typ.Family == types.StringFamily || e.Typ.Family == types.UnknownFamily {
		return "'" + string(types.Format(e.D)) + "'"
	}
	return string(types.Format(e.D))
}
func (e *Arith) String() string {
	return "(" + e.L.String() + " " + string(e.Op) + " " + e.R.String() + ")"
}
func (e *Neg) String() string { return "(-" + e.E.String() + ")" }
func (e *Cmp) String() string {
	return "(" + e.L.String() + " " + string(e.Op) + " " + e.R.String() + ")"
}
func (e *And) String() string { return "(" + e.L.String() + " AND " + e.R.String() + ")" }
func (e *Or) String() string  { return "(" + e.L.String() + " OR " + e.R.String() + ")" }
func (e *Not) String() string { return "(NOT " + e.E.String() + ")" }
func (e *IsNull) String() string {
	if e.Not {
		return "(" + e.E.String() + " IS NOT NULL)"
	}
	return "(" + e.E.String() + " IS NULL)"
}
func (e *Cast) String() string { return e.E.String() + "::" + e.Typ.Name }

// Conjuncts splits e at its top-level ANDs.
func Conjuncts(e Expr) []Expr {
	if a, ok := e.(*And); ok {
		return append(Conjuncts(a.L), Conjuncts(a.R)...)
	}
	if e == nil {
		return nil
	}
	return []Expr{e}
}
