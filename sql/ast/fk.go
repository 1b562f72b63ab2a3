package ast

import "strings"

// ForeignKeyConstraint is a FOREIGN KEY (or a column's REFERENCES)
// constraint as written.
type ForeignKeyConstraint struct {
	// Name is CONSTRAINT name, or "" for PostgreSQL's default
	// <table>_<cols>_fkey.
	Name string
	// Columns are the referencing columns; RefColumns the referenced ones
	// (none: the referenced table's primary key).
	Columns    []string
	RefTable   TableName
	RefColumns []string
	// OnDelete and OnUpdate are PostgreSQL's action letters: a (NO
	// ACTION), r (RESTRICT), c (CASCADE), n (SET NULL), d (SET DEFAULT).
	OnDelete, OnUpdate byte
	MatchFull          bool
	NotValid           bool
	// Deferrable and InitiallyDeferred: DEFERRABLE [INITIALLY DEFERRED].
	Deferrable, InitiallyDeferred bool
	Pos                           int
}

// SetConstraints is SET CONSTRAINTS { ALL | names } { DEFERRED |
// IMMEDIATE }.
type SetConstraints struct {
	All      bool
	Names    []TableName
	Deferred bool
}

func (*SetConstraints) statement() {}

// StatementTag is SET CONSTRAINTS.
func (*SetConstraints) StatementTag() string { return "SET CONSTRAINTS" }

func (s *SetConstraints) String() string {
	what := "ALL"
	if !s.All {
		names := make([]string, len(s.Names))
		for i, n := range s.Names {
			names[i] = n.String()
		}
		what = strings.Join(names, ", ")
	}
	mode := "IMMEDIATE"
	if s.Deferred {
		mode = "DEFERRED"
	}
	return "SET CONSTRAINTS " + what + " " + mode
}

func (c ForeignKeyConstraint) String() string {
	var b strings.Builder
	if c.Name != "" {
		b.WriteString("CONSTRAINT " + c.Name + " ")
	}
	b.WriteString("FOREIGN KEY (" + strings.Join(c.Columns, ", ") + ") REFERENCES " + c.RefTable.String())
	if len(c.RefColumns) > 0 {
		b.WriteString("(" + strings.Join(c.RefColumns, ", ") + ")")
	}
	if c.MatchFull {
		b.WriteString(" MATCH FULL")
	}
	for _, a := range []struct {
		on string
		v  byte
	}{{"UPDATE", c.OnUpdate}, {"DELETE", c.OnDelete}} {
		if s := fkActionText(a.v); s != "" {
			b.WriteString(" ON " + a.on + " " + s)
		}
	}
	if c.Deferrable {
		b.WriteString(" DEFERRABLE")
	}
	if c.InitiallyDeferred {
		b.WriteString(" INITIALLY DEFERRED")
	}
	if c.NotValid {
		b.WriteString(" NOT VALID")
	}
	return b.String()
}

func fkActionText(a byte) string {
	switch a {
	case 'r':
		return "RESTRICT"
	case 'c':
		return "CASCADE"
	case 'n':
		return "SET NULL"
	case 'd':
		return "SET DEFAULT"
	}
	return ""
}
