package ast

import "strings"

// This file holds the statements the session executes itself rather than
// through sql/plan: settings (SET, RESET, SHOW) and transaction modes.

// SetArg is one argument of SET as written: a string constant, a
// number or an identifier (Str holds the text; IsString is set for string
// constants and identifiers, which list-valued settings such as
// search_path quote as identifiers).
type SetArg struct {
	Str      string
	IsString bool
}

// SetVar is SET [SESSION | LOCAL] name {TO | =} value [, ...],
// SET … TO DEFAULT, SET TIME ZONE …, and RESET name / RESET ALL (Reset).
type SetVar struct {
	// Name is the setting's name, lower-cased ("timezone"); empty with
	// ResetAll.
	Name string
	// Args are the values; none with Default.
	Args []SetArg
	// Default: SET … TO DEFAULT, SET TIME ZONE LOCAL or RESET.
	Default bool
	// Local: SET LOCAL (until the end of the transaction).
	Local bool
	// Reset distinguishes RESET name from SET name TO DEFAULT (only the
	// command tag differs); ResetAll is RESET ALL.
	Reset    bool
	ResetAll bool
}

// ShowVar is SHOW name / SHOW ALL.
type ShowVar struct {
	Name string // lower-cased; empty with All
	All  bool
}

// TxnModes are the transaction modes of BEGIN, START TRANSACTION and SET
// TRANSACTION.
type TxnModes struct {
	// Isolation is "serializable", "repeatable read", "read committed",
	// "read uncommitted", or "" when not given.
	Isolation string
	// ReadOnly and Deferrable are nil when not given.
	ReadOnly   *bool
	Deferrable *bool
}

// BeginTxnModes is BEGIN with transaction modes, and START TRANSACTION
// with or without them (a plain BEGIN is BeginTxn).
type BeginTxnModes struct {
	Modes TxnModes
	// Start: spelled START TRANSACTION (the command tag differs).
	Start bool
}

// SetTransaction is SET TRANSACTION modes, or with Session SET SESSION
// CHARACTERISTICS AS TRANSACTION modes.
type SetTransaction struct {
	Modes   TxnModes
	Session bool
}

func (*SetVar) statement()         {}
func (*ShowVar) statement()        {}
func (*BeginTxnModes) statement()  {}
func (*SetTransaction) statement() {}

// StatementTag implementations.
func (s *SetVar) StatementTag() string {
	if s.Reset || s.ResetAll {
		return "RESET"
	}
	return "SET"
}
func (*ShowVar) StatementTag() string { return "SHOW" }
func (s *BeginTxnModes) StatementTag() string {
	if s.Start {
		return "START TRANSACTION"
	}
	return "BEGIN"
}
func (*SetTransaction) StatementTag() string { return "SET" }

func (s *SetVar) String() string {
	switch {
	case s.ResetAll:
		return "RESET ALL"
	case s.Reset:
		return "RESET " + s.Name
	}
	b := "SET "
	if s.Local {
		b += "LOCAL "
	}
	b += s.Name + " TO "
	if s.Default {
		return b + "DEFAULT"
	}
	parts := make([]string, len(s.Args))
	for i, a := range s.Args {
		if a.IsString {
			parts[i] = "'" + strings.ReplaceAll(a.Str, "'", "''") + "'"
		} else {
			parts[i] = a.Str
		}
	}
	return b + strings.Join(parts, ", ")
}

func (s *ShowVar) String() string {
	if s.All {
		return "SHOW ALL"
	}
	return "SHOW " + s.Name
}

func (m TxnModes) String() string {
	var parts []string
	if m.Isolation != "" {
		parts = append(parts, "ISOLATION LEVEL "+strings.ToUpper(m.Isolation))
	}
	if m.ReadOnly != nil {
		if *m.ReadOnly {
			parts = append(parts, "READ ONLY")
		} else {
			parts = append(parts, "READ WRITE")
		}
	}
	if m.Deferrable != nil {
		if *m.Deferrable {
			parts = append(parts, "DEFERRABLE")
		} else {
			parts = append(parts, "NOT DEFERRABLE")
		}
	}
	return strings.Join(parts, ", ")
}

func (s *BeginTxnModes) String() string { return s.StatementTag() + " " + s.Modes.String() }

func (s *SetTransaction) String() string {
	if s.Session {
		return "SET SESSION CHARACTERISTICS AS TRANSACTION " + s.Modes.String()
	}
	return "SET TRANSACTION " + s.Modes.String()
}
