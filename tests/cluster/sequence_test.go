package cluster

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestSequenceUniqueAcrossNodes: sessions on three nodes call nextval on
// one sequence concurrently, half of them inside transactions that roll
// back, and insert into a SERIAL table: every value handed out is
// distinct (a rolled-back nextval is not handed out again), the SERIAL
// ids are distinct, and a later nextval on any node is past them all.
func TestSequenceUniqueAcrossNodes(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	setup := c.conn(0)
	exec(t, setup, "CREATE SEQUENCE seq")
	exec(t, setup, "CREATE TABLE ser (id SERIAL PRIMARY KEY, node INT)")
	const sessions, calls = 9, 40
	var conns []*pgx.Conn
	for i := range sessions {
		conns = append(conns, c.conn(i%3))
	}
	var (
		mu   sync.Mutex
		seen = map[int64]int{}
		wg   sync.WaitGroup
		errs = make(chan error, sessions)
	)
	for i, conn := range conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
			defer cancel()
			for j := range calls {
				rollback := j%2 == 1
				if rollback {
					if _, err := conn.Exec(ctx, "BEGIN"); err != nil {
						errs <- err
						return
					}
				}
				var v int64
				if err := conn.QueryRow(ctx, "SELECT nextval('seq')").Scan(&v); err != nil {
					errs <- fmt.Errorf("session %d: nextval: %w", i, err)
					return
				}
				if rollback {
					if _, err := conn.Exec(ctx, "ROLLBACK"); err != nil {
						errs <- err
						return
					}
				}
				if _, err := conn.Exec(ctx, "INSERT INTO ser (node) VALUES ($1)", i%3); err != nil {
					errs <- fmt.Errorf("session %d: insert: %w", i, err)
					return
				}
				mu.Lock()
				seen[v]++
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	if len(seen) != sessions*calls {
		t.Fatalf("%d distinct values from %d nextval calls", len(seen), sessions*calls)
	}
	var maxSeen int64
	for v, n := range seen {
		if n != 1 {
			t.Fatalf("value %d handed out %d times", v, n)
		}
		maxSeen = max(maxSeen, v)
	}
	if got := rows(t, c.conn(1), "SELECT count(*), count(DISTINCT id) FROM ser"); got != fmt.Sprintf("%d %d", sessions*calls, sessions*calls) {
		t.Fatalf("serial rows and distinct ids: %s", got)
	}
	for i := range 3 {
		var v int64
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err := c.conn(i).QueryRow(ctx, "SELECT nextval('seq')").Scan(&v)
		cancel()
		if err != nil {
			t.Fatal(err)
		}
		if v <= maxSeen {
			t.Fatalf("nextval on node %d gave %d, not past %d", i+1, v, maxSeen)
		}
		maxSeen = v
	}
}
