package cluster

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/server/rpc"
)

// TestDeadlockAcrossNodes: transactions coordinated by different nodes
// wait for each other's locks in a table of two ranges. A cycle between
// them is found by the cluster's one deadlock detector (beside range 1's
// leader): exactly one fails with 40P01, the other commits. A waiter is
// woken by the holder's commit through its lock's range leader, and
// lock_timeout still bounds a wait (55P03). A node that does not lead
// range 1 sends callers to the leader; when range 1's leader goes, the
// new leader's detector finds the next cycle.
func TestDeadlockAcrossNodes(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	setup := c.conn(0)
	exec(t, setup, "CREATE TABLE t (k INT PRIMARY KEY, v INT)")
	exec(t, setup, "INSERT INTO t VALUES (1, 0), (100, 0)")
	exec(t, setup, "SPLIT TABLE t BY (50)")

	t.Run("cycle", func(t *testing.T) {
		deadlockCycle(t, setup, c.conn(1), c.conn(2), 1)
	})

	t.Run("wake", func(t *testing.T) {
		holder, waiter := c.conn(0), c.conn(2)
		ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
		defer cancel()
		for _, k := range []int{1, 100} {
			exec(t, holder, "BEGIN")
			exec(t, holder, "UPDATE t SET v = 10 WHERE k = $1", k)
			done := make(chan time.Time, 1)
			errc := make(chan error, 1)
			// An explicit transaction: its statement waits for the lock
			// itself (a pessimistic lock). (An implicit one would wait at
			// its commit, holding the table's schema lock key, which the
			// holder's commit of a two-range transaction then waits for:
			// a deadlock.)
			exec(t, waiter, "BEGIN")
			go func() {
				_, err := waiter.Exec(ctx, "UPDATE t SET v = v + 1 WHERE k = $1", k)
				done <- time.Now()
				errc <- err
			}()
			time.Sleep(500 * time.Millisecond) // let the waiter park
			select {
			case <-done:
				t.Fatalf("k=%d: the waiter finished while the holder lived: %v", k, <-errc)
			default:
			}
			exec(t, holder, "COMMIT")
			committed := time.Now()
			woke := <-done
			if err := <-errc; err != nil {
				t.Fatalf("k=%d: waiter: %v", k, err)
			}
			t.Logf("k=%d: the waiter on node 3 finished %v after the holder on node 1 committed", k, woke.Sub(committed))
			exec(t, waiter, "COMMIT")
		}
		if got := rows(t, setup, "SELECT v FROM t ORDER BY k"); got != "11; 11" {
			t.Fatalf("after the waits: %s, want 11; 11", got)
		}
	})

	t.Run("lock_timeout", func(t *testing.T) {
		holder, waiter := c.conn(1), c.conn(0)
		exec(t, holder, "BEGIN")
		exec(t, holder, "UPDATE t SET v = 20 WHERE k = 100")
		exec(t, waiter, "BEGIN")
		exec(t, waiter, "SET LOCAL lock_timeout = '300ms'")
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		start := time.Now()
		_, err := waiter.Exec(ctx, "UPDATE t SET v = 21 WHERE k = 100")
		d := time.Since(start)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "55P03" {
			t.Fatalf("waiter: %v, want 55P03", err)
		}
		t.Logf("lock_timeout 300ms ended the wait after %v", d)
		if d < 300*time.Millisecond || d > 10*time.Second {
			t.Fatalf("lock_timeout 300ms ended the wait after %v", d)
		}
		exec(t, waiter, "ROLLBACK")
		exec(t, holder, "COMMIT")
		if got := rows(t, setup, "SELECT v FROM t WHERE k = 100"); got != "20" {
			t.Fatalf("k=100: %s, want 20", got)
		}
	})

	t.Run("follower_not_leader", func(t *testing.T) {
		leader := range1Leader(t, c, -1)
		follower := (leader + 1) % 3
		cl, err := rpc.Dial(c.nodes[follower].cfg.ListenAddr)
		if err != nil {
			t.Fatal(err)
		}
		defer cl.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, err = cl.CallDeadlock(ctx, 10, 20, kvpb.Key("k"), false)
		var nl *kvpb.NotLeaderError
		if !errors.As(err, &nl) || nl.RangeID != 1 {
			t.Fatalf("follower's answer: %v, want NotLeader for range 1", err)
		}
		t.Logf("node %d answers NotLeader naming %s", follower+1, nl.Leader.NodeID)
	})

	t.Run("leader_change", func(t *testing.T) {
		// The detector moves with range 1's leadership: the new one
		// starts empty and finds a cycle reported to it.
		old := range1Leader(t, c, -1)
		c.nodes[old].srv.Stop()
		range1Leader(t, c, old)
		var survivors []int
		for i := range 3 {
			if i != old {
				survivors = append(survivors, i)
			}
		}
		deadlockCycle(t, c.conn(survivors[0]), c.conn(survivors[0]), c.conn(survivors[1]), 3)
	})
}

// deadlockCycle runs two transactions, through a and b, that lock rows 1
// and 100 in opposite orders: exactly one fails with 40P01, the other
// commits v = base or base+1.
func deadlockCycle(t *testing.T, setup, a, b *pgx.Conn, base int) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	va, vb := fmt.Sprint(base), fmt.Sprint(base+1)
	exec(t, a, "BEGIN")
	exec(t, b, "BEGIN")
	exec(t, a, "UPDATE t SET v = $1 WHERE k = 1", base)
	exec(t, b, "UPDATE t SET v = $1 WHERE k = 100", base+1)
	errA := make(chan error, 1)
	go func() {
		_, err := a.Exec(ctx, "UPDATE t SET v = $1 WHERE k = 100", base)
		errA <- err
	}()
	time.Sleep(300 * time.Millisecond) // let a reach its lock wait
	start := time.Now()
	_, errB := b.Exec(ctx, "UPDATE t SET v = $1 WHERE k = 1", base+1)
	var pe *pgconn.PgError
	var winner *pgx.Conn
	var want string
	switch {
	case errors.As(errB, &pe) && pe.Code == "40P01":
		t.Logf("b is the victim after %v", time.Since(start))
		exec(t, b, "ROLLBACK")
		if err := <-errA; err != nil {
			t.Fatalf("the surviving transaction failed too: %v", err)
		}
		winner, want = a, va
	case errB == nil:
		err := <-errA
		if !errors.As(err, &pe) || pe.Code != "40P01" {
			t.Fatalf("neither transaction got 40P01: %v", err)
		}
		t.Logf("a is the victim after %v", time.Since(start))
		exec(t, a, "ROLLBACK")
		winner, want = b, vb
	default:
		t.Fatalf("second locker: %v", errB)
	}
	if d := time.Since(start); d > 10*time.Second {
		t.Fatalf("the deadlock took %v to be found", d)
	}
	exec(t, winner, "COMMIT")
	if got := rows(t, setup, "SELECT v FROM t ORDER BY k"); got != want+"; "+want {
		t.Fatalf("after the deadlock: %s, want both rows %s", got, want)
	}
}

// range1Leader waits until a node other than not (-1: any) leads range 1
// and returns it.
func range1Leader(t *testing.T, c *testCluster, not int) int {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		for i, nd := range c.nodes {
			if i != not && nd.srv.LeadsRange1() {
				return i
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatal("no node leads range 1")
	return -1
}
