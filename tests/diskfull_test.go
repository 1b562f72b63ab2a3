package tests

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/cockroachdb/pebble/v2/vfs/errorfs"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/server"
)

// Disk full and disk errors (issue 8, item 4). A store whose filesystem
// has less free space than its reserve refuses writes with 53100 while it
// keeps serving reads, /health?ready=1 is 503 meanwhile, and writes work
// again once space is freed, without a restart. An I/O error from Pebble
// stops the node from serving (fail-stop).

// diskfullBatch inserts rows [first, first+n) of about 1 KB of random text
// each (random, so compression cannot shrink them) in one statement.
func diskfullBatch(first, n int) string {
	var b strings.Builder
	b.WriteString("INSERT INTO filler VALUES ")
	buf := make([]byte, 500)
	for i := range n {
		_, _ = rand.Read(buf)
		if i > 0 {
			b.WriteString(",")
		}
		fmt.Fprintf(&b, "(%d, '%s')", first+i, hex.EncodeToString(buf))
	}
	return b.String()
}

// diskfullExec runs sql and returns its error.
func diskfullExec(conn *pgx.Conn, sql string) error {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err := conn.Exec(ctx, sql)
	return err
}

// diskfullCheck53100 fails unless err is PostgreSQL's disk-full error.
func diskfullCheck53100(t *testing.T, err error) {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "53100" {
		t.Fatalf("want SQLSTATE 53100, got %v", err)
	}
	if pe.Message != "could not extend file: No space left on device" || pe.Hint != "Check free disk space." {
		t.Fatalf("53100 error: message %q, hint %q", pe.Message, pe.Hint)
	}
}

// diskfullCount returns SELECT count(*) FROM filler.
func diskfullCount(t *testing.T, conn *pgx.Conn) int {
	t.Helper()
	rows := query(t, conn, "SELECT count(*) FROM filler")
	var n int
	if _, err := fmt.Sscan(rows[0][0], &n); err != nil {
		t.Fatal(err)
	}
	return n
}

// diskfullHealth returns the status code and body of GET path on addr.
func diskfullHealth(t *testing.T, addr, path string) (int, string) {
	t.Helper()
	c := &http.Client{Timeout: 10 * time.Second}
	resp, err := c.Get("http://" + addr + path)
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(body)
}

// diskfullPoll retries f until it returns nil or the deadline passes.
func diskfullPoll(t *testing.T, what string, d time.Duration, f func() error) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		err := f()
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s: %v", what, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// diskfullFillUntil53100 inserts batches until one fails with 53100 while
// /health?ready=1 on httpAddr says the disk is full, and returns the rows
// acknowledged. Any other error fails the test; so does a
// disk that never fills within the bounds.
func diskfullFillUntil53100(t *testing.T, conn *pgx.Conn, httpAddr string, first int) (acked int) {
	t.Helper()
	const perBatch = 100
	deadline := time.Now().Add(60 * time.Second)
	for i := 0; i < 2000 && time.Now().Before(deadline); i++ {
		err := diskfullExec(conn, diskfullBatch(first+acked, perBatch))
		if err == nil {
			acked += perBatch
			continue
		}
		diskfullCheck53100(t, err)
		// A refusal can come from the monitor's estimate of what the
		// writes since its last reading took (it overcharges); the disk
		// is full once a reading says so, which readiness reports. Until
		// then the next reading lets writes in again.
		if code, _ := diskfullHealth(t, httpAddr, "/health?ready=1"); code == http.StatusServiceUnavailable {
			return acked
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("writes never failed with 53100 (%d rows acknowledged)", acked)
	return 0
}

// diskfullSIGTERM stops a binary with SIGTERM and fails unless it exits
// cleanly within 30 s. It returns the process's logs.
func diskfullSIGTERM(t *testing.T, p *proc) string {
	t.Helper()
	if err := p.cmd.Process.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	done := make(chan error, 1)
	go func() { done <- p.cmd.Wait() }()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("exit after SIGTERM: %v\n%s", err, p.logs.String())
		}
	case <-time.After(30 * time.Second):
		_ = p.cmd.Process.Kill()
		<-done
		t.Fatalf("no exit within 30s of SIGTERM\n%s", p.logs.String())
	}
	return p.logs.String()
}

// TestDiskfullTmpfs runs the real binary with its store on a 96 MiB tmpfs
// that a ballast file fills to near the reserve: writes fail with 53100,
// reads go on and every acknowledged row is there, /health?ready=1 is 503,
// the warning is logged a few times (not once per refused write), SIGTERM
// stops the node cleanly while the disk is full, and after the ballast is
// deleted writes work again without a restart; a restart finds every
// acknowledged row.
func TestDiskfullTmpfs(t *testing.T) {
	mnt := t.TempDir()
	if err := syscall.Mount("tmpfs", mnt, "tmpfs", 0, "size=96m"); err != nil {
		t.Skipf("SKIPPED LOUDLY: cannot mount a 96 MiB tmpfs on %s for the disk-full test (it needs root and mount permission): %v", mnt, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(mnt, 0); err != nil {
			t.Errorf("unmount %s: %v", mnt, err)
		}
	})
	bin := buildBinary(t)
	store := filepath.Join(mnt, "store")
	const reserve = "--disk-reserve=16MiB"
	p := startBinary(t, bin, store, reserve)
	conn := connect(t, p.url)
	mustExec(t, conn, "CREATE TABLE filler (id INT PRIMARY KEY, v TEXT)")

	// Leave 28 MiB free: 12 MiB above the reserve.
	var st syscall.Statfs_t
	if err := syscall.Statfs(mnt, &st); err != nil {
		t.Fatal(err)
	}
	avail := int64(st.Bavail) * int64(st.Frsize)
	ballast := filepath.Join(mnt, "ballast")
	f, err := os.Create(ballast)
	if err != nil {
		t.Fatal(err)
	}
	if err := syscall.Fallocate(int(f.Fd()), 0, 0, avail-28<<20); err != nil {
		t.Fatalf("fallocate ballast: %v", err)
	}
	_ = f.Close()

	acked := diskfullFillUntil53100(t, conn, p.httpAddr, 0)
	t.Logf("%d rows acknowledged before the disk was full", acked)
	if acked == 0 {
		t.Fatal("no write succeeded before the disk was full")
	}
	// The connection is still usable, reads work, nothing acknowledged is
	// lost, and a refused write in a transaction block rolls back cleanly.
	if got := diskfullCount(t, conn); got != acked {
		t.Fatalf("count(*) = %d, want the %d acknowledged rows", got, acked)
	}
	mustExec(t, conn, "BEGIN")
	diskfullCheck53100(t, diskfullExec(conn, diskfullBatch(1_000_000, 1)))
	mustExec(t, conn, "ROLLBACK")
	if got := query(t, conn, "SELECT v FROM filler WHERE id = 0"); len(got) != 1 || len(got[0][0]) != 1000 {
		t.Fatalf("row 0 = %v", got)
	}
	if code, body := diskfullHealth(t, p.httpAddr, "/health?ready=1"); code != http.StatusServiceUnavailable || !strings.Contains(body, "disk space") {
		t.Fatalf("/health?ready=1 on a full disk: %d %q", code, body)
	}
	if code, _ := diskfullHealth(t, p.httpAddr, "/health"); code != http.StatusOK {
		t.Fatalf("/health (liveness) on a full disk: %d", code)
	}
	// More refused writes add no log lines of their own.
	for range 50 {
		diskfullCheck53100(t, diskfullExec(conn, diskfullBatch(2_000_000, 1)))
	}
	_ = conn.Close(context.Background())

	logs := diskfullSIGTERM(t, p)
	if n := strings.Count(logs, "disk full: refusing writes"); n < 1 {
		t.Fatalf("no disk-full warning in the logs:\n%s", logs)
	}
	if n := strings.Count(logs, "disk full: refusing writes") + strings.Count(logs, "disk still full"); n > 10 {
		t.Fatalf("disk-full warning logged %d times", n)
	}

	// Restarted on the full disk: reads work; then free the space.
	p2 := startBinary(t, bin, store, reserve)
	conn2 := connect(t, p2.url)
	if got := diskfullCount(t, conn2); got != acked {
		t.Fatalf("after restart: count(*) = %d, want %d", got, acked)
	}
	if err := os.Remove(ballast); err != nil {
		t.Fatal(err)
	}
	next := 3_000_000
	diskfullPoll(t, "writes to work again after space was freed", 20*time.Second, func() error {
		err := diskfullExec(conn2, diskfullBatch(next, 100))
		if err != nil {
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "53100" {
				t.Fatalf("write after freeing space: %v", err)
			}
		}
		return err
	})
	acked += 100
	for i := 1; i < 5; i++ {
		mustExec(t, conn2, diskfullBatch(next+100*i, 100))
		acked += 100
	}
	diskfullPoll(t, "/health?ready=1 to be ready", 10*time.Second, func() error {
		if code, body := diskfullHealth(t, p2.httpAddr, "/health?ready=1"); code != http.StatusOK {
			return fmt.Errorf("%d %q", code, body)
		}
		return nil
	})
	_ = conn2.Close(context.Background())
	if logs := diskfullSIGTERM(t, p2); !strings.Contains(logs, "disk space recovered") && strings.Contains(logs, "disk full") {
		t.Fatalf("no recovery logged after the disk-full warning:\n%s", logs)
	}

	p3 := startBinary(t, bin, store, reserve)
	conn3 := connect(t, p3.url)
	if got := diskfullCount(t, conn3); got != acked {
		t.Fatalf("after the second restart: count(*) = %d, want %d", got, acked)
	}
	_ = conn3.Close(context.Background())
	diskfullSIGTERM(t, p3)
}

// TestDiskfullInProcess runs a node whose (in-memory) filesystem reports
// less free space than the reserve: INSERTs fail with 53100 at once, in
// and out of transaction blocks, the session stays usable, reads and
// /health?ready=1 (503) say why, and the node takes writes again as soon
// as the filesystem reports space. It needs no mount.
func TestDiskfullInProcess(t *testing.T) {
	fs := vfs.NewMem()
	const reserve = 16 << 20
	plenty := vfs.DiskUsage{AvailBytes: 1 << 30, TotalBytes: 2 << 30, UsedBytes: 1 << 30}
	fs.TestingSetDiskUsage(plenty)
	s := startNode(t, server.Config{FS: fs, StoreDir: "/diskfull", HTTPAddr: "127.0.0.1:0",
		DiskReserve: reserve, DiskCheckInterval: 10 * time.Millisecond})
	conn := connect(t, s.URL())
	mustExec(t, conn, "CREATE TABLE filler (id INT PRIMARY KEY, v TEXT)")
	mustExec(t, conn, diskfullBatch(0, 10))

	// A transaction open before the disk fills.
	mustExec(t, conn, "BEGIN")
	mustExec(t, conn, diskfullBatch(100, 1))

	fs.TestingSetDiskUsage(vfs.DiskUsage{AvailBytes: reserve / 2, TotalBytes: 2 << 30, UsedBytes: 2<<30 - reserve/2})
	diskfullPoll(t, "INSERT to fail with 53100", 10*time.Second, func() error {
		if code, _ := diskfullHealth(t, s.HTTPAddr(), "/health?ready=1"); code != http.StatusServiceUnavailable {
			return fmt.Errorf("/health?ready=1 is %d", code)
		}
		return nil
	})
	// The open transaction's next write fails, the block is aborted, and
	// ROLLBACK ends it cleanly.
	diskfullCheck53100(t, diskfullExec(conn, diskfullBatch(101, 1)))
	var pe *pgconn.PgError
	if err := diskfullExec(conn, "SELECT 1"); !errors.As(err, &pe) || pe.Code != "25P02" {
		t.Fatalf("statement in the aborted block: %v, want 25P02", err)
	}
	mustExec(t, conn, "ROLLBACK")
	// Implicit transactions (multi-row INSERTs, UPDATEs) fail too; reads
	// do not.
	diskfullCheck53100(t, diskfullExec(conn, diskfullBatch(200, 5)))
	diskfullCheck53100(t, diskfullExec(conn, "UPDATE filler SET v = 'x' WHERE id = 1"))
	if got := diskfullCount(t, conn); got != 10 {
		t.Fatalf("count(*) = %d on a full disk, want 10", got)
	}
	if code, body := diskfullHealth(t, s.HTTPAddr(), "/health?ready=1"); code != http.StatusServiceUnavailable || !strings.Contains(body, "out of disk space") {
		t.Fatalf("/health?ready=1: %d %q", code, body)
	}
	if code, _ := diskfullHealth(t, s.HTTPAddr(), "/health"); code != http.StatusOK {
		t.Fatalf("/health (liveness): %d", code)
	}

	fs.TestingSetDiskUsage(plenty)
	diskfullPoll(t, "writes to work again", 10*time.Second, func() error {
		return diskfullExec(conn, diskfullBatch(300, 5))
	})
	if code, body := diskfullHealth(t, s.HTTPAddr(), "/health?ready=1"); code != http.StatusOK {
		t.Fatalf("/health?ready=1 after space was freed: %d %q", code, body)
	}
	if got := diskfullCount(t, conn); got != 15 {
		t.Fatalf("count(*) = %d, want 15", got)
	}
}

// TestDiskfullErrorfsFailStop runs a node on Pebble's errorfs and makes
// every WAL write fail: the node stops serving — the statement that met
// the error fails, the connection is closed, new connections see no
// data, /health?ready=1 is 503 — and OnFatal is called once. No query
// returns an answer after the failure.
func TestDiskfullErrorfsFailStop(t *testing.T) {
	toggle := &errorfs.Toggle{Injector: errorfs.ErrInjected.If(errorfs.And(errorfs.Writes, errorfs.PathMatch("/diskfull/*.log")))}
	var fatals atomic.Int32
	fatal := make(chan error, 1)
	s := startNode(t, server.Config{FS: errorfs.Wrap(vfs.NewMem(), toggle), StoreDir: "/diskfull", HTTPAddr: "127.0.0.1:0",
		OnFatal: func(err error) {
			if fatals.Add(1) == 1 {
				fatal <- err
			}
		}})
	conn := connect(t, s.URL())
	mustExec(t, conn, "CREATE TABLE filler (id INT PRIMARY KEY, v TEXT)")
	mustExec(t, conn, diskfullBatch(0, 10))

	toggle.On()
	err := diskfullExec(conn, diskfullBatch(10, 1))
	if err == nil {
		t.Fatal("INSERT succeeded although its WAL write failed")
	}
	t.Logf("INSERT meeting the I/O error: %v", err)
	select {
	case err := <-fatal:
		var sfe *kvpb.StoreFailedError
		if !errors.As(err, &sfe) || !strings.Contains(sfe.Cause, "injected error") {
			t.Fatalf("OnFatal(%v)", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("OnFatal was not called")
	}
	// The node answers nothing any more: the old connection is closed
	// (or fails), a new one cannot read.
	if err := diskfullExec(conn, "SELECT count(*) FROM filler"); err == nil {
		t.Fatal("a query on a failed node succeeded")
	}
	diskfullPoll(t, "the SQL port to stop answering", 10*time.Second, func() error {
		c, err := connectErr(s.URL())
		if err != nil {
			return nil
		}
		defer c.Close(context.Background())
		if err := diskfullExec(c, "SELECT count(*) FROM filler"); err == nil {
			t.Fatal("a query on a failed node succeeded")
		}
		return nil
	})
	if code, body := diskfullHealth(t, s.HTTPAddr(), "/health?ready=1"); code != http.StatusServiceUnavailable || !strings.Contains(body, "failed") {
		t.Fatalf("/health?ready=1 on a failed node: %d %q", code, body)
	}
	if code, _ := diskfullHealth(t, s.HTTPAddr(), "/health"); code != http.StatusServiceUnavailable {
		t.Fatalf("/health on a failed node: %d", code)
	}
	if n := fatals.Load(); n != 1 {
		t.Fatalf("OnFatal called %d times", n)
	}
}
