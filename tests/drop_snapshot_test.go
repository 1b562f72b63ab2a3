package tests

import (
	"testing"

	"github.com/rangedb/rangedb/server"
)

// TestDropKeepsRowsForOlderSnapshots: a REPEATABLE READ transaction that
// started before another session dropped an index (or a table) still reads
// through the descriptor of its snapshot, so the dropped span must not be
// cleared under it: it sees every row, as in PostgreSQL (where the DROP
// would have waited for it).
func TestDropKeepsRowsForOlderSnapshots(t *testing.T) {
	s := startNode(t, server.Config{})
	a := connect(t, s.URL())
	b := connect(t, s.URL())
	mustExec(t, a, "CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	mustExec(t, a, "CREATE INDEX t_v_idx ON t (v)")
	mustExec(t, a, "INSERT INTO t VALUES (1, 10), (2, 20), (3, 30)")

	mustExec(t, a, "BEGIN ISOLATION LEVEL REPEATABLE READ")
	checkRows(t, a, "SELECT id FROM t WHERE v = 20", [][]string{{"2"}})
	mustExec(t, b, "DROP INDEX t_v_idx")
	// The index is gone for new transactions but not for a's snapshot.
	checkRows(t, a, "SELECT id FROM t WHERE v = 30", [][]string{{"3"}})
	mustExec(t, b, "DROP TABLE t")
	checkRows(t, a, "SELECT id FROM t", [][]string{{"1"}, {"2"}, {"3"}})
	mustExec(t, a, "COMMIT")
	wantCode(t, execErr(t, a, "SELECT id FROM t"), "42P01")
	// Once a's transaction ended the spans were cleared: a new table with
	// the same name starts empty.
	mustExec(t, b, "CREATE TABLE t (id INT PRIMARY KEY, v INT)")
	checkRows(t, b, "SELECT id FROM t", nil)
}
