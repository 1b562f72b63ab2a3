package pgwire

import (
	"net"
	"time"

	"github.com/rangedb/rangedb/sql"
)

// This file keeps what pg_stat_activity shows of each connection, and
// lets SQL signal connections by process id (sql.Backends).

// activity is a connection's state as pg_stat_activity shows it; guarded
// by conn.mu.
type activity struct {
	user, database, appName string
	backendStart            time.Time
	xactStart, queryStart   time.Time
	stateChange             time.Time
	state, query            string
}

// statementQueries remembers the text of prepared statements and
// portals, so that Execute can show its query; connection goroutine only.
type statementQueries struct {
	stmts   map[string]string
	portals map[string]string
}

// setActive records that query started running.
func (c *conn) setActive(query string) {
	now := time.Now()
	c.mu.Lock()
	defer c.mu.Unlock()
	a := &c.mu.activity
	if a.xactStart.IsZero() {
		a.xactStart = now
	}
	a.query, a.queryStart, a.state, a.stateChange = query, now, "active", now
}

// setIdle records the state the connection waits for the next query in.
func (c *conn) setIdle(status sql.TxnStatus) {
	state := "idle"
	switch status {
	case sql.TxnInBlock:
		state = "idle in transaction"
	case sql.TxnFailed:
		state = "idle in transaction (aborted)"
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	a := &c.mu.activity
	if state == "idle" {
		a.xactStart = time.Time{}
	}
	if a.state != state {
		a.state, a.stateChange = state, time.Now()
	}
}

// Backends returns the server as sql.Backends, for the SQL engine.
func (s *Server) Backends() sql.Backends { return backends{s} }

type backends struct{ s *Server }

var _ sql.Backends = backends{}

func (b backends) lookup(pid int32) *conn {
	b.s.mu.Lock()
	defer b.s.mu.Unlock()
	return b.s.mu.byPID[uint32(pid)]
}

// List implements sql.Backends.
func (b backends) List() []sql.Backend {
	b.s.mu.Lock()
	conns := make([]*conn, 0, len(b.s.mu.byPID))
	for _, c := range b.s.mu.byPID {
		conns = append(conns, c)
	}
	b.s.mu.Unlock()
	out := make([]sql.Backend, 0, len(conns))
	for _, c := range conns {
		c.mu.Lock()
		a := c.mu.activity
		c.mu.Unlock()
		be := sql.Backend{
			PID: int32(c.pid), User: a.user, Database: a.database, ApplicationName: a.appName,
			BackendStart: a.backendStart, XactStart: a.xactStart, QueryStart: a.queryStart,
			StateChange: a.stateChange, State: a.state, Query: a.query,
		}
		if ta, ok := c.nc.RemoteAddr().(*net.TCPAddr); ok {
			be.ClientAddr, be.ClientPort = ta.IP.String(), ta.Port
		}
		out = append(out, be)
	}
	return out
}

// Cancel implements sql.Backends: pg_cancel_backend.
func (b backends) Cancel(pid int32) bool {
	c := b.lookup(pid)
	if c == nil {
		return false
	}
	c.cancelStatement(errCancelRequested)
	return true
}

// Terminate implements sql.Backends: pg_terminate_backend. The connection
// ends with FATAL 57P01; a connection terminating itself does so after
// the statement's result.
func (b backends) Terminate(pid int32) bool {
	c := b.lookup(pid)
	if c == nil {
		return false
	}
	c.kill()
	return true
}

// maxRememberedQueries bounds the statement and portal texts a connection
// keeps; past it the oldest are not shown (the statements still work).
const maxRememberedQueries = 1024

func (q *statementQueries) remember(m *map[string]string, name, query string) {
	if *m == nil {
		*m = make(map[string]string)
	}
	if _, ok := (*m)[name]; !ok && len(*m) >= maxRememberedQueries {
		return
	}
	(*m)[name] = query
}
