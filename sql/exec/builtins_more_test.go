package exec

import (
	"errors"
	"testing"

	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// The expected values below are PostgreSQL 15's (tests/funcs_compare_test.go
// checks them against a running PostgreSQL); these tables pin the pure
// functions' edge cases without one.

func TestSplitPart(t *testing.T) {
	for _, c := range []struct {
		s, delim string
		n        int
		want     string
	}{
		{"a,b,c", ",", 2, "b"},
		{"a,b,c", ",", 4, ""},
		{"a,b,c", ",", -1, "c"},
		{"a,b,c", ",", -4, ""},
		{"a,b,c", "", 1, "a,b,c"},
		{"a,b,c", "", 2, ""},
		{"", ",", 1, ""},
		{"a::b::c", "::", 3, "c"},
	} {
		d, err := splitPart(c.s, c.delim, c.n)
		if err != nil || d != types.DString(c.want) {
			t.Errorf("split_part(%q, %q, %d) = %v, %v; want %q", c.s, c.delim, c.n, d, err, c.want)
		}
	}
	if _, err := splitPart("a", ",", 0); codeOf(err) != pgerror.CodeInvalidParameterValue {
		t.Errorf("split_part(…, 0): %v, want 22023", err)
	}
}

func TestIntervalScale(t *testing.T) {
	for _, c := range []struct {
		iv     types.DInterval
		factor float64
		divide bool
		want   types.DInterval
	}{
		{types.DInterval{Micros: 3600e6}, 2, false, types.DInterval{Micros: 7200e6}},
		{types.DInterval{Days: 1}, 1.5, false, types.DInterval{Days: 1, Micros: 12 * 3600e6}},
		{types.DInterval{Months: 1}, 0.5, false, types.DInterval{Days: 15}},
		{types.DInterval{Months: 1}, 3, true, types.DInterval{Days: 10}},
		{types.DInterval{Days: 3}, 2, true, types.DInterval{Days: 1, Micros: 12 * 3600e6}},
		{types.DInterval{Days: -2}, 2.5, false, types.DInterval{Days: -5}},
	} {
		d, err := intervalScale(c.iv, c.factor, c.divide)
		if err != nil || d != c.want {
			t.Errorf("scale(%v, %v, divide %v) = %v, %v; want %v", c.iv, c.factor, c.divide, d, err, c.want)
		}
	}
	if _, err := intervalScale(types.DInterval{Days: 1}, 0, true); codeOf(err) != pgerror.CodeDivisionByZero {
		t.Errorf("interval / 0: %v, want 22012", err)
	}
}

func TestRegexpReplace(t *testing.T) {
	for _, c := range []struct {
		s, pattern, repl, flags string
		want                    string
		code                    string
	}{
		{s: "Thomas", pattern: ".[mN]a.", repl: "M", want: "ThM"},
		{s: "foobarbaz", pattern: "b..", repl: "X", flags: "g", want: "fooXX"},
		{s: "hello world", pattern: `(\w+) (\w+)`, repl: `\2 \1`, want: "world hello"},
		{s: "abc", pattern: "b", repl: `[\&]`, want: "a[b]c"},
		{s: "abab", pattern: "a|ab", repl: "X", flags: "g", want: "XX"},
		{s: "a\nb", pattern: "a.b", repl: "X", want: "X"},
		{s: "a.c", pattern: ".", repl: "x", flags: "q", want: "axc"},
		{s: "abc", pattern: "", repl: "-", flags: "g", want: "-a-b-c-"},
		{s: "abab", pattern: `(a)b\1`, code: pgerror.CodeFeatureNotSupported},
		{s: "abc", pattern: "a(?=b)", code: pgerror.CodeFeatureNotSupported},
		{s: "aaa", pattern: "a+?", code: pgerror.CodeFeatureNotSupported},
		{s: "abc", pattern: "b", flags: "z", code: pgerror.CodeInvalidParameterValue},
		{s: "abc", pattern: "(", code: "2201B"},
	} {
		d, err := regexpReplace(c.s, c.pattern, c.repl, c.flags)
		if c.code != "" {
			if codeOf(err) != c.code {
				t.Errorf("regexp_replace(%q, %q): %v, %v; want %s", c.s, c.pattern, d, err, c.code)
			}
			continue
		}
		if err != nil || d != types.DString(c.want) {
			t.Errorf("regexp_replace(%q, %q, %q, %q) = %v, %v; want %q", c.s, c.pattern, c.repl, c.flags, d, err, c.want)
		}
	}
}

func TestToCharNumber(t *testing.T) {
	dec := func(s string) types.Datum {
		d, err := types.ParseText(types.Numeric, s)
		if err != nil {
			t.Fatal(err)
		}
		return d
	}
	for _, c := range []struct {
		d      types.Datum
		format string
		want   string
	}{
		{types.DInt(123), "999", " 123"},
		{types.DInt(-12), "9999", "  -12"},
		{types.DInt(-5), "000", "-005"},
		{dec("1234.5"), "9,999.99", " 1,234.50"},
		{types.DInt(12), "9,999", "    12"},
		{types.DInt(0), "999", "   0"},
		{dec("0.5"), "9.99", "  .50"},
		{types.DInt(12345), "9,999", " #,###"},
		{dec("1.5"), "FM999.99", "1.5"},
		{types.DInt(1), "FM999.99", "1."},
		{dec("12.345"), "99.", " 12"},
		{dec("0.001"), ".999", " .###"},
		{types.DFloat(2.675), "9.99", " 2.67"},
		{dec("2.675"), "9.99", " 2.68"},
	} {
		d, err := toCharNumber(c.d, c.format)
		if err != nil || d != types.DString(c.want) {
			t.Errorf("to_char(%v, %q) = %q, %v; want %q", c.d, c.format, d, err, c.want)
		}
	}
}

// codeOf returns err's SQLSTATE ("" for nil or a non-pgerror).
func codeOf(err error) string {
	var pe *pgerror.Error
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}
