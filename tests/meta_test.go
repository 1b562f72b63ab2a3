package tests

import (
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rangedb/rangedb/server"
)

// TestMetaRepairAfterLostUpdates: two splits whose meta entries were never
// written (as if the node died right after each split applied) leave meta
// stale, yet every row stays reachable (the kv client re-routes on the
// stores' answers), and the meta repair then rewrites the stale span in one
// step: SHOW RANGES tiles the keyspace again, with no gap or overlap.
func TestMetaRepairAfterLostUpdates(t *testing.T) {
	var skip atomic.Bool
	s := startNode(t, server.Config{TestingSkipSplitMeta: skip.Load, MetaRepairInterval: 100 * time.Millisecond})
	conn := connect(t, s.URL())
	mustExec(t, conn, "CREATE TABLE mr (k INT PRIMARY KEY)")
	var vals []string
	for i := range 300 {
		vals = append(vals, fmt.Sprintf("(%d)", i))
	}
	mustExec(t, conn, "INSERT INTO mr VALUES "+strings.Join(vals, ", "))
	skip.Store(true)
	mustExec(t, conn, "SPLIT TABLE mr BY (100)")
	mustExec(t, conn, "SPLIT TABLE mr BY (200)")
	if got := query(t, conn, "SELECT count(*), sum(k) FROM mr")[0]; got[0] != "300" || got[1] != "44850" {
		t.Fatalf("with stale meta: count, sum = %v", got)
	}
	if got := query(t, conn, "SELECT k FROM mr WHERE k = 250"); len(got) != 1 {
		t.Fatalf("with stale meta: point read: %v", got)
	}
	if got := query(t, conn, "SHOW RANGES"); len(got) != 2 {
		t.Fatalf("meta should still hold range 1 and the table's first range only: %v", got)
	}
	skip.Store(false)
	deadline := time.Now().Add(10 * time.Second)
	for {
		rows := query(t, conn, "SHOW RANGES")
		tiled, prev := true, "/Meta"
		for _, r := range rows {
			tiled = tiled && r[0] == prev
			prev = r[1]
		}
		tiled = tiled && prev == "/Max"
		if tiled && len(rows) >= 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("meta not repaired: %v", rows)
		}
		time.Sleep(20 * time.Millisecond)
	}
	if got := query(t, conn, "SHOW TABLE mr REGIONS"); len(got) != 3 {
		t.Fatalf("the table's regions after the repair: %v", got)
	}
}
