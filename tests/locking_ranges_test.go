package tests

import (
	"context"
	"testing"
	"time"

	"github.com/rangedb/rangedb/server"
)

// TestWaitingAutocommitWriterAcrossRanges: an explicit transaction holds
// a row of a table split into two ranges; an autocommit UPDATE of the
// same row waits for it (two-phase: the row and the table's schema lock
// are in different ranges). The holder's COMMIT succeeds — the waiter's
// shared schema lock is prewritten last, so the two cannot form a cycle
// — and the waiter then applies on top.
func TestWaitingAutocommitWriterAcrossRanges(t *testing.T) {
	s := startNode(t, server.Config{})
	a, b := connect(t, s.URL()), connect(t, s.URL())
	mustExec(t, a, "CREATE TABLE wr (k INT PRIMARY KEY, v INT)")
	mustExec(t, a, "INSERT INTO wr VALUES (1, 0), (100, 0)")
	mustExec(t, a, "SPLIT TABLE wr BY (50)")
	for round := range 3 {
		mustExec(t, a, "BEGIN")
		mustExec(t, a, "UPDATE wr SET v = v + 1 WHERE k = 100")
		done := make(chan error, 1)
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
			defer cancel()
			_, err := b.Exec(ctx, "UPDATE wr SET v = v + 10 WHERE k = 100")
			done <- err
		}()
		time.Sleep(100 * time.Millisecond) // let b reach the lock (a wait, not a sync point: both orders are correct)
		if _, err := a.Exec(context.Background(), "COMMIT"); err != nil {
			t.Fatalf("round %d: the holder's COMMIT: %v", round, err)
		}
		if err := <-done; err != nil {
			t.Fatalf("round %d: the waiting UPDATE: %v", round, err)
		}
	}
	if got := query(t, a, "SELECT v FROM wr WHERE k = 100")[0][0]; got != "33" {
		t.Fatalf("v = %s, want 33", got)
	}
}
