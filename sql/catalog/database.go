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
	prefix := kvpb.EncodeUvarintAscending(append(kvpb.Key(nil), kvpb.NamespacePrefix...), dbID)
	span := &kvpb.Span{Key: prefix, EndKey: kvpb.PrefixEnd(prefix)}
	var tables []uint64
	for span != nil {
		kvs, resume, err := w.Scan(ctx, *span, 1000, 0)
		if err != nil {
			return nil, err
		}
		for _, kv := range kvs {
			if err := w.Delete(kv.Key); err != nil {
				return nil, err
			}
			v := kv.Value
			if isIndexEntry(v) || len(v) < 2 || v[0] != namespaceFormatV1 {
				continue
			}
			_, id, err := kvpb.DecodeUvarintAscending(v[1:])
			if err != nil {
				return nil, err
			}
			sd, ok, err := getDescriptor(ctx, w, id)
			if err != nil {
				return nil, err
			}
			if ok && sd.Table != nil {
				tables = append(tables, id)
			}
			if err := w.Delete(kvpb.DescriptorKey(id)); err != nil {
				return nil, err
			}
		}
		span = resume
	}
	return tables, nil
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
