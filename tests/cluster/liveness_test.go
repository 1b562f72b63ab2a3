package cluster

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"google.golang.org/grpc/codes"
	"google.golang.org/grpc/status"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/server/rpc"
)

// Short liveness timings, so that a stopped node turns dead quickly.
const (
	testHeartbeat   = 200 * time.Millisecond
	testLivenessTTL = 1500 * time.Millisecond
)

// nodeStatus asks node i for every node's status.
func (c *testCluster) nodeStatus(i int) ([]rpc.NodeStatus, error) {
	cl, err := rpc.Dial(c.nodes[i].cfg.ListenAddr)
	if err != nil {
		return nil, err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return cl.CallNodeStatus(ctx)
}

func (c *testCluster) decommission(i int, id kvpb.NodeID) (rpc.NodeStatus, error) {
	cl, err := rpc.Dial(c.nodes[i].cfg.ListenAddr)
	if err != nil {
		return rpc.NodeStatus{}, err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	return cl.CallDecommission(ctx, id)
}

func statusLine(nodes []rpc.NodeStatus) string {
	var b strings.Builder
	for _, n := range nodes {
		fmt.Fprintf(&b, "[n%d %s r=%d l=%d b=%d] ", n.NodeID, n.Liveness, n.Ranges, n.Leaders, n.UsedBytes)
	}
	return b.String()
}

// waitStatus polls node i's status until ok accepts it.
func (c *testCluster) waitStatus(i int, what string, d time.Duration, ok func([]rpc.NodeStatus) bool) []rpc.NodeStatus {
	c.t.Helper()
	deadline := time.Now().Add(d)
	var last []rpc.NodeStatus
	var lastErr error
	for {
		nodes, err := c.nodeStatus(i)
		if err == nil && ok(nodes) {
			return nodes
		}
		if err == nil {
			last = nodes
		}
		lastErr = err
		if time.Now().After(deadline) {
			c.t.Fatalf("no %s within %s: last status %s (err %v)", what, d, statusLine(last), lastErr)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestLivenessDecommissionAndDeadNode: four nodes heartbeat liveness
// records that `node status` lists as live, with each node's replicas and
// leaders; decommissioning range 1's leader moves its replica to the
// fourth node (leadership handed away first) and leaves range 1 with
// three voters, none on it, every row written before and after readable
// through every other node; a stopped node turns dead within the TTL.
func TestLivenessDecommissionAndDeadNode(t *testing.T) {
	c := newCluster(t, 4)
	for _, nd := range c.nodes {
		nd.cfg.LivenessHeartbeatInterval = testHeartbeat
		nd.cfg.LivenessTTL = testLivenessTTL
	}
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	conn := c.conn(0)
	exec(t, conn, "CREATE TABLE kv (k INT PRIMARY KEY, v TEXT)")
	exec(t, conn, "INSERT INTO kv VALUES (1, 'before'), (2, 'before')")

	c.wait(c.start(3), 1)
	// Every node live; the ranges' (range 1's and the table's) three
	// replicas each and one leader each are reported by the nodes that
	// hold them, the newcomer holds none.
	c.waitStatus(3, "four live nodes", 20*time.Second, func(ns []rpc.NodeStatus) bool {
		if len(ns) != 4 {
			return false
		}
		ranges, leaders := 0, 0
		for i, n := range ns {
			if n.NodeID != kvpb.NodeID(i+1) || n.Liveness != "live" || n.Address != c.nodes[i].cfg.ListenAddr || n.UsedBytes == 0 {
				return false
			}
			ranges += n.Ranges
			leaders += n.Leaders
		}
		return leaders >= 2 && ranges == 3*leaders && ns[3].Ranges == 0
	})

	// Decommission range 1's leader: a replacement on node 4, the
	// leadership handed away, then its replica removed.
	leader := -1
	for i, nd := range c.nodes[:3] {
		if nd.srv.LeadsRange1() {
			leader = i
		}
	}
	if leader < 0 {
		t.Fatal("no node of the first three leads range 1")
	}
	gone := c.nodes[leader].srv.NodeID()
	other := (leader + 1) % 3
	st, err := c.decommission(other, gone)
	if err != nil {
		t.Fatalf("decommission n%d: %v", gone, err)
	}
	if st.NodeID != gone || !st.Decommissioning || st.Liveness != "decommissioning" {
		t.Fatalf("decommission answered %+v", st)
	}
	if st, err := c.decommission(3, gone); err != nil || !st.Decommissioning {
		t.Fatalf("decommissioning again: %+v, %v", st, err)
	}
	_, err = c.decommission(other, 9)
	if status.Code(err) != codes.NotFound || !strings.Contains(err.Error(), "unknown node") {
		t.Fatalf("decommissioning an unknown node: %v", err)
	}

	deadline := time.Now().Add(60 * time.Second)
	for {
		desc, err := c.nodes[3].srv.RangeDescriptor(1)
		if err == nil && len(desc.EndKey) > 0 {
			voters, learners := 0, 0
			_, onGone := desc.Replica(kvpb.StoreID(gone))
			for _, rd := range desc.Replicas {
				if rd.Learner {
					learners++
				} else {
					voters++
				}
			}
			if voters == 3 && learners == 0 && !onGone {
				break
			}
		}
		if time.Now().After(deadline) {
			t.Fatalf("range 1 is %v after decommissioning n%d", desc, gone)
		}
		time.Sleep(50 * time.Millisecond)
	}
	c.waitStatus(3, "a decommissioned node", 20*time.Second, func(ns []rpc.NodeStatus) bool {
		for _, n := range ns {
			if n.NodeID == gone {
				return n.Liveness == "decommissioned" && n.Ranges == 0
			}
		}
		return false
	})

	var staying []int
	for i := range c.nodes {
		if i != leader {
			staying = append(staying, i)
		}
	}
	exec(t, c.conn(staying[0]), "INSERT INTO kv VALUES (3, 'after')")
	for _, i := range staying {
		if got, want := rows(t, c.conn(i), "SELECT k, v FROM kv ORDER BY k"), "1before; 2before; 3after"; got != want {
			t.Fatalf("node %d reads %q, want %q", i+1, got, want)
		}
	}

	// A stopped node turns dead once its last heartbeat's TTL lapses.
	victim := staying[len(staying)-1]
	victimID := c.nodes[victim].srv.NodeID()
	stopped := time.Now()
	c.nodes[victim].srv.Stop()
	asker := staying[0]
	c.waitStatus(asker, "a dead node", testLivenessTTL+5*time.Second, func(ns []rpc.NodeStatus) bool {
		for _, n := range ns {
			if n.NodeID == victimID {
				return n.Liveness == "dead"
			}
		}
		return false
	})
	if took := time.Since(stopped); took < testLivenessTTL-testHeartbeat {
		t.Fatalf("n%d was dead %s after it stopped, before its TTL (%s) could lapse", victimID, took, testLivenessTTL)
	} else {
		t.Logf("n%d dead %s after it stopped (TTL %s)", victimID, took, testLivenessTTL)
	}
}
