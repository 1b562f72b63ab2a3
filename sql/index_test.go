package sql

import (
	"context"
	"testing"
	"time"

	"github.com/rangedb/rangedb/sql/pgerror"
)

func execErr(t *testing.T, s *Session, q string) error {
	t.Helper()
	return s.ExecSimple(context.Background(), q, &recorder{})
}

func wantCode(t *testing.T, err error, codes ...string) {
	t.Helper()
	pe, ok := err.(*pgerror.Error)
	if ok {
		for _, c := range codes {
			if pe.Code == c {
				return
			}
		}
	}
	t.Fatalf("got %v, want SQLSTATE %v", err, codes)
}

// TestCreateIndexVsWriter: a block that inserted rows before another
// session's CREATE INDEX committed cannot commit (its rows would lack
// entries): 40001; the index holds every committed row, and the retried
// insert is indexed.
func TestCreateIndexVsWriter(t *testing.T) {
	ts, a := newTestSession(t)
	c := ts.otherSession(t)
	mustExec(t, a, "CREATE TABLE t (k INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 10), (2, 20)")
	mustExec(t, a, "BEGIN; INSERT INTO t VALUES (3, 30)")
	mustExec(t, c, "CREATE INDEX ON t (v)")
	wantCode(t, execErr(t, a, "COMMIT"), pgerror.CodeSerializationFailure)
	if got := mustExec(t, c, "SELECT k FROM t WHERE v >= 10 ORDER BY k"); got != "columns: k:23\n1\n2\nSELECT 2\n" {
		t.Fatalf("got %q", got)
	}
	mustExec(t, a, "INSERT INTO t VALUES (3, 30)")
	if got := mustExec(t, c, "SELECT k FROM t WHERE v = 30"); got != "columns: k:23\n3\nSELECT 1\n" {
		t.Fatalf("got %q", got)
	}
}

// TestWriterVsCreateIndex: the other order — a block creates an index, a
// writer commits meanwhile: the block's COMMIT fails with 40001, and no
// index is left behind.
func TestWriterVsCreateIndex(t *testing.T) {
	ts, a := newTestSession(t)
	c := ts.otherSession(t)
	mustExec(t, a, "CREATE TABLE t (k INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 10)")
	mustExec(t, c, "BEGIN; CREATE INDEX i ON t (v)")
	mustExec(t, a, "INSERT INTO t VALUES (2, 10)")
	wantCode(t, execErr(t, c, "COMMIT"), pgerror.CodeSerializationFailure)
	wantCode(t, execErr(t, c, "DROP INDEX i"), pgerror.CodeUndefinedObject)
	mustExec(t, c, "CREATE INDEX i ON t (v)")
	if got := mustExec(t, a, "SELECT k FROM t WHERE v = 10 ORDER BY k"); got != "columns: k:23\n1\n2\nSELECT 2\n" {
		t.Fatalf("got %q", got)
	}
}

// TestDropIndexVsWriter: a block that wrote entries of an index dropped
// meanwhile cannot commit either.
func TestDropIndexVsWriter(t *testing.T) {
	ts, a := newTestSession(t)
	c := ts.otherSession(t)
	mustExec(t, a, "CREATE TABLE t (k INT PRIMARY KEY, v INT); CREATE INDEX i ON t (v)")
	mustExec(t, a, "BEGIN; INSERT INTO t VALUES (1, 10)")
	mustExec(t, c, "DROP INDEX i")
	wantCode(t, execErr(t, a, "COMMIT"), pgerror.CodeSerializationFailure)
}

// TestConcurrentWritersCommit: writers of one table take a shared lock on
// its schema lock key, so blocks writing different rows never conflict.
func TestConcurrentWritersCommit(t *testing.T) {
	ts, a := newTestSession(t)
	b := ts.otherSession(t)
	mustExec(t, a, "CREATE TABLE t (k INT PRIMARY KEY, v INT UNIQUE)")
	for i := 0; i < 10; i++ {
		mustExec(t, a, "BEGIN; INSERT INTO t VALUES ("+itoa(2*i)+", "+itoa(2*i)+")")
		mustExec(t, b, "BEGIN; INSERT INTO t VALUES ("+itoa(2*i+1)+", "+itoa(2*i+1)+")")
		mustExec(t, a, "COMMIT")
		mustExec(t, b, "COMMIT")
	}
}

// TestConcurrentUniqueDuplicate: two blocks insert the same unique value
// under different primary keys; the second INSERT waits for the first
// block and fails with 23505 when it commits.
func TestConcurrentUniqueDuplicate(t *testing.T) {
	ts, a := newTestSession(t)
	b := ts.otherSession(t)
	mustExec(t, a, "CREATE TABLE t (k INT PRIMARY KEY, v INT UNIQUE)")
	mustExec(t, a, "BEGIN; INSERT INTO t VALUES (1, 7)")
	mustExec(t, b, "BEGIN")
	// b's INSERT waits for a's lock on the unique entry, as in PostgreSQL,
	// and fails once a commits.
	done := make(chan error, 1)
	go func() { done <- b.ExecSimple(context.Background(), "INSERT INTO t VALUES (2, 7)", &recorder{}) }()
	select {
	case err := <-done:
		t.Fatalf("the second INSERT did not wait: %v", err)
	case <-time.After(100 * time.Millisecond):
	}
	mustExec(t, a, "COMMIT")
	wantCode(t, <-done, pgerror.CodeUniqueViolation)
	mustExec(t, b, "ROLLBACK")
	if got := mustExec(t, a, "SELECT k FROM t WHERE v = 7"); got != "columns: k:23\n1\nSELECT 1\n" {
		t.Fatalf("got %q", got)
	}
}

func itoa(i int) string {
	return string(rune('0'+i/10)) + string(rune('0'+i%10))
}
