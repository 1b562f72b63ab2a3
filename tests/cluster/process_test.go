package cluster

import (
	"context"
	"fmt"
	"net/http"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
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

// signal sends sig to the process if it runs.
func (p *proc) signal(sig syscall.Signal) {
	if p.cmd != nil && p.cmd.Process != nil {
		_ = p.cmd.Process.Signal(sig)
	}
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
	ps := startThreeBinaries(t)
	c1 := connectWithin(t, ps[0].url, 30*time.Second)
	exec1(t, c1, "CREATE TABLE acked (k INT PRIMARY KEY)")
	// Wait for three voters of range 1 and of the table's range (r2, the
	// first split of a new cluster): the placement driver beside range
	// 1's leader (node 1) logged two new voters of each.
	waitLog(t, ps[0], "range 1 has a new voter", 2, 30*time.Second)
	waitLog(t, ps[0], "range 2 has a new voter", 2, 30*time.Second)
	acked := 0
	for i := range 200 {
		exec1(t, c1, fmt.Sprintf("INSERT INTO acked VALUES (%d)", i))
		acked++
	}
	ps[0].kill9()
	killed := time.Now()
	c2 := connectWithin(t, ps[1].url, 10*time.Second)
	c3 := connectWithin(t, ps[2].url, 10*time.Second)
	execWithin(t, c2, 30*time.Second, 5*time.Second, "INSERT INTO acked VALUES (1000)")
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
	deadline := time.Now().Add(30 * time.Second)
	for {
		if got := count(t, c1); got == acked+2 {
			break
		} else if time.Now().After(deadline) {
			t.Fatalf("restarted node counts %d rows, want %d", got, acked+2)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// TestStoppedLeaderServesNoStaleRead: node 1 (range 1's leader, so
// also the TSO) is frozen with SIGSTOP for 10 s while a writer through
// node 2 bumps a counter; the writes resume within seconds. After SIGCONT,
// node 1 still believes it leads, in an old term, until it hears from the
// new leader: a read through its SQL port in that time must not be served
// from its own state nor at a timestamp from its old TSO window. Every
// value read must be at least the highest value acknowledged to the writer
// before the read began.
func TestStoppedLeaderServesNoStaleRead(t *testing.T) {
	ps := startThreeBinaries(t)
	// Registered after startThreeBinaries' kills, so it runs before them:
	// a frozen process is resumed before it is killed and waited for.
	t.Cleanup(func() { ps[0].signal(syscall.SIGCONT) })
	c1 := connectWithin(t, ps[0].url, 30*time.Second)
	exec1(t, c1, "CREATE TABLE ctr (k INT PRIMARY KEY, v INT)")
	exec1(t, c1, "INSERT INTO ctr VALUES (1, 0)")
	// Only range 1's leader promotes voters, and only its TSO serves: the
	// logs say node 1 leads.
	waitLog(t, ps[0], "range 1 has a new voter", 2, 30*time.Second)
	// The counter's range (r2) has three voters too, or stopping node 1
	// would stop it.
	waitLog(t, ps[0], "range 2 has a new voter", 2, 30*time.Second)
	for i, p := range ps[1:] {
		if strings.Contains(p.logs.String(), "TSO window established") {
			t.Fatalf("node %d served the TSO before the SIGSTOP: node 1 does not lead range 1", i+2)
		}
	}

	w := startCounterWriter(ps[1].url)
	t.Cleanup(w.stop)
	waitUntil(t, "20 acknowledged increments through node 2", 30*time.Second, func() bool { return w.max.Load() >= 20 })
	var v int64
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	err := c1.QueryRow(ctx, "SELECT v FROM ctr WHERE k = 1").Scan(&v)
	cancel()
	if err != nil {
		t.Fatalf("reading through node 1 before the SIGSTOP: %v", err)
	}

	ps[0].signal(syscall.SIGSTOP)
	stopped := time.Now()
	maxAtStop := w.max.Load()
	// Within the pause, by a generous bound: a write begun after the
	// SIGSTOP needs a new leader of range 1 (and its TSO).
	waitUntil(t, "write begun through node 2 after the SIGSTOP of node 1 acknowledged", 8*time.Second, func() bool {
		return w.lastAck.Load() > stopped.UnixNano() && w.max.Load() > maxAtStop
	})
	t.Logf("a write begun after the SIGSTOP of node 1 was acknowledged through node 2 %s after it", time.Since(stopped).Round(time.Millisecond))
	time.Sleep(time.Until(stopped.Add(10 * time.Second)))
	atCont := w.max.Load()
	ps[0].signal(syscall.SIGCONT)
	resumed := time.Now()

	// Read through node 1 for about 3 s (longer, up to 20 s, until one
	// read succeeds, so that the check is not vacuous).
	okReads, failed := 0, 0
	var firstOK time.Duration
	var firstErr error
	for time.Since(resumed) < 3*time.Second || (okReads == 0 && time.Since(resumed) < 20*time.Second) {
		floor := w.max.Load()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		err := c1.QueryRow(ctx, "SELECT v FROM ctr WHERE k = 1").Scan(&v)
		cancel()
		switch {
		case err != nil:
			if failed == 0 {
				firstErr = err
			}
			failed++
			if c1.IsClosed() {
				c1 = connectWithin(t, ps[0].url, 10*time.Second)
			}
			time.Sleep(20 * time.Millisecond)
		case v < floor:
			t.Fatalf("stale read through node 1 %s after SIGCONT: v = %d, but %d was acknowledged before the read began",
				time.Since(resumed).Round(time.Millisecond), v, floor)
		default:
			if okReads == 0 {
				firstOK = time.Since(resumed)
			}
			okReads++
		}
	}
	w.stop()
	if okReads == 0 {
		t.Fatalf("no read through node 1 succeeded within 20 s of SIGCONT (%d failed)", failed)
	}
	t.Logf("after SIGCONT: %d reads through node 1 at or above the acknowledged counter (first after %s), %d failed (first: %v); "+
		"counter %d at SIGCONT, %d at the end; %d writes failed or timed out in all",
		okReads, firstOK.Round(time.Millisecond), failed, firstErr, atCont, w.max.Load(), w.errs.Load())
}

// counterWriter bumps row 1 of ctr through one node until stopped,
// recording the highest value acknowledged.
type counterWriter struct {
	max     atomic.Int64 // the highest v an UPDATE returned
	lastAck atomic.Int64 // when (UnixNano) the last acknowledged UPDATE began
	errs    atomic.Int64
	url     string
	quit    chan struct{}
	done    chan struct{}
	once    sync.Once
}

// startCounterWriter starts the writer's goroutine, which runs until stop
// or for at most two minutes.
func startCounterWriter(url string) *counterWriter {
	w := &counterWriter{url: url, quit: make(chan struct{}), done: make(chan struct{})}
	go func() {
		defer close(w.done)
		var conn *pgx.Conn
		defer func() {
			if conn != nil {
				_ = conn.Close(context.Background())
			}
		}()
		for deadline := time.Now().Add(2 * time.Minute); time.Now().Before(deadline); {
			select {
			case <-w.quit:
				return
			default:
			}
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			err := w.bump(ctx, &conn)
			cancel()
			if err != nil {
				w.errs.Add(1)
				time.Sleep(20 * time.Millisecond)
			}
		}
	}()
	return w
}

// bump runs one increment on *conn, (re)connecting first if needed.
func (w *counterWriter) bump(ctx context.Context, conn **pgx.Conn) error {
	if *conn == nil || (*conn).IsClosed() {
		c, err := pgx.Connect(ctx, w.url)
		if err != nil {
			return err
		}
		*conn = c
	}
	var v int64
	began := time.Now()
	if err := (*conn).QueryRow(ctx, "UPDATE ctr SET v = v + 1 WHERE k = 1 RETURNING v").Scan(&v); err != nil {
		return err
	}
	// The only writer: an acknowledged value is above every earlier one.
	w.max.Store(v)
	w.lastAck.Store(began.UnixNano())
	return nil
}

func (w *counterWriter) stop() {
	w.once.Do(func() { close(w.quit) })
	<-w.done
}

func waitUntil(t *testing.T, what string, d time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("no %s within %s", what, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// startThreeBinaries builds rangedb, starts three processes that --join
// each other and inits the cluster through the first, which bootstraps
// range 1 and so leads it while the cluster is quiet. The processes are
// killed at cleanup, and their logs' tails reported if the test failed.
func startThreeBinaries(t *testing.T) []*proc {
	t.Helper()
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
	t.Cleanup(func() {
		if t.Failed() {
			for i, p := range ps {
				t.Logf("node %d logs:\n%s", i+1, tail(p.logs.String(), 40))
			}
		}
	})
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
	return ps
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
