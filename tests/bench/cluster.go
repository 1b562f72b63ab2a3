package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"os"
	osexec "os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/jackc/pgx/v5"
)

var clusterNodes = flag.Int("cluster", 3, "nodes of the replicated cluster measured beside one node (0 skips it)")

// The cluster workload runs the same point selects and inserts against
// *clusterNodes real rangedb processes on this machine (replication
// factor 3: every write is a raft round over loopback gRPC, every read a
// ReadIndex round), through the node that leads range 1 and through one
// that does not (which forwards every batch to the leader), then times a
// fail-over: kill -9 of the leader, and the first successful write
// through a survivor.

// benchProc is one rangedb process of the benchmark cluster.
type benchProc struct {
	cmd                      *osexec.Cmd
	store, listen, sql, http string
	join                     string
	logs                     syncBuffer
}

// syncBuffer is a log buffer written by the process's output copier and
// read by the benchmark.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
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

func (p *benchProc) url() string {
	return fmt.Sprintf("postgresql://root@%s/defaultdb?sslmode=disable", p.sql)
}

func (p *benchProc) kill9() {
	if p.cmd != nil && p.cmd.Process != nil && p.cmd.ProcessState == nil {
		_ = p.cmd.Process.Signal(syscall.SIGKILL)
		_ = p.cmd.Wait()
	}
}

func freePort() (string, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return "", err
	}
	defer ln.Close()
	return ln.Addr().String(), nil
}

// benchCluster is the processes, with the binary they run.
type benchCluster struct {
	bin   string
	procs []*benchProc
}

func (c *benchCluster) stop() {
	for _, p := range c.procs {
		p.kill9()
	}
}

// startCluster builds the binary into dir, starts n nodes that join each
// other, and initializes the cluster through the first.
func startCluster(ctx context.Context, dir string, n int) (*benchCluster, error) {
	c := &benchCluster{bin: filepath.Join(dir, "rangedb")}
	if out, err := osexec.CommandContext(ctx, "go", "build", "-o", c.bin, "./cmd/rangedb").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("go build: %v\n%s", err, out)
	}
	var listens []string
	for i := range n {
		p := &benchProc{store: filepath.Join(dir, fmt.Sprintf("node%d", i+1))}
		for _, a := range []*string{&p.listen, &p.sql, &p.http} {
			addr, err := freePort()
			if err != nil {
				return nil, err
			}
			*a = addr
		}
		listens = append(listens, p.listen)
		c.procs = append(c.procs, p)
	}
	for _, p := range c.procs {
		p.join = strings.Join(listens, ",")
		if err := c.start(p); err != nil {
			c.stop()
			return nil, err
		}
	}
	deadline := time.Now().Add(60 * time.Second)
	for {
		out, err := osexec.CommandContext(ctx, c.bin, "init", "--host="+c.procs[0].listen, "--timeout=5s").CombinedOutput()
		if err == nil {
			break
		}
		if time.Now().After(deadline) {
			c.stop()
			return nil, fmt.Errorf("rangedb init: %v\n%s", err, out)
		}
		time.Sleep(200 * time.Millisecond)
	}
	// Every node must hold a voter before the figures mean RF 3: the
	// first node logs each promotion.
	for strings.Count(c.procs[0].logs.String(), "range 1 has a new voter") < min(n, 3)-1 {
		if time.Now().After(deadline) {
			c.stop()
			return nil, errors.New("range 1 did not reach three voters within 60 s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	return c, nil
}

func (c *benchCluster) start(p *benchProc) error {
	p.cmd = osexec.Command(c.bin, "start", "--store="+p.store, "--listen-addr="+p.listen, "--sql-addr="+p.sql,
		"--http-addr="+p.http, "--join="+p.join)
	p.cmd.Stdout, p.cmd.Stderr = &p.logs, &p.logs
	p.cmd.Env = os.Environ()
	return p.cmd.Start()
}

// connectWithin connects to url, retrying until d passes.
func connectWithin(ctx context.Context, url string, d time.Duration) (*pgx.Conn, error) {
	deadline := time.Now().Add(d)
	for {
		cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		conn, err := pgx.Connect(cctx, url)
		cancel()
		if err == nil {
			return conn, nil
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(100 * time.Millisecond)
	}
}

// failover kills the first node (range 1's leader: it bootstrapped the
// range, and nothing has moved the leadership in a quiet cluster) and
// returns the time from the kill to the first acknowledged write through
// the second.
func (c *benchCluster) failover(ctx context.Context) (time.Duration, error) {
	survivor, err := connectWithin(ctx, c.procs[1].url(), 10*time.Second)
	if err != nil {
		return 0, err
	}
	defer survivor.Close(ctx)
	if _, err := survivor.Exec(ctx, "CREATE TABLE failover (k INT PRIMARY KEY)"); err != nil {
		return 0, err
	}
	c.procs[0].kill9()
	killed := time.Now()
	for i := 0; ; i++ {
		wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		_, err := survivor.Exec(wctx, "INSERT INTO failover VALUES ($1)", i)
		cancel()
		if err == nil {
			return time.Since(killed), nil
		}
		if time.Since(killed) > 60*time.Second {
			return 0, fmt.Errorf("no write through a survivor within 60 s of kill -9: %w", err)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
