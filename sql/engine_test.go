package sql

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/pgerror"
)

func mustExec(t *testing.T, s *Session, q string) string {
	t.Helper()
	rec := &recorder{}
	if err := s.ExecSimple(context.Background(), q, rec); err != nil {
		t.Fatalf("%s: %v", q, err)
	}
	return rec.b.String()
}

// otherSession opens a second session on ts, closed when the test ends.
func (ts *testServer) otherSession(t *testing.T) *Session {
	t.Helper()
	s, err := ts.engine.NewSession(context.Background(), "root", "defaultdb", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return s
}

func newTestSession(t *testing.T) (*testServer, *Session) {
	ts := newTestServer(t)
	s, err := ts.engine.NewSession(context.Background(), "root", "defaultdb", nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(s.Close)
	return ts, s
}

// TestCancelDuringScan cancels the context while rows stream: the
// statement stops with 57014 after the rows already sent.
func TestCancelDuringScan(t *testing.T) {
	ts, s := newTestSession(t)
	mustExec(t, s, "CREATE TABLE t (k INT PRIMARY KEY)")
	var vals []string
	for i := 0; i < 50; i++ {
		vals = append(vals, fmt.Sprintf("(%d)", i))
	}
	mustExec(t, s, "INSERT INTO t VALUES "+strings.Join(vals, ", "))
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	scans := 0
	ts.store.Intercept = func(req kvpb.Request) error {
		if _, ok := req.(*kvpb.ScanRequest); ok {
			if scans++; scans == 2 {
				cancel() // while the statement is between batches
			}
		}
		return nil
	}
	rec := &recorder{}
	err := s.ExecSimple(ctx, "SELECT * FROM t", rec)
	ts.store.Intercept = nil
	pe, ok := err.(*pgerror.Error)
	if !ok || pe.Code != pgerror.CodeQueryCanceled {
		t.Fatalf("got %v, want 57014", err)
	}
	if rec.rows >= 50 {
		t.Fatalf("all %d rows were sent despite the cancellation", rec.rows)
	}
	if s.TxnStatus() != TxnIdle {
		t.Fatalf("status %c", s.TxnStatus())
	}
	// The session is usable afterwards.
	mustExec(t, s, "SELECT k FROM t WHERE k = 1")
}

// TestImplicitRetry injects a write conflict into the first commit of an
// implicit transaction: the client sees one success, not the conflict.
func TestImplicitRetry(t *testing.T) {
	ts, s := newTestSession(t)
	mustExec(t, s, "CREATE TABLE t (k INT PRIMARY KEY, v INT)")
	var mu sync.Mutex
	failures := 2
	ts.store.Intercept = func(req kvpb.Request) error {
		mu.Lock()
		defer mu.Unlock()
		if p, ok := req.(*kvpb.OnePCRequest); ok && failures > 0 {
			failures--
			return &kvpb.WriteConflictError{Key: p.Mutations[0].Key, StartTs: p.StartTs}
		}
		return nil
	}
	got := mustExec(t, s, "INSERT INTO t VALUES (1, 1); SELECT v FROM t; INSERT INTO t VALUES (2, 2)")
	want := "INSERT 0 1\ncolumns: v:23\n1\nSELECT 1\nINSERT 0 1\n"
	if got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if failures != 0 {
		t.Fatalf("%d injected conflicts never happened", failures)
	}
	if got := mustExec(t, s, "SELECT * FROM t"); got != "columns: k:23 | v:23\n1 | 1\n2 | 2\nSELECT 2\n" {
		t.Fatalf("after retry: %q", got)
	}
}

// TestOnePCFallback: a transaction whose range cannot take a one-phase
// commit commits in two phases instead, and the client sees no difference.
func TestOnePCFallback(t *testing.T) {
	ts, s := newTestSession(t)
	mustExec(t, s, "CREATE TABLE t (k INT PRIMARY KEY, v INT)")
	ts.store.Intercept = func(req kvpb.Request) error {
		if _, ok := req.(*kvpb.OnePCRequest); ok {
			return &kvpb.OnePCUnavailableError{RangeID: 1, Reason: "test"}
		}
		return nil
	}
	before := ts.store.Requests[kvpb.MethodPrewrite]
	if got := mustExec(t, s, "INSERT INTO t VALUES (1, 10), (2, 20)"); got != "INSERT 0 2\n" {
		t.Fatalf("insert: %q", got)
	}
	ts.store.Intercept = nil
	if ts.store.Requests[kvpb.MethodPrewrite] == before {
		t.Fatal("the insert did not fall back to a prewrite")
	}
	if got := mustExec(t, s, "SELECT * FROM t"); got != "columns: k:23 | v:23\n1 | 10\n2 | 20\nSELECT 2\n" {
		t.Fatalf("after the two-phase commit: %q", got)
	}
	// With one-phase commits back, a statement sends no prewrite.
	before = ts.store.Requests[kvpb.MethodPrewrite]
	mustExec(t, s, "UPDATE t SET v = v + 1")
	if n := ts.store.Requests[kvpb.MethodPrewrite] - before; n != 0 {
		t.Fatalf("a one-range statement sent %d prewrites", n)
	}
}

// TestExplicitConflict: an UPDATE in a block locks its row; a concurrent
// implicit UPDATE of the row waits for the block and then applies on top
// of its write, as in PostgreSQL.
func TestExplicitConflict(t *testing.T) {
	ts, a := newTestSession(t)
	b := ts.otherSession(t)
	mustExec(t, a, "CREATE TABLE t (k INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 0)")
	mustExec(t, a, "BEGIN; UPDATE t SET v = v + 1 WHERE k = 1")
	done := make(chan error, 1)
	go func() { done <- b.ExecSimple(context.Background(), "UPDATE t SET v = v * 10 WHERE k = 1", &recorder{}) }()
	select {
	case err := <-done:
		t.Fatalf("the concurrent UPDATE did not wait for the block's lock: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	mustExec(t, a, "COMMIT")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := mustExec(t, a, "SELECT v FROM t"); got != "columns: v:23\n10\nSELECT 1\n" {
		t.Fatalf("got %q, want (0+1)*10", got)
	}
}

// TestRepeatableReadConflict: under REPEATABLE READ, updating a row
// changed since the snapshot fails the statement with 40001.
func TestRepeatableReadConflict(t *testing.T) {
	ts, a := newTestSession(t)
	b := ts.otherSession(t)
	mustExec(t, a, "CREATE TABLE t (k INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 0)")
	mustExec(t, a, "BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT v FROM t")
	mustExec(t, b, "UPDATE t SET v = 5 WHERE k = 1")
	err := a.ExecSimple(context.Background(), "UPDATE t SET v = v + 1 WHERE k = 1", &recorder{})
	if pe, ok := err.(*pgerror.Error); !ok || pe.Code != pgerror.CodeSerializationFailure {
		t.Fatalf("got %v, want 40001", err)
	}
	if a.TxnStatus() != TxnFailed {
		t.Fatalf("status %c", a.TxnStatus())
	}
	mustExec(t, a, "ROLLBACK")
	if got := mustExec(t, a, "SELECT v FROM t"); got != "columns: v:23\n5\nSELECT 1\n" {
		t.Fatalf("got %q", got)
	}
}

// TestReadCommittedRerun: under READ COMMITTED, a statement whose locks
// meet a newer write runs again on a newer snapshot, its first run's
// writes undone.
func TestReadCommittedRerun(t *testing.T) {
	ts, a := newTestSession(t)
	mustExec(t, a, "CREATE TABLE t (k INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 0), (2, 0)")
	var mu sync.Mutex
	conflicts := 1
	ts.store.Intercept = func(req kvpb.Request) error {
		mu.Lock()
		defer mu.Unlock()
		if p, ok := req.(*kvpb.PessimisticLockRequest); ok && conflicts > 0 {
			conflicts--
			return &kvpb.WriteConflictError{Key: p.Keys[0], StartTs: p.StartTs}
		}
		return nil
	}
	before := ts.store.Requests[kvpb.MethodScan]
	got := mustExec(t, a, "BEGIN; UPDATE t SET v = v + 1 RETURNING k, v; COMMIT")
	if want := "BEGIN\ncolumns: k:23 | v:23\n1 | 1\n2 | 1\nUPDATE 2\nCOMMIT\n"; got != want {
		t.Fatalf("got %q, want %q", got, want)
	}
	if conflicts != 0 || ts.store.Requests[kvpb.MethodScan]-before < 2 {
		t.Fatalf("the statement was not run again (%d conflicts left)", conflicts)
	}
	ts.store.Intercept = nil
	if got := mustExec(t, a, "SELECT k, v FROM t"); got != "columns: k:23 | v:23\n1 | 1\n2 | 1\nSELECT 2\n" {
		t.Fatalf("after commit: %q", got)
	}
}

// TestConcurrentCreate: two blocks create the same table; exactly one
// commits.
func TestConcurrentCreate(t *testing.T) {
	ts, a := newTestSession(t)
	b := ts.otherSession(t)
	mustExec(t, a, "BEGIN; CREATE TABLE x (k INT PRIMARY KEY)")
	mustExec(t, b, "BEGIN; CREATE TABLE x (k INT PRIMARY KEY)")
	mustExec(t, a, "COMMIT")
	err := b.ExecSimple(context.Background(), "COMMIT", &recorder{})
	pe, ok := err.(*pgerror.Error)
	if !ok || (pe.Code != pgerror.CodeDuplicateTable && pe.Code != pgerror.CodeSerializationFailure) {
		t.Fatalf("got %v, want 42P07 or 40001", err)
	}
	err = b.ExecSimple(context.Background(), "CREATE TABLE x (k INT PRIMARY KEY)", &recorder{})
	if pe, ok := err.(*pgerror.Error); !ok || pe.Code != pgerror.CodeDuplicateTable {
		t.Fatalf("got %v, want 42P07", err)
	}
}

// TestDropClearsSpan: DROP TABLE removes the rows' keys after commit.
func TestDropClearsSpan(t *testing.T) {
	ts, s := newTestSession(t)
	mustExec(t, s, "CREATE TABLE t (k INT PRIMARY KEY); INSERT INTO t VALUES (1), (2), (3)")
	// The first user table after the two databases.
	span := kvpb.Span{Key: kvpb.TableKeyPrefix(102), EndKey: kvpb.PrefixEnd(kvpb.TableKeyPrefix(102))}
	if n := ts.store.KeyCount(span); n != 3 {
		t.Fatalf("%d keys before drop", n)
	}
	mustExec(t, s, "DROP TABLE t")
	if n := ts.store.KeyCount(span); n != 0 {
		t.Fatalf("%d keys after drop", n)
	}
}

func TestRowIDUnique(t *testing.T) {
	now := time.Date(2030, 1, 1, 0, 0, 0, 0, time.UTC)
	g := rowIDGenerator{nodeID: 7, now: func() time.Time { return now }}
	seen := map[int64]bool{}
	last := int64(-1)
	for i := 0; i < 10000; i++ { // more than one millisecond's sequence
		v := g.next()
		if v <= last || seen[v] || v < 0 {
			t.Fatalf("rowid %d after %d", v, last)
		}
		seen[v], last = true, v
	}
	other := rowIDGenerator{nodeID: 8, now: func() time.Time { return now }}
	for i := 0; i < 10000; i++ {
		if v := other.next(); seen[v] {
			t.Fatalf("nodes 7 and 8 both made %d", v)
		}
	}
}

// TestLargeScanStreams checks that a table larger than many batches reads
// back completely and in order.
func TestLargeScanStreams(t *testing.T) {
	ts, s := newTestSession(t)
	ts.engine.scanBatchSize = 7
	mustExec(t, s, "CREATE TABLE t (k INT PRIMARY KEY, v TEXT)")
	var vals []string
	for i := 200; i > 0; i-- {
		vals = append(vals, fmt.Sprintf("(%d, 'v%d')", i, i))
	}
	mustExec(t, s, "INSERT INTO t VALUES "+strings.Join(vals, ", "))
	scans0 := ts.engine.Stats.Scans.Load()
	out := mustExec(t, s, "SELECT k FROM t WHERE k > 10")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if len(lines) != 192 || lines[1] != "11" || lines[190] != "200" || lines[191] != "SELECT 190" {
		t.Fatalf("unexpected output: %d lines, %q … %q", len(lines), lines[1], lines[len(lines)-1])
	}
	if n := ts.engine.Stats.Scans.Load() - scans0; n < 190/7 {
		t.Fatalf("only %d scan requests for 190 rows in batches of 7", n)
	}
}
