package ast

import "strings"

// The cluster-setting statements, CockroachDB's syntax: PostgreSQL has no
// grammar for them, so sql/parser reads them from the scanner's tokens
// (settings_stmt.go) and sql runs them against kv/settings
// (ddl_settings.go).

// SetClusterSetting is SET CLUSTER SETTING name = value (or TO value), and
// RESET CLUSTER SETTING name or SET … = DEFAULT, which have Default set.
type SetClusterSetting struct {
	// Name is the setting's name as written, folded as PostgreSQL folds
	// identifiers, dotted parts joined with ".".
	Name string
	// Value is the literal's text: a string's contents, a number, true or
	// false; empty with Default.
	Value   string
	Default bool
	// Reset marks the RESET spelling.
	Reset bool
	// Pos is the 1-based character position of the name.
	Pos int
}

// ShowClusterSetting is SHOW CLUSTER SETTING name: one row, one column
// named after the setting.
type ShowClusterSetting struct {
	Name string
	Pos  int
}

// ShowClusterSettings is SHOW [ALL] CLUSTER SETTINGS: every setting with
// its value, type and description.
type ShowClusterSettings struct{ All bool }

// ShowPlacementDecisions is SHOW PLACEMENT DECISIONS: the placement
// driver's decision log, newest first.
type ShowPlacementDecisions struct{}

func (*ShowPlacementDecisions) statement()           {}
func (*ShowPlacementDecisions) StatementTag() string { return "SELECT" }
func (*ShowPlacementDecisions) String() string       { return "SHOW PLACEMENT DECISIONS" }
func (*SetClusterSetting) statement()                {}
func (*ShowClusterSetting) statement()               {}
func (*ShowClusterSettings) statement()              {}

// StatementTag implementations: SET and RESET are tagged as CockroachDB
// tags them; the SHOWs return rows, tagged "SELECT n" as SHOW RANGES is.
func (*SetClusterSetting) StatementTag() string   { return "SET CLUSTER SETTING" }
func (*ShowClusterSetting) StatementTag() string  { return "SELECT" }
func (*ShowClusterSettings) StatementTag() string { return "SELECT" }

func (s *SetClusterSetting) String() string {
	switch {
	case s.Reset:
		return "RESET CLUSTER SETTING " + s.Name
	case s.Default:
		return "SET CLUSTER SETTING " + s.Name + " = DEFAULT"
	}
	return "SET CLUSTER SETTING " + s.Name + " = '" + strings.ReplaceAll(s.Value, "'", "''") + "'"
}

func (s *ShowClusterSetting) String() string { return "SHOW CLUSTER SETTING " + s.Name }

func (s *ShowClusterSettings) String() string {
	if s.All {
		return "SHOW ALL CLUSTER SETTINGS"
	}
	return "SHOW CLUSTER SETTINGS"
}
