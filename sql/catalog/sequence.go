package catalog

import (
	"context"
	"math"
	"slices"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// This file holds sequences. A sequence's descriptor (its options) lives
// with the other descriptors and its name in the relation namespace, so it
// collides with tables, views and indexes as in PostgreSQL; it is created,
// altered and dropped transactionally. Its value is not: the counter is a
// raw, unversioned kv key (SequenceKey) moved with DB.Increment, so a
// value handed out is never handed out again, whatever becomes of the
// transaction that asked for it, and concurrent callers on any node get
// distinct values.

// Identity kinds of Column.Identity.
const (
	IdentityAlways    byte = 'a'
	IdentityByDefault byte = 'd'
)

// SequenceDescriptor describes a sequence.
type SequenceDescriptor struct {
	ID       uint64 `json:"id"`
	ParentID uint64 `json:"parent_id"`
	Name     string `json:"name"`
	// Comment is COMMENT ON SEQUENCE's text.
	Comment string `json:"comment,omitempty"`
	// TypeName is "smallint", "integer" or "bigint" (AS).
	TypeName  string `json:"type_name"`
	Increment int64  `json:"increment"`
	MinValue  int64  `json:"min_value"`
	MaxValue  int64  `json:"max_value"`
	Start     int64  `json:"start"`
	Cache     int64  `json:"cache"`
	Cycle     bool   `json:"cycle,omitempty"`
	// OwnerTable and OwnerColumn name the column that owns the sequence
	// (OWNED BY, serial, identity); 0 when none. Dropping the table drops
	// the sequence.
	OwnerTable  uint64   `json:"owner_table,omitempty"`
	OwnerColumn ColumnID `json:"owner_column,omitempty"`
	Version     uint64   `json:"version"`
}

// TypeBounds returns the range of a sequence data type.
func TypeBounds(typeName string) (lo, hi int64) {
	switch typeName {
	case "smallint":
		return math.MinInt16, math.MaxInt16
	case "integer":
		return math.MinInt32, math.MaxInt32
	}
	return math.MinInt64, math.MaxInt64
}

// SequenceKey returns the raw key of a sequence's counter, which holds
// the last value handed out (or Start-Increment before the first).
func SequenceKey(id uint64) kvpb.Key {
	return kvpb.EncodeUvarintAscending(kvpb.SystemKey("seq/"), id)
}

// SequenceUncalledKey returns the raw key that marks a sequence whose
// next nextval returns its counter plus Increment without any call since
// CREATE, RESTART or setval(…, false) (is_called false): it holds the
// counter's value at that moment, and is empty once setval(…, true)
// moved the counter.
func SequenceUncalledKey(id uint64) kvpb.Key {
	return append(SequenceKey(id), 'u')
}

// EncodeSequence returns the stored form of a sequence descriptor.
func EncodeSequence(s *SequenceDescriptor) ([]byte, error) {
	return encode(storedDescriptor{Sequence: s})
}

// CreateSequence writes a sequence's descriptor and name; ErrNameExists
// when the name is taken by any relation.
func CreateSequence(ctx context.Context, w Writer, s *SequenceDescriptor) error {
	b, err := EncodeSequence(s)
	if err != nil {
		return err
	}
	return create(ctx, w, s.ParentID, s.Name, s.ID, b)
}

// WriteSequence overwrites a sequence's descriptor with a new version.
func WriteSequence(ctx context.Context, w Writer, s *SequenceDescriptor) error {
	s.Version++
	b, err := EncodeSequence(s)
	if err != nil {
		return err
	}
	return w.Put(kvpb.DescriptorKey(s.ID), b)
}

// DropSequence deletes a sequence's name and descriptor. Its counter key
// stays (ids are never reused, so nothing reads it again).
func DropSequence(ctx context.Context, w Writer, s *SequenceDescriptor) error {
	if err := w.Delete(kvpb.NamespaceKey(s.ParentID, s.Name)); err != nil {
		return err
	}
	return w.Delete(kvpb.DescriptorKey(s.ID))
}

// LookupSequence returns the sequence named name in database dbID, or nil
// (also when the name is another relation's).
func LookupSequence(ctx context.Context, r Reader, dbID uint64, name string) (*SequenceDescriptor, error) {
	id, err := lookupID(ctx, r, dbID, name)
	if err != nil || id == 0 {
		return nil, err
	}
	return GetSequence(ctx, r, id)
}

// GetSequence returns the sequence with descriptor id, or nil.
func GetSequence(ctx context.Context, r Reader, id uint64) (*SequenceDescriptor, error) {
	sd, ok, err := getDescriptor(ctx, r, id)
	if err != nil || !ok {
		return nil, err
	}
	return sd.Sequence, nil
}

// SetOwnedSequence adds (or removes) seqID to the OwnedSequences of t's
// column with id col; the caller writes t.
func SetOwnedSequence(t *TableDescriptor, col ColumnID, seqID uint64, add bool) {
	ord := t.ColumnOrdinal(col)
	if ord < 0 {
		return
	}
	c := &t.Columns[ord]
	has := slices.Contains(c.OwnedSequences, seqID)
	switch {
	case add && !has:
		c.OwnedSequences = append(c.OwnedSequences, seqID)
	case !add && has:
		c.OwnedSequences = slices.DeleteFunc(slices.Clone(c.OwnedSequences), func(x uint64) bool { return x == seqID })
	}
}
