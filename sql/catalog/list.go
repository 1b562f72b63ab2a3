package catalog

import (
	"context"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// Scanner reads spans in a transaction; *kv.Txn implements it.
type Scanner interface {
	Reader
	Scan(ctx context.Context, span kvpb.Span, maxKeys, maxBytes int64) ([]kvpb.KeyValue, *kvpb.Span, error)
}

// scanNamespace calls fn with every name record of database dbID, in
// name order: its key, and the id of the relation it names (0 for an
// index's name, which names no descriptor of its own).
func scanNamespace(ctx context.Context, r Scanner, dbID uint64, fn func(key kvpb.Key, id uint64) error) error {
	prefix := kvpb.EncodeUvarintAscending(append(kvpb.Key(nil), kvpb.NamespacePrefix...), dbID)
	span := &kvpb.Span{Key: prefix, EndKey: kvpb.PrefixEnd(prefix)}
	for span != nil {
		kvs, resume, err := r.Scan(ctx, *span, 1000, 0)
		if err != nil {
			return err
		}
		for _, kv := range kvs {
			var id uint64
			if v := kv.Value; !isIndexEntry(v) && len(v) >= 2 && v[0] == namespaceFormatV1 {
				if _, id, err = kvpb.DecodeUvarintAscending(v[1:]); err != nil {
					return err
				}
			}
			if err := fn(kv.Key, id); err != nil {
				return err
			}
		}
		span = resume
	}
	return nil
}

// ListTables returns the tables of database dbID, in name order, as r's
// transaction sees them.
func ListTables(ctx context.Context, r Scanner, dbID uint64) ([]*TableDescriptor, error) {
	rels, err := ListRelations(ctx, r, dbID)
	return rels.Tables, err
}

// ListDatabases returns every database, in name order.
func ListDatabases(ctx context.Context, r Scanner) ([]*DatabaseDescriptor, error) {
	var out []*DatabaseDescriptor
	err := scanNamespace(ctx, r, 0, func(_ kvpb.Key, id uint64) error {
		if id == 0 {
			return nil
		}
		sd, ok, err := getDescriptor(ctx, r, id)
		if err == nil && ok && sd.Database != nil {
			out = append(out, sd.Database)
		}
		return err
	})
	return out, err
}
