package raftstore

import (
	"context"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/rangedb/rangedb/kv/kvpb"
)

func startLockWaitStore(t *testing.T) *Store {
	t.Helper()
	eng := openTestEngine(t, t.TempDir(), vfs.NewMem())
	t.Cleanup(func() { _ = eng.Close() })
	if err := WriteInitialState(eng, range1()); err != nil {
		t.Fatal(err)
	}
	return startTestStore(t, eng, TestingKnobs{})
}

func prewrite(t *testing.T, s *Store, k kvpb.Key, startTs kvpb.Timestamp) {
	t.Helper()
	send(t, s, &kvpb.PrewriteRequest{Primary: k, StartTs: startTs, LockTTL: 3000,
		Mutations: []kvpb.Mutation{{Op: kvpb.OpPut, Key: k, Value: []byte("v")}}})
}

// waitLockAsync sends a WaitLockRequest and returns where its answer comes.
func waitLockAsync(t *testing.T, s *Store, k kvpb.Key, startTs kvpb.Timestamp, ms uint64) <-chan *kvpb.WaitLockResponse {
	t.Helper()
	out := make(chan *kvpb.WaitLockResponse, 1)
	ctx := testCtx(t)
	go func() {
		br, err := s.Send(ctx, &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.WaitLockRequest{Key: k, LockStartTs: startTs, WaitMillis: ms}}})
		if err != nil {
			t.Errorf("wait lock: %v", err)
			out <- nil
			return
		}
		out <- br.Responses[0].(*kvpb.WaitLockResponse)
	}()
	return out
}

// awaitParked waits until n waiters are parked on s.
func awaitParked(t *testing.T, s *Store, n int) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for s.lockWaits.count() != n {
		if time.Now().After(deadline) {
			t.Fatalf("%d waiters parked, want %d", s.lockWaits.count(), n)
		}
		time.Sleep(time.Millisecond)
	}
}

// woken reports whether the waiters parked on k were woken.
func woken(s *Store, k kvpb.Key) bool {
	s.lockWaits.mu.Lock()
	defer s.lockWaits.mu.Unlock()
	for _, w := range s.lockWaits.mu.byKey[string(k)] {
		if w.woken {
			return true
		}
	}
	return false
}

// TestWaitLockWakesByKey: a waiter for the lock on A is not woken when
// the lock on B is released, and is when A's transaction commits.
func TestWaitLockWakesByKey(t *testing.T) {
	s := startLockWaitStore(t)
	a, b := key("a"), key("b")
	prewrite(t, s, a, 10)
	prewrite(t, s, b, 20)
	got := waitLockAsync(t, s, a, 10, 5000)
	awaitParked(t, s, 1)

	// Waiters are woken before the committing proposer is answered, so
	// once the commit of B returned, a wake it caused has happened.
	send(t, s, &kvpb.CommitRequest{StartTs: 20, CommitTs: 21, Keys: []kvpb.Key{b}})
	if woken(s, a) {
		t.Fatal("the waiter on a was woken by the commit of b")
	}
	select {
	case r := <-got:
		t.Fatalf("the waiter on a answered %+v after the commit of b", r)
	default:
	}

	start := time.Now()
	send(t, s, &kvpb.CommitRequest{StartTs: 10, CommitTs: 11, Keys: []kvpb.Key{a}})
	select {
	case r := <-got:
		if r == nil || !r.Released {
			t.Fatalf("answer %+v, want released", r)
		}
		t.Logf("woken %v after the commit", time.Since(start))
	case <-time.After(3 * time.Second):
		t.Fatal("the waiter on a was not woken by a's commit")
	}
	awaitParked(t, s, 0)
}

// TestWaitLockAnswersAtOnce: no lock, or the lock of another transaction,
// is answered at once; a lock that stays is answered when the wait's time
// is up; a full store answers at once.
func TestWaitLockAnswersAtOnce(t *testing.T) {
	s := startLockWaitStore(t)
	a := key("a")
	wait := func(startTs kvpb.Timestamp, ms uint64) (*kvpb.WaitLockResponse, time.Duration) {
		start := time.Now()
		r := send(t, s, &kvpb.WaitLockRequest{Key: a, LockStartTs: startTs, WaitMillis: ms}).Responses[0].(*kvpb.WaitLockResponse)
		return r, time.Since(start)
	}
	if r, d := wait(10, 5000); !r.Released || d > 2*time.Second {
		t.Fatalf("no lock: %+v after %v", r, d)
	}
	prewrite(t, s, a, 10)
	if r, d := wait(8, 5000); !r.Released || d > 2*time.Second {
		t.Fatalf("another transaction's lock: %+v after %v", r, d)
	}
	if r, d := wait(10, 30); r.Released || d < 30*time.Millisecond {
		t.Fatalf("a lock that stays: %+v after %v", r, d)
	}
	// WaitMillis is capped.
	if r, d := wait(10, 1e9); r.Released || d < time.Second || d > 3*time.Second {
		t.Fatalf("capped wait: %+v after %v", r, d)
	}
	s.lockWaits.mu.Lock()
	s.lockWaits.mu.n = MaxLockWaiters
	s.lockWaits.mu.Unlock()
	if r, d := wait(10, 5000); r.Released || d > 2*time.Second {
		t.Fatalf("full: %+v after %v", r, d)
	}
	s.lockWaits.mu.Lock()
	s.lockWaits.mu.n = 0
	s.lockWaits.mu.Unlock()
}

// TestWaitLockWokenByRollbackAndClearRange: the other releases wake too.
func TestWaitLockWokenByRollbackAndClearRange(t *testing.T) {
	s := startLockWaitStore(t)
	a, c := key("a"), key("c")
	prewrite(t, s, a, 10)
	prewrite(t, s, c, 30)
	gotA := waitLockAsync(t, s, a, 10, 5000)
	gotC := waitLockAsync(t, s, c, 30, 5000)
	awaitParked(t, s, 2)
	send(t, s, &kvpb.RollbackRequest{StartTs: 10, Keys: []kvpb.Key{a}})
	if r := <-gotA; r == nil || !r.Released {
		t.Fatalf("rollback: %+v", r)
	}
	send(t, s, &kvpb.ClearRangeRequest{Span: kvpb.Span{Key: key("b"), EndKey: key("d")}})
	if r := <-gotC; r == nil || !r.Released {
		t.Fatalf("clear range: %+v", r)
	}
}

// TestWaitLockCanceled: the caller's context ends the wait.
func TestWaitLockCanceled(t *testing.T) {
	s := startLockWaitStore(t)
	a := key("a")
	prewrite(t, s, a, 10)
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	_, err := s.Send(ctx, &kvpb.BatchRequest{Requests: []kvpb.Request{&kvpb.WaitLockRequest{Key: a, LockStartTs: 10, WaitMillis: 1000}}})
	if err != context.DeadlineExceeded {
		t.Fatalf("err %v, want the context's", err)
	}
	if n := s.lockWaits.count(); n != 0 {
		t.Fatalf("%d waiters left parked", n)
	}
}
