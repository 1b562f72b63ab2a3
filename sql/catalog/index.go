package catalog

import (
	"context"
	"fmt"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// This file holds secondary indexes: their place in the table descriptor,
// their names in the relation namespace, and the schema lock that keeps
// writers from committing rows without the entries of an index created
// (or after one dropped) while they ran.
//
// A secondary index is an Index in TableDescriptor.Indexes, with an id
// from the table's NextIndexID (never reused). Unique indexes refuse two
// entries with equal key columns unless one holds a NULL (PostgreSQL's
// NULLS DISTINCT); Constraint marks the index of a UNIQUE or PRIMARY KEY
// constraint, which DROP INDEX refuses (2BP01). Storage (sql/rowenc):
// /Table/<table>/<index>/<index columns>/<primary key columns not among
// them>, or, for a unique index entry without NULLs, the key without the
// primary key columns, which go to the value instead.
//
// Index names share the namespace of tables and views, as relations do
// in PostgreSQL: NamespaceKey(db, name) holds an index record
// (namespaceIndexFormatV1, table id, index id) instead of a descriptor
// id. The primary index's name is registered too, unless the table's key
// is the hidden rowid (PostgreSQL has no such index then).

// namespaceIndexFormatV1 marks a namespace entry that names an index.
const namespaceIndexFormatV1 byte = 2

// IndexRef names an index by its table and id.
type IndexRef struct {
	TableID uint64
	IndexID IndexID
}

func indexNamespaceValue(tableID uint64, id IndexID) []byte {
	b := kvpb.EncodeUvarintAscending([]byte{namespaceIndexFormatV1}, tableID)
	return kvpb.EncodeUvarintAscending(b, uint64(id))
}

// nameTaken reports whether name is taken by any relation (table, view or
// index) under parentID.
func nameTaken(ctx context.Context, r Reader, parentID uint64, name string) (bool, error) {
	_, ok, err := r.Get(ctx, kvpb.NamespaceKey(parentID, name))
	return ok, err
}

// NameTaken reports whether name is taken by any relation (table, view or
// index) in database dbID.
func NameTaken(ctx context.Context, r Reader, dbID uint64, name string) (bool, error) {
	return nameTaken(ctx, r, dbID, name)
}

// isIndexEntry reports whether a namespace value names an index.
func isIndexEntry(v []byte) bool { return len(v) > 0 && v[0] == namespaceIndexFormatV1 }

// lookupIndexRef reads the index record of name; ok is false when the
// name is free or names a table or view.
func lookupIndexRef(ctx context.Context, r Reader, parentID uint64, name string) (IndexRef, bool, error) {
	v, ok, err := r.Get(ctx, kvpb.NamespaceKey(parentID, name))
	if err != nil || !ok || !isIndexEntry(v) {
		return IndexRef{}, false, err
	}
	b, tid, err := kvpb.DecodeUvarintAscending(v[1:])
	if err != nil {
		return IndexRef{}, false, fmt.Errorf("catalog: corrupt index name %q: %w", name, err)
	}
	_, iid, err := kvpb.DecodeUvarintAscending(b)
	if err != nil {
		return IndexRef{}, false, fmt.Errorf("catalog: corrupt index name %q: %w", name, err)
	}
	return IndexRef{TableID: tid, IndexID: IndexID(iid)}, true, nil
}

// LookupIndex returns the index named name in database dbID with its
// table; nil, nil when the name is free or names a table or view.
func LookupIndex(ctx context.Context, r Reader, dbID uint64, name string) (*TableDescriptor, *Index, error) {
	ref, ok, err := lookupIndexRef(ctx, r, dbID, name)
	if err != nil || !ok {
		return nil, nil, err
	}
	sd, ok, err := getDescriptor(ctx, r, ref.TableID)
	if err != nil {
		return nil, nil, err
	}
	if !ok || sd.Table == nil {
		return nil, nil, fmt.Errorf("catalog: index %q names missing table %d", name, ref.TableID)
	}
	idx := sd.Table.IndexByID(ref.IndexID)
	if idx == nil {
		return nil, nil, fmt.Errorf("catalog: index %q names missing index %d of table %d", name, ref.IndexID, ref.TableID)
	}
	return sd.Table, idx, nil
}

// RegisterIndexName writes the namespace record of idx's name (with
// Txn.Insert, so a concurrent creator of the name fails at commit).
// ErrNameExists when a relation has the name in the snapshot.
func RegisterIndexName(ctx context.Context, w Writer, t *TableDescriptor, idx *Index) error {
	taken, err := nameTaken(ctx, w, t.ParentID, idx.Name)
	if err != nil {
		return err
	}
	if taken {
		return ErrNameExists
	}
	return w.Insert(kvpb.NamespaceKey(t.ParentID, idx.Name), indexNamespaceValue(t.ID, idx.ID))
}

// unregisterIndexName deletes the namespace record of an index name of
// table t, if it is one (a hidden-rowid table's primary index name was
// never registered and may belong to another relation).
func unregisterIndexName(ctx context.Context, w Writer, t *TableDescriptor, name string) error {
	ref, ok, err := lookupIndexRef(ctx, w, t.ParentID, name)
	if err != nil || !ok || ref.TableID != t.ID {
		return err
	}
	return w.Delete(kvpb.NamespaceKey(t.ParentID, name))
}

// dropIndexNames deletes the names of every index of t and, when w can
// lock, takes the schema change lock of t (DROP TABLE).
func dropIndexNames(ctx context.Context, w Writer, t *TableDescriptor) error {
	if l, ok := w.(Locker); ok {
		if err := LockForSchemaChange(l, t.ID); err != nil {
			return err
		}
	}
	if err := unregisterIndexName(ctx, w, t, t.PrimaryIndex.Name); err != nil {
		return err
	}
	for i := range t.Indexes {
		if err := unregisterIndexName(ctx, w, t, t.Indexes[i].Name); err != nil {
			return err
		}
	}
	return nil
}

// RenumberIndexes gives every index of t (the primary one too) a new id
// from NextIndexID, rewriting the namespace records of their names, and
// returns the old ids: TRUNCATE moves the table to empty index spans and
// clears the old ones once no reader can see them.
func RenumberIndexes(ctx context.Context, w Writer, t *TableDescriptor) ([]IndexID, error) {
	renumber := func(idx *Index) error { return RenumberIndex(ctx, w, t, idx) }
	olds := []IndexID{t.PrimaryIndex.ID}
	if err := renumber(&t.PrimaryIndex); err != nil {
		return nil, err
	}
	for i := range t.Indexes {
		olds = append(olds, t.Indexes[i].ID)
		if err := renumber(&t.Indexes[i]); err != nil {
			return nil, err
		}
	}
	return olds, nil
}

// RenumberIndex gives idx, an index of t, the new id NextIndexID,
// rewriting the namespace record of its name.
func RenumberIndex(ctx context.Context, w Writer, t *TableDescriptor, idx *Index) error {
	old := idx.ID
	idx.ID = t.NextIndexID
	t.NextIndexID++
	ref, ok, err := lookupIndexRef(ctx, w, t.ParentID, idx.Name)
	if err != nil || !ok || ref.TableID != t.ID || ref.IndexID != old {
		return err
	}
	return w.Put(kvpb.NamespaceKey(t.ParentID, idx.Name), indexNamespaceValue(t.ID, idx.ID))
}

// UnregisterIndexName deletes the namespace record of idx (DROP INDEX).
func UnregisterIndexName(ctx context.Context, w Writer, t *TableDescriptor, idx *Index) error {
	return unregisterIndexName(ctx, w, t, idx.Name)
}

// WriteTable rewrites an existing table's descriptor with a new version.
// Callers changing the table's layout (indexes) also call
// LockForSchemaChange in the same transaction.
func WriteTable(ctx context.Context, w Writer, t *TableDescriptor) error {
	if err := t.Validate(); err != nil {
		return err
	}
	t.Version++
	b, err := EncodeTable(t)
	if err != nil {
		return err
	}
	return w.Put(kvpb.DescriptorKey(t.ID), b)
}

// Locker takes lock-only mutations; *kv.Txn implements it.
type Locker interface {
	Lock(key kvpb.Key) error
	LockShared(key kvpb.Key) error
}

// schemaLockKey returns /Table/<id>: a key that only ever holds lock
// records (lock-only mutations write nothing readers see; no row or index
// key is the bare table prefix). It lies in the table's first range, so a
// transaction writing a table of one range still commits in one phase.
func schemaLockKey(tableID uint64) kvpb.Key {
	return kvpb.TableKeyPrefix(tableID)
}

// LockForWrite is taken by every transaction that writes rows of table
// tableID, once, before commit: a shared lock on the table's schema lock
// key. With LockForSchemaChange (an exclusive lock on the same key) it
// makes a writer and a schema change of the table conflict at commit
// (Percolator's write-write check) whenever their lifetimes overlap, so a
// writer that planned with a descriptor version changed before its commit
// cannot commit (40001 in an explicit block, retried in an implicit one)
// and no committed row misses an index entry (DESIGN.md §7). Writers do
// not conflict with each other through it.
func LockForWrite(l Locker, tableID uint64) error {
	return l.LockShared(schemaLockKey(tableID))
}

// LockForSchemaChange locks table tableID's schema lock key exclusively
// (see LockForWrite).
func LockForSchemaChange(l Locker, tableID uint64) error {
	return l.Lock(schemaLockKey(tableID))
}

// IndexByID returns the index (primary or secondary) with id, or nil.
func (t *TableDescriptor) IndexByID(id IndexID) *Index {
	if t.PrimaryIndex.ID == id {
		return &t.PrimaryIndex
	}
	for i := range t.Indexes {
		if t.Indexes[i].ID == id {
			return &t.Indexes[i]
		}
	}
	return nil
}

// KeySuffixColumnIDs returns the primary key columns that idx's entries
// carry after its own columns: those not already among them, in primary
// key order.
func (t *TableDescriptor) KeySuffixColumnIDs(idx *Index) []ColumnID {
	var out []ColumnID
	for _, id := range t.PrimaryIndex.ColumnIDs {
		found := false
		for _, c := range idx.ColumnIDs {
			if c == id {
				found = true
				break
			}
		}
		if !found {
			out = append(out, id)
		}
	}
	return out
}

// PrimaryKeyHidden reports whether the primary key is the hidden rowid.
func (t *TableDescriptor) PrimaryKeyHidden() bool {
	for _, id := range t.PrimaryIndex.ColumnIDs {
		if o := t.ColumnOrdinal(id); o >= 0 && t.Columns[o].Hidden {
			return true
		}
	}
	return false
}

func (t *TableDescriptor) validateIndexes(cols map[ColumnID]bool) error {
	ids := map[IndexID]bool{t.PrimaryIndex.ID: true}
	for _, idx := range t.Indexes {
		if idx.ID <= PrimaryIndexID || idx.ID >= t.NextIndexID || ids[idx.ID] {
			return fmt.Errorf("catalog: table %q: bad index id %d", t.Name, idx.ID)
		}
		ids[idx.ID] = true
		if len(idx.ColumnIDs) == 0 || len(idx.ColumnIDs) != len(idx.Directions) || idx.Name == "" {
			return fmt.Errorf("catalog: table %q: bad index %q", t.Name, idx.Name)
		}
		for _, c := range idx.ColumnIDs {
			if !cols[c] {
				return fmt.Errorf("catalog: table %q: index %q names unknown column %d", t.Name, idx.Name, c)
			}
		}
	}
	return nil
}
