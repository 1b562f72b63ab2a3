package kv

import (
	"context"
	"testing"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// testGraph returns a graph whose clock the test moves.
func testGraph(ttl time.Duration, maxEdges int) (*DeadlockGraph, *time.Time) {
	g := NewDeadlockGraph(ttl, maxEdges)
	now := time.Unix(1000, 0)
	g.now = func() time.Time { return now }
	return g, &now
}

func TestDeadlockGraphCycleOfTwo(t *testing.T) {
	g, _ := testGraph(time.Second, 0)
	k := kvpb.Key("k")
	if !g.Wait(10, 20, k) {
		t.Fatal("10 → 20 alone is a deadlock")
	}
	if g.Wait(20, 10, k) {
		t.Fatal("20 → 10 after 10 → 20 is not a deadlock")
	}
	// The refused edge is not recorded: 20 may wait for someone else.
	if !g.Wait(20, 30, k) {
		t.Fatal("20 → 30 is a deadlock")
	}
	// Once 10 is done, 20 may wait for it.
	g.Done(10)
	if !g.Wait(20, 10, k) {
		t.Fatal("20 → 10 after 10 is done is a deadlock")
	}
}

func TestDeadlockGraphCycleOfThree(t *testing.T) {
	g, _ := testGraph(time.Second, 0)
	k := kvpb.Key("k")
	if !g.Wait(10, 20, k) || !g.Wait(20, 30, k) {
		t.Fatal("a chain is a deadlock")
	}
	if g.Wait(30, 10, k) {
		t.Fatal("30 → 10 closes 10 → 20 → 30 and is not a deadlock")
	}
	if !g.Wait(30, 40, k) {
		t.Fatal("30 → 40 is a deadlock")
	}
	// A waiter waits for one lock at a time: a new edge replaces its old.
	if !g.Wait(20, 50, k) {
		t.Fatal("20 → 50 is a deadlock")
	}
	if !g.Wait(40, 10, k) {
		t.Fatal("40 → 10 is a deadlock once 20 waits for 50, not 30")
	}
}

func TestDeadlockGraphExpiry(t *testing.T) {
	g, now := testGraph(time.Second, 0)
	k := kvpb.Key("k")
	g.Wait(10, 20, k)
	*now = now.Add(500 * time.Millisecond)
	g.Wait(20, 30, k)
	*now = now.Add(700 * time.Millisecond) // 10 → 20 expired, 20 → 30 not
	if !g.Wait(30, 10, k) {
		t.Fatal("a cycle through an expired edge is a deadlock")
	}
	g.Done(30)
	// Reported again, an edge lives on.
	g.Wait(10, 20, k)
	*now = now.Add(200 * time.Millisecond)
	if g.Wait(30, 10, k) {
		t.Fatal("30 → 10 → 20 → 30 with live edges is not a deadlock")
	}
}

func TestDeadlockGraphBounded(t *testing.T) {
	g, now := testGraph(time.Second, 2)
	k := kvpb.Key("k")
	g.Wait(10, 20, k)
	g.Wait(30, 40, k)
	// Full: not recorded, so 40 → 50 → … cannot find it.
	if !g.Wait(50, 30, k) || g.Len() != 2 {
		t.Fatalf("a full graph recorded an edge (%d edges)", g.Len())
	}
	// Expired edges make room.
	*now = now.Add(2 * time.Second)
	if !g.Wait(50, 30, k) || g.Len() != 1 {
		t.Fatalf("expired edges kept (%d edges)", g.Len())
	}
}

func TestLocalDetector(t *testing.T) {
	db := NewDB(nil, nil, DBOptions{})
	ctx := context.Background()
	k := kvpb.Key("k")
	if dl, err := db.deadlock.Detect(ctx, 10, 20, k); dl || err != nil {
		t.Fatalf("10 → 20: %v %v", dl, err)
	}
	if dl, err := db.deadlock.Detect(ctx, 20, 10, k); !dl || err != nil {
		t.Fatalf("20 → 10: %v %v", dl, err)
	}
	db.deadlock.Finished(ctx, 10)
	if dl, err := db.deadlock.Detect(ctx, 20, 10, k); dl || err != nil {
		t.Fatalf("20 → 10 after 10 finished: %v %v", dl, err)
	}
}
