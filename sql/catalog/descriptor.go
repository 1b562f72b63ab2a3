package catalog

import (
	"encoding/json"
	"fmt"

	"github.com/rangedb/rangedb/sql/types"
)

// ColumnID identifies a column within its table; never reused.
type ColumnID uint32

// IndexID identifies an index within its table; the primary index is 1.
type IndexID uint32

// PrimaryIndexID is the id of every table's primary index.
const PrimaryIndexID IndexID = 1

// Direction is the order of an index column.
type Direction uint8

// The directions.
const (
	Ascending Direction = iota
	Descending
)

// DatabaseDescriptor describes a database.
type DatabaseDescriptor struct {
	ID      uint64 `json:"id"`
	Name    string `json:"name"`
	Comment string `json:"comment,omitempty"`
}

// Column describes one column of a table.
type Column struct {
	ID       ColumnID `json:"id"`
	Name     string   `json:"name"`
	Type     *types.T `json:"-"`
	Nullable bool     `json:"nullable"`
	// Hidden columns (the rowid of a table without a primary key) are
	// left out of `*`.
	Hidden bool `json:"hidden,omitempty"`
	// StoredType is Type's persisted form (set by encode, read by decode).
	StoredType types.Persisted `json:"type"`
	// Default is the DEFAULT expression's text ("" for none), Identity
	// IdentityAlways or IdentityByDefault for an identity column, and
	// OwnedSequences the sequences owned by the column (sequence.go).
	Default        string   `json:"default,omitempty"`
	Identity       byte     `json:"identity,omitempty"`
	OwnedSequences []uint64 `json:"owned_sequences,omitempty"`
	// Missing is the value rows written before the column was added read
	// in it (PostgreSQL's attmissingval: ADD COLUMN's non-volatile
	// DEFAULT, computed once), in rowenc's tagged value encoding; nil
	// for NULL. Rows written since always carry the column, NULL
	// included (sql/rowenc EncodeValue).
	Missing []byte `json:"missing,omitempty"`
	// Computed is the expression (SQL text over the row's other columns)
	// whose value every write stores in the column: a hidden column an
	// expression index keys on.
	Computed string `json:"computed,omitempty"`
	// Comment is COMMENT ON COLUMN's text.
	Comment string `json:"comment,omitempty"`
}

// Index describes an index: its key columns, in order.
type Index struct {
	ID         IndexID     `json:"id"`
	Name       string      `json:"name"`
	ColumnIDs  []ColumnID  `json:"column_ids"`
	Directions []Direction `json:"directions"`
	// Unique, Constraint: see index.go.
	Unique     bool `json:"unique,omitempty"`
	Constraint bool `json:"constraint,omitempty"`
	// Predicate is a partial index's WHERE as SQL text over the table's
	// columns: only the rows it holds for have an entry (and a unique
	// partial index is unique among them only). The planner never reads
	// a partial index.
	Predicate string `json:"predicate,omitempty"`
	// Opclasses are the operator classes named per column ("" for the
	// default), Include INCLUDE's columns: kept for the index's
	// definition; entries are ordered bytewise either way (the C
	// collation's order, which the pattern_ops classes use) and carry no
	// included column.
	Opclasses []string   `json:"opclasses,omitempty"`
	Include   []ColumnID `json:"include,omitempty"`
	// Comment is COMMENT ON INDEX's text.
	Comment string `json:"comment,omitempty"`
}

// TableDescriptor describes a table.
type TableDescriptor struct {
	ID       uint64 `json:"id"`
	ParentID uint64 `json:"parent_id"`
	Name     string `json:"name"`
	// Columns in definition order; a row is a types.Datums indexed by
	// position in this slice.
	Columns      []Column `json:"columns"`
	NextColumnID ColumnID `json:"next_column_id"`
	PrimaryIndex Index    `json:"primary_index"`
	NextIndexID  IndexID  `json:"next_index_id"`
	// Indexes are the secondary indexes (index.go).
	Indexes []Index `json:"indexes,omitempty"`
	// Version counts changes to the descriptor.
	Version uint64 `json:"version"`
	// DependedOnBy lists the views whose queries read the table (view.go).
	DependedOnBy []uint64 `json:"depended_on_by,omitempty"`
	// Checks are the table's CHECK constraints (check.go).
	Checks []Check `json:"checks,omitempty"`
	// ForeignKeys are the table's FOREIGN KEY constraints, InboundFKs
	// those of any table that reference it (fk.go).
	ForeignKeys []ForeignKey `json:"foreign_keys,omitempty"`
	InboundFKs  []InboundFK  `json:"inbound_fks,omitempty"`
	// Comment is COMMENT ON TABLE's text.
	Comment string `json:"comment,omitempty"`
}

// ColumnOrdinal returns the position of the column with id, or -1.
func (t *TableDescriptor) ColumnOrdinal(id ColumnID) int {
	for i := range t.Columns {
		if t.Columns[i].ID == id {
			return i
		}
	}
	return -1
}

// FindColumn returns the position of the column named name, or -1.
func (t *TableDescriptor) FindColumn(name string) int {
	for i := range t.Columns {
		if t.Columns[i].Name == name {
			return i
		}
	}
	return -1
}

// PrimaryKeyOrdinals returns the positions of the primary key columns in
// key order.
func (t *TableDescriptor) PrimaryKeyOrdinals() []int {
	out := make([]int, len(t.PrimaryIndex.ColumnIDs))
	for i, id := range t.PrimaryIndex.ColumnIDs {
		out[i] = t.ColumnOrdinal(id)
	}
	return out
}

// IsKeyColumn reports whether the column at ordinal is in the primary key.
func (t *TableDescriptor) IsKeyColumn(ordinal int) bool {
	id := t.Columns[ordinal].ID
	for _, k := range t.PrimaryIndex.ColumnIDs {
		if k == id {
			return true
		}
	}
	return false
}

// Validate checks the descriptor's internal consistency.
func (t *TableDescriptor) Validate() error {
	seen := map[ColumnID]bool{}
	for _, c := range t.Columns {
		if c.ID == 0 || c.ID >= t.NextColumnID || seen[c.ID] || c.Type == nil {
			return fmt.Errorf("catalog: table %q: bad column %q", t.Name, c.Name)
		}
		seen[c.ID] = true
	}
	if len(t.PrimaryIndex.ColumnIDs) == 0 || len(t.PrimaryIndex.ColumnIDs) != len(t.PrimaryIndex.Directions) {
		return fmt.Errorf("catalog: table %q: bad primary index", t.Name)
	}
	for _, id := range t.PrimaryIndex.ColumnIDs {
		if !seen[id] {
			return fmt.Errorf("catalog: table %q: primary index names unknown column %d", t.Name, id)
		}
	}
	for _, fk := range t.ForeignKeys {
		if len(fk.ColumnIDs) == 0 || len(fk.ColumnIDs) != len(fk.RefColumnIDs) || fk.RefTableID == 0 {
			return fmt.Errorf("catalog: table %q: bad foreign key %q", t.Name, fk.Name)
		}
		for _, id := range fk.ColumnIDs {
			if !seen[id] {
				return fmt.Errorf("catalog: table %q: foreign key %q names unknown column %d", t.Name, fk.Name, id)
			}
		}
	}
	return t.validateIndexes(seen)
}

// Descriptor formats. The first byte of every stored descriptor.
const (
	formatJSONv1 byte = 1
)

// storedDescriptor is the union stored at a DescriptorKey.
type storedDescriptor struct {
	Database *DatabaseDescriptor `json:"database,omitempty"`
	Table    *TableDescriptor    `json:"table,omitempty"`
	View     *ViewDescriptor     `json:"view,omitempty"`
	Sequence *SequenceDescriptor `json:"sequence,omitempty"`
}

// EncodeTable returns the stored form of a table descriptor.
func EncodeTable(t *TableDescriptor) ([]byte, error) {
	for i := range t.Columns {
		t.Columns[i].StoredType = t.Columns[i].Type.Persist()
	}
	return encode(storedDescriptor{Table: t})
}

// EncodeDatabase returns the stored form of a database descriptor.
func EncodeDatabase(d *DatabaseDescriptor) ([]byte, error) {
	return encode(storedDescriptor{Database: d})
}

func encode(sd storedDescriptor) ([]byte, error) {
	b, err := json.Marshal(sd)
	if err != nil {
		return nil, err
	}
	return append([]byte{formatJSONv1}, b...), nil
}

// decode parses a stored descriptor.
func decode(b []byte) (storedDescriptor, error) {
	var sd storedDescriptor
	if len(b) == 0 || b[0] != formatJSONv1 {
		return sd, fmt.Errorf("catalog: unknown descriptor format")
	}
	if err := json.Unmarshal(b[1:], &sd); err != nil {
		return sd, fmt.Errorf("catalog: corrupt descriptor: %w", err)
	}
	if sd.Table != nil {
		for i := range sd.Table.Columns {
			c := &sd.Table.Columns[i]
			typ, err := types.FromPersisted(c.StoredType)
			if err != nil {
				return sd, err
			}
			c.Type = typ
		}
	}
	if sd.View != nil {
		if err := sd.View.decodeTypes(); err != nil {
			return sd, err
		}
	}
	return sd, nil
}
