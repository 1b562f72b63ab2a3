package catalog

import (
	"context"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// DropDatabaseContents deletes every name in database dbID (tables,
// views, sequences, index names) and the descriptors they name, and
// returns the ids of the tables, whose data spans the caller clears
// after the commit.
func DropDatabaseContents(ctx context.Context, w interface {
	Scanner
	Writer
}, dbID uint64) ([]uint64, error) {
	var tables []uint64
	err := scanNamespace(ctx, w, dbID, func(key kvpb.Key, id uint64) error { // list.go
		if err := w.Delete(key); err != nil || id == 0 {
			return err
		}
		sd, ok, err := getDescriptor(ctx, w, id)
		if err != nil {
			return err
		}
		if ok && sd.Table != nil {
			tables = append(tables, id)
		}
		return w.Delete(kvpb.DescriptorKey(id))
	})
	return tables, err
}

// DropDatabase deletes a database's name and descriptor (its contents
// first: DropDatabaseContents).
func DropDatabase(ctx context.Context, w Writer, d *DatabaseDescriptor) error {
	if err := w.Delete(kvpb.NamespaceKey(0, d.Name)); err != nil {
		return err
	}
	return w.Delete(kvpb.DescriptorKey(d.ID))
}

// RenameDatabase gives d the name name, which the caller checked is
// free.
func RenameDatabase(ctx context.Context, w Writer, d *DatabaseDescriptor, name string) error {
	if err := w.Delete(kvpb.NamespaceKey(0, d.Name)); err != nil {
		return err
	}
	d.Name = name
	b, err := EncodeDatabase(d)
	if err != nil {
		return err
	}
	if err := w.Insert(kvpb.NamespaceKey(0, name), namespaceValue(d.ID)); err != nil {
		return err
	}
	return w.Put(kvpb.DescriptorKey(d.ID), b)
}
