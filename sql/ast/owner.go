package ast

// AlterOwner is ALTER TABLE | SEQUENCE | VIEW name OWNER TO role.
type AlterOwner struct {
	Kind     string // TABLE, SEQUENCE, VIEW
	Name     TableName
	IfExists bool
	// Role is the new owner, or Current for CURRENT_USER / SESSION_USER.
	Role    string
	Current bool
}

func (*AlterOwner) statement() {}

// StatementTag is ALTER TABLE, ALTER SEQUENCE or ALTER VIEW.
func (a *AlterOwner) StatementTag() string { return "ALTER " + a.Kind }

func (a *AlterOwner) String() string {
	role := a.Role
	if a.Current {
		role = "CURRENT_USER"
	}
	return "ALTER " + a.Kind + " " + a.Name.String() + " OWNER TO " + role
}
