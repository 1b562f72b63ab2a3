package raftstore

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/rangedb/rangedb/kv/kvpb"
)

// TestOnePhaseCommit runs one-phase commits through a store: the commit_ts
// is odd, above the start_ts, the read floor and every read served before,
// and the write is visible at it; a store without a floor source refuses
// them with OnePCUnavailableError.
func TestOnePhaseCommit(t *testing.T) {
	eng := openTestEngine(t, "", vfs.NewMem())
	defer eng.Close()
	if err := WriteInitialState(eng, range1()); err != nil {
		t.Fatal(err)
	}
	var floorCalls int
	const floor = kvpb.Timestamp(1000)
	s := startStoreWith(t, Config{Engine: eng, TickInterval: 10 * time.Millisecond,
		OnePCReadFloor: func(context.Context) (kvpb.Timestamp, error) { floorCalls++; return floor, nil }})

	onePC := func(start kvpb.Timestamp, k, v string) kvpb.Timestamp {
		t.Helper()
		br := send(t, s, &kvpb.OnePCRequest{StartTs: start, Mutations: []kvpb.Mutation{{Op: kvpb.OpPut, Key: key(k), Value: []byte(v)}}})
		return br.Responses[0].(*kvpb.OnePCResponse).CommitTs
	}
	get := func(k string, ts kvpb.Timestamp) string {
		t.Helper()
		r := send(t, s, &kvpb.GetRequest{Key: key(k), Ts: ts}).Responses[0].(*kvpb.GetResponse)
		return string(r.Value)
	}

	c1 := onePC(10, "a", "1")
	if c1 != floor+1 || c1.IsTSO() {
		t.Fatalf("first commit_ts %s, want %s: just above the floor, odd", c1, floor+1)
	}
	if got := get("a", c1-1); got != "" {
		t.Fatalf("read below the commit_ts saw %q", got)
	}
	// A read at 5000 raises the range's largest read timestamp: a later
	// one-phase commit that started earlier must commit above it.
	if got := get("a", 5000); got != "1" {
		t.Fatalf("read at 5000: %q", got)
	}
	if c2 := onePC(2000, "b", "2"); c2 != 5001 {
		t.Fatalf("commit_ts after a read at 5000: %s, want 5001", c2)
	}
	if c3 := onePC(8000, "c", "3"); c3 != 8001 {
		t.Fatalf("commit_ts above start_ts 8000: %s, want 8001", c3)
	}
	if floorCalls != 1 {
		t.Fatalf("read floor fetched %d times in one term, want 1", floorCalls)
	}
	// The same checks as a prewrite: a write committed after start_ts.
	_, err := s.Send(testCtx(t), &kvpb.BatchRequest{Requests: []kvpb.Request{
		&kvpb.OnePCRequest{StartTs: 3000, Mutations: []kvpb.Mutation{{Op: kvpb.OpPut, Key: key("c"), Value: []byte("x")}}}}})
	if wc := (*kvpb.WriteConflictError)(nil); !errors.As(err, &wc) {
		t.Fatalf("conflicting one-phase commit: %v", err)
	}
	if got := get("c", 9000); got != "3" {
		t.Fatalf("c after the refused commit: %q", got)
	}

	// A store with no floor source refuses, writing nothing.
	s.Stop()
	s2 := startTestStore(t, eng, TestingKnobs{})
	defer s2.Stop()
	_, err = s2.Send(testCtx(t), &kvpb.BatchRequest{Requests: []kvpb.Request{
		&kvpb.OnePCRequest{StartTs: 9000, Mutations: []kvpb.Mutation{{Op: kvpb.OpPut, Key: key("d"), Value: []byte("x")}}}}})
	if un := (*kvpb.OnePCUnavailableError)(nil); !errors.As(err, &un) {
		t.Fatalf("one-phase commit without a floor: %v", err)
	}
}

// TestMemLocksBlockReads checks the ordering the concurrency manager
// promises: a read at or above a pending one-phase commit's commit_ts on
// one of its keys waits until the commit is released; a read below it, or
// of another key, does not.
func TestMemLocksBlockReads(t *testing.T) {
	c := newConcurrency()
	c.raiseFloor(1, 100)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	commitTs, ok := c.lockForCommit(1, 7, 50, []kvpb.Mutation{{Key: key("m")}, {Key: key("b")}})
	if !ok || commitTs != 101 {
		t.Fatalf("lockForCommit = %s, %v; want 101", commitTs, ok)
	}
	if _, ok := c.lockForCommit(2, 8, 50, nil); ok {
		t.Fatal("lockForCommit in a term without a floor succeeded")
	}
	free := []kvpb.Request{
		&kvpb.GetRequest{Key: key("m"), Ts: 100},                                     // below the commit_ts
		&kvpb.GetRequest{Key: key("c"), Ts: 200},                                     // another key
		&kvpb.ScanRequest{Span: kvpb.Span{Key: key("c"), EndKey: key("m")}, Ts: 200}, // ends before m
	}
	for _, req := range free {
		if err := c.beforeRead(ctx, []kvpb.Request{req}); err != nil {
			t.Fatalf("%v: %v", req, err)
		}
	}
	if c.maxReadTs != 200 {
		t.Fatalf("maxReadTs = %s, want 200", c.maxReadTs)
	}
	for _, req := range []kvpb.Request{
		&kvpb.GetRequest{Key: key("m"), Ts: 200},
		&kvpb.ScanRequest{Span: kvpb.Span{Key: key("a"), EndKey: key("z")}, Ts: 102},
		&kvpb.ScanRequest{Span: kvpb.Span{Key: key("m"), EndKey: key("m\x00")}, Ts: 300, Reverse: true},
	} {
		short, cancelShort := context.WithTimeout(ctx, 20*time.Millisecond)
		err := c.beforeRead(short, []kvpb.Request{req})
		cancelShort()
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Fatalf("%v was not blocked by the pending commit: %v", req, err)
		}
	}
	done := make(chan error, 1)
	go func() { done <- c.beforeRead(ctx, []kvpb.Request{&kvpb.GetRequest{Key: key("b"), Ts: 400}}) }()
	c.release(7)
	if err := <-done; err != nil {
		t.Fatalf("blocked read after release: %v", err)
	}
	// The next commit is above every read registered, blocked ones too.
	if commitTs, _ := c.lockForCommit(1, 9, 50, []kvpb.Mutation{{Key: key("x")}}); commitTs != 401 {
		t.Fatalf("commit_ts after reads up to 400: %s, want 401", commitTs)
	}
	c.releaseAll()
	if !c.floorNeeded(1) {
		t.Fatal("floor kept after releaseAll (leadership lost)")
	}
}
