package pgwire

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"net"
	"runtime/debug"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/sql"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// Output buffering: messages accumulate in conn.wbuf and are written at
// ReadyForQuery, on Flush, after errors, and whenever flushThreshold bytes
// are pending, so a large result streams in bounded memory.
const (
	flushThreshold      = 32 << 10
	maxRetainedWriteBuf = 256 << 10
)

// maxEncryptionRequests bounds SSLRequest/GSSEncRequest rounds before the
// startup message (PostgreSQL allows one of each).
const maxEncryptionRequests = 2

// trustedUser is the only role that exists for now; it is trusted (no
// password), like PostgreSQL's `trust` authentication.
const trustedUser = "root"

// conn is one client connection. Its serve method runs on the connection
// goroutine, which alone touches the fields above mu; other goroutines
// (CancelRequest, Drain, the netReader) only call cancelStatement and kill.
type conn struct {
	s  *Server
	nc net.Conn
	rd *netReader
	be *pgproto3.Backend

	// ctx is canceled when the connection ends; statements derive from it.
	ctx       context.Context
	cancelCtx context.CancelCauseFunc

	sess           Session
	wbuf           []byte
	writeErr       error // sticky: the client is gone once a write failed
	ignoreTillSync bool  // discarding extended-protocol messages after an error
	unit           unit  // the extended-protocol messages since the last Sync (replay.go)

	// pid and secret are the BackendKeyData; set before the connection is
	// registered for CancelRequest and not changed after.
	pid    uint32
	secret [4]byte

	killed atomic.Bool // Drain's deadline passed: terminate with 57P01

	accepted time.Time // when the connection was accepted

	// queries remembers prepared statements' text (activity.go).
	queries statementQueries

	mu struct {
		sync.Mutex
		// cancelStmt cancels the running statement; nil when idle.
		cancelStmt context.CancelCauseFunc
		// activity is what pg_stat_activity shows (activity.go).
		activity activity
	}
}

func newConn(s *Server, nc net.Conn) *conn {
	c := &conn{s: s, nc: nc, accepted: time.Now()}
	c.ctx, c.cancelCtx = context.WithCancelCause(context.Background())
	c.rd = newNetReader(nc, s.drainCh, func() { c.cancelStatement(errClientGone) })
	c.be = pgproto3.NewBackend(c.rd, nc)
	c.be.SetMaxBodyLen(s.cfg.MaxMessageSize)
	return c
}

// serve runs the connection to its end and releases everything it owns.
func (c *conn) serve() {
	log := c.s.log.With("remote", c.nc.RemoteAddr())
	go c.rd.run()
	defer func() {
		c.cancelCtx(errConnDone)
		_ = c.nc.Close()
		c.rd.close()
		if c.sess != nil {
			c.sess.Close()
		}
		c.s.untrack(c)
		log.Debug("pgwire: connection closed")
	}()
	defer func() {
		// A panic in a session must not take the other connections down.
		if r := recover(); r != nil {
			log.Error("pgwire: panic serving connection", "panic", r, "stack", string(debug.Stack()))
			c.sendFatal(pgerror.New(pgerror.CodeInternalError, "internal error: %v", r))
		}
	}()

	if !c.startup() {
		return
	}
	for {
		if c.s.isDraining() {
			c.sendFatal(adminShutdownError())
			return
		}
		c.rd.beginMessage(c.idleTimeout(), c.s.cfg.StartupTimeout)
		msg, err := c.be.Receive()
		c.rd.endMessage()
		if err != nil {
			if errors.Is(err, errIdleTimeout) {
				c.idleTimedOut()
				return
			}
			c.readFailed(err)
			return
		}
		if !c.handle(msg) {
			return
		}
	}
}

// idleTimeouts is implemented by sessions that have
// idle_session_timeout and idle_in_transaction_session_timeout.
type idleTimeouts interface {
	IdleTimeouts() (idle, idleInTxn time.Duration)
}

// idleTimeout is how long the connection may wait for its next message:
// the session's idle_in_transaction_session_timeout in a transaction, its
// idle_session_timeout outside one (0: forever).
func (c *conn) idleTimeout() time.Duration {
	it, ok := c.sess.(idleTimeouts)
	if !ok {
		return 0
	}
	idle, inTxn := it.IdleTimeouts()
	if c.sess.TxnStatus() != sql.TxnIdle {
		return inTxn
	}
	return idle
}

// idleTimedOut ends the connection as PostgreSQL does when an idle
// timeout passes: FATAL 25P03 in a transaction, 57P05 outside one.
func (c *conn) idleTimedOut() {
	if c.sess.TxnStatus() != sql.TxnIdle {
		c.sendFatal(pgerror.New("25P03", "terminating connection due to idle-in-transaction timeout"))
		return
	}
	c.sendFatal(pgerror.New("57P05", "terminating connection due to idle-session timeout"))
}

// handle processes one message after startup; false ends the connection.
func (c *conn) handle(msg pgproto3.FrontendMessage) bool {
	if c.ignoreTillSync {
		switch msg.(type) {
		case *pgproto3.Sync, *pgproto3.Terminate:
		default:
			return true
		}
	}
	switch m := msg.(type) {
	case *pgproto3.Query:
		if c.unit.inProgress {
			c.unit.notReplay = true
		}
		return c.execSimple(m.String)
	case *pgproto3.Parse, *pgproto3.Bind, *pgproto3.Describe, *pgproto3.Execute, *pgproto3.Close:
		c.record(msg)
		return c.extended(msg)
	case *pgproto3.Sync:
		c.ignoreTillSync = false
		var err error
		for attempt := 0; ; attempt++ {
			ctx := c.beginStatement()
			err = c.sess.Sync(ctx)
			c.endStatement()
			if !c.checkStatementEnd() {
				return false
			}
			if err == nil || attempt == maxUnitReplays || !c.retryableSyncError(err) {
				break
			}
			c.s.log.Debug("pgwire: replaying an implicit transaction after a conflict", "attempt", attempt+1)
			if !kv.RetryBackoff(c.ctx, attempt) || !c.replayUnit() {
				return false
			}
			c.ignoreTillSync = false
		}
		if err != nil && !c.reportError(err) {
			return false
		}
		return c.readyForQuery() == nil
	case *pgproto3.Flush:
		return c.flush() == nil
	case *pgproto3.Terminate:
		return false
	case *pgproto3.CopyData, *pgproto3.CopyDone, *pgproto3.CopyFail:
		// Ignored outside COPY, as PostgreSQL does.
		return true
	case *pgproto3.FunctionCall:
		c.sendError(pgerror.New(pgerror.CodeFeatureNotSupported, "function call protocol is not supported"))
		return c.readyForQuery() == nil
	default:
		c.sendFatal(protocolViolation("unexpected message type %T", msg))
		return false
	}
}

// extended handles Parse, Bind, Describe, Execute and Close. Each runs
// under a statement context (so that CancelRequest reaches it); an error
// is reported and everything but Sync and Terminate is then discarded
// until Sync, as PostgreSQL does. Nothing is flushed here: PostgreSQL
// buffers extended-protocol replies until Sync, Flush or an error.
func (c *conn) extended(msg pgproto3.FrontendMessage) bool {
	ctx := c.beginStatement()
	err := c.extendedLocked(ctx, msg)
	c.endStatement()
	if !c.checkStatementEnd() {
		return false
	}
	if err != nil {
		if !c.reportError(err) {
			return false
		}
		c.ignoreTillSync = true
	}
	return c.writeErr == nil
}

func (c *conn) extendedLocked(ctx context.Context, msg pgproto3.FrontendMessage) error {
	switch m := msg.(type) {
	case *pgproto3.Parse:
		if err := c.sess.Parse(ctx, m.Name, m.Query, m.ParameterOIDs); err != nil {
			return err
		}
		c.queries.remember(&c.queries.stmts, m.Name, m.Query)
		return c.send(&pgproto3.ParseComplete{})
	case *pgproto3.Bind:
		if err := c.sess.Bind(ctx, m.DestinationPortal, m.PreparedStatement, m.ParameterFormatCodes, m.Parameters, m.ResultFormatCodes); err != nil {
			return err
		}
		c.queries.remember(&c.queries.portals, m.DestinationPortal, c.queries.stmts[m.PreparedStatement])
		return c.send(&pgproto3.BindComplete{})
	case *pgproto3.Describe:
		switch m.ObjectType {
		case 'S':
			oids, cols, err := c.sess.DescribeStatement(ctx, m.Name)
			if err != nil {
				return err
			}
			if oids == nil {
				oids = []uint32{}
			}
			if err := c.send(&pgproto3.ParameterDescription{ParameterOIDs: oids}); err != nil {
				return err
			}
			return c.sendRowDescription(cols)
		case 'P':
			cols, err := c.sess.DescribePortal(ctx, m.Name)
			if err != nil {
				return err
			}
			return c.sendRowDescription(cols)
		}
		return protocolViolation("invalid DESCRIBE message subtype %d", m.ObjectType)
	case *pgproto3.Execute:
		c.setActive(c.queries.portals[m.Portal])
		suspended, err := c.sess.Execute(ctx, m.Portal, int(int32(m.MaxRows)), &resultWriter{c: c, extended: true})
		if err != nil {
			return err
		}
		if suspended {
			return c.send(&pgproto3.PortalSuspended{})
		}
		return nil
	case *pgproto3.Close:
		var err error
		switch m.ObjectType {
		case 'S':
			err = c.sess.CloseStatement(m.Name)
			delete(c.queries.stmts, m.Name)
		case 'P':
			err = c.sess.ClosePortal(m.Name)
			delete(c.queries.portals, m.Name)
		default:
			return protocolViolation("invalid CLOSE message subtype %d", m.ObjectType)
		}
		if err != nil {
			return err
		}
		return c.send(&pgproto3.CloseComplete{})
	}
	return protocolViolation("unexpected message type %T", msg)
}

// sendRowDescription sends RowDescription for cols, or NoData for a
// statement that returns no rows.
func (c *conn) sendRowDescription(cols []sql.ResultColumn) error {
	if cols == nil {
		return c.send(&pgproto3.NoData{})
	}
	return c.send(rowDescription(cols))
}

// startup runs the startup phase under StartupTimeout; false ends the
// connection.
func (c *conn) startup() bool {
	_ = c.nc.SetDeadline(time.Now().Add(c.s.cfg.StartupTimeout))
	for n := 0; ; n++ {
		msg, err := c.be.ReceiveStartupMessage()
		if err != nil {
			c.readFailed(err)
			return false
		}
		switch m := msg.(type) {
		case *pgproto3.SSLRequest, *pgproto3.GSSEncRequest:
			if n >= maxEncryptionRequests {
				c.sendFatal(protocolViolation("too many encryption requests"))
				return false
			}
			// We speak neither TLS nor GSSAPI yet: decline and go on in
			// plain text.
			c.wbuf = append(c.wbuf, 'N')
			if c.flush() != nil {
				return false
			}
		case *pgproto3.CancelRequest:
			c.s.cancelRequest(m.ProcessID, m.SecretKey)
			return false
		case *pgproto3.StartupMessage:
			if !c.handleStartup(m) {
				return false
			}
			_ = c.nc.SetDeadline(time.Time{})
			return true
		default:
			c.sendFatal(protocolViolation("unexpected startup message %T", msg))
			return false
		}
	}
}

// handleStartup authenticates the user, opens the session and sends what
// PostgreSQL 15 sends up to the first ReadyForQuery.
func (c *conn) handleStartup(m *pgproto3.StartupMessage) bool {
	params := maps.Clone(m.Parameters)
	var unknownOpts []string
	for k := range params {
		if strings.HasPrefix(k, "_pq_.") {
			unknownOpts = append(unknownOpts, k)
			delete(params, k)
		}
	}
	user := params["user"]
	if user == "" {
		c.sendFatal(pgerror.New(pgerror.CodeInvalidAuthorization, "no PostgreSQL user name specified in startup packet"))
		return false
	}
	database := params["database"]
	if database == "" {
		database = user
	}
	if enc, ok := params["client_encoding"]; ok && !isUTF8(enc) {
		c.sendFatal(pgerror.New(pgerror.CodeInvalidParameterValue,
			"invalid value for parameter \"client_encoding\": %q", enc).WithHint("Only UTF8 is supported."))
		return false
	}
	// PostgreSQL 15 speaks protocol 3.0 only: answer a newer minor version
	// or protocol options with NegotiateProtocolVersion, as it does.
	if m.ProtocolVersion != pgproto3.ProtocolVersion30 || len(unknownOpts) > 0 {
		c.send(&pgproto3.NegotiateProtocolVersion{NewestMinorProtocol: 0, UnrecognizedOptions: unknownOpts})
	}
	if user != trustedUser {
		c.sendFatal(pgerror.New(pgerror.CodeInvalidAuthorization, "role %q does not exist", user))
		return false
	}
	c.send(&pgproto3.AuthenticationOk{})

	ctx, cancel := context.WithTimeout(c.ctx, c.s.cfg.StartupTimeout)
	sess, err := c.s.cfg.Sessions.NewSession(ctx, user, database, params)
	cancel()
	if err != nil {
		c.sendFatal(pgerror.Flatten(err))
		return false
	}
	c.sess = sess
	c.mu.Lock()
	c.mu.activity = activity{user: user, database: database, appName: params["application_name"], backendStart: c.accepted,
		state: "idle", stateChange: time.Now()}
	c.mu.Unlock()
	if err := c.s.registerCancelKey(c); err != nil {
		if errors.Is(err, errTooManyConnections) {
			c.sendFatal(pgerror.New(pgerror.CodeTooManyConnections, "sorry, too many clients already"))
			return false
		}
		c.sendFatal(pgerror.New(pgerror.CodeInternalError, "could not generate cancel key: %v", err))
		return false
	}
	if sp, ok := sess.(interface{ SetBackendPID(int32) }); ok {
		sp.SetBackendPID(int32(c.pid))
	}

	// The set PostgreSQL 15 reports, in its order, with the values the
	// startup parameters chose.
	for _, p := range sess.ParameterChanges() {
		c.send(&pgproto3.ParameterStatus{Name: p.Name, Value: p.Value})
	}
	c.send(&pgproto3.BackendKeyData{ProcessID: c.pid, SecretKey: c.secret[:]})
	return c.readyForQuery() == nil
}

// isUTF8 reports whether a client_encoding names UTF-8.
func isUTF8(enc string) bool {
	switch strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(enc), "-", "")) {
	case "UTF8", "UNICODE":
		return true
	}
	return false
}

// execSimple runs a Query message; false ends the connection.
func (c *conn) execSimple(query string) bool {
	c.setActive(query)
	ctx := c.beginStatement()
	err := c.sess.ExecSimple(ctx, query, &resultWriter{c: c})
	c.endStatement()
	if !c.checkStatementEnd() {
		return false
	}
	if err != nil && !c.reportError(err) {
		return false
	}
	return c.readyForQuery() == nil
}

// checkStatementEnd is called after every session call: false (the
// connection ends) if the server killed the connection meanwhile (FATAL
// 57P01 is sent) or the client is gone.
func (c *conn) checkStatementEnd() bool {
	if c.killed.Load() {
		c.sendFatal(adminShutdownError())
		return false
	}
	return c.writeErr == nil
}

// reportError sends a session's error as an ErrorResponse (flushed, as
// PostgreSQL does); false if it was FATAL and the connection must end.
func (c *conn) reportError(err error) bool {
	pe := pgerror.Flatten(err)
	if isFatal(pe.Severity) {
		c.sendFatal(pe)
		return false
	}
	c.sendError(pe)
	return c.writeErr == nil
}

// beginStatement returns the context of a statement about to run. If the
// client is already known to be gone (a pipelined query followed by a
// disconnect), the context starts canceled: whether a statement runs must
// not depend on when the disconnect is noticed.
func (c *conn) beginStatement() context.Context {
	ctx, cancel := context.WithCancelCause(c.ctx)
	c.mu.Lock()
	defer c.mu.Unlock()
	c.mu.cancelStmt = cancel
	select {
	case <-c.rd.done:
		cancel(errClientGone)
	default:
	}
	return ctx
}

// endStatement releases the statement's context.
func (c *conn) endStatement() {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.cancelStmt != nil {
		c.mu.cancelStmt(nil)
		c.mu.cancelStmt = nil
	}
}

// cancelStatement cancels the running statement, if any, with cause. Safe
// from any goroutine.
func (c *conn) cancelStatement(cause error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.mu.cancelStmt != nil {
		c.mu.cancelStmt(cause)
	}
}

// kill makes the connection end with FATAL 57P01 as soon as possible: its
// running statement (or session opening) is canceled, and a write blocked on a client that does
// not read fails within fatalWriteTimeout. Safe from any goroutine.
func (c *conn) kill() {
	c.killed.Store(true)
	c.cancelCtx(errAdminShutdown) // the running statement and NewSession derive from it
	_ = c.nc.SetWriteDeadline(time.Now().Add(fatalWriteTimeout))
}

// readFailed handles an error from Receive: the client went away, the
// server is draining, or the client broke the protocol.
func (c *conn) readFailed(err error) {
	var re *readError
	var tooBig *pgproto3.ExceededMaxBodyLenErr
	switch {
	case errors.Is(err, errInterrupted):
		c.sendFatal(adminShutdownError())
	case errors.As(err, &re):
		var ne net.Error
		if errors.As(err, &ne) && ne.Timeout() {
			c.s.log.Info("pgwire: client timed out", "remote", c.nc.RemoteAddr(), "err", err)
			c.sendFatal(protocolViolation("timeout waiting for client"))
			return
		}
		c.s.log.Debug("pgwire: client closed connection", "remote", c.nc.RemoteAddr(), "err", err)
	case errors.As(err, &tooBig):
		c.s.log.Info("pgwire: message too large", "remote", c.nc.RemoteAddr(), "err", err)
		c.sendFatal(protocolViolation("message of %d bytes exceeds the maximum of %d bytes", tooBig.ActualBodyLen, tooBig.MaxExpectedBodyLen))
	default:
		c.s.log.Info("pgwire: protocol violation", "remote", c.nc.RemoteAddr(), "err", err)
		c.sendFatal(protocolViolation("invalid frontend message: %v", err))
	}
}

// send buffers a message. An encoding failure (a message over 1 GiB) is
// returned and the message dropped.
func (c *conn) send(m pgproto3.BackendMessage) error {
	if c.writeErr != nil {
		return c.writeErr
	}
	buf, err := m.Encode(c.wbuf)
	if err != nil {
		return fmt.Errorf("pgwire: encoding %T: %w", m, err)
	}
	c.wbuf = buf
	return nil
}

// flush writes the buffered messages. A write error is sticky: the client
// is gone and the connection ends.
func (c *conn) flush() error {
	if c.writeErr != nil {
		return c.writeErr
	}
	if len(c.wbuf) == 0 {
		return nil
	}
	c.flushedUnit()
	_, err := c.nc.Write(c.wbuf)
	if cap(c.wbuf) > maxRetainedWriteBuf {
		c.wbuf = nil
	} else {
		c.wbuf = c.wbuf[:0]
	}
	if err != nil {
		c.writeErr = err
		c.s.log.Debug("pgwire: write to client failed", "remote", c.nc.RemoteAddr(), "err", err)
	}
	return err
}

// sendError sends an ErrorResponse and flushes it, as PostgreSQL does.
func (c *conn) sendError(e *pgerror.Error) {
	_ = c.send(toErrorResponse(e))
	_ = c.flush()
}

// sendFatal sends a FATAL ErrorResponse, bounded by fatalWriteTimeout;
// the caller then ends the connection.
func (c *conn) sendFatal(e *pgerror.Error) {
	_ = c.nc.SetWriteDeadline(time.Now().Add(fatalWriteTimeout))
	_ = c.send(fatalResponse(e))
	_ = c.flush()
}

// readyForQuery sends the ParameterStatus of settings that changed (as
// PostgreSQL 14+ does, just before ReadyForQuery), then ReadyForQuery with
// the session's transaction status, and flushes.
func (c *conn) readyForQuery() error {
	status := sql.TxnIdle
	if c.sess != nil {
		for _, p := range c.sess.ParameterChanges() {
			if p.Name == "application_name" {
				c.mu.Lock()
				c.mu.activity.appName = p.Value
				c.mu.Unlock()
			}
			if err := c.send(&pgproto3.ParameterStatus{Name: p.Name, Value: p.Value}); err != nil {
				return err
			}
		}
		if s := c.sess.TxnStatus(); s != 0 {
			status = s
		}
		c.setIdle(status)
	}
	if err := c.send(&pgproto3.ReadyForQuery{TxStatus: byte(status)}); err != nil {
		return err
	}
	c.resetUnit()
	return c.flush()
}
