package cluster

import (
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// nodeIDs maps each node's id to its index in ps, from `rangedb node
// status`.
func nodeIDs(t *testing.T, ps []*proc) map[int64]int {
	t.Helper()
	ids := map[int64]int{}
	waitUntil(t, "three rows in `node status`", 30*time.Second, func() bool {
		out, code := runCLI(t, ps[0].bin, "node", "status", "--host="+ps[0].listen)
		if code != 0 {
			return false
		}
		clear(ids)
		for _, m := range statusRow.FindAllStringSubmatch(out, -1) {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			for i, p := range ps {
				if m[2] == p.listen {
					ids[id] = i
				}
			}
		}
		return len(ids) == 3
	})
	return ids
}

// countAndSum reads count(*) and sum(v) of pr through conn.
func countAndSum(conn *pgx.Conn) (string, error) {
	got, err := query(conn, "SELECT count(*), sum(v) FROM pr")
	if err != nil {
		return "", err
	}
	return strings.Join(got, "; "), nil
}

// waitRows waits until count(*) and sum(v) of pr through conn are want,
// and fails the test with the last answer if they are not within d.
func waitRows(t *testing.T, who string, conn *pgx.Conn, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		got, err := countAndSum(conn)
		if err == nil && got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: count and sum of pr %q (%v), want %q within %s", who, got, err, want, d)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestKill9OfTheBusiestLeaderOfThreeBinaries runs three real rangedb
// processes: a table split into 8 ranges of three replicas, 2,000 rows
// loaded through all three nodes, then `kill -9` of the node leading the
// most of the table's ranges. Every row is read back through the
// survivors within a bounded wait, more are written through them, and the
// killed node, restarted with the same flags, catches up: its SQL port
// serves every row.
func TestKill9OfTheBusiestLeaderOfThreeBinaries(t *testing.T) {
	ps := startThreeBinaries(t)
	conns := make([]*pgx.Conn, 3)
	for i, p := range ps {
		conns[i] = connectWithin(t, p.url, 30*time.Second)
	}
	// Range 1 has three voters: its leader logged two new ones. (SHOW
	// RANGES lists learners among the replicas.)
	waitUntil(t, "two new voters of range 1 in the logs", 60*time.Second, func() bool {
		n := 0
		for _, p := range ps {
			for _, l := range strings.Split(p.logs.String(), "\n") {
				// Either form the message has had.
				if strings.Contains(l, `msg="range 1 has a new voter"`) ||
					strings.Contains(l, `msg="range has a new voter"`) && strings.Contains(l, " range=r1 ") {
					n++
				}
			}
		}
		return n >= 2
	})
	exec1(t, conns[0], "CREATE TABLE pr (k INT PRIMARY KEY, v INT)")
	exec1(t, conns[1], "SPLIT TABLE pr BETWEEN (0) AND (2000) REGIONS 8")
	var rs []region
	waitUntil(t, "8 ranges of pr with three replicas and a leader", 60*time.Second, func() bool {
		var err error
		rs, err = regionsOf(t, conns[2], "SHOW TABLE pr REGIONS")
		if err != nil || len(rs) != 8 {
			return false
		}
		for _, r := range rs {
			if len(r.peers) != 3 || r.leaderStore == 0 {
				return false
			}
		}
		return true
	})
	const rows = 2000
	for lo := 0; lo < rows; lo += 100 {
		var vals []string
		for k := lo; k < lo+100; k++ {
			vals = append(vals, fmt.Sprintf("(%d, %d)", k, 2*k))
		}
		exec(t, conns[lo/100%3], "INSERT INTO pr VALUES "+strings.Join(vals, ", "))
	}
	want := func(n int) string { return fmt.Sprintf("%d %d", n, n*(n-1)) }

	// The busiest leader, by the leaders SHOW TABLE pr REGIONS names now.
	rs, err := regionsOf(t, conns[0], "SHOW TABLE pr REGIONS")
	if err != nil {
		t.Fatal(err)
	}
	leads := map[int64]int{}
	for _, r := range rs {
		leads[r.leaderStore]++
	}
	var busiest int64
	for id, n := range leads {
		if busiest == 0 || n > leads[busiest] {
			busiest = id
		}
	}
	if busiest == 0 {
		t.Fatalf("no leader among %+v", rs)
	}
	victim, ok := nodeIDs(t, ps)[busiest]
	if !ok {
		t.Fatalf("node %d is not in `node status`", busiest)
	}
	t.Logf("node %d (n%d) leads %d of pr's %d ranges (%v); killing it", victim+1, busiest, leads[busiest], len(rs), leads)
	ps[victim].kill9()
	killed := time.Now()

	var survivors []*pgx.Conn
	for i := range ps {
		if i != victim {
			survivors = append(survivors, connectWithin(t, ps[i].url, 10*time.Second))
		}
	}
	for i, conn := range survivors {
		waitRows(t, fmt.Sprintf("survivor %d", i+1), conn, want(rows), 60*time.Second)
		t.Logf("survivor %d read every row %s after the kill", i+1, time.Since(killed).Round(time.Millisecond))
	}
	// Every row, one by one in key order, through the first survivor.
	got := mustQuery(t, survivors[0], "SELECT k, v FROM pr ORDER BY k")
	if len(got) != rows {
		t.Fatalf("after kill -9: %d rows, want %d", len(got), rows)
	}
	for k, r := range got {
		if r != fmt.Sprintf("%d %d", k, 2*k) {
			t.Fatalf("after kill -9: row %d is %q", k, r)
		}
	}
	// More rows through the survivors, for the restarted node to catch
	// up on.
	for lo := rows; lo < rows+200; lo += 100 {
		var vals []string
		for k := lo; k < lo+100; k++ {
			vals = append(vals, fmt.Sprintf("(%d, %d)", k, 2*k))
		}
		execWithin(t, survivors[lo/100%2], 30*time.Second, 10*time.Second, "INSERT INTO pr VALUES "+strings.Join(vals, ", "))
	}

	ps[victim].start(t)
	restarted := connectWithin(t, ps[victim].url, 30*time.Second)
	waitRows(t, "the restarted node", restarted, want(rows+200), 60*time.Second)
	t.Logf("the restarted node serves all %d rows %s after the kill", rows+200, time.Since(killed).Round(time.Millisecond))
}
