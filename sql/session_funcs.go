package sql

import (
	"time"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file is the session's side of the session functions the executor
// evaluates (exec.SessionInfo): current_user, current_database() and
// set_config().

var _ exec.SessionInfo = (*Session)(nil)

// User returns the session's user name.
func (s *Session) User() string { return s.user }

// SetConfig implements set_config(name, value, is_local): SET (or SET
// LOCAL) with value as its only argument, validated and canonicalized as
// SET does, transactional like SET. It returns the value SHOW now prints.
func (s *Session) SetConfig(name, value string, local bool) (string, error) {
	d := s.lookupSetting(name, true)
	if d == nil {
		return "", pgerror.New(pgerror.CodeUndefinedObject, "unrecognized configuration parameter \"%s\"", name)
	}
	if d.internal {
		return "", cantChange(name)
	}
	switch d.name {
	case "transaction_isolation", "transaction_read_only", "transaction_deferrable":
		return "", pgerror.Unsupported("set_config of " + d.name)
	}
	// search_path's value is a list as written; other values are one
	// string, as SET name = 'value' passes it.
	arg := ast.SetArg{Str: value, IsString: d.name != "search_path"}
	v, err := s.validateSetting(d, name, []ast.SetArg{arg})
	if err != nil {
		return "", err
	}
	s.changeSetting(d, v, local)
	return s.showValue(d), nil
}

// txnNow is now() of the open transaction: its start timestamp, which
// has millisecond precision, with the microseconds within that
// millisecond of the wall clock when the transaction began, as
// PostgreSQL's now() has microseconds. It is constant for the
// transaction.
func (s *Session) txnNow() time.Time {
	start := s.txn.StartTs().GoTime()
	if s.txnWall.IsZero() {
		return start
	}
	return start.Add(time.Duration(s.txnWall.Nanosecond()/1e3%1e3) * time.Microsecond)
}
