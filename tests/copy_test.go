package tests

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/rangedb/rangedb/server"
)

// This file tests COPY FROM STDIN and COPY TO STDOUT end to end: the
// wire sub-protocols message by message against PostgreSQL 15 (simple and
// extended protocol, CopyFail, errors mid-COPY), pgx's binary CopyFrom,
// text and CSV through pgconn's CopyFrom/CopyTo with every option (output
// compared byte for byte with PostgreSQL's), atomicity of a failed COPY,
// a 200k-row streamed COPY, psql's \copy to and from files, and pgbench
// -i. testdata/psql/copy*.sql compare psql's inline COPY with PostgreSQL.

// copyPair is a rangedb node and a PostgreSQL 15, each with a pgx
// connection in simple-protocol mode.
type copyPair struct {
	rdb, pg       *pgx.Conn
	rdbURL, pgURL string
}

func startCopyPair(t *testing.T) *copyPair {
	t.Helper()
	rdb, pg := bothServers(t)
	return &copyPair{rdb: connect(t, rdb.url), pg: connect(t, pg.url), rdbURL: rdb.url, pgURL: pg.url}
}

// both runs statements on both servers, failing on an error.
func (p *copyPair) both(t *testing.T, stmts ...string) {
	t.Helper()
	for _, s := range stmts {
		mustExec(t, p.rdb, s)
		mustExec(t, p.pg, s)
	}
}

// copyOutcome renders the result of a COPY: its tag or its error with
// the CONTEXT (the ErrorResponse's Where field).
func copyOutcome(tag pgconn.CommandTag, err error) string {
	if err != nil {
		var pe *pgconn.PgError
		if errors.As(err, &pe) {
			s := fmt.Sprintf("ERROR %s %s", pe.Code, pe.Message)
			if pe.Detail != "" {
				s += " DETAIL " + pe.Detail
			}
			if pe.Where != "" {
				s += " CONTEXT " + pe.Where
			}
			return s
		}
		return "error " + err.Error()
	}
	return tag.String()
}

// copyFrom runs COPY … FROM STDIN with data on one connection.
func copyFrom(c *pgx.Conn, sql, data string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	tag, err := c.PgConn().CopyFrom(ctx, strings.NewReader(data), sql)
	return copyOutcome(tag, err)
}

// copyTo runs COPY … TO STDOUT on one connection and returns the output
// followed by the outcome.
func copyTo(c *pgx.Conn, sql string) string {
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	var buf bytes.Buffer
	tag, err := c.PgConn().CopyTo(ctx, &buf, sql)
	return buf.String() + "\n-- " + copyOutcome(tag, err)
}

// checkFrom runs a COPY FROM on both servers and compares the outcomes.
func (p *copyPair) checkFrom(t *testing.T, sql, data string) {
	t.Helper()
	want, got := copyFrom(p.pg, sql, data), copyFrom(p.rdb, sql, data)
	if got != want {
		t.Errorf("%s\ndata %q\nrangedb:    %s\npostgresql: %s", sql, data, got, want)
	}
}

// checkTo runs a COPY TO (or any query through COPY) on both servers and
// compares the bytes.
func (p *copyPair) checkTo(t *testing.T, sql string) {
	t.Helper()
	want, got := copyTo(p.pg, sql), copyTo(p.rdb, sql)
	if got != want {
		t.Errorf("%s\n%s", sql, byteDiff(got, want))
	}
}

// byteDiff shows where two outputs part: the bytes around the first
// difference.
func byteDiff(got, want string) string {
	i := 0
	for i < len(got) && i < len(want) && got[i] == want[i] {
		i++
	}
	from := max(0, i-60)
	return fmt.Sprintf("first difference at byte %d (of %d | %d)\nrangedb:    %q\npostgresql: %q",
		i, len(got), len(want), got[from:min(len(got), i+80)], want[from:min(len(want), i+80)])
}

func TestCopyTextCSVMatchesPostgres(t *testing.T) {
	p := startCopyPair(t)
	p.both(t, `CREATE TABLE ct (id INT PRIMARY KEY, name TEXT, qty INT NOT NULL DEFAULT 5, price NUMERIC(10,2), ok BOOL,
		d DATE, ts TIMESTAMP, b BYTEA, CHECK (qty >= 0))`)
	// Text: escapes, NULL, a row split over several messages is pgconn's
	// business (it sends 64 KiB chunks); defaults for omitted columns.
	p.checkFrom(t, "COPY ct (id, name, price, ok, d, ts, b) FROM STDIN",
		"1\tone\t1.50\tt\t2024-01-02\t2024-01-02 03:04:05\t\\\\x0102\n"+
			"2\t\\N\t\\N\tf\t\\N\t\\N\t\\N\n"+
			"3\ttab\\there\\\\ \\x41\\102\t-0.5\ttrue\t1999-12-31\t1999-12-31 23:59:59.25\t\\\\x\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN WITH (FORMAT text, DELIMITER '|', NULL 'nil', HEADER true)",
		"id|name\n4|nil\n5|five\\|pipe\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN WITH (FORMAT text, HEADER match)", "id\tname\n6\tsix\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN WITH (FORMAT text, HEADER match)", "id\tnom\n7\tseven\n")
	// CSV: quotes, embedded newlines and delimiters, NULL handling and
	// FORCE_NOT_NULL / FORCE_NULL, QUOTE and ESCAPE, old syntax, CRLF.
	p.checkFrom(t, "COPY ct (id, name, qty) FROM STDIN WITH CSV HEADER DELIMITER ','",
		"id,name,qty\n10,\"a,b\",1\n11,\"multi\nline\",2\n12,,3\n13,\"\",4\n14,\"say \"\"hi\"\"\",5\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv, FORCE_NOT_NULL (name))", "15,\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv, FORCE_NULL (name), NULL 'x')", "16,\"x\"\n17,x\n18,\"y\"\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv, QUOTE '''', ESCAPE '\\', DELIMITER ';')", "19;'it\\'s;ok'\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv, ENCODING 'UTF8', FREEZE false)", "20,héllo\r\n21,wörld\r\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv)", "22,before\n\\.\nignored,after the end marker\n")
	// The end marker: `\.` ends text data wherever it stands (the line's
	// data before it is the last row), anything after it on its line is
	// corrupt; in CSV only a line that is `\.` alone ends the data.
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN", "23\tlast\\.\n24\tnot read\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN", "25\tx\\.y\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN", "25\tx\n\\.y\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN", "25\tx\\\\.y\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv)", "26,a\\.b\n\\.x\n27,c\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv)", "28,\"q\n\\.\n\"\n")
	// Line endings: every line ends as the first does; a carriage
	// return in data must be escaped (text) or quoted (CSV).
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN", "40\tx\r\n41\ty\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN", "40\tx\n41\ty\r\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN", "40\tx\n41\ta\rb\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN", "40\tx\\\ry\n41\tz\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv)", "40,x\r\n41,y\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv)", "40,x\n41,y\r\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv)", "40,x\n41,a\rb\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv)", "40,\"a\rb\"\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv)", "42,\"a\nb\"\n43,\"c\nd\ne\"\n44,\"f\"\nx,y\n")
	// Errors, with the line and column PostgreSQL names.
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN", "30\tok\n31\tok\nx\tbad\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN", "30\tok\n31\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN", "30\tok\textra\n")
	p.checkFrom(t, "COPY ct (id, qty) FROM STDIN", "30\t1\n31\t\\N\n")
	p.checkFrom(t, "COPY ct (id, qty) FROM STDIN", "30\t1\n31\t-1\n")
	p.checkFrom(t, "COPY ct (id, qty) FROM STDIN", "30\t1\n1\t1\n")
	p.checkFrom(t, "COPY ct (id, qty) FROM STDIN", "30\t1\n30\t1\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv)", "30,\"open\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv, HEADER match)", "id\n30,a\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN", "30\t\\xff\\xfe\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN", "30\t\\xe9t\n")
	p.checkFrom(t, "COPY ct (id, name) FROM STDIN (FORMAT csv)", "30,a\x00b\n")
	p.checkFrom(t, "COPY ct (id, qty) FROM STDIN", "99999999999\t1\n")
	// Option errors.
	for _, sql := range []string{
		"COPY ct FROM STDIN (FORMAT xml)",
		"COPY ct FROM STDIN (FORMAT csv, FORMAT text)",
		"COPY ct FROM STDIN (DELIMITER 'ab')",
		"COPY ct FROM STDIN (DELIMITER 'a')",
		"COPY ct FROM STDIN (FORMAT binary, DELIMITER ',')",
		"COPY ct FROM STDIN (FORMAT binary, NULL 'x')",
		"COPY ct FROM STDIN (FORMAT binary, HEADER)",
		"COPY ct FROM STDIN (ESCAPE '\\')",
		"COPY ct FROM STDIN (FORMAT csv, QUOTE ',')",
		"COPY ct FROM STDIN (FORMAT csv, NULL 'a,b')",
		"COPY ct FROM STDIN (FORMAT csv, FORCE_NOT_NULL (name), HEADER 'maybe')",
		"COPY ct (id) FROM STDIN (FORMAT csv, FORCE_NOT_NULL (name))",
		"COPY ct FROM STDIN (FORMAT csv, FORCE_NULL *)",
		"COPY ct FROM STDIN (FORMAT text, FORCE_NULL (name))",
		"COPY ct FROM STDIN (ENCODING 'nosuch')",
		"COPY ct FROM STDIN (FREEZE maybe)",
		"COPY ct FROM STDIN (nosuch)",
		"COPY ct (nosuch) FROM STDIN",
		"COPY ct (id, id) FROM STDIN",
		"COPY nosuch FROM STDIN",
	} {
		p.checkFrom(t, sql, "")
	}
	// Nothing of the failed COPYs is there; the good ones are.
	p.checkTo(t, "COPY (SELECT * FROM ct ORDER BY id) TO STDOUT")
	// Output: text, CSV with every option, a query, column lists.
	for _, sql := range []string{
		"COPY ct TO STDOUT",
		"COPY ct (name, id) TO STDOUT",
		"COPY ct TO STDOUT (FORMAT text, DELIMITER '|', NULL '<null>', HEADER)",
		"COPY ct TO STDOUT WITH CSV HEADER",
		"COPY ct TO STDOUT (FORMAT csv, FORCE_QUOTE *)",
		"COPY ct TO STDOUT (FORMAT csv, FORCE_QUOTE (name, qty), NULL 'NULL')",
		"COPY ct TO STDOUT (FORMAT csv, DELIMITER ';', QUOTE '''', ESCAPE '\\')",
		"COPY ct (b) TO STDOUT (FORMAT csv, HEADER false)",
		"COPY (SELECT id, name || E'\\\\.' AS n, qty * 2 AS q FROM ct WHERE id < 20 ORDER BY id DESC) TO STDOUT (FORMAT csv, HEADER)",
		"COPY (SELECT E'\\\\.' AS x) TO STDOUT (FORMAT csv)",
		"COPY (SELECT 1 AS a WHERE false) TO STDOUT",
		"COPY (SELECT 1/0) TO STDOUT",
		"COPY ct TO STDOUT (HEADER match)",
		"COPY ct TO STDOUT (FORMAT csv, FORCE_NOT_NULL (name))",
		"COPY ct TO STDOUT (FORMAT text, FORCE_QUOTE *)",
		"COPY ct (nosuch) TO STDOUT",
		"COPY nosuch TO STDOUT",
	} {
		p.checkTo(t, sql)
	}
}

func TestCopyBinaryMatchesPostgres(t *testing.T) {
	p := startCopyPair(t)
	p.both(t, `CREATE TABLE cb (id BIGINT PRIMARY KEY, i INT, s SMALLINT, f FLOAT8, r REAL, n NUMERIC, t TEXT, v VARCHAR(10),
		ok BOOL, d DATE, ts TIMESTAMP, tz TIMESTAMPTZ, b BYTEA, u UUID, dflt INT DEFAULT 42)`)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	day := time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)
	rows := [][]any{
		{int64(1), int32(-7), int16(3), 1.25, float32(-0.5), "123.456", "héllo", "short", true, day,
			time.Date(2024, 2, 29, 12, 34, 56, 789000000, time.UTC), time.Date(2001, 1, 1, 0, 0, 0, 0, time.UTC),
			[]byte{0, 1, 255}, "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11"},
		{int64(2), nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil, nil},
	}
	for i := int64(3); i < 1000; i++ {
		rows = append(rows, []any{i, int32(i), int16(i % 100), float64(i) / 3, float32(i), fmt.Sprint(i), strings.Repeat("x", int(i%50)),
			"v", i%2 == 0, day.AddDate(0, 0, int(i)), day, day, []byte(fmt.Sprint(i)), nil})
	}
	cols := []string{"id", "i", "s", "f", "r", "n", "t", "v", "ok", "d", "ts", "tz", "b", "u"}
	for _, c := range []*pgx.Conn{p.pg, p.rdb} {
		n, err := c.CopyFrom(ctx, pgx.Identifier{"cb"}, cols, pgx.CopyFromRows(rows))
		if err != nil || n != int64(len(rows)) {
			t.Fatalf("CopyFrom: %d rows, %v", n, err)
		}
	}
	// The binary output (and the text one) must be PostgreSQL's, byte for
	// byte.
	p.checkTo(t, "COPY (SELECT * FROM cb ORDER BY id) TO STDOUT (FORMAT binary)")
	p.checkTo(t, "COPY (SELECT * FROM cb ORDER BY id) TO STDOUT")
	p.checkTo(t, "COPY (SELECT id, t FROM cb WHERE id < 5 ORDER BY id) TO STDOUT WITH BINARY")

	// Binary input errors: a bad signature, a wrong field count, a value
	// of the wrong width, a duplicate key (nothing of it stays).
	p.checkFrom(t, "COPY cb (id) FROM STDIN (FORMAT binary)", "not a binary copy file")
	hdr := "PGCOPY\n\xff\r\n\x00" + "\x00\x00\x00\x00" + "\x00\x00\x00\x00"
	p.checkFrom(t, "COPY cb (id, i) FROM STDIN (FORMAT binary)", hdr+"\x00\x01\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x09\xff\xff")
	p.checkFrom(t, "COPY cb (id) FROM STDIN (FORMAT binary)", hdr+"\x00\x01\x00\x00\x00\x04\x00\x00\x00\x09\xff\xff")
	p.checkFrom(t, "COPY cb (id) FROM STDIN (FORMAT binary)", hdr+"\x00\x01\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x07\xd0"+
		"\x00\x01\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x00\x01\xff\xff")
	p.checkFrom(t, "COPY cb (id) FROM STDIN (FORMAT binary)", hdr+"\x00\x01\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x07\xd1")
	p.checkFrom(t, "COPY cb (id) FROM STDIN (FORMAT binary)", hdr+"\x00\x01\x00\x00\x00\x08\x00\x00\x00\x00\x00\x00\x07\xd2\xff\xffjunk")
	p.checkTo(t, "COPY (SELECT id, dflt FROM cb WHERE id >= 1000 OR id < 3 ORDER BY id) TO STDOUT")
}

// copyRender renders backend messages including COPY's and an error's
// CONTEXT.
func copyRender(m pgproto3.BackendMessage) string {
	switch m := m.(type) {
	case *pgproto3.CopyInResponse:
		return fmt.Sprintf("CopyInResponse %d %v", m.OverallFormat, m.ColumnFormatCodes)
	case *pgproto3.CopyOutResponse:
		return fmt.Sprintf("CopyOutResponse %d %v", m.OverallFormat, m.ColumnFormatCodes)
	case *pgproto3.CopyData:
		return fmt.Sprintf("CopyData %q", m.Data)
	case *pgproto3.CopyDone:
		return "CopyDone"
	case *pgproto3.ErrorResponse:
		s := renderBackend(m)
		if m.Where != "" {
			s += " CONTEXT " + m.Where
		}
		return s
	}
	return renderBackend(m)
}

// copyTranscript sends msgs on a fresh connection to url and renders the
// replies up to the count-th ReadyForQuery.
func copyTranscript(t *testing.T, url string, count int, msgs ...pgproto3.FrontendMessage) []string {
	t.Helper()
	r := dialRawSession(t, url)
	fe := r.pc.Frontend()
	for _, m := range msgs {
		fe.Send(m)
	}
	if err := fe.Flush(); err != nil {
		t.Fatalf("flush: %v", err)
	}
	_ = r.pc.Conn().SetReadDeadline(time.Now().Add(30 * time.Second))
	var out []string
	for count > 0 {
		m, err := fe.Receive()
		if err != nil {
			t.Fatalf("receive: %v (so far %q)", err, out)
		}
		if _, ok := m.(*pgproto3.ParameterStatus); ok {
			continue
		}
		out = append(out, copyRender(m))
		if _, ok := m.(*pgproto3.ReadyForQuery); ok {
			count--
		}
	}
	return out
}

func TestCopyWireMatchesPostgres(t *testing.T) {
	rdb, pg := bothServers(t)
	for _, u := range []string{rdb.url, pg.url} {
		c := connect(t, u)
		mustExec(t, c, "CREATE TABLE w (a INT PRIMARY KEY, b TEXT)")
		mustExec(t, c, "INSERT INTO w VALUES (100, 'x')")
	}
	data := func(s string) *pgproto3.CopyData { return &pgproto3.CopyData{Data: []byte(s)} }
	q := func(s string) *pgproto3.Query { return &pgproto3.Query{String: s} }
	ext := func(sql string) []pgproto3.FrontendMessage {
		return []pgproto3.FrontendMessage{&pgproto3.Parse{Query: sql}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}}
	}
	cat := func(parts ...[]pgproto3.FrontendMessage) []pgproto3.FrontendMessage {
		var out []pgproto3.FrontendMessage
		for _, p := range parts {
			out = append(out, p...)
		}
		return out
	}
	cases := []struct {
		name  string
		syncs int
		msgs  []pgproto3.FrontendMessage
	}{
		{"simple, a row split across messages", 2, []pgproto3.FrontendMessage{
			q("COPY w FROM STDIN"), data("1\to"), data("ne\n2\t"), data("two\n"), &pgproto3.CopyDone{},
			q("SELECT count(*) FROM w")}},
		{"simple, CopyFail", 2, []pgproto3.FrontendMessage{
			q("COPY w FROM STDIN"), data("3\tthree\n"), &pgproto3.CopyFail{Message: "client gave up"},
			q("SELECT count(*) FROM w WHERE a = 3")}},
		{"simple, bad data then the rest of the COPY", 2, []pgproto3.FrontendMessage{
			q("COPY w FROM STDIN"), data("4\tfour\nx\ty\n"), data("5\tfive\n"), &pgproto3.CopyDone{},
			q("SELECT count(*) FROM w WHERE a >= 3")}},
		{"simple, two statements around COPY", 1, []pgproto3.FrontendMessage{
			q("SELECT 1; COPY w FROM STDIN; SELECT count(*) FROM w"), data("6\tsix\n"), &pgproto3.CopyDone{}}},
		{"simple, COPY in a block, then COMMIT", 3, []pgproto3.FrontendMessage{
			q("BEGIN"), q("COPY w (a) FROM STDIN (FORMAT csv)"), data("7\n8\n"), &pgproto3.CopyDone{},
			q("COMMIT; SELECT count(*) FROM w WHERE a IN (7, 8)")}},
		{"simple, COPY TO", 1, []pgproto3.FrontendMessage{q("COPY (SELECT * FROM w ORDER BY a) TO STDOUT (FORMAT csv, HEADER)")}},
		{"simple, COPY TO binary", 1, []pgproto3.FrontendMessage{q("COPY (SELECT a, b FROM w WHERE a = 100) TO STDOUT (FORMAT binary)")}},
		{"extended, COPY FROM", 2, cat(ext("COPY w FROM STDIN"), []pgproto3.FrontendMessage{
			data("9\tnine\n10\t"), &pgproto3.Flush{}, data("ten\n"), &pgproto3.CopyDone{}, &pgproto3.Sync{},
			q("SELECT count(*) FROM w WHERE a IN (9, 10)")})},
		{"extended, CopyFail", 2, cat(ext("COPY w FROM STDIN"), []pgproto3.FrontendMessage{
			data("11\televen\n"), &pgproto3.CopyFail{Message: "nope"}, &pgproto3.Sync{},
			q("SELECT count(*) FROM w WHERE a = 11")})},
		{"extended, bad data", 2, cat(ext("COPY w FROM STDIN"), []pgproto3.FrontendMessage{
			data("12\ttwelve\n12\tagain\n"), data("13\tx\n"), &pgproto3.CopyDone{}, &pgproto3.Sync{},
			q("SELECT count(*) FROM w WHERE a >= 12 AND a < 100")})},
		{"extended, COPY TO", 1, cat(ext("COPY (SELECT b, a FROM w ORDER BY a DESC) TO STDOUT"), []pgproto3.FrontendMessage{&pgproto3.Sync{}})},
		{"extended, binary COPY FROM", 2, cat(ext("COPY w (a) FROM STDIN (FORMAT binary)"), []pgproto3.FrontendMessage{
			data("PGCOPY\n\xff\r\n\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x01\x00\x00\x00\x04\x00\x00\x00\x0e"),
			data("\xff\xff"), &pgproto3.CopyDone{}, &pgproto3.Sync{}, q("SELECT a, b FROM w WHERE a = 14")})},
		{"unsupported targets", 4, []pgproto3.FrontendMessage{
			q("COPY w FROM '/tmp/nosuch'"), q("COPY w TO '/tmp/nosuch'"), q("COPY w FROM PROGRAM 'true'"),
			q("COPY w FROM STDIN WHERE a > 1")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := copyTranscript(t, rdb.url, tc.syncs, tc.msgs...)
			if strings.HasPrefix(tc.name, "unsupported") {
				// PostgreSQL (as superuser) reads and writes the server's
				// files and runs programs; rangedb refuses them with 0A000
				// naming what is refused.
				wantRdb := []string{
					"ErrorResponse ERROR 0A000 COPY to or from a file is not supported", "ReadyForQuery I",
					"ErrorResponse ERROR 0A000 COPY to or from a file is not supported", "ReadyForQuery I",
					"ErrorResponse ERROR 0A000 COPY to or from an external program is not supported", "ReadyForQuery I",
					"ErrorResponse ERROR 0A000 COPY FROM … WHERE is not supported", "ReadyForQuery I",
				}
				if strings.Join(got, "\n") != strings.Join(wantRdb, "\n") {
					t.Errorf("rangedb | want:\n%s", diffLines(got, wantRdb))
				}
				return
			}
			want := copyTranscript(t, pg.url, tc.syncs, tc.msgs...)
			if strings.Join(got, "\n") != strings.Join(want, "\n") {
				t.Errorf("rangedb | postgres:\n%s", diffLines(got, want))
			}
		})
	}
}

func TestCopyAtomicAndDefaults(t *testing.T) {
	s := startNode(t, server.Config{})
	c := connect(t, s.URL())
	mustExec(t, c, "CREATE TABLE ad (id INT PRIMARY KEY, note TEXT DEFAULT 'none', n SERIAL, at INT DEFAULT 1 + 1)")
	// A failure after several batches leaves nothing behind, in an
	// implicit transaction…
	var good strings.Builder
	for i := 0; i < 5000; i++ {
		fmt.Fprintf(&good, "%d\n", i)
	}
	got := copyFrom(c, "COPY ad (id) FROM STDIN", good.String()+"oops\n")
	if want := `ERROR 22P02 invalid input syntax for type integer: "oops" CONTEXT COPY ad, line 5001, column id: "oops"`; got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
	if n := query(t, c, "SELECT count(*) FROM ad"); n[0][0] != "0" {
		t.Fatalf("%s rows visible after a failed COPY", n[0][0])
	}
	// …and aborts a block.
	mustExec(t, c, "BEGIN")
	if got := copyFrom(c, "COPY ad (id) FROM STDIN", "1\n1\n"); !strings.HasPrefix(got, "ERROR 23505") || !strings.HasSuffix(got, "CONTEXT COPY ad, line 2") {
		t.Fatalf("duplicate: %s", got)
	}
	if pe := execErr(t, c, "SELECT 1"); pe.Code != "25P02" {
		t.Fatalf("after a failed COPY in a block: %s", pe.Code)
	}
	mustExec(t, c, "ROLLBACK")
	// Omitted columns get their defaults, serials their sequence values.
	if got := copyFrom(c, "COPY ad (id) FROM STDIN", good.String()); got != "COPY 5000" {
		t.Fatal(got)
	}
	rows := query(t, c, "SELECT count(*), min(note), max(note), count(DISTINCT n), min(at), max(at) FROM ad")
	if fmt.Sprint(rows) != "[[5000 none none 5000 2 2]]" {
		t.Fatalf("defaults: %v", rows)
	}
	// A COPY inside a block is visible to the block and commits with it;
	// a read-only transaction refuses COPY FROM.
	mustExec(t, c, "BEGIN")
	if got := copyFrom(c, "COPY ad (id, note) FROM STDIN (FORMAT csv)", "9000,a\n9001,b\n"); got != "COPY 2" {
		t.Fatal(got)
	}
	if n := query(t, c, "SELECT count(*) FROM ad WHERE id >= 9000"); n[0][0] != "2" {
		t.Fatalf("in block: %v", n)
	}
	mustExec(t, c, "COMMIT")
	mustExec(t, c, "BEGIN READ ONLY")
	if got := copyFrom(c, "COPY ad (id) FROM STDIN", "9002\n"); got != "ERROR 25006 cannot execute COPY FROM in a read-only transaction" {
		t.Fatal(got)
	}
	mustExec(t, c, "ROLLBACK")
}

// copyGenerator produces n rows of COPY text as they are read, so that
// neither side of the test holds the whole input.
type copyGenerator struct {
	next, n int
	buf     []byte
}

func (g *copyGenerator) Read(p []byte) (int, error) {
	for len(g.buf) < len(p) && g.next < g.n {
		g.buf = fmt.Appendf(g.buf, "%d\tpayload-%d\n", g.next, g.next)
		g.next++
	}
	if len(g.buf) == 0 {
		return 0, io.EOF
	}
	k := copy(p, g.buf)
	g.buf = g.buf[k:]
	return k, nil
}

// TestCopyLargeStreams copies 200k rows (about 4 MB of text) in and out. The
// input is generated as it is sent and the session writes it in batches
// of 1000 rows, so the server holds one batch of parsed rows (plus the
// transaction's write buffer, which bounds any transaction); the heap
// growth is logged, not asserted.
func TestCopyLargeStreams(t *testing.T) {
	s := startNode(t, server.Config{})
	c := connect(t, s.URL())
	mustExec(t, c, "CREATE TABLE big (id INT PRIMARY KEY, payload TEXT NOT NULL)")
	const n = 200_000
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	tag, err := c.PgConn().CopyFrom(ctx, &copyGenerator{n: n}, "COPY big FROM STDIN")
	if err != nil || tag.String() != fmt.Sprintf("COPY %d", n) {
		t.Fatalf("COPY FROM: %v %v", tag, err)
	}
	runtime.ReadMemStats(&after)
	inUse := after.HeapInuse
	runtime.GC()
	runtime.ReadMemStats(&after)
	// For comparison: `INSERT INTO big SELECT … FROM generate_series(0,
	// 199999)` of the same rows measures the same in this one process
	// holding the node, its store and the client (about 230 MiB in use
	// right after, 45 MiB after GC, with 40-byte payloads): the cost is
	// the 200k-row transaction's, not COPY's.
	t.Logf("heap in use before %d MiB, after the COPY %d MiB, after GC %d MiB (allocated %d MiB)",
		before.HeapInuse>>20, inUse>>20, after.HeapInuse>>20, (after.TotalAlloc-before.TotalAlloc)>>20)
	if r := query(t, c, "SELECT count(*), min(id), max(id) FROM big"); fmt.Sprint(r) != "[[200000 0 199999]]" {
		t.Fatalf("rows: %v", r)
	}
	var lines int
	w := writerFunc(func(p []byte) (int, error) {
		lines += bytes.Count(p, []byte{'\n'})
		return len(p), nil
	})
	tag, err = c.PgConn().CopyTo(ctx, w, "COPY big TO STDOUT")
	if err != nil || tag.String() != fmt.Sprintf("COPY %d", n) || lines != n {
		t.Fatalf("COPY TO: %v %v, %d lines", tag, err, lines)
	}
}

type writerFunc func(p []byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }

// TestCopyPsqlBackslashCopy runs psql's \copy (COPY FROM STDIN and TO
// STDOUT underneath) from and to files against both servers.
func TestCopyPsqlBackslashCopy(t *testing.T) {
	psql, err := exec.LookPath("psql")
	if err != nil {
		t.Fatal("psql is not installed: apt-get install postgresql-client")
	}
	rdb, pg := bothServers(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "in.csv")
	if err := os.WriteFile(in, []byte("id,name\n1,\"a, b\"\n2,\n3,\"x\"\"y\"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	run := func(url, out string) string {
		script := fmt.Sprintf(`CREATE TABLE pc (id INT PRIMARY KEY, name TEXT);
\copy pc from '%s' with (format csv, header)
\copy pc from '%s' with (format csv, header)
\copy pc to '%s' with csv header force quote name
\copy (select id, name is null from pc order by id) to stdout
SELECT count(*) FROM pc;
`, in, in, out)
		cmd := exec.Command(psql, "-X", "-v", "ON_ERROR_STOP=0", url)
		cmd.Env = append(os.Environ(), "PGTZ=UTC", "PGCLIENTENCODING=UTF8")
		cmd.Stdin = strings.NewReader(script)
		b, _ := cmd.CombinedOutput()
		f, err := os.ReadFile(out)
		if err != nil {
			t.Fatal(err)
		}
		return string(b) + "-- file:\n" + string(f)
	}
	want := run(pg.url, filepath.Join(dir, "pg.csv"))
	got := run(rdb.url, filepath.Join(dir, "rdb.csv"))
	if got != want {
		t.Fatalf("rangedb:\n%s\npostgresql:\n%s", got, want)
	}
}

// TestCopyPgbenchInit runs pgbench's initialization against a node: the
// client-side data generation (`copy pgbench_accounts from stdin with
// (freeze on)`, 100000 rows in one transaction with a TRUNCATE) must
// succeed. The full `pgbench -i` then runs VACUUM and ALTER TABLE … ADD
// PRIMARY KEY, which are logged as far as they get. (Scale 2 and up fail
// at COMMIT today: the transaction's commit is one raft command, bounded
// at 16 MiB; scale 10 exceeds the 64 MiB kv write buffer during the COPY.)
func TestCopyPgbenchInit(t *testing.T) {
	pgbench, err := exec.LookPath("pgbench")
	if err != nil {
		t.Fatal("pgbench is not installed: apt-get install postgresql-contrib (or postgresql-client)")
	}
	s := startNode(t, server.Config{})
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, pgbench, "-i", "-s", "1", "-I", "dtg", s.URL())
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("pgbench -i -I dtg: %v\n%s", err, out)
	}
	c := connect(t, s.URL())
	if r := query(t, c, "SELECT count(*), sum(abalance) FROM pgbench_accounts"); fmt.Sprint(r) != "[[100000 0]]" {
		t.Fatalf("pgbench_accounts: %v", r)
	}
	full := exec.CommandContext(ctx, pgbench, "-i", "-s", "1", s.URL())
	out, err = full.CombinedOutput()
	t.Logf("full pgbench -i -s 1 (err %v):\n%s", err, out)
	pk := exec.CommandContext(ctx, pgbench, "-i", "-I", "p", s.URL())
	out, err = pk.CombinedOutput()
	t.Logf("pgbench -i -I p, the primary keys step alone (err %v):\n%s", err, out)
}
