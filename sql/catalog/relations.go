package catalog

import (
	"context"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// Relations are the relations of one database, each kind in name order:
// what pg_catalog's pg_class lists.
type Relations struct {
	Tables    []*TableDescriptor
	Views     []*ViewDescriptor
	Sequences []*SequenceDescriptor
}

// ListRelations returns the tables, views and sequences of database
// dbID, as r's snapshot shows them. Indexes are not listed: they live in
// their table's descriptor.
func ListRelations(ctx context.Context, r Scanner, dbID uint64) (Relations, error) {
	prefix := kvpb.EncodeUvarintAscending(append(kvpb.Key(nil), kvpb.NamespacePrefix...), dbID)
	span := &kvpb.Span{Key: prefix, EndKey: kvpb.PrefixEnd(prefix)}
	var out Relations
	for span != nil {
		kvs, resume, err := r.Scan(ctx, *span, 1000, 0)
		if err != nil {
			return Relations{}, err
		}
		for _, kv := range kvs {
			v := kv.Value
			if isIndexEntry(v) || len(v) < 2 || v[0] != namespaceFormatV1 {
				continue
			}
			_, id, err := kvpb.DecodeUvarintAscending(v[1:])
			if err != nil {
				return Relations{}, err
			}
			sd, ok, err := getDescriptor(ctx, r, id)
			if err != nil {
				return Relations{}, err
			}
			switch {
			case !ok:
			case sd.Table != nil:
				out.Tables = append(out.Tables, sd.Table)
			case sd.View != nil:
				out.Views = append(out.Views, sd.View)
			case sd.Sequence != nil:
				out.Sequences = append(out.Sequences, sd.Sequence)
			}
		}
		span = resume
	}
	return out, nil
}
