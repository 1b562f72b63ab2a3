package cluster

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
)

// showSetting returns SHOW CLUSTER SETTING name through conn.
func showSetting(t *testing.T, conn *pgx.Conn, name string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var v string
	if err := conn.QueryRow(ctx, "SHOW CLUSTER SETTING "+name).Scan(&v); err != nil {
		t.Fatalf("SHOW CLUSTER SETTING %s: %v", name, err)
	}
	return v
}

// waitSetting polls SHOW CLUSTER SETTING name through conn until it shows
// want, for at most d.
func waitSetting(t *testing.T, conn *pgx.Conn, name, want string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		got := showSetting(t, conn, name)
		if got == want {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%s shows %q after %s, want %q", name, got, d, want)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// wantSQLState runs sql through conn and fails unless it fails with code.
func wantSQLState(t *testing.T, conn *pgx.Conn, code, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, err := conn.Exec(ctx, sql)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != code {
		t.Fatalf("%s: got %v, want SQLSTATE %s", sql, err, code)
	}
}

// TestClusterSettingSeenByEveryNode: a SET CLUSTER SETTING through one
// node is shown by the others within their refresh interval and by the
// Server's Values; an unknown name is 42704, a bad value 22023, a SET
// inside BEGIN 25001, each leaving the connection usable; the value
// survives a restart of every node, and RESET brings the default back
// everywhere.
func TestClusterSettingSeenByEveryNode(t *testing.T) {
	c := newCluster(t, 3)
	c.bootstrap(0, 1, 2)
	c1, c2 := c.conn(0), c.conn(1)

	if got := showSetting(t, c2, "range_max_bytes"); got != "64 MiB" {
		t.Fatalf("default shows %q", got)
	}
	exec(t, c1, "SET CLUSTER SETTING range_max_bytes = '128KiB'")
	if got := showSetting(t, c1, "range_max_bytes"); got != "128 KiB" {
		t.Fatalf("the setting node shows %q at once", got)
	}
	waitSetting(t, c2, "range_max_bytes", "128 KiB", 10*time.Second)
	waitSetting(t, c.conn(2), "range_max_bytes", "128 KiB", 10*time.Second)
	if n := c.nodes[2].srv.Settings().Bytes("range_max_bytes"); n != 128<<10 {
		t.Fatalf("node 3's Values hold %d", n)
	}

	wantSQLState(t, c2, "42704", "SET CLUSTER SETTING no.such.setting = 1")
	wantSQLState(t, c2, "42704", "SHOW CLUSTER SETTING no.such.setting")
	wantSQLState(t, c2, "22023", "SET CLUSTER SETTING range_max_bytes = 'huge'")
	wantSQLState(t, c2, "22023", "SET CLUSTER SETTING replication_factor = 0")
	exec(t, c2, "BEGIN")
	wantSQLState(t, c2, "25001", "SET CLUSTER SETTING replication_factor = 5")
	exec(t, c2, "ROLLBACK")
	if got := showSetting(t, c2, "replication_factor"); got != "3" {
		t.Fatalf("replication_factor %q after the refused SETs", got)
	}
	if got := rows(t, c2, "SELECT 1"); got != "1" {
		t.Fatalf("connection unusable: %q", got)
	}

	// Every node restarts with an empty cache: the value comes from
	// /System.
	for _, nd := range c.nodes {
		nd.srv.Stop()
	}
	c.wait(c.start(0, 1, 2), 3)
	for i := range c.nodes {
		if got := showSetting(t, c.conn(i), "range_max_bytes"); got != "128 KiB" {
			t.Fatalf("after the restart node %d shows %q", i+1, got)
		}
	}
	exec(t, c.conn(1), "RESET CLUSTER SETTING range_max_bytes")
	waitSetting(t, c.conn(0), "range_max_bytes", "64 MiB", 10*time.Second)
}
