package rowenc

import (
	"encoding/binary"
	"fmt"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/types"
)

// indexValueFormatV1 is the first byte of every secondary index value.
const indexValueFormatV1 byte = 1

// Secondary index entries (see sql/catalog/index.go):
//
//	key:   IndexPrefix ‖ index columns (in their directions)
//	       ‖ primary key columns not among them (primary key directions)
//	value: indexValueFormatV1 ‖ uvarint(n) ‖ n bytes of key suffix
//	       ‖ tagged values of the lossy columns
//
// A unique index entry whose index columns hold no NULL leaves the primary
// key suffix out of the key (so two rows with equal index columns collide
// on one key) and puts it in the value (n > 0); every other entry has it
// in the key (n = 0). The tagged part holds, as EncodeValue does for a
// row, the columns whose key encoding loses part of the value (numeric
// scale, float -0, char padding, interval fields), so an index-only scan
// returns them exactly.

// indexColumns returns idx's key columns then the primary key suffix, with
// their directions.
func indexColumns(t *catalog.TableDescriptor, idx *catalog.Index) ([]catalog.ColumnID, []catalog.Direction) {
	ids := append([]catalog.ColumnID(nil), idx.ColumnIDs...)
	dirs := append([]catalog.Direction(nil), idx.Directions...)
	for _, id := range t.KeySuffixColumnIDs(idx) {
		ids = append(ids, id)
		for i, pk := range t.PrimaryIndex.ColumnIDs {
			if pk == id {
				dirs = append(dirs, t.PrimaryIndex.Directions[i])
			}
		}
	}
	return ids, dirs
}

// IndexKeyColumns returns the columns a secondary index entry holds in
// order — the index columns, then the primary key columns not among them —
// with their directions.
func IndexKeyColumns(t *catalog.TableDescriptor, idx *catalog.Index) ([]catalog.ColumnID, []catalog.Direction) {
	if idx.ID == t.PrimaryIndex.ID {
		return idx.ColumnIDs, idx.Directions
	}
	return indexColumns(t, idx)
}

// IndexHasNull reports whether row has a NULL in one of idx's columns.
func IndexHasNull(t *catalog.TableDescriptor, idx *catalog.Index, row types.Datums) bool {
	for _, id := range idx.ColumnIDs {
		if row[t.ColumnOrdinal(id)] == types.DNull {
			return true
		}
	}
	return false
}

// EncodeIndexEntry returns the key and value of row's entry in the
// secondary index idx.
func EncodeIndexEntry(t *catalog.TableDescriptor, idx *catalog.Index, row types.Datums) (kvpb.Key, []byte, error) {
	key := append(kvpb.Key(nil), IndexPrefix(t, idx)...)
	var err error
	for i, id := range idx.ColumnIDs {
		if key, err = EncodeKeyDatum(key, row[t.ColumnOrdinal(id)], idx.Directions[i]); err != nil {
			return nil, nil, err
		}
	}
	ids, dirs := indexColumns(t, idx)
	var suffix []byte
	for i := len(idx.ColumnIDs); i < len(ids); i++ {
		if suffix, err = EncodeKeyDatum(suffix, row[t.ColumnOrdinal(ids[i])], dirs[i]); err != nil {
			return nil, nil, err
		}
	}
	val := []byte{indexValueFormatV1}
	if idx.Unique && !IndexHasNull(t, idx, row) {
		val = binary.AppendUvarint(val, uint64(len(suffix)))
		val = append(val, suffix...)
	} else {
		key = append(key, suffix...)
		val = binary.AppendUvarint(val, 0)
	}
	seen := map[catalog.ColumnID]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		ord := t.ColumnOrdinal(id)
		d := row[ord]
		if d == types.DNull {
			continue
		}
		lossy, err := keyLossy(d, t.Columns[ord].Type)
		if err != nil {
			return nil, nil, err
		}
		if lossy {
			val = binary.AppendUvarint(val, uint64(id))
			if val, err = AppendValueDatum(val, d); err != nil {
				return nil, nil, err
			}
		}
	}
	return key, val, nil
}

// DecodeIndexEntry fills row's index and primary key columns from an
// entry of the secondary index idx; other columns are left alone.
func DecodeIndexEntry(t *catalog.TableDescriptor, idx *catalog.Index, key kvpb.Key, value []byte, row types.Datums) error {
	prefix := IndexPrefix(t, idx)
	if len(key) < len(prefix) || string(key[:len(prefix)]) != string(prefix) {
		return fmt.Errorf("rowenc: key %s is not in index %d of table %d", key, idx.ID, t.ID)
	}
	if len(value) == 0 || value[0] != indexValueFormatV1 {
		return fmt.Errorf("rowenc: unknown index value format")
	}
	ids, dirs := indexColumns(t, idx)
	b := []byte(key[len(prefix):])
	decode := func(i int) error {
		ord := t.ColumnOrdinal(ids[i])
		var d types.Datum
		var err error
		if b, d, err = DecodeKeyDatum(b, t.Columns[ord].Type, dirs[i]); err != nil {
			return fmt.Errorf("rowenc: index key %s: %w", key, err)
		}
		row[ord] = d
		return nil
	}
	for i := range idx.ColumnIDs {
		if err := decode(i); err != nil {
			return err
		}
	}
	v := value[1:]
	n, w := binary.Uvarint(v)
	if w <= 0 || uint64(len(v)-w) < n {
		return errCorruptValue
	}
	if n > 0 {
		if len(b) != 0 {
			return fmt.Errorf("rowenc: index key %s has a suffix in both key and value", key)
		}
		b = v[w : w+int(n)]
	}
	v = v[w+int(n):]
	for i := len(idx.ColumnIDs); i < len(ids); i++ {
		if err := decode(i); err != nil {
			return err
		}
	}
	if len(b) != 0 {
		return fmt.Errorf("rowenc: index key %s has %d trailing bytes", key, len(b))
	}
	for len(v) > 0 {
		id, n := binary.Uvarint(v)
		if n <= 0 {
			return errCorruptValue
		}
		v = v[n:]
		ord := t.ColumnOrdinal(catalog.ColumnID(id))
		var typ *types.T
		if ord >= 0 {
			typ = t.Columns[ord].Type
		}
		var d types.Datum
		var err error
		if v, d, err = DecodeValueDatum(v, typ); err != nil {
			return err
		}
		if ord >= 0 {
			row[ord] = d
		}
	}
	return nil
}
