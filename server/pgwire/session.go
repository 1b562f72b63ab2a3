package pgwire

import (
	"context"

	"github.com/rangedb/rangedb/sql"
)

// SessionFactory opens a SQL session for an authenticated connection. The
// server package adapts *sql.Engine to it.
type SessionFactory interface {
	// NewSession opens a session for user on database. params holds every
	// startup parameter the client sent (application_name, TimeZone,
	// options, ...) except the "_pq_." protocol options. An unknown
	// database must be reported as a *pgerror.Error with code 3D000; any
	// error is sent to the client as a FATAL ErrorResponse and the
	// connection is closed.
	NewSession(ctx context.Context, user, database string, params map[string]string) (Session, error)
}

// Session executes the statements of one connection. pgwire calls its
// methods from the connection's goroutine only, one at a time.
type Session interface {
	// ExecSimple executes every statement of a simple-protocol query
	// string in order, reporting each one's results to w, and returns the
	// error of the statement that failed (nil if none did); statements
	// after a failing one are not executed. pgwire flattens the error with
	// pgerror.Flatten. ExecSimple must return promptly once ctx is
	// canceled (a CancelRequest, the client vanishing, or the server
	// terminating the connection); context.Canceled maps to 57014. An
	// error returned by a method of w means the client is gone: ExecSimple
	// should stop and return it.
	ExecSimple(ctx context.Context, query string, w sql.ResultWriter) error
	// TxnStatus reports the transaction state for ReadyForQuery.
	TxnStatus() sql.TxnStatus
	// Close releases the session (rolling back any open transaction). It
	// is called exactly once, after the last ExecSimple has returned.
	Close()
}

// ParameterStatusWriter is implemented by the sql.ResultWriter that pgwire
// passes to ExecSimple. A session that changes a setting PostgreSQL reports
// (application_name, TimeZone, DateStyle, ...) may type-assert the writer
// to it and report the new value, as PostgreSQL does after SET.
type ParameterStatusWriter interface {
	ParameterStatus(name, value string) error
}
