package tests

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rangedb/rangedb/server"
)

// TestTruncateClearsRanges: TRUNCATE of a table split into several
// ranges, with a secondary index, is one small transaction (it rolls back
// whole), leaves the table empty and writable through both indexes, and
// its old rows are then cleared by ranged deletes: SHOW TABLE … REGIONS
// counts no old keys once the clear ran.
func TestTruncateClearsRanges(t *testing.T) {
	s := startNode(t, server.Config{})
	conn := connect(t, s.URL())
	mustExec(t, conn, "CREATE TABLE tr (k INT PRIMARY KEY, v TEXT)")
	mustExec(t, conn, "CREATE INDEX tr_v ON tr (v)")
	for c := range 10 {
		var vals []string
		for i := range 1000 {
			vals = append(vals, fmt.Sprintf("(%d, 'v%d')", c*1000+i, c*1000+i))
		}
		mustExec(t, conn, "INSERT INTO tr VALUES "+strings.Join(vals, ", "))
	}
	mustExec(t, conn, "SPLIT TABLE tr BETWEEN (0) AND (10000) REGIONS 4")
	count := func() string { return query(t, conn, "SELECT count(*) FROM tr")[0][0] }

	mustExec(t, conn, "BEGIN")
	mustExec(t, conn, "TRUNCATE tr")
	if got := count(); got != "0" {
		t.Fatalf("count after TRUNCATE in the transaction: %s", got)
	}
	mustExec(t, conn, "ROLLBACK")
	if got := count(); got != "10000" {
		t.Fatalf("count after ROLLBACK of TRUNCATE: %s", got)
	}

	start := time.Now()
	if tag := mustExec(t, conn, "TRUNCATE tr"); tag != "TRUNCATE TABLE" {
		t.Fatalf("tag %q", tag)
	}
	t.Logf("TRUNCATE of 10,000 rows over 4 ranges took %s", time.Since(start).Round(time.Millisecond))
	if got := count(); got != "0" {
		t.Fatalf("count after TRUNCATE: %s", got)
	}
	mustExec(t, conn, "INSERT INTO tr VALUES (7, 'seven'), (8, 'eight')")
	if got := query(t, conn, "SELECT k FROM tr WHERE v = 'eight'"); len(got) != 1 || got[0][0] != "8" {
		t.Fatalf("index lookup after TRUNCATE: %v", got)
	}
	// The old spans are cleared: only the new rows' keys (2 rows, 2 index
	// entries) and the schema lock key's records remain in the table's
	// ranges.
	deadline := time.Now().Add(10 * time.Second)
	for {
		keys := 0
		for _, r := range query(t, conn, "SHOW TABLE tr REGIONS") {
			var n int
			fmt.Sscan(r[10], &n)
			keys += n
		}
		if keys <= 5 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the truncated rows' keys are still there: %d keys", keys)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
