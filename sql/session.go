package sql

import (
	"context"
	"errors"
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
const maxImplicitRetries = 10

// Session is one client's SQL session. It is not safe for concurrent use:
// pgwire drives it from the connection's goroutine.
type Session struct {
	e      *Engine
	user   string
	db     *catalog.DatabaseDescriptor
	params map[string]string

	mode txnMode
	txn  *kv.Txn
	// onCommit runs after the open transaction commits (DROP TABLE's
	// ClearRange).
	onCommit []func(ctx context.Context)
	// createdNames maps namespace keys this transaction inserted to their
	// names, to report a commit-time KeyExistsError as 42P07.
	createdNames map[string]string
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
	if s.txn != nil {
		_ = s.txn.Rollback(context.Background())
	}
	s.resetTxn()
}

// Database returns the session's database name.
func (s *Session) Database() string { return s.db.Name }

func (s *Session) resetTxn() {
	s.mode = modeIdle
	s.txn = nil
	s.onCommit = nil
	s.createdNames = nil
}

// ExecSimple runs every statement of a simple-protocol query string in
// order, writing each one's results to w. It stops at the first failing
// statement and returns its error as a *pgerror.Error; TxnStatus then tells
// the state the session is left in.
func (s *Session) ExecSimple(ctx context.Context, query string, w ResultWriter) error {
	stmts, err := parser.Parse(query)
	if err != nil {
		if s.mode == modeExplicit {
			s.abort()
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

func hasTxnControl(stmts []parser.Statement) bool {
	for _, st := range stmts {
		switch st.AST.(type) {
		case *ast.BeginTxn, *ast.CommitTxn, *ast.RollbackTxn:
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
		if err := s.runStatement(ctx, st.AST, w); err != nil {
			s.rollback(ctx)
			return err
		}
	}
	return s.commit(ctx)
}

// execInBlock runs one statement of a string that holds transaction
// control statements, moving the state machine.
func (s *Session) execInBlock(ctx context.Context, stmt ast.Statement, w ResultWriter) error {
	if s.mode == modeAborted {
		switch stmt.(type) {
		case *ast.CommitTxn, *ast.RollbackTxn:
			s.rollback(ctx)
			return w.Complete("ROLLBACK")
		}
		return pgerror.New(pgerror.CodeInFailedSQLTransaction,
			"current transaction is aborted, commands ignored until end of transaction block")
	}
	switch stmt.(type) {
	case *ast.BeginTxn:
		switch s.mode {
		case modeIdle:
			if err := s.begin(ctx, modeExplicit); err != nil {
				return err
			}
		case modeImplicit:
			// BEGIN turns the implicit transaction into a block, as in
			// PostgreSQL. Inside a block it is only a warning.
			s.mode = modeExplicit
		}
		return w.Complete("BEGIN")
	case *ast.CommitTxn:
		if s.mode != modeIdle {
			if err := s.commit(ctx); err != nil {
				return err
			}
		}
		return w.Complete("COMMIT")
	case *ast.RollbackTxn:
		s.rollback(ctx)
		return w.Complete("ROLLBACK")
	}
	if s.mode == modeIdle {
		if err := s.begin(ctx, modeImplicit); err != nil {
			return err
		}
	}
	if err := s.runStatement(ctx, stmt, w); err != nil {
		if s.mode == modeExplicit {
			s.abort()
		} else {
			s.rollback(ctx)
		}
		return err
	}
	return nil
}

func (s *Session) begin(ctx context.Context, mode txnMode) error {
	txn, err := s.e.cfg.DB.NewTxn(ctx)
	if err != nil {
		return err
	}
	s.resetTxn()
	s.txn, s.mode = txn, mode
	return nil
}

// abort rolls back the kv transaction of a failed block and leaves the
// session in the aborted state until COMMIT or ROLLBACK.
func (s *Session) abort() {
	if s.txn != nil {
		_ = s.txn.Rollback(context.Background())
	}
	s.txn, s.onCommit, s.createdNames = nil, nil, nil
	s.mode = modeAborted
}

func (s *Session) rollback(ctx context.Context) {
	if s.txn != nil {
		_ = s.txn.Rollback(ctx)
	}
	s.resetTxn()
}

// commit commits the open transaction and runs its post-commit work. The
// session is idle afterwards, whatever the outcome.
func (s *Session) commit(ctx context.Context) error {
	txn, hooks, names := s.txn, s.onCommit, s.createdNames
	s.resetTxn()
	if txn == nil {
		return nil
	}
	if err := txn.Commit(ctx); err != nil {
		var ke *kvpb.KeyExistsError
		if errors.As(err, &ke) {
			if name, ok := names[string(ke.Key)]; ok {
				return pgerror.New(pgerror.CodeDuplicateTable, "relation \"%s\" already exists", name)
			}
			return exec.MapCommitError(err)
		}
		return err
	}
	for _, h := range hooks {
		h(ctx)
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

// postCommitTimeout bounds post-commit work such as clearing a dropped
// table's span.
const postCommitTimeout = 30 * time.Second
