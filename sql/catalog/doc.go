// Package catalog holds schema descriptors and reads and writes them
// through a kv transaction.
//
// Layout (DESIGN.md §3): a descriptor lives at kvpb.DescriptorKey(id) and
// its name at kvpb.NamespaceKey(parentID, name) → id. Databases have parent
// 0; tables have their database as parent (the one schema, "public", is
// implicit for now: when schemas arrive, they get ids and become the
// tables' parents). Every stored record starts with a format byte; the
// descriptor body is JSON for now (a later format byte can switch to
// protobuf without rewriting old records).
//
// Ids come from kvpb.DescIDGeneratorKey through DB.Increment: never reused,
// user ids from MinUserDescID up. Creating a name writes the namespace key
// with Txn.Insert, so two concurrent CREATEs of one name cannot both commit:
// the loser fails with *kvpb.KeyExistsError, which callers map to 42P07.
//
// Views (view.go) are descriptors in the same namespace as tables: their
// query as text and their result columns. A view lists the relations it
// reads (DependsOn) and each of those lists it back (DependedOnBy), both
// written in the view's transaction, so a DROP that finds no dependents
// conflicts at commit with a concurrent CREATE VIEW that adds one.
//
// Secondary indexes (index.go) live in their table's descriptor (ids from
// NextIndexID, never reused); their names, and the primary key's, share
// the namespace too, as index records pointing at (table, index). Every
// transaction that writes a table's rows takes a shared lock on the
// table's schema lock key (LockForWrite) and every change of its layout an
// exclusive one (LockForSchemaChange): Percolator's write-write check then
// refuses to commit a writer whose descriptor changed while it ran, while
// writers never conflict with each other through the key.
//
// Sequences (sequence.go) are descriptors in the same namespace, so their
// names collide with tables', views' and indexes'; LookupTable and
// GetRelation see no relation for them. Their values are raw counters at
// SequenceKey, outside MVCC. A column's DEFAULT is text in its Column,
// and a column lists the sequences it owns (serial, identity, OWNED BY).
//
// Descriptors are read inside the statement's transaction, not cached: a
// DROP committed by another session is seen by the next statement. A
// schema version and leases (DESIGN.md §7) will allow caching later.
package catalog
