package cluster

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// TestMergeRanges: a table split into four ranges on three nodes; two
// adjacent ones are led from one node and merged there while a client
// inserts rows into both of them through another node. Every insert
// succeeds (the retries of frozen and re-routed batches are invisible to
// the client), every row reads back through SQL on every node, SHOW
// RANGES lists one range fewer, and writes go on.
func TestMergeRanges(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	a := c.conn(0)
	exec(t, a, "CREATE TABLE mt (k INT PRIMARY KEY, v INT)")
	insertRows(t, a, "mt", 0, 100, func(i int) string { return fmt.Sprintf("%d, %d", i*10, i) })
	exec(t, a, "SPLIT TABLE mt BY (250), (500), (750)")
	rs := waitRegions(t, c, a, "SHOW TABLE mt REGIONS", 4)
	before := len(mustQuery(t, a, "SHOW RANGES"))
	left, right := kvpb.RangeID(rs[1].id), kvpb.RangeID(rs[2].id)

	n := c.leadBoth(t, left, right)

	// A writer through another node, into both halves: keys not a
	// multiple of 10 in [250, 750), alternating between them.
	var keys []int
	for k := 251; k < 500; k++ {
		if k%10 != 0 {
			keys = append(keys, k, k+250)
		}
	}
	w := c.conn((n + 1) % 3)
	var (
		wg    sync.WaitGroup
		stop  atomic.Bool
		acked atomic.Int64
		mu    sync.Mutex
		werr  error
	)
	wg.Add(1)
	go func() {
		defer wg.Done()
		for _, k := range keys {
			if stop.Load() {
				return
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			_, err := w.Exec(ctx, fmt.Sprintf("INSERT INTO mt VALUES (%d, -1)", k))
			cancel()
			if err != nil {
				mu.Lock()
				werr = fmt.Errorf("insert %d: %w", k, err)
				mu.Unlock()
				return
			}
			acked.Add(1)
		}
	}()
	for acked.Load() < 20 {
		time.Sleep(5 * time.Millisecond)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	m, err := c.nodes[n].srv.MergeRangesForTesting(ctx, left, right)
	cancel()
	if err != nil {
		t.Fatalf("merge r%d r%d: %v", left, right, err)
	}
	if m.RangeID != left {
		t.Fatalf("merged %v", m)
	}
	atMerge := acked.Load()
	for acked.Load() < atMerge+20 && acked.Load() < int64(len(keys)) {
		time.Sleep(5 * time.Millisecond)
	}
	stop.Store(true)
	wg.Wait()
	if werr != nil {
		t.Fatalf("the writer saw an error: %v", werr)
	}
	t.Logf("%d inserts acknowledged, %d before the merge returned", acked.Load(), atMerge)

	waitRegions(t, c, a, "SHOW TABLE mt REGIONS", 3)
	want := fmt.Sprint(100 + acked.Load())
	for i := range 3 {
		conn := c.conn(i)
		check{sql: "SELECT count(*) FROM mt", want: []string{want}}.run(t, conn, fmt.Sprintf("node %d", i+1))
		check{sql: "SELECT count(*) FROM mt WHERE k >= 250 AND k < 750", want: []string{fmt.Sprint(50 + acked.Load())}}.run(t, conn, fmt.Sprintf("node %d", i+1))
		check{sql: "SELECT v FROM mt WHERE k = 600", want: []string{"60"}}.run(t, conn, fmt.Sprintf("node %d", i+1))
	}
	if after := len(mustQuery(t, a, "SHOW RANGES")); after != before-1 {
		t.Fatalf("SHOW RANGES lists %d ranges after the merge, %d before", after, before)
	}
	exec(t, a, "INSERT INTO mt VALUES (555, 1)")
	exec(t, c.conn(2), "UPDATE mt SET v = v + 1 WHERE k >= 250 AND k < 750")
	check{sql: "SELECT count(*) FROM mt WHERE v = 0", want: []string{fmt.Sprint(acked.Load() + 1)}}.run(t, a, "after the update") // and k = 0
}

// leadBoth moves the leadership of right to the node leading left, and
// returns that node's index.
func (c *testCluster) leadBoth(t *testing.T, left, right kvpb.RangeID) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		if n := c.leaderOf(left); n >= 0 {
			if c.nodes[n].srv.LeadsRange(right) {
				return n
			}
			if l := c.leaderOf(right); l >= 0 {
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				_ = c.nodes[l].srv.TransferRangeLeadership(ctx, right, c.nodes[n].srv.NodeID())
				cancel()
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("no node leads both r%d and r%d", left, right)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestMergeRecoveryAfterSubsume: a merge whose coordinator stops after
// the subsume (the right range frozen, nothing merged) is finished by
// the recovery of the node leading both ranges; reads and writes of the
// frozen range's rows wait for it (retried in the DistSender) or succeed
// after it.
func TestMergeRecoveryAfterSubsume(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	a := c.conn(0)
	exec(t, a, "CREATE TABLE mr (k INT PRIMARY KEY, v INT)")
	insertRows(t, a, "mr", 0, 100, func(i int) string { return fmt.Sprintf("%d, %d", i*10, i) })
	exec(t, a, "SPLIT TABLE mr BY (500)")
	rs := waitRegions(t, c, a, "SHOW TABLE mr REGIONS", 2)
	left, right := kvpb.RangeID(rs[0].id), kvpb.RangeID(rs[1].id)
	n := c.leadBoth(t, left, right)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	err := c.nodes[n].srv.SubsumeRangeForTesting(ctx, left, right)
	cancel()
	if err != nil {
		t.Fatal(err)
	}
	if !c.nodes[n].srv.RangeFrozen(right) {
		t.Fatalf("r%d not frozen", right)
	}
	// A write to the frozen range waits (the DistSender retries) until
	// the recovery merged it.
	start := time.Now()
	exec(t, c.conn((n+1)%3), "INSERT INTO mr VALUES (605, 0)")
	t.Logf("an insert into the frozen range took %s", time.Since(start).Round(time.Millisecond))
	waitRegions(t, c, a, "SHOW TABLE mr REGIONS", 1)
	for i := range 3 {
		check{sql: "SELECT count(*), sum(v) FROM mr", want: []string{"101 4950"}}.run(t, c.conn(i), fmt.Sprintf("node %d", i+1))
	}
	exec(t, c.conn(1), "INSERT INTO mr VALUES (505, 1)")
	check{sql: "SELECT v FROM mr WHERE k = 505", want: []string{"1"}}.run(t, a, "after the merge")
}
