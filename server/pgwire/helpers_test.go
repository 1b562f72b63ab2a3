package pgwire

import (
	"context"
	"encoding/binary"
	"fmt"
	"log/slog"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgproto3"
)

const testTimeout = 10 * time.Second

// testLogWriter sends the server's log to the test's log.
type testLogWriter struct{ t testing.TB }

func (w testLogWriter) Write(p []byte) (int, error) {
	w.t.Helper()
	w.t.Log(strings.TrimSuffix(string(p), "\n"))
	return len(p), nil
}

// startServer starts a server over a fakeFactory on a random local port;
// it is closed (and its goroutines waited for) when the test ends.
func startServer(t *testing.T, cfg Config) (*Server, *fakeFactory) {
	t.Helper()
	f := newFakeFactory()
	cfg.Sessions = f
	cfg.Addr = "127.0.0.1:0"
	cfg.Logger = slog.New(slog.NewTextHandler(testLogWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
	s, err := New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = s.Close() })
	return s, f
}

// connectPgx connects with pgx in simple-protocol mode (sslmode=prefer,
// so pgx first sends SSLRequest and falls back to plain text).
func connectPgx(t *testing.T, s *Server, user string) *pgx.Conn {
	t.Helper()
	c, err := tryConnectPgx(s, user, "db")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = c.Close(context.Background()) })
	return c
}

func tryConnectPgx(s *Server, user, db string) (*pgx.Conn, error) {
	cfg, err := pgx.ParseConfig(fmt.Sprintf("postgres://%s@%s/%s?sslmode=prefer&application_name=pgwire_test", user, s.Addr(), db))
	if err != nil {
		return nil, err
	}
	cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
	ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
	defer cancel()
	return pgx.ConnectConfig(ctx, cfg)
}

// rawConn is a client speaking the protocol through pgproto3.Frontend.
type rawConn struct {
	t  *testing.T
	nc net.Conn
	fe *pgproto3.Frontend
}

func dialRaw(t *testing.T, s *Server) *rawConn {
	t.Helper()
	nc, err := net.DialTimeout("tcp", s.Addr().String(), testTimeout)
	if err != nil {
		t.Fatal(err)
	}
	_ = nc.SetDeadline(time.Now().Add(testTimeout))
	t.Cleanup(func() { _ = nc.Close() })
	return &rawConn{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
}

func (r *rawConn) send(msgs ...pgproto3.FrontendMessage) {
	r.t.Helper()
	for _, m := range msgs {
		r.fe.Send(m)
	}
	if err := r.fe.Flush(); err != nil {
		r.t.Fatal(err)
	}
}

func (r *rawConn) writeRaw(b []byte) {
	r.t.Helper()
	if _, err := r.nc.Write(b); err != nil {
		r.t.Fatal(err)
	}
}

// recv returns the next backend message, rendered as a string so that it
// outlives the next Receive.
func (r *rawConn) recv() string {
	r.t.Helper()
	m, err := r.fe.Receive()
	if err != nil {
		r.t.Fatalf("receive: %v", err)
	}
	return render(m)
}

// recvUntilReady returns the messages up to and including ReadyForQuery.
func (r *rawConn) recvUntilReady() []string {
	r.t.Helper()
	var out []string
	for {
		m := r.recv()
		out = append(out, m)
		if strings.HasPrefix(m, "ReadyForQuery") {
			return out
		}
	}
}

// expectClosed asserts that the server closed the connection.
func (r *rawConn) expectClosed() {
	r.t.Helper()
	m, err := r.fe.Receive()
	if err == nil {
		r.t.Fatalf("expected the connection to be closed, got %s", render(m))
	}
}

// startup sends a StartupMessage with params and reads up to
// ReadyForQuery (or the error that ends startup).
func (r *rawConn) startup(params map[string]string) []string {
	r.t.Helper()
	r.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30, Parameters: params})
	var out []string
	for {
		m := r.recv()
		out = append(out, m)
		if strings.HasPrefix(m, "ReadyForQuery") || strings.HasPrefix(m, "ErrorResponse") {
			return out
		}
	}
}

func render(m pgproto3.BackendMessage) string {
	switch m := m.(type) {
	case *pgproto3.ParameterStatus:
		return fmt.Sprintf("ParameterStatus %s=%s", m.Name, m.Value)
	case *pgproto3.ReadyForQuery:
		return fmt.Sprintf("ReadyForQuery %c", m.TxStatus)
	case *pgproto3.ErrorResponse:
		s := fmt.Sprintf("ErrorResponse %s %s %s", m.Severity, m.Code, m.Message)
		if m.Position != 0 {
			s += fmt.Sprintf(" pos=%d", m.Position)
		}
		return s
	case *pgproto3.CommandComplete:
		return fmt.Sprintf("CommandComplete %s", m.CommandTag)
	case *pgproto3.RowDescription:
		var names []string
		for _, f := range m.Fields {
			names = append(names, fmt.Sprintf("%s:%d", f.Name, f.DataTypeOID))
		}
		return fmt.Sprintf("RowDescription [%s]", strings.Join(names, " "))
	case *pgproto3.DataRow:
		var vals []string
		for _, v := range m.Values {
			if v == nil {
				vals = append(vals, "NULL")
			} else {
				vals = append(vals, string(v))
			}
		}
		return fmt.Sprintf("DataRow [%s]", strings.Join(vals, " "))
	case *pgproto3.AuthenticationOk:
		return "AuthenticationOk"
	case *pgproto3.BackendKeyData:
		return "BackendKeyData"
	case *pgproto3.EmptyQueryResponse:
		return "EmptyQueryResponse"
	}
	return fmt.Sprintf("%T", m)
}

// backendKey is the BackendKeyData of a raw connection.
func cancelRequestBytes(pid uint32, key []byte) []byte {
	b := binary.BigEndian.AppendUint32(nil, uint32(12+len(key)))
	b = binary.BigEndian.AppendUint32(b, 80877102)
	b = binary.BigEndian.AppendUint32(b, pid)
	return append(b, key...)
}

// waitFor polls cond until it holds or the test deadline passes.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(testTimeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// recvChan receives from ch or fails the test after testTimeout.
func recvChan[T any](t *testing.T, ch <-chan T, what string) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(testTimeout):
		t.Fatalf("timed out waiting for %s", what)
		var zero T
		return zero
	}
}

func (s *Server) numConns() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.mu.conns)
}
