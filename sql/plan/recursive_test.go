package plan

import (
	"testing"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/types"
)

// TestRecursiveOverallType pins the UNION type PostgreSQL 15 gives a
// recursive CTE's column (tests/recursive_compare_test.go checks the
// resulting errors against a running PostgreSQL).
func TestRecursiveOverallType(t *testing.T) {
	for _, c := range []struct {
		l, r   *types.T
		lu, ru bool
		want   string
	}{
		{types.Int4, types.Int4, false, false, "integer"},
		{types.Int4, types.Int8, false, false, "bigint"},
		{types.Int8, types.Int4, false, false, "bigint"},
		{types.Int4, types.Numeric, false, false, "numeric"},
		{types.MakeNumeric(5, 2), types.MakeNumeric(5, 2), false, false, "numeric(5,2)"},
		{types.MakeNumeric(5, 2), types.MakeNumeric(5, 2).WithoutMod(), false, false, "numeric"},
		// text and varchar: the left type wins, its modifier only when
		// both have it.
		{types.MakeVarChar(3), types.Text, false, false, "character varying"},
		{types.MakeVarChar(3), types.MakeVarChar(3), false, false, "character varying(3)"},
		{types.Text, types.MakeVarChar(3), false, false, "text"},
		// An untyped literal takes the other side's type, unmodified.
		{types.Text, types.MakeVarChar(3), true, false, "character varying"},
		{types.Text, types.Text, true, true, "text"},
		{types.Int4, types.Text, false, true, "integer"},
	} {
		got, err := recursiveOverallType(c.l, c.r, c.lu, c.ru)
		if err != nil || got.String() != c.want {
			t.Errorf("overall(%s, %s, %v, %v) = %v, %v; want %s", c.l, c.r, c.lu, c.ru, got, err, c.want)
		}
	}
	if _, err := recursiveOverallType(types.Int4, types.Text, false, false); err == nil {
		t.Errorf("integer UNION text: no error")
	}
}

// TestSetOpRecContexts pins where a self-reference may stand in a set
// operation of a recursive term, as PostgreSQL's
// checkWellFormedSelectStmt.
func TestSetOpRecContexts(t *testing.T) {
	for _, c := range []struct {
		op       string
		all      bool
		lok, rok bool
	}{
		{"UNION", false, false, false},
		{"UNION", true, false, false},
		{"INTERSECT", false, false, false},
		{"INTERSECT", true, true, true},
		{"EXCEPT", false, false, true},
		{"EXCEPT", true, true, true},
	} {
		_, lok, _, rok := setOpRecContexts(&ast.SetOp{Op: c.op, All: c.all})
		if lok != c.lok || rok != c.rok {
			t.Errorf("%s all=%v: sides restricted %v, %v; want %v, %v", c.op, c.all, lok, rok, c.lok, c.rok)
		}
	}
}
