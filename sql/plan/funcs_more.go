package plan

import (
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// This file binds the session, string and regular-expression functions
// drivers and everyday queries call, and the calls whose arguments no
// fixed signature describes (PostgreSQL's "any" and VARIADIC "any"):
// pg_typeof, concat, concat_ws, format. sql/exec evaluates them
// (builtins_more.go).

// moreBuiltins extends builtins with PostgreSQL's signatures of the
// functions of this file. The table is read-only.
var moreBuiltins = map[string][]overload{
	"version":          {sig(types.Text)},
	"current_database": {sig(types.Text)},
	"current_schema":   {sig(types.Text)},
	"set_config":       {sig(types.Text, types.Text, types.Text, types.Bool)},
	"left":             {sig(types.Text, types.Text, types.Int4)},
	"right":            {sig(types.Text, types.Text, types.Int4)},
	"split_part":       {sig(types.Text, types.Text, types.Text, types.Int4)},
	"md5":              {sig(types.Text, types.Text), sig(types.Text, types.Bytea)},
	"random":           {sig(types.Float8)},
	"pg_sleep":         {sig(types.Void, types.Float8)},
	"gen_random_uuid":  {sig(types.UUID)},
	"clock_timestamp":  {sig(types.TimestampTZ)},
	"power":            {sig(types.Float8, types.Float8, types.Float8), sig(types.Numeric, types.Numeric, types.Numeric)},
	"pow":              {sig(types.Float8, types.Float8, types.Float8), sig(types.Numeric, types.Numeric, types.Numeric)},
	"regexp_replace": {sig(types.Text, types.Text, types.Text, types.Text),
		sig(types.Text, types.Text, types.Text, types.Text, types.Text)},
	"sqrt":             {sig(types.Float8, types.Float8), sig(types.Numeric, types.Numeric)},
	"exp":              {sig(types.Float8, types.Float8), sig(types.Numeric, types.Numeric)},
	"ln":               {sig(types.Float8, types.Float8), sig(types.Numeric, types.Numeric)},
	"log":              {sig(types.Float8, types.Float8), sig(types.Numeric, types.Numeric)},
	"log10":            {sig(types.Float8, types.Float8), sig(types.Numeric, types.Numeric)},
	"sign":             {sig(types.Float8, types.Float8), sig(types.Numeric, types.Numeric)},
	"cbrt":             {sig(types.Float8, types.Float8)},
	"pi":               {sig(types.Float8)},
	"degrees":          {sig(types.Float8, types.Float8)},
	"radians":          {sig(types.Float8, types.Float8)},
	"sin":              {sig(types.Float8, types.Float8)},
	"cos":              {sig(types.Float8, types.Float8)},
	"tan":              {sig(types.Float8, types.Float8)},
	"cot":              {sig(types.Float8, types.Float8)},
	"asin":             {sig(types.Float8, types.Float8)},
	"acos":             {sig(types.Float8, types.Float8)},
	"atan":             {sig(types.Float8, types.Float8)},
	"atan2":            {sig(types.Float8, types.Float8, types.Float8)},
	"starts_with":      {sig(types.Bool, types.Text, types.Text)},
	"overlay":          {sig(types.Text, types.Text, types.Text, types.Int4), sig(types.Text, types.Text, types.Text, types.Int4, types.Int4)},
	"regexp_like":      {sig(types.Bool, types.Text, types.Text), sig(types.Bool, types.Text, types.Text, types.Text)},
	"gcd":              {sig(types.Int4, types.Int4, types.Int4), sig(types.Int8, types.Int8, types.Int8)},
	"lcm":              {sig(types.Int4, types.Int4, types.Int4), sig(types.Int8, types.Int8, types.Int8)},
	"make_date":        {sig(types.Date, types.Int4, types.Int4, types.Int4)},
	"make_timestamp":   {sig(types.Timestamp, types.Int4, types.Int4, types.Int4, types.Int4, types.Int4, types.Float8)},
	"justify_days":     {sig(types.Interval, types.Interval)},
	"justify_hours":    {sig(types.Interval, types.Interval)},
	"justify_interval": {sig(types.Interval, types.Interval)},
	"encode":           {sig(types.Text, types.Bytea, types.Text)},
	"decode":           {sig(types.Bytea, types.Text, types.Text)},
	"sha224":           {sig(types.Bytea, types.Bytea)},
	"sha256":           {sig(types.Bytea, types.Bytea)},
	"sha384":           {sig(types.Bytea, types.Bytea)},
	"sha512":           {sig(types.Bytea, types.Bytea)},
	"repeat":           {sig(types.Text, types.Text, types.Int4)},
	"reverse":          {sig(types.Text, types.Text)},
	"initcap":          {sig(types.Text, types.Text)},
	"translate":        {sig(types.Text, types.Text, types.Text, types.Text)},
	"lpad":             {sig(types.Text, types.Text, types.Int4), sig(types.Text, types.Text, types.Int4, types.Text)},
	"rpad":             {sig(types.Text, types.Text, types.Int4), sig(types.Text, types.Text, types.Int4, types.Text)},
	"chr":              {sig(types.Text, types.Int4)},
	"ascii":            {sig(types.Int4, types.Text)},
	"to_hex":           {sig(types.Text, types.Int4), sig(types.Text, types.Int8)},
	"bit_length":       {sig(types.Int4, types.Text)},
	"quote_ident":      {sig(types.Text, types.Text)},
	"quote_literal":    {sig(types.Text, types.Text)},
	"quote_nullable":   {sig(types.Text, types.Text)},
	"to_timestamp":     {sig(types.TimestampTZ, types.Float8), sig(types.TimestampTZ, types.Text, types.Text)},
	"to_date":          {sig(types.Date, types.Text, types.Text)},
	"age": {sig(types.Interval, types.TimestampTZ, types.TimestampTZ), sig(types.Interval, types.Timestamp, types.Timestamp),
		sig(types.Interval, types.TimestampTZ), sig(types.Interval, types.Timestamp)},
	// The time-of-day functions (sql/exec/builtins_time.go).
	"current_time": {sig(types.TimeTZ), sig(types.TimeTZ, types.Int4)},
	"localtime":    {sig(types.Time), sig(types.Time, types.Int4)},
	"timezone": {sig(types.Timestamp, types.Text, types.TimestampTZ), sig(types.TimestampTZ, types.Text, types.Timestamp),
		sig(types.TimeTZ, types.Text, types.TimeTZ), sig(types.Timestamp, types.Interval, types.TimestampTZ),
		sig(types.TimestampTZ, types.Interval, types.Timestamp), sig(types.TimeTZ, types.Interval, types.TimeTZ)},
	// The numeric and date functions of sql/exec/builtins_num.go.
	"div":          {sig(types.Numeric, types.Numeric, types.Numeric)},
	"width_bucket": {sig(types.Int4, types.Float8, types.Float8, types.Float8, types.Int4), sig(types.Int4, types.Numeric, types.Numeric, types.Numeric, types.Int4)},
	"scale":        {sig(types.Int4, types.Numeric)},
	"min_scale":    {sig(types.Int4, types.Numeric)},
	"trim_scale":   {sig(types.Numeric, types.Numeric)},
	"factorial":    {sig(types.Numeric, types.Int8)},
	"to_number":    {sig(types.Numeric, types.Text, types.Text)},
	"date_bin": {sig(types.Timestamp, types.Interval, types.Timestamp, types.Timestamp),
		sig(types.TimestampTZ, types.Interval, types.TimestampTZ, types.TimestampTZ)},
	"to_char": {sig(types.Text, types.Timestamp, types.Text), sig(types.Text, types.TimestampTZ, types.Text),
		sig(types.Text, types.Interval, types.Text), sig(types.Text, types.Int4, types.Text),
		sig(types.Text, types.Int8, types.Text), sig(types.Text, types.Numeric, types.Text),
		sig(types.Text, types.Float8, types.Text)},
}

// nonStrict are the functions that are called with NULL arguments
// (PostgreSQL's proisstrict false): constant folding must not turn them
// into NULL.
var nonStrict = map[string]bool{"concat": true, "concat_ws": true, "format": true, "set_config": true, "quote_nullable": true,
	"num_nulls": true, "num_nonnulls": true}

// arrayFuncs take or return arrays, which rangedb does not have: calls are
// refused with 0A000 rather than reported as missing.
var arrayFuncs = map[string]bool{
	"array_agg": true, "current_schemas": true, "regexp_match": true, "regexp_matches": true,
	"string_to_array": true, "array_length": true, "unnest": true,
	"regexp_split_to_array": true, "array_append": true, "cardinality": true,
}

// sessionUserFuncs are the SQL keywords that read the session's user.
var sessionUserFuncs = map[string]bool{
	"current_user": true, "session_user": true, "user": true, "current_role": true,
}

// bindSpecialFunc binds the calls bindFunc's table cannot: clauses on a
// call that does not take them, the session user keywords, and the
// functions over "any". It reports false for an ordinary call.
func (b *builder) bindSpecialFunc(x *ast.FuncExpr, s *scope) (Expr, bool, error) {
	agg := isAggregate(x.Name)
	switch {
	case x.Over != nil && x.Filter != nil:
		return nil, true, pgerror.Unsupported("FILTER in a window function").WithPosition(x.Pos)
	case x.Over != nil && len(x.OrderBy) > 0:
		return nil, true, pgerror.New(pgerror.CodeFeatureNotSupported, "aggregate ORDER BY is not implemented for window functions").WithPosition(x.Pos)
	case x.Over != nil && x.Name == "string_agg":
		return nil, true, pgerror.Unsupported("string_agg as a window function").WithPosition(x.Pos)
	case arrayFuncs[x.Name]:
		return nil, true, pgerror.Unsupported(x.Name + " (arrays)").WithPosition(x.Pos)
	case !agg && x.Filter != nil:
		return nil, true, pgerror.New(pgerror.CodeWrongObjectType, "FILTER specified, but %s is not an aggregate function", x.Name).WithPosition(x.Pos)
	case !agg && len(x.OrderBy) > 0:
		return nil, true, pgerror.New(pgerror.CodeWrongObjectType, "ORDER BY specified, but %s is not an aggregate function", x.Name).WithPosition(x.Pos)
	case agg || x.Over != nil:
		return nil, false, nil
	}
	if e, ok, err := b.bindJSONFunc(x, s); ok { // funcs_json.go
		return e, true, err
	}
	switch x.Name {
	case "current_catalog":
		return &Func{Name: "current_database", Typ: types.Text}, true, nil
	case "generate_series":
		return nil, true, pgerror.Unsupported("generate_series outside FROM").WithPosition(x.Pos)
	case "pg_typeof":
		if len(x.Args) != 1 || x.Star || x.Distinct {
			return nil, false, nil
		}
		arg, err := b.bindExpr(x.Args[0], s, nil)
		if err != nil {
			return nil, true, err
		}
		return &Const{D: types.DString(arg.ResultType().Name), Typ: types.Text}, true, nil
	case "num_nulls", "num_nonnulls":
		if x.Star || x.Distinct {
			return nil, false, nil
		}
		args, err := b.bindAnyArgs(x.Args, s)
		if err != nil {
			return nil, true, err
		}
		if len(args) == 0 {
			return nil, true, undefinedFunction(x.Name, nil, x.Pos)
		}
		return &Func{Name: x.Name, Args: args, Typ: types.Int4}, true, nil
	case "concat", "concat_ws", "format":
		if x.Star || x.Distinct {
			return nil, false, nil
		}
		args, err := b.bindAnyArgs(x.Args, s)
		if err != nil {
			return nil, true, err
		}
		if len(args) == 0 || (x.Name == "concat_ws" && len(args) == 1) {
			argTypes := make([]*types.T, len(args))
			for i, a := range args {
				argTypes[i] = a.ResultType()
			}
			return nil, true, undefinedFunction(x.Name, argTypes, x.Pos)
		}
		if x.Name != "concat" {
			// The first argument is text: the separator or the format.
			t := args[0].ResultType()
			if !implicitAllowed(t, types.Text) && t.Family != types.StringFamily {
				argTypes := make([]*types.T, len(args))
				for i, a := range args {
					argTypes[i] = a.ResultType()
				}
				return nil, true, undefinedFunction(x.Name, argTypes, x.Pos)
			}
			args[0] = coerce(args[0], types.Text)
		}
		return &Func{Name: x.Name, Args: args, Typ: types.Text}, true, nil
	}
	if sessionUserFuncs[x.Name] {
		if len(x.Args) > 0 {
			return nil, true, pgerror.New(pgerror.CodeSyntaxError, "syntax error at or near \"(\"").WithPosition(x.Pos)
		}
		return &Func{Name: "current_user", Typ: types.Text}, true, nil
	}
	return nil, false, nil
}

// bindAnyArgs binds the arguments of a function over "any": untyped
// literals and parameters become text.
func (b *builder) bindAnyArgs(in []ast.Expr, s *scope) ([]Expr, error) {
	out := make([]Expr, len(in))
	for i, a := range in {
		e, err := b.bindExpr(a, s, nil)
		if err != nil {
			return nil, err
		}
		if p, ok := e.(*Param); ok && isUnknown(p.Typ) {
			return nil, pgerror.New("42P18", "could not determine data type of parameter $%d", p.Idx+1)
		}
		if isUnknown(e.ResultType()) {
			if e, err = b.bindExpr(a, s, types.Text); err != nil {
				return nil, err
			}
			b.defaultParam(e, types.Text)
			if k, ok := e.(*Const); ok && isUnknown(k.Typ) {
				e = &Const{D: k.D, Typ: types.Text}
			}
		}
		out[i] = e
	}
	return out, nil
}
