package tests

import (
	"testing"

	"github.com/rangedb/rangedb/server"
)

// TestTransactionLargerThanACommand commits one transaction of about 25
// MiB into one range: more than raftstore takes in one command (16 MiB),
// so its prewrite and commit go in pieces; every row is there after.
func TestTransactionLargerThanACommand(t *testing.T) {
	s := startNode(t, server.Config{})
	conn := connect(t, s.URL())
	mustExec(t, conn, "CREATE TABLE big (k INT PRIMARY KEY, v TEXT)")
	mustExec(t, conn, "INSERT INTO big SELECT g, repeat('x', 1000) FROM generate_series(1, 25000) g")
	checkRows(t, conn, "SELECT count(*), sum(length(v)) FROM big", [][]string{{"25000", "25000000"}})
	mustExec(t, conn, "UPDATE big SET v = repeat('y', 1000)")
	checkRows(t, conn, "SELECT count(*) FROM big WHERE v LIKE 'y%'", [][]string{{"25000"}})
}
