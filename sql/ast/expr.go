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
