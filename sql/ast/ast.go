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
	// Mods holds the integer modifiers (varchar(10) → [10]).
	Mods []int32
}

// ColumnDef is one column of CREATE TABLE.
type ColumnDef struct {
	Name       string
	Type       TypeName
	NotNull    bool
	PrimaryKey bool
	Pos        int
	// Default is the DEFAULT expression, DefaultText its deparsed text
	// (what the descriptor keeps); Serial is a serial type (the type is
	// already the integer one); Identity is IdentityAlways or
	// IdentityByDefault with IdentityOptions (sequence.go).
	Default         Expr
	DefaultText     string
	Serial          bool
	Identity        byte
	IdentityOptions *SeqOptions
	// Generated is GENERATED ALWAYS AS (expr) STORED's expression,
	// GeneratedText its deparsed text.
	Generated     Expr
	GeneratedText string
	GeneratedPos  int
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
	// Uniques are the UNIQUE constraints, column and table ones, in
	// textual order (index.go).
	Uniques []UniqueConstraint
	// Checks are the CHECK constraints, column and table ones, in
	// textual order (alter.go).
	Checks []CheckConstraint
	// ForeignKeys are the FOREIGN KEY constraints, column and table ones,
	// in textual order.
	ForeignKeys []ForeignKeyConstraint
}

// DropTable is DROP TABLE.
type DropTable struct {
	Names    []TableName
	IfExists bool
	// Cascade drops the views that depend on the tables too.
	Cascade bool
}

// Insert is INSERT INTO … VALUES or INSERT INTO … SELECT.
type Insert struct {
	Table   TableName
	Alias   string
	Columns []Name
	// Rows holds the VALUES lists; Select is set instead for INSERT …
	// SELECT.
	Rows      [][]Expr
	Select    *Select
	Returning []SelectExpr
	// OnConflict is the ON CONFLICT clause, if any.
	OnConflict *OnConflict
	// Overriding is OVERRIDING SYSTEM|USER VALUE ("" when absent); a
	// DEFAULT VALUES insert has one empty row in Rows.
	Overriding string
}

// OnConflict is ON CONFLICT [(columns)] DO NOTHING | DO UPDATE SET …
// [WHERE …].
type OnConflict struct {
	// Columns or Constraint (ON CONSTRAINT name) is the conflict target;
	// neither for DO NOTHING without one.
	Columns    []Name
	Constraint string
	DoUpdate   bool
	Set        []SetClause
	Where      Expr
	Pos        int
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

// SubqueryRef is a derived table: (SELECT …) [AS] alias [(col, …)] in
// FROM. Columns renames the query's first len(Columns) output columns.
type SubqueryRef struct {
	Select  *Select
	Alias   string
	Columns []string
	Pos     int
}

func (r *SubqueryRef) String() string {
	s := "(" + r.Select.String() + ") AS " + r.Alias
	if len(r.Columns) > 0 {
		s += " (" + strings.Join(r.Columns, ", ") + ")"
	}
	return s
}

// FromItem is one item of FROM: a *TableRef, a *SubqueryRef or a
// *JoinExpr.
type FromItem interface {
	fmt.Stringer
	fromItem()
}

func (*TableRef) fromItem()    {}
func (*JoinExpr) fromItem()    {}
func (*SubqueryRef) fromItem() {}

// JoinKind is the kind of an explicit JOIN.
type JoinKind string

// The join kinds.
const (
	InnerJoin JoinKind = "INNER"
	LeftJoin  JoinKind = "LEFT"
	RightJoin JoinKind = "RIGHT"
	FullJoin  JoinKind = "FULL"
	CrossJoin JoinKind = "CROSS"
)

// JoinExpr is L [kind] JOIN R [ON cond | USING (cols)].
type JoinExpr struct {
	Kind  JoinKind
	L, R  FromItem
	On    Expr
	Using []string
	// Natural is NATURAL: USING every column name the two sides share.
	Natural bool
	Pos     int
}

func (j *JoinExpr) String() string {
	s := "(" + j.L.String() + " " + string(j.Kind) + " JOIN " + j.R.String()
	if j.On != nil {
		s += " ON " + j.On.String()
	}
	if len(j.Using) > 0 {
		s += " USING (" + strings.Join(j.Using, ", ") + ")"
	}
	return s + ")"
}

// OrderItem is one ORDER BY item. NullsFirst nil is the default (NULLS
// LAST for ASC, FIRST for DESC).
type OrderItem struct {
	Expr       Expr
	Desc       bool
	NullsFirst *bool
}

// SetOp is L UNION/INTERSECT/EXCEPT [ALL] R.
type SetOp struct {
	Op   string // "UNION", "INTERSECT" or "EXCEPT"
	All  bool
	L, R *Select
}

// Select is a SELECT query. When SetOp is set the query is that set
// operation, with only OrderBy, Limit and Offset of its own.
type Select struct {
	SetOp    *SetOp
	Distinct bool
	Exprs    []SelectExpr
	From     []FromItem
	Where    Expr
	GroupBy  []Expr
	Having   Expr
	OrderBy  []OrderItem
	Limit    Expr
	Offset   Expr
	// ForUpdate is set by FOR UPDATE / FOR NO KEY UPDATE.
	ForUpdate *ForUpdate
	// DistinctOn holds DISTINCT ON's expressions.
	DistinctOn []Expr
	// With holds the WITH clause's common table expressions.
	With []*CTE
	// Values, when set, makes this a VALUES list (every other field
	// empty); a VALUES with ORDER BY or LIMIT is a SELECT * over one.
	Values [][]Expr
}

// CTE is one `name [(columns)] AS (select)` of a WITH clause.
type CTE struct {
	Name    string
	Columns []string
	Select  *Select
	Pos     int
	// Recursive is set for every CTE of a WITH RECURSIVE clause: the CTEs
	// of the clause see each other and themselves (sql/plan/recursive.go).
	Recursive bool
}

// ForUpdate is a SELECT's row-locking clause.
type ForUpdate struct {
	NoWait bool
}

// Explain is EXPLAIN [ANALYZE] statement.
type Explain struct {
	Stmt    Statement
	Analyze bool
}

// SetClause is one `col = expr` of UPDATE.
type SetClause struct {
	Column Name
	Expr   Expr
}

// Update is UPDATE … SET … [WHERE …] [RETURNING …].
type Update struct {
	Table     TableRef
	Set       []SetClause
	Where     Expr
	Returning []SelectExpr
}

// Delete is DELETE FROM … [WHERE …] [RETURNING …].
type Delete struct {
	Table     TableRef
	Where     Expr
	Returning []SelectExpr
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
func (*Explain) statement()     {}

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
func (*Explain) StatementTag() string     { return "EXPLAIN" }

func (s *Explain) String() string {
	if s.Analyze {
		return "EXPLAIN ANALYZE " + s.Stmt.String()
	}
	return "EXPLAIN " + s.Stmt.String()
}

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
		b.WriteString(c.defaultString()) // sequence.go
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
	for _, u := range s.Uniques {
		b.WriteString(", " + u.String()) // index.go
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
	if s.Cascade {
		b.WriteString(" CASCADE")
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
	if s.Select != nil {
		b.WriteString(" " + s.Select.String())
	} else {
		b.WriteString(" VALUES ")
		for i, r := range s.Rows {
			if i > 0 {
				b.WriteString(", ")
			}
			b.WriteString("(" + exprList(r) + ")")
		}
	}
	b.WriteString(returningString(s.Returning))
	return b.String()
}

func selectList(es []SelectExpr) string {
	var b strings.Builder
	for i, e := range es {
		if i > 0 {
			b.WriteString(", ")
		}
		switch {
		case e.Star && e.Expr != nil:
			b.WriteString(e.Expr.(*ColumnRef).Table + ".*")
		case e.Star:
			b.WriteString("*")
		default:
			b.WriteString(e.Expr.String())
		}
		if e.Alias != "" {
			b.WriteString(" AS " + e.Alias)
		}
	}
	return b.String()
}

func returningString(es []SelectExpr) string {
	if len(es) == 0 {
		return ""
	}
	return " RETURNING " + selectList(es)
}

func (s *Select) String() string {
	var b strings.Builder
	if s.SetOp != nil {
		op := s.SetOp.Op
		if s.SetOp.All {
			op += " ALL"
		}
		b.WriteString("(" + s.SetOp.L.String() + ") " + op + " (" + s.SetOp.R.String() + ")")
		s.writeTail(&b)
		return b.String()
	}
	b.WriteString("SELECT ")
	if s.Distinct {
		b.WriteString("DISTINCT ")
	}
	b.WriteString(selectList(s.Exprs))
	for i, f := range s.From {
		if i == 0 {
			b.WriteString(" FROM ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(f.String())
	}
	if s.Where != nil {
		b.WriteString(" WHERE " + s.Where.String())
	}
	if len(s.GroupBy) > 0 {
		b.WriteString(" GROUP BY " + exprList(s.GroupBy))
	}
	if s.Having != nil {
		b.WriteString(" HAVING " + s.Having.String())
	}
	s.writeTail(&b)
	return b.String()
}

func (s *Select) writeTail(b *strings.Builder) {
	for i, o := range s.OrderBy {
		if i == 0 {
			b.WriteString(" ORDER BY ")
		} else {
			b.WriteString(", ")
		}
		b.WriteString(o.Expr.String())
		if o.Desc {
			b.WriteString(" DESC")
		}
		if o.NullsFirst != nil {
			if *o.NullsFirst {
				b.WriteString(" NULLS FIRST")
			} else {
				b.WriteString(" NULLS LAST")
			}
		}
	}
	if s.Limit != nil {
		b.WriteString(" LIMIT " + s.Limit.String())
	}
	if s.Offset != nil {
		b.WriteString(" OFFSET " + s.Offset.String())
	}
}

func (r *TableRef) String() string {
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
	b.WriteString(returningString(s.Returning))
	return b.String()
}

func (s *Delete) String() string {
	str := "DELETE FROM " + s.Table.String()
	if s.Where != nil {
		str += " WHERE " + s.Where.String()
	}
	return str + returningString(s.Returning)
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

// Savepoint is SAVEPOINT name.
type Savepoint struct{ Name string }

// ReleaseSavepoint is RELEASE [SAVEPOINT] name.
type ReleaseSavepoint struct{ Name string }

// RollbackToSavepoint is ROLLBACK TO [SAVEPOINT] name.
type RollbackToSavepoint struct{ Name string }

func (*Savepoint) statement()           {}
func (*ReleaseSavepoint) statement()    {}
func (*RollbackToSavepoint) statement() {}

func (*Savepoint) StatementTag() string           { return "SAVEPOINT" }
func (*ReleaseSavepoint) StatementTag() string    { return "RELEASE" }
func (*RollbackToSavepoint) StatementTag() string { return "ROLLBACK" }

func (s *Savepoint) String() string           { return "SAVEPOINT " + s.Name }
func (s *ReleaseSavepoint) String() string    { return "RELEASE SAVEPOINT " + s.Name }
func (s *RollbackToSavepoint) String() string { return "ROLLBACK TO SAVEPOINT " + s.Name }

// Truncate is TRUNCATE [TABLE] names.
type Truncate struct {
	Tables []TableName
	// RestartIdentity restarts the sequences the tables' columns own.
	RestartIdentity bool
	// Cascade truncates the tables that reference the tables too.
	Cascade bool
}

func (*Truncate) statement()           {}
func (*Truncate) StatementTag() string { return "TRUNCATE TABLE" }
func (t *Truncate) String() string {
	names := make([]string, len(t.Tables))
	for i, n := range t.Tables {
		names[i] = n.String()
	}
	return "TRUNCATE " + strings.Join(names, ", ")
}
