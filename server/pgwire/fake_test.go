package pgwire

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/rangedb/rangedb/sql"
	"github.com/rangedb/rangedb/sql/pgerror"
)

// fakeFactory is a SessionFactory whose sessions answer a tiny fixed
// language (see fakeSession.exec); the real SQL layer is tested end to end
// elsewhere.
type fakeFactory struct {
	started  chan string   // a blocking statement began ("sleep", "slow", "stream")
	canceled chan error    // a blocking statement saw its ctx canceled; the cause
	release  chan struct{} // closed to let "slow" and "stream" finish
	closed   atomic.Int32  // sessions closed

	mu     sync.Mutex
	params []map[string]string // startup params of each session opened
}

func newFakeFactory() *fakeFactory {
	return &fakeFactory{
		started:  make(chan string, 64),
		canceled: make(chan error, 64),
		release:  make(chan struct{}),
	}
}

func (f *fakeFactory) NewSession(ctx context.Context, user, database string, params map[string]string) (Session, error) {
	if database == "nodb" {
		return nil, pgerror.New(pgerror.CodeInvalidCatalogName, "database %q does not exist", database)
	}
	f.mu.Lock()
	f.params = append(f.params, params)
	f.mu.Unlock()
	return &fakeSession{f: f, status: sql.TxnIdle}, nil
}

// signal sends without blocking, so fuzzing never stalls on a full channel.
func signal[T any](ch chan T, v T) {
	select {
	case ch <- v:
	default:
	}
}

type fakeSession struct {
	f      *fakeFactory
	status sql.TxnStatus
	closed bool
}

var int4Col = sql.ResultColumn{Name: "?column?", TypeOID: 23, TypeSize: 4, TypeModifier: -1}
var textCol = sql.ResultColumn{Name: "t", TypeOID: 25, TypeSize: -1, TypeModifier: -1}

func (s *fakeSession) ExecSimple(ctx context.Context, query string, w sql.ResultWriter) error {
	if s.closed {
		panic("ExecSimple after Close")
	}
	if strings.TrimSpace(query) == "" {
		return w.EmptyQuery()
	}
	for _, stmt := range strings.Split(query, ";") {
		stmt = strings.TrimSpace(stmt)
		if stmt == "" {
			continue
		}
		if err := s.exec(ctx, stmt, w); err != nil {
			if s.status == sql.TxnInBlock {
				s.status = sql.TxnFailed
			}
			return err
		}
	}
	return nil
}

func (s *fakeSession) exec(ctx context.Context, stmt string, w sql.ResultWriter) error {
	one := func(col sql.ResultColumn, v []byte) error {
		if err := w.SetColumns([]sql.ResultColumn{col}); err != nil {
			return err
		}
		if err := w.AddRow([][]byte{v}); err != nil {
			return err
		}
		return w.Complete("SELECT 1")
	}
	switch {
	case stmt == "SELECT 1":
		return one(int4Col, []byte("1"))
	case stmt == "SELECT null":
		return one(textCol, nil)
	case strings.HasPrefix(stmt, "SELECT rows "):
		n, err := strconv.Atoi(strings.TrimPrefix(stmt, "SELECT rows "))
		if err != nil || n > 1e6 {
			return pgerror.New(pgerror.CodeInvalidParameterValue, "bad count")
		}
		if err := w.SetColumns([]sql.ResultColumn{int4Col, textCol}); err != nil {
			return err
		}
		for i := range n {
			if err := w.AddRow([][]byte{[]byte(strconv.Itoa(i)), []byte(strings.Repeat("x", 100))}); err != nil {
				return err
			}
		}
		return w.Complete(fmt.Sprintf("SELECT %d", n))
	case stmt == "SELECT error":
		return pgerror.New(pgerror.CodeUndefinedColumn, `column "nope" does not exist`).
			WithPosition(8).WithDetail("some detail").WithHint("some hint")
	case stmt == "SELECT fatal":
		return &pgerror.Error{Code: pgerror.CodeInternalError, Severity: "FATAL", Message: "session broke"}
	case stmt == "SELECT panic":
		panic("fake session panic")
	case stmt == "SELECT sleep":
		signal(s.f.started, "sleep")
		<-ctx.Done()
		signal(s.f.canceled, context.Cause(ctx))
		return ctx.Err()
	case stmt == "SELECT slow", stmt == "SELECT stream":
		if stmt == "SELECT stream" {
			// More than flushThreshold before blocking: the client must
			// see rows while the statement still runs.
			if err := w.SetColumns([]sql.ResultColumn{textCol}); err != nil {
				return err
			}
			for range 2 * flushThreshold / 100 {
				if err := w.AddRow([][]byte{[]byte(strings.Repeat("y", 100))}); err != nil {
					return err
				}
			}
		}
		signal(s.f.started, stmt[len("SELECT "):])
		select {
		case <-s.f.release:
		case <-ctx.Done():
			signal(s.f.canceled, context.Cause(ctx))
			return ctx.Err()
		}
		if stmt == "SELECT stream" {
			return w.Complete("SELECT 0")
		}
		return one(int4Col, []byte("1"))
	case stmt == "BEGIN":
		s.status = sql.TxnInBlock
		return w.Complete("BEGIN")
	case stmt == "COMMIT", stmt == "ROLLBACK":
		s.status = sql.TxnIdle
		return w.Complete(stmt)
	case strings.HasPrefix(stmt, "SET application_name = "):
		if err := w.(ParameterStatusWriter).ParameterStatus("application_name", strings.TrimPrefix(stmt, "SET application_name = ")); err != nil {
			return err
		}
		return w.Complete("SET")
	}
	return pgerror.New(pgerror.CodeSyntaxError, "syntax error at or near %q", stmt).WithPosition(1)
}

func (s *fakeSession) TxnStatus() sql.TxnStatus { return s.status }

func (s *fakeSession) Close() {
	if s.closed {
		panic("session closed twice")
	}
	s.closed = true
	s.f.closed.Add(1)
}
