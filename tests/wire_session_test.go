package tests

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/rangedb/rangedb/server"
)

// TestCancelRequest cancels a long-running statement (a cross join
// counting 25 million rows, whose outer side scans from kv) with pgx's PgConn.CancelRequest, which sends
// the BackendKeyData the server gave in a CancelRequest on a new
// connection: the statement fails with 57014, the connection stays
// usable, and another connection's statement is not touched.
func TestCancelRequest(t *testing.T) {
	url := startNode(t, server.Config{}).URL()
	victim, other := connectExt(t, url), connectExt(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bigTable(t, victim)
	for _, mode := range []pgx.QueryExecMode{pgx.QueryExecModeCacheStatement, pgx.QueryExecModeSimpleProtocol} {
		t.Run(mode.String(), func(t *testing.T) {
			done := make(chan error, 1)
			start := time.Now()
			go func() {
				var n int64
				done <- victim.QueryRow(ctx, "SELECT count(*) FROM big a, big b WHERE a.k >= $1", mode, 0).Scan(&n)
			}()
			// Cancel until the statement ends: a CancelRequest that
			// arrives before the statement starts cancels nothing, as in
			// PostgreSQL.
			var err error
		wait:
			for {
				select {
				case err = <-done:
					break wait
				case <-time.After(100 * time.Millisecond):
					// Meanwhile another connection works normally.
					var one int
					if e := other.QueryRow(ctx, "SELECT 1").Scan(&one); e != nil || one != 1 {
						t.Fatalf("other connection: %d %v", one, e)
					}
					cctx, ccancel := context.WithTimeout(ctx, 5*time.Second)
					if e := victim.PgConn().CancelRequest(cctx); e != nil {
						t.Logf("CancelRequest: %v", e)
					}
					ccancel()
				}
			}
			var pe *pgconn.PgError
			if !errors.As(err, &pe) || pe.Code != "57014" || pe.Message != "canceling statement due to user request" {
				t.Fatalf("canceled statement returned %v after %s", err, time.Since(start))
			}
			var one int
			if err := victim.QueryRow(ctx, "SELECT 1").Scan(&one); err != nil || one != 1 {
				t.Fatalf("after cancel: %d %v", one, err)
			}
		})
	}
}

// TestStatementTimeout: statement_timeout cancels a statement with
// PostgreSQL's 57014 message.
func TestStatementTimeout(t *testing.T) {
	url := startNode(t, server.Config{}).URL()
	c := connectExt(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	bigTable(t, c)
	mustExecExt(t, c, "SET statement_timeout = '200ms'")
	var n int64
	err := c.QueryRow(ctx, "SELECT count(*) FROM big a, big b").Scan(&n)
	var pe *pgconn.PgError
	if !errors.As(err, &pe) || pe.Code != "57014" || pe.Message != "canceling statement due to statement timeout" {
		t.Fatalf("got %v", err)
	}
	mustExecExt(t, c, "RESET statement_timeout")
	if err := c.QueryRow(ctx, "SELECT count(*) FROM big").Scan(&n); err != nil || n != bigRows {
		t.Fatalf("after timeout: %d %v", n, err)
	}
}

// bigRows is the size of bigTable: its self cross join takes seconds,
// and its outer scan checks for cancellation every few milliseconds.
const bigRows = 5000

// bigTable creates table big with keys 0..bigRows-1.
func bigTable(t *testing.T, c *pgx.Conn) {
	t.Helper()
	mustExecExt(t, c, "CREATE TABLE big (k INT PRIMARY KEY)")
	for i := 0; i < bigRows; i += 1000 {
		var vals []string
		for k := i; k < i+1000; k++ {
			vals = append(vals, fmt.Sprintf("(%d)", k))
		}
		mustExecExt(t, c, "INSERT INTO big VALUES "+strings.Join(vals, ","))
	}
}

func mustExecExt(t *testing.T, c *pgx.Conn, sql string, args ...any) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if _, err := c.Exec(ctx, sql, args...); err != nil {
		t.Fatalf("%s: %v", sql, err)
	}
}

// TestSettingsOverTheWire checks what drivers see of settings: the
// startup parameters they send (as JDBC does), ParameterStatus after SET
// for the reported settings only, FATAL errors for bad startup settings,
// and the 0A000 of SERIALIZABLE, against PostgreSQL where the behaviour is
// the same.
func TestSettingsOverTheWire(t *testing.T) {
	rdb, pg := bothServers(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	for _, tg := range []target{rdb, pg} {
		t.Run(tg.name, func(t *testing.T) {
			cfg, err := pgx.ParseConfig(tg.url)
			if err != nil {
				t.Fatal(err)
			}
			// What JDBC sends.
			cfg.RuntimeParams = map[string]string{"DateStyle": "ISO", "TimeZone": "Europe/Berlin", "extra_float_digits": "3",
				"application_name": "PostgreSQL JDBC Driver", "client_encoding": "UTF8"}
			c, err := pgx.ConnectConfig(ctx, cfg)
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close(ctx)
			pc := c.PgConn()
			for name, want := range map[string]string{"DateStyle": "ISO, MDY", "TimeZone": "Europe/Berlin",
				"application_name": "PostgreSQL JDBC Driver", "client_encoding": "UTF8", "integer_datetimes": "on",
				"standard_conforming_strings": "on", "IntervalStyle": "postgres", "is_superuser": "on",
				"in_hot_standby": "off", "default_transaction_read_only": "off", "server_encoding": "UTF8"} {
				if got := pc.ParameterStatus(name); got != want {
					t.Errorf("ParameterStatus %s = %q, want %q", name, got, want)
				}
			}
			if v := pc.ParameterStatus("server_version"); !strings.HasPrefix(v, "15.") {
				t.Errorf("server_version %q", v)
			}
			if v := pc.ParameterStatus("extra_float_digits"); v != "" {
				t.Errorf("extra_float_digits is not reported, got %q", v)
			}
			var efd string
			if err := c.QueryRow(ctx, "SHOW extra_float_digits").Scan(&efd); err != nil || efd != "3" {
				t.Errorf("extra_float_digits %q %v", efd, err)
			}
			for _, tc := range []struct{ set, name, want string }{
				{"SET TimeZone = 'asia/tokyo'", "TimeZone", "Asia/Tokyo"},
				{"SET DateStyle = 'German'", "DateStyle", "German, DMY"},
				{"SET application_name = 'x'", "application_name", "x"},
				{"SET IntervalStyle = iso_8601", "IntervalStyle", "iso_8601"},
				{"RESET ALL", "TimeZone", "Europe/Berlin"},
				{"BEGIN; SET LOCAL TimeZone = 'UTC'", "TimeZone", "UTC"},
				{"COMMIT", "TimeZone", "Europe/Berlin"},
			} {
				if _, err := c.Exec(ctx, tc.set); err != nil {
					t.Fatalf("%s: %v", tc.set, err)
				}
				if got := pc.ParameterStatus(tc.name); got != tc.want {
					t.Errorf("after %s: ParameterStatus %s = %q, want %q", tc.set, tc.name, got, tc.want)
				}
			}
			// Errors, in the extended protocol.
			for _, tc := range []struct{ sql, code, msg string }{
				{"SET TimeZone = 'Mars/Base'", "22023", `invalid value for parameter "TimeZone": "Mars/Base"`},
				{"SET foo = 1", "42704", `unrecognized configuration parameter "foo"`},
				{"SHOW foo", "42704", `unrecognized configuration parameter "foo"`},
				{"SET server_version = '16'", "55P02", `parameter "server_version" cannot be changed`},
				{"SET extra_float_digits = 9", "22023", `9 is outside the valid range for parameter "extra_float_digits" (-15 .. 3)`},
			} {
				_, err := c.Exec(ctx, tc.sql)
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Code != tc.code || pe.Message != tc.msg {
					t.Errorf("%s: got %v, want %s %s", tc.sql, err, tc.code, tc.msg)
				}
			}
			// A bad startup setting ends the connection with FATAL.
			for _, tc := range []struct{ param, value, code string }{
				{"TimeZone", "Mars/Base", "22023"},
				{"no_such_setting", "1", "42704"},
			} {
				bad := cfg.Copy()
				bad.RuntimeParams = map[string]string{tc.param: tc.value}
				_, err := pgx.ConnectConfig(ctx, bad)
				var pe *pgconn.PgError
				if !errors.As(err, &pe) || pe.Severity != "FATAL" || pe.Code != tc.code {
					t.Errorf("startup %s=%s: got %v, want FATAL %s", tc.param, tc.value, err, tc.code)
				}
			}
		})
	}
	// SERIALIZABLE is refused until rangedb provides it (PostgreSQL
	// accepts it).
	c := connectExt(t, rdb.url)
	for _, q := range []string{"BEGIN ISOLATION LEVEL SERIALIZABLE", "SET default_transaction_isolation = 'serializable'",
		"SET SESSION CHARACTERISTICS AS TRANSACTION ISOLATION LEVEL SERIALIZABLE"} {
		_, err := c.Exec(ctx, q)
		var pe *pgconn.PgError
		if !errors.As(err, &pe) || pe.Code != "0A000" || !strings.Contains(pe.Message, "SERIALIZABLE") {
			t.Errorf("%s: got %v, want 0A000", q, err)
		}
	}
	if st := c.PgConn().TxStatus(); st != 'I' {
		t.Errorf("status after refused BEGIN: %c", st)
	}
}

// TestRepeatableRead: a REPEATABLE READ block keeps the snapshot of its
// first statement while READ COMMITTED sees each new commit.
func TestRepeatableRead(t *testing.T) {
	url := startNode(t, server.Config{}).URL()
	a, b := connectExt(t, url), connectExt(t, url)
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	mustExecExt(t, a, "CREATE TABLE rr (k INT PRIMARY KEY, v INT)")
	mustExecExt(t, a, "INSERT INTO rr VALUES (1, 1)")
	read := func() int {
		var v int
		if err := a.QueryRow(ctx, "SELECT v FROM rr WHERE k = 1").Scan(&v); err != nil {
			t.Fatal(err)
		}
		return v
	}
	for _, tc := range []struct {
		begin string
		want  int // what the second read sees
	}{{"BEGIN ISOLATION LEVEL REPEATABLE READ", 0}, {"BEGIN", 1}} {
		mustExecExt(t, a, tc.begin)
		first := read()
		mustExecExt(t, b, "UPDATE rr SET v = v + 1 WHERE k = 1")
		second := read()
		mustExecExt(t, a, "COMMIT")
		if second-first != tc.want {
			t.Errorf("%s: reads %d then %d", tc.begin, first, second)
		}
	}
}
