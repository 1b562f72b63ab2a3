package server

import (
	"cmp"
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
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/kv/mvcc"
	"github.com/rangedb/rangedb/kv/settings"
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

	sqlLn   net.Listener
	httpLn  net.Listener
	httpSrv *http.Server
	rpcLn   net.Listener
	rpc     *rpc.Server

	// Cluster membership (cluster.go). ident is who the node is; sender
	// is what kv batches go through (the store on a single node, the
	// DistSender in a cluster).
	ident      kvpb.StoreIdent
	sender     kv.Sender
	book       *rpc.AddressBook
	dialer     *rpc.Dialer
	dist       *kv.DistSender
	transport  *rpc.Transport
	initReq    chan chan initResult
	identified chan struct{} // closed once ident is known
	ready      chan struct{} // closed once the node serves
	// pendingInit answers the Init call that bootstraps this node.
	pendingInit chan initResult
	stopCtx     context.Context
	stopCancel  context.CancelFunc
	wg          sync.WaitGroup
	stopOnce    sync.Once
	started     bool
	fail        failState // health.go

	// deadlock is the deadlock detector this node runs while it leads
	// range 1 (deadlock.go); nil on a single node.
	deadlock *deadlockDetector
	// placement is the placement driver (placement.go), deciding while
	// this node leads range 1 (on a single node too: it splits and merges). rangeStats_ caches
	// the sizes of the ranges this store leads for its reports.
	placement   *placementDriver
	rangeStats_ rangeStatsCache
	// settings caches the cluster settings (kv/settings), refreshed from
	// /System every second once the node serves; nil until buildNode.
	settings *settings.Values
}

// New opens the node's store and, when the node knows who it is (a single
// node, or a store that joined a cluster before), builds every layer; a
// new cluster node builds them in Start, once init or a join gave it an
// identity. Nothing listens until Start.
func New(cfg Config) (*Server, error) {
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	s := &Server{cfg: cfg, log: cfg.Logger, initReq: make(chan chan initResult),
		identified: make(chan struct{}), ready: make(chan struct{}), book: rpc.NewAddressBook()}
	s.stopCtx, s.stopCancel = context.WithCancel(context.Background())
	s.dialer = rpc.NewDialer(s.book)
	eng, err := mvcc.Open(cfg.StoreDir, cfg.FS, s.log.With("component", "pebble"))
	if err != nil {
		return nil, fmt.Errorf("opening store %s: %w", cfg.StoreDir, err)
	}
	s.engine = eng
	s.registry = prometheus.NewRegistry()
	s.registry.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	if cfg.SingleNode {
		if err := s.bootstrapIfEmpty(); err != nil {
			_ = eng.Close()
			return nil, err
		}
		s.ident = kvpb.StoreIdent{NodeID: kvpb.NodeID(cfg.NodeID), StoreID: kvpb.StoreID(cfg.NodeID)}
	} else {
		id, ok, err := readIdent(eng)
		if err != nil {
			_ = eng.Close()
			return nil, fmt.Errorf("reading the store's identity: %w", err)
		}
		if !ok {
			return s, nil // Start waits for init or a join
		}
		s.ident = id
	}
	if err := s.buildNode(); err != nil {
		_ = eng.Close()
		return nil, err
	}
	return s, nil
}

// buildNode builds the layers of an identified node: store, TSO, kv
// client, SQL engine, pgwire server.
func (s *Server) buildNode() error {
	cfg := s.cfg
	close(s.identified)
	s.log = cfg.Logger.With("node", uint64(s.ident.NodeID))
	var transport raftstore.Transport
	if !cfg.SingleNode {
		s.transport = rpc.NewTransport(s.book.Get, s.log.With("component", "transport"))
		transport = s.transport
		if cfg.TestingRaftTransport != nil {
			transport = cfg.TestingRaftTransport(s.ident.NodeID, transport)
		}
	}
	var err error
	s.store, err = raftstore.NewStore(raftstore.Config{
		NodeID:       s.ident.NodeID,
		StoreID:      s.ident.StoreID,
		Engine:       s.engine,
		TickInterval: cfg.RaftTickInterval,
		Transport:    transport,
		Logger:       s.log.With("component", "raftstore"),
		// The TSO is built over the store just below; a leader asks it
		// for its read floor only when a one-phase commit arrives.
		// In a cluster the TSO serves on range 1's leader only: the
		// leader of another range asks it there, as kv clients do.
		OnePCReadFloor: func(ctx context.Context) (kvpb.Timestamp, error) {
			if cfg.SingleNode {
				return s.tso.Next(ctx)
			}
			return tsoClient{s}.Next(ctx)
		},
		// Disk full and fail-stop: health.go.
		DiskUsage:         s.diskUsage(),
		DiskReserve:       cfg.DiskReserve,
		DiskCheckInterval: cfg.DiskCheckInterval,
		OnFatal:           s.onStoreFailure,
		// Incoming snapshots' files, on the engine's filesystem so
		// ingesting them links rather than copies.
		SnapshotFS:  snapshotFS(cfg.FS),
		SnapshotDir: snapshotFS(cfg.FS).PathJoin(cfg.StoreDir, "snapshots"),
	})
	if err != nil {
		return err
	}
	if s.transport != nil {
		s.transport.SetSnapshotSource(s.store)
	}
	raw := kv.NewDB(s.store, nil, kv.DBOptions{})
	s.tso = placement.NewTSO(placement.TSOOptions{
		Storage: &tsoStorage{store: s.store, db: raw},
		Clock:   cfg.Clock,
		Logger:  s.log.With("component", "tso"),
	})
	var oracle kv.TimestampOracle = s.tso
	var detector kv.DeadlockDetector // single node: the DB's own graph
	if cfg.SingleNode {
		// One store holds every range: the DistSender only divides
		// batches by range, and the store cannot go silent.
		s.dist = kv.NewDistSender(localDialer{id: s.ident.NodeID, store: s.store}, kv.DistSenderOptions{SilenceTimeout: -1})
	} else {
		// In a cluster every batch goes to its range's leader, wherever
		// it is, and timestamps come from range 1's leader.
		s.dialer.SetLocal(s.ident.NodeID, s.store)
		s.dist = kv.NewDistSender(s.dialer, kv.DistSenderOptions{})
		oracle = tsoClient{s}
		s.deadlock = newDeadlockDetector(s)
		detector = deadlockClient{s}
	}
	s.sender = s.dist
	// Transactions' write buffers and SQL's operators share the node's
	// memory pool (--max-sql-memory), which lives in the engine's Stats.
	mem := &memoryPool{}
	s.db = kv.NewDB(s.sender, oracle, kv.DBOptions{LockTTLMillis: uint64(cfg.LockTTL.Milliseconds()), Memory: mem,
		Deadlock: detector, AsyncSecondaries: true})
	s.settings = settings.New(kv.NewDB(s.sender, nil, kv.DBOptions{}))
	s.sql = sql.NewEngine(sql.Config{DB: s.db, NodeID: uint64(s.ident.NodeID), Logger: s.log.With("component", "sql"),
		MaxConnections: cfg.MaxConnections, Ranges: rangeAdmin{s}, Settings: s.settings})
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
		return err
	}
	s.sql.SetBackends(s.pgwire.Backends())
	return nil
}

// answerInit answers the Init call that is bootstrapping this node, if
// any, and returns err.
func (s *Server) answerInit(err error) error {
	if s.pendingInit != nil {
		s.pendingInit <- initResult{clusterID: s.ident.ClusterID, err: err}
		s.pendingInit = nil
	}
	return err
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

// bootstrapCluster writes range 1 with this node, the cluster's first,
// as its only replica (rangedb init).
func (s *Server) bootstrapCluster() error {
	desc := kvpb.RangeDescriptor{
		RangeID:       1,
		StartKey:      kvpb.KeyMin,
		EndKey:        kvpb.KeyMax,
		Replicas:      []kvpb.ReplicaDescriptor{{NodeID: s.ident.NodeID, StoreID: s.ident.StoreID, ReplicaID: 1}},
		NextReplicaID: 2,
		Generation:    1,
	}
	s.log.Info("bootstrapping a new cluster", "cluster", s.ident.ClusterID, "store", s.cfg.StoreDir)
	return raftstore.WriteInitialState(s.engine, desc)
}

// Start starts the store, waits for range 1 to elect a leader, runs the SQL
// bootstrap, and opens the listeners.
func (s *Server) Start(ctx context.Context) error {
	if s.cfg.ListenAddr != "" {
		rln, err := net.Listen("tcp", s.cfg.ListenAddr)
		if err != nil {
			return fmt.Errorf("listening for nodes on %s: %w", s.cfg.ListenAddr, err)
		}
		s.rpcLn = rln
		s.rpc = rpc.NewServer(nil, nil, clusterHandler{s})
		s.rpc.SetAddressBook(s.book)
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			if err := s.rpc.Serve(rln); err != nil {
				s.log.Error("rpc server stopped", "err", err)
			}
		}()
	}
	initializing := false
	select {
	case <-s.identified:
	default:
		id, isInit, err := s.awaitIdentity(ctx)
		if err != nil {
			return err
		}
		s.ident = id
		if isInit {
			if err := s.bootstrapCluster(); err != nil {
				return s.answerInit(err)
			}
			initializing = true
		}
		if err := writeIdent(s.engine, id); err != nil {
			return s.answerInit(err)
		}
		if err := s.buildNode(); err != nil {
			return s.answerInit(err)
		}
		s.log.Info("node identified", "cluster", id.ClusterID, "node", id.NodeID)
	}
	s.book.SetSelf(s.ident.NodeID, s.advertiseAddr())
	if !s.cfg.SingleNode {
		// Before range 1 can answer, a restarted node must learn where
		// the other replicas are: trade address books from the start.
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.gossip(s.stopCtx)
		}()
	}
	if s.rpc != nil {
		s.rpc.SetNode(nodeSender{s}, s.store)
	}
	if err := s.store.Start(ctx); err != nil {
		return s.answerInit(err)
	}
	s.started = true
	if err := s.waitReady(ctx); err != nil {
		return s.answerInit(err)
	}
	if s.cfg.SingleNode {
		if err := s.ensureClusterID(ctx); err != nil {
			return err
		}
	} else if initializing {
		raw := kv.NewDB(s.store, nil, kv.DBOptions{})
		if err := raw.RawCPut(ctx, kvpb.ClusterIDKey, []byte(s.ident.ClusterID), nil, false); err != nil {
			return s.answerInit(err)
		}
		if _, err := raw.Increment(ctx, kvpb.NodeIDGeneratorKey, 1); err != nil {
			return s.answerInit(err)
		}
	}
	_ = s.answerInit(nil)
	close(s.ready)
	s.startSettings(ctx)
	s.placement = newPlacementDriver(s)
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.placement.run(s.stopCtx, cmp.Or(s.cfg.PlacementInterval, time.Second))
	}()
	if !s.cfg.SingleNode {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.heartbeatLiveness(s.stopCtx)
		}()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.watchLiveness(s.stopCtx)
		}()
	}
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.repairMeta(s.stopCtx, cmp.Or(s.cfg.MetaRepairInterval, 2*time.Second))
	}()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.finishMerges(s.stopCtx, 2*time.Second) // merge.go
	}()
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
	if s.cfg.HTTPAddr != "" {
		hln, err := net.Listen("tcp", s.cfg.HTTPAddr)
		if err != nil {
			return fmt.Errorf("listening for HTTP on %s: %w", s.cfg.HTTPAddr, err)
		}
		s.httpLn = hln
		mux := http.NewServeMux()
		mux.HandleFunc("/health", s.serveHealth)
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
		if !s.cfg.SingleNode {
			// Range 1's leader may be another node: ready once it answers.
			rctx, rcancel := context.WithTimeout(ctx, time.Second)
			_, found, err := kv.NewDB(s.dist, nil, kv.DBOptions{}).RawGet(rctx, kvpb.ClusterIDKey)
			rcancel()
			if err == nil && found {
				return nil
			}
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

// Settings returns the node's cluster settings, refreshed from /System
// every second while the node runs; nil before the node is identified (a
// nil *settings.Values reads the defaults).
func (s *Server) Settings() *settings.Values { return s.settings }

// startSettings reads the stored cluster settings once (bounded, so a slow
// cluster delays the start by at most 5 s; a failure keeps the defaults
// until the next refresh) and starts their refresh loop, which Stop ends.
func (s *Server) startSettings(ctx context.Context) {
	rctx, cancel := context.WithTimeout(ctx, 5*time.Second)
	if err := s.settings.Refresh(rctx); err != nil {
		s.log.Warn("reading cluster settings", "err", err)
	}
	cancel()
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		s.settings.Run(s.stopCtx, time.Second)
	}()
}

// Stop drains SQL connections (running queries get until DrainTimeout),
// then stops the HTTP server, the store and the engine. It is idempotent.
func (s *Server) Stop() {
	s.stopOnce.Do(func() {
		s.beginStop()
		s.stopCancel()
		ctx, cancel := context.WithTimeout(context.Background(), s.cfg.DrainTimeout)
		defer cancel()
		if s.pgwire != nil {
			s.pgwire.Drain(ctx)
		}
		if s.sql != nil {
			s.sql.Close() // its background splits
		}
		if s.db != nil {
			s.db.Close() // secondary commits in flight
		}
		if s.httpSrv != nil {
			_ = s.httpSrv.Shutdown(ctx)
		}
		if s.rpc != nil {
			s.rpc.Stop()
		}
		s.wg.Wait()
		if s.transport != nil {
			s.transport.Stop()
		}
		s.dialer.Close()
		if s.started && !s.stopStore() {
			return
		}
		if err := s.engine.Close(); err != nil {
			s.log.Error("closing engine", "err", err)
		}
		s.log.Info("node stopped")
	})
}

// snapshotFS is the engine's filesystem, as mvcc.Open picks it.
func snapshotFS(fs vfs.FS) vfs.FS {
	if fs == nil {
		return vfs.Default
	}
	return fs
}
