package tests

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rangedb/rangedb/server"
)

// TestRowLockingMatchesPostgres runs two-session scenarios of concurrent
// writers on rangedb and on PostgreSQL 15 and requires the same story from
// both: which statement waits for which transaction, which fails with
// which SQLSTATE, and what the table holds at the end. rangedb's explicit
// transactions take pessimistic locks at each DML statement (DESIGN.md §4)
// for exactly this.
func TestRowLockingMatchesPostgres(t *testing.T) {
	rdb, pg := bothServers(t)
	for _, sc := range lockScenarios {
		t.Run(sc.name, func(t *testing.T) {
			want := runLockScenario(t, pg, sc)
			got := runLockScenario(t, rdb, sc)
			if got != want {
				t.Fatalf("rangedb:\n%s\nPostgreSQL:\n%s", got, want)
			}
			t.Logf("both:\n%s", got)
		})
	}
}

// lockStep is one statement of a scenario, run by session a or b. A step
// marked async is started and left running; a later wait step collects
// its outcome (the scenario records whether it had finished before the
// steps in between ran).
type lockStep struct {
	session byte // 'a' or 'b'
	sql     string
	async   bool
	wait    bool // collect the session's running async statement
}

type lockScenario struct {
	name  string
	setup []string
	steps []lockStep
	check string
}

func a(sql string) lockStep      { return lockStep{session: 'a', sql: sql} }
func b(sql string) lockStep      { return lockStep{session: 'b', sql: sql} }
func bAsync(sql string) lockStep { return lockStep{session: 'b', sql: sql, async: true} }
func waitFor(s byte) lockStep    { return lockStep{session: s, wait: true} }

var lockScenarios = []lockScenario{
	{
		name:  "update waits and applies on top (read committed)",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 0), (2, 0)"},
		steps: []lockStep{
			a("BEGIN"), a("UPDATE t SET v = v + 1 WHERE k = 1"),
			bAsync("UPDATE t SET v = v * 10 WHERE k = 1"),
			b2("UPDATE t SET v = 5 WHERE k = 2"),
			a("COMMIT"), waitFor('b'),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "rollback releases the waiter",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 0)"},
		steps: []lockStep{
			a("BEGIN"), a("DELETE FROM t WHERE k = 1"),
			bAsync("UPDATE t SET v = 7 WHERE k = 1"),
			a("ROLLBACK"), waitFor('b'),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "repeatable read fails on a row changed since its snapshot",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 0)"},
		steps: []lockStep{
			a("BEGIN ISOLATION LEVEL REPEATABLE READ"), a("SELECT v FROM t"),
			b("UPDATE t SET v = 3 WHERE k = 1"),
			a("UPDATE t SET v = v + 1 WHERE k = 1"), a("ROLLBACK"),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "repeatable read waits, then fails when the holder commits",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 0)"},
		steps: []lockStep{
			a("BEGIN"), a("UPDATE t SET v = 1 WHERE k = 1"),
			b("BEGIN ISOLATION LEVEL REPEATABLE READ"), b("SELECT v FROM t"),
			bAsync("UPDATE t SET v = 2 WHERE k = 1"),
			a("COMMIT"), waitFor('b'), b("ROLLBACK"),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "insert of a key another transaction inserted waits, then 23505",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)"},
		steps: []lockStep{
			a("BEGIN"), a("INSERT INTO t VALUES (1, 1)"),
			b("BEGIN"), bAsync("INSERT INTO t VALUES (1, 2)"),
			a("COMMIT"), waitFor('b'), b("ROLLBACK"),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "insert succeeds when the other inserter rolls back",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)"},
		steps: []lockStep{
			a("BEGIN"), a("INSERT INTO t VALUES (1, 1)"),
			bAsync("INSERT INTO t VALUES (1, 2)"),
			a("ROLLBACK"), waitFor('b'),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "unique index entry waits like a row",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, u INT UNIQUE)"},
		steps: []lockStep{
			a("BEGIN"), a("INSERT INTO t VALUES (1, 5)"),
			bAsync("INSERT INTO t VALUES (2, 5)"),
			a("COMMIT"), waitFor('b'),
		},
		check: "SELECT k, u FROM t ORDER BY k",
	},
	{
		name:  "lock_timeout",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 0)"},
		steps: []lockStep{
			a("BEGIN"), a("UPDATE t SET v = 1 WHERE k = 1"),
			b("SET lock_timeout = '100ms'"), b("UPDATE t SET v = 2 WHERE k = 1"),
			b("BEGIN"), b("SET LOCAL lock_timeout = 50"), b("DELETE FROM t"), b("ROLLBACK"),
			a("COMMIT"), b("UPDATE t SET v = v + 10 WHERE k = 1"),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "select for update waits for a writer and reads its write",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 0), (2, 0)"},
		steps: []lockStep{
			a("BEGIN"), a("UPDATE t SET v = 5 WHERE k = 1"),
			b("BEGIN"), bAsync("SELECT k, v FROM t WHERE k = 1 FOR UPDATE"),
			a("COMMIT"), waitFor('b'), b("UPDATE t SET v = v + 1 WHERE k = 1"), b("COMMIT"),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "select for update blocks writers until commit",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 0), (2, 0), (3, 0)"},
		steps: []lockStep{
			a("BEGIN"), a("SELECT k FROM t WHERE v = 0 AND k < 3 ORDER BY k DESC FOR NO KEY UPDATE"),
			bAsync("UPDATE t SET v = v + 10 WHERE k = 2"),
			b2("UPDATE t SET v = 7 WHERE k = 3"),
			a("UPDATE t SET v = v + 1 WHERE k IN (1, 2)"), a("COMMIT"), waitFor('b'),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "commit of a block that only locked releases the rows",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 0)"},
		steps: []lockStep{
			a("BEGIN"), a("SELECT v FROM t WHERE k = 1 FOR UPDATE"),
			bAsync("UPDATE t SET v = 9 WHERE k = 1"),
			a("COMMIT"), waitFor('b'), a("SELECT v FROM t FOR UPDATE"),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "for update nowait",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 0)"},
		steps: []lockStep{
			a("BEGIN"), a("SELECT * FROM t FOR UPDATE"),
			b("SELECT * FROM t FOR UPDATE NOWAIT"), b("SELECT * FROM t"), a("ROLLBACK"),
			b("SELECT * FROM t WHERE k = 1 FOR UPDATE NOWAIT"),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "for update under repeatable read",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 0)"},
		steps: []lockStep{
			a("BEGIN ISOLATION LEVEL REPEATABLE READ"), a("SELECT v FROM t"),
			b("UPDATE t SET v = 3"), a("SELECT v FROM t FOR UPDATE"), a("ROLLBACK"),
			a("BEGIN READ ONLY"), a("SELECT v FROM t FOR UPDATE"), a("ROLLBACK"),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "for update refused with aggregates, DISTINCT, GROUP BY",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 0)"},
		steps: []lockStep{
			a("SELECT count(*) FROM t FOR UPDATE"), a("SELECT DISTINCT v FROM t FOR UPDATE"),
			a("SELECT v FROM t GROUP BY v FOR UPDATE"),
			a("SELECT k FROM t FOR UPDATE"), a("SELECT 1 AS one FOR UPDATE"),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "savepoints",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)"},
		steps: []lockStep{
			a("SAVEPOINT s"), a("RELEASE s"), a("ROLLBACK TO s"),
			a("BEGIN"), a("INSERT INTO t VALUES (1, 1)"), a("SAVEPOINT s1"), a("INSERT INTO t VALUES (2, 2)"),
			a("SELECT k FROM t ORDER BY k"), a("ROLLBACK TO SAVEPOINT s1"), a("SELECT k FROM t ORDER BY k"),
			a("INSERT INTO t VALUES (3, 3)"), a("RELEASE SAVEPOINT s1"), a("RELEASE s1"), a("SELECT 1"),
			a("ROLLBACK TO s1"), a("COMMIT"),
			a("BEGIN"), a("UPDATE t SET v = v + 10"), a("SAVEPOINT a"), a("SAVEPOINT b"), a("SAVEPOINT a"),
			a("INSERT INTO t VALUES (1, 0)"), a("SELECT 1"), a("ROLLBACK TO b"), a("SELECT k, v FROM t ORDER BY k"),
			a("RELEASE a"), a("ROLLBACK TO a"), a("DELETE FROM t WHERE k = 3"), a("COMMIT"),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "savepoints undo DDL and settings",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 1)"},
		steps: []lockStep{
			a("BEGIN"), a("SET application_name = 'before'"), a("SAVEPOINT s"),
			a("CREATE TABLE u (x INT)"), a("SET application_name = 'after'"), a("SET LOCAL search_path = nowhere"),
			a("SHOW application_name"), a("ROLLBACK TO s"), a("SHOW application_name"), a("SHOW search_path"),
			a("SELECT * FROM u"), a("ROLLBACK TO s"), a("CREATE TABLE u (y INT)"), a("INSERT INTO u VALUES (5)"),
			a("COMMIT"), a("SELECT * FROM u"), a("SHOW application_name"), a("DROP TABLE u"),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
	{
		name:  "rollback to a savepoint keeps the rows locked before it",
		setup: []string{"CREATE TABLE t (k INT PRIMARY KEY, v INT)", "INSERT INTO t VALUES (1, 0), (2, 0)"},
		steps: []lockStep{
			a("BEGIN"), a("UPDATE t SET v = 1 WHERE k = 1"), a("SAVEPOINT s"), a("UPDATE t SET v = 1 WHERE k = 1"),
			a("ROLLBACK TO s"), bAsync("UPDATE t SET v = 2 WHERE k = 1"), a("COMMIT"), waitFor('b'),
		},
		check: "SELECT k, v FROM t ORDER BY k",
	},
}

// b2 runs on session b while its async statement is blocked: a third
// session, so that b's wait is not disturbed (it is recorded under 'c').
func b2(sql string) lockStep { return lockStep{session: 'c', sql: sql} }

// runLockScenario runs sc on tg with three sessions and returns its story.
func runLockScenario(t *testing.T, tg target, sc lockScenario) string {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	setup := connectExt(t, tg.url)
	for _, q := range append([]string{"DROP TABLE IF EXISTS t"}, sc.setup...) {
		if _, err := setup.Exec(ctx, q); err != nil {
			t.Fatalf("%s: %s: %v", tg.name, q, err)
		}
	}
	conns := map[byte]*pgx.Conn{'a': connectExt(t, tg.url), 'b': connectExt(t, tg.url), 'c': connectExt(t, tg.url)}
	running := map[byte]chan string{}
	var story strings.Builder
	// run runs sql and renders its outcome: the rows and tag, or the
	// SQLSTATE.
	run := func(conn *pgx.Conn, sql string) string {
		rows, err := conn.Query(ctx, sql, pgx.QueryExecModeSimpleProtocol)
		var out []string
		if err == nil {
			for rows.Next() {
				vals, verr := rows.Values()
				if verr != nil {
					err = verr
					break
				}
				out = append(out, fmt.Sprint(vals))
			}
			rows.Close()
			if err == nil {
				err = rows.Err()
			}
		}
		var pe *pgconn.PgError
		switch {
		case err == nil:
			return strings.Join(append(out, rows.CommandTag().String()), " ")
		case errors.As(err, &pe):
			return "ERROR " + pe.Code
		default:
			return "ERROR " + err.Error()
		}
	}
	for _, st := range sc.steps {
		switch {
		case st.wait:
			ch := running[st.session]
			delete(running, st.session)
			select {
			case res := <-ch:
				fmt.Fprintf(&story, "%c finished: %s\n", st.session, res)
			case <-ctx.Done():
				t.Fatalf("%s: session %c never finished", tg.name, st.session)
			}
		case st.async:
			ch := make(chan string, 1)
			running[st.session] = ch
			conn := conns[st.session]
			go func(sql string) { ch <- run(conn, sql) }(st.sql)
			// Give the statement time to reach its lock. Whether it
			// waits is judged below: a statement that did not wait has
			// finished long before the next step.
			time.Sleep(300 * time.Millisecond)
			select {
			case res := <-ch:
				ch <- res
				fmt.Fprintf(&story, "%c %s: did not wait\n", st.session, st.sql)
			default:
				fmt.Fprintf(&story, "%c %s: waits\n", st.session, st.sql)
			}
		default:
			res := run(conns[st.session], st.sql)
			fmt.Fprintf(&story, "%c %s: %s\n", st.session, st.sql, res)
		}
	}
	rows, err := setup.Query(ctx, sc.check)
	if err != nil {
		t.Fatalf("%s: %s: %v", tg.name, sc.check, err)
	}
	for rows.Next() {
		vals, err := rows.Values()
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(&story, "%v\n", vals)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return story.String()
}

// TestDeadlockDetected: two blocks that lock two rows in opposite orders
// deadlock; one of them fails with 40P01 at once (PostgreSQL needs its
// deadlock_timeout, a second, and picks the transaction whose timer fires
// first, so the victim may differ) and the other goes on.
func TestDeadlockDetected(t *testing.T) {
	s := startNode(t, server.Config{})
	setup, ca, cb := connect(t, s.URL()), connect(t, s.URL()), connect(t, s.URL())
	mustExec(t, setup, "CREATE TABLE t (k INT PRIMARY KEY, v INT)")
	mustExec(t, setup, "INSERT INTO t VALUES (1, 0), (2, 0)")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	mustExec(t, ca, "BEGIN")
	mustExec(t, cb, "BEGIN")
	mustExec(t, ca, "UPDATE t SET v = 1 WHERE k = 1")
	mustExec(t, cb, "UPDATE t SET v = 2 WHERE k = 2")
	errA := make(chan error, 1)
	go func() {
		_, err := ca.Exec(ctx, "UPDATE t SET v = 1 WHERE k = 2")
		errA <- err
	}()
	time.Sleep(200 * time.Millisecond) // let a reach its lock wait
	_, errB := cb.Exec(ctx, "UPDATE t SET v = 2 WHERE k = 1")
	var pe *pgconn.PgError
	var winner *pgx.Conn
	var want string
	switch {
	case errors.As(errB, &pe) && pe.Code == "40P01":
		mustExec(t, cb, "ROLLBACK")
		if err := <-errA; err != nil {
			t.Fatalf("the surviving transaction failed too: %v", err)
		}
		winner, want = ca, "1"
	case errB == nil:
		err := <-errA
		if !errors.As(err, &pe) || pe.Code != "40P01" {
			t.Fatalf("neither transaction got 40P01: %v", err)
		}
		mustExec(t, ca, "ROLLBACK")
		winner, want = cb, "2"
	default:
		t.Fatalf("second locker: %v", errB)
	}
	mustExec(t, winner, "COMMIT")
	if got := query(t, setup, "SELECT v FROM t ORDER BY k"); len(got) != 2 || got[0][0] != want || got[1][0] != want {
		t.Fatalf("after the deadlock: %v, want both rows %s", got, want)
	}
}

// TestLockOutlivesTTL holds a row lock for several lock TTLs: the holder's
// heartbeat keeps the waiter from rolling it back, so the waiter waits
// until the holder commits, and the holder's commit succeeds.
func TestLockOutlivesTTL(t *testing.T) {
	s := startNode(t, server.Config{LockTTL: 300 * time.Millisecond})
	holder, waiter := connect(t, s.URL()), connect(t, s.URL())
	mustExec(t, holder, "CREATE TABLE t (k INT PRIMARY KEY, v INT)")
	mustExec(t, holder, "INSERT INTO t VALUES (1, 0)")
	mustExec(t, holder, "BEGIN")
	mustExec(t, holder, "UPDATE t SET v = v + 1 WHERE k = 1")
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		_, err := waiter.Exec(ctx, "UPDATE t SET v = v * 10 WHERE k = 1")
		done <- err
	}()
	select {
	case err := <-done:
		t.Fatalf("the waiter finished while the holder lived: %v", err)
	case <-time.After(2 * time.Second): // several TTLs
	}
	mustExec(t, holder, "COMMIT")
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	if got := query(t, holder, "SELECT v FROM t"); got[0][0] != "10" {
		t.Fatalf("v = %s, want (0+1)*10", got[0][0])
	}
}

// TestUnbuiltLockingClauses: the locking clauses not built are refused
// with 0A000 naming them, never run as something else.
func TestUnbuiltLockingClauses(t *testing.T) {
	s := startNode(t, server.Config{})
	conn := connect(t, s.URL())
	mustExec(t, conn, "CREATE TABLE t (k INT PRIMARY KEY, v INT)")
	mustExec(t, conn, "CREATE TABLE u (k INT PRIMARY KEY)")
	for q, want := range map[string]string{
		"SELECT * FROM t FOR SHARE":                        "FOR SHARE",
		"SELECT * FROM t FOR KEY SHARE":                    "FOR KEY SHARE",
		"SELECT * FROM t FOR UPDATE SKIP LOCKED":           "SKIP LOCKED",
		"SELECT * FROM t FOR UPDATE OF t":                  "FOR UPDATE OF",
		"SELECT * FROM t, u WHERE t.k = u.k FOR UPDATE":    "FOR UPDATE with a join",
		"SELECT k FROM t UNION SELECT k FROM u FOR UPDATE": "FOR UPDATE",
	} {
		pe := execErr(t, conn, q)
		if pe.Code != "0A000" || !strings.Contains(pe.Message, want) {
			t.Errorf("%s: %s %q, want 0A000 naming %q", q, pe.Code, pe.Message, want)
		}
	}
}
