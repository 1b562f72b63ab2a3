package tests

import (
	"testing"

	"github.com/rangedb/rangedb/server"
)

// TestSchemaChangeVsWriterE2E runs on a real node (raftstore, mvcc): a
// block that inserted rows before another connection's CREATE INDEX
// committed fails at COMMIT with 40001, and the index holds exactly the
// committed rows; concurrent implicit writers of one table are retried
// invisibly (TestConcurrentClients covers their throughput).
func TestSchemaChangeVsWriterE2E(t *testing.T) {
	s := startNode(t, server.Config{})
	a := connect(t, s.URL())
	c := connect(t, s.URL())
	mustExec(t, a, "CREATE TABLE t (k INT PRIMARY KEY, v INT)")
	mustExec(t, a, "INSERT INTO t VALUES (1, 10), (2, 20)")
	mustExec(t, a, "BEGIN")
	mustExec(t, a, "INSERT INTO t VALUES (3, 30)")
	mustExec(t, c, "CREATE INDEX ON t (v)")
	wantCode(t, execErr(t, a, "COMMIT"), "40001")
	checkRows(t, c, "SELECT k FROM t WHERE v >= 10 ORDER BY k", [][]string{{"1"}, {"2"}})
	mustExec(t, a, "INSERT INTO t VALUES (3, 30)")
	checkRows(t, c, "SELECT k FROM t WHERE v = 30", [][]string{{"3"}})

	// The other order: the block creates the index, a writer commits.
	mustExec(t, c, "BEGIN")
	mustExec(t, c, "CREATE UNIQUE INDEX u ON t (v)")
	mustExec(t, a, "INSERT INTO t VALUES (4, 30)")
	wantCode(t, execErr(t, c, "COMMIT"), "40001")
	wantCode(t, execErr(t, c, "CREATE UNIQUE INDEX u ON t (v)"), "23505")
	checkRows(t, c, "SELECT k FROM t WHERE v = 30 ORDER BY k", [][]string{{"3"}, {"4"}})
}
