package cluster

import (
	"context"
	"fmt"
	"math/rand"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestForeignKeysUnderConcurrentWrites inserts children and deletes
// parents at once, from different nodes of a 3-node cluster, through a
// NO ACTION and an ON DELETE CASCADE foreign key: whatever commits, no
// committed child may reference a missing parent. Each statement may
// fail with 23503 (the key is referenced, or absent) or with a
// retryable 40001/40P01 (the writes raced), never otherwise.
func TestForeignKeysUnderConcurrentWrites(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	setup := c.conn(0)
	const parents = 300
	exec(t, setup, `CREATE TABLE fp (id INT PRIMARY KEY, note TEXT)`)
	exec(t, setup, `CREATE TABLE fc (id INT PRIMARY KEY, pid INT REFERENCES fp)`)
	exec(t, setup, `CREATE TABLE fcc (id INT PRIMARY KEY, pid INT REFERENCES fp ON DELETE CASCADE)`)
	exec(t, setup, fmt.Sprintf(`INSERT INTO fp SELECT g, 'p' FROM generate_series(1, %d) g`, parents))

	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	var (
		wg               sync.WaitGroup
		inserted, delete atomic.Int64
		mu               sync.Mutex
		unexpected       []string
	)
	note := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(unexpected) < 10 {
			unexpected = append(unexpected, fmt.Sprintf(format, args...))
		}
	}
	allowed := func(err error) bool {
		switch sqlState(err) {
		case "23503", "40001", "40P01":
			return true
		}
		return false
	}
	var nextID atomic.Int64
	for w := range 4 {
		conn := c.conn(w % 2) // children through nodes 1 and 2
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w)))
			for i := 0; i < 150 && ctx.Err() == nil; i++ {
				table := []string{"fc", "fcc"}[rng.Intn(2)]
				// A transaction that stays open after its check, so that
				// deletes of its parent meet it.
				tx, err := conn.Begin(ctx)
				if err != nil {
					note("begin: %v", err)
					return
				}
				_, err = tx.Exec(ctx, fmt.Sprintf(`INSERT INTO %s VALUES ($1, $2)`, table), nextID.Add(1), 1+rng.Intn(parents))
				if err == nil {
					time.Sleep(10 * time.Millisecond)
					err = tx.Commit(ctx)
				} else {
					_ = tx.Rollback(ctx)
				}
				if err == nil {
					inserted.Add(1)
				} else if !allowed(err) && ctx.Err() == nil {
					note("insert: %v", err)
				}
			}
		}()
	}
	deleter := c.conn(2) // parents through node 3
	wg.Add(1)
	go func() {
		defer wg.Done()
		rng := rand.New(rand.NewSource(99))
		for i := 0; i < 200 && ctx.Err() == nil; i++ {
			id := 1 + rng.Intn(parents/2) // children reference all of them
			var err error
			if rng.Intn(3) == 0 {
				// Remove its NO ACTION children first, in one transaction.
				tx, berr := deleter.Begin(ctx)
				if berr != nil {
					note("begin: %v", berr)
					return
				}
				if _, err = tx.Exec(ctx, `DELETE FROM fc WHERE pid = $1`, id); err == nil {
					_, err = tx.Exec(ctx, `DELETE FROM fp WHERE id = $1`, id)
				}
				if err == nil {
					err = tx.Commit(ctx)
				} else {
					_ = tx.Rollback(ctx)
				}
			} else {
				_, err = deleter.Exec(ctx, `DELETE FROM fp WHERE id = $1`, id)
			}
			if err == nil {
				delete.Add(1)
			} else if !allowed(err) && ctx.Err() == nil {
				note("delete %d: %v", id, err)
			}
		}
	}()
	wg.Wait()
	for _, u := range unexpected {
		t.Error(u)
	}
	t.Logf("%d children inserted, %d parent deletes committed", inserted.Load(), delete.Load())
	if inserted.Load() == 0 || delete.Load() == 0 {
		t.Fatalf("the writers made no progress: %d inserts, %d deletes", inserted.Load(), delete.Load())
	}
	check := c.conn(1)
	for _, table := range []string{"fc", "fcc"} {
		if got := rows(t, check, fmt.Sprintf(`SELECT count(*) FROM %s WHERE pid NOT IN (SELECT id FROM fp)`, table)); got != "0" {
			t.Errorf("%s: %s rows reference a missing parent", table, got)
		}
	}
}
