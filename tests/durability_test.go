package tests

import (
	"context"
	"fmt"
	"github.com/rangedb/rangedb/tests/pgtest"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/placement"
	"github.com/rangedb/rangedb/server"
)

// buildBinary builds cmd/rangedb once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "rangedb")
	cmd := exec.Command("go", "build", "-o", bin, "../cmd/rangedb")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	return bin
}

// freeAddr returns a loopback address with a port that was free a moment
// ago.
func freeAddr(t *testing.T) string {
	t.Helper()
	addr, err := pgtest.FreeAddr()
	if err != nil {
		t.Fatal(err)
	}
	return addr
}

type proc struct {
	cmd      *exec.Cmd
	url      string
	httpAddr string
	logs     *strings.Builder
}

// startBinary starts the binary as a single node on store, with extra
// flags, and waits until it accepts SQL connections.
func startBinary(t *testing.T, bin, store string, extra ...string) *proc {
	t.Helper()
	sqlAddr, httpAddr := freeAddr(t), freeAddr(t)
	logs := &strings.Builder{}
	args := append([]string{"start", "--single-node", "--store=" + store, "--sql-addr=" + sqlAddr, "--http-addr=" + httpAddr,
		"--listen-addr=" + freeAddr(t)}, extra...)
	cmd := exec.Command(bin, args...)
	cmd.Stdout = logs
	cmd.Stderr = logs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p := &proc{cmd: cmd, url: fmt.Sprintf("postgresql://root@%s/defaultdb?sslmode=disable", sqlAddr), httpAddr: httpAddr, logs: logs}
	t.Cleanup(func() {
		if p.cmd.ProcessState == nil {
			_ = p.cmd.Process.Kill()
			_ = p.cmd.Wait()
		}
		if t.Failed() {
			t.Logf("logs of %s:\n%s", store, head(p.logs.String(), 6000))
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		c, err := connectErr(p.url)
		if err == nil {
			_ = c.Close(context.Background())
			return p
		}
		if time.Now().After(deadline) {
			t.Fatalf("binary did not become ready: %v\nlogs:\n%s", err, logs.String())
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// TestKill9KeepsAcknowledgedWrites kills the real binary with SIGKILL right
// after acknowledged INSERTs; after a restart every acknowledged row is
// there.
func TestKill9KeepsAcknowledgedWrites(t *testing.T) {
	bin := buildBinary(t)
	store := t.TempDir()
	p := startBinary(t, bin, store)
	conn := connect(t, p.url)
	mustExec(t, conn, "CREATE TABLE acked (id INT PRIMARY KEY, v TEXT)")
	const n = 200
	for i := 0; i < n; i++ {
		mustExec(t, conn, fmt.Sprintf("INSERT INTO acked VALUES (%d, 'v%d')", i, i))
	}
	mustExec(t, conn, "BEGIN")
	mustExec(t, conn, "INSERT INTO acked VALUES (1000, 'txn'), (1001, 'txn')")
	mustExec(t, conn, "COMMIT")
	if err := p.cmd.Process.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	_ = p.cmd.Wait()
	_ = conn.Close(context.Background())

	p2 := startBinary(t, bin, store)
	conn2 := connect(t, p2.url)
	rows := query(t, conn2, "SELECT id, v FROM acked")
	if len(rows) != n+2 {
		t.Fatalf("after kill -9: %d rows, want %d", len(rows), n+2)
	}
	for i := 0; i < n; i++ {
		if rows[i][0] != fmt.Sprint(i) || rows[i][1] != fmt.Sprintf("v%d", i) {
			t.Fatalf("row %d = %v", i, rows[i])
		}
	}
	// SIGTERM drains and exits cleanly.
	if err := p2.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p2.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p2.logs.String())
		}
	case <-time.After(30 * time.Second):
		t.Fatal("no exit within 30s of SIGTERM")
	}
}

// TestCrashDropsNoAcknowledgedWrite runs a node on Pebble's crashable
// in-memory filesystem, crashes it (every unsynced write is dropped) and
// restarts on what survived: every acknowledged row is there.
func TestCrashDropsNoAcknowledgedWrite(t *testing.T) {
	fs := vfs.NewCrashableMem()
	if err := fs.MkdirAll("/store", 0o755); err != nil {
		t.Fatal(err)
	}
	s := startNode(t, server.Config{FS: fs, StoreDir: "/store"})
	conn := connect(t, s.URL())
	mustExec(t, conn, "CREATE TABLE acked (id INT PRIMARY KEY)")
	const n = 100
	for i := 0; i < n; i++ {
		mustExec(t, conn, fmt.Sprintf("INSERT INTO acked VALUES (%d)", i))
	}
	// The crash: a copy of the filesystem holding only synced data.
	crashed := fs.CrashClone(vfs.CrashCloneCfg{UnsyncedDataPercent: 0})
	_ = conn.Close(context.Background())
	s.Stop()

	s2 := startNode(t, server.Config{FS: crashed, StoreDir: "/store"})
	conn2 := connect(t, s2.URL())
	if got := len(query(t, conn2, "SELECT id FROM acked")); got != n {
		t.Fatalf("after crash: %d rows, want %d", got, n)
	}
	mustExec(t, conn2, "INSERT INTO acked VALUES (1000)")
}

// TestTSORestartWithClockSetBack restarts a node with its clock an hour
// behind: the first timestamp after the restart is still above every
// timestamp handed out before it.
func TestTSORestartWithClockSetBack(t *testing.T) {
	dir := t.TempDir()
	clock := placement.NewManualClock(time.Now())
	s := startNode(t, server.Config{StoreDir: dir, Clock: clock})
	ctx := context.Background()
	var last kvpb.Timestamp
	for i := 0; i < 100; i++ {
		ts, err := s.DB().Now(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ts <= last {
			t.Fatalf("timestamp %s not above %s", ts, last)
		}
		last = ts
	}
	s.Stop()

	clock.Advance(-time.Hour)
	s2 := startNode(t, server.Config{StoreDir: dir, Clock: clock})
	ts, err := s2.DB().Now(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if ts <= last {
		t.Fatalf("after restart with the clock an hour back: %s, not above %s", ts, last)
	}
}

// head returns the first n bytes of s.
func head(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
