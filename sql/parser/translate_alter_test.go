package parser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// TestParseAlter runs testdata/alter (CHECK constraints, ALTER TABLE,
// ALTER … RENAME) as TestParse runs testdata/parse.
func TestParseAlter(t *testing.T) {
	datadriven.RunTest(t, "testdata/alter", func(t *testing.T, d *datadriven.TestData) string {
		stmts, err := Parse(d.Input)
		if err != nil {
			return FormatError(err)
		}
		var b strings.Builder
		for _, s := range stmts {
			fmt.Fprintf(&b, "%s\n", s.AST)
		}
		return b.String()
	})
}

func TestRewriteColumnRefs(t *testing.T) {
	rename := func(f []string) []string {
		if f[len(f)-1] == "a" {
			f[len(f)-1] = "b c"
		}
		return f
	}
	for _, c := range []struct{ in, want string }{
		{`a > 0`, `"b c" > 0`},
		{`t.a < x AND a IS NOT NULL`, `t."b c" < x AND "b c" IS NOT NULL`},
		{`coalesce(a, 1) + length(s) BETWEEN 1 AND a`, `COALESCE("b c", 1) + length(s) BETWEEN 1 AND "b c"`},
		{`'a' = s`, `'a' = s`},
	} {
		got, err := RewriteColumnRefs(c.in, rename)
		if err != nil {
			t.Fatalf("%s: %v", c.in, err)
		}
		if got != c.want {
			t.Errorf("%s: got %s, want %s", c.in, got, c.want)
		}
		if _, err := ParseCheckExpr(got); err != nil {
			t.Errorf("%s: rewritten text does not parse: %v", got, err)
		}
	}
}
