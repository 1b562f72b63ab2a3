package ast

// CreateDatabase is CREATE DATABASE name [options].
type CreateDatabase struct{ Name string }

// DropDatabase is DROP DATABASE [IF EXISTS] name [WITH (FORCE)].
type DropDatabase struct {
	Name     string
	IfExists bool
	Force    bool
}

// RenameDatabase is ALTER DATABASE name RENAME TO new.
type RenameDatabase struct{ Name, New string }

func (*CreateDatabase) statement() {}
func (*DropDatabase) statement()   {}
func (*RenameDatabase) statement() {}

// StatementTag implementations.
func (*CreateDatabase) StatementTag() string { return "CREATE DATABASE" }
func (*DropDatabase) StatementTag() string   { return "DROP DATABASE" }
func (*RenameDatabase) StatementTag() string { return "ALTER DATABASE" }

func (s *CreateDatabase) String() string { return "CREATE DATABASE " + s.Name }
func (s *DropDatabase) String() string {
	if s.IfExists {
		return "DROP DATABASE IF EXISTS " + s.Name
	}
	return "DROP DATABASE " + s.Name
}
func (s *RenameDatabase) String() string { return "ALTER DATABASE " + s.Name + " RENAME TO " + s.New }
