package cluster

import (
	"context"
	"fmt"
	"net/http"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// proc is a rangedb binary running as a cluster node.
type proc struct {
	cmd                *osexec.Cmd
	store, listen, sql string
	join               string
	logs               *syncBuffer
	url                string
	bin, http          string
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func (p *proc) start(t *testing.T) {
	t.Helper()
	p.logs = &syncBuffer{}
	p.cmd = osexec.Command(p.bin, "start", "--store="+p.store, "--listen-addr="+p.listen, "--sql-addr="+p.sql,
		"--http-addr="+p.http, "--join="+p.join)
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	p.url = fmt.Sprintf("postgresql://root@%s/defaultdb?sslmode=disable", p.sql)
}

func (p *proc) kill9() {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_ = p.cmd.Wait()
	}
}

// connectWithin connects to url, retrying until d passes.
func connectWithin(t *testing.T, url string, d time.Duration) *pgx.Conn {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		c, err := pgx.Connect(ctx, url)
		cancel()
		if err == nil {
			t.Cleanup(func() { _ = c.Close(context.Background()) })
			return c
		}
		if time.Now().After(deadline) {
			t.Fatalf("connect %s: %v", url, err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestKill9OfANodeOfThreeBinaries runs three real rangedb processes:
// init, writes through node 1, `kill -9` of node 1 (range 1's first
// leader), every acknowledged row read through the survivors, writes
// through them, then node 1 restarted with the same flags catches up and
// serves everything. The time from the kill to the first successful
// write through a survivor is logged.
func TestKill9OfANodeOfThreeBinaries(t *testing.T) {
	bin := filepath.Join(t.TempDir(), "rangedb")
	if out, err := osexec.Command("go", "build", "-o", bin, "../../cmd/rangedb").CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var ps []*proc
	var listens []string
	for range 3 {
		p := &proc{bin: bin, store: t.TempDir(), listen: freeAddr(t), sql: freeAddr(t), http: freeAddr(t)}
		listens = append(listens, p.listen)
		ps = append(ps, p)
	}
	for _, p := range ps {
		p.join = strings.Join(listens, ",")
		p.start(t)
		t.Cleanup(p.kill9)
	}
	defer func() {
		if t.Failed() {
			for i, p := range ps {
				t.Logf("node %d logs:\n%s", i+1, tail(p.logs.String(), 40))
			}
		}
	}()
	deadline := time.Now().Add(30 * time.Second)
	for {
		out, err := osexec.Command(bin, "init", "--host="+ps[0].listen, "--timeout=5s").CombinedOutput()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("init: %v\n%s", err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	c1 := connectWithin(t, ps[0].url, 30*time.Second)
	exec1(t, c1, "CREATE TABLE acked (k INT PRIMARY KEY)")
	// Wait for three voters: every node's log says it holds one, or the
	// first node added both.
	waitLog(t, ps[0], "range 1 has a new voter", 2, 30*time.Second)
	acked := 0
	for i := range 200 {
		exec1(t, c1, fmt.Sprintf("INSERT INTO acked VALUES (%d)", i))
		acked++
	}
	ps[0].kill9()
	killed := time.Now()
	c2 := connectWithin(t, ps[1].url, 10*time.Second)
	c3 := connectWithin(t, ps[2].url, 10*time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		_, err := c2.Exec(ctx, "INSERT INTO acked VALUES (1000)")
		cancel()
		if err == nil {
			break
		}
		if time.Since(killed) > 30*time.Second {
			t.Fatalf("no write through a survivor 30 s after kill -9 of the leader: %v", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Logf("first successful write through a survivor %s after kill -9 of range 1's leader", time.Since(killed).Round(time.Millisecond))
	for _, c := range []*pgx.Conn{c2, c3} {
		if got := count(t, c); got != acked+1 {
			t.Fatalf("after kill -9: %d rows, want %d", got, acked+1)
		}
	}
	for _, p := range ps[1:] {
		resp, err := http.Get("http://" + p.http + "/health?ready=1")
		if err != nil {
			t.Fatal(err)
		}
		_ = resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("survivor /health?ready=1: %s", resp.Status)
		}
	}
	exec1(t, c3, "INSERT INTO acked VALUES (1001)")
	ps[0].start(t)
	c1 = connectWithin(t, ps[0].url, 30*time.Second)
	deadline = time.Now().Add(30 * time.Second)
	for {
		if got := count(t, c1); got == acked+2 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("restarted node counts %d rows, want %d", got, acked+2)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func exec1(t *testing.T, c *pgx.Conn, sql string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Exec(ctx, sql); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

func count(t *testing.T, c *pgx.Conn) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	var n int
	if err := c.QueryRow(ctx, "SELECT count(*) FROM acked").Scan(&n); err != nil {
		t.Fatalf("count: %v", err)
	}
	return n
}

func waitLog(t *testing.T, p *proc, msg string, times int, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for strings.Count(p.logs.String(), msg) < times {
		if time.Now().After(deadline) {
			t.Fatalf("log never said %q %d times", msg, times)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

func tail(s string, n int) string {
	lines := strings.Split(s, "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}
