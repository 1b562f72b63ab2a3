package pgwire

import (
	"context"
	"errors"
	"net"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

func pgErr(t *testing.T, err error) *pgconn.PgError {
	t.Helper()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) {
		t.Fatalf("expected a *pgconn.PgError, got %v", err)
	}
	return pe
}

func TestPgxSimpleQuery(t *testing.T) {
	s, _ := startServer(t, Config{})
	c := connectPgx(t, s, "root")
	ctx := context.Background()

	if v := c.PgConn().ParameterStatus("server_version"); !strings.HasPrefix(v, "15") {
		t.Errorf("server_version = %q", v)
	}
	if v := c.PgConn().ParameterStatus("application_name"); v != "pgwire_test" {
		t.Errorf("application_name = %q", v)
	}
	var n int
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("SELECT 1: %d, %v", n, err)
	}
	var sp *string
	if err := c.QueryRow(ctx, "SELECT null").Scan(&sp); err != nil || sp != nil {
		t.Fatalf("SELECT null: %v, %v", sp, err)
	}
	rows, err := c.Query(ctx, "SELECT rows 5000")
	if err != nil {
		t.Fatal(err)
	}
	count := 0
	for rows.Next() {
		count++
	}
	if rows.Err() != nil || count != 5000 || rows.CommandTag().String() != "SELECT 5000" {
		t.Fatalf("rows: %d %q %v", count, rows.CommandTag(), rows.Err())
	}

	// An error carries every field and leaves the connection usable.
	_, err = c.Exec(ctx, "SELECT error")
	pe := pgErr(t, err)
	if pe.Severity != "ERROR" || pe.Code != "42703" || pe.Message != `column "nope" does not exist` ||
		pe.Detail != "some detail" || pe.Hint != "some hint" || pe.Position != 8 {
		t.Fatalf("error fields: %+v", pe)
	}

	// Transaction status travels in ReadyForQuery.
	if _, err := c.Exec(ctx, "BEGIN"); err != nil {
		t.Fatal(err)
	}
	if st := c.PgConn().TxStatus(); st != 'T' {
		t.Fatalf("TxStatus after BEGIN = %c", st)
	}
	_, err = c.Exec(ctx, "SELECT error")
	pgErr(t, err)
	if st := c.PgConn().TxStatus(); st != 'E' {
		t.Fatalf("TxStatus after error in block = %c", st)
	}
	if tag, err := c.Exec(ctx, "ROLLBACK"); err != nil || tag.String() != "ROLLBACK" {
		t.Fatalf("ROLLBACK: %q %v", tag, err)
	}
	if st := c.PgConn().TxStatus(); st != 'I' {
		t.Fatalf("TxStatus after ROLLBACK = %c", st)
	}

	// SET reports the new value through ParameterStatus.
	if _, err := c.Exec(ctx, "SET application_name = other"); err != nil {
		t.Fatal(err)
	}
	if v := c.PgConn().ParameterStatus("application_name"); v != "other" {
		t.Errorf("application_name after SET = %q", v)
	}
}

func TestStartupRaw(t *testing.T) {
	s, f := startServer(t, Config{})
	r := dialRaw(t, s)
	// SSLRequest is declined with a single 'N' and startup continues.
	r.writeRaw([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f})
	b := make([]byte, 1)
	if _, err := r.nc.Read(b); err != nil || b[0] != 'N' {
		t.Fatalf("SSLRequest answer %q, %v", b, err)
	}
	// So is GSSEncRequest.
	r.writeRaw([]byte{0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x30})
	if _, err := r.nc.Read(b); err != nil || b[0] != 'N' {
		t.Fatalf("GSSEncRequest answer %q, %v", b, err)
	}
	got := r.startup(map[string]string{"user": "root", "application_name": "psql", "TimeZone": "Europe/Paris"})
	want := []string{
		"AuthenticationOk",
		"ParameterStatus application_name=psql",
		"ParameterStatus client_encoding=UTF8",
		"ParameterStatus DateStyle=ISO, MDY",
		"ParameterStatus default_transaction_read_only=off",
		"ParameterStatus in_hot_standby=off",
		"ParameterStatus integer_datetimes=on",
		"ParameterStatus IntervalStyle=postgres",
		"ParameterStatus is_superuser=on",
		"ParameterStatus server_encoding=UTF8",
		"ParameterStatus server_version=15.0",
		"ParameterStatus session_authorization=root",
		"ParameterStatus standard_conforming_strings=on",
		"ParameterStatus TimeZone=Europe/Paris",
		"BackendKeyData",
		"ReadyForQuery I",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("startup:\n got %q\nwant %q", got, want)
	}
	// The database defaults to the user name; params reach the factory.
	f.mu.Lock()
	p := f.params[0]
	f.mu.Unlock()
	if p["application_name"] != "psql" || p["user"] != "root" {
		t.Errorf("params %v", p)
	}

	r.send(&pgproto3.Query{String: "SELECT 1; SELECT error; SELECT 1"})
	got = r.recvUntilReady()
	want = []string{
		"RowDescription [?column?:23]", "DataRow [1]", "CommandComplete SELECT 1",
		`ErrorResponse ERROR 42703 column "nope" does not exist pos=8`,
		"ReadyForQuery I",
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("multi-statement:\n got %q\nwant %q", got, want)
	}
	r.send(&pgproto3.Query{String: "  "})
	if got := r.recvUntilReady(); !reflect.DeepEqual(got, []string{"EmptyQueryResponse", "ReadyForQuery I"}) {
		t.Fatalf("empty query: %q", got)
	}
	r.send(&pgproto3.Terminate{})
	r.expectClosed()
	waitFor(t, "session closed", func() bool { return f.closed.Load() == 1 })
}

func TestStartupRefused(t *testing.T) {
	s, f := startServer(t, Config{})
	for _, tc := range []struct {
		name   string
		params map[string]string
		want   string
	}{
		{"non-root", map[string]string{"user": "alice"}, `ErrorResponse FATAL 28000 role "alice" does not exist`},
		{"no user", map[string]string{"database": "db"}, "ErrorResponse FATAL 28000 no PostgreSQL user name specified in startup packet"},
		{"unknown db", map[string]string{"user": "root", "database": "nodb"}, `ErrorResponse FATAL 3D000 database "nodb" does not exist`},
		{"encoding", map[string]string{"user": "root", "client_encoding": "LATIN1"}, `ErrorResponse FATAL 22023 invalid value for parameter "client_encoding": "LATIN1"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := dialRaw(t, s)
			got := r.startup(tc.params)
			if last := got[len(got)-1]; last != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
			r.expectClosed()
		})
	}
	// Through pgx too.
	_, err := tryConnectPgx(s, "alice", "db")
	if pe := pgErr(t, err); pe.Code != "28000" || pe.Severity != "FATAL" {
		t.Fatalf("pgx non-root: %+v", pe)
	}
	waitFor(t, "connections gone", func() bool { return s.numConns() == 0 })
	if n := f.closed.Load(); n != 0 {
		t.Fatalf("%d sessions closed, none opened", n)
	}
}

func TestProtocolNegotiation(t *testing.T) {
	s, _ := startServer(t, Config{})
	r := dialRaw(t, s)
	r.send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion32, Parameters: map[string]string{"user": "root", "_pq_.foo": "x"}})
	m, err := r.fe.Receive()
	if err != nil {
		t.Fatal(err)
	}
	npv, ok := m.(*pgproto3.NegotiateProtocolVersion)
	if !ok || npv.NewestMinorProtocol != 0 || !reflect.DeepEqual(npv.UnrecognizedOptions, []string{"_pq_.foo"}) {
		t.Fatalf("got %#v", m)
	}
	if got := r.recvUntilReady(); got[len(got)-1] != "ReadyForQuery I" {
		t.Fatalf("got %q", got)
	}
}

// TestExtendedProtocol drives Parse/Bind/Describe/Execute/Close/Sync
// against the fake session: message-by-message replies, row limits with
// PortalSuspended, and discarding after an error until Sync.
func TestExtendedProtocol(t *testing.T) {
	s, _ := startServer(t, Config{})
	r := dialRaw(t, s)
	r.startup(map[string]string{"user": "root"})
	r.send(
		&pgproto3.Parse{Name: "s1", Query: "SELECT rows 5"},
		&pgproto3.Describe{ObjectType: 'S', Name: "s1"},
		&pgproto3.Bind{DestinationPortal: "p", PreparedStatement: "s1"},
		&pgproto3.Describe{ObjectType: 'P', Name: "p"},
		&pgproto3.Execute{Portal: "p", MaxRows: 2},
		&pgproto3.Execute{Portal: "p", MaxRows: 2},
		&pgproto3.Execute{Portal: "p", MaxRows: 2},
		&pgproto3.Close{ObjectType: 'P', Name: "p"},
		&pgproto3.Parse{Query: "BEGIN"},
		&pgproto3.Bind{},
		&pgproto3.Describe{ObjectType: 'P'},
		&pgproto3.Execute{},
		&pgproto3.Sync{},
	)
	want := []string{
		"*pgproto3.ParseComplete", "*pgproto3.ParameterDescription", "RowDescription [?column?:23]",
		"*pgproto3.BindComplete", "RowDescription [?column?:23]",
		"DataRow [0]", "DataRow [1]", "*pgproto3.PortalSuspended",
		"DataRow [2]", "DataRow [3]", "*pgproto3.PortalSuspended",
		"DataRow [4]", "CommandComplete SELECT 5",
		"*pgproto3.CloseComplete",
		"*pgproto3.ParseComplete", "*pgproto3.BindComplete", "*pgproto3.NoData", "CommandComplete BEGIN",
		"ReadyForQuery T",
	}
	if got := r.recvUntilReady(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}

	// After an error everything up to Sync is skipped, the Query too.
	r.send(
		&pgproto3.Bind{PreparedStatement: "nosuch"},
		&pgproto3.Execute{},
		&pgproto3.Query{String: "SELECT 1"},
		&pgproto3.Describe{ObjectType: 'X'},
		&pgproto3.Sync{},
	)
	want = []string{`ErrorResponse ERROR 26000 prepared statement "nosuch" does not exist`, "ReadyForQuery E"}
	if got := r.recvUntilReady(); !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	// A bad Describe subtype is an ERROR, not the end of the connection.
	r.send(&pgproto3.Describe{ObjectType: 'X'}, &pgproto3.Sync{}, &pgproto3.Query{String: "ROLLBACK"})
	want = []string{"ErrorResponse ERROR 08P01 invalid DESCRIBE message subtype 88", "ReadyForQuery E",
		"CommandComplete ROLLBACK", "ReadyForQuery I"}
	got := r.recvUntilReady()
	got = append(got, r.recvUntilReady()...)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
	// Out-of-COPY CopyData is ignored; Flush is harmless.
	r.send(&pgproto3.CopyData{Data: []byte("x")}, &pgproto3.Flush{}, &pgproto3.Query{String: "SELECT 1"})
	if got := r.recvUntilReady(); len(got) != 4 {
		t.Fatalf("got %q", got)
	}

	// pgx in its default (extended) mode.
	c := connectPgx(t, s, "root")
	ctx := context.Background()
	var n int
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("SELECT 1: %d %v", n, err)
	}
	_, err := c.Exec(ctx, "SELECT syntax")
	if pe := pgErr(t, err); pe.Code != "42601" {
		t.Fatalf("got %+v", pe)
	}
	if err := c.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("after extended error: %d %v", n, err)
	}
}

// TestBadClients sends malformed, unknown and oversized messages: each
// ends its own connection with FATAL 08P01 and nothing else.
func TestBadClients(t *testing.T) {
	s, f := startServer(t, Config{MaxMessageSize: 1024})
	good := connectPgx(t, s, "root")
	ctx := context.Background()
	for _, tc := range []struct {
		name  string
		bytes []byte
	}{
		{"bad length", []byte{'Q', 0, 0, 0, 2}},
		{"negative length", []byte{'Q', 0x80, 0, 0, 0}},
		{"garbage type", []byte{'z', 0, 0, 0, 4}},
		{"password after startup", []byte{'p', 0, 0, 0, 5, 0}},
		{"query without NUL", []byte{'Q', 0, 0, 0, 6, 'a', 'b'}},
		{"oversized", append([]byte{'Q', 0, 0, 0x10, 0}, make([]byte, 4092)...)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := dialRaw(t, s)
			r.startup(map[string]string{"user": "root"})
			r.writeRaw(tc.bytes)
			if m := r.recv(); !strings.HasPrefix(m, "ErrorResponse FATAL 08P01") {
				t.Fatalf("got %q", m)
			}
			r.expectClosed()
		})
	}
	t.Run("bad startup length", func(t *testing.T) {
		r := dialRaw(t, s)
		r.writeRaw([]byte{0, 0, 0, 2})
		if m := r.recv(); !strings.HasPrefix(m, "ErrorResponse FATAL 08P01") {
			t.Fatalf("got %q", m)
		}
		r.expectClosed()
	})
	t.Run("vanish mid-startup", func(t *testing.T) {
		r := dialRaw(t, s)
		r.writeRaw([]byte{0, 0, 0, 100, 0, 3})
		_ = r.nc.Close()
	})
	waitFor(t, "bad connections gone", func() bool { return s.numConns() == 1 })
	var n int
	if err := good.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
		t.Fatalf("good connection: %d %v", n, err)
	}
	if got, want := f.closed.Load(), int32(6); got != want {
		t.Fatalf("%d sessions closed, want %d", got, want)
	}
}

func TestStartupTimeout(t *testing.T) {
	s, _ := startServer(t, Config{StartupTimeout: 100 * time.Millisecond})
	r := dialRaw(t, s)
	// Say nothing: the server gives up.
	if m := r.recv(); !strings.HasPrefix(m, "ErrorResponse FATAL 08P01") {
		t.Fatalf("got %q", m)
	}
	r.expectClosed()
	// The deadline does not outlive startup.
	c := connectPgx(t, s, "root")
	time.Sleep(200 * time.Millisecond)
	if _, err := c.Exec(context.Background(), "SELECT 1"); err != nil {
		t.Fatal(err)
	}
}

func TestClientVanishesMidQuery(t *testing.T) {
	s, f := startServer(t, Config{})
	r := dialRaw(t, s)
	r.startup(map[string]string{"user": "root"})
	r.send(&pgproto3.Query{String: "SELECT sleep"})
	recvChan(t, f.started, "query start")
	_ = r.nc.Close()
	if cause := recvChan(t, f.canceled, "query cancel"); !errors.Is(cause, errClientGone) {
		t.Fatalf("cause %v", cause)
	}
	waitFor(t, "session closed", func() bool { return f.closed.Load() == 1 })
	waitFor(t, "connection gone", func() bool { return s.numConns() == 0 })
}

func TestLargeResultStreams(t *testing.T) {
	s, f := startServer(t, Config{})
	r := dialRaw(t, s)
	r.startup(map[string]string{"user": "root"})
	r.send(&pgproto3.Query{String: "SELECT stream"})
	// Rows arrive while the statement is still running.
	if m := r.recv(); !strings.HasPrefix(m, "RowDescription") {
		t.Fatalf("got %q", m)
	}
	if m := r.recv(); !strings.HasPrefix(m, "DataRow") {
		t.Fatalf("got %q", m)
	}
	recvChan(t, f.started, "stream blocked")
	close(f.release)
	got := r.recvUntilReady()
	if n := len(got); got[n-2] != "CommandComplete SELECT 0" || got[n-1] != "ReadyForQuery I" {
		t.Fatalf("tail %q", got[n-2:])
	}
}

func TestCancelRequest(t *testing.T) {
	s, f := startServer(t, Config{})
	busy := connectPgx(t, s, "root")
	other := connectPgx(t, s, "root")
	ctx := context.Background()

	errc := make(chan error, 1)
	go func() {
		_, err := busy.Exec(ctx, "SELECT sleep")
		errc <- err
	}()
	recvChan(t, f.started, "query start")

	// A wrong secret key cancels nothing.
	bad := dialRaw(t, s)
	wrongKey := append([]byte(nil), busy.PgConn().SecretKey()...)
	wrongKey[0] ^= 0xff
	bad.writeRaw(cancelRequestBytes(busy.PgConn().PID(), wrongKey))
	bad.expectClosed()
	select {
	case err := <-errc:
		t.Fatalf("query ended by a wrong key: %v", err)
	case <-time.After(50 * time.Millisecond):
	}

	if err := busy.PgConn().CancelRequest(ctx); err != nil {
		t.Fatal(err)
	}
	err := recvChan(t, errc, "canceled query")
	if pe := pgErr(t, err); pe.Code != "57014" || pe.Message != "canceling statement due to user request" {
		t.Fatalf("got %+v", pe)
	}
	if cause := recvChan(t, f.canceled, "cancel cause"); !errors.Is(cause, errCancelRequested) {
		t.Fatalf("cause %v", cause)
	}
	// Both connections carry on.
	for _, c := range []*pgx.Conn{busy, other} {
		var n int
		if err := c.QueryRow(ctx, "SELECT 1").Scan(&n); err != nil || n != 1 {
			t.Fatalf("after cancel: %d %v", n, err)
		}
	}
}

func TestSessionFatalAndPanic(t *testing.T) {
	s, f := startServer(t, Config{})
	for _, q := range []string{"SELECT fatal", "SELECT panic"} {
		r := dialRaw(t, s)
		r.startup(map[string]string{"user": "root"})
		r.send(&pgproto3.Query{String: q})
		if m := r.recv(); !strings.HasPrefix(m, "ErrorResponse FATAL XX000") {
			t.Fatalf("%s: got %q", q, m)
		}
		r.expectClosed()
	}
	waitFor(t, "sessions closed", func() bool { return f.closed.Load() == 2 })
	connectPgx(t, s, "root") // still serving
}

func TestDrain(t *testing.T) {
	s, f := startServer(t, Config{})
	idle := dialRaw(t, s)
	idle.startup(map[string]string{"user": "root"})
	busy := dialRaw(t, s)
	busy.startup(map[string]string{"user": "root"})
	busy.send(&pgproto3.Query{String: "SELECT slow"})
	recvChan(t, f.started, "slow start")

	drained := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), testTimeout)
		defer cancel()
		drained <- s.Drain(ctx)
	}()
	// The idle connection is told and closed at once.
	if m := idle.recv(); m != "ErrorResponse FATAL 57P01 terminating connection due to administrator command" {
		t.Fatalf("idle got %q", m)
	}
	idle.expectClosed()
	// No new connections.
	waitFor(t, "listener closed", func() bool {
		_, err := tryConnectPgx(s, "root", "db")
		return err != nil
	})
	// The running query finishes, then its connection is closed.
	close(f.release)
	got := busy.recvUntilReady()
	if want := []string{"RowDescription [?column?:23]", "DataRow [1]", "CommandComplete SELECT 1", "ReadyForQuery I"}; !reflect.DeepEqual(got, want) {
		t.Fatalf("busy got %q", got)
	}
	if m := busy.recv(); !strings.HasPrefix(m, "ErrorResponse FATAL 57P01") {
		t.Fatalf("busy got %q", m)
	}
	busy.expectClosed()
	if err := recvChan(t, drained, "drain"); err != nil {
		t.Fatalf("Drain: %v", err)
	}
	if n := f.closed.Load(); n != 2 {
		t.Fatalf("%d sessions closed", n)
	}
}

func TestDrainDeadline(t *testing.T) {
	s, f := startServer(t, Config{})
	busy := dialRaw(t, s)
	busy.startup(map[string]string{"user": "root"})
	busy.send(&pgproto3.Query{String: "SELECT sleep"})
	recvChan(t, f.started, "sleep start")

	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	if err := s.Drain(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Drain: %v", err)
	}
	if cause := recvChan(t, f.canceled, "cancel"); !errors.Is(cause, errAdminShutdown) {
		t.Fatalf("cause %v", cause)
	}
	if m := busy.recv(); m != "ErrorResponse FATAL 57P01 terminating connection due to administrator command" {
		t.Fatalf("busy got %q", m)
	}
	busy.expectClosed()
	if s.numConns() != 0 || f.closed.Load() != 1 {
		t.Fatalf("conns %d, closed %d", s.numConns(), f.closed.Load())
	}
	// Serving after Drain is refused.
	if err := s.Start(); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Start after Drain: %v", err)
	}
}

func TestConfigValidation(t *testing.T) {
	f := newFakeFactory()
	for _, cfg := range []Config{
		{},
		{Sessions: f, ServerVersion: "16.1"},
		{Sessions: f, MaxMessageSize: -1},
		{Sessions: f, StartupTimeout: -time.Second},
	} {
		if _, err := New(cfg); err == nil {
			t.Errorf("New(%+v) succeeded", cfg)
		}
	}
	s, err := New(Config{Sessions: f})
	if err != nil || s.cfg.MaxMessageSize != DefaultMaxMessageSize || s.cfg.ServerVersion != DefaultServerVersion {
		t.Fatalf("defaults: %+v %v", s.cfg, err)
	}
}

// TestPipelinedThenVanish: a query pipelined by a client that then hangs
// up is canceled whether or not it started before the hang-up was seen.
func TestPipelinedThenVanish(t *testing.T) {
	s, f := startServer(t, Config{})
	for range 20 {
		r := dialRaw(t, s)
		r.startup(map[string]string{"user": "root"})
		r.send(&pgproto3.Query{String: "SELECT slow"})
		_ = r.nc.Close()
		if cause := recvChan(t, f.canceled, "cancel"); !errors.Is(cause, errClientGone) {
			t.Fatalf("cause %v", cause)
		}
	}
	waitFor(t, "connections gone", func() bool { return s.numConns() == 0 })
}

// TestServeOwnListener: Serve on a caller's listener returns
// ErrServerClosed at Close, and its connections are terminated.
func TestServeOwnListener(t *testing.T) {
	f := newFakeFactory()
	s, err := New(Config{Sessions: f})
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	served := make(chan error, 1)
	go func() { served <- s.Serve(ln) }()
	nc, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := &rawConn{t: t, nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
	_ = nc.SetDeadline(time.Now().Add(testTimeout))
	r.startup(map[string]string{"user": "root"})
	r.send(&pgproto3.Query{String: "SELECT 1"})
	if got := r.recvUntilReady(); len(got) != 4 {
		t.Fatalf("got %q", got)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	if err := recvChan(t, served, "Serve"); !errors.Is(err, ErrServerClosed) {
		t.Fatalf("Serve: %v", err)
	}
	if m := r.recv(); !strings.HasPrefix(m, "ErrorResponse FATAL 57P01") {
		t.Fatalf("got %q", m)
	}
	_ = nc.Close()
}

func TestErrServerClosedIsNetErrClosed(t *testing.T) {
	if !errors.Is(ErrServerClosed, net.ErrClosed) {
		t.Fatal("ErrServerClosed does not wrap net.ErrClosed")
	}
}
