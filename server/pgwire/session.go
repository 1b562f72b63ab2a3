package pgwire

import (
	"context"

	"github.com/rangedb/rangedb/sql"
)

// SessionFactory opens a SQL session for an authenticated connection. The
// server package adapts *sql.Engine to it.
type SessionFactory interface {
	// NewSession opens a session for user on database. params holds every
	// startup parameter the client sent (user, database, application_name,
	// TimeZone, options, ...) except the "_pq_." protocol options. An unknown database must be reported as a *pgerror.Error
	// with code 3D000, an unknown or invalid setting as 42704 or 22023;
	// any error is sent to the client as a FATAL ErrorResponse and the
	// connection is closed.
	NewSession(ctx context.Context, user, database string, params map[string]string) (Session, error)
}

// Session executes the statements of one connection. pgwire calls its
// methods from the connection's goroutine only, one at a time. pgwire
// knows nothing about SQL: statements, portals, parameter values and
// result encodings are the session's; pgwire turns messages into these
// calls and their results and errors back into messages.
//
// Every method that takes a context must return promptly once it is
// canceled (a CancelRequest, the client vanishing, or the server
// terminating the connection); context.Canceled maps to 57014. Errors are
// flattened with pgerror.Flatten. An error returned by a method of a
// sql.ResultWriter means the client is gone: the session should stop and
// return it.
type Session interface {
	// ExecSimple executes every statement of a simple-protocol query
	// string in order, reporting each one's results to w, and returns the
	// error of the statement that failed (nil if none did); statements
	// after a failing one are not executed.
	ExecSimple(ctx context.Context, query string, w sql.ResultWriter) error

	// Parse (the Parse message) prepares query as statement name ("" is
	// the unnamed statement, which a new Parse replaces). paramOIDs are
	// the parameter types the client gave; 0 or a missing entry asks the
	// session to infer the type.
	Parse(ctx context.Context, name, query string, paramOIDs []uint32) error
	// Bind (the Bind message) creates portal from statement stmt with the
	// given parameter values and format codes (0 text, 1 binary; none
	// means all text, one applies to all) and the result format codes.
	Bind(ctx context.Context, portal, stmt string, paramFormats []int16, params [][]byte, resultFormats []int16) error
	// DescribeStatement returns the parameter type OIDs and the result
	// columns (nil for a statement that returns no rows) of a prepared
	// statement. The columns' Format is 0: formats are not known yet.
	DescribeStatement(ctx context.Context, name string) (paramOIDs []uint32, cols []sql.ResultColumn, err error)
	// DescribePortal returns a portal's result columns (nil for none),
	// with the format codes Bind asked for.
	DescribePortal(ctx context.Context, name string) ([]sql.ResultColumn, error)
	// Execute runs portal, sending at most maxRows rows (0 = all) to w,
	// encoded in the portal's formats; w.SetColumns is not called (the
	// extended protocol sends RowDescription only on Describe).
	// suspended reports that rows remain: pgwire sends PortalSuspended
	// and a later Execute continues. Otherwise w.Complete (or
	// w.EmptyQuery) has been called.
	Execute(ctx context.Context, portal string, maxRows int, w sql.ResultWriter) (suspended bool, err error)
	// CloseStatement and ClosePortal (the Close message) drop a statement
	// or portal; closing one that does not exist is not an error.
	CloseStatement(name string) error
	ClosePortal(name string) error
	// Sync (the Sync message) ends the extended-protocol unit: it commits
	// the implicit transaction the messages since the last Sync ran in,
	// or rolls it back if one of them failed. pgwire skips the messages
	// between an error and Sync; the session must have recorded the
	// failure itself.
	Sync(ctx context.Context) error

	// ParameterChanges returns the settings PostgreSQL reports with
	// ParameterStatus (GUC_REPORT) whose value changed since the last
	// call, in a stable order; the first call returns all of them. pgwire
	// calls it after startup and before every ReadyForQuery.
	ParameterChanges() []sql.ParameterStatus
	// TxnStatus reports the transaction state for ReadyForQuery.
	TxnStatus() sql.TxnStatus
	// Close releases the session (rolling back any open transaction). It
	// is called exactly once, after the last other call has returned.
	Close()
}
