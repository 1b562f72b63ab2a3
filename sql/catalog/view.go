package catalog

import (
	"context"
	"fmt"
	"slices"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/types"
)

// This file holds views: their descriptors, which share the namespace with
// tables (a view and a table cannot have one name), and the dependencies
// between relations. A view records the relations its query reads
// directly (DependsOn) and each of those records the view back
// (DependedOnBy). Both sides are written in the transaction that creates,
// replaces or drops the view, so a DROP that reads a descriptor without
// dependents, and a CREATE VIEW that adds one, conflict at commit on that
// descriptor's key: the dependency check is transactional.

// ViewColumn is one output column of a view, as captured at creation.
type ViewColumn struct {
	Name string   `json:"name"`
	Type *types.T `json:"-"`
	// StoredType is Type's persisted form (set by EncodeView, read by
	// decode).
	StoredType types.Persisted `json:"type"`
}

// ViewDescriptor describes a view.
type ViewDescriptor struct {
	ID       uint64 `json:"id"`
	ParentID uint64 `json:"parent_id"`
	Name     string `json:"name"`
	// Query is the view's SELECT as text, re-parsed when the view is used.
	Query string `json:"query"`
	// Columns are the view's result columns: names (after the column list
	// of CREATE VIEW) and types captured when the view was created.
	Columns []ViewColumn `json:"columns"`
	// DependsOn lists the ids of the tables and views the query reads.
	DependsOn []uint64 `json:"depends_on,omitempty"`
	// DependedOnBy lists the views whose queries read this one.
	DependedOnBy []uint64 `json:"depended_on_by,omitempty"`
	// Comment is COMMENT ON VIEW's text.
	Comment string `json:"comment,omitempty"`
	// Version counts changes to the descriptor.
	Version uint64 `json:"version"`
}

func (v *ViewDescriptor) decodeTypes() error {
	for i := range v.Columns {
		c := &v.Columns[i]
		typ, err := types.FromPersisted(c.StoredType)
		if err != nil {
			return err
		}
		c.Type = typ
	}
	return nil
}

// EncodeView returns the stored form of a view descriptor.
func EncodeView(v *ViewDescriptor) ([]byte, error) {
	for i := range v.Columns {
		v.Columns[i].StoredType = v.Columns[i].Type.Persist()
	}
	return encode(storedDescriptor{View: v})
}

// Relation is a table or a view: exactly one field is set, or none when
// the name or id is unknown.
type Relation struct {
	Table *TableDescriptor
	View  *ViewDescriptor
}

// Exists reports whether the relation was found.
func (r Relation) Exists() bool { return r.Table != nil || r.View != nil }

// ID returns the relation's descriptor id.
func (r Relation) ID() uint64 {
	if r.View != nil {
		return r.View.ID
	}
	return r.Table.ID
}

// Name returns the relation's name.
func (r Relation) Name() string {
	if r.View != nil {
		return r.View.Name
	}
	return r.Table.Name
}

// Kind is "view" or "table", as PostgreSQL names them in messages.
func (r Relation) Kind() string {
	if r.View != nil {
		return "view"
	}
	return "table"
}

// DependedOnBy returns the ids of the views that read the relation.
func (r Relation) DependedOnBy() []uint64 {
	if r.View != nil {
		return r.View.DependedOnBy
	}
	return r.Table.DependedOnBy
}

// LookupRelation returns the table or view named name in database dbID;
// the zero Relation when there is none.
func LookupRelation(ctx context.Context, r Reader, dbID uint64, name string) (Relation, error) {
	id, err := lookupID(ctx, r, dbID, name)
	if err != nil || id == 0 {
		return Relation{}, err
	}
	return GetRelation(ctx, r, id)
}

// GetRelation returns the table or view with descriptor id; the zero
// Relation when it does not exist (any more).
func GetRelation(ctx context.Context, r Reader, id uint64) (Relation, error) {
	sd, ok, err := getDescriptor(ctx, r, id)
	if err != nil || !ok {
		return Relation{}, err
	}
	if sd.Sequence != nil {
		return Relation{}, nil // a sequence: LookupSequence (sequence.go)
	}
	if sd.Table == nil && sd.View == nil {
		return Relation{}, fmt.Errorf("catalog: descriptor %d is not a relation", id)
	}
	return Relation{Table: sd.Table, View: sd.View}, nil
}

// LookupView returns the view named name in database dbID, or nil (also
// when the name is a table's).
func LookupView(ctx context.Context, r Reader, dbID uint64, name string) (*ViewDescriptor, error) {
	rel, err := LookupRelation(ctx, r, dbID, name)
	return rel.View, err
}

// CreateView writes a view's descriptor and name, and records it as a
// dependent on every relation in v.DependsOn. ErrNameExists when the name
// is taken by a table or a view.
func CreateView(ctx context.Context, w Writer, v *ViewDescriptor) error {
	b, err := EncodeView(v)
	if err != nil {
		return err
	}
	if err := create(ctx, w, v.ParentID, v.Name, v.ID, b); err != nil {
		return err
	}
	for _, dep := range v.DependsOn {
		if err := setDependent(ctx, w, dep, v.ID, true); err != nil {
			return err
		}
	}
	return nil
}

// ReplaceView overwrites old's definition with v's (same id and name) and
// moves the dependency records from old.DependsOn to v.DependsOn. v keeps
// old's dependents.
func ReplaceView(ctx context.Context, w Writer, old, v *ViewDescriptor) error {
	v.DependedOnBy = old.DependedOnBy
	v.Version = old.Version + 1
	for _, dep := range old.DependsOn {
		if !slices.Contains(v.DependsOn, dep) {
			if err := setDependent(ctx, w, dep, v.ID, false); err != nil {
				return err
			}
		}
	}
	for _, dep := range v.DependsOn {
		if !slices.Contains(old.DependsOn, dep) {
			if err := setDependent(ctx, w, dep, v.ID, true); err != nil {
				return err
			}
		}
	}
	b, err := EncodeView(v)
	if err != nil {
		return err
	}
	return w.Put(kvpb.DescriptorKey(v.ID), b)
}

// DropView deletes a view's name and descriptor and its dependency records
// on the relations it reads (those still there). The caller has checked
// (or dropped) the views that depend on it.
func DropView(ctx context.Context, w Writer, v *ViewDescriptor) error {
	for _, dep := range v.DependsOn {
		if err := setDependent(ctx, w, dep, v.ID, false); err != nil {
			return err
		}
	}
	if err := w.Delete(kvpb.NamespaceKey(v.ParentID, v.Name)); err != nil {
		return err
	}
	return w.Delete(kvpb.DescriptorKey(v.ID))
}

// setDependent adds (or removes) viewID to the DependedOnBy list of the
// relation with id, rewriting its descriptor with a new version. A
// relation that no longer exists is left alone.
func setDependent(ctx context.Context, w Writer, id, viewID uint64, add bool) error {
	rel, err := GetRelation(ctx, w, id)
	if err != nil || !rel.Exists() {
		return err
	}
	list := rel.DependedOnBy()
	has := slices.Contains(list, viewID)
	switch {
	case add && !has:
		list = append(list, viewID)
	case !add && has:
		list = slices.DeleteFunc(slices.Clone(list), func(x uint64) bool { return x == viewID })
	default:
		return nil
	}
	var b []byte
	if rel.View != nil {
		rel.View.DependedOnBy = list
		rel.View.Version++
		b, err = EncodeView(rel.View)
	} else {
		rel.Table.DependedOnBy = list
		rel.Table.Version++
		b, err = EncodeTable(rel.Table)
	}
	if err != nil {
		return err
	}
	return w.Put(kvpb.DescriptorKey(id), b)
}

// WriteView rewrites an existing view's descriptor (COMMENT ON VIEW).
func WriteView(ctx context.Context, w Writer, v *ViewDescriptor) error {
	b, err := EncodeView(v)
	if err != nil {
		return err
	}
	return w.Put(kvpb.DescriptorKey(v.ID), b)
}

// WriteDatabase rewrites an existing database's descriptor.
func WriteDatabase(ctx context.Context, w Writer, d *DatabaseDescriptor) error {
	b, err := EncodeDatabase(d)
	if err != nil {
		return err
	}
	return w.Put(kvpb.DescriptorKey(d.ID), b)
}
