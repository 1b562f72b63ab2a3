package sql

import (
	"sync/atomic"
	"time"

	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// Backend is one client connection of the node, as pg_stat_activity
// shows it.
type Backend struct {
	PID             int32
	User, Database  string
	ApplicationName string
	// ClientAddr and ClientPort are the client's address; empty and 0
	// for a connection over a Unix socket.
	ClientAddr string
	ClientPort int
	// BackendStart is when the connection was accepted; XactStart when
	// its transaction began (zero outside one), QueryStart when its
	// current or last query began, StateChange when State last changed.
	BackendStart, XactStart, QueryStart, StateChange time.Time
	// State is PostgreSQL's: "active", "idle", "idle in transaction" or
	// "idle in transaction (aborted)".
	State string
	// Query is the current query's text, or the last one's when idle.
	Query string
}

// Backends lists and signals the node's connections; the wire protocol
// server implements it (Engine.SetBackends).
type Backends interface {
	exec.Backends
	// List returns the node's connections past startup.
	List() []Backend
}

// SetBackends gives the engine the node's connections, for
// pg_stat_activity, pg_cancel_backend and pg_terminate_backend. Call it
// before sessions open.
func (e *Engine) SetBackends(b Backends) { e.backends.Store(&b) }

func (e *Engine) loadBackends() Backends {
	if p := e.backends.Load(); p != nil {
		return *p
	}
	return nil
}

// backendsPtr is the type of Engine.backends.
type backendsPtr = atomic.Pointer[Backends]

// SetBackendPID tells the session the process id its connection reports
// in BackendKeyData (pg_backend_pid()).
func (s *Session) SetBackendPID(pid int32) { s.pid = pid }

// pgStatActivityColumns are pg_stat_activity's columns in PostgreSQL 15's
// order. Types rangedb does not have are approximated: oid as bigint,
// name, inet and xid as text.
var pgStatActivityColumns = []plan.Column{
	{Name: "datid", Typ: types.Int8}, {Name: "datname", Typ: types.Text}, {Name: "pid", Typ: types.Int4},
	{Name: "leader_pid", Typ: types.Int4}, {Name: "usesysid", Typ: types.Int8}, {Name: "usename", Typ: types.Text},
	{Name: "application_name", Typ: types.Text}, {Name: "client_addr", Typ: types.Text},
	{Name: "client_hostname", Typ: types.Text}, {Name: "client_port", Typ: types.Int4},
	{Name: "backend_start", Typ: types.TimestampTZ}, {Name: "xact_start", Typ: types.TimestampTZ},
	{Name: "query_start", Typ: types.TimestampTZ}, {Name: "state_change", Typ: types.TimestampTZ},
	{Name: "wait_event_type", Typ: types.Text}, {Name: "wait_event", Typ: types.Text}, {Name: "state", Typ: types.Text},
	{Name: "backend_xid", Typ: types.Text}, {Name: "backend_xmin", Typ: types.Text}, {Name: "query_id", Typ: types.Int8},
	{Name: "query", Typ: types.Text}, {Name: "backend_type", Typ: types.Text},
}

// VirtualTable implements plan.VirtualResolver: pg_stat_activity, a
// snapshot of the node's connections taken when the statement is planned.
func (r *resolver) VirtualTable(schema, name string) ([]plan.Column, []types.Datums, bool) {
	if cols, rows, ok := r.sequenceTable(schema, name); ok { // SELECT … FROM a sequence: ddl_sequence.go
		return cols, rows, true
	}
	if cols, rows, ok := r.pgCatalogTable(schema, name); ok { // pgcatalog.go
		return cols, rows, true
	}
	if name != "pg_stat_activity" || (schema != "" && schema != "pg_catalog") {
		return nil, nil, false
	}
	var rows []types.Datums
	b := r.s.e.loadBackends()
	if b == nil {
		return pgStatActivityColumns, nil, true
	}
	ts := func(t time.Time) types.Datum {
		if t.IsZero() {
			return types.DNull
		}
		return types.DTimestampTZ(t.Sub(time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC)).Microseconds())
	}
	str := func(s string) types.Datum {
		if s == "" {
			return types.DNull
		}
		return types.DString(s)
	}
	for _, be := range b.List() {
		var port types.Datum = types.DNull
		if be.ClientPort != 0 {
			port = types.DInt(be.ClientPort)
		}
		var datid types.Datum = types.DNull
		if db := r.s.db; db != nil && db.Name == be.Database {
			datid = types.DInt(db.ID)
		}
		rows = append(rows, types.Datums{
			datid, types.DString(be.Database), types.DInt(be.PID), types.DNull, types.DInt(10), types.DString(be.User),
			types.DString(be.ApplicationName), str(be.ClientAddr), types.DNull, port,
			ts(be.BackendStart), ts(be.XactStart), ts(be.QueryStart), ts(be.StateChange),
			types.DNull, types.DNull, types.DString(be.State), types.DNull, types.DNull, types.DNull,
			types.DString(be.Query), types.DString("client backend"),
		})
	}
	return pgStatActivityColumns, rows, true
}
