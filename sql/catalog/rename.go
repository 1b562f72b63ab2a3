package catalog

import (
	"context"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// RenameTable moves table t's name in the namespace to name (written
// with Txn.Insert, so a concurrent creator of the name fails at commit)
// and sets t.Name; the caller rewrites t with WriteTable. ErrNameExists
// when a relation has the name.
func RenameTable(ctx context.Context, w Writer, t *TableDescriptor, name string) error {
	taken, err := nameTaken(ctx, w, t.ParentID, name)
	if err != nil {
		return err
	}
	if taken {
		return ErrNameExists
	}
	if err := w.Delete(kvpb.NamespaceKey(t.ParentID, t.Name)); err != nil {
		return err
	}
	if err := w.Insert(kvpb.NamespaceKey(t.ParentID, name), namespaceValue(t.ID)); err != nil {
		return err
	}
	t.Name = name
	return nil
}

// RenameIndex moves the name of index idx of table t to name and sets
// idx.Name; the caller rewrites t with WriteTable. ErrNameExists when a
// relation has the name.
func RenameIndex(ctx context.Context, w Writer, t *TableDescriptor, idx *Index, name string) error {
	taken, err := nameTaken(ctx, w, t.ParentID, name)
	if err != nil {
		return err
	}
	if taken {
		return ErrNameExists
	}
	if err := unregisterIndexName(ctx, w, t, idx.Name); err != nil {
		return err
	}
	idx.Name = name
	return w.Insert(kvpb.NamespaceKey(t.ParentID, name), indexNamespaceValue(t.ID, idx.ID))
}
