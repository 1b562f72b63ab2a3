package ast

import (
	"strconv"
	"strings"
)

// ColumnRef is a possibly table-qualified column name.
type ColumnRef struct {
	Table string // "" when unqualified
	Name  string
	Pos   int
}

// NumVal is an integer or numeric literal as written (after the parser
// folded a leading minus sign into it, as PostgreSQL's grammar does).
// IsInt is false for literals with a fraction or exponent, or too large for
// int8: PostgreSQL types those numeric.
type NumVal struct {
	Text  string
	Int   int64
	IsInt bool
	Pos   int
}

// StrVal is a string literal; its type is unknown until context decides.
type StrVal struct {
	Val string
	Pos int
}

// BoolVal is TRUE or FALSE.
type BoolVal struct {
	Val bool
	Pos int
}

// NullVal is NULL.
type NullVal struct{ Pos int }

// BinaryOp is an arithmetic operator.
type BinaryOp string

// The binary operators.
const (
	Plus  BinaryOp = "+"
	Minus BinaryOp = "-"
	Mult  BinaryOp = "*"
	Div   BinaryOp = "/"
	Mod   BinaryOp = "%"
	Pow   BinaryOp = "^"
	// Concat is ||.
	Concat BinaryOp = "||"
)

// BinaryExpr is L op R for arithmetic.
type BinaryExpr struct {
	Op   BinaryOp
	L, R Expr
	Pos  int // the operator's position
}

// UnaryMinus is -E for a non-literal E.
type UnaryMinus struct {
	E   Expr
	Pos int
}

// UnaryPlus is +E.
type UnaryPlus struct {
	E   Expr
	Pos int
}

func (*UnaryPlus) expr()            {}
func (e *UnaryPlus) Position() int  { return e.Pos }
func (e *UnaryPlus) String() string { return "(+" + e.E.String() + ")" }

// CmpOp is a comparison operator.
type CmpOp string

// The comparison operators ("!=" is folded to "<>" as PostgreSQL does).
const (
	EQ CmpOp = "="
	NE CmpOp = "<>"
	LT CmpOp = "<"
	LE CmpOp = "<="
	GT CmpOp = ">"
	GE CmpOp = ">="
)

// Flip returns the operator with its operands swapped (a < b ⇔ b > a).
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

// ComparisonExpr is L op R for comparisons.
type ComparisonExpr struct {
	Op   CmpOp
	L, R Expr
	Pos  int
}

// AndExpr is L AND R.
type AndExpr struct {
	L, R Expr
	Pos  int
}

// OrExpr is L OR R.
type OrExpr struct {
	L, R Expr
	Pos  int
}

// NotExpr is NOT E.
type NotExpr struct {
	E   Expr
	Pos int
}

// IsNullExpr is E IS [NOT] NULL.
type IsNullExpr struct {
	E   Expr
	Not bool
	Pos int
}

// CastExpr is E::type or CAST(E AS type).
type CastExpr struct {
	E    Expr
	Type TypeName
	Pos  int
}

func (*ColumnRef) expr()      {}
func (*NumVal) expr()         {}
func (*StrVal) expr()         {}
func (*BoolVal) expr()        {}
func (*NullVal) expr()        {}
func (*BinaryExpr) expr()     {}
func (*UnaryMinus) expr()     {}
func (*ComparisonExpr) expr() {}
func (*AndExpr) expr()        {}
func (*OrExpr) expr()         {}
func (*NotExpr) expr()        {}
func (*IsNullExpr) expr()     {}
func (*CastExpr) expr()       {}

// Position implementations.
func (e *ColumnRef) Position() int      { return e.Pos }
func (e *NumVal) Position() int         { return e.Pos }
func (e *StrVal) Position() int         { return e.Pos }
func (e *BoolVal) Position() int        { return e.Pos }
func (e *NullVal) Position() int        { return e.Pos }
func (e *BinaryExpr) Position() int     { return e.Pos }
func (e *UnaryMinus) Position() int     { return e.Pos }
func (e *ComparisonExpr) Position() int { return e.Pos }
func (e *AndExpr) Position() int        { return e.Pos }
func (e *OrExpr) Position() int         { return e.Pos }
func (e *NotExpr) Position() int        { return e.Pos }
func (e *IsNullExpr) Position() int     { return e.Pos }
func (e *CastExpr) Position() int       { return e.Pos }

func (e *ColumnRef) String() string {
	if e.Table != "" {
		return e.Table + "." + e.Name
	}
	return e.Name
}
func (e *NumVal) String() string { return e.Text }
func (e *StrVal) String() string {
	return "'" + strings.ReplaceAll(e.Val, "'", "''") + "'"
}
func (e *BoolVal) String() string { return strconv.FormatBool(e.Val) }
func (e *NullVal) String() string { return "NULL" }
func (e *BinaryExpr) String() string {
	return "(" + e.L.String() + " " + string(e.Op) + " " + e.R.String() + ")"
}
func (e *UnaryMinus) String() string { return "(-" + e.E.String() + ")" }
func (e *ComparisonExpr) String() string {
	return "(" + e.L.String() + " " + string(e.Op) + " " + e.R.String() + ")"
}
func (e *AndExpr) String() string { return "(" + e.L.String() + " AND " + e.R.String() + ")" }
func (e *OrExpr) String() string  { return "(" + e.L.String() + " OR " + e.R.String() + ")" }
func (e *NotExpr) String() string { return "(NOT " + e.E.String() + ")" }
func (e *IsNullExpr) String() string {
	if e.Not {
		return "(" + e.E.String() + " IS NOT NULL)"
	}
	return "(" + e.E.String() + " IS NULL)"
}
func (e *CastExpr) String() string { return "(" + e.E.String() + ")::" + e.Type.Name }

// Placeholder is a parameter $n; Idx is n-1.
type Placeholder struct {
	Idx int
	Pos int
}

// LikeExpr is E [NOT] LIKE/ILIKE Pattern [ESCAPE Escape].
type LikeExpr struct {
	E, Pattern Expr
	Escape     Expr // nil: backslash
	ILike      bool
	Not        bool
	Pos        int
}

// InExpr is E [NOT] IN (List…) or E [NOT] IN (subquery).
type InExpr struct {
	E    Expr
	List []Expr
	Sub  *Select
	Not  bool
	Pos  int
}

// BetweenExpr is E [NOT] BETWEEN [SYMMETRIC] Lo AND Hi.
type BetweenExpr struct {
	E, Lo, Hi Expr
	Not       bool
	Symmetric bool
	Pos       int
}

// DistinctExpr is L IS [NOT] DISTINCT FROM R.
type DistinctExpr struct {
	L, R Expr
	Not  bool
	Pos  int
}

// When is one WHEN … THEN … of CASE.
type When struct {
	Cond, Val Expr
}

// CaseExpr is CASE [Operand] WHEN … THEN … [ELSE …] END.
type CaseExpr struct {
	Operand Expr
	Whens   []When
	Else    Expr
	Pos     int
}

// CoalesceExpr is COALESCE(args…).
type CoalesceExpr struct {
	Args []Expr
	Pos  int
}

// NullIfExpr is NULLIF(L, R).
type NullIfExpr struct {
	L, R Expr
	Pos  int
}

// FuncExpr is a function call (aggregate or scalar); Name is folded to
// lower case and stripped of a pg_catalog qualifier.
type FuncExpr struct {
	Name     string
	Args     []Expr
	Star     bool // count(*)
	Distinct bool
	// Over makes the call a window function.
	Over *WindowSpec
	// Filter is an aggregate's FILTER (WHERE …) condition.
	Filter Expr
	// OrderBy is an aggregate's ORDER BY inside its argument list.
	OrderBy []OrderItem
	Pos     int
}

// WindowSpec is OVER (PARTITION BY … ORDER BY …) with the default frame.
type WindowSpec struct {
	PartitionBy []Expr
	OrderBy     []OrderItem
}

// SubqueryKind is how a subquery is used in an expression.
type SubqueryKind uint8

// The subquery kinds.
const (
	ScalarSubquery SubqueryKind = iota
	ExistsSubquery
	// ArraySubquery is ARRAY(SELECT …): the rows' values as one array,
	// which rangedb represents as its text form ('{a,b}').
	ArraySubquery
)

// SubqueryExpr is (SELECT …) or EXISTS (SELECT …).
type SubqueryExpr struct {
	Kind   SubqueryKind
	Select *Select
	Pos    int
}

func (*Placeholder) expr()  {}
func (*LikeExpr) expr()     {}
func (*InExpr) expr()       {}
func (*BetweenExpr) expr()  {}
func (*DistinctExpr) expr() {}
func (*CaseExpr) expr()     {}
func (*CoalesceExpr) expr() {}
func (*NullIfExpr) expr()   {}
func (*FuncExpr) expr()     {}
func (*SubqueryExpr) expr() {}

// Position implementations.
func (e *Placeholder) Position() int  { return e.Pos }
func (e *LikeExpr) Position() int     { return e.Pos }
func (e *InExpr) Position() int       { return e.Pos }
func (e *BetweenExpr) Position() int  { return e.Pos }
func (e *DistinctExpr) Position() int { return e.Pos }
func (e *CaseExpr) Position() int     { return e.Pos }
func (e *CoalesceExpr) Position() int { return e.Pos }
func (e *NullIfExpr) Position() int   { return e.Pos }
func (e *FuncExpr) Position() int     { return e.Pos }
func (e *SubqueryExpr) Position() int { return e.Pos }

func (e *Placeholder) String() string { return "$" + strconv.Itoa(e.Idx+1) }
func (e *LikeExpr) String() string {
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
func (e *InExpr) String() string {
	op := " IN "
	if e.Not {
		op = " NOT IN "
	}
	if e.Sub != nil {
		return "(" + e.E.String() + op + "(" + e.Sub.String() + "))"
	}
	return "(" + e.E.String() + op + "(" + exprList(e.List) + "))"
}
func (e *BetweenExpr) String() string {
	op := " BETWEEN "
	if e.Not {
		op = " NOT BETWEEN "
	}
	if e.Symmetric {
		op += "SYMMETRIC "
	}
	return "(" + e.E.String() + op + e.Lo.String() + " AND " + e.Hi.String() + ")"
}
func (e *DistinctExpr) String() string {
	op := " IS DISTINCT FROM "
	if e.Not {
		op = " IS NOT DISTINCT FROM "
	}
	return "(" + e.L.String() + op + e.R.String() + ")"
}
func (e *CaseExpr) String() string {
	var b strings.Builder
	b.WriteString("CASE")
	if e.Operand != nil {
		b.WriteString(" " + e.Operand.String())
	}
	for _, w := range e.Whens {
		b.WriteString(" WHEN " + w.Cond.String() + " THEN " + w.Val.String())
	}
	if e.Else != nil {
		b.WriteString(" ELSE " + e.Else.String())
	}
	b.WriteString(" END")
	return b.String()
}
func (e *CoalesceExpr) String() string { return "COALESCE(" + exprList(e.Args) + ")" }
func (e *NullIfExpr) String() string {
	return "NULLIF(" + e.L.String() + ", " + e.R.String() + ")"
}
func (e *FuncExpr) String() string {
	if e.Star {
		return e.Name + "(*)"
	}
	inner := exprList(e.Args)
	if e.Distinct {
		inner = "DISTINCT " + inner
	}
	return e.Name + "(" + inner + aggOrderString(e.OrderBy) + ")" + aggFilterString(e.Filter)
}
func (e *SubqueryExpr) String() string {
	if e.Kind == ExistsSubquery {
		return "EXISTS (" + e.Select.String() + ")"
	}
	if e.Kind == ArraySubquery {
		return "ARRAY(" + e.Select.String() + ")"
	}
	return "(" + e.Select.String() + ")"
}

// MinMaxExpr is GREATEST(args…) or LEAST(args…).
type MinMaxExpr struct {
	Args     []Expr
	Greatest bool
	Pos      int
}

func (*MinMaxExpr) expr()           {}
func (e *MinMaxExpr) Position() int { return e.Pos }
func (e *MinMaxExpr) String() string {
	if e.Greatest {
		return "GREATEST(" + exprList(e.Args) + ")"
	}
	return "LEAST(" + exprList(e.Args) + ")"
}
