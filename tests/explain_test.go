package tests

import (
	"context"
	"fmt"
	"math"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rangedb/rangedb/server"
)

// fillTable inserts rows (k, k*7 % 1000, 'row-<k>-…') for k in [0, n) with
// multi-row INSERTs of batch rows.
func fillTable(t *testing.T, conn *pgx.Conn, table string, n, batch, padLen int) {
	t.Helper()
	pad := strings.Repeat("x", padLen)
	for lo := 0; lo < n; lo += batch {
		var b strings.Builder
		fmt.Fprintf(&b, "INSERT INTO %s VALUES ", table)
		for k := lo; k < lo+batch && k < n; k++ {
			if k > lo {
				b.WriteString(", ")
			}
			fmt.Fprintf(&b, "(%d, %d, 'row-%d-%s')", k, k*7%1000, k, pad)
		}
		mustExec(t, conn, b.String())
	}
}

var totalRE = regexp.MustCompile(`total: kv requests=(\d+), keys read=(\d+)`)

// explain returns stmt's EXPLAIN (prefix "EXPLAIN " or "EXPLAIN ANALYZE "
// included by the caller) as one text.
func explain(t *testing.T, conn *pgx.Conn, stmt string) string {
	t.Helper()
	var lines []string
	for _, r := range query(t, conn, stmt) {
		lines = append(lines, r[0])
	}
	return strings.Join(lines, "\n")
}

// explainAnalyze runs q under EXPLAIN ANALYZE and returns the plan and
// its totals: kv requests and keys read.
func explainAnalyze(t *testing.T, conn *pgx.Conn, q string) (plan string, reqs, keys int) {
	t.Helper()
	plan = explain(t, conn, "EXPLAIN ANALYZE "+q)
	m := totalRE.FindStringSubmatch(plan)
	if m == nil {
		t.Fatalf("no totals in EXPLAIN ANALYZE output:\n%s", plan)
	}
	reqs, _ = strconv.Atoi(m[1])
	keys, _ = strconv.Atoi(m[2])
	return plan, reqs, keys
}

// TestPointSelectReadsOneKey proves with EXPLAIN ANALYZE that a primary
// key equality over 10,000 rows is one kv request reading one key, while a
// full scan reads them all.
func TestPointSelectReadsOneKey(t *testing.T) {
	s := startNode(t, server.Config{})
	conn := connect(t, s.URL())
	mustExec(t, conn, "CREATE TABLE t (pk INT PRIMARY KEY, v INT, s TEXT)")
	fillTable(t, conn, "t", 10000, 2000, 40)

	analyze := func(q string) (string, int, int) { return explainAnalyze(t, conn, q) }
	plan, reqs, keys := analyze("SELECT * FROM t WHERE pk = 5")
	if reqs != 1 || keys != 1 || !strings.Contains(plan, "get t (actual rows=1, kv requests=1, keys read=1)") {
		t.Fatalf("point select: %d requests, %d keys:\n%s", reqs, keys, plan)
	}
	if got := query(t, conn, "SELECT s FROM t WHERE pk = 5"); len(got) != 1 || !strings.HasPrefix(got[0][0], "row-5-") {
		t.Fatalf("point select returned %v", got)
	}
	// A derived table is planned like a view: the filter on it is pushed
	// down to the scan of t, which becomes a point lookup.
	plan, reqs, keys = analyze("SELECT d.s FROM (SELECT pk, s FROM t) AS d WHERE d.pk = 5")
	if reqs != 1 || keys != 1 || !strings.Contains(plan, "get t (actual rows=1, kv requests=1, keys read=1)") {
		t.Fatalf("point select through a derived table: %d requests, %d keys:\n%s", reqs, keys, plan)
	}
	plan, _, keys = analyze("SELECT * FROM t WHERE pk IN (7, 9000, 123456)")
	if keys != 2 {
		t.Fatalf("IN list read %d keys:\n%s", keys, plan)
	}
	plan, _, keys = analyze("SELECT * FROM t WHERE pk >= 100 AND pk < 150")
	if keys != 50 {
		t.Fatalf("range read %d keys:\n%s", keys, plan)
	}
	plan, _, keys = analyze("SELECT count(*) FROM t WHERE v = 5")
	if keys != 10000 {
		t.Fatalf("full scan read %d keys:\n%s", keys, plan)
	}
}

// TestLargeSelectStreams reads a large table with SELECT * and checks the
// server's heap stays far below the result's size (rows stream from kv
// batches to the client), and that a sort of it under a small memory
// budget fails with 53200 instead of exhausting the node.
func TestLargeSelectStreams(t *testing.T) {
	if testing.Short() {
		t.Skip("large table")
	}
	// Wide rows make the result (~60 MB) large against what the process
	// allocates in the background (raft, pebble, the client), so the
	// check below has a wide margin on a loaded 2-core CI machine.
	const n = 60000
	s := startNode(t, server.Config{SQLMemoryBudget: 4 << 20})
	conn := connect(t, s.URL())
	mustExec(t, conn, "CREATE TABLE big (pk INT PRIMARY KEY, v INT, s TEXT)")
	fillTable(t, conn, "big", n, 2000, 1000)

	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// stream reads the whole table and returns the result's size and how
	// far the live heap rose above what it was before the query.
	stream := func() (bytes int, growth int64) {
		var ms runtime.MemStats
		runtime.GC()
		runtime.ReadMemStats(&ms)
		base := ms.HeapAlloc
		peak := base
		rows, err := conn.Query(ctx, "SELECT * FROM big")
		if err != nil {
			t.Fatal(err)
		}
		count := 0
		for rows.Next() {
			for _, v := range rows.RawValues() {
				bytes += len(v)
			}
			if count++; count%5000 == 0 {
				runtime.GC() // measure what is live, not garbage awaiting collection
				runtime.ReadMemStats(&ms)
				peak = max(peak, ms.HeapAlloc)
			}
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			t.Fatal(err)
		}
		if count != n {
			t.Fatalf("read %d rows, want %d", count, n)
		}
		return bytes, int64(peak) - int64(base)
	}
	// The heap is the whole process's: Pebble flushing and compacting the
	// fill in the background allocates too (seen: 17 MB at once). That
	// noise comes and goes, while a materialized result would show in
	// every run, so the smallest growth of three runs is what is judged.
	var bytes int
	minGrowth := int64(math.MaxInt64)
	for range 3 {
		b, g := stream()
		bytes, minGrowth = b, min(minGrowth, g)
		t.Logf("result %d bytes in %d rows; heap growth while streaming %d bytes", b, n, g)
	}
	// Materializing the result would take more than its text size in
	// Datums; streaming holds a kv batch and the output buffers (the
	// implicit transaction's retry buffer is 1 MiB of them), a constant
	// that does not grow with the result.
	if minGrowth > int64(bytes)/2 {
		t.Fatalf("heap grew at least %d bytes while streaming a %d-byte result", minGrowth, bytes)
	}

	pe := execErr(t, conn, "SELECT * FROM big ORDER BY s DESC")
	if pe.Code != "53200" || !strings.Contains(pe.Detail, "exceeds the statement") {
		t.Fatalf("sort over budget: %s %s", pe.Code, pe.Message)
	}
	pe = execErr(t, conn, "SELECT DISTINCT s FROM big")
	if pe.Code != "53200" {
		t.Fatalf("DISTINCT over budget: %s %s", pe.Code, pe.Message)
	}
	// A query within budget still works on the same connection.
	if got := query(t, conn, "SELECT count(*), max(pk) FROM big"); got[0][0] != strconv.Itoa(n) {
		t.Fatalf("count after budget errors: %v", got)
	}
}
