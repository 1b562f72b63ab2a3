package tests

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"

	"github.com/rangedb/rangedb/server"
)

// TestExtendedTranscripts sends the same extended-protocol message
// sequences to rangedb and to PostgreSQL 15 and requires the same replies,
// message by message: named and unnamed statements and portals, row
// limits and PortalSuspended, Describe, Close, the errors of bad names,
// counts and formats, discarding until Sync, the implicit transaction
// between Syncs, and aborted blocks.
func TestExtendedTranscripts(t *testing.T) {
	rdb, pg := bothServers(t)
	setup := func(url string) {
		c := connectExt(t, url)
		ctx := context.Background()
		for _, q := range []string{
			"CREATE TABLE nums (id INT PRIMARY KEY, name TEXT, flag BOOLEAN, big BIGINT)",
			"INSERT INTO nums VALUES (1, 'one', true, 10), (2, 'two', false, 20), (3, 'three', NULL, 30), (4, 'four', true, 40), (5, 'five', false, 50)",
		} {
			if _, err := c.Exec(ctx, q); err != nil {
				t.Fatalf("%s: %v", q, err)
			}
		}
	}
	setup(rdb.url)
	setup(pg.url)

	type M = []pgproto3.FrontendMessage
	sync := &pgproto3.Sync{}
	scenarios := []struct {
		name  string
		steps []M // each step ends with Sync or Query
	}{
		{"unnamed select", []M{{
			&pgproto3.Parse{Query: "SELECT id, name FROM nums WHERE id = $1"},
			&pgproto3.Describe{ObjectType: 'S'},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("2")}},
			&pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{}, sync,
		}}},
		{"row limits", []M{{
			&pgproto3.Parse{Query: "SELECT id FROM nums WHERE id <= $1"},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("5")}},
			&pgproto3.Execute{MaxRows: 2}, &pgproto3.Execute{MaxRows: 2}, &pgproto3.Execute{MaxRows: 2}, &pgproto3.Execute{MaxRows: 2},
			sync,
		}, {
			&pgproto3.Parse{Query: "SELECT id FROM nums WHERE id <= $1"},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("4")}},
			&pgproto3.Execute{MaxRows: 2}, &pgproto3.Execute{MaxRows: 2}, &pgproto3.Execute{MaxRows: 2},
			sync,
		}}},
		{"named reuse", []M{{
			&pgproto3.Parse{Name: "byid", Query: "SELECT name FROM nums WHERE id = $1"},
			&pgproto3.Parse{Name: "bybig", Query: "SELECT id FROM nums WHERE big = $1"},
			sync,
		}, {
			&pgproto3.Bind{PreparedStatement: "byid", Parameters: [][]byte{[]byte("1")}}, &pgproto3.Execute{},
			&pgproto3.Bind{PreparedStatement: "bybig", Parameters: [][]byte{[]byte("30")}}, &pgproto3.Execute{},
			&pgproto3.Bind{DestinationPortal: "p1", PreparedStatement: "byid", Parameters: [][]byte{[]byte("4")}},
			&pgproto3.Bind{DestinationPortal: "p2", PreparedStatement: "byid", Parameters: [][]byte{[]byte("5")}},
			&pgproto3.Execute{Portal: "p2"}, &pgproto3.Execute{Portal: "p1"},
			&pgproto3.Close{ObjectType: 'P', Name: "p1"}, &pgproto3.Execute{Portal: "p1"},
			sync,
		}, {
			// Portals end with their transaction; statements persist.
			&pgproto3.Execute{Portal: "p2"}, sync,
		}, {
			&pgproto3.Close{ObjectType: 'S', Name: "byid"}, &pgproto3.Close{ObjectType: 'S', Name: "nosuch"},
			&pgproto3.Bind{PreparedStatement: "byid"}, sync,
		}}},
		{"errors", []M{
			{&pgproto3.Parse{Name: "dup", Query: "SELECT 1"}, &pgproto3.Parse{Name: "dup", Query: "SELECT 2"}, sync},
			{&pgproto3.Bind{DestinationPortal: "c", PreparedStatement: "dup"}, &pgproto3.Bind{DestinationPortal: "c", PreparedStatement: "dup"}, sync},
			{&pgproto3.Bind{PreparedStatement: "zz"}, sync},
			{&pgproto3.Execute{Portal: "zz"}, sync},
			{&pgproto3.Describe{ObjectType: 'P', Name: "zz"}, sync},
			{&pgproto3.Describe{ObjectType: 'S', Name: "zz"}, sync},
			{&pgproto3.Parse{Query: "SELECT id FROM nums WHERE id = $1 AND big = $2"}, &pgproto3.Bind{Parameters: [][]byte{[]byte("1")}}, sync},
			{&pgproto3.Parse{Query: "SELECT 1; SELECT 2"}, sync},
			{&pgproto3.Parse{Query: "SELECT id, name FROM nums"}, &pgproto3.Bind{ResultFormatCodes: []int16{1, 0, 1}}, sync},
			{&pgproto3.Parse{Query: "SELECT id FROM nums WHERE id = $1"}, &pgproto3.Bind{ParameterFormatCodes: []int16{0, 0}, Parameters: [][]byte{[]byte("1")}}, sync},
			{&pgproto3.Parse{Query: "SELECT id FROM nums WHERE id = $1"}, &pgproto3.Bind{ParameterFormatCodes: []int16{2}, Parameters: [][]byte{[]byte("1")}}, sync},
			{&pgproto3.Parse{Query: "SELECT id FROM nums WHERE id = $1"}, &pgproto3.Bind{Parameters: [][]byte{[]byte("x")}}, sync},
			{&pgproto3.Parse{Query: "SELECT id FROM nums WHERE id = $1"}, &pgproto3.Bind{ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 1}}}, sync},
			{&pgproto3.Parse{Query: "SELECT nosuch FROM nums"}, &pgproto3.Bind{}, &pgproto3.Execute{}, sync},
			{&pgproto3.Parse{Query: "SELEC 1"}, sync},
			// Everything after an error is skipped until Sync, a Query too.
			{&pgproto3.Parse{Query: "SELECT nosuch"}, &pgproto3.Query{String: "SELECT 1"}, &pgproto3.Parse{Query: "SELECT 1"}, &pgproto3.Bind{}, &pgproto3.Execute{}, sync},
		}},
		{"formats", []M{{
			&pgproto3.Parse{Query: "SELECT id, name, flag, big FROM nums WHERE id = $1"},
			&pgproto3.Bind{ParameterFormatCodes: []int16{1}, Parameters: [][]byte{{0, 0, 0, 3}}, ResultFormatCodes: []int16{1}},
			&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("1")}, ResultFormatCodes: []int16{0, 1, 1, 0}},
			&pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{},
			sync,
		}}},
		{"empty and utility", []M{{
			&pgproto3.Parse{Query: ""}, &pgproto3.Bind{}, &pgproto3.Describe{ObjectType: 'S'}, &pgproto3.Describe{ObjectType: 'P'}, &pgproto3.Execute{}, sync,
		}, {
			&pgproto3.Parse{Query: "SHOW TimeZone"}, &pgproto3.Describe{ObjectType: 'S'}, &pgproto3.Bind{}, &pgproto3.Execute{}, sync,
		}, {
			&pgproto3.Parse{Query: "BEGIN", ParameterOIDs: []uint32{23}}, &pgproto3.Describe{ObjectType: 'S'}, sync,
		}}},
		{"dml portal runs once", []M{{
			&pgproto3.Parse{Query: "UPDATE nums SET big = big WHERE id = $1"},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("1")}}, &pgproto3.Describe{ObjectType: 'P'},
			&pgproto3.Execute{}, &pgproto3.Execute{}, sync,
		}}},
		{"implicit transaction", []M{{
			&pgproto3.Parse{Query: "INSERT INTO nums VALUES ($1, 'x', true, 0)"},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("100")}}, &pgproto3.Execute{},
			&pgproto3.Bind{Parameters: [][]byte{[]byte("1")}}, &pgproto3.Execute{}, // duplicate: rolls back 100 too
			sync,
		}, {
			&pgproto3.Query{String: "SELECT id FROM nums WHERE id = 100"},
		}, {
			&pgproto3.Parse{Query: "SET TimeZone = 'Europe/Paris'"}, &pgproto3.Bind{}, &pgproto3.Execute{},
			&pgproto3.Parse{Query: "SELECT nosuch"}, sync,
		}, {
			&pgproto3.Query{String: "SHOW TimeZone"},
		}, {
			&pgproto3.Parse{Query: "SET TimeZone = 'Europe/Paris'"}, &pgproto3.Bind{}, &pgproto3.Execute{}, sync,
		}, {
			&pgproto3.Parse{Query: "RESET TimeZone"}, &pgproto3.Bind{}, &pgproto3.Execute{}, sync,
		}}},
		{"aborted block", []M{{
			&pgproto3.Query{String: "BEGIN"},
		}, {
			&pgproto3.Parse{Query: "SELECT nosuch"}, &pgproto3.Bind{}, &pgproto3.Execute{}, sync,
		}, {
			&pgproto3.Parse{Query: "SELECT 1"}, sync,
		}, {
			&pgproto3.Parse{Name: "commit", Query: "COMMIT"}, &pgproto3.Bind{PreparedStatement: "commit"}, &pgproto3.Execute{}, sync,
		}, {
			&pgproto3.Parse{Query: "BEGIN"}, &pgproto3.Bind{}, &pgproto3.Execute{},
			&pgproto3.Parse{Query: "INSERT INTO nums VALUES (200, 'y', false, 0)"}, &pgproto3.Bind{}, &pgproto3.Execute{}, sync,
		}, {
			&pgproto3.Query{String: "SELECT id FROM nums WHERE id = 200"},
		}, {
			&pgproto3.Bind{PreparedStatement: "commit"}, &pgproto3.Execute{}, sync,
		}, {
			&pgproto3.Query{String: "DELETE FROM nums WHERE id = 200"},
		}}},
	}
	for _, sc := range scenarios {
		t.Run(strings.ReplaceAll(sc.name, " ", "_"), func(t *testing.T) {
			a, b := dialRawSession(t, rdb.url), dialRawSession(t, pg.url)
			for i, step := range sc.steps {
				got, want := a.run(step...), b.run(step...)
				if !reflect.DeepEqual(got, want) {
					t.Errorf("step %d: rangedb | postgres\n%s", i, diffLines(got, want))
				}
			}
		})
	}
}

// TestExtendedBatchFailingMiddle runs a pgx.Batch whose middle statement
// fails, outside and inside BEGIN, on both servers: the batch is one
// implicit transaction (the first insert is rolled back too), and inside
// BEGIN the block is left aborted.
func TestExtendedBatchFailingMiddle(t *testing.T) {
	rdb, pg := bothServers(t)
	run := func(tg target) []string {
		c := connectExt(t, tg.url)
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		var out []string
		if _, err := c.Exec(ctx, "CREATE TABLE kv (k INT PRIMARY KEY, v TEXT)"); err != nil {
			t.Fatal(err)
		}
		record := func(what string, err error) {
			var pe *pgconn.PgError
			switch {
			case err == nil:
				out = append(out, what+": ok")
			case errors.As(err, &pe):
				out = append(out, fmt.Sprintf("%s: %s %s", what, pe.Code, pe.Message))
			default:
				out = append(out, fmt.Sprintf("%s: %v", what, err))
			}
		}
		for _, prefix := range []string{"", "BEGIN"} {
			b := &pgx.Batch{}
			if prefix != "" {
				b.Queue(prefix)
			}
			b.Queue("INSERT INTO kv VALUES ($1, $2)", 1, "a")
			b.Queue("INSERT INTO kv VALUES ($1, $2)", 1, "dup")
			b.Queue("INSERT INTO kv VALUES ($1, $2)", 3, "c")
			br := c.SendBatch(ctx, b)
			for i := 0; i < b.Len(); i++ {
				_, err := br.Exec()
				record(fmt.Sprintf("%s batch stmt %d", prefix, i), err)
			}
			record("close", br.Close())
			out = append(out, fmt.Sprintf("txstatus %c", c.PgConn().TxStatus()))
			if prefix != "" {
				_, err := c.Exec(ctx, "SELECT 1")
				record("in aborted block", err)
				_, err = c.Exec(ctx, "COMMIT")
				record("commit", err)
				out = append(out, fmt.Sprintf("txstatus %c", c.PgConn().TxStatus()))
			}
			var n int
			err := c.QueryRow(ctx, "SELECT k FROM kv WHERE k >= $1", 0).Scan(&n)
			record("rows left", err)
		}
		return out
	}
	got, want := run(rdb), run(pg)
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("rangedb | postgres\n%s", diffLines(got, want))
	}
}

// TestPreparedStatementReuse prepares several statements on one
// connection and runs each many times, interleaved, in pgx's default
// mode (statement cache) and with explicit Prepare.
func TestPreparedStatementReuse(t *testing.T) {
	s := startNodeForWire(t)
	c := connectExt(t, s)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	if _, err := c.Exec(ctx, "CREATE TABLE acct (id INT PRIMARY KEY, owner TEXT NOT NULL, balance BIGINT)"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Prepare(ctx, "ins", "INSERT INTO acct VALUES ($1, $2, $3)"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Prepare(ctx, "get", "SELECT owner, balance FROM acct WHERE id = $1"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Prepare(ctx, "upd", "UPDATE acct SET balance = balance + $1 WHERE id = $2"); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 50; i++ {
		if _, err := c.Exec(ctx, "ins", i, fmt.Sprintf("owner%d", i), int64(i*100)); err != nil {
			t.Fatalf("ins %d: %v", i, err)
		}
		tag, err := c.Exec(ctx, "upd", int64(1), i)
		if err != nil || tag.String() != "UPDATE 1" {
			t.Fatalf("upd %d: %v %v", i, tag, err)
		}
		var owner string
		var bal int64
		if err := c.QueryRow(ctx, "get", i).Scan(&owner, &bal); err != nil {
			t.Fatalf("get %d: %v", i, err)
		}
		if owner != fmt.Sprintf("owner%d", i) || bal != int64(i*100+1) {
			t.Fatalf("get %d: %s %d", i, owner, bal)
		}
		// The statement cache path, with an ad hoc statement.
		var n int64
		if err := c.QueryRow(ctx, "SELECT balance FROM acct WHERE id = $1 AND owner = $2", i, owner).Scan(&n); err != nil || n != bal {
			t.Fatalf("cached %d: %d %v", i, n, err)
		}
	}
	// A duplicate name is 42P05; the first statement still works.
	if _, err := c.PgConn().Prepare(ctx, "get", "SELECT 1", nil); err == nil || !strings.Contains(err.Error(), "42P05") {
		t.Fatalf("duplicate prepare: %v", err)
	}
	var owner string
	var bal int64
	if err := c.QueryRow(ctx, "get", 7).Scan(&owner, &bal); err != nil || owner != "owner7" {
		t.Fatalf("after duplicate: %s %v", owner, err)
	}
}

// startNodeForWire starts a node and returns its URL.
func startNodeForWire(t *testing.T) string {
	t.Helper()
	return startNode(t, server.Config{}).URL()
}
