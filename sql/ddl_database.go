package sql

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// This file runs CREATE DATABASE, DROP DATABASE and ALTER DATABASE …
// RENAME TO as PostgreSQL 15 does (messages and SQLSTATEs). A database
// is a descriptor and a name; its relations are named under its id, so
// a session (psql's \c) opens any database by name. DROP DATABASE
// deletes every name and descriptor in it and clears the tables' spans
// after the commit. Only the connections to this node are known: one on
// another node to a dropped database fails at its next statement.

// codeObjectInUse is PostgreSQL's object_in_use.
const codeObjectInUse = "55006"

func (s *Session) refuseInBlock(what string) error {
	if s.mode == modeExplicit {
		return pgerror.New(pgerror.CodeActiveSQLTransaction, "%s cannot run inside a transaction block", what)
	}
	return nil
}

func (s *Session) createDatabase(ctx context.Context, cd *ast.CreateDatabase) (string, error) {
	const tag = "CREATE DATABASE"
	if err := s.refuseInBlock(tag); err != nil {
		return "", err
	}
	d, err := catalog.LookupDatabase(ctx, s.txn, cd.Name)
	if err != nil {
		return "", err
	}
	if d != nil {
		return "", pgerror.New(pgerror.CodeDuplicateDatabase, "database \"%s\" already exists", cd.Name)
	}
	id, err := catalog.AllocateID(ctx, s.e.cfg.DB)
	if err != nil {
		return "", err
	}
	if err := catalog.CreateDatabase(ctx, s.txn, &catalog.DatabaseDescriptor{ID: id, Name: cd.Name}); err != nil {
		if errors.Is(err, catalog.ErrNameExists) {
			return "", pgerror.New(pgerror.CodeDuplicateDatabase, "database \"%s\" already exists", cd.Name)
		}
		return "", err
	}
	return tag, nil
}

// otherSessions returns the node's other connections to database name.
func (s *Session) otherSessions(name string) []int32 {
	b := s.e.loadBackends()
	if b == nil {
		return nil
	}
	var pids []int32
	for _, be := range b.List() {
		if be.Database == name && be.PID != s.pid {
			pids = append(pids, be.PID)
		}
	}
	return pids
}

// waitOtherSessions returns the connections to database name that are
// still there after up to 5 s, as PostgreSQL's CountOtherDBBackends
// waits for ones that are closing (psql's \c closes the old connection
// as it opens the new one).
func (s *Session) waitOtherSessions(ctx context.Context, name string) []int32 {
	for i := 0; ; i++ {
		pids := s.otherSessions(name)
		if len(pids) == 0 || i == 50 {
			return pids
		}
		select {
		case <-ctx.Done():
			return pids
		case <-time.After(100 * time.Millisecond):
		}
	}
}

func errInUse(name string, n int) error {
	detail := "There is 1 other session using the database."
	if n > 1 {
		detail = fmt.Sprintf("There are %d other sessions using the database.", n)
	}
	return pgerror.New(codeObjectInUse, "database \"%s\" is being accessed by other users", name).WithDetail("%s", detail)
}

func (s *Session) dropDatabase(ctx context.Context, dd *ast.DropDatabase) (string, error) {
	const tag = "DROP DATABASE"
	if err := s.refuseInBlock(tag); err != nil {
		return "", err
	}
	d, err := catalog.LookupDatabase(ctx, s.txn, dd.Name)
	if err != nil {
		return "", err
	}
	if d == nil {
		if dd.IfExists {
			s.queueNotice("00000", "database \"%s\" does not exist, skipping", dd.Name)
			return tag, nil
		}
		return "", pgerror.New(pgerror.CodeInvalidCatalogName, "database \"%s\" does not exist", dd.Name)
	}
	if d.ID == s.db.ID {
		return "", pgerror.New(codeObjectInUse, "cannot drop the currently open database")
	}
	if others := s.otherSessions(d.Name); len(others) > 0 {
		if !dd.Force {
			others = s.waitOtherSessions(ctx, d.Name)
		}
		if len(others) > 0 && !dd.Force {
			return "", errInUse(d.Name, len(others))
		}
		for _, pid := range others {
			s.e.loadBackends().Terminate(pid)
		}
	}
	tables, err := catalog.DropDatabaseContents(ctx, s.txn, d.ID)
	if err != nil {
		return "", err
	}
	if err := catalog.DropDatabase(ctx, s.txn, d); err != nil {
		return "", err
	}
	for _, id := range tables {
		span, what := catalog.TableSpan(id), fmt.Sprintf("table %d of dropped database %s", id, d.Name)
		s.onCommit = append(s.onCommit, func(ctx context.Context, commitTs kvpb.Timestamp) {
			s.e.gc.enqueue(ctx, span, commitTs, what)
		})
	}
	return tag, nil
}

func (s *Session) renameDatabase(ctx context.Context, rd *ast.RenameDatabase) (string, error) {
	const tag = "ALTER DATABASE"
	d, err := catalog.LookupDatabase(ctx, s.txn, rd.Name)
	if err != nil {
		return "", err
	}
	if d == nil {
		return "", pgerror.New(pgerror.CodeInvalidCatalogName, "database \"%s\" does not exist", rd.Name)
	}
	taken, err := catalog.LookupDatabase(ctx, s.txn, rd.New)
	if err != nil {
		return "", err
	}
	if taken != nil {
		return "", pgerror.New(pgerror.CodeDuplicateDatabase, "database \"%s\" already exists", rd.New)
	}
	if d.ID == s.db.ID {
		return "", pgerror.New(pgerror.CodeFeatureNotSupported, "current database cannot be renamed")
	}
	if others := s.waitOtherSessions(ctx, d.Name); len(others) > 0 {
		return "", errInUse(d.Name, len(others))
	}
	if err := catalog.RenameDatabase(ctx, s.txn, d, rd.New); err != nil {
		return "", err
	}
	return tag, nil
}
