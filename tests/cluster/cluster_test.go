package cluster

import (
	"context"
	"errors"
	"fmt"
	"github.com/rangedb/rangedb/tests/pgtest"
	"io"
	"log/slog"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"go.uber.org/goleak"
	"google.golang.org/grpc/status"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/server"
	"github.com/rangedb/rangedb/server/rpc"
)

func TestMain(m *testing.M) { goleak.VerifyTestMain(m) }

func testLogger() *slog.Logger {
	if os.Getenv("RANGEDB_TEST_LOGS") != "" {
		return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return slog.New(slog.NewTextHandler(io.Discard, nil))
}

func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := pgtest.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

// node is one in-process node with the flags it was started with.
type node struct {
	cfg server.Config
	srv *server.Server
}

// testCluster is n nodes that all --join each other.
type testCluster struct {
	t     *testing.T
	nodes []*node
}

func newCluster(t *testing.T, n int) *testCluster {
	c := &testCluster{t: t}
	var join []string
	for range n {
		cfg := server.Config{StoreDir: t.TempDir(), ListenAddr: freeAddr(t), SQLAddr: "127.0.0.1:0",
			Logger: testLogger(), DrainTimeout: 2 * time.Second, RaftTickInterval: 20 * time.Millisecond}
		join = append(join, cfg.ListenAddr)
		c.nodes = append(c.nodes, &node{cfg: cfg})
	}
	for _, nd := range c.nodes {
		nd.cfg.Join = join
	}
	t.Cleanup(func() {
		for _, nd := range c.nodes {
			if nd.srv != nil {
				nd.srv.Stop()
			}
		}
	})
	// Registered after the stop above, so it runs before it (cleanups
	// run last registered first), on the nodes still running.
	t.Cleanup(c.checkConsistency)
	return c
}

// start starts the nodes at once (each waits for init or a join) and
// returns a channel that gets each Start's error.
func (c *testCluster) start(idx ...int) chan error {
	errs := make(chan error, len(idx))
	for _, i := range idx {
		nd := c.nodes[i]
		s, err := server.New(nd.cfg)
		if err != nil {
			c.t.Fatalf("server.New: %v", err)
		}
		nd.srv = s
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
			defer cancel()
			errs <- s.Start(ctx)
		}()
	}
	return errs
}

// bootstrap starts the nodes idx, initializes the cluster through the
// first of them and waits until every one has started.
func (c *testCluster) bootstrap(idx ...int) {
	c.t.Helper()
	errs := c.start(idx...)
	if err := c.init(idx[0]); err != nil {
		c.t.Fatalf("init: %v", err)
	}
	c.wait(errs, len(idx))
}

func (c *testCluster) wait(errs chan error, n int) {
	c.t.Helper()
	for range n {
		if err := <-errs; err != nil {
			c.t.Fatalf("start: %v", err)
		}
	}
}

func (c *testCluster) init(i int) error {
	cl, err := rpc.Dial(c.nodes[i].cfg.ListenAddr)
	if err != nil {
		return err
	}
	defer cl.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = cl.CallInit(ctx)
	return err
}

func (c *testCluster) conn(i int) *pgx.Conn {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, c.nodes[i].srv.URL())
	if err != nil {
		c.t.Fatalf("connect to node %d: %v", i+1, err)
	}
	c.t.Cleanup(func() { _ = conn.Close(context.Background()) })
	return conn
}

func exec(t *testing.T, conn *pgx.Conn, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := conn.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// execWithin runs sql through conn until it succeeds, each try bounded
// by try, and fails the test if none has within d.
func execWithin(t *testing.T, conn *pgx.Conn, d, try time.Duration, sql string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), try)
		_, err := conn.Exec(ctx, sql, args...)
		cancel()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s: no success within %s: %v", sql, d, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func rows(t *testing.T, conn *pgx.Conn, sql string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	rs, err := conn.Query(ctx, sql)
	if err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	defer rs.Close()
	var out []string
	for rs.Next() {
		vals, err := rs.Values()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, fmt.Sprint(vals...))
	}
	if err := rs.Err(); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
	return strings.Join(out, "; ")
}

// TestInitJoinAndAnyNodeServes: three nodes wait until `init` on one of
// them; the others join with ids from the /System counter; SQL through
// any node sees what was written through any other, at once; init again
// is a clear error; a node restarted with the same flags rejoins with its
// id, and a fourth node started later joins too.
func TestInitJoinAndAnyNodeServes(t *testing.T) {
	c := newCluster(t, 4)
	errs := c.start(0, 1, 2)
	time.Sleep(200 * time.Millisecond) // they are waiting: nothing to init yet
	if err := c.init(1); err != nil {
		t.Fatalf("init: %v", err)
	}
	c.wait(errs, 3)
	err := c.init(0)
	if st, _ := status.FromError(err); err == nil || !strings.Contains(st.Message(), "already been initialized") {
		t.Fatalf("second init: %v", err)
	}

	c1, c2, c3 := c.conn(0), c.conn(1), c.conn(2)
	exec(t, c1, "CREATE TABLE kv (k INT PRIMARY KEY, v TEXT)")
	for i := range 30 {
		exec(t, []*pgx.Conn{c1, c2, c3}[i%3], "INSERT INTO kv VALUES ($1, $2)", i, fmt.Sprintf("from node %d", i%3+1))
		// The next statement through another node sees it.
		got := rows(t, []*pgx.Conn{c1, c2, c3}[(i+1)%3], fmt.Sprintf("SELECT count(*) FROM kv WHERE k <= %d", i))
		if got != fmt.Sprint(i+1) {
			t.Fatalf("after insert %d through node %d, node %d counts %s", i, i%3+1, (i+1)%3+1, got)
		}
	}
	// A transaction through one node, conflicting with another's.
	exec(t, c2, "BEGIN")
	exec(t, c2, "UPDATE kv SET v = 'updated' WHERE k = 1")
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		_, err := c3.Exec(ctx, "UPDATE kv SET v = v || '+' WHERE k = 1")
		done <- err
	}()
	time.Sleep(100 * time.Millisecond)
	exec(t, c2, "COMMIT")
	if err := <-done; err != nil {
		t.Fatalf("waiting writer on another node: %v", err)
	}
	if got := rows(t, c1, "SELECT v FROM kv WHERE k = 1"); got != "updated+" {
		t.Fatalf("row 1 after both writers: %q", got)
	}

	// A node restarted with the same flags rejoins.
	c.nodes[2].srv.Stop()
	c.wait(c.start(2), 1)
	if got := rows(t, c.conn(2), "SELECT count(*) FROM kv"); got != "30" {
		t.Fatalf("restarted node counts %s", got)
	}
	// A fourth node joins later.
	c.wait(c.start(3), 1)
	if got := rows(t, c.conn(3), "SELECT v FROM kv WHERE k = 2"); got != "from node 3" {
		t.Fatalf("fourth node reads %q", got)
	}
}

// TestReplicatedSurvivesLosingANode: range 1 grows to three voters by
// itself; writes acknowledged through any node survive stopping the node
// that leads range 1, and the other two go on serving reads and writes.
func TestReplicatedSurvivesLosingANode(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	conns := []*pgx.Conn{c.conn(0), c.conn(1), c.conn(2)}
	exec(t, conns[0], "CREATE TABLE r (k INT PRIMARY KEY, v INT)")
	for i := range 60 {
		exec(t, conns[i%3], "INSERT INTO r VALUES ($1, $2)", i, i*i)
	}
	leader := -1
	for i, nd := range c.nodes {
		if nd.srv.LeadsRange1() {
			leader = i
		}
	}
	if leader < 0 {
		t.Fatal("no node leads range 1")
	}
	// A follower answers NotLeader with the leader's id and address.
	follower := (leader + 1) % 3
	cl, err := rpc.Dial(c.nodes[follower].cfg.ListenAddr)
	if err != nil {
		t.Fatal(err)
	}
	defer cl.Close()
	_, err = cl.Send(context.Background(), &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.RawGetRequest{Key: kvpb.ClusterIDKey}}})
	var nl *kvpb.NotLeaderError
	if !errors.As(err, &nl) || nl.Leader.NodeID != c.nodes[leader].srv.NodeID() || nl.LeaderAddr != c.nodes[leader].cfg.ListenAddr {
		t.Fatalf("follower's answer: %v (%+v), want NotLeader naming n%d at %s", err, nl, c.nodes[leader].srv.NodeID(), c.nodes[leader].cfg.ListenAddr)
	}
	c.nodes[leader].srv.Stop()
	for i := range 3 {
		if i == leader {
			continue
		}
		if got := rows(t, conns[i], "SELECT count(*), sum(v) FROM r"); got != "60 70210" {
			t.Fatalf("node %d after losing node %d: %s", i+1, leader+1, got)
		}
	}
	for i := range 3 {
		if i != leader {
			exec(t, conns[i], "INSERT INTO r VALUES ($1, 0)", 100+i)
		}
	}
	for i := range 3 {
		if i != leader {
			if got := rows(t, conns[i], "SELECT count(*) FROM r"); got != "62" {
				t.Fatalf("node %d: %s rows after both survivors wrote", i+1, got)
			}
		}
	}
}

// waitVoters waits until every node holds a voting replica of range 1.
func waitVoters(t *testing.T, c *testCluster, n int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		voters := 0
		for _, nd := range c.nodes[:n] {
			if nd.srv.HoldsVoterOfRange1() {
				voters++
			}
		}
		if voters == n {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d of %d nodes hold a voter of range 1", voters, n)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// TestDownNodeCatchesUpBySnapshot: a node stopped while the others write
// past the raft log's truncation point comes back and is caught up (by a
// snapshot: the entries it missed are gone), then serves everything.
func TestDownNodeCatchesUpBySnapshot(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	// Stop a node that does not lead range 1.
	down := 0
	for i, nd := range c.nodes {
		if !nd.srv.LeadsRange1() {
			down = i
		}
	}
	up := (down + 1) % 3
	conn := c.conn(up)
	exec(t, conn, "CREATE TABLE s (k INT PRIMARY KEY, v TEXT)")
	c.nodes[down].srv.Stop()
	for i := range 400 {
		exec(t, conn, "INSERT INTO s VALUES ($1, 'x')", i)
	}
	c.wait(c.start(down), 1)
	// Range 1 and the table's own range, which took the rows.
	c.waitCaughtUp(down, 30*time.Second, 1, tableRange(t, conn, "s"))
	if got := rows(t, c.conn(down), "SELECT count(*) FROM s"); got != "400" {
		t.Fatalf("caught-up node counts %s", got)
	}
}

// TestTSOAcrossLeaderChanges: at least 100,000 timestamps handed out by
// range 1's leader across three leader changes are strictly increasing.
func TestTSOAcrossLeaderChanges(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	var last kvpb.Timestamp
	total := 0
	take := func(until int) {
		t.Helper()
		deadline := time.Now().Add(30 * time.Second)
		for total < until {
			if time.Now().After(deadline) {
				t.Fatalf("only %d timestamps", total)
			}
			for _, nd := range c.nodes {
				if nd.srv == nil || !nd.srv.LeadsRange1() {
					continue
				}
				cl, err := rpc.Dial(nd.cfg.ListenAddr)
				if err != nil {
					t.Fatal(err)
				}
				ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
				for total < until {
					first, err := cl.CallTimestamps(ctx, 1000)
					if err != nil {
						break // leadership moved: find the leader again
					}
					if first <= last {
						t.Fatalf("timestamp %s after %s", first, last)
					}
					last = first + 999*2 // NextN hands out even timestamps, two apart
					total += 1000
				}
				cancel()
				_ = cl.Close()
			}
			time.Sleep(10 * time.Millisecond)
		}
	}
	for change := range 3 {
		take((change + 1) * 25_000)
		for i, nd := range c.nodes {
			if nd.srv.LeadsRange1() {
				nd.srv.Stop()
				c.wait(c.start(i), 1)
				break
			}
		}
	}
	take(100_000)
	t.Logf("%d timestamps across 3 leader changes, strictly increasing", total)
}

// TestTwoOfThreeDownThenBack: with two of three nodes down a statement
// fails with an error naming the unavailable range, in bounded time; when
// one comes back (with an empty address book: it must find the others
// before range 1 can elect a leader), statements work again.
func TestTwoOfThreeDownThenBack(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	conn := c.conn(2)
	exec(t, conn, "CREATE TABLE d (k INT PRIMARY KEY)")
	exec(t, conn, "INSERT INTO d VALUES (1)")
	c.nodes[0].srv.Stop()
	c.nodes[1].srv.Stop()
	start := time.Now()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	_, err := conn.Exec(ctx, "INSERT INTO d VALUES (2)")
	cancel()
	if err == nil || !strings.Contains(err.Error(), "range r1 is unavailable") {
		t.Fatalf("with two of three down: %v", err)
	}
	if d := time.Since(start); d > 30*time.Second {
		t.Fatalf("the error took %s", d)
	}
	t.Logf("with two of three down a write fails after %s: %v", time.Since(start).Round(time.Millisecond), err)
	errs := c.start(0)
	// Start waits until range 1 answers: it must elect a leader with the
	// surviving node.
	c.wait(errs, 1)
	execWithin(t, conn, 30*time.Second, 15*time.Second, "INSERT INTO d VALUES (3)")
	if got := rows(t, c.conn(0), "SELECT count(*) FROM d"); got != "2" {
		t.Fatalf("rows: %s", got)
	}
}
