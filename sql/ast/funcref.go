package ast

import "strings"

// FuncRef is a set-returning function in FROM:
// f(args) [[AS] alias [(col, …)]]. Alias is empty when none is written
// (the function's name then names the table); Columns renames its output
// columns.
type FuncRef struct {
	Func    *FuncExpr
	Alias   string
	Columns []string
	// Ordinality is WITH ORDINALITY: a bigint column numbering the rows.
	Ordinality bool
	Pos        int
}

func (*FuncRef) fromItem() {}

func (r *FuncRef) String() string {
	s := r.Func.String()
	if r.Ordinality {
		s += " WITH ORDINALITY"
	}
	if r.Alias != "" {
		s += " AS " + r.Alias
	}
	if len(r.Columns) > 0 {
		s += " (" + strings.Join(r.Columns, ", ") + ")"
	}
	return s
}

// aggOrderString prints an aggregate's ORDER BY (empty for none).
func aggOrderString(items []OrderItem) string {
	if len(items) == 0 {
		return ""
	}
	s := &Select{OrderBy: items}
	var b strings.Builder
	s.writeTail(&b)
	return b.String()
}

// aggFilterString prints an aggregate's FILTER clause (empty for none).
func aggFilterString(e Expr) string {
	if e == nil {
		return ""
	}
	return " FILTER (WHERE " + e.String() + ")"
}
