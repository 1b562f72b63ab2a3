package plan

import (
	"bytes"
	"fmt"
	"strconv"
	"strings"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/rowenc"
	"github.com/rangedb/rangedb/sql/types"
)

// PrettySpan renders a span of t's primary index with decoded key values:
// a point key as /Table/104/1/5, a span as [/Table/104/1/3, /Table/104/1/6).
// An end key that is the PrefixEnd of a key prints as that key with the
// suffix /PrefixEnd.
func PrettySpan(t *catalog.TableDescriptor, sp kvpb.Span) string {
	if len(sp.EndKey) == 0 {
		return PrettyKey(t, sp.Key)
	}
	return "[" + PrettyKey(t, sp.Key) + ", " + PrettyKey(t, sp.EndKey) + ")"
}

// PrettyKey renders a key of t's primary index with decoded key values.
func PrettyKey(t *catalog.TableDescriptor, k kvpb.Key) string {
	return prettyKeyOf(t, &t.PrimaryIndex, k)
}

// prettyKeyOf renders a key of t's index idx with decoded key values.
func prettyKeyOf(t *catalog.TableDescriptor, idx *catalog.Index, k kvpb.Key) string {
	if s, ok := prettyIndexKey(t, idx, k); ok {
		return s
	}
	// The PrefixEnd of a decodable key: undo the increment of its last
	// byte.
	if n := len(k); n > 0 && k[n-1] > 0 {
		prev := append(kvpb.Key(nil), k...)
		prev[n-1]--
		if bytes.Equal(kvpb.PrefixEnd(prev), k) {
			if s, ok := prettyIndexKey(t, idx, prev); ok {
				return s + "/PrefixEnd"
			}
		}
	}
	return k.String()
}

func prettyIndexKey(t *catalog.TableDescriptor, idx *catalog.Index, k kvpb.Key) (string, bool) {
	colIDs, dirs := rowenc.IndexKeyColumns(t, idx)
	prefix := rowenc.IndexPrefix(t, idx)
	if !bytes.HasPrefix(k, prefix) {
		if bytes.Equal(k, kvpb.PrefixEnd(prefix)) {
			return fmt.Sprintf("/Table/%d/%d/PrefixEnd", t.ID, idx.ID), true
		}
		return "", false
	}
	var b strings.Builder
	fmt.Fprintf(&b, "/Table/%d/%d", t.ID, idx.ID)
	rest := []byte(k[len(prefix):])
	for i := 0; len(rest) > 0; i++ {
		if i >= len(colIDs) {
			return "", false
		}
		col := &t.Columns[t.ColumnOrdinal(colIDs[i])]
		r, d, err := rowenc.DecodeKeyDatum(rest, col.Type, dirs[i])
		if err != nil {
			return "", false
		}
		b.WriteString("/" + prettyDatum(d))
		rest = r
	}
	return b.String(), true
}

func prettyDatum(d types.Datum) string {
	if d == types.DNull {
		return "NULL"
	}
	if s, ok := types.AsString(d); ok {
		return strconv.Quote(s)
	}
	return string(types.Format(d))
}
