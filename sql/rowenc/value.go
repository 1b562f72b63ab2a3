package rowenc

import (
	"encoding/binary"
	"fmt"

	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/types"
)

// valueFormatV1 is the first byte of every row value.
const valueFormatV1 byte = 1

// Value tags. Persisted: never renumber.
const (
	tagInt   byte = 1 // zig-zag varint
	tagBytes byte = 2 // uvarint length ‖ bytes
	tagFalse byte = 3
	tagTrue  byte = 4
)

// EncodeValue returns the value of row: its non-key, non-NULL columns.
func EncodeValue(t *catalog.TableDescriptor, row types.Datums) ([]byte, error) {
	b := []byte{valueFormatV1}
	for i := range t.Columns {
		d := row[i]
		if d == types.DNull || t.IsKeyColumn(i) {
			continue
		}
		b = binary.AppendUvarint(b, uint64(t.Columns[i].ID))
		switch v := d.(type) {
		case types.DInt:
			b = append(b, tagInt)
			b = binary.AppendVarint(b, int64(v))
		case types.DString:
			b = append(b, tagBytes)
			b = binary.AppendUvarint(b, uint64(len(v)))
			b = append(b, v...)
		case types.DBool:
			if v {
				b = append(b, tagTrue)
			} else {
				b = append(b, tagFalse)
			}
		default:
			return nil, fmt.Errorf("rowenc: cannot value-encode %T", d)
		}
	}
	return b, nil
}

// DecodeValue fills row's non-key columns from a value; columns absent
// from it are NULL.
func DecodeValue(t *catalog.TableDescriptor, value []byte, row types.Datums) error {
	if len(value) == 0 || value[0] != valueFormatV1 {
		return fmt.Errorf("rowenc: unknown row value format")
	}
	for i := range t.Columns {
		if !t.IsKeyColumn(i) {
			row[i] = types.DNull
		}
	}
	b := value[1:]
	for len(b) > 0 {
		id, n := binary.Uvarint(b)
		if n <= 0 || len(b) < n+1 {
			return errCorruptValue
		}
		tag := b[n]
		b = b[n+1:]
		var d types.Datum
		switch tag {
		case tagInt:
			v, m := binary.Varint(b)
			if m <= 0 {
				return errCorruptValue
			}
			d, b = types.DInt(v), b[m:]
		case tagBytes:
			l, m := binary.Uvarint(b)
			if m <= 0 || uint64(len(b)-m) < l {
				return errCorruptValue
			}
			d, b = types.DString(b[m:m+int(l)]), b[m+int(l):]
		case tagFalse:
			d = types.DBool(false)
		case tagTrue:
			d = types.DBool(true)
		default:
			return fmt.Errorf("rowenc: unknown value tag %d", tag)
		}
		if ord := t.ColumnOrdinal(catalog.ColumnID(id)); ord >= 0 {
			row[ord] = d // a dropped column's value is skipped
		}
	}
	return nil
}

var errCorruptValue = fmt.Errorf("rowenc: corrupt row value")
