package pgwire

import (
	"errors"

	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// Severities as PostgreSQL spells them in ErrorResponse.
const (
	severityError = "ERROR"
	severityFatal = "FATAL"
	severityPanic = "PANIC"
)

// Internal causes for canceling a running statement; the session sees
// context.Canceled either way.
var (
	errCancelRequested = errors.New("pgwire: statement canceled by CancelRequest")
	errClientGone      = errors.New("pgwire: client connection closed")
	errAdminShutdown   = errors.New("pgwire: server is shutting down")
	errConnDone        = errors.New("pgwire: connection finished")
)

// toErrorResponse converts e into the ErrorResponse sent to the client. An
// empty severity becomes ERROR and an empty code XX000.
func toErrorResponse(e *pgerror.Error) *pgproto3.ErrorResponse {
	sev := e.Severity
	if sev == "" {
		sev = severityError
	}
	code := e.Code
	if code == "" {
		code = pgerror.CodeInternalError
	}
	return &pgproto3.ErrorResponse{
		Severity:            sev,
		SeverityUnlocalized: sev,
		Code:                code,
		Message:             e.Message,
		Detail:              e.Detail,
		Hint:                e.Hint,
		Position:            int32(e.Position),
		Where:               e.Where,
		SchemaName:          e.SchemaName,
		TableName:           e.TableName,
		ColumnName:          e.ColumnName,
		DataTypeName:        e.DataTypeName,
		ConstraintName:      e.ConstraintName,
	}
}

// fatalResponse converts e into a FATAL ErrorResponse, after which the
// connection is closed.
func fatalResponse(e *pgerror.Error) *pgproto3.ErrorResponse {
	r := toErrorResponse(e)
	r.Severity, r.SeverityUnlocalized = severityFatal, severityFatal
	return r
}

// isFatal reports whether an error with severity sev ends the connection.
func isFatal(sev string) bool { return sev == severityFatal || sev == severityPanic }

// adminShutdownError is the error PostgreSQL sends when a fast shutdown
// terminates a connection.
func adminShutdownError() *pgerror.Error {
	return pgerror.New(pgerror.CodeAdminShutdown, "terminating connection due to administrator command")
}

// protocolViolation is the FATAL error for a malformed or unexpected
// message.
func protocolViolation(format string, args ...any) *pgerror.Error {
	return pgerror.New(pgerror.CodeProtocolViolation, format, args...)
}
