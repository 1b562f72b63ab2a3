package slt

import (
	"context"
	"fmt"
	"github.com/rangedb/rangedb/tests/pgtest"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rangedb/rangedb/server"
	"github.com/rangedb/rangedb/server/rpc"
)

// PostgresTarget gives each file a new database on a PostgreSQL server
// (any server that has CREATE DATABASE), reached through an admin URL.
type PostgresTarget struct {
	Label    string // report name; default "postgresql"
	AdminURL string // URL of a database to issue CREATE DATABASE from
	// URLFor returns the URL of database db.
	URLFor func(db string) string
	seq    atomic.Int64
}

// Name implements Target.
func (t *PostgresTarget) Name() string {
	if t.Label == "" {
		return "postgresql"
	}
	return t.Label
}

// Fresh implements Target.
func (t *PostgresTarget) Fresh(ctx context.Context) (string, func(), error) {
	name := fmt.Sprintf("slt_%d_%d", os.Getpid(), t.seq.Add(1))
	admin, err := pgx.Connect(ctx, t.AdminURL)
	if err != nil {
		return "", nil, err
	}
	defer admin.Close(ctx)
	if _, err := admin.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		return "", nil, err
	}
	done := func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if c, err := pgx.Connect(ctx, t.AdminURL); err == nil {
			_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
			_ = c.Close(ctx)
		}
	}
	return t.URLFor(name), done, nil
}

// RangeDBTarget gives each file a fresh single-node rangedb server, in
// process, with its store in a temporary directory: a real server reached
// through the wire protocol.
type RangeDBTarget struct {
	// Logger for the nodes; nil discards.
	Logger *slog.Logger
}

// Name implements Target.
func (t *RangeDBTarget) Name() string { return "rangedb" }

// Fresh implements Target.
func (t *RangeDBTarget) Fresh(ctx context.Context) (string, func(), error) {
	dir, err := os.MkdirTemp("", "rangedb-slt-")
	if err != nil {
		return "", nil, err
	}
	logger := t.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	s, err := server.New(server.Config{StoreDir: dir, SQLAddr: "127.0.0.1:0", SingleNode: true, Logger: logger, DrainTimeout: 2 * time.Second})
	if err != nil {
		_ = os.RemoveAll(dir)
		return "", nil, err
	}
	if err := s.Start(ctx); err != nil {
		s.Stop()
		_ = os.RemoveAll(dir)
		return "", nil, err
	}
	return s.URL(), func() { s.Stop(); _ = os.RemoveAll(dir) }, nil
}

// ClusterTarget gives each file a fresh cluster of Nodes in-process
// rangedb servers (replication factor 3 once the nodes have joined) that
// join each other and are initialized through the first, with their
// stores in temporary directories. Files are served by the nodes in turn
// (file i through node i mod Nodes), so some run through the leader of
// range 1 and some through a node that forwards to it. With PreSplit the
// runner then splits every table the file creates (presplit.go).
type ClusterTarget struct {
	// Nodes is the cluster's size; zero is 3.
	Nodes int
	// Logger for the nodes; nil discards.
	Logger *slog.Logger
	seq    atomic.Int64
}

// Name implements Target.
func (t *ClusterTarget) Name() string { return fmt.Sprintf("rangedb-%dnode", t.nodes()) }

func (t *ClusterTarget) nodes() int {
	if t.Nodes == 0 {
		return 3
	}
	return t.Nodes
}

// Fresh implements Target: it returns once every node holds a voter of
// range 1, so the file's tables (split off range 1) are replicated on all
// of them.
func (t *ClusterTarget) Fresh(ctx context.Context) (string, func(), error) {
	n := t.nodes()
	logger := t.Logger
	if logger == nil {
		logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	var (
		dirs  []string
		srvs  []*server.Server
		cfgs  []server.Config
		join  []string
		close = func() {
			for _, s := range srvs {
				s.Stop()
			}
			for _, d := range dirs {
				_ = os.RemoveAll(d)
			}
		}
	)
	for range n {
		dir, err := os.MkdirTemp("", "rangedb-slt-cluster-")
		if err != nil {
			close()
			return "", nil, err
		}
		dirs = append(dirs, dir)
		addr, err := pgtest.FreeAddr()
		if err != nil {
			close()
			return "", nil, err
		}
		join = append(join, addr)
		cfgs = append(cfgs, server.Config{StoreDir: dir, ListenAddr: addr, SQLAddr: "127.0.0.1:0",
			Logger: logger, DrainTimeout: 2 * time.Second})
	}
	for i := range cfgs {
		cfgs[i].Join = join
		s, err := server.New(cfgs[i])
		if err != nil {
			close()
			return "", nil, err
		}
		srvs = append(srvs, s)
	}
	sctx, cancel := context.WithTimeout(ctx, 60*time.Second)
	defer cancel()
	errs := make(chan error, n)
	for _, s := range srvs {
		go func() { errs <- s.Start(sctx) }()
	}
	if err := initCluster(sctx, join[0]); err != nil {
		cancel()
		for range n {
			<-errs
		}
		close()
		return "", nil, fmt.Errorf("init: %w", err)
	}
	for range n {
		if err := <-errs; err != nil {
			cancel()
			close()
			return "", nil, fmt.Errorf("start: %w", err)
		}
	}
	for {
		voters := 0
		for _, s := range srvs {
			if s.HoldsVoterOfRange1() {
				voters++
			}
		}
		if voters == min(n, 3) {
			break
		}
		if sctx.Err() != nil {
			close()
			return "", nil, fmt.Errorf("range 1 has %d voters, want %d: %w", voters, min(n, 3), sctx.Err())
		}
		time.Sleep(20 * time.Millisecond)
	}
	gw := int(t.seq.Add(1)-1) % n
	return srvs[gw].URL(), close, nil
}

// initCluster initializes the cluster through the node at addr, retrying
// until it listens.
func initCluster(ctx context.Context, addr string) error {
	for {
		err := func() error {
			cl, err := rpc.Dial(addr)
			if err != nil {
				return err
			}
			defer cl.Close()
			cctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			_, err = cl.CallInit(cctx)
			return err
		}()
		if err == nil || ctx.Err() != nil {
			return err
		}
		time.Sleep(50 * time.Millisecond)
	}
}
