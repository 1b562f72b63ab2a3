package exec

import (
	"fmt"
	"strings"
	"testing"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

func copyOpts(t *testing.T, from bool, kv ...string) *CopyOptions {
	t.Helper()
	var opts []ast.CopyOption
	for i := 0; i+1 < len(kv); i += 2 {
		opts = append(opts, ast.CopyOption{Name: kv[i], Value: kv[i+1], HasValue: true})
	}
	o, err := ParseCopyOptions(from, opts)
	if err != nil {
		t.Fatalf("options %v: %v", kv, err)
	}
	return o
}

// renderCopyIn parses input for columns (a int, b text) and renders every
// row, or the error with its CONTEXT.
func renderCopyIn(t *testing.T, o *CopyOptions, input string) string {
	t.Helper()
	in, err := NewCopyIn(strings.NewReader(input), o, "t", []string{"a", "b"}, []*types.T{types.Int4, types.Text}, &types.FormatContext{})
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for {
		row, err := in.Next()
		if err != nil {
			pe := pgerror.Flatten(err)
			return strings.Join(append(out, fmt.Sprintf("ERROR %s %s | %s", pe.Code, pe.Message, pe.Where)), "\n")
		}
		if row == nil {
			return strings.Join(out, "\n")
		}
		var f []string
		for _, d := range row {
			if d == types.DNull {
				f = append(f, "NULL")
			} else {
				f = append(f, fmt.Sprintf("%q", types.FormatText(d, nil, &types.FormatContext{})))
			}
		}
		out = append(out, strings.Join(f, " "))
	}
}

func TestCopyInParse(t *testing.T) {
	for _, tc := range []struct {
		opts        []string
		input, want string
	}{
		{nil, "1\tx\n2\t\\N\n", `"1" "x"` + "\n" + `"2" NULL`},
		{nil, "1\ta\\tb\\\\c\\x41\\101\\n\n", `"1" "a\tb\\cAA\n"`},
		{nil, "1\tcont\\\nline\n", `"1" "cont\nline"`},
		{nil, "1\tx\r\n2\ty\r\n", `"1" "x"` + "\n" + `"2" "y"`},
		{nil, "1\tx\n\\.\n2\tignored\n", `"1" "x"`},
		{nil, "1\tx", `"1" "x"`},
		{nil, "1\n", `ERROR 22P04 missing data for column "b" | COPY t, line 1: "1"`},
		{nil, "1\tx\ty\n", `ERROR 22P04 extra data after last expected column | COPY t, line 1: "1	x	y"`},
		{nil, "1\tx\nz\tx\n", `"1" "x"` + "\n" + `ERROR 22P02 invalid input syntax for type integer: "z" | COPY t, line 2, column a: "z"`},
		{[]string{"delimiter", ",", "null", ""}, "1,\n2,x\n", `"1" NULL` + "\n" + `"2" "x"`},
		{[]string{"header", "true"}, "a\tb\n1\tx\n", `"1" "x"`},
		{[]string{"format", "csv"}, "1,\"a,b\"\n2,\n3,\"\"\n", `"1" "a,b"` + "\n" + `"2" NULL` + "\n" + `"3" ""`},
		{[]string{"format", "csv"}, "1,\"two\nlines\"\n2,\"say \"\"hi\"\"\"\n", `"1" "two\nlines"` + "\n" + `"2" "say \"hi\""`},
		{[]string{"format", "csv", "quote", "'", "escape", "\\"}, "1,'it\\'s'\n", `"1" "it's"`},
		{[]string{"format", "csv"}, "1,ab\"cd\"ef\n", `"1" "abcdef"`},
		{[]string{"format", "csv"}, "1,\"open\n", "ERROR 22P04 unterminated CSV quoted field | COPY t, line 1: \"1,\"open\n\""},
		{[]string{"format", "csv", "header", "match"}, "a,c\n1,x\n", `ERROR 22P04 column name mismatch in header line field 2: got "c", expected "b" | COPY t, line 1: "a,c"`},
		{[]string{"format", "csv", "header", "match"}, "a,b\n1,x\n", `"1" "x"`},
	} {
		o := copyOpts(t, true, tc.opts...)
		if got := renderCopyIn(t, o, tc.input); got != tc.want {
			t.Errorf("%v %q:\ngot  %s\nwant %s", tc.opts, tc.input, got, tc.want)
		}
	}
}

func TestCopyInForce(t *testing.T) {
	o := copyOpts(t, true, "format", "csv")
	o.ForceNotNull = []string{"b"}
	if got := renderCopyIn(t, o, "1,\n"); got != `"1" ""` {
		t.Errorf("FORCE_NOT_NULL: %s", got)
	}
	o = copyOpts(t, true, "format", "csv")
	o.ForceNull = []string{"b"}
	if got := renderCopyIn(t, o, "1,\"\"\n"); got != `"1" NULL` {
		t.Errorf("FORCE_NULL: %s", got)
	}
}

func TestCopyOutFormat(t *testing.T) {
	vals := [][]byte{[]byte("1"), nil, []byte("a,\"b\"\tc\\d\ne"), []byte("")}
	names := []string{"a", "b", "c", "d"}
	for _, tc := range []struct {
		opts []string
		want string
	}{
		{nil, "1\t\\N\ta,\"b\"\\tc\\\\d\\ne\t\n"},
		{[]string{"delimiter", ","}, "1,\\N,a\\,\"b\"\\tc\\\\d\\ne,\n"},
		{[]string{"format", "csv"}, "1,,\"a,\"\"b\"\"\tc\\d\ne\",\"\"\n"},
		{[]string{"format", "csv", "null", "N", "quote", "'"}, "1,N,'a,\"b\"\tc\\d\ne',\n"},
	} {
		o := copyOpts(t, false, tc.opts...)
		out, err := NewCopyOut(o, names)
		if err != nil {
			t.Fatal(err)
		}
		if got := string(out.Row(vals)); got != tc.want {
			t.Errorf("%v: got %q, want %q", tc.opts, got, tc.want)
		}
	}
}

func TestCopyOptionErrors(t *testing.T) {
	for _, tc := range []struct {
		from bool
		opts []ast.CopyOption
		want string
	}{
		{true, []ast.CopyOption{{Name: "format", Value: "xml", HasValue: true}}, `22023 COPY format "xml" not recognized`},
		{true, []ast.CopyOption{{Name: "quote", Value: "'", HasValue: true}}, `0A000 COPY quote available only in CSV mode`},
		{false, []ast.CopyOption{{Name: "header", Value: "match", HasValue: true}}, `0A000 cannot use "match" with HEADER in COPY TO`},
		{true, []ast.CopyOption{{Name: "freeze"}, {Name: "freeze"}}, `42601 conflicting or redundant options`},
		{true, []ast.CopyOption{{Name: "delimiter", Value: "\n", HasValue: true}}, `22023 COPY delimiter cannot be newline or carriage return`},
		{true, []ast.CopyOption{{Name: "encoding", Value: "LATIN1", HasValue: true}}, `0A000 COPY with ENCODING 'LATIN1' (only UTF8) is not supported`},
	} {
		_, err := ParseCopyOptions(tc.from, tc.opts)
		pe := pgerror.Flatten(err)
		if got := pe.Code + " " + pe.Message; err == nil || got != tc.want {
			t.Errorf("%v: got %v, want %s", tc.opts, err, tc.want)
		}
	}
}
