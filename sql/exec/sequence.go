package exec

import (
	"context"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// Sequences runs the sequence functions for a statement (the session
// implements it: names resolve in its transaction, values come from the
// sequences' non-transactional counters, currval and lastval are the
// session's).
type Sequences interface {
	NextVal(ctx context.Context, name string) (int64, error)
	CurrVal(ctx context.Context, name string) (int64, error)
	SetVal(ctx context.Context, name string, v int64, isCalled bool) (int64, error)
	LastVal(ctx context.Context) (int64, error)
}

// callSequenceFunc evaluates nextval, currval, setval or lastval. Like
// PostgreSQL's, they are strict: a NULL argument gives NULL.
func (env *evalEnv) callSequenceFunc(f *plan.Func, args []types.Datum) (types.Datum, error) {
	for _, a := range args {
		if a == types.DNull {
			return types.DNull, nil
		}
	}
	seqs := env.ec.Sequences
	if seqs == nil {
		return nil, pgerror.Unsupported(f.Name + " here")
	}
	name := func() string { s, _ := types.AsString(args[0]); return s }
	var v int64
	var err error
	switch f.Name {
	case "nextval":
		v, err = seqs.NextVal(env.ctx, name())
	case "currval":
		v, err = seqs.CurrVal(env.ctx, name())
	case "lastval":
		v, err = seqs.LastVal(env.ctx)
	case "setval":
		called := len(args) < 3 || args[2] == types.DBool(true)
		n, _ := args[1].(types.DInt)
		v, err = seqs.SetVal(env.ctx, name(), int64(n), called)
	}
	if err != nil {
		return nil, err
	}
	return types.DInt(v), nil
}
