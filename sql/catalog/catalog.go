package catalog

import (
	"context"
	"errors"
	"fmt"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// MinUserDescID is the first id handed to a user database or table; the
// ids below are reserved for system descriptors.
const MinUserDescID = 100

// Namespace record format byte.
const namespaceFormatV1 byte = 1

// Reader reads keys transactionally; *kv.Txn implements it.
type Reader interface {
	Get(ctx context.Context, key kvpb.Key) ([]byte, bool, error)
}

// Writer buffers transactional writes; *kv.Txn implements it.
type Writer interface {
	Reader
	Put(key kvpb.Key, value []byte) error
	Insert(key kvpb.Key, value []byte) error
	Delete(key kvpb.Key) error
}

// ErrNameExists is returned by Create* when the name is taken in the
// transaction's snapshot (a concurrent creator is caught at commit with
// *kvpb.KeyExistsError instead).
var ErrNameExists = errors.New("catalog: name exists")

// AllocateID returns a fresh descriptor id, never below MinUserDescID.
func AllocateID(ctx context.Context, db *kv.DB) (uint64, error) {
	id, err := db.Increment(ctx, kvpb.DescIDGeneratorKey, 1)
	if err != nil {
		return 0, err
	}
	if id < MinUserDescID {
		// A fresh cluster: move the counter to the user range. Concurrent
		// callers each get a distinct value of the same counter.
		id, err = db.Increment(ctx, kvpb.DescIDGeneratorKey, MinUserDescID-id)
		if err != nil {
			return 0, err
		}
	}
	return uint64(id), nil
}

// lookupID reads a namespace entry; 0 when absent.
func lookupID(ctx context.Context, r Reader, parentID uint64, name string) (uint64, error) {
	v, ok, err := r.Get(ctx, kvpb.NamespaceKey(parentID, name))
	if err != nil || !ok || isIndexEntry(v) { // an index's name: index.go
		return 0, err
	}
	if len(v) < 2 || v[0] != namespaceFormatV1 {
		return 0, fmt.Errorf("catalog: corrupt namespace entry for %q", name)
	}
	_, id, err := kvpb.DecodeUvarintAscending(v[1:])
	return id, err
}

func getDescriptor(ctx context.Context, r Reader, id uint64) (storedDescriptor, bool, error) {
	v, ok, err := r.Get(ctx, kvpb.DescriptorKey(id))
	if err != nil || !ok {
		return storedDescriptor{}, false, err
	}
	sd, err := decode(v)
	return sd, err == nil, err
}

// LookupDatabase returns the database named name, or nil.
func LookupDatabase(ctx context.Context, r Reader, name string) (*DatabaseDescriptor, error) {
	id, err := lookupID(ctx, r, 0, name)
	if err != nil || id == 0 {
		return nil, err
	}
	sd, ok, err := getDescriptor(ctx, r, id)
	if err != nil || !ok {
		return nil, err
	}
	if sd.Database == nil {
		return nil, fmt.Errorf("catalog: descriptor %d is not a database", id)
	}
	return sd.Database, nil
}

// LookupTable returns the table named name in database dbID, or nil (also
// when the name is a view's).
func LookupTable(ctx context.Context, r Reader, dbID uint64, name string) (*TableDescriptor, error) {
	id, err := lookupID(ctx, r, dbID, name)
	if err != nil || id == 0 {
		return nil, err
	}
	sd, ok, err := getDescriptor(ctx, r, id)
	if err != nil || !ok {
		return nil, err
	}
	if sd.Table == nil {
		if sd.View != nil || sd.Sequence != nil {
			return nil, nil // a view or a sequence: LookupView, LookupSequence
		}
		return nil, fmt.Errorf("catalog: descriptor %d is not a table", id)
	}
	return sd.Table, nil
}

func namespaceValue(id uint64) []byte {
	return kvpb.EncodeUvarintAscending([]byte{namespaceFormatV1}, id)
}

func create(ctx context.Context, w Writer, parentID uint64, name string, id uint64, desc []byte) error {
	taken, err := nameTaken(ctx, w, parentID, name) // tables, views, indexes
	if err != nil {
		return err
	}
	if taken {
		return ErrNameExists
	}
	if err := w.Insert(kvpb.NamespaceKey(parentID, name), namespaceValue(id)); err != nil {
		return err
	}
	return w.Put(kvpb.DescriptorKey(id), desc)
}

// CreateDatabase writes a database descriptor and its name.
func CreateDatabase(ctx context.Context, w Writer, d *DatabaseDescriptor) error {
	b, err := EncodeDatabase(d)
	if err != nil {
		return err
	}
	return create(ctx, w, 0, d.Name, d.ID, b)
}

// CreateTable writes a table descriptor and its name.
func CreateTable(ctx context.Context, w Writer, t *TableDescriptor) error {
	if err := t.Validate(); err != nil {
		return err
	}
	b, err := EncodeTable(t)
	if err != nil {
		return err
	}
	return create(ctx, w, t.ParentID, t.Name, t.ID, b)
}

// DropTable deletes a table's name and descriptor. The caller clears the
// table's data span after the transaction commits.
func DropTable(ctx context.Context, w Writer, t *TableDescriptor) error {
	if err := dropIndexNames(ctx, w, t); err != nil {
		return err
	}
	if err := w.Delete(kvpb.NamespaceKey(t.ParentID, t.Name)); err != nil {
		return err
	}
	return w.Delete(kvpb.DescriptorKey(t.ID))
}

// TableSpan returns the span of every key of the table.
func TableSpan(tableID uint64) kvpb.Span {
	p := kvpb.TableKeyPrefix(tableID)
	return kvpb.Span{Key: p, EndKey: kvpb.PrefixEnd(p)}
}

// SystemDatabases are the databases every cluster has.
var SystemDatabases = []string{"defaultdb", "postgres"}

// Bootstrap creates the SystemDatabases that do not exist yet. It is
// idempotent and safe to run from several nodes at once.
func Bootstrap(ctx context.Context, db *kv.DB) error {
	for _, name := range SystemDatabases {
		for attempt := 0; ; attempt++ {
			err := db.Txn(ctx, func(ctx context.Context, txn *kv.Txn) error {
				d, err := LookupDatabase(ctx, txn, name)
				if err != nil || d != nil {
					return err
				}
				id, err := AllocateID(ctx, db)
				if err != nil {
					return err
				}
				return CreateDatabase(ctx, txn, &DatabaseDescriptor{ID: id, Name: name})
			})
			var ke *kvpb.KeyExistsError
			if errors.As(err, &ke) && attempt < 3 {
				continue // another node created it first; look again
			}
			if err != nil {
				return fmt.Errorf("bootstrap database %q: %w", name, err)
			}
			break
		}
	}
	return nil
}
