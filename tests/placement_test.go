package tests

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/rangedb/rangedb/server"
)

// TestSingleNodeSplitsBySize: the placement driver runs on a single node
// too: a table loaded past a tiny range_max_bytes splits by itself into
// ranges SHOW TABLE … REGIONS lists, each split in SHOW PLACEMENT
// DECISIONS with its reason, and every row reads back.
func TestSingleNodeSplitsBySize(t *testing.T) {
	s := startNode(t, server.Config{PlacementInterval: 200 * time.Millisecond})
	conn := connect(t, s.URL())
	mustExec(t, conn, "SET CLUSTER SETTING range_max_bytes = '16 KiB'")
	mustExec(t, conn, "CREATE TABLE big (id INT PRIMARY KEY, v TEXT)")
	pad := strings.Repeat("q", 200)
	for i := 0; i < 600; i += 100 {
		var vals []string
		for j := i; j < i+100; j++ {
			vals = append(vals, fmt.Sprintf("(%d, '%s')", j, pad))
		}
		mustExec(t, conn, "INSERT INTO big VALUES "+strings.Join(vals, ","))
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		if n := len(query(t, conn, "SHOW TABLE big REGIONS")); n >= 4 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("still %d ranges after 60s", len(query(t, conn, "SHOW TABLE big REGIONS")))
		}
		time.Sleep(100 * time.Millisecond)
	}
	splits := 0
	for _, row := range query(t, conn, "SHOW PLACEMENT DECISIONS") {
		if row[1] == "split" && row[8] == "" && strings.Contains(row[7], "range_max_bytes") {
			splits++
		}
	}
	if splits < 3 {
		t.Fatalf("%d split decisions", splits)
	}
	if got := query(t, conn, "SELECT count(*) FROM big"); got[0][0] != "600" {
		t.Fatalf("count = %v", got)
	}
}
