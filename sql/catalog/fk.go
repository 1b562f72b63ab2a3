package catalog

// FKAction is what a FOREIGN KEY does to the referencing rows when a
// referenced row is deleted or its key updated; the values are
// PostgreSQL's pg_constraint.confdeltype / confupdtype letters.
type FKAction byte

// The actions.
const (
	FKNoAction   FKAction = 'a'
	FKRestrict   FKAction = 'r'
	FKCascade    FKAction = 'c'
	FKSetNull    FKAction = 'n'
	FKSetDefault FKAction = 'd'
)

// String is the action as SQL spells it.
func (a FKAction) String() string {
	switch a {
	case FKRestrict:
		return "RESTRICT"
	case FKCascade:
		return "CASCADE"
	case FKSetNull:
		return "SET NULL"
	case FKSetDefault:
		return "SET DEFAULT"
	}
	return "NO ACTION"
}

// ForeignKey is a FOREIGN KEY constraint of the table that holds it (the
// referencing, or child, table): each row whose ColumnIDs are all
// non-NULL (MATCH SIMPLE; with MatchFull a row must have all or none
// NULL) has a row in RefTableID whose RefColumnIDs hold the same values,
// position by position. The referenced columns are the referenced
// table's primary key or a UNIQUE constraint's columns (in any order);
// the referenced table lists the constraint in its InboundFKs so that
// its writers find the rows that reference theirs (sql/exec, fk.go).
type ForeignKey struct {
	Name         string     `json:"name"`
	ColumnIDs    []ColumnID `json:"column_ids"`
	RefTableID   uint64     `json:"ref_table_id"`
	RefColumnIDs []ColumnID `json:"ref_column_ids"`
	OnDelete     FKAction   `json:"on_delete"`
	OnUpdate     FKAction   `json:"on_update"`
	MatchFull    bool       `json:"match_full,omitempty"`
	// NotValid is ADD CONSTRAINT … NOT VALID: the rows that existed then
	// were not checked (PostgreSQL's convalidated = false).
	NotValid bool `json:"not_valid,omitempty"`
	// Deferrable constraints' checks may wait for the commit (SET
	// CONSTRAINTS … DEFERRED); InitiallyDeferred ones do unless SET
	// CONSTRAINTS … IMMEDIATE says otherwise. Their actions (CASCADE,
	// SET NULL, SET DEFAULT) and RESTRICT never wait.
	Deferrable        bool `json:"deferrable,omitempty"`
	InitiallyDeferred bool `json:"initially_deferred,omitempty"`
}

// InboundFK names a FOREIGN KEY of another table (or of the same one)
// that references the table holding the InboundFK.
type InboundFK struct {
	TableID uint64 `json:"table_id"`
	Name    string `json:"name"`
}

// FindForeignKey returns the position of the FOREIGN KEY named name in
// t.ForeignKeys, or -1.
func (t *TableDescriptor) FindForeignKey(name string) int {
	for i := range t.ForeignKeys {
		if t.ForeignKeys[i].Name == name {
			return i
		}
	}
	return -1
}

// FindInboundFK returns the position of the inbound reference of table's
// constraint name in t.InboundFKs, or -1.
func (t *TableDescriptor) FindInboundFK(table uint64, name string) int {
	for i, in := range t.InboundFKs {
		if in.TableID == table && in.Name == name {
			return i
		}
	}
	return -1
}

// ReferencedIndex returns the index of t (the primary one or a unique
// one) whose key columns are exactly cols, in any order, or nil: the
// index a FOREIGN KEY referencing cols relies on. The primary index is
// preferred, then unique constraints, then other unique indexes, in
// order of creation.
func (t *TableDescriptor) ReferencedIndex(cols []ColumnID) *Index {
	sameSet := func(idx *Index) bool {
		if len(idx.ColumnIDs) != len(cols) || idx.Predicate != "" {
			return false
		}
		for _, c := range cols {
			found := false
			for _, k := range idx.ColumnIDs {
				found = found || k == c
			}
			if !found {
				return false
			}
		}
		return true
	}
	if !t.PrimaryKeyHidden() && sameSet(&t.PrimaryIndex) {
		return &t.PrimaryIndex
	}
	for _, constraint := range []bool{true, false} {
		for i := range t.Indexes {
			idx := &t.Indexes[i]
			if idx.Unique && idx.Constraint == constraint && sameSet(idx) {
				return idx
			}
		}
	}
	return nil
}
