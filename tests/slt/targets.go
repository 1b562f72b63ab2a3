package slt

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/rangedb/rangedb/server"
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
