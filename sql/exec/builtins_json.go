package exec

import (
	"math"
	"strconv"
	"strings"

	"github.com/cockroachdb/apd/v3"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// This file evaluates the json and jsonb operators and functions that
// sql/plan binds (funcs_json.go), as PostgreSQL 15's jsonfuncs.c,
// jsonb_op.c and json.c behave. json values are parsed from their text
// for each call (their operators return the input's own text); jsonb
// values are trees, never mutated: an operator that changes one builds
// new nodes along the changed path and shares the rest.

// callJSONBuiltin evaluates the json functions; it reports false for any
// other name. Only the build functions are called with NULL arguments.
func (c *Context) callJSONBuiltin(f *plan.Func, args []types.Datum) (types.Datum, bool, error) {
	switch f.Name {
	case "jsonb_build_object", "json_build_object", "jsonb_build_array", "json_build_array":
		d, err := c.jsonBuild(f, args)
		return d, true, err
	}
	if !isJSONBuiltin(f.Name) {
		return nil, false, nil
	}
	for _, a := range args {
		if a == types.DNull {
			// A NULL path element of json(b)_extract_path gives NULL
			// too, as PostgreSQL's does.
			return types.DNull, true, nil
		}
	}
	d, err := c.jsonCall(f, args)
	return d, true, err
}

func isJSONBuiltin(name string) bool {
	switch name {
	case "jsonb_object_field", "jsonb_object_field_text", "jsonb_array_element", "jsonb_array_element_text",
		"json_object_field", "json_object_field_text", "json_array_element", "json_array_element_text",
		"jsonb_extract_path_op", "jsonb_extract_path_text_op", "json_extract_path_op", "json_extract_path_text_op",
		"jsonb_contains", "jsonb_contained", "jsonb_exists", "jsonb_exists_any_op", "jsonb_exists_all_op",
		"jsonb_concat", "jsonb_delete", "jsonb_delete_index", "jsonb_delete_path_op",
		"jsonb_typeof", "json_typeof", "jsonb_array_length", "json_array_length", "jsonb_strip_nulls", "json_strip_nulls",
		"jsonb_pretty", "jsonb_set", "to_json", "to_jsonb",
		"jsonb_extract_path", "jsonb_extract_path_text", "json_extract_path", "json_extract_path_text":
		return true
	}
	return false
}

// jsonTree returns the tree of a json or jsonb argument.
func jsonTree(d types.Datum) (*types.JSON, error) {
	switch v := d.(type) {
	case types.DJSONB:
		return v.V, nil
	case types.DJSON:
		return v.Tree()
	}
	return nil, pgerror.New(pgerror.CodeInternalError, "exec: %T is not json", d)
}

// jsonResult returns node j as a value of the json family of typ: a
// jsonb datum, or a json datum of j's input text.
func jsonResult(j *types.JSON, typ *types.T) types.Datum {
	if j == nil {
		return types.DNull
	}
	if typ.Family == types.JSONBFamily {
		return types.DJSONB{V: j}
	}
	if j.Raw != "" {
		return types.DJSON(j.Raw)
	}
	return types.DJSON(types.AppendJSONB(nil, j))
}

// jsonTextResult is ->>'s result: a string's text, NULL for null.
func jsonTextResult(j *types.JSON) (types.Datum, error) {
	if j == nil {
		return types.DNull, nil
	}
	s, ok, err := types.JSONText(j)
	if err != nil || !ok {
		return types.DNull, err
	}
	return types.DString(s), nil
}

// arrayElem returns element i of an array (negative counts from the
// end), or nil. A top-level scalar is a one-element array, as jsonb's
// raw scalars are.
func arrayElem(j *types.JSON, i int64, top bool) *types.JSON {
	elems := j.Elems
	switch {
	case j.Kind == types.JSONArray:
	case top && j.Scalar() && j.Raw == "":
		elems = []*types.JSON{j}
	default:
		return nil
	}
	n := int64(len(elems))
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return nil
	}
	return elems[i]
}

// pathInt reads a path element as an array index as strtol does
// (surrounding spaces and a sign allowed), or reports false.
func pathInt(s string) (int64, bool) {
	t := strings.TrimLeft(s, " \t\n\r\v\f")
	if t == "" {
		return 0, false
	}
	v, err := strconv.ParseInt(t, 10, 32)
	if err != nil {
		return 0, false
	}
	return v, true
}

// extractPath walks path from j as #> does: NULL (nil) when a step is
// missing, is NULL, or meets a scalar.
func extractPath(j *types.JSON, path []*string) *types.JSON {
	cur := j
	for _, p := range path {
		if p == nil {
			return nil
		}
		switch cur.Kind {
		case types.JSONObject:
			cur = cur.Lookup(*p)
		case types.JSONArray:
			n, ok := pathInt(*p)
			if !ok {
				return nil
			}
			cur = arrayElem(cur, n, false)
		default:
			return nil
		}
		if cur == nil {
			return nil
		}
	}
	return cur
}

func (c *Context) jsonCall(f *plan.Func, args []types.Datum) (types.Datum, error) {
	str := func(i int) string { s, _ := types.AsString(args[i]); return s }
	switch f.Name {
	case "to_json", "to_jsonb":
		at := f.Args[0].ResultType()
		if f.Name == "to_jsonb" {
			j, err := c.datumToJSONB(args[0], at, false)
			if err != nil {
				return nil, err
			}
			return types.DJSONB{V: j}, nil
		}
		return types.DJSON(c.appendJSONValue(nil, args[0], at)), nil
	}
	if f.Name == "json_typeof" {
		// json_typeof reads the first token only: no de-escaping.
		j, err := types.ParseJSONTree(string(args[0].(types.DJSON)), false)
		if err != nil {
			return nil, err
		}
		return types.DString(j.TypeName()), nil
	}
	j, err := jsonTree(args[0])
	if err != nil {
		return nil, err
	}
	typ := f.Args[0].ResultType()
	switch f.Name {
	case "jsonb_object_field", "json_object_field":
		return jsonResult(j.Lookup(str(1)), typ), nil
	case "jsonb_object_field_text", "json_object_field_text":
		return jsonTextResult(j.Lookup(str(1)))
	case "jsonb_array_element", "json_array_element":
		return jsonResult(arrayElem(j, int64(args[1].(types.DInt)), f.Name == "jsonb_array_element"), typ), nil
	case "jsonb_array_element_text", "json_array_element_text":
		return jsonTextResult(arrayElem(j, int64(args[1].(types.DInt)), f.Name == "jsonb_array_element_text"))
	case "jsonb_extract_path_op", "json_extract_path_op", "jsonb_extract_path_text_op", "json_extract_path_text_op":
		path, err := types.ParseTextArray(str(1))
		if err != nil {
			return nil, err
		}
		v := extractPath(j, path)
		if strings.Contains(f.Name, "_text_") {
			return jsonTextResult(v)
		}
		return jsonResult(v, typ), nil
	case "jsonb_extract_path", "json_extract_path", "jsonb_extract_path_text", "json_extract_path_text":
		path := make([]*string, len(args)-1)
		for i := range path {
			s := str(i + 1)
			path[i] = &s
		}
		v := extractPath(j, path)
		if strings.HasSuffix(f.Name, "_text") {
			return jsonTextResult(v)
		}
		return jsonResult(v, typ), nil
	case "jsonb_typeof", "json_typeof":
		return types.DString(j.TypeName()), nil
	case "jsonb_array_length", "json_array_length":
		switch {
		case j.Kind == types.JSONArray:
			return types.DInt(len(j.Elems)), nil
		case j.Scalar():
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot get array length of a scalar")
		}
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot get array length of a non-array")
	case "jsonb_pretty":
		return types.DString(types.AppendJSONBPretty(nil, j)), nil
	case "jsonb_strip_nulls":
		return types.DJSONB{V: stripNulls(j)}, nil
	case "json_strip_nulls":
		return types.DJSON(appendCompactJSON(nil, stripNulls(j))), nil
	case "jsonb_contains", "jsonb_contained":
		r := args[1].(types.DJSONB).V
		if f.Name == "jsonb_contained" {
			j, r = r, j
		}
		return types.DBool(types.JSONBContains(j, r)), nil
	case "jsonb_exists":
		return types.DBool(types.JSONBExists(j, str(1))), nil
	case "jsonb_exists_any_op", "jsonb_exists_all_op":
		keys, err := types.ParseTextArray(str(1))
		if err != nil {
			return nil, err
		}
		all := f.Name == "jsonb_exists_all_op"
		for _, k := range keys {
			if k == nil {
				continue // NULL keys are skipped
			}
			has := types.JSONBExists(j, *k)
			if has && !all {
				return types.DBool(true), nil
			}
			if !has && all {
				return types.DBool(false), nil
			}
		}
		return types.DBool(all), nil
	case "jsonb_concat":
		return types.DJSONB{V: concatJSONB(j, args[1].(types.DJSONB).V)}, nil
	case "jsonb_delete":
		return deleteKey(j, str(1))
	case "jsonb_delete_index":
		return deleteIndex(j, int64(args[1].(types.DInt)))
	case "jsonb_delete_path_op":
		if j.Scalar() {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot delete path in scalar")
		}
		path, err := types.ParseTextArray(str(1))
		if err != nil {
			return nil, err
		}
		r, err := setPath(j, path, 0, nil, false)
		if err != nil {
			return nil, err
		}
		return types.DJSONB{V: r}, nil
	case "jsonb_set":
		if j.Scalar() {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot set path in scalar")
		}
		path, err := types.ParseTextArray(str(1))
		if err != nil {
			return nil, err
		}
		create := len(args) < 4 || args[3] == types.DBool(true)
		r, err := setPath(j, path, 0, args[2].(types.DJSONB).V, create)
		if err != nil {
			return nil, err
		}
		return types.DJSONB{V: r}, nil
	}
	return nil, pgerror.New(pgerror.CodeUndefinedFunction, "function %s does not exist", f.Name)
}

// stripNulls drops the object fields whose value is null, at every
// level (array elements stay).
func stripNulls(j *types.JSON) *types.JSON {
	switch j.Kind {
	case types.JSONArray:
		out := &types.JSON{Kind: types.JSONArray, Elems: make([]*types.JSON, len(j.Elems))}
		for i, e := range j.Elems {
			out.Elems[i] = stripNulls(e)
		}
		return out
	case types.JSONObject:
		out := &types.JSON{Kind: types.JSONObject}
		for i, k := range j.Keys {
			if j.Vals[i].Kind == types.JSONNull {
				continue
			}
			out.Keys = append(out.Keys, k)
			out.Vals = append(out.Vals, stripNulls(j.Vals[i]))
		}
		return out
	}
	return j
}

// appendCompactJSON appends json_strip_nulls's text of a json tree: no
// whitespace, strings re-escaped, numbers as written.
func appendCompactJSON(b []byte, j *types.JSON) []byte {
	switch j.Kind {
	case types.JSONArray:
		b = append(b, '[')
		for i, e := range j.Elems {
			if i > 0 {
				b = append(b, ',')
			}
			b = appendCompactJSON(b, e)
		}
		return append(b, ']')
	case types.JSONObject:
		b = append(b, '{')
		for i, k := range j.Keys {
			if i > 0 {
				b = append(b, ',')
			}
			b = types.AppendJSONString(b, k)
			b = append(b, ':')
			b = appendCompactJSON(b, j.Vals[i])
		}
		return append(b, '}')
	case types.JSONString:
		return types.AppendJSONString(b, j.Str)
	}
	if j.Raw != "" {
		return append(b, j.Raw...)
	}
	return types.AppendJSONB(b, j)
}

// elemsOf is a value as jsonb's concatenation sees it: an array's
// elements, a scalar as a one-element array.
func elemsOf(j *types.JSON) []*types.JSON {
	if j.Kind == types.JSONArray {
		return j.Elems
	}
	return []*types.JSON{j}
}

// concatJSONB is jsonb || jsonb: two objects merge (the right's keys
// win); otherwise both sides are taken as arrays (an object or scalar as
// a one-element array) and concatenated.
func concatJSONB(a, b *types.JSON) *types.JSON {
	if a.Kind == types.JSONObject && b.Kind == types.JSONObject {
		keys := append(append([]string(nil), a.Keys...), b.Keys...)
		vals := append(append([]*types.JSON(nil), a.Vals...), b.Vals...)
		return types.NormalizeJSONObject(keys, vals)
	}
	out := &types.JSON{Kind: types.JSONArray}
	out.Elems = append(append(out.Elems, elemsOf(a)...), elemsOf(b)...)
	return out
}

// deleteKey is jsonb - text.
func deleteKey(j *types.JSON, key string) (types.Datum, error) {
	switch j.Kind {
	case types.JSONObject:
		out := &types.JSON{Kind: types.JSONObject}
		for i, k := range j.Keys {
			if k != key {
				out.Keys = append(out.Keys, k)
				out.Vals = append(out.Vals, j.Vals[i])
			}
		}
		return types.DJSONB{V: out}, nil
	case types.JSONArray:
		out := &types.JSON{Kind: types.JSONArray}
		for _, e := range j.Elems {
			if e.Kind != types.JSONString || e.Str != key {
				out.Elems = append(out.Elems, e)
			}
		}
		return types.DJSONB{V: out}, nil
	}
	return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot delete from scalar")
}

// deleteIndex is jsonb - integer.
func deleteIndex(j *types.JSON, i int64) (types.Datum, error) {
	switch j.Kind {
	case types.JSONObject:
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot delete from object using integer index")
	case types.JSONArray:
	default:
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot delete from scalar")
	}
	n := int64(len(j.Elems))
	if i < 0 {
		i += n
	}
	if i < 0 || i >= n {
		return types.DJSONB{V: j}, nil
	}
	out := &types.JSON{Kind: types.JSONArray}
	out.Elems = append(append(out.Elems, j.Elems[:i]...), j.Elems[i+1:]...)
	return types.DJSONB{V: out}, nil
}

// setPath is PostgreSQL's setPath for jsonb_set (nv set) and #- (nv nil:
// delete): it rebuilds the containers along path from level on. A
// missing key or index is added when create is set and it is the last
// step (an index before the start prepends, past the end appends); a
// scalar on the way is left alone. An array step that is not an integer
// is 22P02.
func setPath(j *types.JSON, path []*string, level int, nv *types.JSON, create bool) (*types.JSON, error) {
	if level >= len(path) {
		return j, nil
	}
	last := level == len(path)-1
	switch j.Kind {
	case types.JSONObject:
		p := path[level]
		if p == nil {
			return j, nil
		}
		keys := append([]string(nil), j.Keys...)
		vals := append([]*types.JSON(nil), j.Vals...)
		for i, k := range keys {
			if k != *p {
				continue
			}
			if last {
				if nv == nil {
					keys = append(keys[:i], keys[i+1:]...)
					vals = append(vals[:i], vals[i+1:]...)
				} else {
					vals[i] = nv
				}
			} else {
				v, err := setPath(vals[i], path, level+1, nv, create)
				if err != nil {
					return nil, err
				}
				vals[i] = v
			}
			return &types.JSON{Kind: types.JSONObject, Keys: keys, Vals: vals}, nil
		}
		if last && create && nv != nil {
			return types.NormalizeJSONObject(append(keys, *p), append(vals, nv)), nil
		}
		return j, nil
	case types.JSONArray:
		n := len(j.Elems)
		idx := n
		if p := path[level]; p != nil {
			v, ok := pathInt(*p)
			if !ok {
				return nil, pgerror.New(pgerror.CodeInvalidTextRepresentation, "path element at position %d is not an integer: \"%s\"", level+1, *p)
			}
			idx = int(v)
		}
		prepend := false
		if idx < 0 {
			if -idx > n {
				prepend = true
				idx = math.MinInt32
			} else {
				idx += n
			}
		}
		if idx > n {
			idx = n
		}
		elems := append([]*types.JSON(nil), j.Elems...)
		if (prepend || n == 0) && last && create && nv != nil {
			return &types.JSON{Kind: types.JSONArray, Elems: append([]*types.JSON{nv}, elems...)}, nil
		}
		if idx >= 0 && idx < n {
			if last {
				if nv == nil {
					elems = append(elems[:idx], elems[idx+1:]...)
				} else {
					elems[idx] = nv
				}
			} else {
				v, err := setPath(elems[idx], path, level+1, nv, create)
				if err != nil {
					return nil, err
				}
				elems[idx] = v
			}
			return &types.JSON{Kind: types.JSONArray, Elems: elems}, nil
		}
		if last && create && nv != nil {
			return &types.JSON{Kind: types.JSONArray, Elems: append(elems, nv)}, nil
		}
		return j, nil
	}
	return j, nil
}

// jsonFormat returns the session's settings with DateStyle ISO, in which
// json's dates and timestamps are written.
func (c *Context) jsonFormat() *types.FormatContext {
	fc := types.NewFormatContext(nil)
	if cur := c.fc(); cur != nil {
		cp := *cur
		fc = &cp
	}
	fc.DateStyle = 0 // other types print under the session's styles
	return fc
}

// jsonDateTime is JsonEncodeDateTime's text of a date or timestamp: ISO
// 8601 with a "T" and a zone offset of hours and minutes.
func jsonDateTime(s string, tz bool) string {
	if strings.Contains(s, "infinity") {
		return s
	}
	s = strings.Replace(s, " ", "T", 1)
	if tz {
		bc := strings.HasSuffix(s, " BC")
		s = strings.TrimSuffix(s, " BC")
		if i := strings.LastIndexAny(s, "+-"); i > strings.IndexByte(s, 'T') && len(s)-i == 3 {
			s += ":00"
		}
		if bc {
			s += " BC"
		}
	}
	return s
}

// numberText returns the JSON text of a float or numeric, or false when
// it is not a JSON number (NaN, infinities).
func numberText(d types.Datum, t *types.T, fc *types.FormatContext) (string, bool) {
	s := string(types.FormatText(d, t, fc))
	switch v := d.(type) {
	case types.DFloat:
		if math.IsNaN(float64(v)) || math.IsInf(float64(v), 0) {
			return s, false
		}
	case *types.DDecimal:
		if v.Form != apd.Finite {
			return s, false
		}
	}
	return s, true
}

// appendJSONValue appends to_json's text of d, a value of type t: json
// verbatim, jsonb as its text, numbers and booleans bare, dates and
// timestamps in ISO 8601, anything else as the JSON string of its text.
func (c *Context) appendJSONValue(b []byte, d types.Datum, t *types.T) []byte {
	fc := c.jsonFormat()
	switch v := d.(type) {
	case nil:
		return append(b, "null"...)
	case types.DJSON:
		return append(b, v...)
	case types.DJSONB:
		return types.AppendJSONB(b, v.V)
	case types.DBool:
		if v {
			return append(b, "true"...)
		}
		return append(b, "false"...)
	case types.DInt:
		return strconv.AppendInt(b, int64(v), 10)
	case types.DFloat, *types.DDecimal:
		s, ok := numberText(d, t, fc)
		if ok {
			return append(b, s...)
		}
		return types.AppendJSONString(b, s)
	case types.DDate, types.DTimestamp:
		return types.AppendJSONString(b, jsonDateTime(string(types.FormatText(d, t, fc)), false))
	case types.DTimestampTZ:
		return types.AppendJSONString(b, jsonDateTime(string(types.FormatText(d, t, fc)), true))
	}
	if d == types.DNull {
		return append(b, "null"...)
	}
	return types.AppendJSONString(b, string(types.FormatText(d, t, fc)))
}

// datumToJSONB is to_jsonb of d, a value of type t. As an object key
// (key set) the value must be a scalar and NULL is not allowed.
func (c *Context) datumToJSONB(d types.Datum, t *types.T, key bool) (*types.JSON, error) {
	if key && (t.Family == types.JSONFamily || t.Family == types.JSONBFamily) {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "key value must be scalar, not array, composite, or json")
	}
	fc := c.jsonFormat()
	switch v := d.(type) {
	case types.DJSON:
		return types.ParseJSONTree(string(v), true)
	case types.DJSONB:
		return v.V, nil
	case types.DBool:
		return &types.JSON{Kind: types.JSONBool, Bool: bool(v)}, nil
	case types.DInt:
		return &types.JSON{Kind: types.JSONNumber, Num: types.DecimalFromInt(int64(v))}, nil
	case types.DFloat, *types.DDecimal:
		s, ok := numberText(d, t, fc)
		if !ok {
			return &types.JSON{Kind: types.JSONString, Str: s}, nil
		}
		n, err := types.ParseText(types.Numeric, s)
		if err != nil {
			return nil, err
		}
		return &types.JSON{Kind: types.JSONNumber, Num: n.(*types.DDecimal)}, nil
	case types.DDate, types.DTimestamp:
		return &types.JSON{Kind: types.JSONString, Str: jsonDateTime(string(types.FormatText(d, t, fc)), false)}, nil
	case types.DTimestampTZ:
		return &types.JSON{Kind: types.JSONString, Str: jsonDateTime(string(types.FormatText(d, t, fc)), true)}, nil
	}
	if d == types.DNull {
		return &types.JSON{Kind: types.JSONNull}, nil
	}
	return &types.JSON{Kind: types.JSONString, Str: string(types.FormatText(d, t, fc))}, nil
}

// keyText is the text of an object key: a string's own text, another
// scalar's JSON text.
func keyText(j *types.JSON) string {
	if j.Kind == types.JSONString {
		return j.Str
	}
	return string(types.AppendJSONB(nil, j))
}

// jsonBuild evaluates json(b)_build_object and json(b)_build_array.
func (c *Context) jsonBuild(f *plan.Func, args []types.Datum) (types.Datum, error) {
	jsonb := strings.HasPrefix(f.Name, "jsonb")
	object := strings.HasSuffix(f.Name, "_object")
	if object && len(args)%2 != 0 {
		return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "argument list must have even number of elements")
	}
	typeOf := func(i int) *types.T { return f.Args[i].ResultType() }
	if jsonb {
		if !object {
			out := &types.JSON{Kind: types.JSONArray}
			for i, a := range args {
				v, err := c.datumToJSONB(a, typeOf(i), false)
				if err != nil {
					return nil, err
				}
				out.Elems = append(out.Elems, v)
			}
			return types.DJSONB{V: out}, nil
		}
		var keys []string
		var vals []*types.JSON
		for i := 0; i < len(args); i += 2 {
			if args[i] == types.DNull {
				return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "argument %d: key must not be null", i+1)
			}
			k, err := c.datumToJSONB(args[i], typeOf(i), true)
			if err != nil {
				return nil, err
			}
			v, err := c.datumToJSONB(args[i+1], typeOf(i+1), false)
			if err != nil {
				return nil, err
			}
			keys, vals = append(keys, keyText(k)), append(vals, v)
		}
		return types.DJSONB{V: types.NormalizeJSONObject(keys, vals)}, nil
	}
	var b []byte
	if !object {
		b = append(b, '[')
		for i, a := range args {
			if i > 0 {
				b = append(b, ", "...)
			}
			b = c.appendJSONValue(b, a, typeOf(i))
		}
		return types.DJSON(append(b, ']')), nil
	}
	b = append(b, '{')
	for i := 0; i < len(args); i += 2 {
		if args[i] == types.DNull {
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "argument %d cannot be null", i+1).
				WithHint("Object keys should be text.")
		}
		if i > 0 {
			b = append(b, ", "...)
		}
		k, err := c.jsonKey(args[i], typeOf(i))
		if err != nil {
			return nil, err
		}
		b = types.AppendJSONString(b, k)
		b = append(b, " : "...)
		b = c.appendJSONValue(b, args[i+1], typeOf(i+1))
	}
	return types.DJSON(append(b, '}')), nil
}

// jsonKey is the text of a json object key of type t.
func (c *Context) jsonKey(d types.Datum, t *types.T) (string, error) {
	k, err := c.datumToJSONB(d, t, true)
	if err != nil {
		return "", err
	}
	return keyText(k), nil
}
