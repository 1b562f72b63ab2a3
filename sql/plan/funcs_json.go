package plan

import (
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// This file binds the json and jsonb operators, functions, aggregates and
// set-returning functions, with PostgreSQL 15's signatures. Operators
// become calls of internal functions (named like PostgreSQL's operator
// functions: jsonb_object_field for jsonb -> text …) that sql/exec
// evaluates (builtins_json.go). An operand or argument of type text[]
// (#>, #>>, #-, ?|, ?&, jsonb_set's path) must be an array literal
// ('{a,b}'), rangedb having no arrays: it is checked here and passed as
// text.

// jsonBuiltins are the json functions with fixed signatures; bindFunc
// resolves them like builtins. The table is read-only.
var jsonBuiltins = map[string][]overload{
	"jsonb_typeof":       {sig(types.Text, types.JSONB)},
	"json_typeof":        {sig(types.Text, types.JSONType)},
	"jsonb_array_length": {sig(types.Int4, types.JSONB)},
	"json_array_length":  {sig(types.Int4, types.JSONType)},
	"jsonb_strip_nulls":  {sig(types.JSONB, types.JSONB)},
	"json_strip_nulls":   {sig(types.JSONType, types.JSONType)},
	"jsonb_pretty":       {sig(types.Text, types.JSONB)},
}

// jsonAnyFuncs take "any" arguments (VARIADIC "any" or anyelement).
var jsonAnyFuncs = map[string]*types.T{
	"jsonb_build_object": types.JSONB, "json_build_object": types.JSONType,
	"jsonb_build_array": types.JSONB, "json_build_array": types.JSONType,
	"to_jsonb": types.JSONB, "to_json": types.JSONType,
}

// jsonNonStrict are the json functions called with NULL arguments.
var jsonNonStrict = map[string]bool{
	"jsonb_build_object": true, "json_build_object": true, "jsonb_build_array": true, "json_build_array": true,
}

// jsonUnsupported are PostgreSQL 15's other json functions: refused with
// 0A000 naming them rather than reported missing.
var jsonUnsupported = map[string]bool{
	"json_populate_record": true, "json_populate_recordset": true,
	"jsonb_populate_record": true, "jsonb_populate_recordset": true, "json_to_record": true,
	"json_to_recordset": true, "jsonb_to_record": true, "jsonb_to_recordset": true, "row_to_json": true,
	"array_to_json": true, "jsonb_insert": true, "jsonb_set_lax": true, "jsonb_path_query": true,
	"jsonb_path_exists": true, "jsonb_path_match": true, "jsonb_path_query_array": true,
	"jsonb_path_query_first": true, "jsonb_path_exists_tz": true, "jsonb_path_match_tz": true,
	"jsonb_path_query_tz": true, "jsonb_path_query_array_tz": true, "jsonb_path_query_first_tz": true,
	"jsonb_object": true, "json_object": true,
	"jsonb_exists": true, "jsonb_exists_any": true, "jsonb_exists_all": true, "jsonb_contains": true,
	"jsonb_contained": true, "jsonb_concat": true, "jsonb_delete": true, "jsonb_delete_path": true,
	"jsonb_hash": true, "jsonb_hash_extended": true, "jsonb_cmp": true, "json_to_tsvector": true,
	"jsonb_to_tsvector": true,
}

// jsonAggs are the json aggregates.
var jsonAggs = map[string]*types.T{
	"jsonb_agg": types.JSONB, "json_agg": types.JSONType,
	"jsonb_object_agg": types.JSONB, "json_object_agg": types.JSONType,
}

func isJSONAgg(name string) bool { _, ok := jsonAggs[name]; return ok }

// jsonSRFs are the set-returning json functions of FROM and their
// columns.
var jsonSRFs = map[string][]Column{
	"jsonb_each":                {{Name: "key", Typ: types.Text}, {Name: "value", Typ: types.JSONB}},
	"jsonb_each_text":           {{Name: "key", Typ: types.Text}, {Name: "value", Typ: types.Text}},
	"jsonb_object_keys":         {{Name: "jsonb_object_keys", Typ: types.Text}},
	"jsonb_array_elements":      {{Name: "value", Typ: types.JSONB}},
	"jsonb_array_elements_text": {{Name: "value", Typ: types.Text}},
	"json_each":                 {{Name: "key", Typ: types.Text}, {Name: "value", Typ: types.JSONType}},
	"json_each_text":            {{Name: "key", Typ: types.Text}, {Name: "value", Typ: types.Text}},
	"json_object_keys":          {{Name: "json_object_keys", Typ: types.Text}},
	"json_array_elements":       {{Name: "value", Typ: types.JSONType}},
	"json_array_elements_text":  {{Name: "value", Typ: types.Text}},
}

// noEquality is PostgreSQL's 42883 for grouping, DISTINCT or a set
// operation over json, which has no equality operator.
func noEquality(t *types.T) error {
	if t.Family == types.JSONFamily {
		return pgerror.New(pgerror.CodeUndefinedFunction, "could not identify an equality operator for type json")
	}
	return nil
}

// noOrdering is PostgreSQL's 42883 for sorting by json, which has no
// ordering operator.
func noOrdering(t *types.T) error {
	if t.Family == types.JSONFamily {
		return pgerror.New(pgerror.CodeUndefinedFunction, "could not identify an ordering operator for type json").
			WithHint("Use an explicit ordering operator or modify the query.")
	}
	return nil
}

func isJSONFamily(t *types.T) bool {
	return t.Family == types.JSONFamily || t.Family == types.JSONBFamily
}

// bindTextArray binds an operand of type text[]: an untyped literal,
// checked as array_in would check it, passed on as text.
func (b *builder) bindTextArray(e ast.Expr, s *scope, what func(*types.T) error) (Expr, error) {
	switch x := e.(type) {
	case *ast.StrVal:
		if _, err := types.ParseTextArray(x.Val); err != nil {
			return nil, withPos(err, x.Pos)
		}
		return &Const{D: types.DString(x.Val), Typ: types.Text}, nil
	case *ast.NullVal:
		return &Const{D: types.DNull, Typ: types.Text}, nil
	case *ast.Placeholder:
		return nil, pgerror.Unsupported("a parameter of type text[] (arrays)").WithPosition(x.Pos)
	}
	r, err := b.bindExpr(e, s, nil)
	if err != nil {
		return nil, err
	}
	return nil, what(r.ResultType())
}

// bindJSONBinary binds the json operators: ->, ->>, #>, #>> on json and
// jsonb; @>, <@, ?, ?|, ?&, ||, - and #- on jsonb. It reports false for
// an operator it does not bind (- and || over other types).
func (b *builder) bindJSONBinary(x *ast.BinaryExpr, s *scope) (e Expr, ok bool, l, r Expr, err error) {
	if e, ok, err = b.bindJSONOp(x, s, &l, &r); !ok {
		return nil, false, l, r, nil
	}
	return e, true, nil, nil, err
}

// bindJSONOp is bindJSONBinary; it records in *pl and *pr the operands
// it bound without a hint.
func (b *builder) bindJSONOp(x *ast.BinaryExpr, s *scope, pl, pr *Expr) (Expr, bool, error) {
	op := string(x.Op)
	switch op {
	case "->", "->>", "#>", "#>>", "@>", "<@", "?", "?|", "?&", "#-", "-", "||":
	default:
		return nil, false, nil
	}
	l, err := b.bindExpr(x.L, s, nil)
	if err != nil {
		return nil, true, err
	}
	*pl = l
	lt := l.ResultType()
	if op == "-" && lt.Family == types.JSONFamily {
		r, err := b.bindExpr(x.R, s, nil)
		if err != nil {
			return nil, true, err
		}
		return nil, true, opError(lt, op, r.ResultType(), x.Pos)
	}
	if op == "-" || op == "||" {
		if lt.Family != types.JSONBFamily {
			if op == "-" || !isUnknown(lt) {
				return nil, false, nil
			}
			r, err := b.bindExpr(x.R, s, nil)
			if err != nil {
				return nil, true, err
			}
			*pr = r
			if r.ResultType().Family != types.JSONBFamily {
				return nil, false, nil
			}
			if l, err = b.bindExpr(x.L, s, types.JSONB); err != nil {
				return nil, true, err
			}
			return &Func{Name: "jsonb_concat", Args: []Expr{l, r}, Typ: types.JSONB}, true, nil
		}
	}
	if isUnknown(lt) {
		r, err := b.bindExpr(x.R, s, nil)
		if err != nil {
			return nil, true, err
		}
		if !isUnknown(r.ResultType()) {
			return nil, true, opError(lt, op, r.ResultType(), x.Pos)
		}
		return nil, true, pgerror.New(pgerror.CodeAmbiguousFunction, "operator is not unique: unknown %s unknown", op).
			WithHint("Could not choose a best candidate operator. You might need to add explicit type casts.").
			WithPosition(x.Pos)
	}
	fail := func(rt *types.T) error { return opError(lt, op, rt, x.Pos) }
	failUnknown := func(rt *types.T) error {
		if rt == nil {
			rt = types.Unknown
		}
		return fail(rt)
	}
	if !isJSONFamily(lt) {
		r, err := b.bindExpr(x.R, s, nil)
		if err != nil {
			return nil, true, err
		}
		return nil, true, fail(r.ResultType())
	}
	jb := lt.Family == types.JSONBFamily
	prefix := "json"
	if jb {
		prefix = "jsonb"
	}
	call := func(name string, typ *types.T, r Expr) (Expr, bool, error) {
		return &Func{Name: name, Args: []Expr{l, r}, Typ: typ}, true, nil
	}
	// bindR binds the right operand with hint, accepting types ok allows.
	bindR := func(hint *types.T) (Expr, error) {
		r, err := b.bindExpr(x.R, s, hint)
		if err != nil {
			return nil, err
		}
		if isUnknown(r.ResultType()) {
			b.defaultParam(r, hint)
			if k, ok := r.(*Const); ok {
				r = &Const{D: k.D, Typ: hint}
			}
		}
		return r, nil
	}
	switch op {
	case "->", "->>":
		r, err := b.bindExpr(x.R, s, nil)
		if err != nil {
			return nil, true, err
		}
		rt := r.ResultType()
		suffix := ""
		typ := lt.WithoutMod()
		if op == "->>" {
			suffix, typ = "_text", types.Text
		}
		switch {
		case isUnknown(rt) || rt.Family == types.StringFamily:
			if r, err = bindR(types.Text); err != nil {
				return nil, true, err
			}
			return call(prefix+"_object_field"+suffix, typ, coerce(r, types.Text))
		case rt.Family == types.IntFamily && rt.Width <= 32:
			return call(prefix+"_array_element"+suffix, typ, coerce(r, types.Int4))
		}
		return nil, true, fail(rt)
	case "#>", "#>>":
		r, err := b.bindTextArray(x.R, s, fail)
		if err != nil {
			return nil, true, err
		}
		if op == "#>" {
			return call(prefix+"_extract_path_op", lt.WithoutMod(), r)
		}
		return call(prefix+"_extract_path_text_op", types.Text, r)
	}
	if !jb {
		r, err := b.bindExpr(x.R, s, nil)
		if err != nil {
			return nil, true, err
		}
		return nil, true, failUnknown(r.ResultType())
	}
	switch op {
	case "@>", "<@", "||":
		r, err := bindR(types.JSONB)
		if err != nil {
			return nil, true, err
		}
		if r.ResultType().Family != types.JSONBFamily {
			if op == "||" {
				*pr = r
				return nil, false, nil // jsonb || text is text concatenation
			}
			return nil, true, fail(r.ResultType())
		}
		switch op {
		case "@>":
			return call("jsonb_contains", types.Bool, r)
		case "<@":
			return call("jsonb_contained", types.Bool, r)
		}
		return call("jsonb_concat", types.JSONB, r)
	case "?":
		r, err := bindR(types.Text)
		if err != nil {
			return nil, true, err
		}
		if r.ResultType().Family != types.StringFamily {
			return nil, true, fail(r.ResultType())
		}
		return call("jsonb_exists", types.Bool, coerce(r, types.Text))
	case "?|", "?&":
		r, err := b.bindTextArray(x.R, s, fail)
		if err != nil {
			return nil, true, err
		}
		if op == "?|" {
			return call("jsonb_exists_any_op", types.Bool, r)
		}
		return call("jsonb_exists_all_op", types.Bool, r)
	case "#-":
		r, err := b.bindTextArray(x.R, s, fail)
		if err != nil {
			return nil, true, err
		}
		return call("jsonb_delete_path_op", types.JSONB, r)
	case "-":
		r, err := b.bindExpr(x.R, s, nil)
		if err != nil {
			return nil, true, err
		}
		rt := r.ResultType()
		switch {
		case isUnknown(rt) || rt.Family == types.StringFamily:
			if r, err = bindR(types.Text); err != nil {
				return nil, true, err
			}
			return call("jsonb_delete", types.JSONB, coerce(r, types.Text))
		case rt.Family == types.IntFamily && rt.Width <= 32:
			return call("jsonb_delete_index", types.JSONB, coerce(r, types.Int4))
		}
		return nil, true, fail(rt)
	}
	return nil, false, nil
}

// bindJSONFunc binds the json functions whose arguments no fixed
// signature describes, and refuses the ones rangedb lacks. It reports
// false for any other call.
func (b *builder) bindJSONFunc(x *ast.FuncExpr, s *scope) (Expr, bool, error) {
	if jsonUnsupported[x.Name] {
		return nil, true, pgerror.Unsupported("function " + x.Name).WithPosition(x.Pos)
	}
	if _, ok := jsonSRFs[x.Name]; ok {
		return nil, true, pgerror.Unsupported(x.Name + " outside FROM").WithPosition(x.Pos)
	}
	switch x.Name {
	case "jsonb_set":
		return b.bindJSONBSet(x, s)
	case "jsonb_extract_path", "jsonb_extract_path_text", "json_extract_path", "json_extract_path_text":
		return b.bindExtractPath(x, s)
	}
	typ, ok := jsonAnyFuncs[x.Name]
	if !ok || x.Star || x.Distinct {
		return nil, false, nil
	}
	args, err := b.bindJSONAnyArgs(x, s)
	if err != nil {
		return nil, true, err
	}
	argTypes := make([]*types.T, len(args))
	for i, a := range args {
		argTypes[i] = a.ResultType()
	}
	switch x.Name {
	case "to_json", "to_jsonb":
		if len(args) != 1 {
			return nil, true, undefinedFunction(x.Name, argTypes, x.Pos)
		}
	case "jsonb_build_object", "json_build_object":
		if len(args)%2 != 0 {
			return nil, true, pgerror.New(pgerror.CodeInvalidParameterValue, "argument list must have even number of elements").
				WithHint("The arguments of %s() must consist of alternating keys and values.", x.Name)
		}
	}
	return &Func{Name: x.Name, Args: args, Typ: typ}, true, nil
}

// bindJSONAnyArgs binds the arguments of a function over "any": untyped
// literals are text, except that an anyelement argument cannot be
// untyped (to_json('x') is 42804, as in PostgreSQL).
func (b *builder) bindJSONAnyArgs(x *ast.FuncExpr, s *scope) ([]Expr, error) {
	if x.Name == "to_json" || x.Name == "to_jsonb" {
		for _, a := range x.Args {
			e, err := b.bindExpr(a, s, nil)
			if err != nil {
				return nil, err
			}
			if isUnknown(e.ResultType()) {
				return nil, pgerror.New(pgerror.CodeDatatypeMismatch, "could not determine polymorphic type because input has type unknown").
					WithPosition(x.Pos)
			}
		}
	}
	return b.bindAnyArgs(x.Args, s)
}

// bindExtractPath binds json(b)_extract_path(from_json, VARIADIC
// path_elems text[]) called with its path as separate text arguments
// (VARIADIC ARRAY[…] needs arrays).
func (b *builder) bindExtractPath(x *ast.FuncExpr, s *scope) (Expr, bool, error) {
	if x.Star || x.Distinct {
		return nil, false, nil
	}
	jt := types.JSONB
	if x.Name[:5] == "json_" {
		jt = types.JSONType
	}
	args := make([]Expr, len(x.Args))
	argTypes := make([]*types.T, len(x.Args))
	for i, a := range x.Args {
		want := types.Text
		if i == 0 {
			want = jt
		}
		e, err := b.bindExpr(a, s, want)
		if err != nil {
			return nil, true, err
		}
		if isUnknown(e.ResultType()) {
			b.defaultParam(e, want)
			if k, ok := e.(*Const); ok {
				e = &Const{D: k.D, Typ: want}
			}
		}
		args[i], argTypes[i] = e, e.ResultType()
	}
	ok := len(args) >= 2 && argTypes[0].Equal(jt)
	for _, t := range argTypes[min(1, len(args)):] {
		ok = ok && t.Family == types.StringFamily
	}
	if !ok {
		return nil, true, undefinedFunction(x.Name, argTypes, x.Pos)
	}
	for i := 1; i < len(args); i++ {
		args[i] = coerce(args[i], types.Text)
	}
	typ := jt
	if x.Name[len(x.Name)-5:] == "_text" {
		typ = types.Text
	}
	return &Func{Name: x.Name, Args: args, Typ: typ}, true, nil
}

// bindJSONBSet binds jsonb_set(target jsonb, path text[], new_value jsonb
// [, create_if_missing boolean]).
func (b *builder) bindJSONBSet(x *ast.FuncExpr, s *scope) (Expr, bool, error) {
	bindTypes := func() []*types.T {
		var ts []*types.T
		for _, a := range x.Args {
			e, err := b.bindExpr(a, s, nil)
			if err != nil {
				return nil
			}
			ts = append(ts, e.ResultType())
		}
		return ts
	}
	if len(x.Args) != 3 && len(x.Args) != 4 {
		return nil, true, undefinedFunction(x.Name, bindTypes(), x.Pos)
	}
	wants := []*types.T{types.JSONB, nil, types.JSONB, types.Bool}
	args := make([]Expr, len(x.Args))
	for i, a := range x.Args {
		if i == 1 {
			e, err := b.bindTextArray(a, s, func(*types.T) error { return undefinedFunction(x.Name, bindTypes(), x.Pos) })
			if err != nil {
				return nil, true, err
			}
			args[i] = e
			continue
		}
		e, err := b.bindExpr(a, s, wants[i])
		if err != nil {
			return nil, true, err
		}
		if isUnknown(e.ResultType()) {
			b.defaultParam(e, wants[i])
			if k, ok := e.(*Const); ok {
				e = &Const{D: k.D, Typ: wants[i]}
			}
		}
		if !e.ResultType().Equal(wants[i]) {
			return nil, true, undefinedFunction(x.Name, bindTypes(), x.Pos)
		}
		args[i] = e
	}
	return &Func{Name: "jsonb_set", Args: args, Typ: types.JSONB}, true, nil
}

// bindJSONAgg binds json_agg(anyelement), jsonb_agg(anyelement),
// json_object_agg("any", "any") and jsonb_object_agg("any", "any"); the
// object aggregates' value is carried in Delim.
func (b *builder) bindJSONAgg(x *ast.FuncExpr, s *scope, agg *AggFunc) (Expr, error) {
	var args []Expr
	err := b.withoutAggs(s, func() error {
		for _, a := range x.Args {
			e, err := b.bindExpr(a, s, nil)
			if err != nil {
				return err
			}
			if isUnknown(e.ResultType()) {
				if e, err = b.bindExpr(a, s, types.Text); err != nil {
					return err
				}
				b.defaultParam(e, types.Text)
				if k, ok := e.(*Const); ok && isUnknown(k.Typ) {
					e = &Const{D: k.D, Typ: types.Text}
				}
			}
			args = append(args, e)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	want := 1
	if x.Name == "json_object_agg" || x.Name == "jsonb_object_agg" {
		want = 2
	}
	if len(args) != want {
		argTypes := make([]*types.T, len(args))
		for i, a := range args {
			argTypes[i] = a.ResultType()
		}
		return nil, undefinedFunction(x.Name, argTypes, x.Pos)
	}
	agg.Arg, agg.Typ = args[0], jsonAggs[x.Name]
	if want == 2 {
		agg.Delim = args[1]
	}
	if err := b.bindAggClauses(x, s, agg); err != nil {
		return nil, err
	}
	*s.aggs = append(*s.aggs, agg)
	return agg, nil
}

// addJSONFuncUnit adds a set-returning json function of FROM: jsonb_each
// (key, value), jsonb_each_text, jsonb_object_keys, jsonb_array_elements
// (value) and jsonb_array_elements_text, each over one jsonb argument,
// and their json_ twins over json.
func (b *builder) addJSONFuncUnit(ref *ast.FuncRef, s *scope, fp *fromPlan) error {
	f := ref.Func
	if jsonUnsupported[f.Name] {
		return pgerror.Unsupported("function " + f.Name).WithPosition(f.Pos)
	}
	if f.Star || f.Distinct || f.Filter != nil || len(f.OrderBy) > 0 {
		return pgerror.New(pgerror.CodeWrongObjectType, "%s is not an aggregate function", f.Name).WithPosition(f.Pos)
	}
	name := ref.Alias
	if name == "" {
		name = f.Name
	}
	if s.findTable(name) != nil {
		return pgerror.New(pgerror.CodeDuplicateAlias, "table name \"%s\" specified more than once", name).WithPosition(ref.Pos)
	}
	inner := &scope{parent: s.parent, noAggs: "functions in FROM"}
	args := make([]Expr, len(f.Args))
	argTypes := make([]*types.T, len(f.Args))
	want := types.JSONB
	if f.Name[:5] == "json_" {
		want = types.JSONType
	}
	for i, a := range f.Args {
		e, err := b.bindExpr(a, inner, want)
		if err != nil {
			return err
		}
		if isUnknown(e.ResultType()) {
			b.defaultParam(e, want)
			if k, ok := e.(*Const); ok {
				e = &Const{D: k.D, Typ: want}
			}
		}
		args[i], argTypes[i] = e, e.ResultType()
	}
	if inner.correlated {
		s.correlated = true
	}
	if len(args) != 1 || !argTypes[0].Equal(want) {
		return undefinedFunction(f.Name, argTypes, f.Pos)
	}
	cols := append([]Column(nil), jsonSRFs[f.Name]...)
	if len(cols) == 1 && ref.Alias != "" && (f.Name == "jsonb_object_keys" || f.Name == "json_object_keys") {
		cols[0].Name = ref.Alias
	}
	if len(ref.Columns) > len(cols) {
		return pgerror.New(pgerror.CodeInvalidColumnReference, "table \"%s\" has %d columns available but %d columns specified",
			name, len(cols), len(ref.Columns))
	}
	for i, c := range ref.Columns {
		cols[i].Name = c
	}
	node := &FuncScan{Name: f.Name, Args: args, Cols: cols}
	u := &unit{start: len(s.cols), node: node, alias: name, view: true}
	for _, c := range cols {
		s.cols = append(s.cols, scopeCol{table: name, name: c.Name, typ: c.Typ})
	}
	s.tables = append(s.tables, scopeTable{name: name, start: u.start, end: len(s.cols)})
	u.end = len(s.cols)
	fp.units = append(fp.units, u)
	return nil
}
