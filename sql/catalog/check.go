package catalog

// Check is a CHECK constraint of a table: its name (unique among the
// table's constraints) and its boolean expression as SQL text over the
// table's columns, parsed and bound again by the planner of every INSERT
// and UPDATE of the table (sql/plan, check.go), which the row writer
// evaluates on each new row (sql/exec). A row passes unless the
// expression is false: NULL passes, as in PostgreSQL.
type Check struct {
	Name string `json:"name"`
	Expr string `json:"expr"`
}

// FindCheck returns the position of the CHECK constraint named name in
// t.Checks, or -1.
func (t *TableDescriptor) FindCheck(name string) int {
	for i := range t.Checks {
		if t.Checks[i].Name == name {
			return i
		}
	}
	return -1
}

// PrimaryKeyConstraint reports whether t's primary index is a PRIMARY
// KEY constraint (it is unless the key is the hidden rowid).
func (t *TableDescriptor) PrimaryKeyConstraint() bool { return !t.PrimaryKeyHidden() }

// HasConstraint reports whether t has a constraint (CHECK, PRIMARY KEY,
// UNIQUE or FOREIGN KEY) named name.
func (t *TableDescriptor) HasConstraint(name string) bool {
	if t.FindCheck(name) >= 0 || t.FindForeignKey(name) >= 0 {
		return true
	}
	if t.PrimaryKeyConstraint() && t.PrimaryIndex.Name == name {
		return true
	}
	for i := range t.Indexes {
		if t.Indexes[i].Constraint && t.Indexes[i].Name == name {
			return true
		}
	}
	return false
}
