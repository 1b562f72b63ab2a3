package tests

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rangedb/rangedb/server"
)

// This file compares WITH RECURSIVE with PostgreSQL 15 in the same run:
// results and column names as TestQueriesMatchPostgres does, and for
// errors the SQLSTATE, message, hint and position too. It covers the
// iteration semantics (UNION against every row produced so far, UNION ALL
// keeping duplicates), the column types taken from the non-recursive
// term, tree and graph walks over tables, several CTEs of one clause
// referencing each other, a recursive CTE read twice, LIMIT ending an
// infinite recursion, PostgreSQL's errors for every ill-formed recursion,
// and cancellation of one that never ends.

var recursiveSetup = []string{
	`CREATE TABLE emp (id INT PRIMARY KEY, name TEXT, boss INT)`,
	`INSERT INTO emp VALUES (1, 'ceo', NULL), (2, 'cto', 1), (3, 'cfo', 1), (4, 'dev1', 2), (5, 'dev2', 2),
		(6, 'intern', 4), (7, 'acct', 3), (8, 'orphan', 99)`,
	`CREATE TABLE edge (src INT, dst INT, w INT, PRIMARY KEY (src, dst))`,
	`INSERT INTO edge VALUES (1, 2, 1), (2, 3, 2), (3, 1, 3), (3, 4, 1), (4, 5, 5), (5, 4, 1), (6, 6, 1)`,
}

var recursiveQueries = []string{
	// Series, factorial, Fibonacci.
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 10) SELECT n FROM t ORDER BY n`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 100) SELECT sum(n), count(*), max(n) FROM t`,
	`WITH RECURSIVE t(n) AS (VALUES (1) UNION ALL SELECT n + 1 FROM t WHERE n < 5) SELECT * FROM t`,
	`WITH RECURSIVE fact(n, f) AS (SELECT 1, 1::numeric UNION ALL SELECT n + 1, f * (n + 1) FROM fact WHERE n < 25) SELECT n, f FROM fact ORDER BY n`,
	`WITH RECURSIVE fib(i, a, b) AS (SELECT 1, 0::bigint, 1::bigint UNION ALL SELECT i + 1, b, a + b FROM fib WHERE i < 60) SELECT i, a FROM fib ORDER BY i`,
	`WITH RECURSIVE t AS (SELECT 1 AS n, 'x' AS s UNION ALL SELECT n + 1, s || 'x' FROM t WHERE n < 4) SELECT n, s, pg_typeof(s) FROM t`,
	`WITH RECURSIVE t(x) AS (SELECT 'a' UNION ALL SELECT x || 'b' FROM t WHERE length(x) < 3) SELECT x, pg_typeof(x) FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT NULL UNION ALL SELECT n FROM t WHERE false) SELECT n, pg_typeof(n) FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1.5 UNION ALL SELECT 1 FROM t WHERE n < 0) SELECT n, pg_typeof(n) FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1::bigint UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT n, pg_typeof(n) FROM t`,
	`WITH RECURSIVE t(a) AS (SELECT 'x'::varchar(3) UNION ALL SELECT a FROM t WHERE false) SELECT a, pg_typeof(a) FROM t`,
	`WITH RECURSIVE t(n, m) AS (SELECT 1, 2 UNION ALL SELECT n + 1, 3 FROM t WHERE n < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1, 2 UNION ALL SELECT n + 1, 3 FROM t WHERE n < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT t.n, x.n FROM t, t AS x WHERE x.n = t.n + 1`,
	// UNION against every row so far, UNION ALL keeping duplicates.
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT (n + 1) % 4 FROM t) SELECT * FROM t ORDER BY n`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT (n + 1) % 4 FROM t WHERE n <> 0) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (VALUES (1), (1), (2) UNION SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (VALUES (1), (1), (2) UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(n, k) AS (SELECT 1, NULL::int UNION SELECT n, k FROM t) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM t WHERE n < 3 UNION SELECT n FROM (VALUES (7)) v(n))) SELECT count(*) FROM (SELECT * FROM t LIMIT 20) s`,
	// Tree walks over a table.
	`WITH RECURSIVE sub(id, name, depth) AS (SELECT id, name, 0 FROM emp WHERE id = 1
		UNION ALL SELECT e.id, e.name, s.depth + 1 FROM emp e JOIN sub s ON e.boss = s.id) SELECT * FROM sub ORDER BY depth, id`,
	`WITH RECURSIVE sub AS (SELECT id, name, name AS path FROM emp WHERE boss IS NULL
		UNION ALL SELECT e.id, e.name, s.path || '/' || e.name FROM sub s, emp e WHERE e.boss = s.id) SELECT path FROM sub ORDER BY path`,
	`WITH RECURSIVE up(id, boss, hops) AS (SELECT id, boss, 0 FROM emp WHERE name = 'intern'
		UNION ALL SELECT e.id, e.boss, u.hops + 1 FROM up u JOIN emp e ON e.id = u.boss) SELECT id, hops FROM up ORDER BY hops`,
	`WITH RECURSIVE sub(id) AS (SELECT 2 UNION ALL SELECT e.id FROM emp e, sub WHERE e.boss = sub.id)
		SELECT e.name FROM emp e WHERE e.id IN (SELECT id FROM sub) ORDER BY 1`,
	`WITH RECURSIVE sub(id, root) AS (SELECT id, id FROM emp WHERE boss IS NULL OR boss NOT IN (SELECT id FROM emp)
		UNION ALL SELECT e.id, s.root FROM emp e JOIN sub s ON e.boss = s.id) SELECT root, count(*) FROM sub GROUP BY root ORDER BY root`,
	`WITH RECURSIVE sub(id) AS (SELECT 1 UNION ALL SELECT e.id FROM sub LEFT JOIN emp e ON e.boss = sub.id WHERE e.id IS NOT NULL) SELECT * FROM sub`,
	`WITH RECURSIVE sub(id, lvl) AS (SELECT 1, 1 UNION ALL SELECT e.id, lvl + 1 FROM sub JOIN emp e ON e.boss = sub.id AND lvl < 2) SELECT * FROM sub`,
	// Graphs with cycles: UNION ends, UNION ALL with a path check ends.
	`WITH RECURSIVE reach(n) AS (SELECT 1 UNION SELECT e.dst FROM edge e JOIN reach r ON e.src = r.n) SELECT n FROM reach ORDER BY n`,
	`WITH RECURSIVE reach(n) AS (SELECT 6 UNION SELECT e.dst FROM edge e JOIN reach r ON e.src = r.n) SELECT n FROM reach`,
	`WITH RECURSIVE p(node, path, cost) AS (SELECT 1, '/1/', 0
		UNION ALL SELECT e.dst, p.path || e.dst || '/', p.cost + e.w FROM p JOIN edge e ON e.src = p.node WHERE strpos(p.path, '/' || e.dst || '/') = 0)
		SELECT node, path, cost FROM p ORDER BY cost, node`,
	`WITH RECURSIVE p(node, depth) AS (SELECT 1, 0 UNION ALL SELECT e.dst, depth + 1 FROM p JOIN edge e ON e.src = p.node WHERE depth < 6)
		SELECT node, count(*) FROM p GROUP BY node ORDER BY node`,
	`WITH RECURSIVE p(a, b) AS (SELECT src, dst FROM edge UNION SELECT p.a, e.dst FROM p JOIN edge e ON e.src = p.b)
		SELECT a, b FROM p ORDER BY a, b`,
	// Several CTEs, some recursive, referencing earlier (and later) ones.
	`WITH RECURSIVE lim AS (SELECT 4 AS m), t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t, lim WHERE n < m) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3), u(n) AS (SELECT n FROM t UNION ALL SELECT n * 10 FROM u WHERE n < 100)
		SELECT * FROM u ORDER BY n`,
	`WITH RECURSIVE a AS (SELECT x FROM b), b AS (SELECT 1 AS x) SELECT * FROM a`,
	`WITH RECURSIVE a(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM a WHERE n < 3), b(n) AS (SELECT 10 UNION ALL SELECT n + 10 FROM b WHERE n < 30)
		SELECT a.n, b.n FROM a, b ORDER BY 1, 2`,
	`WITH a AS (SELECT 3 AS m) SELECT * FROM (WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t, a WHERE n < m) SELECT n FROM t) s`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (WITH u AS (SELECT n FROM t) SELECT n + 1 FROM u WHERE n < 3)) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM (SELECT * FROM t) s WHERE n < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t.n + 1 FROM t WHERE t.n < 3)
		SELECT n, (WITH RECURSIVE u(m) AS (SELECT t.n UNION ALL SELECT m + 1 FROM u WHERE m < 4) SELECT count(*) FROM u) FROM t ORDER BY n`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT (SELECT count(*) FROM t), * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t UNION ALL SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3), z AS (SELECT 5) SELECT * FROM z`,
	`WITH RECURSIVE x AS (SELECT 1 AS n UNION ALL SELECT 2) SELECT * FROM x`,
	`SELECT name FROM emp WHERE id IN (WITH RECURSIVE s(id) AS (SELECT 4 UNION ALL SELECT e.boss FROM emp e JOIN s ON e.id = s.id WHERE e.boss IS NOT NULL) SELECT id FROM s) ORDER BY id`,
	`WITH RECURSIVE a(n) AS (SELECT 1 UNION ALL SELECT a.n + x.mm FROM a, (WITH RECURSIVE b(m) AS (SELECT 1 UNION ALL SELECT m + 1 FROM b WHERE m < 2) SELECT max(m) AS mm FROM b) x WHERE a.n < 7)
		SELECT * FROM a`,
	`WITH RECURSIVE a(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM a WHERE n < 3), b(n) AS (SELECT 0 UNION ALL SELECT b.n + a.n FROM b JOIN a ON a.n = 2 WHERE b.n < 5)
		SELECT * FROM b`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT x.n + 1 FROM t AS x WHERE x.n < 3) SELECT * FROM t AS y WHERE y.n > 1`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 5000) SELECT count(*), sum(n) FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT n + 1 FROM t WHERE n < 5000) SELECT count(*), sum(n) FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT g FROM generate_series(1, 3) g UNION ALL SELECT n * 2 FROM t WHERE n < 50) SELECT n, count(*) FROM t GROUP BY n ORDER BY n`,
	// Things PostgreSQL allows in the recursive term.
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT DISTINCT n + 1 FROM t, generate_series(1, 3) g WHERE n < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3 GROUP BY n) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM t WHERE n < 3 ORDER BY n LIMIT 1)) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM t WHERE n < 3 OFFSET 1)) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (VALUES (1), (2) UNION ALL (SELECT n + 10 FROM t WHERE n < 10 ORDER BY n DESC LIMIT 1)) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < (SELECT 3)) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM t WHERE n < 3 INTERSECT SELECT 2)) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM t WHERE n < 3 EXCEPT SELECT 2)) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t.n + 1 FROM t LEFT JOIN (SELECT 1 x) a ON true WHERE n < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(n, r) AS (SELECT 1, 0::bigint UNION ALL SELECT n + 1, row_number() OVER () FROM t WHERE n < 3) SELECT * FROM t`,
	// LIMIT ends a recursion that never would.
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT n FROM t LIMIT 10`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT n FROM t LIMIT 5 OFFSET 1000`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT n FROM t WHERE n % 7 = 0 LIMIT 3`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION SELECT n + 1 FROM t) SELECT n FROM t LIMIT 4`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT * FROM (SELECT n FROM t LIMIT 3) s ORDER BY n DESC`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n FROM t) SELECT EXISTS (SELECT 1 FROM t)`,
	// INSERT from a recursive CTE.
	`CREATE TABLE nums (n INT PRIMARY KEY)`,
	`INSERT INTO nums WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 20) SELECT n FROM t`,
	`DELETE FROM nums WHERE n IN (WITH RECURSIVE t(n) AS (SELECT 2 UNION ALL SELECT n + 2 FROM t WHERE n < 10) SELECT n FROM t)`,
	`UPDATE nums SET n = n + 100 WHERE n IN (WITH RECURSIVE t(n) AS (SELECT 11 UNION ALL SELECT n + 1 FROM t WHERE n < 12) SELECT n FROM t) RETURNING n`,
	`SELECT count(*), sum(n) FROM nums`,
	// Views over recursive queries.
	`CREATE VIEW sub_of_2 AS WITH RECURSIVE s(id) AS (SELECT 2 UNION ALL SELECT e.id FROM emp e JOIN s ON e.boss = s.id) SELECT id FROM s`,
	`SELECT * FROM sub_of_2 ORDER BY id`,
	`DROP TABLE emp`,
	`SELECT e.name FROM emp e JOIN sub_of_2 s ON s.id = e.id WHERE e.id > 2 ORDER BY 1`,
	`CREATE RECURSIVE VIEW countdown (n) AS SELECT 5 UNION ALL SELECT n - 1 FROM countdown WHERE n > 1`,
	`SELECT * FROM countdown`,
	`CREATE RECURSIVE VIEW bad (n) AS SELECT n FROM bad`,
	`DROP VIEW sub_of_2`,
	`DROP VIEW countdown`,
	// Errors.
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1::bigint FROM t WHERE n < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1::numeric(5,2) UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT 1.5 FROM t WHERE false) SELECT * FROM t`,
	`WITH RECURSIVE t(a, b) AS (SELECT 1, 'x' UNION ALL SELECT a + 1, b::varchar(3) FROM t WHERE a < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(a) AS (SELECT 'x'::varchar(3) UNION ALL SELECT a || 'y' FROM t WHERE length(a) < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT 'x'::text FROM t) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n IN (SELECT n FROM t)) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE EXISTS (SELECT 1 FROM t)) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT (SELECT max(n) FROM t)) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t.n + 1 FROM (SELECT 1 x) a LEFT JOIN t ON true) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t.n + 1 FROM t RIGHT JOIN (SELECT 1 x) a ON true) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t.n + 1 FROM t FULL JOIN (SELECT 1 x) a ON true) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT count(*) FROM t) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT sum(n) FROM t WHERE n < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3 ORDER BY 1) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3 LIMIT 2) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3 OFFSET 1) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT n FROM t UNION ALL SELECT 1) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT (SELECT n FROM t) UNION ALL SELECT 1) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3 UNION ALL SELECT 7) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 INTERSECT SELECT n + 1 FROM t) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 EXCEPT SELECT n + 1 FROM t) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT n + 1 FROM t) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 FROM t) SELECT 1`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM t WHERE n < 3 INTERSECT ALL SELECT 2)) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT 2 EXCEPT SELECT n + 1 FROM t WHERE n < 3)) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM t WHERE n < 3 EXCEPT ALL SELECT 2)) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT a.n + 1 FROM t a, t b) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL (SELECT n + 1 FROM t WHERE n < 3 UNION ALL SELECT 7 FROM t WHERE n = 1)) SELECT * FROM t`,
	`WITH RECURSIVE a AS (SELECT 1 AS x UNION ALL SELECT x + 1 FROM b WHERE x < 3), b AS (SELECT x FROM a) SELECT * FROM a`,
	`WITH RECURSIVE t(n, m) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1, 2 FROM t WHERE n < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT 2, 3) SELECT * FROM t`,
	`WITH RECURSIVE t AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 'a' FROM t WHERE n < 3) SELECT 1`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT 1`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3), t(m) AS (SELECT 2) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SELECT * FROM t, t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE nosuch < 3) SELECT * FROM t`,
	`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n / 0 FROM t) SELECT * FROM t`,
	// Without RECURSIVE a CTE sees neither itself nor later siblings.
	`WITH t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT * FROM t`,
	`WITH t AS (SELECT * FROM u), u AS (SELECT 1) SELECT * FROM t`,
	`WITH t AS (SELECT 1) SELECT * FROM (WITH u AS (SELECT * FROM t, v), v AS (SELECT 2) SELECT * FROM u) s`,
	`WITH x(a, b) AS (SELECT 1) SELECT * FROM x`,
	`WITH RECURSIVE x(a, b) AS (SELECT 1) SELECT * FROM x`,
	`WITH x(a) AS (SELECT 1, 2) SELECT * FROM x`,
	`WITH x(a) AS (SELECT 1 AS k, 2 AS m) SELECT a, m FROM x`,
}

// checkFull runs sql on both and compares outcomes, and for an error also
// its message, hint and position.
func (p *comparePair) checkFull(t *testing.T, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	run := func(conn interface {
		Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
	}, o outcome) string {
		if o.state == "" {
			return ""
		}
		_, err := conn.Exec(ctx, sql)
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			return fmt.Sprintf("%s %s | hint %q | at %d", pe.Code, pe.Message, pe.Hint, pe.Position)
		}
		return fmt.Sprint(err)
	}
	want := runOutcome(ctx, p.pg, sql)
	got := runOutcome(ctx, p.rdb, sql)
	if !strings.Contains(strings.ToUpper(sql), "ORDER BY") {
		want.rows, got.rows = sortedRows(want.rows), sortedRows(got.rows)
	}
	wantErr, gotErr := run(p.pg, want), run(p.rdb, got)
	if want.String() != got.String() || wantErr != gotErr {
		t.Errorf("%s\nrangedb:    %s %s\npostgresql: %s %s", sql, got, gotErr, want, wantErr)
	}
}

func TestRecursiveMatchesPostgres(t *testing.T) {
	p := startComparePair(t, server.Config{})
	for _, q := range recursiveSetup {
		p.check(t, q)
	}
	for _, q := range recursiveQueries {
		p.checkFull(t, q)
	}
	// Parameters through the extended protocol, in both terms.
	p.checkExtended(t, `WITH RECURSIVE t(n) AS (SELECT $1::int UNION ALL SELECT n + 1 FROM t WHERE n < $2) SELECT * FROM t`, 3, 6)
	p.checkExtended(t, `WITH RECURSIVE sub(id) AS (SELECT id FROM emp WHERE id = $1 UNION SELECT e.id FROM emp e JOIN sub ON e.boss = sub.id) SELECT count(*) FROM sub`, 2)
	p.checkExtended(t, `WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT n FROM t LIMIT $1`, 7)
	p.checkUnsupported(t, []struct{ sql, construct string }{
		{`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) SEARCH DEPTH FIRST BY n SET ord SELECT * FROM t`, "SEARCH"},
		{`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t WHERE n < 3) CYCLE n SET is_cycle USING path SELECT * FROM t`, "CYCLE"},
	})
}

// TestRecursiveCancel checks that a recursion that never ends stops at
// statement_timeout, at the client's CancelRequest and at
// pg_cancel_backend from another session, each time with PostgreSQL's
// 57014, and that the session is usable afterwards.
func TestRecursiveCancel(t *testing.T) {
	s := startNode(t, server.Config{})
	c := connect(t, s.URL())
	admin := connect(t, s.URL())
	ctx := context.Background()
	infinite := []string{
		`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT count(*) FROM t`,
		// UNION: the set of rows seen grows with every iteration.
		`WITH RECURSIVE t(n) AS (SELECT 1::bigint UNION SELECT n + 1 FROM t) SELECT max(n) FROM t`,
		// A join in the recursive term, rebuilt every iteration.
		`WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT t.n + 1 FROM t JOIN (VALUES (1), (2)) v(x) ON v.x = 1) SELECT count(*) FROM t`,
	}
	alive := func() {
		t.Helper()
		var n int
		if err := c.QueryRow(ctx, `WITH RECURSIVE t(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM t) SELECT n FROM t LIMIT 1 OFFSET 99`).Scan(&n); err != nil || n != 100 {
			t.Fatalf("after the stop: %d, %v", n, err)
		}
	}
	for _, q := range infinite {
		mustExec(t, c, `SET statement_timeout = '200ms'`)
		if pe := execErr(t, c, q); pe.Code != "57014" || pe.Message != "canceling statement due to statement timeout" {
			t.Errorf("%s: statement_timeout: %s %s", q, pe.Code, pe.Message)
		}
		mustExec(t, c, `RESET statement_timeout`)
		alive()

		pe := hardenRunAndStop(t, c, q, func() {
			cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			if err := c.PgConn().CancelRequest(cctx); err != nil {
				t.Errorf("CancelRequest: %v", err)
			}
		})
		if pe == nil || pe.Code != "57014" || pe.Message != "canceling statement due to user request" {
			t.Errorf("%s: CancelRequest: %v", q, pe)
		}
		alive()

		pid := c.PgConn().PID()
		pe = hardenRunAndStop(t, c, q, func() {
			if got := query(t, admin, fmt.Sprintf("SELECT pg_cancel_backend(%d)", pid)); got[0][0] != "t" {
				t.Errorf("pg_cancel_backend: %v", got)
			}
		})
		if pe == nil || pe.Code != "57014" || pe.Message != "canceling statement due to user request" {
			t.Errorf("%s: pg_cancel_backend: %v", q, pe)
		}
		alive()
	}
}
