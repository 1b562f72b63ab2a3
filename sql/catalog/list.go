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

// ListTables returns the tables of database dbID, in name order, as r's
// transaction sees them.
func ListTables(ctx context.Context, r Scanner, dbID uint64) ([]*TableDescriptor, error) {
	prefix := kvpb.EncodeUvarintAscending(append(kvpb.Key(nil), kvpb.NamespacePrefix...), dbID)
	span := &kvpb.Span{Key: prefix, EndKey: kvpb.PrefixEnd(prefix)}
	var out []*TableDescriptor
	for span != nil {
		kvs, resume, err := r.Scan(ctx, *span, 1000, 0)
		if err != nil {
			return nil, err
		}
		for _, kv := range kvs {
			v := kv.Value
			if isIndexEntry(v) || len(v) < 2 || v[0] != namespaceFormatV1 {
				continue
			}
			_, id, err := kvpb.DecodeUvarintAscending(v[1:])
			if err != nil {
				return nil, err
			}
			sd, ok, err := getDescriptor(ctx, r, id)
			if err != nil {
				return nil, err
			}
			if ok && sd.Table != nil {
				out = append(out, sd.Table)
			}
		}
		span = resume
	}
	return out, nil
}
