package sql

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/rangedb/rangedb/sql/internal/kvtest"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// FuzzSQL runs arbitrary query strings through the whole front end — the
// parser's limits, pg_query, translation, planning and execution — on an
// in-memory store, plus a statement generated from the grammar's shapes
// by the fuzzer's bytes. Whatever the input, nothing panics, every error
// is a *pgerror.Error with a SQLSTATE and no internal text, and the
// session stays usable.
func FuzzSQL(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s, []byte{})
	}
	f.Add("SELECT 1", []byte{3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5})
	f.Add("", []byte{2, 7, 1, 8, 2, 8, 1, 8, 2, 8, 4, 5, 9})

	db, _ := kvtest.NewDB()
	e := NewEngine(Config{DB: db, NodeID: 1})
	if err := e.Start(context.Background()); err != nil {
		f.Fatal(err)
	}
	s, err := e.NewSession(context.Background(), "root", "defaultdb", nil)
	if err != nil {
		f.Fatal(err)
	}
	defer s.Close()
	run := func(t *testing.T, q string) error {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		defer cancel()
		return s.ExecSimple(ctx, q, &recorder{})
	}
	for _, q := range []string{
		"CREATE TABLE t (a INT PRIMARY KEY, b TEXT, c FLOAT8)",
		"CREATE TABLE u (x INT, y NUMERIC, z BOOL)",
		"INSERT INTO t VALUES (1, 'one', 1.5), (2, 'two', NULL), (3, NULL, -0.25)",
		"INSERT INTO u VALUES (1, 2.5, true), (NULL, NULL, NULL), (3, -1, false)",
		"SET work_mem = '4MB'",
	} {
		if err := s.ExecSimple(context.Background(), q, &recorder{}); err != nil {
			f.Fatalf("%s: %v", q, err)
		}
	}
	f.Fuzz(func(t *testing.T, query string, gen []byte) {
		for _, q := range []string{query, generateStatement(gen)} {
			checkFuzzError(t, q, run(t, q))
			// Whatever state q left, the session recovers.
			_ = run(t, "ROLLBACK")
			if err := run(t, "SELECT 1"); err != nil {
				t.Fatalf("after %q: SELECT 1: %v", q, err)
			}
		}
	})
}

func checkFuzzError(t *testing.T, q string, err error) {
	if err == nil {
		return
	}
	var pe *pgerror.Error
	if !errors.As(err, &pe) {
		t.Fatalf("%.200q: error %T %v is not a *pgerror.Error", q, err, err)
	}
	if len(pe.Code) != 5 || pe.Message == "" {
		t.Fatalf("%.200q: error without SQLSTATE or message: %+v", q, pe)
	}
	for _, internal := range []string{"proto:", "runtime error", "pg_query", "goroutine "} {
		if strings.Contains(pe.Message, internal) {
			t.Fatalf("%.200q: internal text reached the client: %s %s", q, pe.Code, pe.Message)
		}
	}
}

// fuzzSeeds are statements of the shapes the grammar has; the fuzzer
// mutates them.
var fuzzSeeds = []string{
	"SELECT a, b FROM t WHERE a > 1 ORDER BY b DESC NULLS LAST LIMIT 2 OFFSET 1",
	"SELECT t.a, u.y FROM t JOIN u ON t.a = u.x LEFT JOIN t t2 ON t2.a = u.x FULL JOIN u u2 USING (x)",
	"SELECT b, count(*), sum(c), avg(a) FROM t GROUP BY b HAVING count(*) > 0",
	"SELECT a, row_number() OVER (PARTITION BY b ORDER BY c), lag(a) OVER w FROM t WINDOW w AS (ORDER BY a)",
	"WITH x AS (SELECT a FROM t) SELECT * FROM x UNION ALL SELECT x FROM u EXCEPT SELECT 2 INTERSECT SELECT 3",
	"SELECT CASE WHEN a < 2 THEN 'lo' WHEN a IS NULL THEN NULL ELSE b END, coalesce(b, 'x') FROM t",
	"SELECT * FROM t WHERE a IN (SELECT x FROM u) AND EXISTS (SELECT 1 FROM u WHERE u.x = t.a) OR b LIKE 'o%'",
	"SELECT (SELECT max(x) FROM u), a::text || b, -a, a % 2, 1.5e3::numeric / 7, '2024-01-01'::date + 1",
	"SELECT DISTINCT ON (b) b, a FROM t ORDER BY b, a DESC",
	"INSERT INTO t VALUES (10, 'ten', 10) ON CONFLICT (a) DO UPDATE SET b = excluded.b RETURNING *",
	"UPDATE t SET c = c * 2 WHERE a = 1 RETURNING a, c",
	"DELETE FROM u WHERE x IS NULL RETURNING *",
	"BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT * FROM t FOR UPDATE; SAVEPOINT s; UPDATE t SET b = 'z'; ROLLBACK TO s; COMMIT",
	"CREATE INDEX ON t (b); EXPLAIN SELECT * FROM t WHERE b = 'one'; DROP INDEX t_b_idx",
	"CREATE VIEW v AS SELECT a FROM t; SELECT * FROM v; DROP VIEW v",
	"SELECT now() - interval '1 day', extract(year FROM timestamp '2020-02-29 12:00'), date_trunc('hour', now())",
	"SELECT 'a' = ANY (SELECT b FROM t), 1 BETWEEN 0 AND 2, NOT true IS DISTINCT FROM false",
	"VALUES (1, 'a'), (2, 'b') ORDER BY 1",
	"SHOW work_mem; SET statement_timeout = '1s'; RESET ALL",
	"SELECT $1", "SELECT;", ";;", "/* comment */ SELECT 1 -- x", "SELECT E'\\x41', $$dollar$$, U&'\\0041'",
}

// generateStatement builds a statement from the grammar's shapes, each
// choice taken from the next byte of gen: expressions nest, clauses are
// added or not. The same bytes give the same statement.
func generateStatement(gen []byte) string {
	if len(gen) == 0 {
		return "SELECT 1"
	}
	g := &stmtGen{b: gen}
	return g.stmt()
}

type stmtGen struct {
	b     []byte
	i     int
	depth int
}

func (g *stmtGen) pick(n int) int {
	if g.i >= len(g.b) {
		return 0
	}
	c := int(g.b[g.i])
	g.i++
	return c % n
}

func (g *stmtGen) stmt() string {
	switch g.pick(5) {
	case 0:
		return "INSERT INTO t VALUES (" + g.expr() + ", " + g.expr() + ", " + g.expr() + ") ON CONFLICT DO NOTHING"
	case 1:
		return "UPDATE t SET c = " + g.expr() + " WHERE " + g.expr()
	case 2:
		return "DELETE FROM u WHERE " + g.expr()
	default:
		return g.query()
	}
}

func (g *stmtGen) query() string {
	var b strings.Builder
	b.WriteString("SELECT " + g.expr() + ", " + g.expr())
	from := []string{" FROM t", " FROM u", " FROM t, u", " FROM t JOIN u ON a = x", " FROM t LEFT JOIN u ON " + g.expr(), ""}
	b.WriteString(from[g.pick(len(from))])
	if g.pick(2) == 1 {
		b.WriteString(" WHERE " + g.expr())
	}
	if g.pick(3) == 1 {
		b.WriteString(" GROUP BY 1")
	}
	if g.pick(3) == 1 {
		b.WriteString(" ORDER BY 2, 1")
	}
	if g.pick(3) == 1 {
		b.WriteString(" LIMIT " + g.expr())
	}
	if g.pick(4) == 1 {
		b.WriteString([]string{" UNION ", " EXCEPT ", " INTERSECT ALL "}[g.pick(3)] + "SELECT 1, 2")
	}
	return b.String()
}

func (g *stmtGen) expr() string {
	if g.depth > 8 {
		return "a"
	}
	g.depth++
	defer func() { g.depth-- }()
	leaves := []string{"a", "b", "c", "x", "y", "z", "1", "0", "-1", "NULL", "'s'", "2.5", "true", "9223372036854775807", "'2020-01-01'::date"}
	switch g.pick(9) {
	case 0, 1:
		return leaves[g.pick(len(leaves))]
	case 2:
		ops := []string{"+", "-", "*", "/", "%", "||", "=", "<>", "<", ">=", "AND", "OR", "IS DISTINCT FROM", "LIKE"}
		return "(" + g.expr() + " " + ops[g.pick(len(ops))] + " " + g.expr() + ")"
	case 3:
		fns := []string{"abs", "length", "lower", "coalesce", "count", "sum", "max", "round", "nullif"}
		return fns[g.pick(len(fns))] + "(" + g.expr() + ")"
	case 4:
		return "CASE WHEN " + g.expr() + " THEN " + g.expr() + " ELSE " + g.expr() + " END"
	case 5:
		return "(SELECT " + g.expr() + " FROM u LIMIT 1)"
	case 6:
		return g.expr() + " IN (" + g.expr() + ", " + g.expr() + ")"
	case 7:
		types := []string{"int", "text", "float8", "numeric", "bool", "date", "bigint", "varchar(2)"}
		return "CAST(" + g.expr() + " AS " + types[g.pick(len(types))] + ")"
	default:
		return "NOT " + g.expr()
	}
}
