package rowenc

import (
	"fmt"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/types"
)

// Key markers. Persisted: never renumber.
const (
	markerNull      byte = 0x00
	markerInt       byte = 0x12
	markerBoolFalse byte = 0x14
	markerBoolTrue  byte = 0x15
	markerBytes     byte = 0x16
)

// EncodeKeyDatum appends the key encoding of d in direction dir.
func EncodeKeyDatum(b []byte, d types.Datum, dir catalog.Direction) ([]byte, error) {
	n := len(b)
	switch v := d.(type) {
	case types.DInt:
		b = append(b, markerInt)
		b = kvpb.EncodeVarintAscending(b, int64(v))
	case types.DString:
		b = append(b, markerBytes)
		b = kvpb.EncodeBytesAscending(b, []byte(v))
	case types.DBool:
		if v {
			b = append(b, markerBoolTrue)
		} else {
			b = append(b, markerBoolFalse)
		}
	default:
		if d != types.DNull {
			return nil, fmt.Errorf("rowenc: cannot key-encode %T", d)
		}
		b = append(b, markerNull)
	}
	if dir == catalog.Descending {
		for i := n; i < len(b); i++ {
			b[i] = ^b[i]
		}
	}
	return b, nil
}

// DecodeKeyDatum decodes one key column of type t in direction dir and
// returns the remaining bytes.
func DecodeKeyDatum(b []byte, t *types.T, dir catalog.Direction) ([]byte, types.Datum, error) {
	if len(b) == 0 {
		return nil, nil, kvpb.ErrCorruptKey
	}
	desc := dir == catalog.Descending
	m := b[0]
	if desc {
		m = ^m
	}
	b = b[1:]
	switch m {
	case markerNull:
		return b, types.DNull, nil
	case markerInt:
		var v int64
		var err error
		if desc {
			b, v, err = kvpb.DecodeVarintDescending(b)
		} else {
			b, v, err = kvpb.DecodeVarintAscending(b)
		}
		return b, types.DInt(v), err
	case markerBoolFalse:
		return b, types.DBool(false), nil
	case markerBoolTrue:
		return b, types.DBool(true), nil
	case markerBytes:
		var s []byte
		var err error
		if desc {
			b, s, err = kvpb.DecodeBytesDescending(b, nil)
		} else {
			b, s, err = kvpb.DecodeBytesAscending(b, nil)
		}
		return b, types.DString(s), err
	}
	return nil, nil, fmt.Errorf("rowenc: unknown key marker 0x%02x for type %s", m, t)
}

// IndexPrefix returns the prefix of every key of the table's index.
func IndexPrefix(t *catalog.TableDescriptor, idx *catalog.Index) kvpb.Key {
	return kvpb.IndexKeyPrefix(t.ID, uint64(idx.ID))
}

// EncodeIndexKey appends the encoding of vals, the first len(vals) key
// columns of idx, to prefix (vals may be a prefix of the key columns).
func EncodeIndexKey(prefix kvpb.Key, idx *catalog.Index, vals []types.Datum) (kvpb.Key, error) {
	k := append(kvpb.Key(nil), prefix...)
	for i, v := range vals {
		var err error
		k, err = EncodeKeyDatum(k, v, idx.Directions[i])
		if err != nil {
			return nil, err
		}
	}
	return k, nil
}

// EncodePrimaryKey returns the primary key of row.
func EncodePrimaryKey(t *catalog.TableDescriptor, row types.Datums) (kvpb.Key, error) {
	idx := &t.PrimaryIndex
	vals := make([]types.Datum, len(idx.ColumnIDs))
	for i, id := range idx.ColumnIDs {
		vals[i] = row[t.ColumnOrdinal(id)]
	}
	return EncodeIndexKey(IndexPrefix(t, idx), idx, vals)
}

// DecodePrimaryKey fills row's key columns from a primary key.
func DecodePrimaryKey(t *catalog.TableDescriptor, key kvpb.Key, row types.Datums) error {
	idx := &t.PrimaryIndex
	prefix := IndexPrefix(t, idx)
	if len(key) < len(prefix) || string(key[:len(prefix)]) != string(prefix) {
		return fmt.Errorf("rowenc: key %s is not in table %d's primary index", key, t.ID)
	}
	b := []byte(key[len(prefix):])
	for i, id := range idx.ColumnIDs {
		ord := t.ColumnOrdinal(id)
		var d types.Datum
		var err error
		b, d, err = DecodeKeyDatum(b, t.Columns[ord].Type, idx.Directions[i])
		if err != nil {
			return fmt.Errorf("rowenc: key %s: %w", key, err)
		}
		row[ord] = d
	}
	if len(b) != 0 {
		return fmt.Errorf("rowenc: key %s has %d trailing bytes", key, len(b))
	}
	return nil
}
