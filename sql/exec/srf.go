package exec

import (
	"context"
	"math"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// seriesOp produces generate_series(start, stop [, step]): start, then
// start+step, … while not past stop (above it for a positive step, below
// for a negative one). NULL arguments give no rows; a zero step is 22023.
type seriesOp struct {
	env        *evalEnv
	typ        *types.T
	cur, stop  types.Datum
	step       types.Datum
	descending bool
	done       bool
	n          int
}

func newSeriesOp(env *evalEnv, n *plan.FuncScan) (RowSource, error) {
	if n.Name != "generate_series" {
		return newJSONSRFOp(env, n) // srf_json.go
	}
	args := make([]types.Datum, len(n.Args))
	for i, a := range n.Args {
		v, err := env.eval(a, nil)
		if err != nil {
			return nil, err
		}
		args[i] = v
	}
	op := &seriesOp{env: env, typ: n.Cols[0].Typ}
	for _, a := range args {
		if a == types.DNull {
			op.done = true
			return op, nil
		}
	}
	op.cur, op.stop = args[0], args[1]
	if len(args) == 3 {
		op.step = args[2]
	} else {
		switch op.typ.Family {
		case types.DecimalFamily:
			op.step = types.DecimalFromInt(1)
		default:
			op.step = types.DInt(1)
		}
	}
	switch st := op.step.(type) {
	case types.DInt:
		if st == 0 {
			return nil, errZeroStep()
		}
		op.descending = st < 0
	case *types.DDecimal:
		if st.IsZero() {
			return nil, errZeroStep()
		}
		op.descending = st.Negative
		for _, d := range []*types.DDecimal{op.cur.(*types.DDecimal), op.stop.(*types.DDecimal), st} {
			if d.Form != 0 {
				return nil, pgerror.Unsupported("generate_series over NaN or infinite numerics")
			}
		}
	case types.DInterval:
		c := types.CompareCtx(st, types.DInterval{}, env.ec.fc())
		if c == 0 {
			return nil, errZeroStep()
		}
		op.descending = c < 0
	}
	return op, nil
}

func errZeroStep() error {
	return pgerror.New(pgerror.CodeInvalidParameterValue, "step size cannot equal zero")
}

func (s *seriesOp) Next(ctx context.Context) (types.Datums, error) {
	if s.done {
		return nil, nil
	}
	s.n++
	if s.n%256 == 0 {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
	}
	c := types.CompareCtx(s.cur, s.stop, s.env.ec.fc())
	if (!s.descending && c > 0) || (s.descending && c < 0) {
		s.done = true
		return nil, nil
	}
	out := s.cur
	switch v := s.cur.(type) {
	case types.DInt:
		step := int64(s.step.(types.DInt))
		next := int64(v) + step
		if (step > 0 && next < int64(v)) || (step < 0 && next > int64(v)) ||
			(s.typ.Width == 32 && (next > math.MaxInt32 || next < math.MinInt32)) {
			s.done = true // the next value is past the type's range, so past stop
		}
		s.cur = types.DInt(next)
	default:
		next, err := types.EvalBinaryOpCtx("+", s.cur, s.step, s.typ, s.env.ec.fc())
		if err != nil {
			return nil, err
		}
		if types.CompareCtx(next, s.cur, s.env.ec.fc()) == 0 {
			s.done = true // an infinite start never moves
		}
		s.cur = next
	}
	return types.Datums{out}, nil
}

func (s *seriesOp) Close() {}
