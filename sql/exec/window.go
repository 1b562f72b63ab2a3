package exec

import (
	"context"
	"sort"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// windowOp computes window functions: it reads its whole input (within
// the memory budget), then for each function orders the rows by its
// partition and order keys and walks them, and finally returns the rows
// in input order, each with the functions' values appended.
type windowOp struct {
	env  *evalEnv
	n    *plan.Window
	in   RowSource
	done bool
	rows []types.Datums
	next int
	acct memAccount
}

func (w *windowOp) Next(ctx context.Context) (types.Datums, error) {
	if !w.done {
		w.done = true
		if err := w.compute(ctx); err != nil {
			return nil, err
		}
	}
	if w.next >= len(w.rows) {
		return nil, nil
	}
	r := w.rows[w.next]
	w.rows[w.next] = nil
	w.next++
	return r, nil
}

func (w *windowOp) compute(ctx context.Context) error {
	width := len(w.n.Input.Columns())
	for {
		r, err := w.in.Next(ctx)
		if err != nil {
			return err
		}
		if r == nil {
			break
		}
		if err := w.acct.grow(w.env.ec, rowSize(r)+int64(16*len(w.n.Funcs))+48, "window"); err != nil {
			return err
		}
		row := make(types.Datums, width, width+len(w.n.Funcs))
		copy(row, r)
		w.rows = append(w.rows, row)
	}
	for _, f := range w.n.Funcs {
		if err := w.computeFunc(ctx, f); err != nil {
			return err
		}
	}
	return nil
}

// computeFunc appends f's value to every row.
func (w *windowOp) computeFunc(ctx context.Context, f *plan.WindowFunc) error {
	// keys[i] holds row i's partition values, then its order values.
	np := len(f.Partition)
	keys := make([]types.Datums, len(w.rows))
	for i, r := range w.rows {
		k := make(types.Datums, 0, np+len(f.Order))
		for _, e := range f.Partition {
			v, err := w.env.eval(e, r)
			if err != nil {
				return err
			}
			k = append(k, v)
		}
		for _, o := range f.Order {
			v, err := w.env.eval(o.Expr, r)
			if err != nil {
				return err
			}
			k = append(k, v)
		}
		keys[i] = k
	}
	sortKeys := make([]plan.SortKey, 0, np+len(f.Order))
	for i := 0; i < np; i++ {
		sortKeys = append(sortKeys, plan.SortKey{Ordinal: i})
	}
	for i, o := range f.Order {
		sortKeys = append(sortKeys, plan.SortKey{Ordinal: np + i, Desc: o.Desc, NullsFirst: o.NullsFirst})
	}
	fc := w.env.ec.fc()
	idx := make([]int, len(w.rows))
	for i := range idx {
		idx[i] = i
	}
	sort.SliceStable(idx, func(a, b int) bool { return compareRows(keys[idx[a]], keys[idx[b]], sortKeys, fc) < 0 })
	samePartition := func(a, b int) bool { return compareRows(keys[a], keys[b], sortKeys[:np], fc) == 0 }
	peers := func(a, b int) bool { return compareRows(keys[a], keys[b], sortKeys, fc) == 0 }

	vals := make([]types.Datum, len(w.rows))
	agg := &aggOp{env: w.env}
	for start := 0; start < len(idx); {
		end := start + 1
		for end < len(idx) && samePartition(idx[start], idx[end]) {
			end++
		}
		part := idx[start:end]
		var st aggState
		rowNumber, rank, dense := int64(0), int64(0), int64(0)
		for g := 0; g < len(part); {
			// The peer group [g, h): rows equal in the order keys (the
			// whole partition when there is no ORDER BY).
			h := g + 1
			for h < len(part) && (len(f.Order) == 0 || peers(part[g], part[h])) {
				h++
			}
			rank = rowNumber + 1
			dense++
			if f.Agg != nil {
				for _, i := range part[g:h] {
					if err := agg.accumulate(f.Agg, &st, w.rows[i]); err != nil {
						return err
					}
				}
			}
			var v types.Datum
			if f.Agg != nil {
				var err error
				if v, err = agg.final(f.Agg, &st); err != nil {
					return err
				}
			}
			for p, i := range part[g:h] {
				rowNumber++
				switch f.Name {
				case "row_number":
					vals[i] = types.DInt(rowNumber)
				case "rank":
					vals[i] = types.DInt(rank)
				case "dense_rank":
					vals[i] = types.DInt(dense)
				case "percent_rank":
					if len(part) > 1 {
						vals[i] = types.DFloat(float64(rank-1) / float64(len(part)-1))
					} else {
						vals[i] = types.DFloat(0)
					}
				case "cume_dist":
					vals[i] = types.DFloat(float64(h) / float64(len(part)))
				case "ntile":
					var err error
					if vals[i], err = w.ntile(f, part, g+p, i); err != nil {
						return err
					}
				case "lag", "lead", "first_value", "last_value":
					var err error
					if vals[i], err = w.valueAt(f, part, g+p, h, i); err != nil {
						return err
					}
				default:
					vals[i] = v
				}
			}
			g = h
		}
		start = end
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	for i := range w.rows {
		w.rows[i] = append(w.rows[i], vals[i])
	}
	return nil
}

// ntile returns the bucket (1…n) of the row i at position pos of its
// partition part: n buckets as equal as possible, the larger ones first.
func (w *windowOp) ntile(f *plan.WindowFunc, part []int, pos, i int) (types.Datum, error) {
	v, err := w.env.eval(f.Args[0], w.rows[i])
	if err != nil || v == types.DNull {
		return types.DNull, err
	}
	n, _ := v.(types.DInt)
	if n <= 0 {
		return nil, pgerror.New("22014", "argument of ntile must be greater than zero")
	}
	size, extra := int64(len(part))/int64(n), int64(len(part))%int64(n)
	// The first extra buckets hold size+1 rows.
	p := int64(pos)
	if p < extra*(size+1) {
		return types.DInt(p/(size+1) + 1), nil
	}
	return types.DInt(extra + (p-extra*(size+1))/size + 1), nil
}

// valueAt computes lag, lead, first_value or last_value for the row i at
// position pos of its partition part, whose peer group ends at h (the
// default frame ends at the current row's last peer).
func (w *windowOp) valueAt(f *plan.WindowFunc, part []int, pos, h, i int) (types.Datum, error) {
	at := func(q int) (types.Datum, error) { return w.env.eval(f.Args[0], w.rows[part[q]]) }
	switch f.Name {
	case "first_value":
		return at(0)
	case "last_value":
		return at(h - 1)
	}
	off, err := w.env.eval(f.Args[1], w.rows[i])
	if err != nil || off == types.DNull {
		return types.DNull, err
	}
	n, _ := off.(types.DInt)
	q := pos - int(n)
	if f.Name == "lead" {
		q = pos + int(n)
	}
	if q < 0 || q >= len(part) {
		return w.env.eval(f.Args[2], w.rows[i])
	}
	return at(q)
}

func (w *windowOp) Close() {
	w.in.Close()
	w.rows = nil
	w.acct.close(w.env.ec)
}
