// Package pgerror is the error every layer above kv returns to a client: a
// PostgreSQL SQLSTATE with message, detail, hint and position, as
// PostgreSQL's ErrorResponse carries them. server/pgwire turns an *Error
// into an ErrorResponse; Flatten turns any other error (typed kv errors
// among them) into one.
package pgerror
