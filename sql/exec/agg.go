package exec

import (
	"context"

	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// aggState accumulates one aggregate of one group.
type aggState struct {
	count int64
	acc   types.Datum // sum / min / max / bool so far (nil: none)
	seen  map[string]struct{}
	items []aggItem // string_agg's values (agg_more.go)
}

// aggOp is hash aggregation: it reads its whole input, keeping one state
// per group (within the memory budget), then emits the groups.
type aggOp struct {
	env    *evalEnv
	n      *plan.Aggregate
	in     RowSource
	done   bool
	groups map[string]int
	keys   []types.Datums
	states [][]aggState
	next   int
	acct   memAccount
	buf    []byte
}

func (a *aggOp) Next(ctx context.Context) (types.Datums, error) {
	if !a.done {
		a.done = true
		if err := a.consume(ctx); err != nil {
			return nil, err
		}
	}
	if a.next >= len(a.keys) {
		return nil, nil
	}
	i := a.next
	a.next++
	out := make(types.Datums, 0, len(a.n.GroupBy)+len(a.n.Aggs))
	out = append(out, a.keys[i]...)
	for j, ag := range a.n.Aggs {
		v, err := a.final(ag, &a.states[i][j])
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	a.keys[i], a.states[i] = nil, nil
	return out, nil
}

func (a *aggOp) consume(ctx context.Context) error {
	a.groups = map[string]int{}
	if len(a.n.GroupBy) == 0 {
		a.keys = []types.Datums{{}}
		a.states = [][]aggState{make([]aggState, len(a.n.Aggs))}
	}
	for {
		row, err := a.in.Next(ctx)
		if err != nil {
			return err
		}
		if row == nil {
			return nil
		}
		g := 0
		if len(a.n.GroupBy) > 0 {
			key := make(types.Datums, len(a.n.GroupBy))
			a.buf = a.buf[:0]
			for i, e := range a.n.GroupBy {
				if key[i], err = a.env.eval(e, row); err != nil {
					return err
				}
				a.buf = hashKey(a.buf, key[i])
			}
			var ok bool
			if g, ok = a.groups[string(a.buf)]; !ok {
				if err := a.acct.grow(a.env.ec, rowSize(key)+int64(len(a.buf))+int64(64*len(a.n.Aggs)), "hash aggregation"); err != nil {
					return err
				}
				g = len(a.keys)
				a.groups[string(a.buf)] = g
				a.keys = append(a.keys, key)
				a.states = append(a.states, make([]aggState, len(a.n.Aggs)))
			}
		}
		for j, ag := range a.n.Aggs {
			if err := a.accumulate(ag, &a.states[g][j], row); err != nil {
				return err
			}
		}
	}
}

func (a *aggOp) accumulate(ag *plan.AggFunc, st *aggState, row types.Datums) error {
	if ag.Filter != nil {
		if ok, err := a.filtered(ag, row); !ok || err != nil { // agg_more.go
			return err
		}
	}
	if ag.Star {
		st.count++
		return nil
	}
	if isJSONAggName(ag.Name) {
		return a.accumulateJSONAgg(ag, st, row) // agg_json.go
	}
	v, err := a.env.eval(ag.Arg, row)
	if err != nil {
		return err
	}
	if v == types.DNull {
		return nil
	}
	if ag.Distinct {
		if st.seen == nil {
			st.seen = map[string]struct{}{}
		}
		k := string(hashKey(nil, v))
		if _, ok := st.seen[k]; ok {
			return nil
		}
		if err := a.acct.grow(a.env.ec, int64(len(k))+48, "aggregate DISTINCT"); err != nil {
			return err
		}
		st.seen[k] = struct{}{}
	}
	st.count++
	fc := a.env.ec.fc()
	switch ag.Name {
	case "count":
	case "string_agg":
		return a.accumulateStringAgg(ag, st, v, row) // agg_more.go
	case "min":
		if st.acc == nil || types.CompareCtx(v, st.acc, fc) < 0 {
			st.acc = v
		}
	case "max":
		if st.acc == nil || types.CompareCtx(v, st.acc, fc) > 0 {
			st.acc = v
		}
	case "sum", "avg":
		acc := st.acc
		sumType := ag.Typ
		if ag.Name == "avg" {
			sumType = ag.Typ
			if sumType.Family == types.DecimalFamily {
				if _, isInt := v.(types.DInt); isInt {
					v = types.DecimalFromInt(int64(v.(types.DInt)))
				}
			}
		} else if sumType.Family == types.DecimalFamily {
			if i, isInt := v.(types.DInt); isInt {
				v = types.DecimalFromInt(int64(i))
			}
		}
		if acc == nil {
			st.acc = v
			return nil
		}
		r, err := types.EvalBinaryOp("+", acc, v, sumType)
		if err != nil {
			return err
		}
		st.acc = r
	case "bool_and", "every":
		if st.acc == nil {
			st.acc = v
		} else {
			st.acc = types.DBool(bool(st.acc.(types.DBool)) && bool(v.(types.DBool)))
		}
	case "bool_or":
		if st.acc == nil {
			st.acc = v
		} else {
			st.acc = types.DBool(bool(st.acc.(types.DBool)) || bool(v.(types.DBool)))
		}
	}
	return nil
}

func (a *aggOp) final(ag *plan.AggFunc, st *aggState) (types.Datum, error) {
	if ag.Name == "count" {
		return types.DInt(st.count), nil
	}
	if ag.Name == "string_agg" {
		return a.finalStringAgg(ag, st) // agg_more.go
	}
	if isJSONAggName(ag.Name) {
		return a.finalJSONAgg(ag, st) // agg_json.go
	}
	if st.acc == nil {
		return types.DNull, nil
	}
	if ag.Name == "avg" {
		var n types.Datum = types.DecimalFromInt(st.count)
		switch ag.Typ.Family {
		case types.FloatFamily:
			n = types.DFloat(float64(st.count))
		case types.IntervalFamily:
			return intervalScale(st.acc.(types.DInterval), float64(st.count), true)
		}
		return types.EvalBinaryOp("/", st.acc, n, ag.Typ)
	}
	return st.acc, nil
}

func (a *aggOp) Close() {
	a.in.Close()
	a.groups, a.keys, a.states = nil, nil, nil
	a.acct.close(a.env.ec)
}
