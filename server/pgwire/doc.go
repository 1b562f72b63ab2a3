// Package pgwire serves the PostgreSQL v3 wire protocol, as PostgreSQL 15
// speaks it, on top of pgproto3.Backend. It turns bytes into calls on a
// Session and results and errors back into protocol messages; it knows
// nothing about SQL.
//
// # Contract with the layers around it
//
// Above: the server package builds a Config (address, limits, logger and a
// SessionFactory adapting *sql.Engine) and calls New, then Start (or Serve
// with its own listener, or ServeConn per connection), and Drain or Close
// at shutdown. Drain and Close return only when every goroutine the
// Server started has exited.
//
// Below: a Session (session.go) owns everything SQL: it executes query
// strings (ExecSimple) and the extended protocol's messages (Parse, Bind,
// DescribeStatement, DescribePortal, Execute, CloseStatement, ClosePortal,
// Sync), so prepared statements, portals, parameter decoding and result
// encoding (text or binary, per Bind's format codes) are its business;
// pgwire only turns messages into those calls and their results into
// messages. Results go through a sql.ResultWriter (RowDescription,
// DataRow, CommandComplete, EmptyQueryResponse, and NoticeResponse through
// sql.NoticeWriter); an Execute's writer sends no RowDescription, which
// the extended protocol sends only for Describe. After every session call
// pgwire asks ParameterChanges for the reported settings (GUC_REPORT) that
// changed and sends them as ParameterStatus just before ReadyForQuery, as
// PostgreSQL 14+ does; at startup the first call gives the full set. A
// session's error, flattened by pgerror.Flatten, becomes an ErrorResponse
// with code, message, detail, hint, position, context and the object
// names; severity FATAL (or PANIC) also ends the connection. The statement
// context is canceled by a CancelRequest, by the client vanishing, and by
// Drain's deadline; the session must honor it (context.Canceled flattens
// to 57014).
//
// # One connection, step by step
//
//  1. Server.Serve accepts and registers the connection (conn) and runs
//     conn.serve on a goroutine counted in Server.wg.
//  2. conn.serve starts a netReader goroutine that keeps reading the socket
//     into a bounded read-ahead buffer (reader.go), so that a disconnect is
//     seen even while a statement runs; pgproto3.Backend reads from it,
//     with SetMaxBodyLen(Config.MaxMessageSize).
//  3. conn.startup, under Config.StartupTimeout (read and write deadline):
//     SSLRequest and GSSEncRequest are answered 'N'; a CancelRequest
//     cancels the statement of the connection whose BackendKeyData matches
//     (Server.cancelRequest) and closes; a StartupMessage is checked
//     (user required: 28000; protocol 3.2 or _pq_ options get
//     NegotiateProtocolVersion; client_encoding must be UTF8), the user
//     authenticated (only "root", trusted; others get FATAL 28000 `role "x"
//     does not exist`), AuthenticationOk sent, and the session opened with
//     database defaulting to the user name (an unknown database is the
//     factory's FATAL 3D000; an unknown or invalid setting among the
//     startup parameters its FATAL 42704 or 22023). Then the
//     ParameterStatus set PostgreSQL 15 sends, in its order, with the
//     values the startup parameters chose (Session.ParameterChanges),
//     BackendKeyData (random process id and secret) and ReadyForQuery.
//  4. conn.handle, one message at a time: Query runs Session.ExecSimple
//     (conn.execSimple) and ends with ReadyForQuery carrying TxnStatus.
//     Parse, Bind, Describe ('S' → ParameterDescription and RowDescription
//     or NoData; 'P' → RowDescription or NoData), Execute (→ rows, then
//     CommandComplete, EmptyQueryResponse or, when the row limit was hit,
//     PortalSuspended) and Close (→ CloseComplete) each run under a
//     statement context (conn.extended) and are not flushed, as in
//     PostgreSQL; after an error everything but Sync and Terminate is
//     discarded until Sync. Sync runs Session.Sync (which commits the
//     implicit transaction of the messages since the previous Sync) and
//     sends ReadyForQuery. Flush flushes; CopyData/CopyDone/CopyFail are
//     read by a running COPY FROM STDIN (copy.go) and ignored outside
//     COPY; FunctionCall gets 0A000; Terminate closes. A
//     Describe or Close of an unknown kind is an ERROR 08P01, as in
//     PostgreSQL.
//  5. Anything else (unknown type byte, bad length, undecodable body, a
//     body over MaxMessageSize, a password message) is a protocol
//     violation: FATAL 08P01, logged, and only that connection closes.
//
// Output is buffered in conn.wbuf and written at ReadyForQuery, after an
// ErrorResponse, on Flush, and whenever flushThreshold bytes are pending,
// so a large result streams in bounded memory. A failed write means the
// client is gone: the ResultWriter returns the error and the connection
// ends. A final FATAL message is written under a short deadline so that a
// client that does not read cannot hold the goroutine.
//
// # Cancellation and shutdown
//
// Each statement's context derives from the connection's. It is canceled
// by a matching CancelRequest (the session answers 57014 and the
// connection carries on), by the netReader seeing the socket fail (the
// client vanished; a statement that starts after that is canceled at once,
// so pipelined queries from a vanished client do not depend on timing),
// and by Drain's deadline.
//
// Drain stops accepting and wakes idle connections (their reads are
// interrupted), which get FATAL 57P01 `terminating connection due to
// administrator command` and close; a connection running a statement
// closes the same way once the statement ends. When Drain's context is
// done, remaining connections are killed: their statements are canceled
// and, instead of the session's error, they get FATAL 57P01.
//
// Statements sent with the extended protocol outside BEGIN form one
// implicit transaction that commits at Sync. When that commit fails with a
// serialization failure and none of the unit's replies has been flushed,
// the unit's messages are replayed on a new transaction (replay.go), with
// jittered backoff, so the client never sees a conflict it did not cause —
// as sql.Session does for simple-protocol statements.
//
// A panic in a session is recovered on the connection goroutine, logged
// with its stack and reported as FATAL XX000 to that client only.
//
// # Not yet
//
// TLS, password authentication and roles other than root, the function
// call protocol.
package pgwire
