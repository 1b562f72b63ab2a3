package tests

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/rangedb/rangedb/server"
)

// TestDropDatabaseInUse: a database other sessions are connected to
// cannot be dropped or renamed (55006, with PostgreSQL's DETAIL) unless
// DROP DATABASE … WITH (FORCE) ends them; its tables go with it.
func TestDropDatabaseInUse(t *testing.T) {
	s := startNode(t, server.Config{})
	admin := connect(t, s.URL())
	mustExec(t, admin, "CREATE DATABASE busy")
	url := strings.Replace(s.URL(), "/defaultdb", "/busy", 1)
	other := connect(t, url)
	mustExec(t, other, "CREATE TABLE t (k INT PRIMARY KEY)")
	mustExec(t, other, "INSERT INTO t VALUES (1)")
	pe := execErr(t, admin, "DROP DATABASE busy")
	wantCode(t, pe, "55006")
	if pe.Detail != "There is 1 other session using the database." {
		t.Errorf("DETAIL %q", pe.Detail)
	}
	wantCode(t, execErr(t, admin, "ALTER DATABASE busy RENAME TO quiet"), "55006")
	mustExec(t, admin, "DROP DATABASE busy WITH (FORCE)")
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if _, err := other.Exec(ctx, "SELECT 1"); err == nil {
		t.Error("the forced-out session still runs statements")
	}
	if _, err := connectErr(url); err == nil || !strings.Contains(err.Error(), "3D000") {
		t.Errorf("connecting to the dropped database: %v", err)
	}
	// A new database of the same name starts empty.
	mustExec(t, admin, "CREATE DATABASE busy")
	again := connect(t, url)
	wantCode(t, execErr(t, again, "SELECT * FROM t"), "42P01")
}

// TestPgDatabaseListsDatabases: pg_database (psql's \l) lists every
// database, from any of them.
func TestPgDatabaseListsDatabases(t *testing.T) {
	s := startNode(t, server.Config{})
	conn := connect(t, s.URL())
	mustExec(t, conn, "CREATE DATABASE shop")
	checkRows(t, conn, "SELECT datname FROM pg_database ORDER BY datname", [][]string{{"defaultdb"}, {"postgres"}, {"shop"}})
	other := connect(t, strings.Replace(s.URL(), "/defaultdb", "/shop", 1))
	checkRows(t, other, "SELECT count(*) FROM pg_database WHERE datname = current_database()", [][]string{{"1"}})
	mustExec(t, conn, "DROP DATABASE shop WITH (FORCE)")
	checkRows(t, conn, "SELECT datname FROM pg_database ORDER BY datname", [][]string{{"defaultdb"}, {"postgres"}})
}
