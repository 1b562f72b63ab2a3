package tests

import (
	"strings"
	"testing"

	"github.com/rangedb/rangedb/server"
)

// TestExpressionIndexServesQueries: a filter on an indexed expression
// reads the expression index (its hidden computed column), as EXPLAIN
// shows, and a point lookup costs one key.
func TestExpressionIndexServesQueries(t *testing.T) {
	s := startNode(t, server.Config{})
	conn := connect(t, s.URL())
	mustExec(t, conn, "CREATE TABLE ex (id INT PRIMARY KEY, email TEXT)")
	mustExec(t, conn, "INSERT INTO ex SELECT g, 'User' || g || '@X.org' FROM generate_series(1, 500) g")
	mustExec(t, conn, "CREATE UNIQUE INDEX ex_lower ON ex (lower(email))")
	text, _, keys := explainAnalyze(t, conn, "SELECT id FROM ex WHERE lower(email) = 'user42@x.org'") // explain_test.go
	if !strings.Contains(text, "ex@ex_lower") || keys != 1 {
		t.Errorf("the lookup does not read one key of the expression index:\n%s", text)
	}
	checkRows(t, conn, "SELECT id FROM ex WHERE lower(email) = 'user42@x.org'", [][]string{{"42"}})
}

// TestPartialIndexServesImpliedFilters: a partial index is read only by
// a filter that implies its predicate, and answers as the table does.
func TestPartialIndexServesImpliedFilters(t *testing.T) {
	s := startNode(t, server.Config{})
	conn := connect(t, s.URL())
	mustExec(t, conn, "CREATE TABLE pa (id INT PRIMARY KEY, email TEXT, deleted_at TIMESTAMP)")
	mustExec(t, conn, "INSERT INTO pa SELECT g, 'u' || (g % 100), CASE WHEN g % 3 = 0 THEN now() END FROM generate_series(1, 600) g")
	mustExec(t, conn, "CREATE INDEX pa_live ON pa (email) WHERE deleted_at IS NULL")
	q := "SELECT id FROM pa WHERE email = 'u5' AND deleted_at IS NULL ORDER BY id"
	if p := explain(t, conn, "EXPLAIN "+q); !strings.Contains(p, "pa@pa_live") {
		t.Errorf("%s does not read the partial index:\n%s", q, p)
	}
	checkRows(t, conn, q, [][]string{{"5"}, {"205"}, {"305"}, {"505"}})
	q = "SELECT count(*) FROM pa WHERE email = 'u5'"
	if p := explain(t, conn, "EXPLAIN "+q); strings.Contains(p, "pa_live") {
		t.Errorf("%s reads the partial index, whose predicate it does not imply:\n%s", q, p)
	}
	checkRows(t, conn, q, [][]string{{"6"}})
}
