package cluster

import (
	"context"
	"fmt"
	"math/rand"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// TestSchemaChangesUnderConcurrentWrites runs the schema changes
// migrations send — CREATE INDEX, CREATE UNIQUE INDEX, ADD COLUMN with a
// DEFAULT, ADD CHECK, ADD FOREIGN KEY, ALTER COLUMN TYPE — through one
// node of a 3-node cluster while clients on the other two insert,
// update and delete rows of the table. Writers may fail with a
// retryable 40001 (they ran with a descriptor the change replaced) and
// with the constraint errors the changes introduce, never otherwise.
// Afterwards every row has exactly its index entries (a scan through
// each index returns the rows a scan of the table does) and satisfies
// every constraint.
func TestSchemaChangesUnderConcurrentWrites(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	waitVoters(t, c, 3)
	ddl := c.conn(2)
	exec(t, ddl, `CREATE TABLE scp (id INT PRIMARY KEY)`)
	exec(t, ddl, `INSERT INTO scp SELECT g FROM generate_series(0, 9) g`)
	exec(t, ddl, `CREATE TABLE sc (k INT PRIMARY KEY, v INT, w TEXT, p INT)`)
	exec(t, ddl, `INSERT INTO sc SELECT g, g % 50, 'w' || g, g % 10 FROM generate_series(1, 200) g`)

	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	var (
		wg         sync.WaitGroup
		done       atomic.Bool
		writes     atomic.Int64
		retried    atomic.Int64
		mu         sync.Mutex
		unexpected []string
	)
	note := func(format string, args ...any) {
		mu.Lock()
		defer mu.Unlock()
		if len(unexpected) < 10 {
			unexpected = append(unexpected, fmt.Sprintf(format, args...))
		}
	}
	for w := range 4 {
		conn := c.conn(w % 2)
		wg.Add(1)
		go func() {
			defer wg.Done()
			rng := rand.New(rand.NewSource(int64(w)))
			for i := 0; i < 1500 && !done.Load() && ctx.Err() == nil; i++ {
				k := 1 + rng.Intn(400)
				var sql string
				switch rng.Intn(3) {
				case 0:
					sql = fmt.Sprintf(`INSERT INTO sc (k, v, w, p) VALUES (%d, %d, 'w%d', %d) ON CONFLICT (k) DO UPDATE SET v = excluded.v`, k, rng.Intn(50), k, rng.Intn(10))
				case 1:
					sql = fmt.Sprintf(`UPDATE sc SET v = %d, p = %d WHERE k = %d`, rng.Intn(50), rng.Intn(10), k)
				default:
					sql = fmt.Sprintf(`DELETE FROM sc WHERE k = %d`, k)
				}
				if _, err := conn.Exec(ctx, sql); err != nil {
					switch sqlState(err) {
					case "40001", "40P01":
						retried.Add(1)
					case "23505", "23514", "23503":
					default:
						if ctx.Err() == nil {
							note("%s: %v", sql, err)
						}
					}
					continue
				}
				writes.Add(1)
			}
		}()
	}
	ddlRetries := 0
	for _, sql := range []string{
		`CREATE INDEX sc_v ON sc (v)`,
		`CREATE UNIQUE INDEX sc_w ON sc (w)`,
		`ALTER TABLE sc ADD COLUMN d INT DEFAULT 7`,
		`ALTER TABLE sc ADD CONSTRAINT sc_v_check CHECK (v >= 0)`,
		`ALTER TABLE sc ADD CONSTRAINT sc_p_fk FOREIGN KEY (p) REFERENCES scp`,
		`ALTER TABLE sc ALTER COLUMN v TYPE BIGINT`,
		`CREATE INDEX sc_p_v ON sc (p, v)`,
	} {
		for try := 0; ; try++ {
			_, err := ddl.Exec(ctx, sql)
			if err == nil {
				break
			}
			// A change conflicts with every write that commits while it
			// runs, so under a steady stream of writes it may only get
			// through once they pause (the writers stop after a bounded
			// number of statements).
			if code := sqlState(err); (code != "40001" && code != "40P01") || try == 500 {
				t.Fatalf("%s: %v", sql, err)
			}
			ddlRetries++
			time.Sleep(10 * time.Millisecond)
		}
		time.Sleep(100 * time.Millisecond)
	}
	done.Store(true)
	wg.Wait()
	for _, u := range unexpected {
		t.Error(u)
	}
	if writes.Load() == 0 {
		t.Fatal("no write committed")
	}
	t.Logf("%d writes committed during the schema changes, %d failed with 40001/40P01; the changes ran again %d times", writes.Load(), retried.Load(), ddlRetries)

	check := c.conn(0)
	table := rows(t, check, `SELECT k, v, w, p, d FROM sc WHERE k + 0 > 0 ORDER BY k`)
	for _, q := range []string{
		`SELECT k, v, w, p, d FROM sc WHERE v >= 0 ORDER BY k`,
		`SELECT k, v, w, p, d FROM sc WHERE w >= '' ORDER BY k`,
		`SELECT k, v, w, p, d FROM sc WHERE p >= 0 ORDER BY k`,
	} {
		plan := rows(t, check, "EXPLAIN "+q)
		if !strings.Contains(plan, "sc_") {
			t.Errorf("%s does not read an index:\n%s", q, plan)
		}
		if got := rows(t, check, q); got != table {
			t.Errorf("%s returns other rows than the table scan:\nindex: %s\ntable: %s", q, got, table)
		}
	}
	for q, want := range map[string]string{
		`SELECT count(*) FROM sc WHERE v + 0 < 0`:                                  "0",
		`SELECT count(*) FROM sc WHERE d IS NULL`:                                  "0",
		`SELECT count(*) FROM sc WHERE p + 0 NOT IN (SELECT id FROM scp)`:          "0",
		`SELECT count(*) FROM (SELECT w FROM sc GROUP BY w HAVING count(*) > 1) x`: "0",
		`SELECT pg_typeof(v)::text FROM sc LIMIT 1`:                                "bigint",
	} {
		if got := rows(t, check, q); got != want {
			t.Errorf("%s = %s, want %s", q, got, want)
		}
	}
}
