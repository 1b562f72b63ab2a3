// Package pgtest starts a real PostgreSQL 15 on loopback for tests and
// benchmarks that compare rangedb with PostgreSQL in the same run.
//
// It uses Debian's postgresql-15 binaries (/usr/lib/postgresql/15/bin, or
// $RANGEDB_PG_BIN); `make deps` installs them. initdb refuses to run as
// root, so as root the server runs as the `postgres` user through runuser,
// in a temporary directory that user owns. The server listens on 127.0.0.1
// on a free port with TimeZone UTC and trust authentication, and is stopped
// (and its directory removed) by Stop.
package pgtest

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
)

// Server is a running PostgreSQL.
type Server struct {
	dir  string
	bin  string
	port int
	asPG bool
	uid  int
	gid  int
}

// BinDir returns the directory of PostgreSQL 15's server binaries, or an
// error that says how to install them.
func BinDir() (string, error) {
	dir := os.Getenv("RANGEDB_PG_BIN")
	if dir == "" {
		dir = "/usr/lib/postgresql/15/bin"
	}
	if _, err := os.Stat(filepath.Join(dir, "initdb")); err != nil {
		return "", fmt.Errorf("PostgreSQL 15 server binaries not found in %s: install Debian's postgresql (run `make deps`, or apt-get install -y postgresql), or set RANGEDB_PG_BIN", dir)
	}
	return dir, nil
}

// Options tunes the server.
type Options struct {
	// Durable keeps PostgreSQL's fsync on (its default). Tests run with
	// fsync off for speed; benchmarks that compare commit latency with
	// rangedb, which syncs every commit, set Durable.
	Durable bool
}

// Start initializes and starts a PostgreSQL server with fsync off, for
// tests. Callers must call Stop.
func Start() (*Server, error) { return StartWith(Options{}) }

// StartWith initializes and starts a PostgreSQL server. Callers must call
// Stop.
func StartWith(o Options) (*Server, error) {
	bin, err := BinDir()
	if err != nil {
		return nil, err
	}
	s := &Server{bin: bin}
	if os.Geteuid() == 0 {
		u, err := user.Lookup("postgres")
		if err != nil {
			return nil, fmt.Errorf("running as root needs the postgres user (from Debian's postgresql package): %w", err)
		}
		s.asPG = true
		s.uid, _ = strconv.Atoi(u.Uid)
		s.gid, _ = strconv.Atoi(u.Gid)
	}
	s.dir, err = os.MkdirTemp("", "rangedb-pg-")
	if err != nil {
		return nil, err
	}
	if s.asPG {
		if err := os.Chown(s.dir, s.uid, s.gid); err != nil {
			return nil, err
		}
	}
	if out, err := s.run(filepath.Join(bin, "initdb"), "-D", filepath.Join(s.dir, "data"), "-A", "trust", "-U", "postgres", "--no-sync", "-E", "UTF8", "--locale=C"); err != nil {
		s.cleanup()
		return nil, fmt.Errorf("initdb: %v\n%s", err, out)
	}
	for attempt := 0; attempt < 5; attempt++ {
		s.port, err = freePort()
		if err != nil {
			return nil, err
		}
		fsync := "off"
		if o.Durable {
			fsync = "on"
		}
		opts := fmt.Sprintf("-p %d -k %s -c listen_addresses=127.0.0.1 -c TimeZone=UTC -c fsync=%s -c max_connections=100", s.port, s.dir, fsync)
		out, err := s.run(filepath.Join(bin, "pg_ctl"), "-D", filepath.Join(s.dir, "data"), "-o", opts, "-l", filepath.Join(s.dir, "log"), "-w", "-t", "60", "start")
		if err == nil {
			return s, s.waitReady()
		}
		if attempt == 4 {
			log, _ := os.ReadFile(filepath.Join(s.dir, "log"))
			s.cleanup()
			return nil, fmt.Errorf("pg_ctl start: %v\n%s\n%s", err, out, log)
		}
	}
	return s, nil
}

func (s *Server) run(name string, args ...string) ([]byte, error) {
	if s.asPG {
		args = append([]string{"-u", "postgres", "--", name}, args...)
		name = "runuser"
	}
	cmd := exec.Command(name, args...)
	cmd.Dir = s.dir
	return cmd.CombinedOutput()
}

func (s *Server) waitReady() error {
	deadline := time.Now().Add(30 * time.Second)
	for {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		c, err := pgx.Connect(ctx, s.URL("postgres"))
		cancel()
		if err == nil {
			_ = c.Close(context.Background())
			return nil
		}
		if time.Now().After(deadline) {
			return fmt.Errorf("PostgreSQL did not accept connections: %w", err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// URL returns a connection URL for database db as the superuser postgres.
func (s *Server) URL(db string) string {
	return fmt.Sprintf("postgresql://postgres@127.0.0.1:%d/%s?sslmode=disable", s.port, db)
}

// CreateDatabase creates a database (for a test that wants a fresh one).
func (s *Server) CreateDatabase(ctx context.Context, name string) error {
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	_, err = c.Exec(ctx, "CREATE DATABASE "+pgx.Identifier{name}.Sanitize())
	return err
}

// CreateSuperuser creates a superuser role that can log in, unless a role
// of that name exists: a test that connects as rangedb's user (root)
// makes the objects PostgreSQL shows owned by the same name.
func (s *Server) CreateSuperuser(ctx context.Context, name string) error {
	c, err := pgx.Connect(ctx, s.URL("postgres"))
	if err != nil {
		return err
	}
	defer c.Close(ctx)
	var exists bool
	if err := c.QueryRow(ctx, "SELECT count(*) > 0 FROM pg_roles WHERE rolname = $1", name).Scan(&exists); err != nil || exists {
		return err
	}
	_, err = c.Exec(ctx, "CREATE ROLE "+pgx.Identifier{name}.Sanitize()+" SUPERUSER LOGIN")
	return err
}

// Stop stops the server and removes its directory.
func (s *Server) Stop() error {
	out, err := s.run(filepath.Join(s.bin, "pg_ctl"), "-D", filepath.Join(s.dir, "data"), "-m", "immediate", "-w", "stop")
	s.cleanup()
	if err != nil {
		return fmt.Errorf("pg_ctl stop: %v\n%s", err, strings.TrimSpace(string(out)))
	}
	return nil
}

func (s *Server) cleanup() { _ = os.RemoveAll(s.dir) }

func freePort() (int, error) {
	addr, err := FreeAddr()
	if err != nil {
		return 0, err
	}
	_, port, err := net.SplitHostPort(addr)
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(port)
}

// FreeAddr returns a 127.0.0.1 address nobody listens on, for a server a
// test starts next. Its port is outside Linux's ephemeral range
// (32768–60999), from which the kernel hands out the ports of every
// ":0" listener and outgoing connection: a port picked there and released
// is soon taken by another test running beside (a "bind: address already
// in use" when the server starts).
func FreeAddr() (string, error) {
	for range 1000 {
		addr := fmt.Sprintf("127.0.0.1:%d", 20000+rand.IntN(12000))
		ln, err := net.Listen("tcp", addr)
		if err != nil {
			continue
		}
		_ = ln.Close()
		return addr, nil
	}
	return "", errors.New("pgtest: no free port in 20000-31999")
}
