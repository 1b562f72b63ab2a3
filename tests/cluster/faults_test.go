package cluster

import (
	"context"
	"fmt"
	"log/slog"
	"math/rand"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/raftstore"
)

// link is the direction from one node to another that a fault rule applies
// to; nodes are named by their ids (which join order assigns, so a test maps
// c.nodes[i] to srv.NodeID() once the cluster is up).
type link struct{ from, to kvpb.NodeID }

// rule is what happens to the raft messages sent over a link.
type rule struct {
	drop  bool          // every message is lost
	p     float64       // each message is lost with probability p
	delay time.Duration // the survivors arrive d late
}

// delayQueueLen bounds the messages waiting out a delay on one link; beyond
// it they are dropped, as the gRPC transport drops on a full queue (raft
// retransmits).
const delayQueueLen = 1024

// faults holds the fault rules of a cluster's raft links and the goroutines
// that deliver delayed messages. Only raft messages (snapshots included: a
// MsgSnap goes through Send too) are affected; the node-to-node calls of
// DistSender, gossip and the TSO go over their own gRPC connections.
type faults struct {
	// mu guards the rules, the random source and the delay queues.
	mu struct {
		sync.Mutex
		rules   map[link]rule
		rng     *rand.Rand
		queues  map[link]chan delayed
		stopped bool
	}
	stop chan struct{}
	wg   sync.WaitGroup
}

// delayed is a batch of messages for one link to hand to the inner
// transport at a given time.
type delayed struct {
	at    time.Time
	inner raftstore.Transport
	msgs  []*raftstore.RaftMessage
}

// withFaults installs a fault transport on every node of c (before they are
// started) and stops its delay goroutines at cleanup. The cleanup runs
// before newCluster's (cleanups run last registered first), so the nodes
// stop with every rule healed and nothing held back.
func withFaults(c *testCluster) *faults {
	f := &faults{stop: make(chan struct{})}
	f.mu.rules = map[link]rule{}
	f.mu.rng = rand.New(rand.NewSource(1))
	f.mu.queues = map[link]chan delayed{}
	for _, nd := range c.nodes {
		nd.cfg.TestingRaftTransport = func(self kvpb.NodeID, inner raftstore.Transport) raftstore.Transport {
			return &faultTransport{f: f, self: self, inner: inner}
		}
	}
	c.t.Cleanup(f.close)
	return f
}

// close heals every link, ends the delay goroutines and waits for them;
// messages sent afterwards pass straight through.
func (f *faults) close() {
	f.mu.Lock()
	clear(f.mu.rules)
	f.mu.stopped = true
	f.mu.Unlock()
	close(f.stop)
	f.wg.Wait()
}

// partition drops every raft message between a node of a and a node of b,
// both ways.
func (f *faults) partition(a, b []kvpb.NodeID) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range a {
		for _, y := range b {
			f.mu.rules[link{x, y}] = rule{drop: true}
			f.mu.rules[link{y, x}] = rule{drop: true}
		}
	}
}

// set sets the rule of every link between two distinct nodes of ids.
func (f *faults) set(ids []kvpb.NodeID, r rule) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, x := range ids {
		for _, y := range ids {
			if x != y {
				f.mu.rules[link{x, y}] = r
			}
		}
	}
}

// heal removes every rule.
func (f *faults) heal() {
	f.mu.Lock()
	defer f.mu.Unlock()
	clear(f.mu.rules)
}

// faultTransport is one node's raft transport seen through the faults.
type faultTransport struct {
	f     *faults
	self  kvpb.NodeID
	inner raftstore.Transport
}

// Send implements raftstore.Transport. Like the transport it wraps it never
// blocks: a message is dropped, passed on, or queued on its link's bounded
// delay queue.
func (t *faultTransport) Send(msgs []*raftstore.RaftMessage) {
	var now []*raftstore.RaftMessage
	late := map[link][]*raftstore.RaftMessage{}
	f := t.f
	f.mu.Lock()
	for _, m := range msgs {
		l := link{t.self, m.To.NodeID}
		r := f.mu.rules[l]
		if r.drop || (r.p > 0 && f.mu.rng.Float64() < r.p) {
			continue
		}
		if r.delay > 0 && !f.mu.stopped {
			late[l] = append(late[l], m)
			continue
		}
		now = append(now, m)
	}
	for l, ms := range late {
		q := f.queueLocked(l)
		select {
		case q <- delayed{at: time.Now().Add(f.mu.rules[l].delay), inner: t.inner, msgs: ms}:
		default: // full: lost, as on a congested link
		}
	}
	f.mu.Unlock()
	if len(now) > 0 {
		t.inner.Send(now)
	}
}

// queueLocked returns l's delay queue, starting its goroutine.
func (f *faults) queueLocked(l link) chan delayed {
	q := f.mu.queues[l]
	if q == nil {
		q = make(chan delayed, delayQueueLen)
		f.mu.queues[l] = q
		f.wg.Add(1)
		go func() {
			defer f.wg.Done()
			f.deliver(q)
		}()
	}
	return q
}

// deliver hands each batch of q to its inner transport once its time has
// come, in order (a link's delay is the same for every batch queued under
// one rule), until the faults are closed; what is still queued then is
// dropped.
func (f *faults) deliver(q chan delayed) {
	timer := time.NewTimer(time.Hour)
	defer timer.Stop()
	for {
		var d delayed
		select {
		case d = <-q:
		case <-f.stop:
			return
		}
		if wait := time.Until(d.at); wait > 0 {
			timer.Reset(wait)
			select {
			case <-timer.C:
			case <-f.stop:
				return
			}
		}
		d.inner.Send(d.msgs)
	}
}

// startFaulty starts a three-node cluster with a fault transport, inits it
// and waits for three voters of range 1.
func startFaulty(t *testing.T) (*testCluster, *faults) {
	c := newCluster(t, 3)
	f := withFaults(c)
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	return c, f
}

// ids returns the node ids of c's nodes at the given indexes.
func (c *testCluster) ids(idx ...int) []kvpb.NodeID {
	var out []kvpb.NodeID
	for _, i := range idx {
		out = append(out, c.nodes[i].srv.NodeID())
	}
	return out
}

// leaderOfRange1 waits until one of the nodes at idx leads range 1 and
// returns its index.
func (c *testCluster) leaderOfRange1(d time.Duration, idx ...int) int {
	c.t.Helper()
	deadline := time.Now().Add(d)
	for {
		for _, i := range idx {
			if c.nodes[i].srv.LeadsRange1() {
				return i
			}
		}
		if time.Now().After(deadline) {
			c.t.Fatalf("none of nodes %v leads range 1 after %s", idx, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// waitCaughtUp waits until the leader of range 1 sees node i's replica
// match its commit index.
func (c *testCluster) waitCaughtUp(i int, d time.Duration, ranges ...kvpb.RangeID) {
	c.t.Helper()
	if len(ranges) == 0 {
		ranges = []kvpb.RangeID{1}
	}
	id := c.nodes[i].srv.NodeID()
	deadline := time.Now().Add(d)
	for _, r := range ranges {
		for caught := false; !caught; {
			for _, nd := range c.nodes {
				if match, commit := nd.srv.RangeProgress(r); match != nil && commit > 0 && match[id] >= commit {
					caught = true
				}
			}
			if caught {
				break
			}
			if time.Now().After(deadline) {
				c.t.Fatalf("node %d's replica of range %d did not reach the leader's commit index within %s", i+1, r, d)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
}

// tableRange returns the id of the one range of a table that was never
// split beyond its own range.
func tableRange(t *testing.T, conn *pgx.Conn, table string) kvpb.RangeID {
	t.Helper()
	var id int64
	if err := conn.QueryRow(context.Background(), "SHOW TABLE "+table+" REGIONS").Scan(&id, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil); err != nil {
		t.Fatalf("SHOW TABLE %s REGIONS: %v", table, err)
	}
	return kvpb.RangeID(id)
}

// others returns the indexes of the three nodes but i.
func others(i int) []int {
	var out []int
	for j := range 3 {
		if j != i {
			out = append(out, j)
		}
	}
	return out
}

// TestPartitionedFollowerCatchesUp: a follower cut off from both others
// misses N writes through the majority; once healed its replica of range 1
// reaches the leader's commit index and a read through it sees every row.
func TestPartitionedFollowerCatchesUp(t *testing.T) {
	c, f := startFaulty(t)
	leader := c.leaderOfRange1(10*time.Second, 0, 1, 2)
	follower := (leader + 1) % 3
	lc := c.conn(leader)
	exec(t, lc, "CREATE TABLE p (k INT PRIMARY KEY, v TEXT)")
	f.partition(c.ids(follower), c.ids(others(follower)...))
	const n = 150
	start := time.Now()
	for i := range n {
		exec(t, lc, "INSERT INTO p VALUES ($1, 'x')", i)
	}
	t.Logf("%d rows written through the majority in %s with node %d partitioned", n, time.Since(start).Round(time.Millisecond), follower+1)
	// The rows went to the table's own range; whoever leads it sees the
	// follower behind.
	pr := tableRange(t, lc, "p")
	for _, nd := range c.nodes {
		if match, commit := nd.srv.RangeProgress(pr); match != nil && match[c.nodes[follower].srv.NodeID()] >= commit {
			t.Fatalf("the partitioned follower matches %d of commit %d of range %d: the partition let messages through", match[c.nodes[follower].srv.NodeID()], commit, pr)
		}
	}
	f.heal()
	healed := time.Now()
	c.waitCaughtUp(follower, 30*time.Second, 1, pr)
	t.Logf("node %d caught up %s after the heal", follower+1, time.Since(healed).Round(time.Millisecond))
	if got := rows(t, c.conn(follower), "SELECT count(*) FROM p"); got != fmt.Sprint(n) {
		t.Fatalf("the healed follower counts %s rows, want %d", got, n)
	}
}

// TestPartitionedLeader: range 1's leader cut off from the other two; they
// elect a leader and take writes within seconds, while a read through the
// old leader's node either fails or sees the new value, never the old; once
// healed every node agrees.
func TestPartitionedLeader(t *testing.T) {
	c, f := startFaulty(t)
	old := c.leaderOfRange1(10*time.Second, 0, 1, 2)
	maj := others(old)
	oc, mc := c.conn(old), c.conn(maj[0])
	exec(t, oc, "CREATE TABLE l (k INT PRIMARY KEY, v INT)")
	exec(t, oc, "INSERT INTO l VALUES (1, 1)")
	exec(t, oc, "SET statement_timeout = 3000")

	f.partition(c.ids(old), c.ids(maj...))
	cut := time.Now()
	execWithin(t, mc, 30*time.Second, 5*time.Second, "UPDATE l SET v = 2 WHERE k = 1")
	newLeader := c.leaderOfRange1(time.Second, maj...)
	t.Logf("node %d leads range 1; first write through node %d %s after partitioning node %d (the old leader)",
		newLeader+1, maj[0]+1, time.Since(cut).Round(time.Millisecond), old+1)

	// Reads through the old leader's node for a few seconds: a stale
	// leader that answered from its own state would say 1.
	failed, fresh := 0, 0
	stillLeads := c.nodes[old].srv.LeadsRange1()
	for readStart := time.Now(); time.Since(readStart) < 4*time.Second; {
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		var v int
		err := oc.QueryRow(ctx, "SELECT v FROM l WHERE k = 1").Scan(&v)
		cancel()
		switch {
		case err != nil:
			failed++
			if oc.IsClosed() {
				oc = reconnect(t, c, old)
			}
		case v != 2:
			t.Fatalf("a read through the partitioned old leader returned v = %d after v = 2 was acknowledged", v)
		default:
			fresh++
		}
	}
	// The raft partition leaves the old leader's node-to-node RPCs up:
	// once it stepped down (CheckQuorum) its reads go to the new leader.
	t.Logf("reads through the partitioned old leader (leading range 1 when they began: %v): %d failed, %d returned the new value",
		stillLeads, failed, fresh)

	f.heal()
	deadline := time.Now().Add(30 * time.Second)
	for i := range 3 {
		conn := c.conn(i)
		for {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			var v int
			err := conn.QueryRow(ctx, "SELECT v FROM l WHERE k = 1").Scan(&v)
			cancel()
			if err == nil && v == 2 {
				break
			}
			if err == nil && v != 2 {
				t.Fatalf("node %d reads v = %d after the heal", i+1, v)
			}
			if time.Now().After(deadline) {
				t.Fatalf("node %d after the heal: %v", i+1, err)
			}
			time.Sleep(50 * time.Millisecond)
		}
	}
	exec(t, c.conn(old), "UPDATE l SET v = 3 WHERE k = 1")
	for i := range 3 {
		if got := rows(t, c.conn(i), "SELECT v FROM l"); got != "3" {
			t.Fatalf("node %d reads %s after a write through the healed old leader", i+1, got)
		}
	}
}

// reconnect opens a new connection to node i with statement_timeout 3 s.
func reconnect(t *testing.T, c *testCluster, i int) *pgx.Conn {
	t.Helper()
	conn := c.conn(i)
	exec(t, conn, "SET statement_timeout = 3000")
	return conn
}

// TestLossyLinks: with every raft link losing 20% of its messages and
// delaying the rest by 5 ms, 200 inserts through the three nodes in turn
// are all acknowledged and all visible through every node.
func TestLossyLinks(t *testing.T) {
	c, f := startFaulty(t)
	conns := []*pgx.Conn{c.conn(0), c.conn(1), c.conn(2)}
	exec(t, conns[0], "CREATE TABLE z (k INT PRIMARY KEY, n INT)")
	f.set(c.ids(0, 1, 2), rule{p: 0.2, delay: 5 * time.Millisecond})
	const n = 200
	start := time.Now()
	for i := range n {
		exec(t, conns[i%3], "INSERT INTO z VALUES ($1, $2)", i, i%3+1)
	}
	t.Logf("%d inserts acknowledged in %s over links dropping 20%% and delaying 5 ms", n, time.Since(start).Round(time.Millisecond))
	for i, conn := range conns {
		if got := rows(t, conn, "SELECT count(*), sum(k) FROM z"); got != fmt.Sprintf("%d %d", n, n*(n-1)/2) {
			t.Fatalf("node %d over lossy links: %s", i+1, got)
		}
	}
	f.heal()
	for i, conn := range conns {
		if got := rows(t, conn, "SELECT count(*) FROM z"); got != fmt.Sprint(n) {
			t.Fatalf("node %d after the heal: %s", i+1, got)
		}
	}
}

// TestFaultMessageForAReplicaNotYetCreated: a node whose raft links are cut
// from the start joins, and range 1's leader adds it as a learner, but no
// message reaches it: its store holds no replica of range 1. When the links
// heal, the first message for that replica creates it (uninitialized, from
// the message's header alone), a snapshot initializes it, it is promoted
// and serves every row written meanwhile.
func TestFaultMessageForAReplicaNotYetCreated(t *testing.T) {
	c := newCluster(t, 3)
	f := withFaults(c)
	logs := &syncBuffer{}
	c.nodes[2].cfg.Logger = slog.New(slog.NewTextHandler(logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	// Two nodes first; the third joins with the next id from the /System
	// counter, 3, and its links are cut before it starts, so not even
	// the leader's first message for its replica gets through.
	c.bootstrap(0, 1)
	waitVoters(t, c, 2)
	f.partition([]kvpb.NodeID{3}, c.ids(0, 1))
	c.wait(c.start(2), 1)
	if id := c.nodes[2].srv.NodeID(); id != 3 {
		t.Fatalf("the third node joined as n%d, want n3 (the partition names n3)", id)
	}
	// Range 1's leader adds it as a learner: the descriptor names a
	// replica its store does not have.
	deadline := time.Now().Add(30 * time.Second)
	for added := false; !added; {
		for _, nd := range c.nodes[:2] {
			if match, _ := nd.srv.Range1Progress(); match != nil {
				_, added = match[3]
			}
		}
		if time.Now().After(deadline) {
			t.Fatal("range 1's leader did not add a replica on n3")
		}
		time.Sleep(20 * time.Millisecond)
	}
	conn := c.conn(0)
	exec(t, conn, "CREATE TABLE u (k INT PRIMARY KEY)")
	for i := range 50 {
		exec(t, conn, "INSERT INTO u VALUES ($1)", i)
	}
	if c.nodes[2].srv.HoldsVoterOfRange1() || strings.Contains(logs.String(), "created an uninitialized replica") {
		t.Fatalf("node 3 has a replica of range 1 while cut off:\n%s", tail(logs.String(), 20))
	}
	f.heal()
	healed := time.Now()
	waitVoters(t, c, 3)
	t.Logf("node 3 holds a voter of range 1 %s after the heal", time.Since(healed).Round(time.Millisecond))
	if !strings.Contains(logs.String(), "created an uninitialized replica") {
		t.Fatalf("node 3's replica was not created by a message:\n%s", tail(logs.String(), 20))
	}
	// An uninitialized replica has no log to append to: only a snapshot
	// can give it the range's state.
	if !strings.Contains(logs.String(), "applied a snapshot") {
		t.Fatalf("node 3's replica was not initialized by a snapshot:\n%s", tail(logs.String(), 20))
	}
	c.waitCaughtUp(2, 30*time.Second)
	if got := rows(t, c.conn(2), "SELECT count(*) FROM u"); got != "50" {
		t.Fatalf("node 3 counts %s rows", got)
	}
}
