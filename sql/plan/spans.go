package plan

import (
	"bytes"
	"sort"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/rowenc"
	"github.com/rangedb/rangedb/sql/types"
)

// maxPointSpans bounds the point keys one scan enumerates from IN lists;
// beyond it the scan reads a span over the common prefix instead.
const maxPointSpans = 10000

// bound is one side of a range constraint on a key column.
type bound struct {
	d         types.Datum
	inclusive bool
}

// colConstraint collects what the filter says about one key column.
type colConstraint struct {
	// eqs, when hasEq, are the values the column may take (equality or an
	// IN list); an empty set means no row qualifies.
	hasEq  bool
	eqs    []types.Datum
	lo, hi *bound
}

// ParamValues returns the value of parameter idx.
type ParamValues func(idx int) types.Datum

// keyValue returns the constant e stands for: a Const, or a Param when
// params are known.
func keyValue(e Expr, params ParamValues) (types.Datum, bool) {
	switch x := e.(type) {
	case *Const:
		return x.D, true
	case *Param:
		if params == nil {
			return nil, false
		}
		return params(x.Idx), true
	}
	return nil, false
}

// keyColumn returns the column e reads, if e is a ColRef of one (any
// column may be a secondary index's key column).
func keyColumn(t *catalog.TableDescriptor, e Expr) (*ColRef, bool) {
	c, ok := e.(*ColRef)
	if !ok || c.Ordinal >= len(t.Columns) {
		return nil, false
	}
	return c, true
}

// keyable reports whether a value of type v may bound key column type k
// (the key encodings agree and comparison has the same meaning).
func keyable(v, k *types.T) bool {
	return sameKeyType(v, k)
}

func intersect(a, b []types.Datum) []types.Datum {
	var out []types.Datum
	for _, x := range a {
		for _, y := range b {
			if types.Compare(x, y) == 0 {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

// keyConstraints extracts `keycol op value` and `keycol IN (values)`
// conjuncts of filter. With params nil, Params are not values.
func keyConstraints(t *catalog.TableDescriptor, filter Expr, params ParamValues) map[int]*colConstraint {
	out := map[int]*colConstraint{}
	get := func(ord int) *colConstraint {
		cc := out[ord]
		if cc == nil {
			cc = &colConstraint{}
			out[ord] = cc
		}
		return cc
	}
	addEq := func(cc *colConstraint, vals []types.Datum) {
		if cc.hasEq {
			cc.eqs = intersect(cc.eqs, vals)
		} else {
			cc.hasEq, cc.eqs = true, vals
		}
	}
	for _, c := range Conjuncts(filter) {
		switch x := c.(type) {
		case *InList:
			col, ok := keyColumn(t, x.E)
			if !ok || x.Not {
				continue
			}
			var vals []types.Datum
			all := true
			for _, e := range x.List {
				d, ok := keyValue(e, params)
				if !ok || !keyable(e.ResultType(), col.Typ) {
					all = false
					break
				}
				if d != types.DNull {
					vals = append(vals, d)
				}
			}
			if all {
				addEq(get(col.Ordinal), vals)
			}
		case *Cmp:
			if x.Op == NE || x.Op == IsDistinct {
				continue
			}
			col, lok := keyColumn(t, x.L)
			val, op := x.R, x.Op
			if !lok {
				col, lok = keyColumn(t, x.R)
				val, op = x.L, op.Flip()
			}
			if !lok {
				continue
			}
			d, ok := keyValue(val, params)
			if !ok || !keyable(val.ResultType(), col.Typ) {
				continue
			}
			cc := get(col.Ordinal)
			if d == types.DNull {
				if op != IsNotDistinct {
					addEq(cc, nil) // = NULL never holds
				}
				continue
			}
			switch op {
			case EQ, IsNotDistinct:
				addEq(cc, []types.Datum{d})
			case GT, GE:
				b := &bound{d: d, inclusive: op == GE}
				if cc.lo == nil || types.Compare(b.d, cc.lo.d) > 0 || (types.Compare(b.d, cc.lo.d) == 0 && !b.inclusive) {
					cc.lo = b
				}
			case LT, LE:
				b := &bound{d: d, inclusive: op == LE}
				if cc.hi == nil || types.Compare(b.d, cc.hi.d) < 0 || (types.Compare(b.d, cc.hi.d) == 0 && !b.inclusive) {
					cc.hi = b
				}
			}
		}
	}
	return out
}

// spanShape is what a filter's key constraints allow, without values.
type spanShape struct {
	point       bool // every key column fixed
	constrained bool // the first key column fixed or bounded
}

// analyzePrimarySpans reports the access path filter allows on t's
// primary index, treating parameters as values (analyzeSpans, index.go,
// adds the secondary indexes).
func analyzePrimarySpans(t *catalog.TableDescriptor, filter Expr) spanShape {
	dummy := func(int) types.Datum { return types.DNull }
	cons := keyConstraints(t, filter, dummy)
	var sh spanShape
	for i, colID := range t.PrimaryIndex.ColumnIDs {
		cc := cons[t.ColumnOrdinal(colID)]
		if cc == nil {
			return sh
		}
		if i == 0 {
			sh.constrained = cc.hasEq || cc.lo != nil || cc.hi != nil
		}
		if !cc.hasEq {
			return sh
		}
	}
	sh.point = true
	return sh
}

// ComputeSpans returns the primary index spans, sorted and disjoint, that
// hold every row of t that filter may accept: point keys when the filter
// fixes every key column (to one value or an IN list), spans when it fixes
// a key prefix and/or bounds the next key column, else the whole index.
// params supplies parameter values (nil when the filter has none).
func ComputeSpans(t *catalog.TableDescriptor, filter Expr, params ParamValues) ([]kvpb.Span, error) {
	return computeIndexSpans(t, &t.PrimaryIndex, filter, params)
}

// computeIndexSpans is ComputeSpans over idx, the primary or a secondary
// index (index.go): a secondary index's spans cover its entries, and fixing
// every column of a non-unique one is a span over that prefix, not a key.
func computeIndexSpans(t *catalog.TableDescriptor, idx *catalog.Index, filter Expr, params ParamValues) ([]kvpb.Span, error) {
	prefix := rowenc.IndexPrefix(t, idx)
	full := kvpb.Span{Key: prefix, EndKey: kvpb.PrefixEnd(prefix)}
	if filter == nil {
		return []kvpb.Span{full}, nil
	}
	cons := keyConstraints(t, filter, params)
	keys := []kvpb.Key{append(kvpb.Key(nil), prefix...)}
	var spans []kvpb.Span
	complete := true
	for i, colID := range idx.ColumnIDs {
		cc := cons[t.ColumnOrdinal(colID)]
		dir := idx.Directions[i]
		if cc != nil && cc.hasEq && len(keys)*len(cc.eqs) <= maxPointSpans {
			if len(cc.eqs) == 0 {
				return nil, nil // contradiction: nothing to read
			}
			next := make([]kvpb.Key, 0, len(keys)*len(cc.eqs))
			for _, k := range keys {
				for _, d := range cc.eqs {
					nk, err := rowenc.EncodeKeyDatum(append(kvpb.Key(nil), k...), d, dir)
					if err != nil {
						return nil, err
					}
					next = append(next, nk)
				}
			}
			keys = next
			continue
		}
		complete = false
		for _, k := range keys {
			span := kvpb.Span{Key: k, EndKey: kvpb.PrefixEnd(k)}
			if cc != nil && !cc.hasEq && (cc.lo != nil || cc.hi != nil) {
				// In a descending column, a lower bound on the value is an
				// upper bound on the key.
				lo, hi := cc.lo, cc.hi
				if dir == catalog.Descending {
					lo, hi = hi, lo
				}
				if lo != nil {
					lk, err := rowenc.EncodeKeyDatum(append(kvpb.Key(nil), k...), lo.d, dir)
					if err != nil {
						return nil, err
					}
					if lo.inclusive {
						span.Key = lk
					} else {
						span.Key = kvpb.PrefixEnd(lk)
					}
				} else {
					// Skip NULLs: no comparison accepts them.
					nk, err := rowenc.EncodeKeyDatum(append(kvpb.Key(nil), k...), types.DNull, dir)
					if err == nil && dir == catalog.Ascending {
						span.Key = kvpb.PrefixEnd(nk)
					}
				}
				if hi != nil {
					hk, err := rowenc.EncodeKeyDatum(append(kvpb.Key(nil), k...), hi.d, dir)
					if err != nil {
						return nil, err
					}
					if hi.inclusive {
						span.EndKey = kvpb.PrefixEnd(hk)
					} else {
						span.EndKey = hk
					}
				}
				if kvpb.Key(span.Key).Compare(span.EndKey) >= 0 {
					continue // contradictory bounds
				}
			}
			spans = append(spans, span)
		}
		break
	}
	if complete {
		point := idx.ID == t.PrimaryIndex.ID || idx.Unique
		for _, k := range keys {
			if point {
				spans = append(spans, kvpb.Span{Key: k})
			} else {
				spans = append(spans, kvpb.Span{Key: k, EndKey: kvpb.PrefixEnd(k)})
			}
		}
	}
	sort.Slice(spans, func(i, j int) bool { return bytes.Compare(spans[i].Key, spans[j].Key) < 0 })
	out := spans[:0]
	for _, sp := range spans {
		if len(out) > 0 && bytes.Equal(out[len(out)-1].Key, sp.Key) && bytes.Equal(out[len(out)-1].EndKey, sp.EndKey) {
			continue
		}
		out = append(out, sp)
	}
	if len(out) == 1 && bytes.Equal(out[0].Key, full.Key) && bytes.Equal(out[0].EndKey, full.EndKey) {
		return []kvpb.Span{full}, nil
	}
	return out, nil
}
