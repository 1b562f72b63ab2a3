package tests

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
	"github.com/rangedb/rangedb/server"
)

// TestHardening tries, against the real binary over the wire, what a
// hostile or careless client would do to take a node down or tie it up:
// statements nested too deep, statements too large, long statements
// canceled every way there is, idle and half-sent connections, too many
// connections. After each, the node must be up and idle again.
func TestHardening(t *testing.T) {
	bin := buildBinary(t)
	p := startBinary(t, bin, t.TempDir(), "--max-connections=8", "--authentication-timeout=2s")
	admin := connect(t, p.url)
	mustExec(t, admin, "CREATE TABLE big (a INT PRIMARY KEY, b INT)")
	var vals []string
	for i := range 3000 {
		vals = append(vals, fmt.Sprintf("(%d,%d)", i, i%7))
	}
	mustExec(t, admin, "INSERT INTO big VALUES "+strings.Join(vals, ","))
	hardenWaitIdle(t, p)
	baseline := hardenGoroutines(t, p)

	t.Run("deep statements", func(t *testing.T) { hardenDeepStatements(t, p, admin) })
	t.Run("large statements", func(t *testing.T) { hardenLargeStatements(t, p, admin) })
	t.Run("cancellation", func(t *testing.T) { hardenCancellation(t, p, admin) })
	t.Run("pg_stat_activity", func(t *testing.T) { hardenStatActivity(t, p, admin) })
	t.Run("idle timeouts", func(t *testing.T) { hardenIdleTimeouts(t, p) })
	t.Run("max_connections", func(t *testing.T) { hardenMaxConnections(t, p) })

	// Whatever ran, the node is idle again and holds no goroutine more
	// than before (a few for the connections open now).
	hardenWaitIdle(t, p)
	deadline := time.Now().Add(5 * time.Second)
	for {
		n := hardenGoroutines(t, p)
		if n <= baseline+3 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("goroutines: %d, baseline %d", n, baseline)
		}
		time.Sleep(100 * time.Millisecond)
	}
	if got := query(t, admin, "SELECT count(*) FROM big"); got[0][0] != "3000" {
		t.Fatalf("rows after the abuse: %v", got)
	}
}

// hardenDeepShapes are statements of every shape whose parse tree is n
// deep.
func hardenDeepShapes(n int) map[string]string {
	rep := strings.Repeat
	chain := func(term, op string) string { return strings.TrimSuffix(rep(term+op, n), op) }
	return map[string]string{
		"plus chain":    "SELECT " + chain("1", "+"),
		"concat chain":  "SELECT " + chain("'a'", "||"),
		"parentheses":   "SELECT " + rep("(", n) + "1" + rep(")", n),
		"function call": "SELECT " + rep("abs(", n) + "1" + rep(")", n),
		"case":          "SELECT " + rep("CASE WHEN true THEN ", n) + "1" + rep(" END", n),
		"subquery":      "SELECT " + rep("(SELECT ", n) + "1" + rep(")", n),
		"array":         "SELECT " + rep("ARRAY[", n) + "1" + rep("]", n),
		"unary minus":   "SELECT " + rep("- ", n) + "1",
		"not":           "SELECT " + rep("NOT ", n) + "true",
		"in subquery":   "SELECT 1 WHERE 1 IN " + rep("(SELECT 1 WHERE 1 IN ", n) + "(1)" + rep(")", n),
	}
}

func hardenDeepStatements(t *testing.T, p *proc, conn *pgx.Conn) {
	for _, n := range []int{5000, 30000} {
		for shape, sql := range hardenDeepShapes(n) {
			pe := execErr(t, conn, sql)
			if pe.Code != "54001" || pe.Message != "stack depth limit exceeded" || !strings.Contains(pe.Hint, "max_stack_depth") {
				t.Errorf("%s ×%d: %s %s (hint %q), want 54001 stack depth limit exceeded", shape, n, pe.Code, pe.Message, pe.Hint)
			}
			hardenAlive(t, p, conn)
		}
	}
	// Long flat lists are not deep: they run.
	for name, sql := range map[string]string{
		"AND chain": "SELECT count(*) FROM big WHERE " + strings.Repeat("b < 100 AND ", 20000) + "true",
		"OR chain":  "SELECT count(*) FROM big WHERE " + strings.Repeat("b = -1 OR ", 20000) + "true",
		"IN list":   "SELECT count(*) FROM big WHERE a IN (" + strings.TrimSuffix(strings.Repeat("5,", 20000), ",") + ")",
		"VALUES":    "SELECT count(*) FROM (VALUES " + strings.TrimSuffix(strings.Repeat("(1),", 20000), ",") + ") v",
	} {
		if _, err := conn.Exec(context.Background(), sql); err != nil {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func hardenLargeStatements(t *testing.T, p *proc, conn *pgx.Conn) {
	// A 7 MB IN list: refused before the parser allocates (a few times
	// its size at most), with work_mem named.
	in := "SELECT count(*) FROM big WHERE a IN (" + strings.TrimSuffix(strings.Repeat("1,", 3_500_000), ",") + ")"
	before := hardenPeakRSS(t, p)
	pe := execErr(t, conn, in)
	if pe.Code != "53200" || !strings.Contains(pe.Detail, "work_mem") {
		t.Errorf("7 MB IN list: %s %s (%s), want 53200", pe.Code, pe.Message, pe.Detail)
	}
	if after := hardenPeakRSS(t, p); after > before+64<<20 {
		t.Errorf("7 MB IN list raised the peak RSS from %d MB to %d MB", before>>20, after>>20)
	}
	hardenAlive(t, p, conn)

	// A sort larger than a small work_mem fails alone.
	mustExec(t, conn, "SET work_mem = '1MB'")
	pe = execErr(t, conn, "SELECT x.a, y.a FROM big x, big y WHERE y.a < 300 ORDER BY x.b + y.b")
	if pe.Code != "53200" || !strings.Contains(pe.Detail, "sort") || !strings.Contains(pe.Detail, "work_mem = 1024kB") {
		t.Errorf("sort over work_mem: %s %s (%s), want 53200", pe.Code, pe.Message, pe.Detail)
	}
	// The 7 MB IN list too, and the peak RSS stays where it was.
	pe = execErr(t, conn, in)
	if pe.Code != "53200" {
		t.Errorf("7 MB IN list under a small work_mem: %s %s, want 53200", pe.Code, pe.Message)
	}
	if after := hardenPeakRSS(t, p); after > before+64<<20 {
		t.Errorf("7 MB IN list raised the peak RSS from %d MB to %d MB", before>>20, after>>20)
	}
	mustExec(t, conn, "RESET work_mem")
	if got := query(t, conn, "SHOW work_mem"); got[0][0] != "64MB" {
		t.Errorf("work_mem after RESET: %v", got)
	}
	pe = execErr(t, conn, "SET work_mem = '1 parsec'")
	if pe.Code != "22023" || !strings.Contains(pe.Hint, `"kB"`) {
		t.Errorf("bad work_mem: %s %s %s", pe.Code, pe.Message, pe.Hint)
	}
	hardenAlive(t, p, conn)
}

// hardenLongStatements are statements that would run for minutes: a join
// of each kind, a sort, an aggregate, a window function, a set operation
// and a correlated subquery, all over big ⋈ big, and recursions that never
// end.
var hardenLongStatements = map[string]string{
	"nested-loop join": "SELECT count(*) FROM big x, big y, big z WHERE x.b + y.b + z.b = -1",
	"hash join":        "SELECT count(*) FROM big x JOIN big y ON x.b = y.b JOIN big z ON y.b = z.b WHERE x.a + z.a = -1",
	"left join":        "SELECT count(*) FROM big x LEFT JOIN big y ON x.b = y.b LEFT JOIN big z ON y.b = z.b WHERE z.a = -1",
	"sort":             "SELECT x.a FROM big x, big y, big z ORDER BY x.b + y.b + z.b LIMIT 1",
	"aggregate":        "SELECT x.b + y.b + z.b, count(*) FROM big x, big y, big z GROUP BY 1",
	"set operation":    "SELECT x.a + y.a + z.a FROM big x, big y, big z EXCEPT SELECT 1",
	"subquery":         "SELECT count(*) FROM big x WHERE x.a IN (SELECT y.a + z.a FROM big y, big z WHERE y.b + z.b = -1)",
	"window":           "SELECT sum(x.a) OVER (ORDER BY x.b + y.b) FROM big x, big y, big z LIMIT 1",
	"recursive":        "WITH RECURSIVE r(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM r) SELECT count(*) FROM r",
	"recursive union":  "WITH RECURSIVE r(n) AS (SELECT 1::bigint UNION SELECT r.n + 1 FROM r JOIN big ON big.a = 1) SELECT max(n) FROM r",
}

func hardenCancellation(t *testing.T, p *proc, admin *pgx.Conn) {
	ctx := context.Background()
	for name, sql := range hardenLongStatements {
		t.Run(name, func(t *testing.T) {
			// statement_timeout.
			c := connect(t, p.url)
			// Room for the buffering operators (sort, window, set
			// operation) to run until they are stopped: with the default
			// 64MB a fast machine fills it (53200) before the cancel
			// arrives.
			mustExec(t, c, "SET work_mem = '1GB'")
			mustExec(t, c, "SET statement_timeout = '200ms'")
			pe := execErr(t, c, sql)
			if pe.Code != "57014" || pe.Message != "canceling statement due to statement timeout" {
				t.Errorf("statement_timeout: %s %s", pe.Code, pe.Message)
			}
			hardenAlive(t, p, c)
			mustExec(t, c, "RESET statement_timeout")

			// CancelRequest.
			pe = hardenRunAndStop(t, c, sql, func() {
				cctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				defer cancel()
				if err := c.PgConn().CancelRequest(cctx); err != nil {
					t.Errorf("CancelRequest: %v", err)
				}
			})
			if pe == nil || pe.Code != "57014" || pe.Message != "canceling statement due to user request" {
				t.Errorf("CancelRequest: %v", pe)
			}
			hardenAlive(t, p, c)

			// pg_cancel_backend from another session.
			pid := c.PgConn().PID()
			pe = hardenRunAndStop(t, c, sql, func() {
				if got := query(t, admin, fmt.Sprintf("SELECT pg_cancel_backend(%d)", pid)); got[0][0] != "t" {
					t.Errorf("pg_cancel_backend: %v", got)
				}
			})
			if pe == nil || pe.Code != "57014" || pe.Message != "canceling statement due to user request" {
				t.Errorf("pg_cancel_backend: %v", pe)
			}
			hardenAlive(t, p, c)

			// pg_terminate_backend: FATAL 57P01, the connection ends.
			pe = hardenRunAndStop(t, c, sql, func() {
				query(t, admin, fmt.Sprintf("SELECT pg_terminate_backend(%d)", pid))
			})
			if pe == nil || pe.Code != "57P01" || pe.Severity != "FATAL" {
				t.Errorf("pg_terminate_backend: %v", pe)
			}
			if !c.IsClosed() {
				if _, err := c.Exec(ctx, "SELECT 1"); err == nil {
					t.Errorf("connection usable after pg_terminate_backend")
				}
			}

			// The client vanishes mid-statement.
			v := connect(t, p.url)
			hardenRunAndStop(t, v, sql, func() { _ = v.PgConn().Conn().Close() })
			hardenWaitIdle(t, p)
		})
	}
	if got := query(t, admin, "SELECT pg_cancel_backend(12345), pg_terminate_backend(12345)"); got[0][0] != "f" || got[0][1] != "f" {
		t.Errorf("signals to a pid that is not a backend: %v", got)
	}
}

// hardenRunAndStop runs sql on c, calls stop once it is running (the
// server's CPU is busy), and returns the statement's error. The statement
// must end within 5 s of stop, and the server go idle.
func hardenRunAndStop(t *testing.T, c *pgx.Conn, sql string, stop func()) *pgconn.PgError {
	t.Helper()
	done := make(chan error, 1)
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
		defer cancel()
		_, err := c.Exec(ctx, sql)
		done <- err
	}()
	time.Sleep(150 * time.Millisecond)
	stop()
	var err error
	select {
	case err = <-done:
	case <-time.After(5 * time.Second):
		t.Fatalf("%s: still running 5 s after it was stopped", sql)
	}
	var pe *pgconn.PgError
	if err != nil && !errors.As(err, &pe) {
		return nil
	}
	if err == nil {
		t.Errorf("%s: finished without error", sql)
	}
	return pe
}

func hardenStatActivity(t *testing.T, p *proc, admin *pgx.Conn) {
	c := connect(t, p.url)
	mustExec(t, c, "SET application_name = 'harden'")
	mustExec(t, c, "BEGIN")
	mustExec(t, c, "SELECT 1")
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := query(t, admin, "SELECT pid, usename, datname, application_name, state, query, client_addr FROM pg_stat_activity WHERE application_name = 'harden'")
		want := []string{strconv.Itoa(int(c.PgConn().PID())), "root", "defaultdb", "harden", "idle in transaction", "SELECT 1", "127.0.0.1"}
		if len(got) == 1 && strings.Join(got[0], "|") == strings.Join(want, "|") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("pg_stat_activity: %v, want %v", got, want)
		}
		time.Sleep(20 * time.Millisecond)
	}
	got := query(t, admin, "SELECT state, pid = pg_backend_pid() FROM pg_stat_activity WHERE pid = pg_backend_pid()")
	if len(got) != 1 || got[0][0] != "active" || got[0][1] != "t" {
		t.Errorf("own row in pg_stat_activity: %v", got)
	}
	mustExec(t, c, "COMMIT")
}

func hardenIdleTimeouts(t *testing.T, p *proc) {
	for _, tc := range []struct {
		set, begin, code string
	}{
		{"SET idle_session_timeout = '300ms'", "", "57P05"},
		{"SET idle_in_transaction_session_timeout = '300ms'", "BEGIN", "25P03"},
	} {
		raw := hardenDialRaw(t, p)
		raw.simple(t, tc.set)
		if tc.begin != "" {
			raw.simple(t, tc.begin)
		}
		msg := raw.receive(t, 5*time.Second)
		er, ok := msg.(*pgproto3.ErrorResponse)
		if !ok || er.Severity != "FATAL" || er.Code != tc.code {
			t.Errorf("%s: got %#v, want FATAL %s", tc.set, msg, tc.code)
		}
	}
	// A message begun and never finished: the connection is closed after
	// --authentication-timeout (2 s here).
	raw := hardenDialRaw(t, p)
	if _, err := raw.nc.Write([]byte{'Q', 0, 0, 0, 100, 'S', 'E'}); err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	msg := raw.receive(t, 10*time.Second)
	if er, ok := msg.(*pgproto3.ErrorResponse); !ok || er.Code != "08P01" {
		t.Errorf("half-sent message: got %#v, want FATAL 08P01", msg)
	}
	if d := time.Since(start); d > 8*time.Second {
		t.Errorf("half-sent message closed after %s", d)
	}
	// So is a startup packet begun and never finished.
	nc, err := net.Dial("tcp", strings.TrimPrefix(strings.Split(p.url, "/")[2], "root@"))
	if err != nil {
		t.Fatal(err)
	}
	defer nc.Close()
	_, _ = nc.Write([]byte{0, 0, 0, 80, 0, 3})
	_ = nc.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 1024)
	for {
		if _, err := nc.Read(buf); err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				t.Errorf("half-sent startup packet still open after 10 s")
			}
			break
		}
	}
}

func hardenMaxConnections(t *testing.T, p *proc) {
	// The test holds the admin connection; open up to the limit of 8.
	var conns []*pgx.Conn
	var err error
	for range 20 {
		var c *pgx.Conn
		c, err = connectErr(p.url)
		if err != nil {
			break
		}
		conns = append(conns, c)
	}
	defer func() {
		for _, c := range conns {
			_ = c.Close(context.Background())
		}
	}()
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "53300" || pe.Message != "sorry, too many clients already" {
		t.Fatalf("connection past max_connections: %v", err)
	}
	if got := query(t, conns[0], "SHOW max_connections"); got[0][0] != "8" {
		t.Errorf("max_connections: %v", got)
	}
	// Closing one makes room for the next.
	_ = conns[len(conns)-1].Close(context.Background())
	conns = conns[:len(conns)-1]
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := connectErr(p.url)
		if err == nil {
			conns = append(conns, c)
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("no room after a close: %v", err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// hardenAlive checks the server answers on conn.
func hardenAlive(t *testing.T, p *proc, conn *pgx.Conn) {
	t.Helper()
	if p.cmd.ProcessState != nil {
		t.Fatalf("server exited: %v\n%s", p.cmd.ProcessState, p.logs.String())
	}
	if got := query(t, conn, "SELECT 1"); len(got) != 1 || got[0][0] != "1" {
		t.Fatalf("SELECT 1: %v", got)
	}
}

// hardenCPU returns the server process's CPU time.
func hardenCPU(t *testing.T, p *proc) time.Duration {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	f := strings.Fields(string(b[strings.LastIndexByte(string(b), ')')+2:]))
	utime, _ := strconv.Atoi(f[11])
	stime, _ := strconv.Atoi(f[12])
	return time.Duration(utime+stime) * 10 * time.Millisecond // USER_HZ is 100 on Linux
}

// hardenWaitIdle waits until the server uses (almost) no CPU.
func hardenWaitIdle(t *testing.T, p *proc) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for {
		a := hardenCPU(t, p)
		time.Sleep(300 * time.Millisecond)
		if used := hardenCPU(t, p) - a; used <= 60*time.Millisecond {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("server still busy 5 s after its statements were stopped")
		}
	}
}

// hardenPeakRSS returns the server's peak resident set size.
func hardenPeakRSS(t *testing.T, p *proc) int64 {
	t.Helper()
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", p.cmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	for _, l := range strings.Split(string(b), "\n") {
		if v, ok := strings.CutPrefix(l, "VmHWM:"); ok {
			kb, _ := strconv.ParseInt(strings.TrimSpace(strings.TrimSuffix(strings.TrimSpace(v), "kB")), 10, 64)
			return kb << 10
		}
	}
	t.Fatal("no VmHWM")
	return 0
}

// hardenGoroutines reads go_goroutines from the server's /metrics.
func hardenGoroutines(t *testing.T, p *proc) int {
	t.Helper()
	resp, err := http.Get("http://" + p.httpAddr + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	sc := bufio.NewScanner(resp.Body)
	for sc.Scan() {
		if v, ok := strings.CutPrefix(sc.Text(), "go_goroutines "); ok {
			n, _ := strconv.ParseFloat(v, 64)
			return int(n)
		}
	}
	t.Fatal("no go_goroutines in /metrics")
	return 0
}

// hardenRaw is a raw protocol connection past startup.
type hardenRaw struct {
	nc net.Conn
	fe *pgproto3.Frontend
	mu sync.Mutex
}

func hardenDialRaw(t *testing.T, p *proc) *hardenRaw {
	t.Helper()
	addr := strings.TrimPrefix(strings.Split(p.url, "/")[2], "root@")
	nc, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = nc.Close() })
	r := &hardenRaw{nc: nc, fe: pgproto3.NewFrontend(nc, nc)}
	r.fe.Send(&pgproto3.StartupMessage{ProtocolVersion: pgproto3.ProtocolVersion30,
		Parameters: map[string]string{"user": "root", "database": "defaultdb"}})
	if err := r.fe.Flush(); err != nil {
		t.Fatal(err)
	}
	for {
		if _, ok := r.receive(t, 10*time.Second).(*pgproto3.ReadyForQuery); ok {
			return r
		}
	}
}

// simple runs a query and reads up to ReadyForQuery.
func (r *hardenRaw) simple(t *testing.T, sql string) {
	t.Helper()
	r.fe.Send(&pgproto3.Query{String: sql})
	if err := r.fe.Flush(); err != nil {
		t.Fatal(err)
	}
	for {
		m := r.receive(t, 10*time.Second)
		if er, ok := m.(*pgproto3.ErrorResponse); ok {
			t.Fatalf("%s: %s %s", sql, er.Code, er.Message)
		}
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			return
		}
	}
}

func (r *hardenRaw) receive(t *testing.T, d time.Duration) pgproto3.BackendMessage {
	t.Helper()
	_ = r.nc.SetReadDeadline(time.Now().Add(d))
	m, err := r.fe.Receive()
	if err != nil {
		t.Fatalf("receive: %v", err)
	}
	return m
}

// TestNodeMemoryPool: statements and transactions' write buffers share
// the node's SQL memory (--max-sql-memory); past it a statement fails
// with 53200 whatever its work_mem, and what it held is returned, so the
// next statement that fits runs.
func TestNodeMemoryPool(t *testing.T) {
	s := startNode(t, server.Config{MaxSQLMemory: 3 << 20})
	conn := connect(t, s.URL())
	mustExec(t, conn, "CREATE TABLE m (a INT PRIMARY KEY, b TEXT)")
	mustExec(t, conn, "INSERT INTO m SELECT * FROM (VALUES "+hardenRows(2000, 200)+") v")
	for range 3 {
		pe := execErr(t, conn, "SELECT x.a, y.b FROM m x, m y WHERE y.a < 20 ORDER BY x.b || y.b")
		if pe.Code != "53200" || !strings.Contains(pe.Detail, "node's SQL memory") {
			t.Fatalf("sort over the node's pool: %s %s (%s)", pe.Code, pe.Message, pe.Detail)
		}
		// What the failed sort held was returned: a sort of 1 MB fits.
		if got := query(t, conn, "SELECT count(*) FROM (SELECT b FROM m ORDER BY b DESC) s"); got[0][0] != "2000" {
			t.Fatalf("sort that fits: %v", got)
		}
	}
	// A transaction's write buffer draws on the same pool.
	mustExec(t, conn, "BEGIN")
	var pe *pgconn.PgError
	for i := range 100 {
		_, err := conn.Exec(context.Background(), fmt.Sprintf("INSERT INTO m SELECT a + %d, b FROM m WHERE a < 2000", (i+1)*2000))
		if errors.As(err, &pe) {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
	}
	if pe == nil || pe.Code != "53200" {
		t.Fatalf("transaction writes past the node's pool: %v", pe)
	}
	mustExec(t, conn, "ROLLBACK")
	if got := query(t, conn, "SELECT count(*) FROM (SELECT b FROM m ORDER BY b DESC) s"); got[0][0] != "2000" {
		t.Fatalf("after the rollback: %v", got)
	}
}

// hardenRows returns n VALUES rows (i, 'xxx…') with width-byte strings.
func hardenRows(n, width int) string {
	rows := make([]string, n)
	for i := range rows {
		rows[i] = fmt.Sprintf("(%d, '%d%s')", i, i, strings.Repeat("x", width))
	}
	return strings.Join(rows, ",")
}

// TestReadCommittedUpdatesNeverFail40001: under READ COMMITTED an UPDATE
// that meets a concurrent writer of its row waits and re-reads the row
// inside the server, as PostgreSQL does; clients never see 40001. Eight
// clients run TPC-B-like transactions on hot rows, explicit and implicit,
// over both protocols.
func TestReadCommittedUpdatesNeverFail40001(t *testing.T) {
	s := startNode(t, server.Config{})
	admin := connect(t, s.URL())
	mustExec(t, admin, "CREATE TABLE br (bid INT PRIMARY KEY, bbalance INT)")
	mustExec(t, admin, "CREATE TABLE te (tid INT PRIMARY KEY, bid INT, tbalance INT)")
	mustExec(t, admin, "CREATE TABLE ac (aid INT PRIMARY KEY, bid INT, abalance INT)")
	mustExec(t, admin, "CREATE TABLE hi (tid INT, bid INT, aid INT, delta INT)")
	mustExec(t, admin, "INSERT INTO br VALUES (1, 0)")
	mustExec(t, admin, "INSERT INTO te SELECT * FROM (VALUES (1,1,0),(2,1,0),(3,1,0),(4,1,0)) v")
	mustExec(t, admin, "INSERT INTO ac SELECT * FROM (VALUES (1,1,0),(2,1,0),(3,1,0),(4,1,0),(5,1,0),(6,1,0),(7,1,0),(8,1,0)) v")
	const workers, each = 8, 40
	var wg sync.WaitGroup
	errs := make(chan error, workers*each)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			cfg, err := pgx.ParseConfig(s.URL())
			if err != nil {
				errs <- err
				return
			}
			if w%2 == 0 {
				cfg.DefaultQueryExecMode = pgx.QueryExecModeSimpleProtocol
			}
			ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
			defer cancel()
			c, err := pgx.ConnectConfig(ctx, cfg)
			if err != nil {
				errs <- err
				return
			}
			defer c.Close(context.Background())
			for i := range each {
				aid, tid, delta := (w+i)%8+1, (w*7+i)%4+1, (i%5)-2
				run := func(q string, args ...any) {
					if err == nil {
						_, err = c.Exec(ctx, q, args...)
					}
				}
				if w%4 < 2 {
					run("BEGIN")
				}
				run("UPDATE ac SET abalance = abalance + $1 WHERE aid = $2", delta, aid)
				run("SELECT abalance FROM ac WHERE aid = $1", aid)
				run("UPDATE te SET tbalance = tbalance + $1 WHERE tid = $2", delta, tid)
				run("UPDATE br SET bbalance = bbalance + $1 WHERE bid = 1", delta)
				run("INSERT INTO hi VALUES ($1, 1, $2, $3)", tid, aid, delta)
				if w%4 < 2 {
					run("COMMIT")
				}
				if err != nil {
					errs <- fmt.Errorf("worker %d txn %d: %w", w, i, err)
					_, _ = c.Exec(ctx, "ROLLBACK")
					err = nil
					continue
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Errorf("%v", err)
	}
	// Every transaction (and every implicit statement) applied once.
	got := query(t, admin, "SELECT (SELECT sum(abalance) FROM ac), (SELECT sum(tbalance) FROM te), (SELECT bbalance FROM br), (SELECT sum(delta) FROM hi), (SELECT count(*) FROM hi)")
	if got[0][0] != got[0][3] || got[0][1] != got[0][3] || got[0][2] != got[0][3] || got[0][4] != strconv.Itoa(workers*each) {
		t.Errorf("balances (accounts, tellers, branch, history sum, history rows): %v", got)
	}
}

// TestBackendSignalsConcurrently reads pg_stat_activity and signals
// backends while they run statements, on an in-process node (so that
// `go test -race` sees the connection bookkeeping from every side).
func TestBackendSignalsConcurrently(t *testing.T) {
	s := startNode(t, server.Config{})
	admin := connect(t, s.URL())
	mustExec(t, admin, "CREATE TABLE sig (a INT PRIMARY KEY)")
	mustExec(t, admin, "INSERT INTO sig VALUES (0)")
	var wg sync.WaitGroup
	for w := range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 20 {
				c, err := connectErr(s.URL())
				if err != nil {
					t.Errorf("connect: %v", err)
					return
				}
				_, _ = c.Exec(context.Background(), fmt.Sprintf("SELECT %d + %d FROM sig", w, i))
				_ = c.Close(context.Background())
			}
		}()
	}
	for range 30 {
		rows := query(t, admin, "SELECT pid, state FROM pg_stat_activity WHERE pid <> pg_backend_pid()")
		for _, r := range rows {
			if r[1] == "" {
				t.Errorf("backend %s without a state", r[0])
			}
			query(t, admin, "SELECT pg_cancel_backend("+r[0]+")")
		}
	}
	wg.Wait()
	// Closed connections leave the list once the server has seen them go.
	deadline := time.Now().Add(5 * time.Second)
	for {
		got := query(t, admin, "SELECT count(*) FROM pg_stat_activity")
		if got[0][0] == "1" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("backends left: %v", got)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
