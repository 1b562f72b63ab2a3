package ast

import "strings"

// IndexColumn is one column of an index or UNIQUE constraint.
type IndexColumn struct {
	// Name is the column, or empty for an expression (Expr, its text
	// ExprText).
	Name     string
	Expr     Expr
	ExprText string
	// Opclass is the operator class named (PostgreSQL's default when "").
	Opclass string
	Desc    bool
	// NullsFirst is nil for the default (NULLS LAST for ASC, FIRST for
	// DESC).
	NullsFirst *bool
	Pos        int
}

// UniqueConstraint is UNIQUE (cols) in CREATE TABLE, as a column or a
// table constraint.
type UniqueConstraint struct {
	// Name is CONSTRAINT name, or "" for the default <table>_<cols>_key.
	Name    string
	Columns []IndexColumn
	Pos     int
}

// CreateIndex is CREATE [UNIQUE] INDEX [IF NOT EXISTS] [name] ON t (cols).
type CreateIndex struct {
	// Name is "" when PostgreSQL chooses it (<table>_<cols>_idx).
	Name        string
	Table       TableName
	Unique      bool
	IfNotExists bool
	Columns     []IndexColumn
	// Where is a partial index's predicate, WhereText its text.
	Where     Expr
	WhereText string
	// Include are INCLUDE's columns.
	Include []IndexColumn
	// Concurrently: CREATE INDEX CONCURRENTLY (which only refuses a
	// transaction block: every build here lets writers of other rows on).
	Concurrently bool
}

// DropIndex is DROP INDEX [IF EXISTS] names [CASCADE | RESTRICT].
type DropIndex struct {
	Names        []TableName
	IfExists     bool
	Concurrently bool
	Cascade      bool
}

// Reindex is REINDEX INDEX name or REINDEX TABLE name.
type Reindex struct {
	// Table is set for REINDEX TABLE, else the name is an index's.
	Table bool
	Name  TableName
}

func (*CreateIndex) statement() {}
func (*DropIndex) statement()   {}
func (*Reindex) statement()     {}

// StatementTag implementations.
func (*CreateIndex) StatementTag() string { return "CREATE INDEX" }
func (*DropIndex) StatementTag() string   { return "DROP INDEX" }
func (*Reindex) StatementTag() string     { return "REINDEX" }

func indexColumns(cols []IndexColumn) string {
	parts := make([]string, len(cols))
	for i, c := range cols {
		parts[i] = c.Name
		if c.Expr != nil {
			parts[i] = "(" + c.ExprText + ")"
		}
		if c.Opclass != "" {
			parts[i] += " " + c.Opclass
		}
		if c.Desc {
			parts[i] += " DESC"
		}
		if c.NullsFirst != nil {
			if *c.NullsFirst {
				parts[i] += " NULLS FIRST"
			} else {
				parts[i] += " NULLS LAST"
			}
		}
	}
	return "(" + strings.Join(parts, ", ") + ")"
}

func (u UniqueConstraint) String() string {
	s := "UNIQUE " + indexColumns(u.Columns)
	if u.Name != "" {
		s = "CONSTRAINT " + u.Name + " " + s
	}
	return s
}

func (s *CreateIndex) String() string {
	var b strings.Builder
	b.WriteString("CREATE ")
	if s.Unique {
		b.WriteString("UNIQUE ")
	}
	b.WriteString("INDEX ")
	if s.IfNotExists {
		b.WriteString("IF NOT EXISTS ")
	}
	if s.Name != "" {
		b.WriteString(s.Name + " ")
	}
	b.WriteString("ON " + s.Table.String() + " " + indexColumns(s.Columns))
	if len(s.Include) > 0 {
		b.WriteString(" INCLUDE " + indexColumns(s.Include))
	}
	if s.WhereText != "" {
		b.WriteString(" WHERE " + s.WhereText)
	}
	return b.String()
}

func (s *DropIndex) String() string {
	var b strings.Builder
	b.WriteString("DROP INDEX ")
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

func (s *Reindex) String() string {
	if s.Table {
		return "REINDEX TABLE " + s.Name.String()
	}
	return "REINDEX INDEX " + s.Name.String()
}
