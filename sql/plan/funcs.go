package plan

import (
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// overload is one signature of a built-in function.
type overload struct {
	args []*types.T
	ret  *types.T
}

func sig(ret *types.T, args ...*types.T) overload { return overload{args: args, ret: ret} }

// builtins are the scalar functions rangedb implements (sql/exec
// evaluates them by name), with PostgreSQL's signatures. The table is
// read-only.
var builtins = map[string][]overload{
	"abs": {sig(types.Int2, types.Int2), sig(types.Int4, types.Int4), sig(types.Int8, types.Int8),
		sig(types.Numeric, types.Numeric), sig(types.Float4, types.Float4), sig(types.Float8, types.Float8)},
	"round": {sig(types.Float8, types.Float8), sig(types.Numeric, types.Numeric), sig(types.Numeric, types.Numeric, types.Int4)},
	"trunc": {sig(types.Float8, types.Float8), sig(types.Numeric, types.Numeric), sig(types.Numeric, types.Numeric, types.Int4)},
	"ceil":  {sig(types.Float8, types.Float8), sig(types.Numeric, types.Numeric)},
	"floor": {sig(types.Float8, types.Float8), sig(types.Numeric, types.Numeric)},
	"mod": {sig(types.Int2, types.Int2, types.Int2), sig(types.Int4, types.Int4, types.Int4),
		sig(types.Int8, types.Int8, types.Int8), sig(types.Numeric, types.Numeric, types.Numeric)},
	"length":                {sig(types.Int4, types.Text), sig(types.Int4, types.Bytea)},
	"char_length":           {sig(types.Int4, types.Text)},
	"character_length":      {sig(types.Int4, types.Text)},
	"octet_length":          {sig(types.Int4, types.Text), sig(types.Int4, types.Bytea)},
	"lower":                 {sig(types.Text, types.Text)},
	"upper":                 {sig(types.Text, types.Text)},
	"substr":                {sig(types.Text, types.Text, types.Int4), sig(types.Text, types.Text, types.Int4, types.Int4)},
	"substring":             {sig(types.Text, types.Text, types.Int4), sig(types.Text, types.Text, types.Int4, types.Int4)},
	"btrim":                 {sig(types.Text, types.Text), sig(types.Text, types.Text, types.Text)},
	"ltrim":                 {sig(types.Text, types.Text), sig(types.Text, types.Text, types.Text)},
	"rtrim":                 {sig(types.Text, types.Text), sig(types.Text, types.Text, types.Text)},
	"replace":               {sig(types.Text, types.Text, types.Text, types.Text)},
	"position":              {sig(types.Int4, types.Text, types.Text)},
	"strpos":                {sig(types.Int4, types.Text, types.Text)},
	"now":                   {sig(types.TimestampTZ)},
	"current_timestamp":     {sig(types.TimestampTZ), sig(types.TimestampTZ, types.Int4)},
	"transaction_timestamp": {sig(types.TimestampTZ)},
	"statement_timestamp":   {sig(types.TimestampTZ)},
	"localtimestamp":        {sig(types.Timestamp), sig(types.Timestamp, types.Int4)},
	"current_date":          {sig(types.Date)},
	"current_setting":       {sig(types.Text, types.Text), sig(types.Text, types.Text, types.Bool)},
	"pg_backend_pid":        {sig(types.Int4)},
	"pg_cancel_backend":     {sig(types.Bool, types.Int4)},
	"pg_terminate_backend":  {sig(types.Bool, types.Int4), sig(types.Bool, types.Int4, types.Int8)},
	"date_part": {sig(types.Float8, types.Text, types.TimestampTZ), sig(types.Float8, types.Text, types.Timestamp),
		sig(types.Float8, types.Text, types.Interval), sig(types.Float8, types.Text, types.Time), sig(types.Float8, types.Text, types.TimeTZ)},
	"extract": {sig(types.Numeric, types.Text, types.Date), sig(types.Numeric, types.Text, types.Timestamp),
		sig(types.Numeric, types.Text, types.TimestampTZ), sig(types.Numeric, types.Text, types.Interval),
		sig(types.Numeric, types.Text, types.Time), sig(types.Numeric, types.Text, types.TimeTZ)},
	"date_trunc": {sig(types.Timestamp, types.Text, types.Timestamp), sig(types.TimestampTZ, types.Text, types.TimestampTZ),
		sig(types.Interval, types.Text, types.Interval)},
}

// preferred reports whether t is its category's preferred type (text,
// double precision, timestamptz), which PostgreSQL favours among
// candidates that need casts.
func preferred(t *types.T) bool {
	switch t.OID {
	case types.OIDText, types.OIDFloat8, types.OIDTimestampTZ, types.OIDInterval:
		return true
	}
	return false
}

// resolveOverload picks the candidate PostgreSQL's func_select_candidate
// would: the most exact matches, then the most preferred types where casts
// are needed; untyped arguments prefer text.
func resolveOverload(cands []overload, args []*types.T) (overload, bool) {
	best, bestExact, bestPref, n := overload{}, -1, -1, 0
	for _, c := range cands {
		if len(c.args) != len(args) {
			continue
		}
		exact, pref, ok := 0, 0, true
		for i, a := range args {
			p := c.args[i]
			switch {
			case a.Equal(p):
				exact++
			case isUnknown(a):
				// PostgreSQL settles unknown arguments on the string
				// category first, then on preferred types.
				if p.Family == types.StringFamily {
					pref += 2
				} else if preferred(p) {
					pref++
				}
			case implicitAllowed(a, p):
				if preferred(p) {
					pref++
				}
			default:
				ok = false
			}
		}
		if !ok {
			continue
		}
		if exact > bestExact || (exact == bestExact && pref > bestPref) {
			best, bestExact, bestPref, n = c, exact, pref, 1
		} else if exact == bestExact && pref == bestPref {
			n++
		}
	}
	return best, bestExact >= 0 && n == 1
}

func (b *builder) bindFunc(x *ast.FuncExpr, s *scope) (Expr, error) {
	if e, ok, err := b.bindSpecialFunc(x, s); ok { // funcs_more.go
		return e, err
	}
	if e, ok, err := b.bindSequenceFunc(x, s); ok { // defaults.go
		return e, err
	}
	if x.Over != nil {
		return b.bindWindow(x, s) // window.go
	}
	if isAggregate(x.Name) {
		return b.bindAggregate(x, s)
	}
	if x.Star || x.Distinct {
		return nil, pgerror.New(pgerror.CodeWrongObjectType, "%s is not an aggregate function", x.Name).WithPosition(x.Pos)
	}
	name := x.Name
	switch name {
	case "ceiling":
		name = "ceil"
	case "current_user":
		return nil, pgerror.Unsupported("current_user").WithPosition(x.Pos)
	}
	args := make([]Expr, len(x.Args))
	argTypes := make([]*types.T, len(x.Args))
	for i, a := range x.Args {
		e, err := b.bindExpr(a, s, nil)
		if err != nil {
			return nil, err
		}
		args[i], argTypes[i] = e, e.ResultType()
	}
	cands, ok := builtins[name]
	if !ok {
		cands, ok = moreBuiltins[name] // funcs_more.go
	}
	if !ok {
		cands, ok = jsonBuiltins[name] // funcs_json.go
	}
	if !ok {
		cands, ok = catalogBuiltins[name] // funcs_catalog.go
	}
	if !ok {
		return nil, undefinedFunction(x.Name, argTypes, x.Pos)
	}
	o, ok := resolveOverload(cands, argTypes)
	if !ok {
		return nil, undefinedFunction(x.Name, argTypes, x.Pos)
	}
	for i, a := range x.Args {
		if isUnknown(argTypes[i]) {
			e, err := b.bindExpr(a, s, o.args[i])
			if err != nil {
				return nil, err
			}
			b.defaultParam(e, o.args[i])
			args[i] = e
		}
		args[i] = coerce(args[i], o.args[i])
	}
	return &Func{Name: name, Args: args, Typ: o.ret}, nil
}
