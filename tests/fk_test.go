package tests

import (
	"context"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rangedb/rangedb/server"
)

// TestForeignKeyRaces runs a child's insert and its parent's delete (or
// key change) in overlapping transactions, each way round: one of them
// must fail, so that no committed child references a missing parent.
func TestForeignKeyRaces(t *testing.T) {
	s := startNode(t, server.Config{})
	a, b := connect(t, s.URL()), connect(t, s.URL())
	mustExec(t, a, `CREATE TABLE rp (id INT PRIMARY KEY, code INT UNIQUE, note TEXT)`)
	mustExec(t, a, `CREATE TABLE rc (id INT PRIMARY KEY, pid INT REFERENCES rp, pcode INT REFERENCES rp (code))`)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	orphans := func() string {
		return query(t, a, `SELECT count(*) FROM rc WHERE pid NOT IN (SELECT id FROM rp) OR pcode NOT IN (SELECT code FROM rp)`)[0][0]
	}
	for i, c := range []struct {
		name, child, parent string
		childFirst          bool
	}{
		{"insert child, then delete parent", `INSERT INTO rc VALUES (1, 1, NULL)`, `DELETE FROM rp WHERE id = 1`, true},
		{"delete parent, then insert child", `INSERT INTO rc VALUES (2, 2, NULL)`, `DELETE FROM rp WHERE id = 2`, false},
		{"insert child, then change the key", `INSERT INTO rc VALUES (3, NULL, 30)`, `UPDATE rp SET code = 31 WHERE id = 3`, true},
		{"insert child, then an unrelated update", `INSERT INTO rc VALUES (4, 4, NULL)`, `UPDATE rp SET note = 'x' WHERE id = 5`, true},
	} {
		id := i + 1
		mustExec(t, a, `INSERT INTO rp VALUES (`+strconv.Itoa(id)+`, `+strconv.Itoa(id*10)+`, 'p')`)
		if id == 4 {
			mustExec(t, a, `INSERT INTO rp VALUES (5, 50, 'p')`)
		}
		ta, err := a.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		tb, err := b.Begin(ctx)
		if err != nil {
			t.Fatal(err)
		}
		first, second := ta, tb
		firstSQL, secondSQL := c.child, c.parent
		if !c.childFirst {
			first, second = tb, ta
			firstSQL, secondSQL = c.parent, c.child
		}
		_, err1 := first.Exec(ctx, firstSQL)
		_, err2 := second.Exec(ctx, secondSQL)
		// Both commit at once: one may wait for the other's locks.
		finish := func(tx pgx.Tx, err error, out *error) {
			if err != nil {
				_ = tx.Rollback(ctx)
				return
			}
			*out = tx.Commit(ctx)
		}
		var cerr1, cerr2 error
		var wg sync.WaitGroup
		wg.Add(1)
		go func() {
			defer wg.Done()
			finish(first, err1, &cerr1)
		}()
		finish(second, err2, &cerr2)
		wg.Wait()
		t.Logf("%s: first %v / %v, second %v / %v", c.name, err1, cerr1, err2, cerr2)
		if got := orphans(); got != "0" {
			t.Errorf("%s: %s orphaned children committed", c.name, got)
		}
		if c.name == "insert child, then an unrelated update" && (err1 != nil || cerr1 != nil || err2 != nil || cerr2 != nil) {
			t.Errorf("%s: a write to another parent row must not conflict", c.name)
		}
	}
}
