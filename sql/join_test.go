package sql

import (
	"fmt"
	"strings"
	"testing"
)

// TestManyTableJoin plans and runs comma joins of up to 64 tables with
// their equalities in WHERE (SQLite's select5.test shape): greedy join
// ordering must finish (an exhaustive search over 64 tables would run
// into the test timeout), and every join must use the equalities.
func TestManyTableJoin(t *testing.T) {
	_, s := newTestSession(t)
	const n = 64
	for i := 1; i <= n; i++ {
		mustExec(t, s, fmt.Sprintf("CREATE TABLE t%d (a INT PRIMARY KEY, b INT, c TEXT)", i))
		mustExec(t, s, fmt.Sprintf("INSERT INTO t%d VALUES (1, 1, 'x%d'), (2, 2, 'y'), (3, 1, 'z')", i, i))
	}
	for _, k := range []int{8, 32, 64} {
		var from, where []string
		for i := 1; i <= k; i++ {
			from = append(from, fmt.Sprintf("t%d", i))
			if i > 1 {
				// Written out of order, on non-key and key columns.
				where = append(where, fmt.Sprintf("t%d.b = t%d.a", i-1, i))
			}
		}
		where = append(where, "t1.a = 2")
		q := fmt.Sprintf("SELECT count(*) FROM %s WHERE %s", strings.Join(from, ", "), strings.Join(where, " AND "))
		out := mustExec(t, s, q)
		if !strings.Contains(out, "\n1\n") {
			t.Fatalf("%d tables: %s", k, out)
		}
		plan := mustExec(t, s, "EXPLAIN "+q)
		if strings.Contains(plan, "nested loop") {
			t.Fatalf("%d tables: cross join in plan:\n%s", k, plan)
		}
	}
}
