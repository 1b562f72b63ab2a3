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
	var out Relations
	err := scanNamespace(ctx, r, dbID, func(_ kvpb.Key, id uint64) error { // list.go
		if id == 0 {
			return nil
		}
		sd, ok, err := getDescriptor(ctx, r, id)
		switch {
		case err != nil || !ok:
			return err
		case sd.Table != nil:
			out.Tables = append(out.Tables, sd.Table)
		case sd.View != nil:
			out.Views = append(out.Views, sd.View)
		case sd.Sequence != nil:
			out.Sequences = append(out.Sequences, sd.Sequence)
		}
		return nil
	})
	if err != nil {
		return Relations{}, err
	}
	return out, nil
}
