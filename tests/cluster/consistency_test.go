package cluster

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// consistencyTimeout bounds the check run after every test.
const consistencyTimeout = 10 * time.Second

// checkConsistency checks, after a test, that the voters of every range
// on the nodes still running hold the same replicated data: for each range
// any running node holds a replica of, in turn, the leader proposes a
// checksum, every replica computes it at the same log index, and the test
// fails if any two sums differ. A range with fewer than a quorum of its
// voters running has no leader to ask, and is skipped with a log line. A
// voter that does not compute the sum in time (one caught up by a snapshot
// past it, say) is left out after a few tries, with a log line; no
// checksum taken at all of a range whose quorum runs fails the test.
func (c *testCluster) checkConsistency() {
	t := c.t
	if t.Failed() {
		return // the failure says more than a check of what it left
	}
	var running []*node
	for _, nd := range c.nodes {
		if nd.srv != nil && nd.srv.Serving() {
			running = append(running, nd)
		}
	}
	if len(running) == 0 {
		return
	}
	// The placement driver would split, merge and move ranges under the
	// check: stop it first, everywhere.
	pctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	for _, nd := range running {
		if err := nd.srv.PausePlacementForTesting(pctx); err != nil {
			t.Logf("consistency check: pausing node %d's placement driver: %v", nd.srv.NodeID(), err)
		}
	}
	cancel()
	var ids []kvpb.RangeID
	for _, nd := range running {
		for _, id := range nd.srv.RangeIDs() {
			if !slices.Contains(ids, id) {
				ids = append(ids, id)
			}
		}
	}
	slices.Sort(ids)
	if len(ids) == 0 {
		t.Logf("consistency check skipped: no running node holds an initialized replica")
		return
	}
	for _, id := range ids {
		if !c.checkRangeConsistency(running, id) {
			return
		}
	}
}

// rangeDescriptor returns range id's descriptor as its leader among
// running holds it, else as the first running node holding a replica
// does, or nil.
func rangeDescriptor(running []*node, id kvpb.RangeID) *kvpb.RangeDescriptor {
	var held *kvpb.RangeDescriptor
	for _, nd := range running {
		d, err := nd.srv.RangeDescriptor(id)
		if err != nil || len(d.EndKey) == 0 {
			continue
		}
		if nd.srv.LeadsRange(id) {
			return d
		}
		if held == nil {
			held = d
		}
	}
	return held
}

// checkRangeConsistency is checkConsistency for range id; it returns
// false once the test failed.
func (c *testCluster) checkRangeConsistency(running []*node, id kvpb.RangeID) bool {
	t := c.t
	desc := rangeDescriptor(running, id)
	if desc == nil {
		t.Logf("consistency check of range %d skipped: no running node has an initialized replica of it", id)
		return true
	}
	voters, up := 0, 0
	for _, rd := range desc.Replicas {
		if rd.Learner {
			continue
		}
		voters++
		for _, nd := range running {
			if nd.srv.NodeID() == rd.NodeID {
				up++
			}
		}
	}
	if up <= voters/2 {
		t.Logf("consistency check of range %d skipped: %d of range %d's %d voters run", id, up, id, voters)
		return true
	}
	deadline := time.Now().Add(consistencyTimeout)
	var missing []string
	took := false
	for time.Now().Before(deadline) {
		sums, miss, ok := c.checksumOnce(running, id, deadline)
		if !ok {
			continue
		}
		took = true
		var first []byte
		var all []string
		agree := true
		for n, sum := range sums {
			if first == nil {
				first = sum
			}
			agree = agree && bytes.Equal(sum, first)
			all = append(all, fmt.Sprintf("n%d=%x", n, sum[:8]))
		}
		slices.Sort(all)
		if !agree {
			t.Errorf("range %d's replicas disagree: %s", id, strings.Join(all, " "))
			return false
		}
		if len(miss) == 0 {
			t.Logf("consistency check: range %d's running voters %s agree", id, strings.Join(all, " "))
			return !t.Failed()
		}
		missing = miss
	}
	if !took {
		// A quorum of the voters runs: a leader must take the checksum.
		t.Errorf("consistency check: no leader of range %d took a checksum within %s", id, consistencyTimeout)
		return false
	}
	t.Logf("consistency check of range %d: %s computed no checksum within %s", id, strings.Join(missing, ", "), consistencyTimeout)
	return !t.Failed()
}

// checksumOnce has range id's leader, among running, compute a checksum,
// and waits until deadline for the voters on running nodes to compute it
// too. It returns each sum by node, the voters that did not compute it,
// and false when no leader took the checksum.
func (c *testCluster) checksumOnce(running []*node, id kvpb.RangeID, deadline time.Time) (map[kvpb.NodeID][]byte, []string, bool) {
	var leader *node
	for _, nd := range running {
		if nd.srv.LeadsRange(id) {
			leader = nd
		}
	}
	if leader == nil {
		time.Sleep(20 * time.Millisecond)
		return nil, nil, false
	}
	ctx, cancel := context.WithDeadline(context.Background(), deadline)
	defer cancel()
	checksumID, index, err := leader.srv.ComputeRangeChecksum(ctx, id)
	if err != nil {
		time.Sleep(20 * time.Millisecond)
		return nil, nil, false // leadership moved: ask again
	}
	desc, err := leader.srv.RangeDescriptor(id)
	if err != nil {
		return nil, nil, false
	}
	want := map[kvpb.NodeID]*node{}
	for _, rd := range desc.Replicas {
		for _, nd := range running {
			if nd.srv.NodeID() == rd.NodeID && !rd.Learner {
				want[rd.NodeID] = nd
			}
		}
	}
	sums := map[kvpb.NodeID][]byte{}
	// Give up on this checksum after a third of the check's time, so a
	// replica that skipped it gets another.
	giveUp := time.Now().Add(consistencyTimeout / 3)
	for {
		for n, nd := range want {
			if sum, at, ok := nd.srv.RangeChecksum(id, checksumID); ok {
				if at != index {
					c.t.Errorf("n%d computed checksum %x of range %d at index %d, the leader at %d", n, checksumID, id, at, index)
				}
				sums[n] = sum
				delete(want, n)
			}
		}
		if len(want) == 0 || time.Now().After(giveUp) || time.Now().After(deadline) {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	var miss []string
	for n := range want {
		miss = append(miss, fmt.Sprintf("n%d", n))
	}
	return sums, miss, true
}

// TestRemoveAReplicaOfRange1: on four nodes, range 1's leader removes the
// replica of one of its followers. The follower's store destroys it (a
// replica it holds afterwards has a new id: the old one cannot come back),
// the range goes on with the other voters and gets back to three (the
// replicate loop adds one), every node still serves every row, and the
// voters agree (the consistency check after the test).
func TestRemoveAReplicaOfRange1(t *testing.T) {
	c := newCluster(t, 4)
	c.bootstrap(0, 1, 2, 3)
	voters := func() (n int) {
		for _, nd := range c.nodes {
			if nd.srv.HoldsVoterOfRange1() {
				n++
			}
		}
		return n
	}
	waitUntil(t, "three voters of range 1", 30*time.Second, func() bool { return voters() == 3 })
	conns := []*pgx.Conn{c.conn(0), c.conn(1), c.conn(2), c.conn(3)}
	exec(t, conns[0], "CREATE TABLE rm (k INT PRIMARY KEY, v TEXT)")
	for i := range 40 {
		exec(t, conns[i%4], "INSERT INTO rm VALUES ($1, 'x')", i)
	}

	leader := c.leaderOfRange1(10*time.Second, 0, 1, 2, 3)
	desc, err := c.nodes[leader].srv.RangeDescriptor(1)
	if err != nil {
		t.Fatal(err)
	}
	var victim *node
	var old kvpb.ReplicaDescriptor
	for _, rd := range desc.Replicas {
		for _, nd := range c.nodes {
			if nd.srv.NodeID() == rd.NodeID && nd != c.nodes[leader] && !rd.Learner {
				victim, old = nd, rd
			}
		}
	}
	if victim == nil {
		t.Fatalf("range 1 has no follower voter: %v", desc)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := c.nodes[leader].srv.RemoveRangeReplica(ctx, 1, old.NodeID); err != nil {
		t.Fatalf("removing n%d's replica: %v", old.NodeID, err)
	}
	// The removed replica is gone from the victim's store: it holds no
	// replica, or (re-added by the replicate loop) one with a new id.
	waitUntil(t, "destruction of the removed replica", 30*time.Second, func() bool {
		d, err := victim.srv.RangeDescriptor(1)
		if rnf := (*kvpb.RangeNotFoundError)(nil); errors.As(err, &rnf) {
			return true
		}
		if err != nil {
			return false
		}
		rd, ok := d.Replica(old.StoreID)
		return ok && rd.ReplicaID > old.ReplicaID
	})
	exec(t, conns[0], "INSERT INTO rm VALUES (100, 'after')")
	waitUntil(t, "three voters of range 1 again", 30*time.Second, func() bool { return voters() == 3 })
	for i, conn := range conns {
		if got := rows(t, conn, "SELECT count(*) FROM rm"); got != "41" {
			t.Fatalf("node %d counts %s rows after the removal", i+1, got)
		}
	}
}
