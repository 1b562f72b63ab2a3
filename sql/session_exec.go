package sql

import (
	"context"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/plan"
	"github.com/rangedb/rangedb/sql/types"
)

// This file is the seam between the session (session.go: transaction
// state machine, protocol flows, settings) and the planner/executor:
// prepare binds a statement into a plan, open starts executing it behind
// a Cursor, and runStatement (the simple protocol) does both and writes
// the rows through the session's formatting (formatText).

// preparedPlan is a statement bound against the catalog (in the session's
// current txn: s.txn).
type preparedPlan struct {
	Stmt ast.Statement
	// ParamTypes holds every $n's type: given types kept, unknown ones
	// inferred from context as PostgreSQL does (`k = $1` → k's type,
	// `$1 + 1` → integer, LIMIT $1 → bigint, otherwise text).
	ParamTypes []*types.T
	// Columns describes the result rows; nil when the statement returns
	// no rows.
	Columns []ResultColumn
	// ColumnTypes are the result columns' types.
	ColumnTypes []*types.T

	node plan.Node
	ddl  bool
	// ranges marks the range statements (ddl_split.go), which run without
	// a plan.
	ranges bool
	// clusterSetting marks the cluster-setting statements
	// (ddl_settings.go), which run without a plan.
	clusterSetting bool
}

// Cursor is an executing statement. Rows are pulled with Next (a portal
// with a row limit pulls some, suspends, and pulls more).
type Cursor interface {
	// Next returns the next row, or nil, nil at the end.
	Next(ctx context.Context) (types.Datums, error)
	// Tag is the command tag, valid once Next returned nil, nil ("SELECT
	// 3", "INSERT 0 2", "UPDATE 1", "CREATE TABLE", "EXPLAIN"…).
	Tag() string
	// Close releases the cursor; it may be called before the end.
	Close()
}

// prepare plans stmt in s.txn with the given parameter types (nil or
// Unknown entries are inferred).
func (s *Session) prepare(ctx context.Context, stmt ast.Statement, paramTypes []*types.T) (*preparedPlan, error) {
	switch stmt.(type) {
	case *ast.CreateTable, *ast.DropTable, *ast.CreateView, *ast.DropView:
		return &preparedPlan{Stmt: stmt, ParamTypes: paramTypes, ddl: true}, nil
	case *ast.CreateIndex, *ast.DropIndex, *ast.Reindex, *ast.Truncate, *ast.Vacuum, *ast.SetConstraints,
		*ast.CreateDatabase, *ast.DropDatabase, *ast.RenameDatabase, *ast.Comment, *ast.AlterOwner:
		return &preparedPlan{Stmt: stmt, ParamTypes: paramTypes, ddl: true}, nil
	case *ast.CreateSequence, *ast.AlterSequence, *ast.DropSequence:
		return &preparedPlan{Stmt: stmt, ParamTypes: paramTypes, ddl: true}, nil // ddl_sequence.go
	case *ast.AlterTable, *ast.Rename:
		return &preparedPlan{Stmt: stmt, ParamTypes: paramTypes, ddl: true}, nil // ddl_alter.go
	case *ast.SplitTable, *ast.ShowTableRegions, *ast.ShowRanges:
		return s.prepareRangeStmt(stmt, paramTypes), nil // ddl_split.go
	case *ast.SetClusterSetting, *ast.ShowClusterSetting, *ast.ShowClusterSettings, *ast.ShowPlacementDecisions:
		return s.prepareClusterSettingStmt(stmt, paramTypes) // ddl_settings.go
	}
	node, pts, err := plan.BuildWithParams(ctx, &resolver{s: s, ctx: ctx}, stmt, paramTypes)
	if err != nil {
		return nil, err
	}
	pp := &preparedPlan{Stmt: stmt, ParamTypes: pts, node: node}
	for _, c := range node.Columns() {
		mod := int32(-1)
		if c.Typ.Mod >= 0 {
			mod = c.Typ.TypeModifier()
		}
		pp.Columns = append(pp.Columns, ResultColumn{
			Name: c.Name, TableOID: uint32(c.TableID), ColumnAttr: int16(c.ColumnID),
			TypeOID: c.Typ.OID, TypeSize: c.Typ.Size, TypeModifier: mod,
		})
		pp.ColumnTypes = append(pp.ColumnTypes, c.Typ)
	}
	if _, ok := stmt.(*ast.Select); ok && pp.Columns == nil {
		// `SELECT;` returns rows of no columns: an empty RowDescription,
		// not NoData.
		pp.Columns = []ResultColumn{}
	}
	return pp, nil
}

// open starts executing pp with parameter values in s.txn.
func (s *Session) open(ctx context.Context, pp *preparedPlan, params types.Datums) (Cursor, error) {
	if pp.ddl {
		return s.openDDL(ctx, pp.Stmt)
	}
	if pp.ranges {
		return s.openRangeStmt(ctx, pp.Stmt)
	}
	if pp.clusterSetting {
		return s.openClusterSettingStmt(ctx, pp.Stmt)
	}
	ec := s.execContext(params)
	cur, err := exec.Open(ctx, ec, pp.node)
	if err != nil {
		return nil, err
	}
	return cur, nil
}

func (s *Session) execContext(params types.Datums) *exec.Context {
	s.txn.SetLockTimeout(s.settings.lockTimeout)
	return &exec.Context{
		Txn:            s.txn,
		Pessimistic:    s.mode == modeExplicit,
		RepeatableRead: s.txnModes.isolation == "repeatable read",
		RowID:          s.e.rowID.next,
		ScanBatchSize:  s.e.scanBatchSize,
		Stats:          &s.e.Stats,
		Params:         params,
		Now:            s.txnNow(), // session_funcs.go
		Format:         s.FormatContext(),
		Settings:       s.CurrentSetting,
		MemoryBudget:   s.settings.workMem,
		Backends:       s.e.loadBackends(),
		BackendPID:     s.pid,
		Sequences:      seqRunner{s: s}, // ddl_sequence.go
		Session:        s,
		Tables:         &resolver{s: s}, // ddl_fk.go
		FKDeferred:     s.fkDeferred,    // deferred.go
		DeferFK:        s.deferFK,
	}
}

// ddlCursor runs a DDL statement on its first Next.
type ddlCursor struct {
	s    *Session
	stmt ast.Statement
	tag  string
	done bool
}

func (s *Session) openDDL(ctx context.Context, stmt ast.Statement) (Cursor, error) {
	return &ddlCursor{s: s, stmt: stmt}, nil
}

func (c *ddlCursor) Next(ctx context.Context) (types.Datums, error) {
	if c.done {
		return nil, nil
	}
	c.done = true
	var tag string
	var err error
	switch st := c.stmt.(type) {
	case *ast.CreateTable:
		tag, err = c.s.createTable(ctx, st)
	case *ast.DropTable:
		tag, err = c.s.dropTable(ctx, st)
	case *ast.CreateIndex:
		tag, err = c.s.createIndex(ctx, st) // ddl_index.go
	case *ast.DropIndex:
		tag, err = c.s.dropIndex(ctx, st)
	case *ast.Reindex:
		tag, err = c.s.reindex(ctx, st)
	case *ast.CreateView:
		tag, err = c.s.createView(ctx, st) // ddl_view.go
	case *ast.DropView:
		tag, err = c.s.dropView(ctx, st)
	case *ast.Truncate:
		tag, err = c.s.truncate(ctx, st) // ddl.go
	case *ast.CreateSequence:
		tag, err = c.s.createSequence(ctx, st) // ddl_sequence.go
	case *ast.AlterSequence:
		tag, err = c.s.alterSequence(ctx, st)
	case *ast.DropSequence:
		tag, err = c.s.dropSequence(ctx, st)
	case *ast.AlterTable:
		tag, err = c.s.alterTable(ctx, st) // ddl_alter.go
	case *ast.Rename:
		tag, err = c.s.rename(ctx, st) // ddl_alter.go
	case *ast.Vacuum:
		tag, err = c.s.vacuum(ctx, st)
	case *ast.SetConstraints:
		tag, err = c.s.setConstraints(ctx, st) // deferred.go
	case *ast.CreateDatabase:
		tag, err = c.s.createDatabase(ctx, st) // ddl_database.go
	case *ast.DropDatabase:
		tag, err = c.s.dropDatabase(ctx, st)
	case *ast.RenameDatabase:
		tag, err = c.s.renameDatabase(ctx, st)
	case *ast.Comment:
		tag, err = c.s.comment(ctx, st) // ddl_comment.go
	case *ast.AlterOwner:
		tag, err = c.s.alterOwner(ctx, st) // ddl_owner.go
	}
	c.tag = tag
	return nil, err
}

func (c *ddlCursor) Tag() string { return c.tag }
func (c *ddlCursor) Close()      {}

// runStatement runs a non-transaction-control statement in s.txn (the
// simple protocol): prepare, open, and write every row in text.
func (s *Session) runStatement(ctx context.Context, stmt ast.Statement, w ResultWriter) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	defer s.flushNotices(w)
	pp, err := s.prepare(ctx, stmt, nil)
	if err != nil {
		return err
	}
	cur, err := s.open(ctx, pp, nil)
	if err != nil {
		return err
	}
	defer cur.Close()
	// The columns are announced with the first row (or at the end), so
	// an error found before any row is produced — as PostgreSQL finds
	// errors in constant expressions while planning — comes alone.
	announced := pp.Columns == nil
	announce := func() error {
		if announced {
			return nil
		}
		announced = true
		return w.SetColumns(pp.Columns)
	}
	for {
		row, err := cur.Next(ctx)
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
			vals[i] = s.formatText(d, pp.ColumnTypes[i])
		}
		if err := w.AddRow(vals); err != nil {
			return err
		}
	}
	if err := announce(); err != nil {
		return err
	}
	s.flushNotices(w)
	return w.Complete(cur.Tag())
}

// FormatContext gives the planner the session's settings for literals.
func (r *resolver) FormatContext() *types.FormatContext { return r.s.FormatContext() }

// resolver resolves table names for the planner inside the session's
// transaction.
type resolver struct {
	s *Session
	// ctx is the planning statement's context where it is known (for the
	// VirtualTable reads of sequences; nil means context.Background).
	ctx context.Context
}

func (r *resolver) ResolveTable(ctx context.Context, name ast.TableName) (*catalog.TableDescriptor, error) {
	if name.Schema != "" && name.Schema != "public" {
		return nil, nil
	}
	t, err := catalog.LookupTable(ctx, r.s.txn, r.s.db.ID, name.Name)
	if err != nil || t != nil {
		return t, err
	}
	return nil, r.refuseSequence(ctx, name) // ddl_sequence.go
}
