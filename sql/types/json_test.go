package types

import (
	"testing"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// errString renders an error as "ERROR code message / detail".
func jsonErrString(err error) string {
	pe := pgerror.Flatten(err)
	return "ERROR " + pe.Code + " " + pe.Message + " / " + pe.Detail
}

func TestParseJSONB(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{"b":1,   "a" : [1,2,{"x":null}]}`, `{"a": [1, 2, {"x": null}], "b": 1}`},
		{`{"aa":1, "b":2, "a":3}`, `{"a": 3, "b": 2, "aa": 1}`},
		{`{"a":1, "a":2, "a":3}`, `{"a": 3}`},
		{`1e2`, `100`},
		{`1.50`, `1.50`},
		{`-0`, `0`},
		{`1E-2`, `0.01`},
		{` "a\"b\\c\/d\n\u00e9\ud83d\ude00" `, `"a\"b\\c/d\né😀"`},
		{`"\u0001"`, `"\u0001"`},
		{`[]`, `[]`},
		{`{}`, `{}`},
		{`[[], {}, true, false, null]`, `[[], {}, true, false, null]`},
		{`{"a":1`, `ERROR 22P02 invalid input syntax for type json / The input string ended unexpectedly.`},
		{`{"a" 1}`, `ERROR 22P02 invalid input syntax for type json / Expected ":", but found "1".`},
		{`{"a":1,}`, `ERROR 22P02 invalid input syntax for type json / Expected string, but found "}".`},
		{`[1,]`, `ERROR 22P02 invalid input syntax for type json / Expected JSON value, but found "]".`},
		{`[1 2]`, `ERROR 22P02 invalid input syntax for type json / Expected "," or "]", but found "2".`},
		{`{1:2}`, `ERROR 22P02 invalid input syntax for type json / Expected string or "}", but found "1".`},
		{`[}`, `ERROR 22P02 invalid input syntax for type json / Expected JSON value, but found "}".`},
		{`"abc`, `ERROR 22P02 invalid input syntax for type json / Token ""abc" is invalid.`},
		{`"\u12`, `ERROR 22P02 invalid input syntax for type json / Token ""\u12" is invalid.`},
		{`tru`, `ERROR 22P02 invalid input syntax for type json / Token "tru" is invalid.`},
		{`01`, `ERROR 22P02 invalid input syntax for type json / Token "01" is invalid.`},
		{`1 2`, `ERROR 22P02 invalid input syntax for type json / Expected end of input, but found "2".`},
		{`"\x"`, `ERROR 22P02 invalid input syntax for type json / Escape sequence "\x" is invalid.`},
		{`"\ud83d"`, `ERROR 22P02 invalid input syntax for type json / Unicode low surrogate must follow a high surrogate.`},
		{`"\u0000"`, `ERROR 22P05 unsupported Unicode escape sequence / \u0000 cannot be converted to text.`},
		{"\"a\tb\"", `ERROR 22P02 invalid input syntax for type json / Character with value 0x09 must be escaped.`},
		{``, `ERROR 22P02 invalid input syntax for type json / The input string ended unexpectedly.`},
	} {
		got := ""
		if d, err := ParseJSONB(tc.in); err != nil {
			got = jsonErrString(err)
		} else {
			got = string(Format(d))
		}
		if got != tc.want {
			t.Errorf("jsonb %q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}

func TestParseJSONKeepsText(t *testing.T) {
	for _, in := range []string{`{"a" : 1 , "a": 2}`, ` [1,  2] `, `"\u0000"`, `"\ude00"`, `1e2`} {
		d, err := ParseJSON(in)
		if err != nil {
			t.Fatalf("json %q: %v", in, err)
		}
		if string(Format(d)) != in {
			t.Errorf("json %q printed as %q", in, Format(d))
		}
	}
	tree, err := DJSON(`{"a" : [1,  2], "a": {"b" : 1.50}}`).Tree()
	if err != nil {
		t.Fatal(err)
	}
	if got := tree.Lookup("a").Raw; got != `{"b" : 1.50}` {
		t.Errorf("last duplicate: %q", got)
	}
	if _, err := DJSON(`["\u0000"]`).Tree(); err == nil {
		t.Error("json operators must refuse \\u0000")
	}
}

func mustJSONB(t *testing.T, s string) *JSON {
	t.Helper()
	d, err := ParseJSONB(s)
	if err != nil {
		t.Fatalf("%q: %v", s, err)
	}
	return d.V
}

func TestCompareJSONB(t *testing.T) {
	// Ascending, as PostgreSQL 15 sorts them.
	order := []string{`[]`, `null`, `"a"`, `"s"`, `1.5`, `2`, `false`, `true`, `[1]`, `[3]`, `[1, 2]`,
		`{}`, `{"a": 1}`, `{"b": 1}`, `{"a": 1, "b": 2}`}
	for i := range order {
		for j := range order {
			want := cmpOrdered(i, j)
			if got := CompareJSONB(mustJSONB(t, order[i]), mustJSONB(t, order[j])); got != want {
				t.Errorf("compare %s %s = %d, want %d", order[i], order[j], got, want)
			}
		}
	}
	if CompareJSONB(mustJSONB(t, `{"a":1.0}`), mustJSONB(t, `{"a":1}`)) != 0 {
		t.Error("1.0 and 1 must be equal")
	}
	k1 := string(AppendJSONBKey(nil, mustJSONB(t, `[1.0, {"a": 2.50}]`)))
	k2 := string(AppendJSONBKey(nil, mustJSONB(t, `[1, {"a": 2.5}]`)))
	if k1 != k2 {
		t.Errorf("hash keys differ: %q %q", k1, k2)
	}
}

func TestJSONBContains(t *testing.T) {
	for _, tc := range []struct {
		a, b string
		want bool
	}{
		{`{"a":1,"b":[1,2,3]}`, `{"b":[3,1]}`, true},
		{`{"a":1,"b":[1,2,3]}`, `{"a":1,"b":[4]}`, false},
		{`{"c":{"d":"e","f":1}}`, `{"c":{"d":"e"}}`, true},
		{`{"a":[1,2]}`, `{"a":1}`, false},
		{`[1,2,[3]]`, `[[3]]`, true},
		{`[1,2]`, `1`, true},
		{`1`, `[1]`, false},
		{`[[1,2]]`, `[1]`, false},
		{`[1,1]`, `[1,1,1]`, true},
		{`{"a":1}`, `[]`, false},
		{`{}`, `{}`, true},
	} {
		if got := JSONBContains(mustJSONB(t, tc.a), mustJSONB(t, tc.b)); got != tc.want {
			t.Errorf("%s @> %s = %v, want %v", tc.a, tc.b, got, tc.want)
		}
	}
}

func TestJSONCasts(t *testing.T) {
	for _, tc := range []struct {
		in   string
		to   *T
		want string
	}{
		{`1.5`, Int4, `2`},
		{`-7`, Int8, `-7`},
		{`1.25`, Numeric, `1.25`},
		{`true`, Bool, `t`},
		{`"1"`, Int4, `ERROR 22023 cannot cast jsonb string to type integer / `},
		{`null`, Float8, `ERROR 22023 cannot cast jsonb null to type double precision / `},
		{`[1]`, Numeric, `ERROR 22023 cannot cast jsonb array to type numeric / `},
		{`{}`, Bool, `ERROR 22023 cannot cast jsonb object to type boolean / `},
		{`1e10`, Int4, `ERROR 22003 integer out of range / `},
		{`{"b":1, "a":2}`, JSONType, `{"a": 2, "b": 1}`},
		{`"x"`, Text, `"x"`},
	} {
		d, err := ParseJSONB(tc.in)
		if err != nil {
			t.Fatal(err)
		}
		got := ""
		if r, err := Cast(d, tc.to, nil); err != nil {
			got = jsonErrString(err)
		} else {
			got = string(Format(r))
		}
		if got != tc.want {
			t.Errorf("%s::%s = %s, want %s", tc.in, tc.to, got, tc.want)
		}
	}
	e, a, i := CastAllowed(JSONType, JSONB)
	if !e || !a || i {
		t.Errorf("json -> jsonb contexts %v %v %v", e, a, i)
	}
	if e, _, _ := CastAllowed(JSONType, Int4); e {
		t.Error("json -> integer must not exist")
	}
	if e, a, _ := CastAllowed(JSONB, Int4); !e || a {
		t.Error("jsonb -> integer is explicit")
	}
}

func TestJSONBinary(t *testing.T) {
	d, _ := ParseJSONB(`{"b":1, "a":[2]}`)
	b, err := EncodeBinary(d, JSONB)
	if err != nil || string(b) != "\x01{\"a\": [2], \"b\": 1}" {
		t.Fatalf("jsonb send: %q %v", b, err)
	}
	back, err := DecodeBinary(JSONB, b)
	if err != nil || Compare(back, d) != 0 {
		t.Fatalf("jsonb recv: %v %v", back, err)
	}
	if _, err := DecodeBinary(JSONB, []byte("\x02{}")); err == nil {
		t.Error("jsonb version 2 accepted")
	}
	j, err := DecodeBinary(JSONType, []byte(`{"z" : 1}`))
	if err != nil || string(Format(j)) != `{"z" : 1}` {
		t.Fatalf("json recv: %v %v", j, err)
	}
}

func TestParseTextArray(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`{a,b}`, `[a b]`},
		{` { "a b" , c\,d , NULL, "NULL" } `, `[a b c,d <nil> NULL]`},
		{`{}`, `[]`},
		{`a`, `ERROR 22P02`},
		{`{a`, `ERROR 22P02`},
		{`{a}x`, `ERROR 22P02`},
		{`{{a}}`, `ERROR 0A000`},
	} {
		got := ""
		if els, err := ParseTextArray(tc.in); err != nil {
			got = "ERROR " + pgerror.Flatten(err).Code
		} else {
			got = "["
			for i, e := range els {
				if i > 0 {
					got += " "
				}
				if e == nil {
					got += "<nil>"
				} else {
					got += *e
				}
			}
			got += "]"
		}
		if got != tc.want {
			t.Errorf("%q: got %s, want %s", tc.in, got, tc.want)
		}
	}
}
