package tests

import (
	"context"
	"fmt"
	"net"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/rangedb/rangedb/server"
)

// TestExtendedImplicitTxnRetriesConflicts: statements sent with the
// extended protocol outside BEGIN commit at Sync, optimistically; a
// conflict there is retried by the server (the unit is replayed), so the
// client never sees 40001 — as with the simple protocol. Eight pgx clients
// (extended protocol, pgx's default) insert into one table and increment
// one counter row concurrently.
func TestExtendedImplicitTxnRetriesConflicts(t *testing.T) {
	s := startNode(t, server.Config{})
	setup := connect(t, s.URL())
	mustExec(t, setup, "CREATE TABLE ins (id INT PRIMARY KEY, w INT)")
	mustExec(t, setup, "CREATE TABLE ctr (k INT PRIMARY KEY, n INT)")
	mustExec(t, setup, "INSERT INTO ctr VALUES (1, 0)")
	const workers, per = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := 0; w < workers; w++ {
		wg.Add(1)
		go func(w int) {
			defer wg.Done()
			c := connectExt(t, s.URL())
			for i := 0; i < per; i++ {
				ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
				_, err := c.Exec(ctx, "INSERT INTO ins VALUES ($1, $2)", w*per+i, w)
				if err == nil {
					_, err = c.Exec(ctx, "UPDATE ctr SET n = n + 1 WHERE k = $1", 1)
				}
				cancel()
				if err != nil {
					errs <- fmt.Errorf("worker %d op %d: %w", w, i, err)
					return
				}
			}
		}(w)
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	checkRows(t, setup, "SELECT n FROM ctr", [][]string{{fmt.Sprint(workers * per)}})
	if n := len(query(t, setup, "SELECT id FROM ins")); n != workers*per {
		t.Fatalf("%d rows, want %d", n, workers*per)
	}
}

// TestReplayedUnitSeesTheNewSnapshot: an UPDATE sent as Parse/Bind/Execute
// whose Sync meets a conflicting commit is replayed on a new snapshot, so
// both increments count and the client gets one clean result.
func TestReplayedUnitSeesTheNewSnapshot(t *testing.T) {
	s := startNode(t, server.Config{})
	other := connect(t, s.URL())
	mustExec(t, other, "CREATE TABLE ctr (k INT PRIMARY KEY, n INT)")
	mustExec(t, other, "INSERT INTO ctr VALUES (1, 0)")

	nc, err := net.DialTimeout("tcp", s.SQLAddr(), 5*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_ = nc.SetDeadline(time.Now().Add(30 * time.Second))
	_, _ = nc.Write(startupBytes(t))
	readUntilReady(t, nc)
	fe := pgproto3.NewFrontend(nc, nc)
	fe.Send(&pgproto3.Parse{Query: "UPDATE ctr SET n = n + 1 WHERE k = 1"})
	fe.Send(&pgproto3.Bind{})
	fe.Send(&pgproto3.Execute{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	// Give the server time to run the Execute (its reply stays buffered
	// until Sync), then commit a conflicting write. If the Execute had not
	// run yet there is simply no conflict; the result is the same.
	time.Sleep(300 * time.Millisecond)
	mustExec(t, other, "UPDATE ctr SET n = n + 10 WHERE k = 1")
	fe.Send(&pgproto3.Sync{})
	if err := fe.Flush(); err != nil {
		t.Fatal(err)
	}
	var tags []string
	for {
		msg, err := fe.Receive()
		if err != nil {
			t.Fatal(err)
		}
		switch m := msg.(type) {
		case *pgproto3.CommandComplete:
			tags = append(tags, string(m.CommandTag))
		case *pgproto3.ErrorResponse:
			t.Fatalf("error reached the client: %s %s", m.Code, m.Message)
		}
		if _, ok := msg.(*pgproto3.ReadyForQuery); ok {
			break
		}
	}
	if len(tags) != 1 || tags[0] != "UPDATE 1" {
		t.Fatalf("tags %v, want one UPDATE 1", tags)
	}
	checkRows(t, other, "SELECT n FROM ctr", [][]string{{"11"}})
}
