package pgerror

import (
	"context"
	"errors"
	"fmt"

	"github.com/rangedb/rangedb/kv/kvpb"
)

// SQLSTATE codes used by rangedb, named as in PostgreSQL's errcodes.txt
// (https://www.postgresql.org/docs/15/errcodes-appendix.html).
const (
	CodeSuccessfulCompletion       = "00000"
	CodeFeatureNotSupported        = "0A000"
	CodeInvalidCatalogName         = "3D000"
	CodeSyntaxError                = "42601"
	CodeUndefinedTable             = "42P01"
	CodeUndefinedColumn            = "42703"
	CodeUndefinedFunction          = "42883"
	CodeUndefinedObject            = "42704"
	CodeDuplicateTable             = "42P07"
	CodeDuplicateColumn            = "42701"
	CodeDuplicateDatabase          = "42P04"
	CodeAmbiguousColumn            = "42702"
	CodeDatatypeMismatch           = "42804"
	CodeInvalidTableDefinition     = "42P16"
	CodeInvalidColumnReference     = "42P10"
	CodeGroupingError              = "42803"
	CodeUniqueViolation            = "23505"
	CodeNotNullViolation           = "23502"
	CodeCheckViolation             = "23514"
	CodeForeignKeyViolation        = "23503"
	CodeInvalidTextRepresentation  = "22P02"
	CodeNumericValueOutOfRange     = "22003"
	CodeStringDataRightTruncation  = "22001"
	CodeDivisionByZero             = "22012"
	CodeInvalidParameterValue      = "22023"
	CodeDatetimeFieldOverflow      = "22008"
	CodeInFailedSQLTransaction     = "25P02"
	CodeActiveSQLTransaction       = "25001"
	CodeNoActiveSQLTransaction     = "25P01"
	CodeSerializationFailure       = "40001"
	CodeDeadlockDetected           = "40P01"
	CodeLockNotAvailable           = "55P03"
	CodeQueryCanceled              = "57014"
	CodeAdminShutdown              = "57P01"
	CodeProgramLimitExceeded       = "54000"
	CodeStatementTooComplex        = "54001"
	CodeDiskFull                   = "53100"
	CodeIOError                    = "58030"
	CodeTooManyConnections         = "53300"
	CodeOutOfMemory                = "53200"
	CodeProtocolViolation          = "08P01"
	CodeInvalidAuthorization       = "28000"
	CodeInternalError              = "XX000"
	CodeUndefinedParameter         = "42704"
	CodeCardinalityViolation       = "21000"
	CodeWrongObjectType            = "42809"
	CodeInvalidSchemaName          = "3F000"
	CodeDependentObjectsStillExist = "2BP01"
)

// Error is an error with a SQLSTATE. Severity defaults to ERROR.
type Error struct {
	Code     string
	Severity string
	Message  string
	Detail   string
	Hint     string
	// Position is the 1-based character offset into the query text the
	// error points at; 0 when none.
	Position int
	// Where is the context PostgreSQL adds ("unnamed portal parameter $1
	// = '...'"); empty when none.
	Where string
	// SchemaName, TableName, ColumnName, DataTypeName and ConstraintName
	// name the object an error is about, as PostgreSQL fills them for
	// constraint violations (23505: schema, table and constraint).
	SchemaName, TableName, ColumnName, DataTypeName, ConstraintName string
	// Cause is the underlying error, if any (not sent to the client).
	Cause error
}

func (e *Error) Error() string { return e.Message }

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Cause }

// New returns an *Error with code and a formatted message.
func New(code string, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// WithPosition returns e with its position set.
func (e *Error) WithPosition(pos int) *Error { e.Position = pos; return e }

// WithDetail returns e with its detail set.
func (e *Error) WithDetail(format string, args ...any) *Error {
	e.Detail = fmt.Sprintf(format, args...)
	return e
}

// WithHint returns e with its hint set.
func (e *Error) WithHint(format string, args ...any) *Error {
	e.Hint = fmt.Sprintf(format, args...)
	return e
}

// Unsupported returns the 0A000 error for a construct rangedb does not
// support yet, naming it.
func Unsupported(construct string) *Error {
	return New(CodeFeatureNotSupported, "%s is not supported", construct)
}

// Flatten returns err as an *Error: itself if it is one (or wraps one),
// else the SQLSTATE PostgreSQL would use for the same failure.
func Flatten(err error) *Error {
	if err == nil {
		return nil
	}
	var pe *Error
	if errors.As(err, &pe) {
		return pe
	}
	var (
		wc  *kvpb.WriteConflictError
		ab  *kvpb.TxnAbortedError
		ke  *kvpb.KeyExistsError
		big *kvpb.BufferTooLargeError
		dl  *kvpb.DeadlockError
		lt  *kvpb.LockWaitTimeoutError
		df  *kvpb.DiskFullError
		sf  *kvpb.StoreFailedError
	)
	switch {
	case errors.As(err, &wc), errors.As(err, &ab):
		return &Error{Code: CodeSerializationFailure, Message: "could not serialize access due to concurrent update", Detail: err.Error(), Cause: err}
	case errors.As(err, &lt):
		return &Error{Code: CodeLockNotAvailable, Message: "canceling statement due to lock timeout", Cause: err}
	case errors.As(err, &dl):
		return &Error{Code: CodeDeadlockDetected, Message: "deadlock detected", Detail: err.Error(), Cause: err}
	case errors.As(err, &ke):
		return &Error{Code: CodeUniqueViolation, Message: "duplicate key value violates unique constraint", Cause: err}
	case errors.As(err, &big):
		return &Error{Code: CodeOutOfMemory, Message: "out of memory", Detail: "The transaction's writes exceed its write buffer of " +
			fmt.Sprint(big.Limit) + " bytes.", Hint: "Write in smaller transactions.", Cause: err}
	case errors.As(err, &df):
		return &Error{Code: CodeDiskFull, Message: "could not extend file: No space left on device", Detail: err.Error(),
			Hint: "Check free disk space.", Cause: err}
	case errors.As(err, &sf) && sf.NoSpace:
		return &Error{Code: CodeDiskFull, Message: "could not write to file: No space left on device", Detail: err.Error(),
			Hint: "Check free disk space.", Cause: err}
	case errors.As(err, &sf):
		return &Error{Code: CodeIOError, Message: "the node's store stopped serving after an I/O error", Detail: err.Error(), Cause: err}
	case errors.Is(err, context.Canceled):
		return &Error{Code: CodeQueryCanceled, Message: "canceling statement due to user request", Cause: err}
	}
	return &Error{Code: CodeInternalError, Message: err.Error(), Cause: err}
}
