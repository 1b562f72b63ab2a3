package sql

import (
	"context"
	"fmt"
	"strings"

	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/parser"
	"github.com/rangedb/rangedb/sql/pgerror"
	"github.com/rangedb/rangedb/sql/types"
)

// The extended query protocol: prepared statements (Parse), portals
// (Bind), Describe, Execute with row limits, Close and Sync, with
// PostgreSQL 15's semantics:
//
//   - The unnamed statement and portal are replaced by the next Parse or
//     Bind; named ones persist until Close (statements: until the session
//     ends; portals: until their transaction ends, as PostgreSQL drops
//     non-holdable portals at commit and rollback). A duplicate name is
//     42P05 (statement) or 42P03 (portal).
//   - Messages between two Syncs outside BEGIN run in one implicit
//     transaction, begun by the first message that needs one and committed
//     by Sync. An error rolls it back (inside BEGIN it aborts the block);
//     pgwire then skips everything up to Sync.
//   - Statements the session runs itself (BEGIN, COMMIT, SET, SHOW, …) are
//     kept as parsed; everything else is planned once by Session.prepare
//     (which infers the types of parameters the client left unspecified),
//     and each portal opens a Cursor over the plan with its parameter
//     values. Execute with a row limit leaves the cursor open
//     (PortalSuspended); the command tag of a SELECT counts the rows of
//     the Execute that finished it, as in PostgreSQL.

// preparedStatement is the result of Parse.
type preparedStatement struct {
	query string
	// stmt is nil for an empty query.
	stmt ast.Statement
	// plan is set for statements planned by Session.prepare; nil for those
	// the session runs itself.
	plan       *preparedPlan
	paramTypes []*types.T
	// cols are the result columns (Format 0); nil if it returns no rows.
	cols []ResultColumn
}

// portal is the result of Bind.
type portal struct {
	ps     *preparedStatement
	params types.Datums
	// cols are the result columns with the formats Bind asked for.
	cols []ResultColumn
	enc  rowEncoder
	// cursor is open while a planned portal is partly executed.
	cursor Cursor
	// started: Execute ran at least once; done: it ran to completion.
	started, done bool
}

func (p *portal) close() {
	if p.cursor != nil {
		p.cursor.Close()
		p.cursor = nil
	}
}

// sessionRun reports whether the session executes stmt itself, without a
// plan.
func sessionRun(stmt ast.Statement) bool {
	switch stmt.(type) {
	case *ast.BeginTxn, *ast.BeginTxnModes, *ast.CommitTxn, *ast.RollbackTxn,
		*ast.SetVar, *ast.ShowVar, *ast.SetTransaction,
		*ast.Savepoint, *ast.ReleaseSavepoint, *ast.RollbackToSavepoint,
		*ast.Copy: // copy.go
		return true
	}
	return false
}

// isTxnExit reports whether stmt may run in an aborted transaction.
func isTxnExit(stmt ast.Statement) bool {
	switch stmt.(type) {
	case *ast.CommitTxn, *ast.RollbackTxn, *ast.RollbackToSavepoint:
		return true
	}
	return false
}

func abortedError() error {
	return pgerror.New(pgerror.CodeInFailedSQLTransaction,
		"current transaction is aborted, commands ignored until end of transaction block")
}

// extendedFailed records an error of an extended-protocol message: an
// explicit block is aborted, an implicit transaction rolled back. It
// returns the error for the client.
func (s *Session) extendedFailed(ctx context.Context, err error) error {
	switch s.mode {
	case modeExplicit:
		s.abort()
	case modeImplicit:
		s.rollback(ctx)
	}
	return s.sqlError(ctx, err)
}

// ensureTxn begins the implicit transaction of an extended-protocol unit
// if none is open.
func (s *Session) ensureTxn(ctx context.Context) error {
	if s.mode == modeIdle {
		return s.begin(ctx, modeImplicit)
	}
	return nil
}

// Parse implements the Parse message.
func (s *Session) Parse(ctx context.Context, name, query string, paramOIDs []uint32) error {
	if err := s.parse(ctx, name, query, paramOIDs); err != nil {
		return s.extendedFailed(ctx, err)
	}
	return nil
}

func (s *Session) parse(ctx context.Context, name, query string, paramOIDs []uint32) error {
	if _, ok := s.prepared[name]; ok && name != "" {
		return pgerror.New("42P05", "prepared statement \"%s\" already exists", name)
	}
	stmts, err := parser.ParseBudget(query, s.parseBudget())
	if err != nil {
		return err
	}
	if len(stmts) > 1 {
		return pgerror.New(pgerror.CodeSyntaxError, "cannot insert multiple commands into a prepared statement")
	}
	ps := &preparedStatement{query: query}
	if len(stmts) == 1 {
		ps.stmt = stmts[0].AST
	}
	if s.mode == modeAborted && (ps.stmt == nil || !isTxnExit(ps.stmt)) {
		return abortedError()
	}
	ps.paramTypes = make([]*types.T, len(paramOIDs))
	for i, oid := range paramOIDs {
		if oid == 0 {
			continue
		}
		t := types.ByOID(oid)
		if t == nil {
			return pgerror.New(pgerror.CodeFeatureNotSupported, "type with OID %d is not supported (parameter $%d)", oid, i+1)
		}
		ps.paramTypes[i] = t
	}
	switch {
	case ps.stmt == nil:
	case sessionRun(ps.stmt):
		for i, t := range ps.paramTypes {
			if t == nil {
				// PostgreSQL reports unspecified parameters of a utility
				// statement as unknown... but such statements take none.
				ps.paramTypes[i] = types.Unknown
			}
		}
		if sv, ok := ps.stmt.(*ast.ShowVar); ok {
			if !sv.All {
				if _, _, err := s.CurrentSetting(sv.Name, false); err != nil {
					return err
				}
			}
			ps.cols = showColumns(sv)
		}
	default:
		if err := s.ensureTxn(ctx); err != nil {
			return err
		}
		pp, err := s.prepare(ctx, ps.stmt, ps.paramTypes)
		if err != nil {
			return err
		}
		ps.plan = pp
		ps.paramTypes = pp.ParamTypes
		ps.cols = pp.Columns
	}
	if s.prepared == nil {
		s.prepared = make(map[string]*preparedStatement)
	}
	s.prepared[name] = ps
	return nil
}

// Bind implements the Bind message.
func (s *Session) Bind(ctx context.Context, portalName, stmtName string, paramFormats []int16, params [][]byte, resultFormats []int16) error {
	if err := s.bind(ctx, portalName, stmtName, paramFormats, params, resultFormats); err != nil {
		return s.extendedFailed(ctx, err)
	}
	return nil
}

func (s *Session) bind(ctx context.Context, portalName, stmtName string, paramFormats []int16, params [][]byte, resultFormats []int16) error {
	ps, ok := s.prepared[stmtName]
	if !ok {
		return pgerror.New("26000", "prepared statement \"%s\" does not exist", stmtName)
	}
	if len(paramFormats) > 1 && len(paramFormats) != len(params) {
		return pgerror.New(pgerror.CodeProtocolViolation, "bind message has %d parameter formats but %d parameters", len(paramFormats), len(params))
	}
	if len(params) != len(ps.paramTypes) {
		return pgerror.New(pgerror.CodeProtocolViolation, "bind message supplies %d parameters, but prepared statement \"%s\" requires %d",
			len(params), stmtName, len(ps.paramTypes))
	}
	if _, ok := s.portals[portalName]; ok && portalName != "" {
		return pgerror.New("42P03", "cursor \"%s\" already exists", portalName)
	}
	if s.mode == modeAborted && (ps.stmt == nil || !isTxnExit(ps.stmt)) {
		return abortedError()
	}
	if err := s.ensureTxn(ctx); err != nil {
		return err
	}
	p := &portal{ps: ps, params: make(types.Datums, len(params))}
	fc := s.FormatContext()
	for i, raw := range params {
		format := int16(0)
		if len(paramFormats) == 1 {
			format = paramFormats[0]
		} else if len(paramFormats) > 1 {
			format = paramFormats[i]
		}
		if raw == nil {
			p.params[i] = types.DNull
			continue
		}
		t := ps.paramTypes[i]
		var d types.Datum
		var err error
		switch format {
		case 0:
			if err := parser.CheckUTF8(raw); err != nil {
				return err
			}
			d, err = types.ParseTextCtx(t, string(raw), fc)
		case 1:
			if t.Size > 0 && len(raw) < int(t.Size) {
				// The recv functions read fixed-width values with
				// pq_getmsgint, which fails so.
				return pgerror.New(pgerror.CodeProtocolViolation, "insufficient data left in message")
			}
			d, err = types.DecodeBinary(t, raw)
			if err != nil {
				if pe := pgerror.Flatten(err); pe.Code == "22P03" || pe.Code == pgerror.CodeInternalError {
					err = pgerror.New("22P03", "incorrect binary data format in bind parameter %d", i+1)
				}
			}
		default:
			return pgerror.New(pgerror.CodeInvalidParameterValue, "unsupported format code: %d", format)
		}
		if err != nil {
			return err
		}
		p.params[i] = d
	}
	if ps.cols != nil {
		if len(resultFormats) > 1 && len(resultFormats) != len(ps.cols) {
			return pgerror.New(pgerror.CodeProtocolViolation, "bind message has %d result formats but query has %d columns",
				len(resultFormats), len(ps.cols))
		}
		p.cols = make([]ResultColumn, len(ps.cols))
		copy(p.cols, ps.cols)
		for i := range p.cols {
			f := int16(0)
			if len(resultFormats) == 1 {
				f = resultFormats[0]
			} else if len(resultFormats) > 1 {
				f = resultFormats[i]
			}
			if f != 0 && f != 1 {
				return pgerror.New(pgerror.CodeInvalidParameterValue, "unsupported format code: %d", f)
			}
			p.cols[i].Format = f
		}
		p.enc = newRowEncoder(p.cols, colTypes(ps))
	}
	if old := s.portals[portalName]; old != nil {
		old.close()
	}
	if s.portals == nil {
		s.portals = make(map[string]*portal)
	}
	s.portals[portalName] = p
	return nil
}

// colTypes returns the types of a statement's result columns, for
// encoding: the plan's when planned, text otherwise (SHOW).
func colTypes(ps *preparedStatement) []*types.T {
	out := make([]*types.T, len(ps.cols))
	for i, c := range ps.cols {
		out[i] = types.ByOIDMod(c.TypeOID, c.TypeModifier)
		if out[i] == nil {
			out[i] = types.Text
		}
	}
	if ps.plan != nil && len(ps.plan.ColumnTypes) == len(out) {
		copy(out, ps.plan.ColumnTypes)
	}
	return out
}

// DescribeStatement implements Describe of a statement.
func (s *Session) DescribeStatement(ctx context.Context, name string) ([]uint32, []ResultColumn, error) {
	ps, ok := s.prepared[name]
	if !ok {
		return nil, nil, s.extendedFailed(ctx, pgerror.New("26000", "prepared statement \"%s\" does not exist", name))
	}
	if s.mode == modeAborted && ps.cols != nil {
		return nil, nil, s.extendedFailed(ctx, abortedError())
	}
	oids := make([]uint32, len(ps.paramTypes))
	for i, t := range ps.paramTypes {
		oids[i] = t.OID
	}
	return oids, ps.cols, nil
}

// DescribePortal implements Describe of a portal.
func (s *Session) DescribePortal(ctx context.Context, name string) ([]ResultColumn, error) {
	p, ok := s.portals[name]
	if !ok {
		return nil, s.extendedFailed(ctx, pgerror.New("34000", "portal \"%s\" does not exist", name))
	}
	if s.mode == modeAborted && p.cols != nil {
		return nil, s.extendedFailed(ctx, abortedError())
	}
	return p.cols, nil
}

// CloseStatement implements Close of a statement.
func (s *Session) CloseStatement(name string) error {
	delete(s.prepared, name)
	return nil
}

// ClosePortal implements Close of a portal.
func (s *Session) ClosePortal(name string) error {
	if p := s.portals[name]; p != nil {
		p.close()
		delete(s.portals, name)
	}
	return nil
}

// closePortals drops every portal, at the end of a transaction.
func (s *Session) closePortals() {
	for n, p := range s.portals {
		p.close()
		delete(s.portals, n)
	}
}

// Execute implements the Execute message.
func (s *Session) Execute(ctx context.Context, portalName string, maxRows int, w ResultWriter) (bool, error) {
	p, ok := s.portals[portalName]
	if !ok {
		return false, s.extendedFailed(ctx, pgerror.New("34000", "portal \"%s\" does not exist", portalName))
	}
	ctx, cancel := s.statementContext(ctx)
	defer cancel()
	suspended, err := s.execute(ctx, p, portalName, maxRows, w)
	if err != nil {
		return false, s.extendedFailed(ctx, err)
	}
	return suspended, nil
}

func (s *Session) execute(ctx context.Context, p *portal, name string, maxRows int, w ResultWriter) (bool, error) {
	defer s.flushNotices(w)
	stmt := p.ps.stmt
	if stmt == nil {
		return false, w.EmptyQuery()
	}
	if s.mode == modeAborted && !isTxnExit(stmt) {
		return false, abortedError()
	}
	if p.done {
		if p.ps.plan != nil && p.ps.cols != nil {
			return false, w.Complete("SELECT 0")
		}
		return false, pgerror.New("55000", "portal \"%s\" cannot be run", name)
	}
	if p.ps.plan == nil {
		// BEGIN, SET, SHOW, DDL: one shot, through the same path as the
		// simple protocol (SHOW's row in the portal's formats).
		p.done = true
		if s.mode == modeIdle {
			switch stmt.(type) {
			case *ast.BeginTxn, *ast.BeginTxnModes:
			default:
				if err := s.begin(ctx, modeImplicit); err != nil {
					return false, err
				}
			}
		}
		return false, s.execStmt(ctx, stmt, w, &p.enc)
	}
	if err := s.ensureTxn(ctx); err != nil {
		return false, err
	}
	if err := s.checkReadOnly(stmt); err != nil {
		return false, err
	}
	if !p.started {
		p.started = true
		if err := s.statementSnapshot(ctx); err != nil {
			return false, err
		}
		if err := s.refreshPlan(ctx, p.ps.plan); err != nil { // plan_refresh.go
			return false, err
		}
		cur, err := s.open(ctx, p.ps.plan, p.params)
		if err != nil {
			return false, err
		}
		p.cursor = cur
	}
	n := 0
	for {
		if maxRows > 0 && n == maxRows {
			return true, nil
		}
		row, err := p.cursor.Next(ctx)
		if err != nil {
			p.close()
			p.done = true
			return false, err
		}
		if row == nil {
			break
		}
		vals, err := p.enc.encode(s, row)
		if err != nil {
			p.close()
			p.done = true
			return false, err
		}
		if err := w.AddRow(vals); err != nil {
			return false, err
		}
		n++
	}
	tag := p.cursor.Tag()
	p.close()
	p.done = true
	if p.ps.cols != nil && strings.HasPrefix(tag, "SELECT") {
		// A SELECT's tag counts the rows of this Execute.
		tag = fmt.Sprintf("SELECT %d", n)
	}
	s.flushNotices(w)
	return false, w.Complete(tag)
}

// Sync implements the Sync message: the implicit transaction of the
// messages since the last Sync commits (it was already rolled back if one
// of them failed). An explicit block stays open.
func (s *Session) Sync(ctx context.Context) error {
	if s.mode != modeImplicit {
		return nil
	}
	if err := s.commit(ctx); err != nil {
		return s.sqlError(ctx, err)
	}
	return nil
}
