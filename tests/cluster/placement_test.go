package cluster

import (
	"context"
	"fmt"
	"math"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// Tests of the placement driver on in-process clusters: splits by size
// and merges back after deletes, up-replication and balance as nodes
// join, replacement of a dead node's replicas, and a steady cluster that
// makes no moves.

// placementCluster is newCluster(n) with a fast placement driver.
func placementCluster(t *testing.T, n int) *testCluster {
	c := newCluster(t, n)
	for _, nd := range c.nodes {
		nd.cfg.PlacementInterval = 200 * time.Millisecond
	}
	return c
}

// decision is a row of SHOW PLACEMENT DECISIONS.
type decision struct {
	kind, reason, outcome, splitKey string
	rangeID                         int64
}

func decisions(t *testing.T, conn *pgx.Conn) []decision {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	rs, err := conn.Query(ctx, "SHOW PLACEMENT DECISIONS")
	if err != nil {
		t.Fatalf("SHOW PLACEMENT DECISIONS: %v", err)
	}
	defer rs.Close()
	var out []decision
	for rs.Next() {
		var d decision
		var at time.Time
		var target, from, merged *int64
		var split *string
		if err := rs.Scan(&at, &d.kind, &d.rangeID, &target, &from, &split, &merged, &d.reason, &d.outcome); err != nil {
			t.Fatalf("scan: %v", err)
		}
		if split != nil {
			d.splitKey = *split
		}
		if at.IsZero() || time.Since(at) > time.Hour || d.reason == "" {
			t.Fatalf("decision %+v at %s", d, at)
		}
		out = append(out, d)
	}
	if err := rs.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}

func countKind(ds []decision, kind string) (n int) {
	for _, d := range ds {
		if d.kind == kind && d.outcome == "" {
			n++
		}
	}
	return n
}

// tableRegions returns SHOW TABLE name REGIONS, retrying errors briefly.
func tableRegions(t *testing.T, conn *pgx.Conn, name string) []region {
	t.Helper()
	var err error
	for range 50 {
		var rs []region
		if rs, err = regionsOf(t, conn, "SHOW TABLE "+name+" REGIONS"); err == nil {
			return rs
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("SHOW TABLE %s REGIONS: %v", name, err)
	return nil
}

// liveBytes returns range id's live bytes as its leader measures them.
func (c *testCluster) liveBytes(id int64) int64 {
	l := c.leaderOf(kvpb.RangeID(id))
	if l < 0 {
		return -1
	}
	n, err := c.nodes[l].srv.RangeLiveBytes(kvpb.RangeID(id))
	if err != nil {
		return -1
	}
	return n
}

func waitFor(t *testing.T, what string, d time.Duration, ok func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		done, state := ok()
		if done {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within %s; %s", what, d, state)
		}
		time.Sleep(200 * time.Millisecond)
	}
}

func countRows(t *testing.T, conn *pgx.Conn, table string) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var n int
	if err := conn.QueryRow(ctx, "SELECT count(*) FROM "+table).Scan(&n); err != nil {
		t.Fatalf("count %s: %v", table, err)
	}
	return n
}

// TestPlacementSplitsBySizeAndMergesBack: a table loaded past several
// range sizes (a tiny range_max_bytes) splits by itself until every range
// is under the limit, every row reads back; after most rows are deleted
// the ranges merge back; each split and merge is listed with its reason
// by SHOW PLACEMENT DECISIONS on any node.
func TestPlacementSplitsBySizeAndMergesBack(t *testing.T) {
	c := placementCluster(t, 3)
	c.bootstrap(0, 1, 2)
	conn := c.conn(0)
	const maxBytes = 32 << 10
	exec(t, conn, "SET CLUSTER SETTING range_max_bytes = '32 KiB'")
	exec(t, conn, "SET CLUSTER SETTING range_min_bytes = '12 KiB'")
	exec(t, conn, "CREATE TABLE p (id INT PRIMARY KEY, v TEXT)")
	const n = 1500
	pad := strings.Repeat("x", 200)
	insertRows(t, conn, "p", 0, n, func(i int) string { return fmt.Sprintf("%d, '%s'", i, pad) })

	var rs []region
	waitFor(t, "the table split under range_max_bytes", 90*time.Second, func() (bool, string) {
		rs = tableRegions(t, conn, "p")
		if len(rs) < 6 || !c.allReplicated(rs) {
			return false, fmt.Sprintf("%d regions, replicated %v", len(rs), c.allReplicated(rs))
		}
		for _, r := range rs {
			if b := c.liveBytes(r.id); b < 0 || b > maxBytes {
				return false, fmt.Sprintf("r%d has %d live bytes", r.id, b)
			}
		}
		return true, ""
	})
	t.Logf("%d rows → %d ranges", n, len(rs))
	if got := countRows(t, conn, "p"); got != n {
		t.Fatalf("count = %d after the splits, want %d", got, n)
	}
	split := len(rs)

	exec(t, conn, "DELETE FROM p WHERE id % 20 <> 0")
	waitFor(t, "the ranges merged back", 120*time.Second, func() (bool, string) {
		rs = tableRegions(t, conn, "p")
		return len(rs) <= split/3 && c.allReplicated(rs), fmt.Sprintf("%d regions (from %d)", len(rs), split)
	})
	if got := countRows(t, conn, "p"); got != n/20 {
		t.Fatalf("count = %d after the merges, want %d", got, n/20)
	}
	ds := decisions(t, c.conn(2))
	if countKind(ds, "split") < split-1 || countKind(ds, "merge") == 0 {
		t.Fatalf("decisions: %d splits, %d merges: %+v", countKind(ds, "split"), countKind(ds, "merge"), ds)
	}
	for _, d := range ds {
		if d.kind == "split" && !strings.Contains(d.reason, "range_max_bytes") {
			t.Fatalf("split reason %q", d.reason)
		}
	}
}

// storeCounts returns each running node's replica and leader counts.
func (c *testCluster) storeCounts(n int) (replicas, leaders []int) {
	for _, nd := range c.nodes[:n] {
		r, l := nd.srv.ReplicaCounts()
		replicas, leaders = append(replicas, r), append(leaders, l)
	}
	return replicas, leaders
}

// balanced reports whether every count is within ±20% of the mean, or
// within one of it where the counts are too small for 20% to be one.
func balanced(counts []int) bool {
	total := 0
	for _, n := range counts {
		total += n
	}
	mean := float64(total) / float64(len(counts))
	for _, n := range counts {
		if math.Abs(float64(n)-mean) > math.Max(0.2*mean, 1) {
			return false
		}
	}
	return true
}

// TestPlacementReplicatesAndBalancesAsNodesJoin: one node loaded with a
// table of many ranges; two more join and every range ends with three
// caught-up voters; two more join and replicas and leaders per store
// converge within ±20% of the mean, range 1 gets five replicas; then a
// steady cluster makes no moves for several seconds.
func TestPlacementReplicatesAndBalancesAsNodesJoin(t *testing.T) {
	c := placementCluster(t, 5)
	c.bootstrap(0)
	conn := c.conn(0)
	exec(t, conn, "CREATE TABLE b (id INT PRIMARY KEY, v INT)")
	insertRows(t, conn, "b", 0, 400, func(i int) string { return fmt.Sprintf("%d, %d", i, i) })
	exec(t, conn, "SPLIT TABLE b BETWEEN (0) AND (400) REGIONS 16")

	c.wait(c.start(1, 2), 2)
	waitFor(t, "three voters everywhere", 120*time.Second, func() (bool, string) {
		rs := tableRegions(t, conn, "b")
		return len(rs) == 16 && c.allReplicated(rs), c.progress(rs)
	})
	c.wait(c.start(3, 4), 2)
	waitFor(t, "replicas and leaders balanced on five stores", 180*time.Second, func() (bool, string) {
		reps, leads := c.storeCounts(5)
		d := c.leaderDesc(1)
		return balanced(reps) && balanced(leads) && d != nil && len(d.Replicas) == 5,
			fmt.Sprintf("replicas %v, leaders %v, range 1 %v", reps, leads, d)
	})
	if got := countRows(t, c.conn(4), "b"); got != 400 {
		t.Fatalf("count = %d, want 400", got)
	}
	// Steady: nothing is decided for a while (the last moves may still
	// be logged as they end, so let those settle first).
	time.Sleep(2 * time.Second)
	before := len(decisions(t, conn))
	time.Sleep(5 * time.Second)
	if ds := decisions(t, conn); len(ds) != before {
		t.Fatalf("a steady cluster made %d moves: %+v", len(ds)-before, ds[:len(ds)-before])
	}
}

// TestPlacementReplacesADeadNode: with server.time_until_store_dead at a
// few seconds, a stopped node's replicas are replaced on the live nodes
// from snapshots, every range has three voters none of them on the dead
// node, and every row reads back.
func TestPlacementReplacesADeadNode(t *testing.T) {
	c := placementCluster(t, 4)
	c.bootstrap(0, 1, 2, 3)
	conn := c.conn(0)
	exec(t, conn, "SET CLUSTER SETTING server.time_until_store_dead = '3s'")
	exec(t, conn, "CREATE TABLE d (id INT PRIMARY KEY, v INT)")
	insertRows(t, conn, "d", 0, 300, func(i int) string { return fmt.Sprintf("%d, %d", i, i) })
	exec(t, conn, "SPLIT TABLE d BETWEEN (0) AND (300) REGIONS 6")
	waitFor(t, "three voters everywhere", 90*time.Second, func() (bool, string) {
		rs := tableRegions(t, conn, "d")
		return len(rs) == 6 && c.allReplicated(rs), c.progress(rs)
	})
	// Stop the node with the most replicas that is not node 1 (whose
	// connection the test uses).
	victim := 1
	for i := 2; i < 4; i++ {
		if r, _ := c.nodes[i].srv.ReplicaCounts(); r > func() int { r, _ := c.nodes[victim].srv.ReplicaCounts(); return r }() {
			victim = i
		}
	}
	dead := c.nodes[victim].srv.NodeID()
	c.nodes[victim].srv.Stop()
	c.nodes[victim].srv = nil
	waitFor(t, "the dead node's replicas replaced", 120*time.Second, func() (bool, string) {
		rs := tableRegions(t, conn, "d")
		for _, r := range rs {
			for _, p := range r.peers {
				if p == fmt.Sprint(int64(dead)) {
					return false, fmt.Sprintf("r%d still on node %d: %v", r.id, dead, r.peers)
				}
			}
		}
		return len(rs) == 6 && c.allReplicated(rs), c.progress(rs)
	})
	if got := countRows(t, conn, "d"); got != 300 {
		t.Fatalf("count = %d, want 300", got)
	}
	ds := decisions(t, conn)
	found := false
	for _, d := range ds {
		if d.kind == "add-replica" && strings.Contains(d.reason, "dead") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no replacement decision names the dead store: %+v", ds)
	}
}

// TestPlacementDriverFailsOverUnderLoad: range 1's leader (where the
// driver decides) is stopped while a table keeps growing past a tiny
// range_max_bytes; another node's driver takes over and goes on
// splitting, timestamps from the TSO stay strictly increasing throughout,
// no split is made twice, and every acknowledged row reads back.
func TestPlacementDriverFailsOverUnderLoad(t *testing.T) {
	c := placementCluster(t, 4)
	c.bootstrap(0, 1, 2, 3)
	leader := c.leaderOf(1)
	if leader < 0 {
		t.Fatal("no leader of range 1")
	}
	other := (leader + 1) % 4
	conn := c.conn(other)
	exec(t, conn, "SET CLUSTER SETTING range_max_bytes = '32 KiB'")
	exec(t, conn, "SET CLUSTER SETTING range_min_bytes = '0 B'")
	exec(t, conn, "CREATE TABLE f (id INT PRIMARY KEY, v TEXT)")

	// TSO: a client on a node that survives asks for timestamps
	// throughout; each must be above the last.
	stop := make(chan struct{})
	var wg sync.WaitGroup
	var tsoErr atomic.Value
	var stamps atomic.Int64
	wg.Add(1)
	go func() {
		defer wg.Done()
		db := c.nodes[other].srv.DB()
		var last kvpb.Timestamp
		for {
			select {
			case <-stop:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
			ts, err := db.Now(ctx)
			cancel()
			if err != nil {
				continue // range 1 electing: retried
			}
			if ts <= last {
				tsoErr.Store(fmt.Sprintf("timestamp %d after %d", ts, last))
				return
			}
			last = ts
			stamps.Add(1)
			time.Sleep(time.Millisecond)
		}
	}()
	defer func() {
		close(stop)
		wg.Wait()
	}()

	pad := strings.Repeat("z", 200)
	load := func(from, to int) {
		insertRows(t, conn, "f", from, to, func(i int) string { return fmt.Sprintf("%d, '%s'", i, pad) })
	}
	load(0, 600)
	waitFor(t, "splits by the first driver", 60*time.Second, func() (bool, string) {
		n := countKind(decisions(t, conn), "split")
		return n >= 2, fmt.Sprintf("%d splits", n)
	})
	c.nodes[leader].srv.Stop()
	c.nodes[leader].srv = nil
	waitFor(t, "another node's driver taking over", 60*time.Second, func() (bool, string) {
		for i, nd := range c.nodes {
			if i != leader && nd.srv.PlacementActive() {
				return true, ""
			}
		}
		return false, "no driver active"
	})
	before := countKind(decisions(t, conn), "split")
	load(600, 1500)
	waitFor(t, "splits by the new driver", 90*time.Second, func() (bool, string) {
		n := countKind(decisions(t, conn), "split")
		return n > before+1, fmt.Sprintf("%d splits, %d before the takeover", n, before)
	})
	seen := map[string]bool{}
	for _, d := range decisions(t, conn) {
		if d.kind != "split" || d.outcome != "" {
			continue
		}
		if seen[d.splitKey] {
			t.Fatalf("split at %s made twice", d.splitKey)
		}
		seen[d.splitKey] = true
	}
	if got := countRows(t, conn, "f"); got != 1500 {
		t.Fatalf("count = %d, want 1500", got)
	}
	if v := tsoErr.Load(); v != nil {
		t.Fatalf("TSO went backwards: %v", v)
	}
	if stamps.Load() == 0 {
		t.Fatal("no timestamp was handed out")
	}
}

// TestPlacementSplitsAHotRange: reads above range_split_qps for a few
// rounds split the table's range at a key that halves its load.
func TestPlacementSplitsAHotRange(t *testing.T) {
	c := placementCluster(t, 3)
	c.bootstrap(0, 1, 2)
	conn := c.conn(0)
	exec(t, conn, "SET CLUSTER SETTING range_split_qps = 30")
	exec(t, conn, "SET CLUSTER SETTING range_min_bytes = '0 B'")
	exec(t, conn, "CREATE TABLE h (id INT PRIMARY KEY, v INT)")
	insertRows(t, conn, "h", 0, 200, func(i int) string { return fmt.Sprintf("%d, %d", i, i) })
	before := len(tableRegions(t, conn, "h"))
	deadline := time.Now().Add(60 * time.Second)
	i := 0
	for time.Now().Before(deadline) {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var v int
		err := conn.QueryRow(ctx, "SELECT v FROM h WHERE id = $1", i%200).Scan(&v)
		cancel()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		i++
		if i%50 == 0 && len(tableRegions(t, conn, "h")) > before {
			break
		}
	}
	if n := len(tableRegions(t, conn, "h")); n <= before {
		t.Fatalf("%d reads: still %d ranges", i, n)
	}
	found := false
	for _, d := range decisions(t, conn) {
		if d.kind == "split" && d.outcome == "" && strings.Contains(d.reason, "range_split_qps") {
			found = true
		}
	}
	if !found {
		t.Fatalf("no split for load in %+v", decisions(t, conn))
	}
}
