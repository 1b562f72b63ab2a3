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
	var plan []string
	for _, r := range query(t, conn, "EXPLAIN ANALYZE SELECT id FROM ex WHERE lower(email) = 'user42@x.org'") {
		plan = append(plan, r[0])
	}
	text := strings.Join(plan, "\n")
	if !strings.Contains(text, "ex@ex_lower") || !strings.Contains(text, "keys read=1") {
		t.Errorf("the lookup does not read one key of the expression index:\n%s", text)
	}
	checkRows(t, conn, "SELECT id FROM ex WHERE lower(email) = 'user42@x.org'", [][]string{{"42"}})
}
