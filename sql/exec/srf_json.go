package exec

import (
	"context"
	"strings"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// jsonSRFOp produces the rows of jsonb_each, jsonb_each_text,
// jsonb_object_keys, jsonb_array_elements and jsonb_array_elements_text
// over its argument, evaluated once when the node opens: an object's
// pairs in stored key order, an array's elements in order. NULL gives no
// rows; the wrong kind of value is 22023, as in PostgreSQL.
type jsonSRFOp struct {
	rows []types.Datums
	next int
}

func newJSONSRFOp(env *evalEnv, n *plan.FuncScan) (RowSource, error) {
	v, err := env.eval(n.Args[0], nil)
	if err != nil {
		return nil, err
	}
	op := &jsonSRFOp{}
	if v == types.DNull {
		return op, nil
	}
	j, err := jsonTree(v)
	if err != nil {
		return nil, err
	}
	isJSON := n.Name[:5] == "json_"
	valType := types.JSONB
	if isJSON {
		valType = types.JSONType
	}
	kindErr := func(format string) error {
		what := "a scalar"
		switch j.Kind {
		case types.JSONArray:
			what = "an array"
		case types.JSONObject:
			what = "an object"
		}
		return pgerror.New(pgerror.CodeInvalidParameterValue, format, what)
	}
	text := func(e *types.JSON) (types.Datum, error) { return jsonTextResult(e) }
	switch n.Name {
	case "jsonb_each", "jsonb_each_text", "json_each", "json_each_text":
		switch {
		case j.Kind == types.JSONObject:
		case !isJSON:
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot call %s on a non-object", n.Name)
		case j.Kind == types.JSONArray:
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot deconstruct an array as an object")
		default:
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot deconstruct a scalar")
		}
		for i, k := range j.Keys {
			val := jsonResult(j.Vals[i], valType)
			if n.Name == "jsonb_each_text" || n.Name == "json_each_text" {
				if val, err = text(j.Vals[i]); err != nil {
					return nil, err
				}
			}
			op.rows = append(op.rows, types.Datums{types.DString(k), val})
		}
	case "jsonb_object_keys", "json_object_keys":
		if j.Kind != types.JSONObject {
			return nil, kindErr("cannot call " + n.Name + " on %s")
		}
		for _, k := range j.Keys {
			op.rows = append(op.rows, types.Datums{types.DString(k)})
		}
	case "jsonb_array_elements", "jsonb_array_elements_text", "json_array_elements", "json_array_elements_text":
		switch {
		case j.Kind == types.JSONArray:
		case !isJSON:
			return nil, kindErr("cannot extract elements from %s")
		case j.Kind == types.JSONObject:
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot call %s on a non-array", n.Name)
		default:
			return nil, pgerror.New(pgerror.CodeInvalidParameterValue, "cannot call %s on a scalar", n.Name)
		}
		for _, e := range j.Elems {
			val := jsonResult(e, valType)
			if strings.HasSuffix(n.Name, "_text") {
				if val, err = text(e); err != nil {
					return nil, err
				}
			}
			op.rows = append(op.rows, types.Datums{val})
		}
	default:
		return nil, pgerror.Unsupported("function " + n.Name + " in FROM")
	}
	return op, nil
}

func (s *jsonSRFOp) Next(ctx context.Context) (types.Datums, error) {
	if s.next >= len(s.rows) {
		return nil, nil
	}
	s.next++
	return s.rows[s.next-1], nil
}

func (s *jsonSRFOp) Close() { s.rows = nil }
