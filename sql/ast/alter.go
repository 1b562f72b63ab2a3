package ast

import (
	"fmt"
	"strings"
)

// CheckConstraint is CHECK (expr) in CREATE TABLE (a column or a table
// constraint) or in ALTER TABLE … ADD CONSTRAINT.
type CheckConstraint struct {
	// Name is CONSTRAINT name, or "" for PostgreSQL's default
	// (<table>_<col>_check when the expression reads one column, else
	// <table>_check), chosen when the expression is bound.
	Name string
	Expr Expr
	// Text is the expression deparsed by pg_query: what the descriptor
	// stores and the planner parses again.
	Text string
	Pos  int
}

func (c CheckConstraint) String() string {
	s := "CHECK (" + c.Text + ")"
	if c.Name != "" {
		s = "CONSTRAINT " + c.Name + " " + s
	}
	return s
}

// AlterTableCmdKind is one kind of ALTER TABLE subcommand.
type AlterTableCmdKind int

// The ALTER TABLE subcommands rangedb runs.
const (
	AlterAddColumn AlterTableCmdKind = iota + 1
	AlterDropColumn
	AlterSetNotNull
	AlterDropNotNull
	AlterAddCheck
	AlterAddUnique
	AlterDropConstraint
	// AlterSetDefault and AlterDropDefault are ALTER COLUMN … SET/DROP
	// DEFAULT: the column is Name, SET's expression Column.Default (with
	// its text in Column.DefaultText).
	AlterSetDefault
	AlterDropDefault
	// AlterAddForeignKey is ADD [CONSTRAINT n] FOREIGN KEY (ForeignKey).
	AlterAddForeignKey
	// AlterAddPrimaryKey is ADD [CONSTRAINT n] PRIMARY KEY (cols), its
	// name and columns in Unique.
	AlterAddPrimaryKey
	// AlterColumnType is ALTER [COLUMN] Name [SET DATA] TYPE Column.Type
	// [USING Using].
	AlterColumnType
	// AlterValidateConstraint is VALIDATE CONSTRAINT Name.
	AlterValidateConstraint
	// AlterAddIdentity is ALTER COLUMN Name ADD GENERATED … AS IDENTITY
	// [(options)], in Column.Identity and Column.IdentityOptions.
	AlterAddIdentity
)

// AlterTableCmd is one subcommand of ALTER TABLE.
type AlterTableCmd struct {
	Kind AlterTableCmdKind
	// Column is the column of ADD COLUMN (with its NOT NULL and DEFAULT
	// as written).
	Column ColumnDef
	// Name is the column of DROP COLUMN, SET/DROP NOT NULL, or the
	// constraint of DROP CONSTRAINT.
	Name string
	// IfNotExists / IfExists: ADD COLUMN IF NOT EXISTS, DROP … IF EXISTS.
	IfNotExists bool
	IfExists    bool
	Cascade     bool
	// Check and Unique are ADD CONSTRAINT's constraint.
	Check      *CheckConstraint
	Unique     *UniqueConstraint
	ForeignKey *ForeignKeyConstraint
	// ColumnChecks are the CHECK constraints of an added column.
	ColumnChecks []CheckConstraint
	// Using is ALTER COLUMN … TYPE's USING expression (nil: the column),
	// UsingText its text.
	Using     Expr
	UsingText string
	Pos       int
}

// AlterTable is ALTER TABLE [IF EXISTS] t cmd, cmd, ….
type AlterTable struct {
	Table    TableName
	IfExists bool
	Cmds     []AlterTableCmd
}

// RenameKind is what ALTER … RENAME renames.
type RenameKind int

// The renames.
const (
	RenameTable RenameKind = iota + 1
	RenameColumn
	RenameIndex
	RenameConstraint
)

// Rename is ALTER TABLE t RENAME TO n, ALTER TABLE t RENAME [COLUMN] a TO
// b, ALTER TABLE t RENAME CONSTRAINT a TO b and ALTER INDEX i RENAME TO j.
type Rename struct {
	Kind RenameKind
	// Table is the table (or the index, for RenameIndex).
	Table    TableName
	IfExists bool
	// Old is the column or constraint renamed; New the new name.
	Old, New string
}

func (*AlterTable) statement() {}
func (*Rename) statement()     {}

// StatementTag implementations.
func (*AlterTable) StatementTag() string { return "ALTER TABLE" }

// StatementTag is ALTER INDEX for an index's rename, else ALTER TABLE.
func (r *Rename) StatementTag() string {
	if r.Kind == RenameIndex {
		return "ALTER INDEX"
	}
	return "ALTER TABLE"
}

func (s *AlterTable) String() string {
	var parts []string
	for _, c := range s.Cmds {
		parts = append(parts, c.String())
	}
	head := "ALTER TABLE "
	if s.IfExists {
		head += "IF EXISTS "
	}
	return head + s.Table.String() + " " + strings.Join(parts, ", ")
}

func (c AlterTableCmd) String() string {
	ifExists := ""
	if c.IfExists {
		ifExists = "IF EXISTS "
	}
	switch c.Kind {
	case AlterAddColumn:
		s := "ADD COLUMN "
		if c.IfNotExists {
			s += "IF NOT EXISTS "
		}
		s += c.Column.Name + " " + c.Column.Type.Name
		if c.Column.DefaultText != "" {
			s += " DEFAULT " + c.Column.DefaultText
		}
		if c.Column.NotNull {
			s += " NOT NULL"
		}
		for _, ck := range c.ColumnChecks {
			s += " " + ck.String()
		}
		return s
	case AlterDropColumn:
		s := "DROP COLUMN " + ifExists + c.Name
		if c.Cascade {
			s += " CASCADE"
		}
		return s
	case AlterSetNotNull:
		return "ALTER COLUMN " + c.Name + " SET NOT NULL"
	case AlterDropNotNull:
		return "ALTER COLUMN " + c.Name + " DROP NOT NULL"
	case AlterAddCheck:
		return "ADD " + c.Check.String()
	case AlterAddUnique:
		return "ADD " + c.Unique.String()
	case AlterAddForeignKey:
		return "ADD " + c.ForeignKey.String()
	case AlterAddIdentity:
		return "ALTER COLUMN " + c.Name + " ADD GENERATED AS IDENTITY"
	case AlterValidateConstraint:
		return "VALIDATE CONSTRAINT " + c.Name
	case AlterColumnType:
		s := "ALTER COLUMN " + c.Name + " TYPE " + c.Column.Type.Name
		if c.UsingText != "" {
			s += " USING " + c.UsingText
		}
		return s
	case AlterAddPrimaryKey:
		return "ADD " + strings.Replace(c.Unique.String(), "UNIQUE", "PRIMARY KEY", 1)
	case AlterDropConstraint:
		return "DROP CONSTRAINT " + ifExists + c.Name
	case AlterSetDefault:
		return "ALTER COLUMN " + c.Name + " SET DEFAULT " + c.Column.DefaultText
	case AlterDropDefault:
		return "ALTER COLUMN " + c.Name + " DROP DEFAULT"
	}
	return fmt.Sprintf("subcommand %d", c.Kind)
}

func (r *Rename) String() string {
	ifExists := ""
	if r.IfExists {
		ifExists = "IF EXISTS "
	}
	switch r.Kind {
	case RenameColumn:
		return "ALTER TABLE " + ifExists + r.Table.String() + " RENAME COLUMN " + r.Old + " TO " + r.New
	case RenameConstraint:
		return "ALTER TABLE " + ifExists + r.Table.String() + " RENAME CONSTRAINT " + r.Old + " TO " + r.New
	case RenameIndex:
		return "ALTER INDEX " + ifExists + r.Table.String() + " RENAME TO " + r.New
	}
	return "ALTER TABLE " + ifExists + r.Table.String() + " RENAME TO " + r.New
}
