package ast

import "strings"

// CreateView is CREATE [OR REPLACE] VIEW name [(col, …)] AS select.
type CreateView struct {
	Name    TableName
	Replace bool
	// Columns renames the query's output columns (the first len(Columns)
	// of them) when given.
	Columns []string
	Select  *Select
	// Query is the SELECT as text (pg_query's deparse of it): what the
	// view's descriptor keeps and is re-parsed when the view is used.
	Query string
}

// DropView is DROP VIEW [IF EXISTS] name, … [CASCADE | RESTRICT].
type DropView struct {
	Names    []TableName
	IfExists bool
	Cascade  bool
}

func (*CreateView) statement() {}
func (*DropView) statement()   {}

// StatementTag implementations.
func (*CreateView) StatementTag() string { return "CREATE VIEW" }
func (*DropView) StatementTag() string   { return "DROP VIEW" }

func (s *CreateView) String() string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if s.Replace {
		b.WriteString("OR REPLACE ")
	}
	b.WriteString("VIEW " + s.Name.String())
	if len(s.Columns) > 0 {
		b.WriteString(" (" + strings.Join(s.Columns, ", ") + ")")
	}
	b.WriteString(" AS " + s.Select.String())
	return b.String()
}

func (s *DropView) String() string {
	var b strings.Builder
	b.WriteString("DROP VIEW ")
	if s.IfExists {
		b.WriteString("IF EXISTS ")
	}
	for i, n := range s.Names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n.String())
	}
	if s.Cascade {
		b.WriteString(" CASCADE")
	}
	return b.String()
}
