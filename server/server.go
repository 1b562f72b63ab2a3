package server

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"sync"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/kv/mvcc"
	"github.com/rangedb/rangedb/placement"
	"github.com/rangedb/rangedb/raftstore"
	"github.com/rangedb/rangedb/server/pgwire"
	"github.com/rangedb/rangedb/server/rpc"
	"github.com/rangedb/rangedb/sql"
)

// Server is one rangedb node.
type Server struct {
	cfg      Config
	log      *slog.Logger
	engine   *pebble.DB
	store    *raftstore.Store
	tso      *placement.TSO
	db       *kv.DB
	sql      *sql.Engine
	pgwire   *pgwire.Server
	registry *prometheus.Registry

	sqlLn    net.Listener
	httpLn   net.Listener
	httpSrv  *http.Server
	rpcLn    net.Listener
	rpc      *rpc.Server
	wg       sync.WaitGroup
	stopOnce sync.Once
	started  bool
}

// New opens the node's store (bootstrapping it if it is empty) and builds
// every layer. Nothing listens until Start.
func New(cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger.With("node", cfg.NodeID)}
	eng, err := mvcc.Open(cfg.StoreDir, cfg.FS, s.log.With("component", "pebble"))
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", cfg.StoreDir, err)
	}
	s.engine = eng
	if err := s.bootstrapIfEmpty(); err != nil {
		_ = eng.Close()
		return nil, err
	}
	s.store, err = raftstore.NewStore(raftstore.Config{
		NodeID:       kvpb.NodeID(cfg.NodeID),
		StoreID:      kvpb.StoreID(cfg.NodeID),
		Engine:       eng,
		TickInterval: cfg.RaftTickInterval,
		Logger:       s.log.With("component", "raftstore"),
		// The TSO is built over the store just below; a leader asks it
		// for its read floor only when a one-phase commit arrives.
		OnePCReadFloor: func(ctx context.Context) (kvpb.Timestamp, error) { return s.tso.Next(ctx) },
	})
	if err != nil {
		_ = eng.Close()
		return nil, err
	}
	raw := kv.NewDB(s.store, nil, kv.DBOptions{})
	s.tso = placement.NewTSO(placement.TSOOptions{
		Storage: &tsoStorage{store: s.store, db: raw},
		Clock:   cfg.Clock,
		Logger:  s.log.With("component", "tso"),
	})
	// Transactions' write buffers and SQL's operators share the node's
	// memory pool (--max-sql-memory), which lives in the engine's Stats.
	mem := &memoryPool{}
	s.db = kv.NewDB(s.store, s.tso, kv.DBOptions{LockTTLMillis: uint64(cfg.LockTTL.Milliseconds()), Memory: mem})
	s.sql = sql.NewEngine(sql.Config{DB: s.db, NodeID: cfg.NodeID, Logger: s.log.With("component", "sql"),
		MaxConnections: cfg.MaxConnections})
	s.sql.Stats.SetMemoryBudget(cfg.SQLMemoryBudget)
	s.sql.Stats.SetNodeMemoryLimit(cfg.MaxSQLMemory)
	mem.stats = &s.sql.Stats
	s.pgwire, err = pgwire.New(pgwire.Config{
		Sessions:       sessionFactory{s.sql},
		Logger:         s.log.With("component", "pgwire"),
		MaxConnections: s.sql.MaxConnections(),
		StartupTimeout: cfg.AuthenticationTimeout,
	})
	if err != nil {
		_ = eng.Close()
		return nil, err
	}
	s.sql.SetBackends(s.pgwire.Backends())
	s.registry = prometheus.NewRegistry()
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	return s, nil
}

// bootstrapIfEmpty writes range 1, spanning the whole keyspace with this
// node as its only replica, into an empty store.
func (s *Server) bootstrapIfEmpty() error {
	_, closer, err := s.engine.Get(mvcc.EncodeKey(kvpb.RangeDescriptorLocalKey(1), 0))
	if err == nil {
		return closer.Close()
	}
	if !errors.Is(err, pebble.ErrNotFound) {
		return err
	}
	desc := kvpb.RangeDescriptor{
		RangeID:       1,
		StartKey:      kvpb.KeyMin,
		EndKey:        kvpb.KeyMax,
		Replicas:      []kvpb.ReplicaDescriptor{{NodeID: kvpb.NodeID(s.cfg.NodeID), StoreID: kvpb.StoreID(s.cfg.NodeID), ReplicaID: 1}},
		NextReplicaID: 2,
		Generation:    1,
	}
	s.log.Info("bootstrapping a new single-node cluster", "store", s.cfg.StoreDir)
	return raftstore.WriteInitialState(s.engine, desc)
}

// Start starts the store, waits for range 1 to elect a leader, runs the SQL
// bootstrap, and opens the listeners.
func (s *Server) Start(ctx context.Context) error {
	if err := s.store.Start(ctx); err != nil {
		return err
	}
	s.started = true
	if err := s.waitReady(ctx); err != nil {
		return err
	}
	if err := s.ensureClusterID(ctx); err != nil {
		return err
	}
	if err := s.sql.Start(ctx); err != nil {
		return fmt.Errorf("sql bootstrap: %w", err)
	}
	ln, err := net.Listen("tcp", s.cfg.SQLAddr)
	if err != nil {
		return fmt.Errorf("listening for SQL on %s: %w", s.cfg.SQLAddr, err)
	}
	s.sqlLn = ln
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		if err := s.pgwire.Serve(ln); err != nil && !errors.Is(err, net.ErrClosed) {
			s.log.Error("pgwire server stopped", "err", err)
		}
	}()
	if s.cfg.ListenAddr != "" {
		rln, err := net.Listen("tcp", s.cfg.ListenAddr)
		if err != nil {
			return fmt.Errorf("listening for nodes on %s: %w", s.cfg.ListenAddr, err)
		}
		s.rpcLn = rln
		s.rpc = rpc.NewServer(s.store, s.store, nil)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := s.rpc.Serve(rln); err != nil {
				s.log.Error("rpc server stopped", "err", err)
			}
		}()
	}
	if s.cfg.HTTPAddr != "" {
		hln, err := net.Listen("tcp", s.cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("listening for HTTP on %s: %w", s.cfg.HTTPAddr, err)
		}
		s.httpLn = hln
		mux := http.NewServeMux()
		mux.HandleFunc("/health", func(w http.ResponseWriter, r *http.Request) {
			if _, ok := s.store.LeaderTerm(1); !ok {
				http.Error(w, "range 1 has no leader here", http.StatusServiceUnavailable)
				return
			}
			fmt.Fprintln(w, "ok")
		})
		mux.Handle("/metrics", promhttp.HandlerFor(s.registry, promhttp.HandlerOpts{}))
		s.httpSrv = &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := s.httpSrv.Serve(hln); err != nil && !errors.Is(err, http.ErrServerClosed) {
				s.log.Error("http server stopped", "err", err)
			}
		}()
	}
	s.log.Info("node started", "sql", s.SQLAddr(), "http", s.HTTPAddr())
	return nil
}

func (s *Server) waitReady(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	for {
		if _, ok := s.store.LeaderTerm(1); ok {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("range 1 elected no leader: %w", ctx.Err())
		case <-time.After(10 * time.Millisecond):
		}
	}
}

func (s *Server) ensureClusterID(ctx context.Context) error {
	raw := kv.NewDB(s.store, nil, kv.DBOptions{})
	if _, found, err := raw.RawGet(ctx, kvpb.ClusterIDKey); err != nil || found {
		return err
	}
	var id [16]byte
	_, _ = rand.Read(id[:])
	err := raw.RawCPut(ctx, kvpb.ClusterIDKey, []byte(hex.EncodeToString(id[:])), nil, false)
	var cf *kvpb.ConditionFailedError
	if errors.As(err, &cf) {
		return nil
	}
	return err
}

// SQLAddr returns the address the SQL listener is bound to.
func (s *Server) SQLAddr() string {
	if s.sqlLn == nil {
		return s.cfg.SQLAddr
	}
	return s.sqlLn.Addr().String()
}

// ListenAddr returns the address the node-to-node listener is bound to.
func (s *Server) ListenAddr() string {
	if s.rpcLn == nil {
		return s.cfg.ListenAddr
	}
	return s.rpcLn.Addr().String()
}

// HTTPAddr returns the address the HTTP listener is bound to.
func (s *Server) HTTPAddr() string {
	if s.httpLn == nil {
		return s.cfg.HTTPAddr
	}
	return s.httpLn.Addr().String()
}

// URL returns the postgresql:// URL clients connect to.
func (s *Server) URL() string {
	return fmt.Sprintf("postgresql://root@%s/defaultdb?sslmode=disable", s.SQLAddr())
}

// DB returns the node's kv client (for tests and tools).
func (s *Server) DB() *kv.DB { return s.db }

// Stop drains SQL connections (running queries get until DrainTimeout),
// then stops the HTTP server, the store and the engine. It is idempotent.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.DrainTimeout)
		defer cancel()
		s.pgwire.Drain(ctx)
		if s.httpSrv != nil {
			_ = s.httpSrv.Shutdown(ctx)
		}
		if s.rpc != nil {
			s.rpc.Stop()
		}
		s.wg.Wait()
		if s.started {
			s.store.Stop()
		}
		if err := s.engine.Close(); err != nil {
			s.log.Error("closing engine", "err", err)
		}
		s.log.Info("node stopped")
	})
}
