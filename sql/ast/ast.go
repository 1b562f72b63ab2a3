package ast

import (
	"fmt"
	"strings"
)

// Statement is one SQL statement.
type Statement interface {
	fmt.Stringer
	// StatementTag is the command tag's verb ("SELECT", "CREATE TABLE").
	StatementTag() string
	statement()
}

// Expr is a scalar expression.
type Expr interface {
	fmt.Stringer
	// Position returns the 1-based character offset of the expression in
	// the query, 0 when unknown.
	Position() int
	expr()
}

// TableName names a relation, optionally schema-qualified.
type TableName struct {
	Schema string
	Name   string
	Pos    int
}

func (n TableName) String() string {
	if n.Schema != "" {
		return n.Schema + "." + n.Name
	}
	return n.Name
}

// TypeName is a column or cast type as written, resolved by sql/plan:
// Name is the last component of pg_query's qualified name ("int4", "text").
type TypeName struct {
	Name string
	Pos  int
	// Typmods is set when the type had modifiers (varchar(10)).
	Typmods bool
}

// ColumnDef is one column of CREATE TABLE.
type ColumnDef struct {
	Name       string
	Type       TypeName
	NotNull    bool
	PrimaryKey bool
	Pos        int
}

// CreateTable is CREATE TABLE.
type CreateTable struct {
	Table       TableName
	IfNotExists bool
	Columns     []ColumnDef
	// PrimaryKey holds the columns of a table-level PRIMARY KEY constraint.
	PrimaryKey    []string
	PrimaryKeyPos int
	// PrimaryKeyName is the constraint's name when given (CONSTRAINT x
	// PRIMARY KEY); the default is <table>_pkey.
	PrimaryKeyName string
}

// DropTable is DROP TABLE.
type DropTable struct {
	Names    []TableName
	IfExists bool
}

// Insert is INSERT INTO … VALUES.
type Insert struct {
	Table   TableName
	Alias   string
	Columns []Name
	Rows    [][]Expr
}

// Name is an identifier with its position.
type Name struct {
	Name string
	Pos  int
}

// SelectExpr is one item of a select list; Star marks `*`.
type SelectExpr struct {
	Expr  Expr
	Star  bool
	Alias string
	Pos   int
}

// TableRef is a table in FROM, with an optional alias.
type TableRef struct {
	Table TableName
	Alias string
}

// Select is SELECT … [FROM one table] [WHERE …].
type Select struct {
	Exprs []SelectExpr
	From  *TableRef
	Where Expr
}

// SetClause is one `col = expr` of UPDATE.
type SetClause struct {
	Column Name
	Expr   Expr
}

// Update is UPDATE … SET … [WHERE …].
type Update struct {
	Table TableRef
	Set   []SetClause
	Where Expr
}

// Delete is DELETE FROM … [WHERE …].
type Delete struct {
	Table TableRef
	Where Expr
}

// BeginTxn is BEGIN / START TRANSACTION.
type BeginTxn struct{}

// CommitTxn is COMMIT / END.
type CommitTxn struct{}

// RollbackTxn is ROLLBACK / ABORT.
type RollbackTxn struct{}

func (*CreateTable) statement() {}
func (*DropTable) statement()   {}
func (*Insert) statement()      {}
func (*Select) statement()      {}
func (*Update) statement()      {}
func (*Delete) statement()      {}
func (*BeginTxn) statement()    {}
func (*CommitTxn) statement()   {}
func (*RollbackTxn) statement() {}

// StatementTag implementations.
func (*CreateTable) StatementTag() string { return "CREATE TABLE" }
func (*DropTable) StatementTag() string   { return "DROP TABLE" }
func (*Insert) StatementTag() string      { return "INSERT" }
func (*Select) StatementTag() string      { return "SELECT" }
func (*Update) StatementTag() string      { return "UPDATE" }
func (*Delete) StatementTag() string      { return "DELETE" }
func (*BeginTxn) StatementTag() string    { return "BEGIN" }
func (*CommitTxn) StatementTag() string   { return "COMMIT" }
func (*RollbackTxn) StatementTag() string { return "ROLLBACK" }

func (s *CreateTable) String() string {
	var b strings.Builder
	b.WriteString("CREATE TABLE ")
	if s.IfNotExists {
		b.WriteString("IF NOT EXISTS ")
	}
	b.WriteString(s.Table.String() + " (")
	for i, c := range s.Columns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Name + " " + c.Type.Name)
		if c.NotNull {
			b.WriteString(" NOT NULL")
		}
		if c.PrimaryKey {
			b.WriteString(" PRIMARY KEY")
		}
	}
	if len(s.PrimaryKey) > 0 {
		b.WriteString(", PRIMARY KEY (" + strings.Join(s.PrimaryKey, ", ") + ")")
	}
	b.WriteString(")")
	return b.String()
}

func (s *DropTable) String() string {
	var b strings.Builder
	b.WriteString("DROP TABLE ")
	if s.IfExists {
		b.WriteString("IF EXISTS ")
	}
	for i, n := range s.Names {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(n.String())
	}
	return b.String()
}

func (s *Insert) String() string {
	var b strings.Builder
	b.WriteString("INSERT INTO " + s.Table.String())
	if s.Alias != "" {
		b.WriteString(" AS " + s.Alias)
	}
	if len(s.Columns) > 0 {
		b.WriteString("(")
		for i, c := range s.Columns {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString(c.Name)
		}
		b.WriteString(")")
	}
	b.WriteString(" VALUES ")
	for i, r := range s.Rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + exprList(r) + ")")
	}
	return b.String()
}

func (s *Select) String() string {
	var b strings.Builder
	b.WriteString("SELECT ")
	for i, e := range s.Exprs {
		if i > 0 {
			b.WriteString(", ")
		}
		if e.Star {
			b.WriteString("*")
		} else {
			b.WriteString(e.Expr.String())
		}
		if e.Alias != "" {
			b.WriteString(" AS " + e.Alias)
		}
	}
	if s.From != nil {
		b.WriteString(" FROM " + s.From.String())
	}
	if s.Where != nil {
		b.WriteString(" WHERE " + s.Where.String())
	}
	return b.String()
}

func (r TableRef) String() string {
	if r.Alias != "" {
		return r.Table.String() + " AS " + r.Alias
	}
	return r.Table.String()
}

func (s *Update) String() string {
	var b strings.Builder
	b.WriteString("UPDATE " + s.Table.String() + " SET ")
	for i, c := range s.Set {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(c.Column.Name + " = " + c.Expr.String())
	}
	if s.Where != nil {
		b.WriteString(" WHERE " + s.Where.String())
	}
	return b.String()
}

func (s *Delete) String() string {
	str := "DELETE FROM " + s.Table.String()
	if s.Where != nil {
		str += " WHERE " + s.Where.String()
	}
	return str
}

func (*BeginTxn) String() string    { return "BEGIN" }
func (*CommitTxn) String() string   { return "COMMIT" }
func (*RollbackTxn) String() string { return "ROLLBACK" }

func exprList(es []Expr) string {
	parts := make([]string, len(es))
	for i, e := range es {
		parts[i] = e.String()
	}
	return strings.Join(parts, ", ")
}
