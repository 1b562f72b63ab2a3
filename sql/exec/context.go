package exec

import (
	"sync/atomic"
	"time"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// DefaultScanBatchSize is how many keys one kv Scan request asks for.
const DefaultScanBatchSize = 1000

// DefaultScanBatchBytes bounds the keys and values one kv Scan request
// returns, so that streaming a table of wide rows holds as little as
// streaming one of narrow rows (the part TargetBytes plays in CockroachDB's
// BatchRequest header).
const DefaultScanBatchBytes = 256 << 10

// DefaultMemoryBudget bounds the memory one statement's buffering
// operators (sort, aggregation, hash join build, DISTINCT, subquery
// results, RETURNING) may hold.
const DefaultMemoryBudget = 64 << 20

// Stats counts the kv work of statements, and carries the engine-wide
// per-statement memory budget (sql.Engine embeds one Stats). Safe for
// concurrent use.
type Stats struct {
	Gets     atomic.Int64
	Scans    atomic.Int64
	KeysRead atomic.Int64

	memoryBudget atomic.Int64
	// nodeLimit bounds nodeUsed, the bytes all the node's statements hold
	// together (0: no node-wide bound).
	nodeLimit atomic.Int64
	nodeUsed  atomic.Int64
}

// SetNodeMemoryLimit sets the bytes all statements run with these Stats
// may hold together; past it a statement fails with 53200 whatever its
// own budget (0: unbounded).
func (s *Stats) SetNodeMemoryLimit(n int64) { s.nodeLimit.Store(n) }

// NodeMemoryUsed returns the bytes the node's statements hold now.
func (s *Stats) NodeMemoryUsed() int64 { return s.nodeUsed.Load() }

// ReserveNodeMemory takes n bytes from the node-wide pool, or fails with
// 53200 when the pool would overflow. Release them with
// ReleaseNodeMemory.
func (s *Stats) ReserveNodeMemory(n int64) error {
	if s == nil || n <= 0 {
		return nil
	}
	used := s.nodeUsed.Add(n)
	if lim := s.nodeLimit.Load(); lim > 0 && used > lim {
		s.nodeUsed.Add(-n)
		return pgerror.New(pgerror.CodeOutOfMemory, "out of memory").
			WithDetail("The node's SQL memory (%d bytes) is held by running statements.", lim).
			WithHint("Retry when fewer statements run, or raise --max-sql-memory.")
	}
	return nil
}

// ReleaseNodeMemory returns n bytes to the node-wide pool.
func (s *Stats) ReleaseNodeMemory(n int64) {
	if s != nil && n > 0 {
		s.nodeUsed.Add(-n)
	}
}

// SetMemoryBudget sets the per-statement memory budget of the statements
// run with these Stats (0: DefaultMemoryBudget).
func (s *Stats) SetMemoryBudget(n int64) { s.memoryBudget.Store(n) }

// MemoryBudget returns the per-statement memory budget.
func (s *Stats) MemoryBudget() int64 {
	if n := s.memoryBudget.Load(); n > 0 {
		return n
	}
	return DefaultMemoryBudget
}

// Backends signals the node's client connections by process id. Both
// methods report whether a connection had the pid.
type Backends interface {
	// Cancel cancels the connection's running statement (57014).
	Cancel(pid int32) bool
	// Terminate ends the connection with FATAL 57P01.
	Terminate(pid int32) bool
}

// Context is what a statement's operators run with. It belongs to one
// statement execution and is not safe for concurrent use.
type Context struct {
	Txn *kv.Txn
	// Pessimistic, set in explicit transactions, makes each INSERT,
	// UPDATE and DELETE lock the keys it wrote before it returns
	// (kv.Txn.LockKeys, waiting for other holders). A key written since
	// the statement's snapshot then re-runs the statement on a newer one
	// under READ COMMITTED, and fails it with 40001 under REPEATABLE READ
	// (RepeatableRead set), as PostgreSQL does.
	Pessimistic, RepeatableRead bool
	// RowID returns a fresh unique_rowid() for tables without a primary
	// key.
	RowID func() int64
	// ScanBatchSize bounds the keys of one kv Scan (default
	// DefaultScanBatchSize).
	ScanBatchSize int64
	// Stats, if set, is updated with the kv work done.
	Stats *Stats
	// Params are the statement's parameter values.
	Params types.Datums
	// Now is the transaction's start time (now(), current_date).
	Now time.Time
	// Format holds the session settings values are converted under (time
	// zone); nil means defaults.
	Format *types.FormatContext
	// Settings reads a session setting for current_setting(name,
	// missing_ok): its value, and false when it does not exist and
	// missing_ok is set. Nil means no settings are readable.
	Settings func(name string, missingOK bool) (string, bool, error)
	// MemoryBudget bounds the bytes buffering operators hold (default
	// DefaultMemoryBudget); exceeding it fails the statement with 53200.
	MemoryBudget int64
	// Backends signals the node's connections (pg_cancel_backend,
	// pg_terminate_backend); nil when there are none to signal.
	Backends Backends
	// BackendPID is the session's process id (pg_backend_pid()).
	BackendPID int32
	// Sequences runs nextval, currval, setval and lastval (sequence.go);
	// nil refuses them.
	Sequences Sequences
	// Session answers current_user, current_database() and set_config()
	// (builtins_more.go); nil when there is no session.
	Session SessionInfo
	// Tables finds the tables foreign keys connect to the one a
	// statement writes (fk.go); nil refuses writes that need them.
	Tables TableResolver
	// FKDeferred tells whether a DEFERRABLE foreign key's checks wait for
	// the commit now, DeferFK keeps one that does (fk.go); nil runs every
	// check at the statement's end.
	FKDeferred func(*catalog.ForeignKey) bool
	DeferFK    func(DeferredFK) error

	memUsed int64
	// nodeHeld is what this statement holds of the node-wide pool;
	// releaseNodeMemory returns it when the cursor closes, whatever its
	// operators did not close themselves (an error, a cancellation).
	nodeHeld int64
	subCache map[int]*subqueryResult
	// analyze, when set, collects per-operator counters (EXPLAIN ANALYZE).
	analyze map[any]*OpStats
}

// OpStats are one operator's counters for EXPLAIN ANALYZE.
type OpStats struct {
	Rows       int64
	KVRequests int64
	KeysRead   int64
}

func (c *Context) batchSize() int64 {
	if c.ScanBatchSize > 0 {
		return c.ScanBatchSize
	}
	return DefaultScanBatchSize
}

func (c *Context) fc() *types.FormatContext { return c.Format }

func (c *Context) param(i int) types.Datum {
	if i < len(c.Params) {
		return c.Params[i]
	}
	return types.DNull
}

func (c *Context) budget() int64 {
	if c.MemoryBudget > 0 {
		return c.MemoryBudget
	}
	return DefaultMemoryBudget
}

// releaseNodeMemory returns what the statement still holds of the
// node-wide pool.
func (c *Context) releaseNodeMemory() {
	c.Stats.ReleaseNodeMemory(c.nodeHeld)
	c.nodeHeld = 0
}

// memAccount is one operator's share of the statement's memory budget.
type memAccount struct{ used int64 }

// grow reserves n more bytes for the operator named what, or fails with
// 53200 when the statement would exceed its budget.
func (a *memAccount) grow(c *Context, n int64, what string) error {
	if c.memUsed+n > c.budget() {
		return pgerror.New(pgerror.CodeOutOfMemory, "out of memory").
			WithDetail("%s exceeds the statement's memory budget (work_mem = %dkB).", what, c.budget()>>10).
			WithHint("Reduce the rows the statement must hold, or raise work_mem.")
	}
	if err := c.Stats.ReserveNodeMemory(n); err != nil {
		return err
	}
	c.nodeHeld += n
	c.memUsed += n
	a.used += n
	return nil
}

// close releases everything the account holds.
func (a *memAccount) close(c *Context) {
	r := min(a.used, c.nodeHeld)
	c.Stats.ReleaseNodeMemory(r)
	c.nodeHeld -= r
	c.memUsed -= a.used
	a.used = 0
}

// datumSize estimates the bytes a datum holds.
func datumSize(d types.Datum) int64 {
	switch v := d.(type) {
	case types.DString:
		return 16 + int64(len(v))
	case types.DChar:
		return 16 + int64(len(v))
	case types.DBytes:
		return 16 + int64(len(v))
	case *types.DDecimal:
		return 64
	}
	return 16
}

// rowSize estimates the bytes a buffered row holds.
func rowSize(r types.Datums) int64 {
	n := int64(24)
	for _, d := range r {
		n += datumSize(d)
	}
	return n
}
