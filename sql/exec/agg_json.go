package exec

import (
	"sort"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// The json aggregates: json_agg, jsonb_agg, json_object_agg and
// jsonb_object_agg. Unlike the others they aggregate NULLs (as JSON
// null); an object aggregate's key may not be NULL (22023). Values are
// collected (with their ORDER BY keys) and built at the end; no rows give
// NULL.

func isJSONAggName(name string) bool {
	switch name {
	case "json_agg", "jsonb_agg", "json_object_agg", "jsonb_object_agg":
		return true
	}
	return false
}

// accumulateJSONAgg collects one row's value (and key) of a json
// aggregate.
func (a *aggOp) accumulateJSONAgg(ag *plan.AggFunc, st *aggState, row types.Datums) error {
	v, err := a.env.eval(ag.Arg, row)
	if err != nil {
		return err
	}
	it := aggItem{val: v}
	if ag.Delim != nil {
		if v == types.DNull {
			return pgerror.New(pgerror.CodeInvalidParameterValue, "field name must not be null")
		}
		if it.delim, err = a.env.eval(ag.Delim, row); err != nil {
			return err
		}
	}
	if ag.Distinct {
		if st.seen == nil {
			st.seen = map[string]struct{}{}
		}
		k := string(hashKey(hashKey(nil, it.val), it.delim))
		if _, ok := st.seen[k]; ok {
			return nil
		}
		st.seen[k] = struct{}{}
	}
	for _, o := range ag.Order {
		k, err := a.env.eval(o.Expr, row)
		if err != nil {
			return err
		}
		it.keys = append(it.keys, k)
	}
	if err := a.acct.grow(a.env.ec, datumSize(v)+rowSize(it.keys)+64, ag.Name); err != nil {
		return err
	}
	st.count++
	st.items = append(st.items, it)
	return nil
}

// finalJSONAgg builds a json aggregate's result.
func (a *aggOp) finalJSONAgg(ag *plan.AggFunc, st *aggState) (types.Datum, error) {
	if len(st.items) == 0 {
		return types.DNull, nil
	}
	items := st.items
	fc := a.env.ec.fc()
	if len(ag.Order) > 0 {
		items = append([]aggItem(nil), st.items...)
		sort.SliceStable(items, func(i, j int) bool { return compareKeys(items[i].keys, items[j].keys, ag.Order, fc) < 0 })
	} else if ag.Distinct {
		items = append([]aggItem(nil), st.items...)
		sort.SliceStable(items, func(i, j int) bool { return types.CompareCtx(items[i].val, items[j].val, fc) < 0 })
	}
	c := a.env.ec
	at := ag.Arg.ResultType()
	var vt *types.T
	if ag.Delim != nil {
		vt = ag.Delim.ResultType()
	}
	switch ag.Name {
	case "jsonb_agg":
		out := &types.JSON{Kind: types.JSONArray}
		for _, it := range items {
			v, err := c.datumToJSONB(it.val, at, false)
			if err != nil {
				return nil, err
			}
			out.Elems = append(out.Elems, v)
		}
		return types.DJSONB{V: out}, nil
	case "json_agg":
		b := []byte{'['}
		for i, it := range items {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = c.appendJSONValue(b, it.val, at)
		}
		return types.DJSON(append(b, ']')), nil
	case "jsonb_object_agg":
		var keys []string
		var vals []*types.JSON
		for _, it := range items {
			k, err := c.datumToJSONB(it.val, at, true)
			if err != nil {
				return nil, err
			}
			v, err := c.datumToJSONB(it.delim, vt, false)
			if err != nil {
				return nil, err
			}
			keys, vals = append(keys, keyText(k)), append(vals, v)
		}
		return types.DJSONB{V: types.NormalizeJSONObject(keys, vals)}, nil
	}
	b := []byte("{ ")
	for i, it := range items {
		if i > 0 {
			b = append(b, ", "...)
		}
		k, err := c.jsonKey(it.val, at)
		if err != nil {
			return nil, err
		}
		b = types.AppendJSONString(b, k)
		b = append(b, " : "...)
		b = c.appendJSONValue(b, it.delim, vt)
	}
	return types.DJSON(append(b, " }"...)), nil
}
