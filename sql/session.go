package sql

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/rangedb/rangedb/kv"
	"github.com/rangedb/rangedb/kv/kvpb"
	"github.com/rangedb/rangedb/sql/ast"
	"github.com/rangedb/rangedb/sql/catalog"
	"github.com/rangedb/rangedb/sql/exec"
	"github.com/rangedb/rangedb/sql/parser"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// txnMode is the session's transaction state.
type txnMode uint8

const (
	// modeIdle: no transaction open.
	modeIdle txnMode = iota
	// modeImplicit: statements of one query string outside BEGIN share a
	// transaction that ends with the string.
	modeImplicit
	// modeExplicit: inside BEGIN … COMMIT.
	modeExplicit
	// modeAborted: an explicit block failed; only COMMIT/ROLLBACK end it.
	modeAborted
)

// implicitTxnBufferBytes bounds the output an implicit transaction holds
// back so it can be retried invisibly; beyond it the output streams and a
// conflict is reported to the client.
const implicitTxnBufferBytes = 1 << 20

// maxImplicitRetries bounds the invisible restarts of one implicit
// transaction.
const maxImplicitRetries = 30

// Session is one client's SQL session. It is not safe for concurrent use:
// pgwire drives it from the connection's goroutine.
type Session struct {
	e      *Engine
	user   string
	db     *catalog.DatabaseDescriptor
	params map[string]string

	mode txnMode
	txn  *kv.Txn
	// txnWall is the wall clock when the open transaction began; now()
	// takes its microseconds (session_funcs.go).
	txnWall time.Time
	// txnModes are the open transaction's modes (BEGIN ISOLATION LEVEL …,
	// SET TRANSACTION, or the default_transaction_* settings).
	txnModes txnModes
	// onCommit runs after the open transaction commits, with its commit
	// timestamp (DROP TABLE's and DROP INDEX's span clears).
	onCommit []func(ctx context.Context, commitTs kvpb.Timestamp)
	// gcToken registers the open transaction with the engine's spanGC.
	gcToken *txnToken
	// createdNames maps namespace keys this transaction inserted to their
	// names, to report a commit-time KeyExistsError as 42P07.
	createdNames map[string]string
	// savepoints are the transaction's open savepoints, oldest first.
	savepoints []savepoint
	// deferredFK are the deferred foreign key checks waiting for COMMIT
	// (deferredBytes their size), constraintModes what SET CONSTRAINTS
	// set (deferred.go).
	deferredFK      []exec.DeferredFK
	deferredBytes   int64
	constraintModes *constraintModes
	// notices are NOTICEs a statement raised (DDL's "…, skipping"), sent
	// before its result (flushNotices).
	notices []pendingNotice
	// seqState is currval's and lastval's memory (ddl_sequence.go).
	seqState sequenceState

	// settings are the session's settings (settings.go).
	settings sessionSettings
	// prepared and portals are the extended protocol's named objects
	// ("" is the unnamed one); see prepared.go.
	prepared map[string]*preparedStatement
	portals  map[string]*portal
	// pid is the connection's process id (SetBackendPID).
	pid int32
}

// txnModes are the modes of the open transaction.
type txnModes struct {
	// isolation is transaction_isolation ("read committed", "repeatable
	// read", "read uncommitted").
	isolation string
	readOnly  bool
	// snapshot is set once a statement of the transaction has read: its
	// isolation can no longer change, and REPEATABLE READ keeps this
	// snapshot.
	snapshot bool
}

// TxnStatus returns the transaction status ReadyForQuery reports.
func (s *Session) TxnStatus() TxnStatus {
	switch s.mode {
	case modeExplicit:
		return TxnInBlock
	case modeAborted:
		return TxnFailed
	}
	return TxnIdle
}

// Close ends the session, rolling back an open transaction.
func (s *Session) Close() {
	s.rollback(context.Background())
	s.prepared = nil
}

// Database returns the session's database name.
func (s *Session) Database() string { return s.db.Name }

func (s *Session) resetTxn() {
	s.e.gc.unregister(s.gcToken)
	s.gcToken = nil
	s.mode = modeIdle
	s.txn = nil
	s.txnModes = txnModes{}
	s.onCommit = nil
	s.createdNames = nil
	s.savepoints = nil
	s.deferredFK, s.deferredBytes, s.constraintModes = nil, 0, nil // deferred.go
}

// ExecSimple runs every statement of a simple-protocol query string in
// order, writing each one's results to w. It stops at the first failing
// statement and returns its error as a *pgerror.Error; TxnStatus then tells
// the state the session is left in. statement_timeout bounds the whole
// string, as in PostgreSQL.
func (s *Session) ExecSimple(ctx context.Context, query string, w ResultWriter) error {
	ctx, cancel := s.statementContext(ctx)
	defer cancel()
	stmts, err := parser.ParseBudget(query, s.parseBudget())
	if err != nil {
		switch s.mode {
		case modeExplicit:
			s.abort()
		case modeImplicit:
			s.rollback(ctx)
		}
		return s.sqlError(ctx, err)
	}
	if len(stmts) == 0 {
		return w.EmptyQuery()
	}
	if s.mode == modeIdle && !hasTxnControl(stmts) {
		return s.runImplicit(ctx, stmts, w)
	}
	for _, st := range stmts {
		if err := s.execInBlock(ctx, st.AST, w); err != nil {
			return s.sqlError(ctx, err)
		}
	}
	if s.mode == modeImplicit {
		if err := s.commit(ctx); err != nil {
			return s.sqlError(ctx, err)
		}
	}
	return nil
}

// parseBudget is the memory parsing a query string may take: work_mem,
// but never less than parser.DefaultParseBudget, so that a small work_mem
// (which bounds what operators buffer) does not refuse ordinary INSERTs.
func (s *Session) parseBudget() int64 {
	return max(s.settings.workMem, parser.DefaultParseBudget)
}

// statementContext applies statement_timeout to ctx.
func (s *Session) statementContext(ctx context.Context) (context.Context, context.CancelFunc) {
	if d := s.settings.statementTimeout; d > 0 {
		return context.WithTimeout(ctx, d)
	}
	return context.WithCancel(ctx)
}

func hasTxnControl(stmts []parser.Statement) bool {
	for _, st := range stmts {
		switch st.AST.(type) {
		case *ast.BeginTxn, *ast.BeginTxnModes, *ast.CommitTxn, *ast.RollbackTxn,
			*ast.Savepoint, *ast.ReleaseSavepoint, *ast.RollbackToSavepoint:
			return true
		}
	}
	return false
}

// runImplicit runs statements outside a block as one transaction,
// restarting it on a retryable conflict while its output is unsent.
func (s *Session) runImplicit(ctx context.Context, stmts []parser.Statement, w ResultWriter) error {
	bw := &bufferedWriter{w: w, limit: implicitTxnBufferBytes}
	for attempt := 0; ; attempt++ {
		err := s.runImplicitOnce(ctx, stmts, bw)
		if err != nil && kv.IsRetryable(err) && !bw.flushed && attempt < maxImplicitRetries && ctx.Err() == nil {
			s.e.log.Debug("restarting implicit transaction", "attempt", attempt+1, "err", err)
			bw.reset()
			if !kv.RetryBackoff(ctx, attempt) {
				return s.sqlError(ctx, ctx.Err())
			}
			continue
		}
		if ferr := bw.flush(); ferr != nil {
			return ferr
		}
		if err != nil {
			return s.sqlError(ctx, err)
		}
		return nil
	}
}

func (s *Session) runImplicitOnce(ctx context.Context, stmts []parser.Statement, w ResultWriter) error {
	if err := s.begin(ctx, modeImplicit); err != nil {
		return err
	}
	for _, st := range stmts {
		if err := s.execStmt(ctx, st.AST, w, nil); err != nil {
			s.rollback(ctx)
			return err
		}
	}
	return s.commit(ctx)
}

// execInBlock runs one statement of a string that holds transaction
// control statements, moving the state machine.
func (s *Session) execInBlock(ctx context.Context, stmt ast.Statement, w ResultWriter) error {
	if s.mode == modeAborted && !isTxnExit(stmt) {
		return abortedError()
	}
	switch stmt.(type) {
	case *ast.BeginTxn, *ast.BeginTxnModes, *ast.CommitTxn, *ast.RollbackTxn:
		return s.execStmt(ctx, stmt, w, nil)
	}
	if s.mode == modeIdle {
		if err := s.begin(ctx, modeImplicit); err != nil {
			return err
		}
	}
	if err := s.execStmt(ctx, stmt, w, nil); err != nil {
		switch s.mode {
		case modeExplicit:
			s.abort()
		case modeImplicit:
			s.rollback(ctx)
		}
		return err
	}
	return nil
}

// execStmt runs one statement in the current transaction state (a
// transaction is open unless stmt is BEGIN, COMMIT or ROLLBACK), for both
// protocols: transaction control, settings, DDL and planned statements.
// enc encodes SHOW's row (nil: text). Errors are returned to the caller,
// which moves the state machine.
func (s *Session) execStmt(ctx context.Context, stmt ast.Statement, w ResultWriter, enc *rowEncoder) error {
	if enc == nil {
		enc = &rowEncoder{}
	}
	if s.mode == modeAborted {
		switch n := stmt.(type) {
		case *ast.CommitTxn, *ast.RollbackTxn:
			s.rollback(ctx)
			return w.Complete("ROLLBACK")
		case *ast.RollbackToSavepoint:
			return s.rollbackToSavepoint(n.Name, w)
		}
		return abortedError()
	}
	switch n := stmt.(type) {
	case *ast.BeginTxn:
		return s.execBegin(ctx, ast.TxnModes{}, w, "BEGIN")
	case *ast.BeginTxnModes:
		return s.execBegin(ctx, n.Modes, w, n.StatementTag())
	case *ast.CommitTxn:
		if s.mode != modeExplicit {
			notice(w, "WARNING", "25P01", "there is no transaction in progress")
		}
		if s.mode != modeIdle {
			if err := s.commit(ctx); err != nil {
				return err
			}
		}
		return w.Complete("COMMIT")
	case *ast.RollbackTxn:
		if s.mode != modeExplicit {
			notice(w, "WARNING", "25P01", "there is no transaction in progress")
		}
		s.rollback(ctx)
		return w.Complete("ROLLBACK")
	case *ast.Savepoint:
		return s.savepoint(n.Name, w)
	case *ast.ReleaseSavepoint:
		return s.releaseSavepoint(n.Name, w)
	case *ast.RollbackToSavepoint:
		return s.rollbackToSavepoint(n.Name, w)
	case *ast.SetVar:
		return s.execSet(n, w)
	case *ast.ShowVar:
		return s.execShow(n, w, enc)
	case *ast.Copy:
		return s.runCopy(ctx, n, w) // copy.go
	case *ast.SetTransaction:
		if n.Session {
			return s.setSessionCharacteristics(n.Modes, w)
		}
		if s.mode != modeExplicit {
			notice(w, "WARNING", "25P01", "SET TRANSACTION can only be used in transaction blocks")
			return w.Complete("SET")
		}
		if err := s.setTransaction(n.Modes, w); err != nil {
			return err
		}
		return w.Complete("SET")
	}
	if err := s.checkReadOnly(stmt); err != nil {
		return err
	}
	if err := s.statementSnapshot(ctx); err != nil {
		return err
	}
	return s.runStatement(ctx, stmt, w)
}

// execBegin runs BEGIN / START TRANSACTION [modes].
func (s *Session) execBegin(ctx context.Context, modes ast.TxnModes, w ResultWriter, tag string) error {
	if modes.Isolation == "serializable" {
		return serializableUnsupported()
	}
	switch s.mode {
	case modeIdle:
		if err := s.begin(ctx, modeExplicit); err != nil {
			return err
		}
	case modeImplicit:
		// BEGIN turns the implicit transaction into a block, as in
		// PostgreSQL.
		s.mode = modeExplicit
	default:
		notice(w, "WARNING", "25001", "there is already a transaction in progress")
		return w.Complete(tag)
	}
	if err := s.setTransaction(modes, w); err != nil {
		return err
	}
	return w.Complete(tag)
}

// setTransaction applies transaction modes to the open transaction.
func (s *Session) setTransaction(m ast.TxnModes, w ResultWriter) error {
	if m.Isolation != "" {
		if m.Isolation == "serializable" {
			return serializableUnsupported()
		}
		if s.txnModes.snapshot && m.Isolation != s.txnModes.isolation {
			return pgerror.New(pgerror.CodeActiveSQLTransaction, "SET TRANSACTION ISOLATION LEVEL must be called before any query")
		}
		s.txnModes.isolation = m.Isolation
	}
	if m.ReadOnly != nil {
		if !*m.ReadOnly && s.txnModes.readOnly && s.txnModes.snapshot {
			return pgerror.New(pgerror.CodeActiveSQLTransaction, "transaction read-write mode must be set before any query")
		}
		s.txnModes.readOnly = *m.ReadOnly
	}
	return nil
}

// setSessionCharacteristics runs SET SESSION CHARACTERISTICS AS
// TRANSACTION: the default_transaction_* settings.
func (s *Session) setSessionCharacteristics(m ast.TxnModes, w ResultWriter) error {
	if m.Isolation != "" {
		if m.Isolation == "serializable" {
			return serializableUnsupported()
		}
		s.changeSetting(settingsByName["default_transaction_isolation"], m.Isolation, false)
	}
	if m.ReadOnly != nil {
		s.changeSetting(settingsByName["default_transaction_read_only"], boolText(*m.ReadOnly), false)
	}
	if m.Deferrable != nil {
		s.changeSetting(settingsByName["default_transaction_deferrable"], boolText(*m.Deferrable), false)
	}
	return w.Complete("SET")
}

// checkReadOnly fails a statement that writes in a read-only
// transaction, with PostgreSQL's 25006.
func (s *Session) checkReadOnly(stmt ast.Statement) error {
	if !s.txnModes.readOnly {
		return nil
	}
	switch x := stmt.(type) {
	case *ast.Select:
		if x.ForUpdate != nil {
			return pgerror.New("25006", "cannot execute SELECT FOR UPDATE in a read-only transaction")
		}
		return nil
	case *ast.ShowVar, *ast.ShowTableRegions, *ast.ShowRanges, *ast.ShowClusterSetting, *ast.ShowClusterSettings,
		*ast.ShowPlacementDecisions:
		return nil
	case *ast.SplitTable:
		return pgerror.New("25006", "cannot execute SPLIT TABLE in a read-only transaction")
	}
	return pgerror.New("25006", "cannot execute %s in a read-only transaction", stmt.StatementTag())
}

// statementSnapshot picks the snapshot a statement reads at: inside a
// block, READ COMMITTED takes a fresh one per statement, REPEATABLE READ
// keeps the one its first statement took.
func (s *Session) statementSnapshot(ctx context.Context) error {
	first := !s.txnModes.snapshot
	s.txnModes.snapshot = true
	if s.mode != modeExplicit || s.txn == nil {
		return nil
	}
	if s.txnModes.isolation == "repeatable read" && !first {
		return nil
	}
	ts, err := s.e.cfg.DB.Now(ctx)
	if err != nil {
		return err
	}
	s.txn.SetReadTs(ts)
	return nil
}

// pendingNotice is a NOTICE waiting for the statement's writer.
type pendingNotice struct{ severity, code, msg, detail string }

// queueNotice raises a NOTICE from code that has no writer at hand.
func (s *Session) queueNotice(code, format string, args ...any) {
	s.notices = append(s.notices, pendingNotice{code: code, msg: fmt.Sprintf(format, args...)})
}

// queueWarning raises a WARNING (01000) from code that has no writer at
// hand.
func (s *Session) queueWarning(format string, args ...any) {
	s.queueWarningCode("01000", format, args...)
}

// queueWarningCode is queueWarning with another SQLSTATE.
func (s *Session) queueWarningCode(code, format string, args ...any) {
	s.notices = append(s.notices, pendingNotice{severity: "WARNING", code: code, msg: fmt.Sprintf(format, args...)})
}

// queueNoticeDetail is queueNotice with a DETAIL.
func (s *Session) queueNoticeDetail(code, detail, format string, args ...any) {
	s.notices = append(s.notices, pendingNotice{code: code, msg: fmt.Sprintf(format, args...), detail: detail})
}

// flushNotices sends the queued NOTICEs to w.
func (s *Session) flushNotices(w ResultWriter) {
	// client_min_messages holds back the levels below it, as in
	// PostgreSQL (pg_dump's scripts set it to warning).
	minLevel := noticeLevels["notice"]
	if v, ok, err := s.CurrentSetting("client_min_messages", true); err == nil && ok {
		minLevel = noticeLevels[v]
	}
	for _, n := range s.notices {
		severity := n.severity
		if severity == "" {
			severity = "NOTICE"
		}
		if noticeLevels[strings.ToLower(severity)] < minLevel {
			continue
		}
		if dw, ok := w.(NoticeDetailWriter); ok && n.detail != "" {
			_ = dw.NoticeDetail(severity, n.code, n.msg, n.detail)
			continue
		}
		notice(w, severity, n.code, n.msg)
	}
	s.notices = s.notices[:0]
}

// noticeLevels orders the message levels client_min_messages names.
var noticeLevels = map[string]int{"debug5": 1, "debug4": 2, "debug3": 3, "debug2": 4, "debug1": 5, "log": 6,
	"notice": 7, "warning": 8, "error": 9}

// notice sends a WARNING or NOTICE if w can deliver one.
func notice(w ResultWriter, severity, code, msg string) {
	if nw, ok := w.(NoticeWriter); ok {
		_ = nw.Notice(severity, code, msg)
	}
}

func (s *Session) begin(ctx context.Context, mode txnMode) error {
	// Registered before the start timestamp exists, so no dropped span
	// this transaction could still read is cleared in between.
	token := s.e.gc.register()
	txn, err := s.e.cfg.DB.NewTxn(ctx)
	if err != nil {
		s.e.gc.unregister(token)
		return err
	}
	s.resetTxn()
	s.e.gc.started(token, txn.StartTs())
	s.txn, s.mode, s.gcToken = txn, mode, token
	s.txnWall = time.Now()
	s.txnModes = txnModes{
		isolation: s.settings.cur[settingsByName["default_transaction_isolation"]],
		readOnly:  s.settings.cur[settingsByName["default_transaction_read_only"]] == "on",
	}
	return nil
}

// abort rolls back the kv transaction of a failed block and leaves the
// session in the aborted state until COMMIT or ROLLBACK. Setting changes
// are undone at once, as PostgreSQL does when the error aborts.
func (s *Session) abort() {
	if len(s.savepoints) > 0 && s.txn != nil {
		// ROLLBACK TO SAVEPOINT may still resume the transaction.
		s.mode = modeAborted
		s.closePortals()
		return
	}
	if s.txn != nil {
		_ = s.txn.Rollback(context.Background())
	}
	s.e.gc.unregister(s.gcToken)
	s.txn, s.onCommit, s.createdNames, s.gcToken = nil, nil, nil, nil
	s.mode = modeAborted
	s.endTxnSettings(false)
	s.closePortals()
}

func (s *Session) rollback(ctx context.Context) {
	if s.txn != nil {
		_ = s.txn.Rollback(ctx)
	}
	s.resetTxn()
	s.endTxnSettings(false)
	s.closePortals()
}

// commit commits the open transaction and runs its post-commit work. The
// session is idle afterwards, whatever the outcome.
func (s *Session) commit(ctx context.Context) error {
	if s.txn != nil && len(s.deferredFK) > 0 {
		// The deferred foreign key checks, in the transaction (deferred.go).
		if err := s.runDeferred(ctx, nil); err != nil {
			s.rollback(ctx)
			return err
		}
	}
	txn, hooks, names := s.txn, s.onCommit, s.createdNames
	s.resetTxn()
	s.closePortals()
	if txn == nil {
		s.endTxnSettings(true)
		return nil
	}
	if err := txn.Commit(ctx); err != nil {
		s.endTxnSettings(false)
		var ke *kvpb.KeyExistsError
		if errors.As(err, &ke) {
			if name, ok := names[string(ke.Key)]; ok {
				return pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", name)
			}
			return exec.MapCommitError(err)
		}
		return err
	}
	s.endTxnSettings(true)
	for _, h := range hooks {
		h(ctx, txn.CommitTs())
	}
	return nil
}

// sqlError turns any error into the *pgerror.Error the client receives.
func (s *Session) sqlError(ctx context.Context, err error) error {
	var pe *pgerror.Error
	if errors.As(err, &pe) {
		return pe
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return &pgerror.Error{Code: pgerror.CodeQueryCanceled, Message: "canceling statement due to statement timeout", Cause: err}
	}
	if errors.Is(err, context.Canceled) || ctx.Err() != nil {
		return &pgerror.Error{Code: pgerror.CodeQueryCanceled, Message: "canceling statement due to user request", Cause: err}
	}
	return pgerror.Flatten(err)
}

// bufferedWriter holds results back until flush, so a transaction can be
// restarted without the client seeing the first attempt; past limit bytes
// it flushes and passes everything through.
type bufferedWriter struct {
	w       ResultWriter
	limit   int
	size    int
	flushed bool
	ops     []func(ResultWriter) error
}

func (b *bufferedWriter) add(n int, op func(ResultWriter) error) error {
	if b.flushed {
		return op(b.w)
	}
	b.ops = append(b.ops, op)
	b.size += n
	if b.size > b.limit {
		return b.flush()
	}
	return nil
}

func (b *bufferedWriter) flush() error {
	ops := b.ops
	b.ops, b.flushed = nil, true
	for _, op := range ops {
		if err := op(b.w); err != nil {
			return err
		}
	}
	return nil
}

func (b *bufferedWriter) reset() { b.ops, b.size = nil, 0 }

func (b *bufferedWriter) SetColumns(cols []ResultColumn) error {
	return b.add(64*len(cols), func(w ResultWriter) error { return w.SetColumns(cols) })
}

func (b *bufferedWriter) AddRow(values [][]byte) error {
	n := 16
	for _, v := range values {
		n += len(v) + 4
	}
	return b.add(n, func(w ResultWriter) error { return w.AddRow(values) })
}

func (b *bufferedWriter) Complete(tag string) error {
	return b.add(len(tag), func(w ResultWriter) error { return w.Complete(tag) })
}

func (b *bufferedWriter) EmptyQuery() error {
	return b.add(1, func(w ResultWriter) error { return w.EmptyQuery() })
}

func (b *bufferedWriter) Notice(severity, code, message string) error {
	return b.add(len(message), func(w ResultWriter) error {
		notice(w, severity, code, message)
		return nil
	})
}

func (b *bufferedWriter) NoticeDetail(severity, code, message, detail string) error {
	return b.add(len(message)+len(detail), func(w ResultWriter) error {
		if dw, ok := w.(NoticeDetailWriter); ok {
			return dw.NoticeDetail(severity, code, message, detail)
		}
		notice(w, severity, code, message)
		return nil
	})
}

// postCommitTimeout bounds post-commit work such as clearing a dropped
// table's span.
const postCommitTimeout = 30 * time.Second
