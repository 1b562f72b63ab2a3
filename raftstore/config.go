package raftstore

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"
	"github.com/rangedb/rangedb/kv/kvpb"
	"go.etcd.io/raft/v3/raftpb"
)

// Config configures a Store. The zero value of every optional field selects
// a default (see the field comments); NodeID, StoreID and Engine are
// required. A Config is copied by NewStore: changing it afterwards has no
// effect.
type Config struct {
	// NodeID is the node the store lives on.
	NodeID kvpb.NodeID
	// StoreID identifies the store; a replica belongs to this store when its
	// range descriptor lists a replica with this StoreID.
	StoreID kvpb.StoreID
	// Engine is the store's Pebble engine, opened with mvcc.Open (it must use
	// mvcc.EngineComparer). The Store does not own it: the caller closes it
	// after Stop.
	Engine *pebble.DB
	// SnapshotFS and SnapshotDir are where incoming snapshots' SST files
	// are written before they are ingested: the engine's filesystem (the
	// files are linked into it) and a directory the store owns (emptied
	// when the store starts). A nil SnapshotFS refuses incoming snapshots.
	SnapshotFS  vfs.FS
	SnapshotDir string
	// TickInterval is the length of one raft tick. Default 100ms.
	TickInterval time.Duration
	// ElectionTicks is raft's election timeout in ticks. Default 10.
	ElectionTicks int
	// HeartbeatTicks is raft's heartbeat interval in ticks. Default 1.
	HeartbeatTicks int
	// MaxPendingProposals bounds the proposals and reads a replica has in
	// flight; past it Send fails fast with ErrTooManyPending. Default 10000.
	MaxPendingProposals int
	// MaxCommandSize bounds the encoded size of one write command. Default
	// 16 MiB.
	MaxCommandSize int
	// RaftLogKeep is how many applied entries a replica's raft log may hold
	// before it is truncated up to the applied index (and, on a leader with
	// followers, no further than every follower has). Default 256.
	RaftLogKeep uint64
	// Logger receives the store's and raft's logs. Default: discard.
	Logger *slog.Logger
	// Transport carries raft messages to replicas on other stores. Nil means
	// a single-store deployment: messages addressed elsewhere are dropped.
	Transport Transport
	// OnePCReadFloor returns a fresh TSO timestamp. A leader calls it once
	// per term, before its first one-phase commit, to raise its largest
	// read timestamp above every read an earlier leader (or this replica
	// before a restart) may have served. Nil refuses one-phase commits
	// with *kvpb.OnePCUnavailableError, and clients use two phases.
	OnePCReadFloor func(ctx context.Context) (kvpb.Timestamp, error)
	// DiskUsage reports the free and total space of the filesystem the
	// engine lives on (vfs.FS.GetDiskUsage of the store directory). Nil
	// turns the disk monitor off (diskmon.go): writes are then never
	// refused for lack of space.
	DiskUsage func() (vfs.DiskUsage, error)
	// DiskReserve is the free space the store keeps: once less is
	// available, batches that add data are refused with
	// *kvpb.DiskFullError before they are proposed, and below a quarter of
	// it every write is. Default max(64 MiB, 1% of the filesystem).
	DiskReserve uint64
	// DiskCheckInterval is how often the disk monitor reads DiskUsage.
	// Default 50ms: a statfs is cheap, and a fast writer (or another
	// process) must not fill the headroom between two readings.
	DiskCheckInterval time.Duration
	// DiskFullLogInterval is how often the monitor repeats its warning
	// while the disk stays full. Default 10s.
	DiskFullLogInterval time.Duration
	// OnFatal is called once, from the scheduler goroutine, when a storage
	// failure stops the store from serving (see Store.Failed). It must not
	// call Stop (which waits for that goroutine) nor block for long; the
	// binary exits the process there. Nil only logs.
	OnFatal func(error)
	// DisableQuiescence keeps idle ranges ticking and heartbeating. By
	// default an idle range quiesces: it stops ticking until a request, a
	// raft message or Store.Wake/WakeAll wakes it (quiesce.go).
	DisableQuiescence bool
	// Testing holds hooks for tests; leave it zero in production.
	Testing TestingKnobs
}

// Stage names a point of the scheduler pass, for TestingKnobs.
type Stage int

// The stages a TestingKnobs.CrashAt hook is consulted at.
const (
	// StageAfterAppend is after the synced append of a pass that appended
	// entries, before messages are sent and committed entries applied.
	StageAfterAppend Stage = iota + 1
	// StageAfterApply is after the apply batch of a pass that applied
	// entries is committed, before proposers are answered and Advance.
	StageAfterApply
)

// TestingKnobs are hooks tests use to inject faults.
type TestingKnobs struct {
	// CrashAt, when it returns true, makes the scheduler goroutine exit at
	// that stage as if the process had died there: nothing after it in the
	// pass runs and the store stops serving (Send waits until ctx or Stop).
	CrashAt func(Stage) bool
}

// Transport sends raft messages to replicas on other stores. Send must not
// block for long (queue and drop when full: raft retries); it is called from
// the scheduler goroutine only after the messages' preconditions (entries
// and HardState) are durable. Incoming messages are handed to
// Store.HandleRaftMessage.
type Transport interface {
	Send(msgs []*RaftMessage)
}

// RaftMessage is a raft message between two replicas of one range.
type RaftMessage struct {
	RangeID kvpb.RangeID
	From    kvpb.ReplicaDescriptor
	To      kvpb.ReplicaDescriptor
	Message *raftpb.Message
}

// Errors returned by the Store.
var (
	// ErrStopped is returned by operations on a stopped store, and to
	// proposals still pending at Stop (their outcome is unknown: the command
	// may still apply after a restart).
	ErrStopped = errors.New("raftstore: store stopped")
	// ErrTooManyPending is returned when a replica already has
	// MaxPendingProposals proposals or reads in flight.
	ErrTooManyPending = errors.New("raftstore: too many pending proposals")
	// ErrAmbiguousResult is returned to a proposer whose command was proposed
	// but whose outcome is unknown because leadership changed before it
	// applied: the command may or may not apply.
	ErrAmbiguousResult = errors.New("raftstore: result ambiguous: leadership changed before the command applied")
	// ErrMixedBatch is returned for a batch holding both reads and writes.
	ErrMixedBatch = errors.New("raftstore: batch mixes reads and writes")
	// ErrCommandTooLarge is returned for a write batch whose command exceeds
	// MaxCommandSize.
	ErrCommandTooLarge = errors.New("raftstore: command too large")
)

func (c *Config) withDefaults() (Config, error) {
	cfg := *c
	if cfg.NodeID == 0 {
		return cfg, errors.New("raftstore: Config.NodeID is required")
	}
	if cfg.StoreID == 0 {
		return cfg, errors.New("raftstore: Config.StoreID is required")
	}
	if cfg.SnapshotFS != nil && cfg.SnapshotDir == "" {
		// Start empties it: never the working directory.
		return cfg, errors.New("raftstore: Config.SnapshotDir is required with SnapshotFS")
	}
	if cfg.Engine == nil {
		return cfg, errors.New("raftstore: Config.Engine is required")
	}
	if cfg.TickInterval == 0 {
		cfg.TickInterval = 100 * time.Millisecond
	}
	if cfg.ElectionTicks == 0 {
		cfg.ElectionTicks = 10
	}
	if cfg.HeartbeatTicks == 0 {
		cfg.HeartbeatTicks = 1
	}
	if cfg.MaxPendingProposals == 0 {
		cfg.MaxPendingProposals = 10000
	}
	if cfg.MaxCommandSize == 0 {
		cfg.MaxCommandSize = 16 << 20
	}
	if cfg.RaftLogKeep == 0 {
		cfg.RaftLogKeep = 256
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.DiskCheckInterval == 0 {
		cfg.DiskCheckInterval = 50 * time.Millisecond
	}
	if cfg.DiskFullLogInterval == 0 {
		cfg.DiskFullLogInterval = 10 * time.Second
	}
	switch {
	case cfg.TickInterval < 0:
		return cfg, fmt.Errorf("raftstore: TickInterval %s must be positive", cfg.TickInterval)
	case cfg.HeartbeatTicks < 0:
		return cfg, fmt.Errorf("raftstore: HeartbeatTicks %d must be positive", cfg.HeartbeatTicks)
	case cfg.ElectionTicks <= cfg.HeartbeatTicks:
		return cfg, fmt.Errorf("raftstore: ElectionTicks %d must exceed HeartbeatTicks %d", cfg.ElectionTicks, cfg.HeartbeatTicks)
	case cfg.MaxPendingProposals < 0:
		return cfg, fmt.Errorf("raftstore: MaxPendingProposals %d must be positive", cfg.MaxPendingProposals)
	case cfg.DiskCheckInterval < 0 || cfg.DiskFullLogInterval < 0:
		return cfg, fmt.Errorf("raftstore: DiskCheckInterval %s and DiskFullLogInterval %s must be positive", cfg.DiskCheckInterval, cfg.DiskFullLogInterval)
	case cfg.MaxCommandSize < 0:
		return cfg, fmt.Errorf("raftstore: MaxCommandSize %d must be positive", cfg.MaxCommandSize)
	}
	return cfg, nil
}
