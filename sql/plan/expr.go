package plan

import (
	"fmt"
	"strings"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/types"
)

// Expr is a bound, typed scalar expression. sql/exec evaluates it against
// the input row of the operator that holds it.
type Expr interface {
	// ResultType is the expression's SQL type.
	ResultType() *types.T
	fmt.Stringer
}

// ColRef reads column Ordinal of the input row.
type ColRef struct {
	Ordinal int
	Name    string
	Typ     *types.T
}

// OuterRef reads column Ordinal of the row of an enclosing query (Depth 1
// is the immediately enclosing one): a correlated subquery's reference.
type OuterRef struct {
	Depth   int
	Ordinal int
	Name    string
	Typ     *types.T
}

// Param is the statement parameter $(Idx+1).
type Param struct {
	Idx int
	Typ *types.T
}

// Const is a constant. Typ may be types.Unknown for an untyped literal
// (string or NULL) whose type no context decided.
type Const struct {
	D   types.Datum
	Typ *types.T
}

// BinOp is a binary operator other than a comparison: arithmetic and ||.
type BinOp struct {
	Op   ast.BinaryOp
	L, R Expr
	Typ  *types.T
}

// Neg is arithmetic negation.
type Neg struct {
	E   Expr
	Typ *types.T
}

// CmpOp is a comparison operator, including IS [NOT] DISTINCT FROM.
type CmpOp string

// The comparison operators.
const (
	EQ            CmpOp = "="
	NE            CmpOp = "<>"
	LT            CmpOp = "<"
	LE            CmpOp = "<="
	GT            CmpOp = ">"
	GE            CmpOp = ">="
	IsDistinct    CmpOp = "IS DISTINCT FROM"
	IsNotDistinct CmpOp = "IS NOT DISTINCT FROM"
)

// Flip returns the operator with its operands swapped.
func (o CmpOp) Flip() CmpOp {
	switch o {
	case LT:
		return GT
	case LE:
		return GE
	case GT:
		return LT
	case GE:
		return LE
	}
	return o
}

// Cmp compares two values; NULL if either is NULL, except for the
// DISTINCT operators, which treat NULL as a value.
type Cmp struct {
	Op   CmpOp
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

// Like is E [NOT] LIKE/ILIKE Pattern with an escape character (Escape nil:
// backslash).
type Like struct {
	E, Pattern Expr
	Escape     Expr
	ILike, Not bool
}

// InList is E [NOT] IN (List…), with SQL's NULL semantics.
type InList struct {
	E    Expr
	List []Expr
	Not  bool
}

// When is one arm of a Case.
type When struct{ Cond, Val Expr }

// Case is a searched CASE (a simple CASE is bound as a searched one over
// equality with the operand).
type Case struct {
	Whens []When
	Else  Expr // nil: NULL
	Typ   *types.T
}

// Coalesce returns its first non-NULL argument.
type Coalesce struct {
	Args []Expr
	Typ  *types.T
}

// NullIf is NULLIF(L, R).
type NullIf struct {
	L, R Expr
}

// Cast converts E to Typ at run time.
type Cast struct {
	E   Expr
	Typ *types.T
}

// Func is a call of a built-in scalar function (funcs.go).
type Func struct {
	Name string
	Args []Expr
	Typ  *types.T
}

// AggFunc is an aggregate call, bound against the aggregation's input. It
// only appears in the Aggs of an Aggregate node; expressions above the
// aggregation read its result as a ColRef.
type AggFunc struct {
	Name     string // count, sum, min, max, avg; count with Star for count(*)
	Arg      Expr
	Star     bool
	Distinct bool
	Typ      *types.T
	// Filter is FILTER (WHERE …): only rows it accepts are aggregated.
	Filter Expr
	// Order is the ORDER BY inside the argument list (string_agg).
	Order []WindowOrder
	// Delim is string_agg's delimiter.
	Delim Expr
}

// SubqueryKind is how a subquery's rows become a value.
type SubqueryKind uint8

// The subquery kinds.
const (
	// SubScalar: the only row's only column, NULL without rows, 21000 with
	// more than one.
	SubScalar SubqueryKind = iota
	// SubExists: whether there is a row.
	SubExists
	// SubIn: whether E equals some row's column (SQL NULL semantics);
	// Not for NOT IN.
	SubIn
	// SubArray: the rows' column as an array's text form ('{a,b}', '{}'
	// without rows): ARRAY(SELECT …), for the catalog queries psql sends.
	SubArray
)

// Subquery is a nested query used as a value. Correlated subqueries read
// the enclosing row through OuterRefs and are rerun for each outer row;
// others run once per statement execution.
type Subquery struct {
	Kind       SubqueryKind
	Plan       Node
	E          Expr // SubIn's left operand
	Not        bool
	Correlated bool
	Typ        *types.T
	// ID numbers the subqueries of a statement (for EXPLAIN and caching).
	ID int
}

// ResultType implementations.
func (e *ColRef) ResultType() *types.T   { return e.Typ }
func (e *OuterRef) ResultType() *types.T { return e.Typ }
func (e *Param) ResultType() *types.T    { return e.Typ }
func (e *Const) ResultType() *types.T    { return e.Typ }
func (e *BinOp) ResultType() *types.T    { return e.Typ }
func (e *Neg) ResultType() *types.T      { return e.Typ }
func (e *Cmp) ResultType() *types.T      { return types.Bool }
func (e *And) ResultType() *types.T      { return types.Bool }
func (e *Or) ResultType() *types.T       { return types.Bool }
func (e *Not) ResultType() *types.T      { return types.Bool }
func (e *IsNull) ResultType() *types.T   { return types.Bool }
func (e *Like) ResultType() *types.T     { return types.Bool }
func (e *InList) ResultType() *types.T   { return types.Bool }
func (e *Case) ResultType() *types.T     { return e.Typ }
func (e *Coalesce) ResultType() *types.T { return e.Typ }
func (e *NullIf) ResultType() *types.T   { return e.L.ResultType() }
func (e *Cast) ResultType() *types.T     { return e.Typ }
func (e *Func) ResultType() *types.T     { return e.Typ }
func (e *AggFunc) ResultType() *types.T  { return e.Typ }
func (e *Subquery) ResultType() *types.T { return e.Typ }

func (e *ColRef) String() string   { return e.Name }
func (e *OuterRef) String() string { return e.Name }
func (e *Param) String() string    { return fmt.Sprintf("$%d", e.Idx+1) }
func (e *Const) String() string {
	if e.D == types.DNull {
		return "NULL"
	}
	s := string(types.Format(e.D))
	switch e.Typ.Family {
	case types.IntFamily, types.BoolFamily:
		return s
	case types.StringFamily, types.UnknownFamily:
		return "'" + strings.ReplaceAll(s, "'", "''") + "'"
	}
	return "'" + strings.ReplaceAll(s, "'", "''") + "'::" + e.Typ.String()
}
func (e *BinOp) String() string {
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
func (e *Like) String() string {
	op := " LIKE "
	if e.ILike {
		op = " ILIKE "
	}
	if e.Not {
		op = " NOT" + op
	}
	s := "(" + e.E.String() + op + e.Pattern.String()
	if e.Escape != nil {
		s += " ESCAPE " + e.Escape.String()
	}
	return s + ")"
}
func (e *InList) String() string {
	op := " IN "
	if e.Not {
		op = " NOT IN "
	}
	return "(" + e.E.String() + op + "(" + exprList(e.List) + "))"
}
func (e *Case) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	for _, w := range e.Whens {
		b.WriteString(" WHEN " + w.Cond.String() + " THEN " + w.Val.String())
	}
	if e.Else != nil {
		b.WriteString(" ELSE " + e.Else.String())
	}
	b.WriteString(" END")
	return b.String()
}
func (e *Coalesce) String() string { return "COALESCE(" + exprList(e.Args) + ")" }
func (e *NullIf) String() string   { return "NULLIF(" + e.L.String() + ", " + e.R.String() + ")" }
func (e *Cast) String() string     { return e.E.String() + "::" + e.Typ.String() }
func (e *Func) String() string     { return e.Name + "(" + exprList(e.Args) + ")" }
func (e *AggFunc) String() string {
	switch {
	case e.Star:
		return e.Name + "(*)" + aggFilterString(e)
	case e.Distinct:
		return e.Name + "(DISTINCT " + aggArgsString(e) + ")" + aggFilterString(e)
	}
	return e.Name + "(" + aggArgsString(e) + ")" + aggFilterString(e)
}
func (e *Subquery) String() string {
	switch e.Kind {
	case SubExists:
		return fmt.Sprintf("EXISTS(subquery %d)", e.ID)
	case SubArray:
		return fmt.Sprintf("ARRAY(subquery %d)", e.ID)
	case SubIn:
		if e.Not {
			return fmt.Sprintf("(%s NOT IN (subquery %d))", e.E, e.ID)
		}
		return fmt.Sprintf("(%s IN (subquery %d))", e.E, e.ID)
	}
	return fmt.Sprintf("(subquery %d)", e.ID)
}

func exprList(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}

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

// andAll joins conjuncts with AND (nil for none).
func andAll(es []Expr) Expr {
	var out Expr
	for _, e := range es {
		if out == nil {
			out = e
		} else {
			out = &And{L: out, R: e}
		}
	}
	return out
}

// Walk calls f for e and, while f returns true, its sub-expressions (not
// descending into subquery plans, but into a SubIn's left operand).
func Walk(e Expr, f func(Expr) bool) {
	if e == nil || !f(e) {
		return
	}
	for _, c := range children(e) {
		Walk(c, f)
	}
}

func children(e Expr) []Expr {
	switch x := e.(type) {
	case *BinOp:
		return []Expr{x.L, x.R}
	case *Neg:
		return []Expr{x.E}
	case *Cmp:
		return []Expr{x.L, x.R}
	case *And:
		return []Expr{x.L, x.R}
	case *Or:
		return []Expr{x.L, x.R}
	case *Not:
		return []Expr{x.E}
	case *IsNull:
		return []Expr{x.E}
	case *Like:
		if x.Escape != nil {
			return []Expr{x.E, x.Pattern, x.Escape}
		}
		return []Expr{x.E, x.Pattern}
	case *InList:
		return append([]Expr{x.E}, x.List...)
	case *Case:
		var out []Expr
		for _, w := range x.Whens {
			out = append(out, w.Cond, w.Val)
		}
		if x.Else != nil {
			out = append(out, x.Else)
		}
		return out
	case *Coalesce:
		return x.Args
	case *MinMax:
		return x.Args
	case *NullIf:
		return []Expr{x.L, x.R}
	case *Cast:
		return []Expr{x.E}
	case *Func:
		return x.Args
	case *WindowFunc:
		out := append([]Expr(nil), x.Args...)
		if x.Agg != nil && x.Agg.Arg != nil {
			out = append(out, x.Agg.Arg)
		}
		out = append(out, x.Partition...)
		for _, o := range x.Order {
			out = append(out, o.Expr)
		}
		return out
	case *AggFunc:
		return aggChildren(x) // agg_more.go
	case *Subquery:
		if x.E != nil {
			return []Expr{x.E}
		}
	}
	return nil
}

// Rewrite returns e with every sub-expression replaced bottom-up by f's
// result (f returns its argument to keep it). Subquery plans are not
// entered.
func Rewrite(e Expr, f func(Expr) Expr) Expr {
	if e == nil {
		return nil
	}
	return f(mapChildren(e, func(c Expr) Expr { return Rewrite(c, f) }))
}

// mapChildren returns a copy of e whose direct sub-expressions are
// replaced by f's results.
func mapChildren(e Expr, f func(Expr) Expr) Expr {
	g := func(x Expr) Expr {
		if x == nil {
			return nil
		}
		return f(x)
	}
	list := func(l []Expr) []Expr {
		out := make([]Expr, len(l))
		for i, a := range l {
			out[i] = g(a)
		}
		return out
	}
	switch x := e.(type) {
	case *BinOp:
		return &BinOp{Op: x.Op, L: g(x.L), R: g(x.R), Typ: x.Typ}
	case *Neg:
		return &Neg{E: g(x.E), Typ: x.Typ}
	case *Cmp:
		return &Cmp{Op: x.Op, L: g(x.L), R: g(x.R)}
	case *And:
		return &And{L: g(x.L), R: g(x.R)}
	case *Or:
		return &Or{L: g(x.L), R: g(x.R)}
	case *Not:
		return &Not{E: g(x.E)}
	case *IsNull:
		return &IsNull{E: g(x.E), Not: x.Not}
	case *Like:
		return &Like{E: g(x.E), Pattern: g(x.Pattern), Escape: g(x.Escape), ILike: x.ILike, Not: x.Not}
	case *InList:
		return &InList{E: g(x.E), List: list(x.List), Not: x.Not}
	case *Case:
		c := &Case{Else: g(x.Else), Typ: x.Typ}
		for _, w := range x.Whens {
			c.Whens = append(c.Whens, When{Cond: g(w.Cond), Val: g(w.Val)})
		}
		return c
	case *Coalesce:
		return &Coalesce{Args: list(x.Args), Typ: x.Typ}
	case *MinMax:
		return &MinMax{Args: list(x.Args), Typ: x.Typ, Greatest: x.Greatest}
	case *NullIf:
		return &NullIf{L: g(x.L), R: g(x.R)}
	case *Cast:
		return &Cast{E: g(x.E), Typ: x.Typ}
	case *Func:
		return &Func{Name: x.Name, Args: list(x.Args), Typ: x.Typ}
	case *WindowFunc:
		c := *x
		if x.Agg != nil {
			a := *x.Agg
			a.Arg = g(x.Agg.Arg)
			c.Agg = &a
		}
		c.Args = list(x.Args)
		c.Partition = list(x.Partition)
		c.Order = make([]WindowOrder, len(x.Order))
		for i, o := range x.Order {
			c.Order[i] = WindowOrder{Expr: g(o.Expr), Desc: o.Desc, NullsFirst: o.NullsFirst}
		}
		return &c
	case *AggFunc:
		c := *x
		c.Arg = g(x.Arg)
		c.Filter, c.Delim = g(x.Filter), g(x.Delim)
		if x.Order != nil {
			c.Order = make([]WindowOrder, len(x.Order))
			for i, o := range x.Order {
				c.Order[i] = WindowOrder{Expr: g(o.Expr), Desc: o.Desc, NullsFirst: o.NullsFirst}
			}
		}
		return &c
	case *Subquery:
		c := *x
		c.E = g(x.E)
		return &c
	}
	return e
}

// hasSubquery reports whether e contains a subquery.
func hasSubquery(e Expr) bool {
	found := false
	Walk(e, func(x Expr) bool {
		if _, ok := x.(*Subquery); ok {
			found = true
		}
		return !found
	})
	return found
}

// hasCorrelatedSubquery reports whether e contains a subquery that reads
// an enclosing query's row.
func hasCorrelatedSubquery(e Expr) bool {
	found := false
	Walk(e, func(x Expr) bool {
		if s, ok := x.(*Subquery); ok && s.Correlated {
			found = true
		}
		return !found
	})
	return found
}

// colsUsed returns the input ordinals e reads.
func colsUsed(e Expr) []int {
	var out []int
	Walk(e, func(x Expr) bool {
		if c, ok := x.(*ColRef); ok {
			out = append(out, c.Ordinal)
		}
		return true
	})
	return out
}

// remapCols returns e with every ColRef ordinal o replaced by m[o].
func remapCols(e Expr, m []int) Expr {
	return Rewrite(e, func(x Expr) Expr {
		if c, ok := x.(*ColRef); ok {
			return &ColRef{Ordinal: m[c.Ordinal], Name: c.Name, Typ: c.Typ}
		}
		return x
	})
}

// MinMax is GREATEST (Greatest set) or LEAST of its arguments, NULLs
// ignored: NULL only when every argument is NULL.
type MinMax struct {
	Args     []Expr
	Typ      *types.T
	Greatest bool
}

// ResultType implements Expr.
func (e *MinMax) ResultType() *types.T { return e.Typ }

func (e *MinMax) String() string {
	if e.Greatest {
		return "GREATEST(" + exprList(e.Args) + ")"
	}
	return "LEAST(" + exprList(e.Args) + ")"
}
