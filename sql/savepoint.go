package sql

import (
	"maps"

	"github.com/rangedb/rangedb/sql/pgerror"
)

// A savepoint marks a point of the open transaction block that ROLLBACK
// TO SAVEPOINT returns to: the kv write buffer's (kv.Txn.Savepoint), the
// post-commit work and created names registered so far, and the session
// settings changed in the transaction. Pessimistic locks taken after it
// stay held until the transaction ends (PostgreSQL releases them).
type savepoint struct {
	name      string
	kv        int
	onCommit  int
	deferred  int // len(s.deferredFK)
	created   map[string]string
	txnValues map[*settingDef]txnSetting
	curValues map[*settingDef]string
}

const codeInvalidSavepoint = "3B001"

func (s *Session) savepoint(name string, w ResultWriter) error {
	if s.mode != modeExplicit {
		return pgerror.New(pgerror.CodeNoActiveSQLTransaction, "SAVEPOINT can only be used in transaction blocks")
	}
	sp := savepoint{
		name: name, kv: s.txn.Savepoint(), onCommit: len(s.onCommit), deferred: len(s.deferredFK),
		created:   maps.Clone(s.createdNames),
		txnValues: make(map[*settingDef]txnSetting, len(s.settings.txn)),
		curValues: make(map[*settingDef]string, len(s.settings.txn)),
	}
	for d, ts := range s.settings.txn {
		sp.txnValues[d] = *ts
		sp.curValues[d] = s.settings.cur[d]
	}
	s.savepoints = append(s.savepoints, sp)
	return w.Complete("SAVEPOINT")
}

// findSavepoint returns the index of the newest savepoint named name.
func (s *Session) findSavepoint(name string) (int, error) {
	for i := len(s.savepoints) - 1; i >= 0; i-- {
		if s.savepoints[i].name == name {
			return i, nil
		}
	}
	return 0, pgerror.New(codeInvalidSavepoint, "savepoint \"%s\" does not exist", name)
}

// releaseSavepoint runs RELEASE SAVEPOINT: the savepoint and every later
// one are forgotten, their changes kept.
func (s *Session) releaseSavepoint(name string, w ResultWriter) error {
	if s.mode != modeExplicit {
		return pgerror.New(pgerror.CodeNoActiveSQLTransaction, "RELEASE SAVEPOINT can only be used in transaction blocks")
	}
	i, err := s.findSavepoint(name)
	if err != nil {
		return err
	}
	for j := len(s.savepoints) - 1; j >= i; j-- {
		s.txn.ReleaseSavepoint(s.savepoints[j].kv)
	}
	s.savepoints = s.savepoints[:i]
	return w.Complete("RELEASE")
}

// rollbackToSavepoint runs ROLLBACK TO SAVEPOINT: every change since the
// savepoint is undone, later savepoints are forgotten, the savepoint stays,
// and an aborted block resumes.
func (s *Session) rollbackToSavepoint(name string, w ResultWriter) error {
	if s.mode != modeExplicit && s.mode != modeAborted {
		return pgerror.New(pgerror.CodeNoActiveSQLTransaction, "ROLLBACK TO SAVEPOINT can only be used in transaction blocks")
	}
	i, err := s.findSavepoint(name)
	if err != nil {
		return err
	}
	for j := len(s.savepoints) - 1; j > i; j-- {
		s.txn.ReleaseSavepoint(s.savepoints[j].kv)
	}
	sp := s.savepoints[i]
	s.savepoints = s.savepoints[:i+1]
	s.txn.RollbackToSavepoint(sp.kv)
	s.savepoints[i].kv = s.txn.Savepoint()
	s.onCommit = s.onCommit[:sp.onCommit]
	s.deferredFK = s.deferredFK[:min(sp.deferred, len(s.deferredFK))]
	s.createdNames = maps.Clone(sp.created)
	for d, ts := range s.settings.txn {
		if v, ok := sp.curValues[d]; ok {
			saved := sp.txnValues[d]
			*ts = saved
			s.setValue(d, v)
		} else {
			s.setValue(d, ts.before)
			delete(s.settings.txn, d)
		}
	}
	s.mode = modeExplicit
	return w.Complete("ROLLBACK")
}
