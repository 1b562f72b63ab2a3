package pgwire

import (
	"cmp"
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
	fs := &fakeSession{f: f, status: sql.TxnIdle, stmts: map[string]string{}, portals: map[string]*fakePortal{}}
	fs.params = []sql.ParameterStatus{
		{Name: "application_name", Value: params["application_name"]},
		{Name: "client_encoding", Value: "UTF8"},
		{Name: "DateStyle", Value: "ISO, MDY"},
		{Name: "default_transaction_read_only", Value: "off"},
		{Name: "in_hot_standby", Value: "off"},
		{Name: "integer_datetimes", Value: "on"},
		{Name: "IntervalStyle", Value: "postgres"},
		{Name: "is_superuser", Value: "on"},
		{Name: "server_encoding", Value: "UTF8"},
		{Name: "server_version", Value: "15.0"},
		{Name: "session_authorization", Value: user},
		{Name: "standard_conforming_strings", Value: "on"},
		{Name: "TimeZone", Value: cmp.Or(params["TimeZone"], "UTC")},
	}
	fs.changed = fs.params
	return fs, nil
}

// signal sends without blocking, so fuzzing never stalls on a full channel.
func signal[T any](ch chan T, v T) {
	select {
	case ch <- v:
	default:
	}
}

type fakeSession struct {
	f       *fakeFactory
	status  sql.TxnStatus
	closed  bool
	params  []sql.ParameterStatus
	changed []sql.ParameterStatus // reported at the next ReadyForQuery
	// The extended protocol, in miniature: statements are query strings,
	// portals remember how many rows of "SELECT rows N" they sent.
	stmts   map[string]string
	portals map[string]*fakePortal
	failed  bool // an extended-protocol message failed since Sync
}

type fakePortal struct {
	query string
	sent  int
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
		s.changed = append(s.changed, sql.ParameterStatus{Name: "application_name", Value: strings.TrimPrefix(stmt, "SET application_name = ")})
		return w.Complete("SET")
	}
	return pgerror.New(pgerror.CodeSyntaxError, "syntax error at or near %q", stmt).WithPosition(1)
}

func (s *fakeSession) TxnStatus() sql.TxnStatus { return s.status }

func (s *fakeSession) ParameterChanges() []sql.ParameterStatus {
	c := s.changed
	s.changed = nil
	return c
}

func (s *fakeSession) fail(err error) error {
	s.failed = true
	if s.status == sql.TxnInBlock {
		s.status = sql.TxnFailed
	}
	return err
}

func (s *fakeSession) Parse(ctx context.Context, name, query string, paramOIDs []uint32) error {
	if _, ok := s.stmts[name]; ok && name != "" {
		return s.fail(pgerror.New("42P05", "prepared statement %q already exists", name))
	}
	if strings.Contains(query, "syntax") {
		return s.fail(pgerror.New(pgerror.CodeSyntaxError, "syntax error").WithPosition(1))
	}
	s.stmts[name] = query
	return nil
}

func (s *fakeSession) Bind(ctx context.Context, portal, stmt string, paramFormats []int16, params [][]byte, resultFormats []int16) error {
	q, ok := s.stmts[stmt]
	if !ok {
		return s.fail(pgerror.New("26000", "prepared statement %q does not exist", stmt))
	}
	s.portals[portal] = &fakePortal{query: q}
	return nil
}

func (s *fakeSession) DescribeStatement(ctx context.Context, name string) ([]uint32, []sql.ResultColumn, error) {
	q, ok := s.stmts[name]
	if !ok {
		return nil, nil, s.fail(pgerror.New("26000", "prepared statement %q does not exist", name))
	}
	if strings.HasPrefix(q, "SELECT") {
		return []uint32{}, []sql.ResultColumn{int4Col}, nil
	}
	return []uint32{}, nil, nil
}

func (s *fakeSession) DescribePortal(ctx context.Context, name string) ([]sql.ResultColumn, error) {
	p, ok := s.portals[name]
	if !ok {
		return nil, s.fail(pgerror.New("34000", "portal %q does not exist", name))
	}
	if strings.HasPrefix(p.query, "SELECT") {
		return []sql.ResultColumn{int4Col}, nil
	}
	return nil, nil
}

func (s *fakeSession) Execute(ctx context.Context, portal string, maxRows int, w sql.ResultWriter) (bool, error) {
	p, ok := s.portals[portal]
	if !ok {
		return false, s.fail(pgerror.New("34000", "portal %q does not exist", portal))
	}
	if n, err := strconv.Atoi(strings.TrimPrefix(p.query, "SELECT rows ")); err == nil && n <= 1e6 {
		for sent := 0; p.sent < n; sent++ {
			if maxRows > 0 && sent == maxRows {
				return true, nil
			}
			if err := w.AddRow([][]byte{[]byte(strconv.Itoa(p.sent))}); err != nil {
				return false, err
			}
			p.sent++
		}
		return false, w.Complete(fmt.Sprintf("SELECT %d", n))
	}
	if strings.TrimSpace(p.query) == "" {
		return false, w.EmptyQuery()
	}
	if err := s.exec(ctx, p.query, w); err != nil {
		return false, s.fail(err)
	}
	return false, nil
}

func (s *fakeSession) CloseStatement(name string) error { delete(s.stmts, name); return nil }
func (s *fakeSession) ClosePortal(name string) error    { delete(s.portals, name); return nil }

func (s *fakeSession) Sync(ctx context.Context) error {
	s.failed = false
	clear(s.portals)
	return nil
}

func (s *fakeSession) Close() {
	if s.closed {
		panic("session closed twice")
	}
	s.closed = true
	s.f.closed.Add(1)
}
