package parser

import "testing"

// TestTypedExprText checks the casts pg_get_expr shows on constants
// compared with columns, as PostgreSQL 15 prints them.
func TestTypedExprText(t *testing.T) {
	cols := map[string]string{"n": "numeric", "f": "double precision", "r": "real", "s": "text", "i": "integer"}
	colType := func(name string) string { return cols[name] }
	for _, c := range []struct{ in, want string }{
		{"n > 100", "n > 100::numeric"},
		{"n < -2", "n < '-2'::integer::numeric"},
		{"n <> 1.5", "n <> 1.5"},
		{"n > -1.5", "n > '-1.5'::numeric"},
		{"f > 1 AND r < 2.5", "f > 1::double precision AND r < 2.5::double precision"},
		{"s <> '' OR 'it''s' = s", "s <> ''::text OR 'it''s'::text = s"},
		{"i > -5 AND i IS NOT NULL", "i > '-5'::integer AND i IS NOT NULL"},
		{"i > 5", "i > 5"},
		{"nope > 1", "nope > 1"},
		{"not valid sql (", "not valid sql ("},
	} {
		if got := TypedExprText(c.in, colType); got != c.want {
			t.Errorf("TypedExprText(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}
