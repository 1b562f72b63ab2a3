package exec

import (
	"sort"
	"strings"

	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// aggItem is one value string_agg collected: the value, the delimiter
// that precedes it, and its ORDER BY keys.
type aggItem struct {
	val, delim types.Datum
	keys       types.Datums
}

// filtered evaluates an aggregate's FILTER on row: only rows it accepts
// (true, not NULL) are aggregated.
func (a *aggOp) filtered(ag *plan.AggFunc, row types.Datums) (bool, error) {
	v, err := a.env.eval(ag.Filter, row)
	if err != nil {
		return false, err
	}
	return v == types.DBool(true), nil
}

// accumulateStringAgg collects one non-NULL value of string_agg with its
// row's delimiter (a NULL delimiter is empty) and ORDER BY keys.
func (a *aggOp) accumulateStringAgg(ag *plan.AggFunc, st *aggState, v types.Datum, row types.Datums) error {
	delim, err := a.env.eval(ag.Delim, row)
	if err != nil {
		return err
	}
	it := aggItem{val: v, delim: delim}
	for _, o := range ag.Order {
		k, err := a.env.eval(o.Expr, row)
		if err != nil {
			return err
		}
		it.keys = append(it.keys, k)
	}
	if err := a.acct.grow(a.env.ec, datumSize(v)+datumSize(delim)+rowSize(it.keys), "string_agg"); err != nil {
		return err
	}
	st.items = append(st.items, it)
	return nil
}

// finalStringAgg joins the collected values in ORDER BY order (input
// order among equal keys, and without ORDER BY): NULL when there are
// none.
func (a *aggOp) finalStringAgg(ag *plan.AggFunc, st *aggState) (types.Datum, error) {
	if len(st.items) == 0 {
		return types.DNull, nil
	}
	items := st.items
	if ag.Distinct && len(ag.Order) == 0 {
		// DISTINCT aggregates read their input sorted, as PostgreSQL
		// sorts it to remove duplicates.
		items = append([]aggItem(nil), st.items...)
		fc := a.env.ec.fc()
		sort.SliceStable(items, func(i, j int) bool { return types.CompareCtx(items[i].val, items[j].val, fc) < 0 })
	} else if len(ag.Order) > 0 {
		items = append([]aggItem(nil), st.items...)
		fc := a.env.ec.fc()
		sort.SliceStable(items, func(i, j int) bool {
			return compareKeys(items[i].keys, items[j].keys, ag.Order, fc) < 0
		})
	}
	var b strings.Builder
	for i, it := range items {
		if i > 0 && it.delim != types.DNull {
			b.WriteString(datumBytes(it.delim))
		}
		b.WriteString(datumBytes(it.val))
	}
	if ag.Typ.Family == types.BytesFamily {
		return types.DBytes(b.String()), nil
	}
	return types.DString(b.String()), nil
}

// datumBytes is the content of a text or bytea value.
func datumBytes(d types.Datum) string {
	if b, ok := d.(types.DBytes); ok {
		return string(b)
	}
	s, _ := types.AsString(d)
	return s
}

// compareKeys orders two rows of sort keys by order's directions and
// NULL placements.
func compareKeys(a, b types.Datums, order []plan.WindowOrder, fc *types.FormatContext) int {
	for i, o := range order {
		x, y := a[i], b[i]
		switch xn, yn := x == types.DNull, y == types.DNull; {
		case xn && yn:
			continue
		case xn || yn:
			if xn == o.NullsFirst {
				return -1
			}
			return 1
		}
		c := types.CompareCtx(x, y, fc)
		if o.Desc {
			c = -c
		}
		if c != 0 {
			return c
		}
	}
	return 0
}
