package rowenc

import (
	"bytes"
	"testing"

	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/types"
)

// TestIndexEntryRoundTrip encodes rows' entries in unique and non-unique,
// ascending and descending secondary indexes (with NULLs, and a float
// whose -0 the key cannot hold) and decodes the index and primary key
// columns back exactly; a unique entry without NULLs keeps the primary
// key out of its key.
func TestIndexEntryRoundTrip(t *testing.T) {
	td := testTable()
	td.Columns = append(td.Columns, catalog.Column{ID: 6, Name: "f", Type: types.Float8, Nullable: true})
	td.NextColumnID = 7
	for _, idx := range []catalog.Index{
		{ID: 2, Name: "i_b", ColumnIDs: []catalog.ColumnID{2}, Directions: []catalog.Direction{catalog.Ascending}},
		{ID: 3, Name: "i_cb", ColumnIDs: []catalog.ColumnID{3, 2}, Directions: []catalog.Direction{catalog.Descending, catalog.Ascending}, Unique: true},
		{ID: 4, Name: "i_fa", ColumnIDs: []catalog.ColumnID{6, 1}, Directions: []catalog.Direction{catalog.Ascending, catalog.Descending}, Unique: true},
	} {
		for _, row := range []types.Datums{
			{types.DInt(1), types.DString("x"), types.DInt(-99), types.DBool(true), types.DFloat(negZero())},
			{types.DInt(-5), types.DNull, types.DNull, types.DNull, types.DNull},
			{types.DInt(7), types.DString(""), types.DInt(3), types.DBool(false), types.DFloat(2.5)},
		} {
			k, v, err := EncodeIndexEntry(td, &idx, row)
			if err != nil {
				t.Fatal(err)
			}
			pk, _ := EncodePrimaryKey(td, row)
			hasPK := !idx.Unique || IndexHasNull(td, &idx, row)
			suffix := pk[len(IndexPrefix(td, &td.PrimaryIndex)):]
			if idx.ID != 4 && bytes.HasSuffix(k, suffix) != hasPK {
				t.Errorf("%s %v: key %s, primary key in key: %v", idx.Name, row, k, !hasPK)
			}
			got := make(types.Datums, len(td.Columns))
			for i := range got {
				got[i] = types.DNull
			}
			if err := DecodeIndexEntry(td, &idx, k, v, got); err != nil {
				t.Fatal(err)
			}
			ids, _ := IndexKeyColumns(td, &idx)
			for _, id := range ids {
				o := td.ColumnOrdinal(id)
				want, _ := AppendValueDatum(nil, row[o])
				have, _ := AppendValueDatum(nil, got[o])
				if row[o] == types.DNull || got[o] == types.DNull {
					if row[o] != got[o] {
						t.Errorf("%s column %d: got %v want %v", idx.Name, id, got[o], row[o])
					}
				} else if !bytes.Equal(want, have) {
					t.Errorf("%s column %d: got %v want %v", idx.Name, id, got[o], row[o])
				}
			}
		}
	}
}

func negZero() float64 {
	z := 0.0
	return -z
}
