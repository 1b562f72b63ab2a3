package sql

import (
	"context"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file keeps a transaction's deferred foreign key checks: those of
// DEFERRABLE constraints in deferred mode (INITIALLY DEFERRED, or SET
// CONSTRAINTS … DEFERRED) wait in the session until COMMIT, which runs
// them before the transaction commits (a failure is COMMIT's 23503, and
// the transaction rolls back), or until SET CONSTRAINTS … IMMEDIATE
// names their constraint, as in PostgreSQL. ROLLBACK TO SAVEPOINT drops
// those queued since the savepoint.

// maxDeferredBytes bounds the checks one transaction defers.
const maxDeferredBytes = 64 << 20

// constraintModes is what SET CONSTRAINTS set in the transaction.
type constraintModes struct {
	all    *bool // SET CONSTRAINTS ALL …
	byName map[string]bool
}

// fkDeferred tells whether fk (DEFERRABLE) is in deferred mode now.
func (s *Session) fkDeferred(fk *catalog.ForeignKey) bool {
	if s.mode != modeExplicit {
		// The statement's end is the commit: the check runs there.
		return false
	}
	if m := s.constraintModes; m != nil {
		if d, ok := m.byName[fk.Name]; ok {
			return d
		}
		if m.all != nil {
			return *m.all
		}
	}
	return fk.InitiallyDeferred
}

// deferFK queues a deferred check.
func (s *Session) deferFK(d exec.DeferredFK) error {
	if s.deferredBytes+d.Size() > maxDeferredBytes {
		return pgerror.New("54000", "too many deferred foreign key checks in one transaction").
			WithHint("Check the constraints sooner with SET CONSTRAINTS … IMMEDIATE, or commit in smaller transactions.")
	}
	s.deferredBytes += d.Size()
	s.deferredFK = append(s.deferredFK, d)
	return nil
}

// runDeferred runs the deferred checks keep selects (all when nil),
// removing them from the queue.
func (s *Session) runDeferred(ctx context.Context, keep func(exec.DeferredFK) bool) error {
	if len(s.deferredFK) == 0 {
		return nil
	}
	var run, left []exec.DeferredFK
	for _, d := range s.deferredFK {
		if keep == nil || keep(d) {
			run = append(run, d)
		} else {
			left = append(left, d)
		}
	}
	s.deferredFK = left
	s.deferredBytes = 0
	for _, d := range left {
		s.deferredBytes += d.Size()
	}
	return exec.RunDeferredFKs(ctx, s.execContext(nil), run)
}

// setConstraints runs SET CONSTRAINTS.
func (s *Session) setConstraints(ctx context.Context, sc *ast.SetConstraints) (string, error) {
	const tag = "SET CONSTRAINTS"
	if s.mode != modeExplicit {
		s.queueWarningCode("25P01", "SET CONSTRAINTS can only be used in transaction blocks")
		return tag, nil
	}
	names := map[string]bool{}
	if !sc.All {
		tables, err := catalog.ListTables(ctx, s.txn, s.db.ID)
		if err != nil {
			return "", err
		}
		for _, n := range sc.Names {
			if n.Schema != "" && n.Schema != "public" {
				return "", pgerror.New(pgerror.CodeInvalidSchemaName, "schema \"%s\" does not exist", n.Schema)
			}
			found, deferrable := false, false
			for _, t := range tables {
				if i := t.FindForeignKey(n.Name); i >= 0 {
					found = true
					deferrable = deferrable || t.ForeignKeys[i].Deferrable
				} else if t.HasConstraint(n.Name) {
					found = true
				}
			}
			if !found {
				return "", pgerror.New(pgerror.CodeUndefinedObject, "constraint \"%s\" does not exist", n.Name)
			}
			if !deferrable {
				return "", pgerror.New(pgerror.CodeWrongObjectType, "constraint \"%s\" is not deferrable", n.Name)
			}
			names[n.Name] = true
		}
	}
	if s.constraintModes == nil {
		s.constraintModes = &constraintModes{byName: map[string]bool{}}
	}
	m := s.constraintModes
	if sc.All {
		d := sc.Deferred
		m.all = &d
		clear(m.byName)
	}
	for n := range names {
		m.byName[n] = sc.Deferred
	}
	if sc.Deferred {
		return tag, nil
	}
	err := s.runDeferred(ctx, func(d exec.DeferredFK) bool { return sc.All || names[d.Constraint()] })
	return tag, err
}
