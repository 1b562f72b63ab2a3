package exec

import (
	"testing"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// TestJSONBuiltins checks the jsonb operators that rebuild values
// (jsonb_set, #-, ||, -) and the build functions against results taken
// from PostgreSQL 15.
func TestJSONBuiltins(t *testing.T) {
	jb := func(s string) types.Datum {
		d, err := types.ParseJSONB(s)
		if err != nil {
			t.Fatalf("%q: %v", s, err)
		}
		return d
	}
	c := &Context{}
	k := func(d types.Datum, typ *types.T) plan.Expr { return &plan.Const{D: d, Typ: typ} }
	for _, tc := range []struct {
		name string
		args []types.Datum
		typs []*types.T
		want string
	}{
		{"jsonb_set", []types.Datum{jb(`{"a":[1,2]}`), types.DString(`{a,-5}`), jb(`0`)}, nil, `{"a": [0, 1, 2]}`},
		{"jsonb_set", []types.Datum{jb(`{"a":[1,2]}`), types.DString(`{a,9}`), jb(`0`)}, nil, `{"a": [1, 2, 0]}`},
		{"jsonb_set", []types.Datum{jb(`{"a":[]}`), types.DString(`{a,3}`), jb(`0`)}, nil, `{"a": [0]}`},
		{"jsonb_set", []types.Datum{jb(`{"a":1}`), types.DString(`{b}`), jb(`0`), types.DBool(false)}, nil, `{"a": 1}`},
		{"jsonb_set", []types.Datum{jb(`{"a":1}`), types.DString(`{b,null}`), jb(`2`)}, nil, `{"a": 1}`},
		{"jsonb_set", []types.Datum{jb(`{"a":[1,2]}`), types.DString(`{a,x}`), jb(`2`)}, nil,
			`ERROR 22P02 path element at position 2 is not an integer: "x"`},
		{"jsonb_set", []types.Datum{jb(`1`), types.DString(`{a}`), jb(`2`)}, nil, `ERROR 22023 cannot set path in scalar`},
		{"jsonb_delete_path_op", []types.Datum{jb(`[1,{"a":2}]`), types.DString(`{1,a}`)}, nil, `[1, {}]`},
		{"jsonb_delete_path_op", []types.Datum{jb(`[1,2]`), types.DString(`{-1}`)}, nil, `[1]`},
		{"jsonb_concat", []types.Datum{jb(`{"a":1,"b":2}`), jb(`{"b":3}`)}, nil, `{"a": 1, "b": 3}`},
		{"jsonb_concat", []types.Datum{jb(`{"a":1}`), jb(`1`)}, nil, `[{"a": 1}, 1]`},
		{"jsonb_concat", []types.Datum{jb(`1`), jb(`2`)}, nil, `[1, 2]`},
		{"jsonb_delete", []types.Datum{jb(`["a",1,"a"]`), types.DString("a")}, nil, `[1]`},
		{"jsonb_delete_index", []types.Datum{jb(`[1,2,3]`), types.DInt(-1)}, nil, `[1, 2]`},
		{"jsonb_delete_index", []types.Datum{jb(`{"a":1}`), types.DInt(1)}, nil, `ERROR 22023 cannot delete from object using integer index`},
		{"jsonb_strip_nulls", []types.Datum{jb(`{"a":null,"b":[null,{"c":null}]}`)}, nil, `{"b": [null, {}]}`},
		{"json_build_object", []types.Datum{types.DString("a"), types.DInt(1), types.DString("c"), types.DNull},
			[]*types.T{types.Text, types.Int4, types.Text, types.Int4}, `{"a" : 1, "c" : null}`},
		{"jsonb_build_object", []types.Datum{types.DInt(1), types.DInt(2), types.DBool(true), types.DString("x")},
			[]*types.T{types.Int4, types.Int4, types.Bool, types.Text}, `{"1": 2, "true": "x"}`},
		{"jsonb_build_object", []types.Datum{types.DNull, types.DInt(1)}, []*types.T{types.Text, types.Int4},
			`ERROR 22023 argument 1: key must not be null`},
		{"to_json", []types.Datum{types.DTimestampTZ(0)}, []*types.T{types.TimestampTZ}, `"2000-01-01T00:00:00+00:00"`},
	} {
		f := &plan.Func{Name: tc.name, Typ: types.JSONB}
		for i, a := range tc.args {
			typ := a.ResolvedType()
			if tc.typs != nil {
				typ = tc.typs[i]
			}
			f.Args = append(f.Args, k(a, typ))
		}
		d, ok, err := c.callJSONBuiltin(f, tc.args)
		if !ok {
			t.Fatalf("%s not handled", tc.name)
		}
		got := ""
		if err != nil {
			pe := pgerror.Flatten(err)
			got = "ERROR " + pe.Code + " " + pe.Message
		} else {
			got = string(types.Format(d))
		}
		if got != tc.want {
			t.Errorf("%s%v: got %s, want %s", tc.name, tc.args, got, tc.want)
		}
	}
}
