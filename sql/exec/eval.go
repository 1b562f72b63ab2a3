package exec

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// evalEnv is what expressions are evaluated with: the statement's context
// (parameters, clock, transaction for subqueries) and the rows of the
// enclosing query levels, innermost last, for correlated subqueries.
type evalEnv struct {
	ec    *Context
	ctx   context.Context
	outer []types.Datums
	// lockScan, when set, is the scan whose rows' primary keys are
	// appended to lockKeys (SELECT … FOR UPDATE; lock.go).
	lockScan *plan.Scan
	lockKeys *[]kvpb.Key
	// workTables are the work tables of the recursive CTEs being run
	// (recursive.go).
	workTables map[*plan.WorkTable]*workTable
}

// evalLogic evaluates L AND R (decisive false) or L OR R (decisive true)
// with three-valued logic: the decisive value wins, else NULL if either
// side is NULL, else the other value. R is not evaluated when L decides.
func (env *evalEnv) evalLogic(l, r plan.Expr, decisive types.DBool, row types.Datums) (types.Datum, error) {
	lv, err := env.eval(l, row)
	if err != nil || lv == decisive {
		return lv, err
	}
	rv, err := env.eval(r, row)
	if err != nil || rv == decisive {
		return rv, err
	}
	if lv == types.DNull || rv == types.DNull {
		return types.DNull, nil
	}
	return !decisive, nil
}

// withOuter returns an environment for a subquery evaluated for row.
func (env *evalEnv) withOuter(row types.Datums) *evalEnv {
	outer := make([]types.Datums, len(env.outer)+1)
	copy(outer, env.outer)
	outer[len(env.outer)] = row
	return &evalEnv{ec: env.ec, ctx: env.ctx, outer: outer, workTables: env.workTables}
}

// eval evaluates e over row.
func (env *evalEnv) eval(e plan.Expr, row types.Datums) (types.Datum, error) {
	switch x := e.(type) {
	case *plan.ColRef:
		return row[x.Ordinal], nil
	case *plan.OuterRef:
		return env.outer[len(env.outer)-x.Depth][x.Ordinal], nil
	case *plan.Const:
		return x.D, nil
	case *plan.Param:
		return env.ec.param(x.Idx), nil
	case *plan.BinOp:
		l, err := env.eval(x.L, row)
		if err != nil || l == types.DNull {
			return types.DNull, err
		}
		r, err := env.eval(x.R, row)
		if err != nil || r == types.DNull {
			return types.DNull, err
		}
		if x.Op == "||" {
			return concat(l, r, x.L.ResultType(), x.R.ResultType(), x.Typ, env.ec.fc())
		}
		return types.EvalBinaryOpCtx(string(x.Op), l, r, x.Typ, env.ec.fc())
	case *plan.Neg:
		v, err := env.eval(x.E, row)
		if err != nil || v == types.DNull {
			return types.DNull, err
		}
		return types.EvalUnaryOp("-", v, x.Typ)
	case *plan.Cmp:
		l, err := env.eval(x.L, row)
		if err != nil {
			return nil, err
		}
		r, err := env.eval(x.R, row)
		if err != nil {
			return nil, err
		}
		return compareOp(x.Op, l, r, env.ec.fc()), nil
	case *plan.And:
		return env.evalLogic(x.L, x.R, false, row)
	case *plan.Or:
		return env.evalLogic(x.L, x.R, true, row)
	case *plan.Not:
		v, err := env.eval(x.E, row)
		if err != nil || v == types.DNull {
			return types.DNull, err
		}
		return !v.(types.DBool), nil
	case *plan.IsNull:
		v, err := env.eval(x.E, row)
		if err != nil {
			return nil, err
		}
		return types.DBool((v == types.DNull) != x.Not), nil
	case *plan.Like:
		return env.evalLike(x, row)
	case *plan.InList:
		l, err := env.eval(x.E, row)
		if err != nil {
			return nil, err
		}
		vals := make([]types.Datum, len(x.List))
		for i, e := range x.List {
			if vals[i], err = env.eval(e, row); err != nil {
				return nil, err
			}
		}
		return inResult(l, vals, x.Not, env.ec.fc()), nil
	case *plan.Case:
		for _, w := range x.Whens {
			c, err := env.eval(w.Cond, row)
			if err != nil {
				return nil, err
			}
			if c == types.DBool(true) {
				return env.eval(w.Val, row)
			}
		}
		if x.Else == nil {
			return types.DNull, nil
		}
		return env.eval(x.Else, row)
	case *plan.Coalesce:
		for _, a := range x.Args {
			v, err := env.eval(a, row)
			if err != nil || v != types.DNull {
				return v, err
			}
		}
		return types.DNull, nil
	case *plan.MinMax:
		best := types.Datum(types.DNull)
		for _, a := range x.Args {
			v, err := env.eval(a, row)
			if err != nil {
				return nil, err
			}
			if v == types.DNull {
				continue
			}
			if c := types.CompareCtx(v, best, env.ec.fc()); best == types.DNull || (x.Greatest && c > 0) || (!x.Greatest && c < 0) {
				best = v
			}
		}
		return best, nil
	case *plan.NullIf:
		l, err := env.eval(x.L, row)
		if err != nil {
			return nil, err
		}
		r, err := env.eval(x.R, row)
		if err != nil {
			return nil, err
		}
		if l != types.DNull && r != types.DNull && types.CompareCtx(l, r, env.ec.fc()) == 0 {
			return types.DNull, nil
		}
		return l, nil
	case *plan.Cast:
		v, err := env.eval(x.E, row)
		if err != nil || v == types.DNull {
			return types.DNull, err
		}
		return types.CastFrom(v, x.E.ResultType(), x.Typ, env.ec.fc())
	case *plan.Func:
		args := make([]types.Datum, len(x.Args))
		for i, a := range x.Args {
			v, err := env.eval(a, row)
			if err != nil {
				return nil, err
			}
			args[i] = v
		}
		if plan.IsSequenceFunc(x.Name) {
			return env.callSequenceFunc(x, args) // sequence.go
		}
		if x.Name == "pg_sleep" {
			return env.pgSleep(args)
		}
		return env.ec.callBuiltin(x, args)
	case *plan.Subquery:
		return env.evalSubquery(x, row)
	}
	return nil, fmt.Errorf("exec: cannot evaluate %T", e)
}

// compareOp applies a comparison with SQL's NULL rules.
func compareOp(op plan.CmpOp, l, r types.Datum, fc *types.FormatContext) types.Datum {
	switch op {
	case plan.IsDistinct, plan.IsNotDistinct:
		var same bool
		switch {
		case l == types.DNull || r == types.DNull:
			same = l == r
		default:
			same = types.CompareCtx(l, r, fc) == 0
		}
		return types.DBool(same == (op == plan.IsNotDistinct))
	}
	if l == types.DNull || r == types.DNull {
		return types.DNull
	}
	c := types.CompareCtx(l, r, fc)
	var ok bool
	switch op {
	case plan.EQ:
		ok = c == 0
	case plan.NE:
		ok = c != 0
	case plan.LT:
		ok = c < 0
	case plan.LE:
		ok = c <= 0
	case plan.GT:
		ok = c > 0
	case plan.GE:
		ok = c >= 0
	}
	return types.DBool(ok)
}

// inResult is l [NOT] IN (vals) with SQL's NULL semantics: true if some
// value equals l; else NULL if l or some value is NULL; else false.
func inResult(l types.Datum, vals []types.Datum, not bool, fc *types.FormatContext) types.Datum {
	if l == types.DNull {
		if len(vals) == 0 {
			return types.DBool(not)
		}
		return types.DNull
	}
	sawNull := false
	for _, v := range vals {
		if v == types.DNull {
			sawNull = true
			continue
		}
		if types.CompareCtx(l, v, fc) == 0 {
			return types.DBool(!not)
		}
	}
	if sawNull {
		return types.DNull
	}
	return types.DBool(not)
}

func concat(l, r types.Datum, lt, rt, typ *types.T, fc *types.FormatContext) (types.Datum, error) {
	if typ.Family == types.BytesFamily {
		return types.DBytes(string(l.(types.DBytes)) + string(r.(types.DBytes))), nil
	}
	return types.DString(textOf(l, lt, fc) + textOf(r, rt, fc)), nil
}

// textOf renders d as text, as its cast to text does.
func textOf(d types.Datum, t *types.T, fc *types.FormatContext) string {
	if s, ok := types.AsString(d); ok {
		return s
	}
	return string(types.FormatText(d, t, fc))
}

// evalFilter reports whether filter accepts row (NULL rejects).
func (env *evalEnv) evalFilter(filter plan.Expr, row types.Datums) (bool, error) {
	if filter == nil {
		return true, nil
	}
	v, err := env.eval(filter, row)
	if err != nil {
		return false, err
	}
	return v == types.DBool(true), nil
}

// subqueryResult caches an uncorrelated subquery's result for the
// statement.
type subqueryResult struct {
	scalar types.Datum
	exists bool
	rows   []types.Datum
}

func (env *evalEnv) evalSubquery(x *plan.Subquery, row types.Datums) (types.Datum, error) {
	var res *subqueryResult
	if !x.Correlated {
		res = env.ec.subCache[x.ID]
	}
	if res == nil {
		var err error
		if res, err = env.runSubquery(x, row); err != nil {
			return nil, err
		}
		if !x.Correlated {
			if env.ec.subCache == nil {
				env.ec.subCache = map[int]*subqueryResult{}
			}
			env.ec.subCache[x.ID] = res
		}
	}
	switch x.Kind {
	case plan.SubExists:
		return types.DBool(res.exists), nil
	case plan.SubIn:
		l, err := env.eval(x.E, row)
		if err != nil {
			return nil, err
		}
		return inResult(l, res.rows, x.Not, env.ec.fc()), nil
	case plan.SubArray:
		return arrayText(res.rows, x.Plan.Columns()[0].Typ, env.ec.fc()), nil // builtins_catalog.go
	}
	return res.scalar, nil
}

func (env *evalEnv) runSubquery(x *plan.Subquery, row types.Datums) (*subqueryResult, error) {
	sub := env.withOuter(row)
	src, err := build(sub, x.Plan)
	if err != nil {
		return nil, err
	}
	defer src.Close()
	res := &subqueryResult{scalar: types.DNull}
	var acct memAccount
	defer acct.close(env.ec)
	for {
		r, err := src.Next(env.ctx)
		if err != nil {
			return nil, err
		}
		if r == nil {
			return res, nil
		}
		switch x.Kind {
		case plan.SubExists:
			res.exists = true
			return res, nil
		case plan.SubScalar:
			if res.exists {
				return nil, pgerror.New(pgerror.CodeCardinalityViolation, "more than one row returned by a subquery used as an expression")
			}
			res.exists, res.scalar = true, r[0]
		case plan.SubIn, plan.SubArray:
			if err := acct.grow(env.ec, datumSize(r[0]), "subquery"); err != nil {
				return nil, err
			}
			res.rows = append(res.rows, r[0])
		}
	}
}

// pgSleep is pg_sleep(seconds): it waits, until the statement is
// cancelled or times out (57014), and returns void.
func (env *evalEnv) pgSleep(args []types.Datum) (types.Datum, error) {
	if f, ok := args[0].(types.DFloat); ok && float64(f) > 0 {
		d := time.Duration(math.Min(float64(f), 1e9) * float64(time.Second))
		t := time.NewTimer(d)
		defer t.Stop()
		ctx := env.ctx
		if ctx == nil {
			ctx = context.Background()
		}
		select {
		case <-ctx.Done():
			return nil, ctx.Err()
		case <-t.C:
		}
	}
	return types.DString(""), nil
}
