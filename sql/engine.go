package sql

import (
	"context"
	"io"
	"log/slog"
	"sync"
	"time"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/settings"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// Config configures an Engine.
type Config struct {
	// DB is the kv client every session uses.
	DB *kv.DB
	// NodeID is this node's id; it makes unique_rowid() values unique
	// across nodes.
	NodeID uint64
	// Logger receives the engine's logs; nil discards them.
	Logger *slog.Logger
	// ServerVersion is the server_version sessions report (SHOW,
	// current_setting, ParameterStatus); it must match what pgwire
	// announces. Default DefaultServerVersion.
	ServerVersion string
	// MaxConnections is max_connections as sessions show it; pgwire
	// enforces it. Default DefaultMaxConnections.
	MaxConnections int
	// Ranges splits and lists the cluster's ranges: SPLIT TABLE, SHOW
	// TABLE … REGIONS and SHOW RANGES (ddl_split.go), and the split that
	// gives each new table its own range (table_split.go). nil: those
	// statements are 0A000 and tables share ranges.
	Ranges kv.RangeAdmin
	// Settings are the cluster settings SET/SHOW CLUSTER SETTING read and
	// change (ddl_settings.go). nil: a Values holding the defaults, in
	// this engine's memory only.
	Settings *settings.Values
}

// DefaultMaxConnections is max_connections by default, as PostgreSQL's.
const DefaultMaxConnections = 100

// MaxConnections returns max_connections.
func (e *Engine) MaxConnections() int {
	if e.cfg.MaxConnections > 0 {
		return e.cfg.MaxConnections
	}
	return DefaultMaxConnections
}

// DefaultServerVersion is the PostgreSQL version rangedb reports by
// default.
const DefaultServerVersion = "15.0"

func (e *Engine) serverVersion() string {
	if e.cfg.ServerVersion == "" {
		return DefaultServerVersion
	}
	return e.cfg.ServerVersion
}

// Engine is the SQL engine of one node. It is shared by all sessions and
// safe for concurrent use.
type Engine struct {
	cfg   Config
	log   *slog.Logger
	rowID rowIDGenerator
	// Stats counts the kv work of every statement run by the engine.
	Stats exec.Stats
	// scanBatchSize overrides exec.DefaultScanBatchSize (tests).
	scanBatchSize int64

	// gc clears dropped tables' and indexes' spans once no open
	// transaction can read them.
	gc *spanGC
	// splits gives each new table its own range (table_split.go).
	splits *tableSplitter

	startMu sync.Mutex
	started bool

	// backends are the node's connections (SetBackends).
	backends backendsPtr
	// clusterSettings is Config.Settings, or defaults-only (never nil).
	clusterSettings *settings.Values
}

// NewEngine returns an Engine; call Start before opening sessions.
func NewEngine(cfg Config) *Engine {
	e := &Engine{cfg: cfg, log: cfg.Logger}
	if e.log == nil {
		e.log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	e.gc = newSpanGC(cfg.DB, e.log)
	e.splits = newTableSplitter(cfg.Ranges, e.log)
	e.rowID.nodeID = cfg.NodeID
	e.rowID.now = time.Now
	e.clusterSettings = cfg.Settings
	if e.clusterSettings == nil {
		e.clusterSettings = settings.New(nil)
	}
	return e
}

// Start bootstraps the cluster's SQL metadata: the databases "defaultdb"
// and "postgres" exist afterwards. It is idempotent, and safe to call from
// every node of a cluster at once.
func (e *Engine) Start(ctx context.Context) error {
	e.startMu.Lock()
	defer e.startMu.Unlock()
	if e.started {
		return nil
	}
	if err := catalog.Bootstrap(ctx, e.cfg.DB); err != nil {
		return err
	}
	e.started = true
	return nil
}

// Close stops the engine's background work (the retries of table splits,
// table_split.go) and waits for it. Sessions must be closed first; the
// Engine is not usable afterwards.
func (e *Engine) Close() {
	e.splits.close()
}

// NewSession opens a session for user on database (PostgreSQL's default:
// the database named like the user). An unknown database is 3D000. params
// are the startup parameters: every one but user, database, replication
// and options (whose `-c name=value` switches are read) is a setting, as
// in PostgreSQL, so an unknown name is 42704 and a bad value 22023.
func (e *Engine) NewSession(ctx context.Context, user, database string, params map[string]string) (*Session, error) {
	if database == "" {
		database = user
	}
	txn, err := e.cfg.DB.NewTxn(ctx)
	if err != nil {
		return nil, pgerror.Flatten(err)
	}
	db, err := catalog.LookupDatabase(ctx, txn, database)
	_ = txn.Rollback(ctx)
	if err != nil {
		return nil, pgerror.Flatten(err)
	}
	if db == nil {
		return nil, pgerror.New(pgerror.CodeInvalidCatalogName, "database \"%s\" does not exist", database)
	}
	p := make(map[string]string, len(params))
	for k, v := range params {
		p[k] = v
	}
	s := &Session{e: e, user: user, db: db, params: p}
	if err := s.initSettings(p); err != nil {
		return nil, err
	}
	return s, nil
}
