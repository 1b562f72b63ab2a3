package ast

import "strings"

// Vacuum is VACUUM [options] [tables] or ANALYZE [tables]: accepted as
// PostgreSQL's maintenance commands, which mean nothing here.
type Vacuum struct {
	// IsVacuum is VACUUM (else ANALYZE).
	IsVacuum bool
	Tables   []TableName
}

func (*Vacuum) statement() {}

// StatementTag is VACUUM or ANALYZE.
func (v *Vacuum) StatementTag() string {
	if v.IsVacuum {
		return "VACUUM"
	}
	return "ANALYZE"
}

func (v *Vacuum) String() string {
	names := make([]string, len(v.Tables))
	for i, n := range v.Tables {
		names[i] = n.String()
	}
	return strings.TrimSpace(v.StatementTag() + " " + strings.Join(names, ", "))
}
