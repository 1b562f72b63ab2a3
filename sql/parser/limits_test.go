package parser

import (
	"errors"
	"strings"
	"testing"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// DeepShapes builds, for a depth n, one statement of each shape that
// nests its parse tree n deep. Tests of the wire protocol use it too.
func deepShapes(n int) map[string]string {
	rep := strings.Repeat
	return map[string]string{
		"plus chain":    "SELECT " + strings.Join(strings.Split(rep("1", n), ""), "+"),
		"concat chain":  "SELECT " + strings.Join(strings.Split(rep("a", n), ""), "||"),
		"parentheses":   "SELECT " + rep("(", n) + "1" + rep(")", n),
		"function call": "SELECT " + rep("abs(", n) + "1" + rep(")", n),
		"case":          "SELECT " + rep("CASE WHEN true THEN ", n) + "1" + rep(" END", n),
		"subquery":      "SELECT " + rep("(SELECT ", n) + "1" + rep(")", n),
		"array":         "SELECT " + rep("ARRAY[", n) + "1" + rep("]", n),
		"unary minus":   "SELECT " + rep("- ", n) + "1",
		"not":           "SELECT " + rep("NOT ", n) + "true",
		"cast chain":    "SELECT 1" + rep("::int", n),
		"join chain":    "SELECT 1 FROM t" + rep(" JOIN t ON true", n),
		"union chain":   "SELECT 1" + rep(" UNION SELECT 1", n),
	}
}

func TestDeepStatementsAre54001(t *testing.T) {
	for _, n := range []int{MaxDepth + 10, 30_000, 200_000} {
		for shape, sql := range deepShapes(n) {
			_, err := Parse(sql)
			var pe *pgerror.Error
			if !errors.As(err, &pe) || pe.Code != "54001" || pe.Message != "stack depth limit exceeded" || !strings.Contains(pe.Hint, "max_stack_depth") {
				t.Errorf("%s ×%d: got %v, want 54001 stack depth limit exceeded", shape, n, err)
			}
		}
	}
}

func TestModeratelyDeepStatementsParse(t *testing.T) {
	for shape, sql := range deepShapes(500) {
		if shape == "array" {
			continue // ARRAY constructors are not translated yet (0A000)
		}
		if _, err := Parse(sql); err != nil {
			t.Errorf("%s ×500: %v", shape, err)
		}
	}
}

func TestLongFlatListsParse(t *testing.T) {
	rep := func(s string, n int) string { return strings.TrimSuffix(strings.Repeat(s, n), s[len(s)-1:]) }
	for name, sql := range map[string]string{
		"AND chain": "SELECT 1 WHERE " + rep("true AND ", 50_000) + " true",
		"OR chain":  "SELECT 1 WHERE " + rep("false OR ", 50_000) + " true",
		"IN list":   "SELECT 1 WHERE 1 IN (" + rep("1,", 50_000) + ")",
		"VALUES":    "VALUES " + rep("(1),", 50_000),
		"CASE arms": "SELECT CASE " + strings.Repeat("WHEN false THEN 1 ", 20_000) + "END",
	} {
		if _, err := Parse(sql); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func TestParseBudget(t *testing.T) {
	sql := "SELECT 1 WHERE 1 IN (" + strings.Repeat("1,", 100_000) + "1)"
	_, err := ParseBudget(sql, 1<<20)
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != "53200" {
		t.Fatalf("100,000-element IN list with 1 MB: got %v, want 53200", err)
	}
	if _, err := ParseBudget(sql, 256<<20); err != nil {
		t.Fatalf("with 256 MB: %v", err)
	}
}

func TestScanLexicalRules(t *testing.T) {
	deep := strings.Repeat("(", 5000)
	for _, sql := range []string{
		"SELECT '" + deep + "'",
		"SELECT E'\\'" + deep + "'",
		`SELECT "` + deep + `"`,
		"SELECT $x$" + deep + "$x$",
		"SELECT 1 -- " + deep,
		"SELECT /* /* " + deep + " */ */ 1",
	} {
		if d, _ := scan(sql); d > 10 {
			t.Errorf("%.30q…: depth %d counted inside a literal or comment", sql, d)
		}
	}
	if d, _ := scan("SELECT 1; " + strings.Repeat("SELECT 1+1+1; ", 5000)); d > 10 {
		t.Errorf("statements' depths add up: %d", d)
	}
}
