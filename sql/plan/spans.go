package plan

import (
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/rowenc"
	"github.com/rangedb/rangedb/sql/types"
)

// bound is one side of a range constraint on a key column.
type bound struct {
	d         types.Datum
	inclusive bool
}

// colConstraint collects what the filter says about one key column.
type colConstraint struct {
	eq     types.Datum // nil when no equality
	lo, hi *bound
}

// keyConstraints extracts `keycol op constant` conjuncts of filter.
func keyConstraints(t *catalog.TableDescriptor, filter Expr) map[int]*colConstraint {
	out := map[int]*colConstraint{}
	for _, c := range Conjuncts(filter) {
		cmp, ok := c.(*Cmp)
		if !ok || cmp.Op == ast.NE {
			continue
		}
		col, lok := cmp.L.(*ColRef)
		k, rok := cmp.R.(*Const)
		op := cmp.Op
		if !lok || !rok {
			col, lok = cmp.R.(*ColRef)
			k, rok = cmp.L.(*Const)
			op = op.Flip()
		}
		if !lok || !rok || k.D == types.DNull || !t.IsKeyColumn(col.Ordinal) ||
			k.Typ.Family != t.Columns[col.Ordinal].Type.Family {
			continue
		}
		cc := out[col.Ordinal]
		if cc == nil {
			cc = &colConstraint{}
			out[col.Ordinal] = cc
		}
		switch op {
		case ast.EQ:
			if cc.eq == nil {
				cc.eq = k.D
			}
		case ast.GT, ast.GE:
			b := &bound{d: k.D, inclusive: op == ast.GE}
			if cc.lo == nil || types.Compare(b.d, cc.lo.d) > 0 || (types.Compare(b.d, cc.lo.d) == 0 && !b.inclusive) {
				cc.lo = b
			}
		case ast.LT, ast.LE:
			b := &bound{d: k.D, inclusive: op == ast.LE}
			if cc.hi == nil || types.Compare(b.d, cc.hi.d) < 0 || (types.Compare(b.d, cc.hi.d) == 0 && !b.inclusive) {
				cc.hi = b
			}
		}
	}
	return out
}

// ComputeSpans returns the primary index spans that hold every row of t
// that filter may accept: a point key when the filter fixes every key
// column, a span when it fixes a key prefix and/or bounds the next key
// column, else the whole index.
func ComputeSpans(t *catalog.TableDescriptor, filter Expr) ([]kvpb.Span, error) {
	idx := &t.PrimaryIndex
	prefix := rowenc.IndexPrefix(t, idx)
	full := kvpb.Span{Key: prefix, EndKey: kvpb.PrefixEnd(prefix)}
	if filter == nil {
		return []kvpb.Span{full}, nil
	}
	cons := keyConstraints(t, filter)
	key := append(kvpb.Key(nil), prefix...)
	var err error
	for i, colID := range idx.ColumnIDs {
		cc := cons[t.ColumnOrdinal(colID)]
		dir := idx.Directions[i]
		if cc != nil && cc.eq != nil {
			if key, err = rowenc.EncodeKeyDatum(key, cc.eq, dir); err != nil {
				return nil, err
			}
			continue
		}
		span := kvpb.Span{Key: key, EndKey: kvpb.PrefixEnd(key)}
		if cc == nil || (cc.lo == nil && cc.hi == nil) {
			if i == 0 {
				return []kvpb.Span{full}, nil
			}
			return []kvpb.Span{span}, nil
		}
		// In a descending column, a lower bound on the value is an upper
		// bound on the key.
		lo, hi := cc.lo, cc.hi
		if dir == catalog.Descending {
			lo, hi = hi, lo
		}
		if lo != nil {
			k, err := rowenc.EncodeKeyDatum(append(kvpb.Key(nil), key...), lo.d, dir)
			if err != nil {
				return nil, err
			}
			if lo.inclusive {
				span.Key = k
			} else {
				span.Key = kvpb.PrefixEnd(k)
			}
		}
		if hi != nil {
			k, err := rowenc.EncodeKeyDatum(append(kvpb.Key(nil), key...), hi.d, dir)
			if err != nil {
				return nil, err
			}
			if hi.inclusive {
				span.EndKey = kvpb.PrefixEnd(k)
			} else {
				span.EndKey = k
			}
		}
		if kvpb.Key(span.Key).Compare(span.EndKey) >= 0 {
			return nil, nil // contradictory bounds: nothing to read
		}
		return []kvpb.Span{span}, nil
	}
	// Every key column is fixed: one key.
	return []kvpb.Span{{Key: key}}, nil
}
