package server

import (
	"errors"
	"log/slog"
	"time"

	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/placement"
	"github.com/rangedb/rangedb/raftstore"
)

// Config is what a node is started with. cmd/rangedb fills it from flags.
type Config struct {
	// StoreDir is the directory of the node's Pebble engine.
	StoreDir string
	// FS is the filesystem the engine lives on; nil is the OS filesystem.
	// Tests pass vfs.NewCrashableMem().
	FS vfs.FS
	// SQLAddr is the PostgreSQL wire-protocol listen address.
	SQLAddr string
	// ListenAddr is the node-to-node gRPC listen address (server/rpc);
	// empty disables it (a cluster node needs it).
	ListenAddr string
	// AdvertiseAddr is the address other nodes reach this one at, when
	// it differs from ListenAddr.
	AdvertiseAddr string
	// Join lists the node-to-node addresses of nodes of the cluster to
	// join (a cluster node, not SingleNode). A node with a store that
	// already belongs to a cluster rejoins it with the same flags.
	Join []string
	// HTTPAddr is the HTTP listen address (/health, /metrics); empty
	// disables HTTP.
	HTTPAddr string
	// SingleNode bootstraps a one-node cluster with replication factor 1.
	SingleNode bool
	// NodeID is the node's id; a single node is node 1.
	NodeID uint64
	// Clock is the wall clock the TSO reads; nil is the system clock.
	Clock placement.Clock
	// Logger receives the node's structured logs; nil is slog.Default().
	Logger *slog.Logger
	// DrainTimeout bounds how long Stop waits for running queries.
	DrainTimeout time.Duration
	// RaftTickInterval is the raft tick; zero takes raftstore's default.
	RaftTickInterval time.Duration
	// SQLMemoryBudget bounds the memory one SQL statement's sorts,
	// aggregations, hash joins and DISTINCT may hold (53200 beyond it);
	// zero takes sql/exec's default (64 MiB).
	SQLMemoryBudget int64
	// MaxSQLMemory bounds the memory all SQL statements of the node hold
	// together (53200 beyond it); zero is unbounded. cmd/rangedb defaults
	// it to a quarter of the machine's RAM.
	MaxSQLMemory int64
	// MaxConnections is max_connections: the SQL connections the node
	// accepts at once (53300 beyond it). Zero is 100.
	MaxConnections int
	// AuthenticationTimeout bounds a client's startup and the arrival of
	// any message once begun (PostgreSQL's authentication_timeout). Zero
	// is 60 s.
	AuthenticationTimeout time.Duration
	// DiskReserve is the free space the store keeps on its filesystem:
	// with less available, writes fail with 53100 (and /health?ready=1
	// is 503) until space is freed. Zero is max(64 MiB, 1% of the
	// filesystem).
	DiskReserve uint64
	// DiskCheckInterval is how often the free space is read; zero is
	// 50ms.
	DiskCheckInterval time.Duration
	// OnFatal is called once when a storage failure (an I/O error from
	// the engine) stops the store; the node then stops serving SQL
	// either way. cmd/rangedb exits the process there. It runs on the
	// store's goroutine and must not call Stop.
	OnFatal func(error)
	// LivenessHeartbeatInterval is how often a cluster node heartbeats
	// its liveness record in /System; zero is 1 s.
	LivenessHeartbeatInterval time.Duration
	// LivenessTTL is how long one heartbeat keeps the node live: a node
	// silent for longer is "dead" in `rangedb node status` and gets no
	// new replica. Zero is 4.5 s.
	LivenessTTL time.Duration
	// LockTTL is how long a transaction's locks outlive its last
	// heartbeat before another transaction may roll it back (kv's
	// LockTTLMillis). Zero means kv's default, 3 s.
	LockTTL time.Duration
	// TestingSkipSplitMeta, for tests only, makes SplitAt leave the meta
	// entries of the splits it makes unwritten (as a node that crashed
	// right after the split would), and pauses repairMeta, while it
	// returns true.
	TestingSkipSplitMeta func() bool
	// MetaRepairInterval is how often repairMeta looks at the meta entries
	// of the ranges this node leads. Default 2 s.
	MetaRepairInterval time.Duration
	// PlacementInterval is how often the placement driver runs a round
	// (beside range 1's leader). Default 1 s.
	PlacementInterval time.Duration
	// TestingRaftTransport, for tests only, wraps the raft transport of
	// a cluster node once its id is known (tests/cluster drops, delays
	// and partitions raft messages through it); nil uses the gRPC
	// transport as is. Production code leaves it nil.
	TestingRaftTransport func(self kvpb.NodeID, inner raftstore.Transport) raftstore.Transport
}

func (c *Config) validate() error {
	if c.StoreDir == "" {
		return errors.New("server: a store directory is required")
	}
	if c.SQLAddr == "" {
		c.SQLAddr = "127.0.0.1:26257"
	}
	if !c.SingleNode && c.ListenAddr == "" {
		return errors.New("server: a cluster node needs --listen-addr (or start it with --single-node)")
	}
	if c.NodeID == 0 {
		c.NodeID = 1
	}
	if c.Clock == nil {
		c.Clock = placement.SystemClock{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.DrainTimeout == 0 {
		c.DrainTimeout = 10 * time.Second
	}
	if c.LivenessHeartbeatInterval <= 0 {
		c.LivenessHeartbeatInterval = time.Second
	}
	if c.LivenessTTL <= 0 {
		c.LivenessTTL = 4500 * time.Millisecond
	}
	return nil
}
