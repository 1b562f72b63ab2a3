package exec

import (
	"context"
	"errors"
	"testing"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// counter is the plan of
//
//	WITH RECURSIVE t(n) AS (VALUES (1), (1) UNION [ALL] SELECT (n + 1) % mod FROM t [WHERE n < stop]) …
//
// with no WHERE when stop is 0.
func counter(all bool, mod, stop int64) *plan.RecursiveCTE {
	cols := []plan.Column{{Name: "n", Typ: types.Int8}}
	wt := &plan.WorkTable{Name: "t", Cols: cols}
	n := &plan.ColRef{Ordinal: 0, Name: "n", Typ: types.Int8}
	var in plan.Node = &plan.WorkTableScan{Table: wt}
	if stop > 0 {
		in = &plan.Filter{Input: in, Pred: &plan.Cmp{Op: plan.LT, L: n, R: &plan.Const{D: types.DInt(stop), Typ: types.Int8}}}
	}
	next := &plan.BinOp{Op: ast.Plus, L: n, R: &plan.Const{D: types.DInt(1), Typ: types.Int8}, Typ: types.Int8}
	var e plan.Expr = next
	if mod > 0 {
		e = &plan.BinOp{Op: ast.Mod, L: next, R: &plan.Const{D: types.DInt(mod), Typ: types.Int8}, Typ: types.Int8}
	}
	one := []plan.Expr{&plan.Const{D: types.DInt(1), Typ: types.Int8}}
	return &plan.RecursiveCTE{
		Name:      "t",
		All:       all,
		Init:      &plan.Values{Rows: [][]plan.Expr{one, one}, Cols: cols},
		Recursive: &plan.Project{Input: in, Exprs: []plan.Expr{e}, Cols: cols},
		Table:     wt,
		Cols:      cols,
	}
}

// drain returns the first max rows' first column (all rows when max < 0).
func drain(t *testing.T, ctx context.Context, ec *Context, n plan.Node, max int) ([]int64, error) {
	t.Helper()
	src, err := build(&evalEnv{ec: ec, ctx: ctx}, n)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	var out []int64
	for max < 0 || len(out) < max {
		r, err := src.Next(ctx)
		if err != nil {
			return out, err
		}
		if r == nil {
			break
		}
		out = append(out, int64(r[0].(types.DInt)))
	}
	return out, nil
}

func TestRecursiveUnion(t *testing.T) {
	ctx := context.Background()
	for _, c := range []struct {
		name      string
		all       bool
		mod, stop int64
		max       int
		want      []int64
	}{
		// UNION ALL keeps the duplicate of the non-recursive term and
		// iterates over both copies.
		{"union all", true, 0, 3, -1, []int64{1, 1, 2, 2, 3, 3}},
		// UNION discards duplicates within a term and against every row
		// produced before; a cycle ends when it comes round.
		{"union", false, 0, 3, -1, []int64{1, 2, 3}},
		{"union cycle", false, 4, 0, -1, []int64{1, 2, 3, 0}},
		// Rows stream out: an infinite recursion yields as many as asked.
		{"lazy", true, 0, 0, 5, []int64{1, 1, 2, 2, 3}},
	} {
		t.Run(c.name, func(t *testing.T) {
			ec := &Context{}
			got, err := drain(t, ctx, ec, counter(c.all, c.mod, c.stop), c.max)
			if err != nil {
				t.Fatal(err)
			}
			if len(got) != len(c.want) {
				t.Fatalf("got %v, want %v", got, c.want)
			}
			for i := range got {
				if got[i] != c.want[i] {
					t.Fatalf("got %v, want %v", got, c.want)
				}
			}
			if ec.memUsed != 0 {
				t.Errorf("%d bytes held after Close", ec.memUsed)
			}
		})
	}
}

// TestRecursiveMemory checks that UNION ALL holds only the last
// iterations' rows, and that UNION's set of seen rows is charged to the
// budget.
func TestRecursiveMemory(t *testing.T) {
	ctx := context.Background()
	ec := &Context{MemoryBudget: 64 << 10}
	if got, err := drain(t, ctx, ec, counter(true, 0, 0), 20000); err != nil || len(got) != 20000 {
		t.Fatalf("UNION ALL: %d rows, %v", len(got), err)
	}
	_, err := drain(t, ctx, ec, counter(false, 0, 0), -1)
	var pe *pgerror.Error
	if !errors.As(err, &pe) || pe.Code != pgerror.CodeOutOfMemory {
		t.Fatalf("UNION: %v, want 53200", err)
	}
	if ec.memUsed != 0 {
		t.Errorf("%d bytes held after Close", ec.memUsed)
	}
}

// TestRecursiveCanceled checks that a recursion that never ends stops
// when its context is canceled.
func TestRecursiveCanceled(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if _, err := drain(t, ctx, &Context{}, counter(true, 0, 0), -1); !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want context.Canceled", err)
	}
}
