package parser

import (
	"fmt"
	"strings"
	"testing"

	"github.com/cockroachdb/datadriven"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// TestParse runs testdata/parse: each `parse` block's input is one query
// string; the output is one AST dump per statement, or the error with its
// SQLSTATE and position.
func TestParse(t *testing.T) {
	datadriven.RunTest(t, "testdata/parse", func(t *testing.T, d *datadriven.TestData) string {
		switch d.Cmd {
		case "parse":
			stmts, err := Parse(d.Input)
			if err != nil {
				return FormatError(err)
			}
			if len(stmts) == 0 {
				return "<empty>\n"
			}
			var b strings.Builder
			for _, s := range stmts {
				fmt.Fprintf(&b, "%s\n", s.AST)
			}
			return b.String()
		}
		t.Fatalf("unknown command %s", d.Cmd)
		return ""
	})
}

// FormatError renders an error as the golden files show it.
func FormatError(err error) string {
	pe := pgerror.Flatten(err)
	s := fmt.Sprintf("ERROR %s: %s", pe.Code, pe.Message)
	if pe.Position > 0 {
		s += fmt.Sprintf(" (position %d)", pe.Position)
	}
	return s + "\n"
}

// TestParseRanges runs testdata/ranges (SPLIT TABLE, SHOW TABLE …
// REGIONS, SHOW RANGES) as TestParse runs testdata/parse.
func TestParseRanges(t *testing.T) {
	datadriven.RunTest(t, "testdata/ranges", func(t *testing.T, d *datadriven.TestData) string {
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
