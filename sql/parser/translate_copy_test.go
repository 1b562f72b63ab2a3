package parser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
)

// TestParseCopy runs testdata/copy (COPY's translation) as TestParse runs
// testdata/parse.
func TestParseCopy(t *testing.T) {
	datadriven.RunTest(t, "testdata/copy", func(t *testing.T, d *datadriven.TestData) string {
		if d.Cmd != "parse" {
			t.Fatalf("unknown command %s", d.Cmd)
		}
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
