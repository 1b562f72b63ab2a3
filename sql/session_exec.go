package sql

import (
	"context"
	"fmt"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/plan"
)

// This file is the seam between the session (session.go: transaction
// state machine, protocol flows, settings) and the planner/executor: it
// turns one statement into a plan and runs it, writing rows through the
// session's formatting (formatText).

// runStatement runs a non-transaction-control statement in s.txn.
func (s *Session) runStatement(ctx context.Context, stmt ast.Statement, w ResultWriter) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	if s.mode == modeExplicit {
		// READ COMMITTED: each statement of a block sees a fresh snapshot.
		ts, err := s.e.cfg.DB.Now(ctx)
		if err != nil {
			return err
		}
		s.txn.SetReadTs(ts)
	}
	switch st := stmt.(type) {
	case *ast.CreateTable:
		return s.createTable(ctx, st, w)
	case *ast.DropTable:
		return s.dropTable(ctx, st, w)
	}
	node, err := plan.Build(ctx, &resolver{s: s}, stmt)
	if err != nil {
		return err
	}
	ec := &exec.Context{Txn: s.txn, RowID: s.e.rowID.next, ScanBatchSize: s.e.scanBatchSize, Stats: &s.e.Stats}
	switch n := node.(type) {
	case *plan.Insert:
		cnt, err := exec.ExecInsert(ctx, ec, n)
		if err != nil {
			return err
		}
		return w.Complete(fmt.Sprintf("INSERT 0 %d", cnt))
	case *plan.Update:
		cnt, err := exec.ExecUpdate(ctx, ec, n)
		if err != nil {
			return err
		}
		return w.Complete(fmt.Sprintf("UPDATE %d", cnt))
	case *plan.Delete:
		cnt, err := exec.ExecDelete(ctx, ec, n)
		if err != nil {
			return err
		}
		return w.Complete(fmt.Sprintf("DELETE %d", cnt))
	case *plan.Project:
		return s.runQuery(ctx, ec, n, w)
	}
	return pgerror.Unsupported(fmt.Sprintf("plan %T", node))
}

func (s *Session) runQuery(ctx context.Context, ec *exec.Context, p *plan.Project, w ResultWriter) error {
	cols := make([]ResultColumn, len(p.Cols))
	for i, c := range p.Cols {
		cols[i] = ResultColumn{
			Name: c.Name, TableOID: uint32(c.TableID), ColumnAttr: int16(c.ColumnID),
			TypeOID: c.Typ.OID, TypeSize: c.Typ.Size, TypeModifier: -1,
		}
	}
	src, err := exec.NewRowSource(ec, p)
	if err != nil {
		return err
	}
	// The columns are announced with the first row (or at the end), so
	// an error found before any row is produced — as PostgreSQL finds
	// errors in constant expressions while planning — comes alone.
	announced := false
	announce := func() error {
		if announced {
			return nil
		}
		announced = true
		return w.SetColumns(cols)
	}
	n := 0
	for {
		row, err := src.Next(ctx)
		if err != nil {
			return err
		}
		if row == nil {
			break
		}
		if err := announce(); err != nil {
			return err
		}
		vals := make([][]byte, len(row))
		for i, d := range row {
			vals[i] = s.formatText(d, p.Cols[i].Typ)
		}
		if err := w.AddRow(vals); err != nil {
			return err
		}
		n++
	}
	if err := announce(); err != nil {
		return err
	}
	return w.Complete(fmt.Sprintf("SELECT %d", n))
}

// resolver resolves table names for the planner inside the session's
// transaction.
type resolver struct{ s *Session }

func (r *resolver) ResolveTable(ctx context.Context, name ast.TableName) (*catalog.TableDescriptor, error) {
	if name.Schema != "" && name.Schema != "public" {
		return nil, nil
	}
	return catalog.LookupTable(ctx, r.s.txn, r.s.db.ID, name.Name)
}
