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
// Below: a Session executes a query string and reports results through a
// sql.ResultWriter (RowDescription, DataRow, CommandComplete,
// EmptyQueryResponse; the writer also implements ParameterStatusWriter for
// SET). Its error, flattened by pgerror.Flatten, becomes an ErrorResponse
// with code, message, detail, hint and position; severity FATAL (or PANIC)
// also ends the connection. The statement context is canceled by a
// CancelRequest, by the client vanishing, and by Drain's deadline; the
// session must honor it (context.Canceled flattens to 57014).
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
//     factory's FATAL 3D000). Then the ParameterStatus set PostgreSQL 15
//     sends, in its order, BackendKeyData (random process id and secret)
//     and ReadyForQuery.
//  4. conn.handle, one message at a time: Query runs Session.ExecSimple
//     (conn.execSimple) and ends with ReadyForQuery carrying TxnStatus.
//     Parse/Bind/Describe/Execute/Close are answered 0A000 `extended query
//     protocol is not supported yet`, after which everything but Sync and
//     Terminate is discarded until Sync, as PostgreSQL does after an error
//     in the extended protocol. Flush flushes; CopyData/CopyDone/CopyFail
//     are ignored outside COPY; FunctionCall gets 0A000; Terminate closes.
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
// A panic in a session is recovered on the connection goroutine, logged
// with its stack and reported as FATAL XX000 to that client only.
//
// # Not yet
//
// TLS, password authentication and roles other than root, the extended
// query protocol (prepared statements, portals), COPY, NoticeResponse.
package pgwire
